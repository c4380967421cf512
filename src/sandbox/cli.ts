#!/usr/bin/env node
/**
 * Starts the sandbox from a shell:
 *   node dist/src/sandbox/cli.js [--port 8790] [--profiles 20] [--sr-rate 10] [--sr-concurrent 8] [--taleez-rate 100] [--quiet]
 * Stops cleanly on SIGINT / SIGTERM.
 */

import { createSandbox, type Sandbox } from './index';

interface CliArgs {
  port: number;
  profiles?: number;
  srRate?: number;
  srConcurrent?: number;
  taleezRate?: number;
  quiet: boolean;
  specsDir?: string;
  fixturesDir?: string;
}

const USAGE = `Usage: node dist/src/sandbox/cli.js [options]
  --port N            port on 127.0.0.1 (default 8790; 0 = any free port)
  --profiles N        synthetic HrFlow profiles besides the 3 fixtures (default 20)
  --sr-rate N         SmartRecruiters requests per second per token (default 10)
  --sr-concurrent N   SmartRecruiters concurrent requests per token (default 8)
  --taleez-rate N     Taleez requests per minute per secret (default 100; 0 = no limit)
  --specs DIR         folder of <vendor>/*.json OpenAPI files (default: the built-in copies of specs/)
  --fixtures DIR      folder of the HrFlow profile_*.json fixtures (default: the built-in copies of fixtures/hrflow)
  --quiet             do not log requests
  -h, --help          this help`;

export function parseArgs(argv: string[]): CliArgs | 'help' {
  const args: CliArgs = { port: 8790, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (): number => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: "${v}" is not a non-negative integer`);
      return n;
    };
    switch (flag) {
      case '--port':
      case '-p':
        args.port = int();
        break;
      case '--profiles':
        args.profiles = int();
        break;
      case '--sr-rate':
        args.srRate = int();
        break;
      case '--sr-concurrent':
        args.srConcurrent = int();
        break;
      case '--taleez-rate':
        args.taleezRate = int();
        break;
      case '--specs':
        args.specsDir = value();
        break;
      case '--fixtures':
        args.fixturesDir = value();
        break;
      case '--quiet':
      case '-q':
        args.quiet = true;
        break;
      case '--help':
      case '-h':
        return 'help';
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  return args;
}

export function describe(sb: Sandbox): string {
  const c = sb.credentials;
  const first = sb.profileKeys()[0];
  return [
    `HrFlow connectors sandbox listening on ${sb.url}  (open it in a browser to see what each vendor received)`,
    '',
    `  HrFlow.ai        base URL  ${sb.urls.hrflow}`,
    `                   X-API-KEY: ${c.hrflowApiKey}`,
    `                   X-USER-EMAIL: ${c.hrflowUser}`,
    `                   source_key ${sb.sourceKey} (${sb.profileKeys().length} profiles)`,
    first ? `                   e.g. GET ${sb.urls.hrflow}/profile/indexing?source_key=${first.source_key}&key=${first.key}` : '',
    `  SmartRecruiters  base URL  ${sb.urls.smartrecruiters}`,
    `                   X-SmartToken: ${c.smartToken}`,
    `  Recruitee        endpoint  ${sb.urls.recruitee}   company_id ${c.recruiteeCompany}`,
    `                   Authorization: Bearer ${c.recruiteeToken}`,
    `  Broadbean        base URL  ${sb.urls.broadbean}   (POST /candidate)`,
    `                   secret ${c.broadbeanSecret}   X-CHUB-SOURCE / source_id ${c.broadbeanSourceId}   client_id ${c.broadbeanClientId}`,
    `  Flatchr          careers   ${sb.urls.flatchr}   (POST /vacancy/candidate/json)`,
    `                   API       ${sb.urls.flatchrApi}   company ${c.flatchrCompany}`,
    `                   Authorization: Bearer ${c.flatchrApiKey}  (and/or body token)`,
    `  Taleez           base URL  ${sb.urls.taleez}`,
    `                   X-taleez-api-secret: ${c.taleezSecret}`,
    `  CV files         ${sb.urls.files}/<profile key>/<file>`,
    '',
    `  Admin: GET ${sb.url}/__admin/state · POST ${sb.url}/__admin/faults {"vendor":"smartrecruiters","mode":"status","status":503,"count":2} · POST ${sb.url}/__admin/reset`,
    '  Ctrl-C to stop.',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  let args: CliArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error(`sandbox: ${(e as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args === 'help') {
    console.log(USAGE);
    return;
  }
  let sb: Sandbox;
  try {
    sb = await createSandbox({
      port: args.port,
      quiet: args.quiet,
      specsDir: args.specsDir,
      fixturesDir: args.fixturesDir,
      generatedProfiles: args.profiles,
      rateLimits: {
        ...(args.srRate !== undefined || args.srConcurrent !== undefined
          ? { smartrecruiters: { perSecond: args.srRate ?? 10, concurrent: args.srConcurrent ?? 8 } }
          : {}),
        ...(args.taleezRate !== undefined ? { taleez: { perMinute: args.taleezRate } } : {}),
      },
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      // One line naming the option, no stack trace.
      console.error(`sandbox: port ${args.port} is ${code === 'EADDRINUSE' ? 'in use' : 'not allowed for this user'}: choose another with --port`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
  console.log(describe(sb));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nsandbox: ${signal} received, stopping`);
    sb.close().then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`sandbox: ${(e as Error)?.message ?? e}`);
    process.exit(1);
  });
}
