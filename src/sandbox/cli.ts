#!/usr/bin/env node
/**
 * Starts the sandbox from a shell. Published as the package's bin (bin/hrflow-connectors.js):
 *   npx @hrflow-connectors/node-red sandbox [--port 8790] [--host 127.0.0.1] [--quiet]
 * and in the repository: npm run sandbox -- [options] (= node dist/src/sandbox/cli.js [options]).
 * Runs with the package's runtime dependencies only (its vendor specs and profiles are JSON built beside it).
 * Stops cleanly on SIGINT / SIGTERM.
 */

import { createSandbox, SANDBOX_PROFILE_ALIASES, SANDBOX_SOURCE_ALIAS, type Sandbox } from './index';

/** The port the example flow "Try it with the local sandbox" points at. */
export const DEFAULT_PORT = 8790;

/** Host names the sandbox may listen on: loopback only (its credentials are fixed and printed). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);

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

const USAGE = `Usage: npx @hrflow-connectors/node-red sandbox [options]
       (in the repository: npm run sandbox -- [options])
Fake HrFlow.ai, SmartRecruiters, Recruitee, Broadbean, Flatchr and Taleez APIs on this machine, with fixed
test credentials, for trying the nodes without any account. Nothing is sent anywhere else.
  --port N            port on 127.0.0.1 (default ${DEFAULT_PORT}, the one the example flow uses; 0 = any free port)
  --host H            127.0.0.1 (default) or localhost; the sandbox listens on the loopback interface only
  --profiles N        synthetic HrFlow profiles besides the 3 samples (default 20)
  --sr-rate N         SmartRecruiters requests per second per token (default 10)
  --sr-concurrent N   SmartRecruiters concurrent requests per token (default 8)
  --taleez-rate N     Taleez requests per minute per secret (default 100; 0 = no limit)
  --specs DIR         folder of <vendor>/*.json OpenAPI files (default: the built-in copies of specs/)
  --fixtures DIR      folder of the HrFlow profile_*.json fixtures (default: the built-in copies of fixtures/hrflow)
  --quiet             do not log requests
  -h, --help          this help`;

export function parseArgs(argv: string[]): CliArgs | 'help' {
  const args: CliArgs = { port: DEFAULT_PORT, quiet: false };
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
        if (args.port > 65535) throw new Error(`${flag}: ${args.port} is not a port number (0 to 65535)`);
        break;
      case '--host': {
        const host = value();
        if (!LOOPBACK_HOSTS.has(host.toLowerCase())) {
          throw new Error(
            `--host ${host}: the sandbox listens on 127.0.0.1 only (its credentials are fixed and public, so it must not be reachable from other machines)`,
          );
        }
        break;
      }
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

/** What the sandbox prints once it listens: where each service is emulated, what to type, how to stop. */
export function describe(sb: Sandbox): string {
  const c = sb.credentials;
  const u = sb.urls;
  const samples = Object.keys(SANDBOX_PROFILE_ALIASES).join(', ');
  const row = (what: string, ...lines: string[]) => [`  ${what.padEnd(26)}${lines[0]}`, ...lines.slice(1).map((l) => `  ${''.padEnd(26)}${l}`)];
  const onDefaultPort = sb.port === DEFAULT_PORT;
  return [
    `HrFlow connectors sandbox on ${sb.url}: fake HrFlow.ai and ATS APIs with fixed test credentials (nothing leaves this machine).`,
    '',
    'Where each service is emulated, and what to type in its config node (credentials are never part of an imported flow):',
    ...row('HrFlow API account', `Base URL    ${u.hrflow}`, `API secret  ${c.hrflowApiKey}`, `User email  ${c.hrflowUser}`),
    ...row('', `profiles: source key ${SANDBOX_SOURCE_ALIAS} (or ${sb.sourceKey}), profile keys ${samples}`),
    ...row('SmartRecruiters account', `Base URL    ${u.smartrecruiters}`, `X-SmartToken  ${c.smartToken}`),
    ...row('Recruitee account', `Endpoint    ${u.recruitee} (custom URL)`, `Company id  ${c.recruiteeCompany}`, `API token   ${c.recruiteeToken}`),
    ...row(
      'Broadbean account',
      `Base URL    ${u.broadbean}`,
      `Source id   ${c.broadbeanSourceId}   Client id  ${c.broadbeanClientId}`,
      `Secret key  ${c.broadbeanSecret}`,
    ),
    ...row('Flatchr account', `Careers URL ${u.flatchr}`, `API URL     ${u.flatchrApi}`, `Company id  ${c.flatchrCompany}`, `API key     ${c.flatchrApiKey}`),
    ...row('Taleez account', `Base URL    ${u.taleez}`, `API secret  ${c.taleezSecret}`),
    '',
    'In Node-RED: Import → Examples → @hrflow-connectors/node-red → "Try it with the local sandbox".',
    onDefaultPort
      ? `  Its config nodes already point at ${sb.url}: type the credentials above in them, deploy, click the inject button.`
      : `  Its config nodes point at http://127.0.0.1:${DEFAULT_PORT}: change their URLs to ${sb.url}, or start the sandbox without --port.`,
    '  The sandbox serves CVs on 127.0.0.1, which the nodes refuse to download by default: the example drops them.',
    "  To push CVs too, set hrflowCvDownload: { allowPrivateAddresses: true } in Node-RED's settings.js.",
    '',
    `What each ATS received: open ${sb.url}/ in a browser (its Reset button clears it).`,
    `Admin API: GET ${sb.url}/__admin/state · POST ${sb.url}/__admin/reset · POST ${sb.url}/__admin/faults · POST ${sb.url}/__admin/webhooks (signed HrFlow webhooks; form: ${sb.url}/webhooks)`,
    'Stop: Ctrl-C (or SIGTERM).',
  ].join('\n');
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  let args: CliArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error(`sandbox: ${(e as Error).message}\n(--help lists the options)`);
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
