/**
 * "Try it after a palette install", as a user does it, from the package npm would publish:
 * `npm pack` the built repository, install the tarball with its runtime dependencies only into an empty
 * Node-RED user directory (what the palette manager does), then
 * - the tarball holds the sandbox (with its vendor specs as JSON), the bin, the examples and the node files,
 *   and no test or bench file; no shipped file requires a package that is not a runtime dependency;
 * - `npx @hrflow-connectors/node-red` in that directory runs the package's bin;
 * - the bin's `sandbox` command starts the emulator and prints the credentials to type;
 * - a real Node-RED (default settings: no hrflowCvDownload) with that user directory lists the example
 *   "Try it with the local sandbox"; deployed with the printed credentials typed into its config nodes, one
 *   click pushes the sample profile to every emulated ATS it has;
 * - SIGTERM stops the sandbox (exit code 0, port closed).
 *
 * The install uses `npm install --omit=dev --prefer-offline <tarball>`: the runtime dependencies come from
 * npm's cache when `npm ci` has put them there (as in CI), else from the registry.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/fixtures';
import { freePort } from '../helpers/net';

const run = promisify(execFile);
const PKG_NAME = '@hrflow-connectors/node-red';
const EXAMPLE = 'Try it with the local sandbox';
/** The address the example's config nodes point at (the sandbox's default port). */
const EXAMPLE_SANDBOX = 'http://127.0.0.1:8790';

/** The environment of a user's shell: none of the npm_* variables `npm test` sets, no NODE_PATH. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_PATH' && k !== 'NODE_OPTIONS') env[k] = v;
  return env;
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env: userEnv(), maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms: number, output?: () => string): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}${output ? `\n${output().slice(-3000)}` : ''}`);
}

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(cmd: string, args: string[], cwd: string): Proc {
  const child = spawn(cmd, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function stop(p: Proc | undefined): Promise<void> {
  if (p && p.child.exitCode === null && p.child.signalCode === null) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
}

/** Every `require('x')` of a shipped .js file whose x is a package (not relative, not a Node built-in). */
function requiredPackages(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const builtins = new Set(builtinModules);
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) {
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
          const spec = m[1].replace(/^node:/, '');
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
          if (!builtins.has(name) && !builtins.has(spec)) found.set(name, path.relative(dir, p));
        }
      }
    }
  };
  walk(dir);
  return found;
}

describe('the published package: install from the tarball, run the sandbox bin, try the example', function () {
  this.timeout(60_000);
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  let tmp = '';
  let tarball = '';
  let files: string[] = [];
  let userDir = '';
  let installed = '';
  let sandbox: Proc | undefined;
  let red: Proc | undefined;
  let sandboxUrl = '';

  before(async function () {
    this.timeout(120_000);
    assert.ok(fs.existsSync(path.join(repoRoot, 'dist', 'src', 'sandbox', 'cli.js')), 'run `npm run build` first');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-pack-'));
    // --ignore-scripts: prepack would rebuild dist/ while these tests run from it; `npm test` has just built it.
    const packed = JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], repoRoot)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = path.join(tmp, path.basename(packed[0].filename));
    files = packed[0].files.map((f) => f.path);
    userDir = path.join(tmp, 'node-red-user');
    fs.mkdirSync(userDir);
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
    await npm(['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], userDir);
    installed = path.join(userDir, 'node_modules', ...PKG_NAME.split('/'));
  });

  after(async () => {
    await stop(sandbox);
    await stop(red);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the tarball holds the bin, the sandbox with its specs as JSON, the examples and the node files, and no test or bench file', () => {
    const has = (f: string) => files.includes(f);
    for (const [name, bin] of Object.entries(pkg.bin as Record<string, string>)) assert.ok(has(bin.replace(/^\.\//, '')), `bin ${name}: ${bin}`);
    for (const f of ['dist/src/index.js', 'dist/src/sandbox/index.js', 'dist/src/sandbox/cli.js', 'README.md', 'LICENSE']) assert.ok(has(f), f);
    for (const vendor of fs.readdirSync(path.join(repoRoot, 'specs'), { withFileTypes: true }).filter((e) => e.isDirectory())) {
      for (const yaml of fs.readdirSync(path.join(repoRoot, 'specs', vendor.name)).filter((n) => /\.ya?ml$/.test(n))) {
        const json = `dist/src/sandbox/specs/${vendor.name}/${yaml.replace(/\.ya?ml$/, '.json')}`;
        assert.ok(has(json), json);
      }
    }
    assert.ok(files.some((f) => /^dist\/src\/sandbox\/fixtures\/hrflow\/profile_[\w.]+\.json$/.test(f)), 'the sample profiles');
    for (const ex of fs.readdirSync(path.join(repoRoot, 'examples'))) assert.ok(has(`examples/${ex}`), `examples/${ex}`);
    for (const [type, file] of Object.entries(pkg['node-red'].nodes as Record<string, string>)) {
      assert.ok(has(file), `${type}: ${file}`);
      assert.ok(has(file.replace(/\.js$/, '.html')), `${type}: its editor HTML`);
      for (const lang of ['en-US', 'fr']) {
        for (const ext of ['json', 'html']) assert.ok(has(`dist/nodes/locales/${lang}/${type}.${ext}`), `${type}: its ${lang} ${ext === 'json' ? 'catalogue' : 'help'}`);
      }
    }
    for (const icon of fs.readdirSync(path.join(repoRoot, 'icons'))) assert.ok(has(`dist/nodes/icons/${icon}`), `icon ${icon}`);
    // The editor generator (dist/nodes/editor) runs at build time only.
    const devOnly = files.filter((f) => /(^|\/)(test|bench|fixtures\/hrflow\/[^/]*\.md|\.ci)(\/|$)|\.spec\.|\.ts$(?<!\.d\.ts)|^specs\/|^scripts\/|^dist\/nodes\/editor\//.test(f));
    assert.deepEqual(devOnly, []);
  });

  it('the installed package needs its runtime dependencies only (no devDependency is required by a shipped file)', () => {
    const deps = new Set([pkg.name, ...Object.keys(pkg.dependencies ?? {})]);
    const needed = requiredPackages(installed);
    const missing = [...needed].filter(([name]) => !deps.has(name)).map(([name, file]) => `${name} (${file})`);
    assert.deepEqual(missing, []);
    assert.ok(!fs.existsSync(path.join(userDir, 'node_modules', 'js-yaml')), 'js-yaml is not installed');
    assert.ok(!fs.existsSync(path.join(userDir, 'node_modules', 'node-red')), 'node-red is not installed');
  });

  it('`npx @hrflow-connectors/node-red` in the Node-RED user directory runs the package bin', async () => {
    const { stdout } = await run('npx', [PKG_NAME, '--help'], { cwd: userDir, env: userEnv() });
    assert.match(stdout, /sandbox\s+start fake HrFlow\.ai and ATS APIs/);
  });

  it('the sandbox refuses a host that is not loopback', async () => {
    const bin = path.join(userDir, 'node_modules', '.bin', 'hrflow-connectors');
    const p = start(process.execPath, [bin, 'sandbox', '--host', '0.0.0.0', '--port', '0'], userDir);
    assert.equal(await p.exited, 2);
    assert.match(p.output(), /--host 0\.0\.0\.0: the sandbox listens on 127\.0\.0\.1 only/);
  });

  it('`sandbox --port N` starts the emulator from the installed package and prints where each vendor is and what to type', async () => {
    const port = await freePort();
    sandboxUrl = `http://127.0.0.1:${port}`;
    // The file npx runs: node_modules/.bin/hrflow-connectors (run with this Node, so SIGTERM reaches it directly).
    sandbox = start(process.execPath, [path.join(userDir, 'node_modules', '.bin', 'hrflow-connectors'), 'sandbox', '--port', String(port), '--quiet'], userDir);
    const s = sandbox;
    await waitFor('the sandbox to print its addresses', async () => (/Stop: Ctrl-C/.test(s.output()) ? true : undefined), 20_000, s.output);
    const out = s.output();
    assert.match(out, new RegExp(`on ${sandboxUrl}:`));
    for (const url of ['/v1', '/smartrecruiters', '/recruitee/c', '/broadbean', '/flatchr/careers', '/flatchr/api', '/taleez/0']) {
      assert.ok(out.includes(`${sandboxUrl}${url}`), `prints ${url}`);
    }
    assert.match(out, new RegExp(`Import → Examples → ${PKG_NAME} → "${EXAMPLE}"`));
    assert.match(out, /change their URLs to/, 'on another port than the example, says what to change');
    const page = await fetch(`${sandboxUrl}/`);
    assert.equal(page.status, 200);
    const refused = await fetch(`${sandboxUrl}/smartrecruiters/jobs/demo-job-1/candidates`, { method: 'POST', headers: { 'X-SmartToken': 'wrong' }, body: '{}' });
    assert.equal(refused.status, 401, 'a wrong token is refused');
  });

  it('Node-RED with the installed package lists the example; deployed with the printed credentials, one click pushes to every ATS of it', async function () {
    if (!sandbox) this.skip();
    const out = sandbox.output();
    const typed = (label: string): string => {
      const m = new RegExp(`${label}\\s+(\\S+)`).exec(out);
      assert.ok(m, `the sandbox prints "${label}"`);
      return m[1];
    };
    const port = await freePort();
    const editor = `http://127.0.0.1:${port}`;
    const settings = path.join(userDir, 'settings.js');
    // Node-RED's defaults, loopback only: no hrflowCvDownload (CVs on 127.0.0.1 are refused, as for a palette user).
    fs.writeFileSync(
      settings,
      `module.exports = { uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', credentialSecret: false,
        editorTheme: { tours: false }, telemetry: { enabled: false, updateNotification: false }, diagnostics: { enabled: false },
        logging: { console: { level: 'warn', metrics: false, audit: false } } };\n`,
    );
    const redJs = process.env.NODE_RED_PATH ? path.join(process.env.NODE_RED_PATH, 'red.js') : require.resolve('node-red/red.js', { paths: [repoRoot] });
    red = start(process.execPath, [redJs, '--userDir', userDir, '--settings', settings, '--port', String(port)], userDir);
    const r = red;
    await waitFor('Node-RED to answer', async () => ((await fetch(`${editor}/settings`)).ok ? true : undefined), 30_000, r.output);

    const nodes = (await (await fetch(`${editor}/nodes`, { headers: { Accept: 'application/json' } })).json()) as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
    const ours = nodes.filter((n) => n.module === PKG_NAME);
    assert.deepEqual(ours.filter((n) => n.err).map((n) => n.err), [], 'every node file loads');
    assert.deepEqual(ours.flatMap((n) => n.types).sort(), Object.keys(pkg['node-red'].nodes).sort());

    const listed = (await (await fetch(`${editor}/library/examples/flows/${PKG_NAME}`)).json()) as Array<{ fn?: string }>;
    assert.ok(listed.some((e) => e.fn === EXAMPLE), `Import → Examples lists "${EXAMPLE}": ${JSON.stringify(listed)}`);
    const res = await fetch(`${editor}/library/examples/flows/${PKG_NAME}/${encodeURIComponent(EXAMPLE)}`);
    assert.equal(res.status, 200);
    const flow = JSON.parse(await res.text()) as Array<Record<string, any>>;

    // What the user does: the sandbox runs on another port here, so the URLs are changed; then the printed
    // credentials are typed into the config nodes, and the flow is deployed.
    const typedCredentials: Record<string, Record<string, string>> = {
      'hrflow-api': { api_secret: typed('API secret'), api_user: typed('User email') },
      'hrflow-smartrecruiters-config': { x_smart_token: typed('X-SmartToken') },
      'hrflow-recruitee-config': { api_token: typed('API token') },
      'hrflow-broadbean-config': { secret_key: typed('Secret key') },
      'hrflow-flatchr-config': { auth: typed('API key') },
      'hrflow-taleez-config': { x_taleez_api_secret: /Taleez account[\s\S]*?API secret\s+(\S+)/.exec(out)?.[1] ?? '' },
    };
    const deployed = flow.map((n) => {
      const copy = JSON.parse(JSON.stringify(n).split(EXAMPLE_SANDBOX).join(sandboxUrl));
      if (typedCredentials[n.type]) copy.credentials = typedCredentials[n.type];
      return copy;
    });
    const deploy = await fetch(`${editor}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(deployed),
    });
    assert.ok(deploy.status === 200 || deploy.status === 204, `deploy: ${deploy.status} ${await deploy.text()}`);

    const inject = flow.find((n) => n.type === 'inject');
    assert.ok(inject);
    const vendors = [...new Set(flow.filter((n) => /^hrflow-(smartrecruiters|recruitee|broadbean|flatchr|taleez)$/.test(n.type)).map((n) => n.type.slice('hrflow-'.length)))];
    assert.ok(vendors.length >= 3, `the example pushes to several ATS: ${vendors}`);
    assert.equal((await fetch(`${sandboxUrl}/__admin/reset`, { method: 'POST' })).status, 200, 'sandbox reset (forgets the wrong-token probe above)');
    await waitFor('the deployed flow to start', async () => ((await fetch(`${editor}/inject/${inject.id}`, { method: 'POST' })).status === 200 ? true : undefined), 10_000, r.output);
    const state = await waitFor(
      'a candidate in every ATS of the example',
      async () => {
        const s = (await (await fetch(`${sandboxUrl}/__admin/state`)).json()) as Record<string, any>;
        return vendors.every((v) => s[v]?.candidates?.length === 1) ? s : undefined;
      },
      20_000,
      r.output,
    );
    for (const v of vendors) {
      assert.deepEqual((state[v].rejections ?? []).filter((x: any) => x.status !== 429), [], `${v} refused nothing`);
    }
    assert.doesNotMatch(r.output(), /\[error\]/, 'Node-RED logged no error');
  });

  it('SIGTERM stops the sandbox: exit code 0, port closed', async function () {
    if (!sandbox) this.skip();
    sandbox.child.kill('SIGTERM');
    const code = await Promise.race([sandbox.exited, new Promise<string>((r) => setTimeout(() => r('still running after 10 s'), 10_000))]);
    assert.equal(code, 0, sandbox.output().slice(-2000));
    await assert.rejects(fetch(`${sandboxUrl}/`), 'the port is closed');
  });
});
