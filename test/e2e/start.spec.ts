/**
 * The README's run command, as a user runs it: scripts/start.js starts the sandbox and the real
 * Node-RED CLI with this package linked in and the demo flow deployed. Clicking the demo's inject
 * (through the editor's admin API) must push to all five emulated ATS, once: a second click, and a click
 * after the sandbox's Reset, find every profile in the push ledger (nothing sent); a start on another
 * sandbox is another account and pushes again. Ctrl-C must stop both.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/fixtures';
import { freePort } from '../helpers/net';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
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
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

// The debug sidebar as the editor reads it (bench/lib/cli.js, shared with the SIGKILL test and the benchmark).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { debugSidebar } = require(path.join(repoRoot, 'bench', 'lib', 'cli.js')) as {
  debugSidebar: (editor: string) => Promise<{ count: (id: string) => number; msgs: (id: string) => Array<{ msg: unknown }>; close: () => void }>;
};

describe('npm start (scripts/start.js): Node-RED + sandbox + demo flow', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let output = '';
  let userDir = '';
  let editor = '';
  let sandbox = '';

  /** `npm start` (without the build step) on fresh ports, in `userDir`. */
  async function start(): Promise<void> {
    const [port, sandboxPort] = [await freePort(), await freePort()];
    editor = `http://127.0.0.1:${port}`;
    sandbox = `http://127.0.0.1:${sandboxPort}`;
    output = '';
    child = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'start.js'), '--port', String(port), '--sandbox-port', String(sandboxPort), '--user-dir', userDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    // The addresses are printed once both servers answer.
    await waitFor('Node-RED to start its flows and the addresses', async () => (/Started flows/.test(output) && /Sandbox page/.test(output) ? true : undefined), 45_000);
  }

  const ATS = ['smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez'];

  /** Refusals other than 429 (a rate limit the node waits out and retries, as a user's flow would). */
  const refusals = (vendor: Record<string, any>) => (vendor?.rejections ?? []).filter((r: any) => r.status !== 429);

  /**
   * Click the demo's inject button and wait until every push of that click has reached the "pushed" or the
   * "errors" debug node (3 sample profiles × 5 ATS), as the user sees it in the debug sidebar. Resolves the
   * sandbox state then, the errors shown, and the lines the "pushed" debug node showed.
   */
  async function pushDemo(): Promise<{ state: Record<string, any>; errors: string[]; pushed: string[] }> {
    const sidebar = await debugSidebar(editor);
    try {
      const res = await fetch(`${editor}/inject/demo-inject`, { method: 'POST' });
      assert.equal(res.status, 200);
      await waitFor(
        'every push of the click in the debug sidebar',
        async () => (sidebar.count('demo-debug-pushed') + sidebar.count('demo-debug-errors') >= 15 ? true : undefined),
        30_000,
      );
      const s = (await (await fetch(`${sandbox}/__admin/state`)).json()) as Record<string, any>;
      return { state: s.vendors ?? s, errors: sidebar.msgs('demo-debug-errors').map((m) => String(m.msg)), pushed: sidebar.msgs('demo-debug-pushed').map((m) => String(m.msg)) };
    } finally {
      sidebar.close();
    }
  }

  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-nr-'));
    await start();
  });

  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('prints the two addresses', () => {
    assert.match(output, new RegExp(`Node-RED editor : ${editor}/`));
    assert.match(output, new RegExp(`Sandbox page    : ${sandbox}/`));
  });

  it('loads every node type of the package and lists its examples', async () => {
    const nodes = (await (await fetch(`${editor}/nodes`, { headers: { Accept: 'application/json' } })).json()) as Array<{ module: string; types: string[]; enabled: boolean }>;
    const ours = nodes.filter((n) => n.module === '@hrflow-connectors/node-red');
    const types = ours.flatMap((n) => n.types).sort();
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    assert.deepEqual(types, Object.keys(pkg['node-red'].nodes).sort());
    assert.ok(ours.every((n) => n.enabled));
    const examples = (await (await fetch(`${editor}/library/examples/flows/@hrflow-connectors/node-red`)).json()) as Array<{ fn?: string }>;
    const names = examples.map((e) => e.fn).sort();
    const shipped = fs.readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
    assert.deepEqual(names, shipped, 'Import → Examples lists every shipped example');
  });

  it('serves a flow with no credential values in it', async () => {
    const text = await (await fetch(`${editor}/flows`)).text();
    assert.match(text, /HrFlow demo \(sandbox\)/);
    for (const secret of ['sandbox-smart-token', 'sandbox-recruitee-token', 'sandbox-broadbean-secret', 'sandbox-flatchr-key', 'sandbox-taleez-secret', 'ask_sandbox_']) {
      assert.ok(!text.includes(secret), `${secret} leaked into the flows`);
    }
    const creds = fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8');
    assert.ok(!/sandbox-(smart|recruitee|broadbean|flatchr|taleez)/.test(creds), 'credentials are ${ENV} references');
  });

  /** The vendor/candidate id of each line of the "pushed" debug node (its msg.topic), sorted. */
  const topics = (lines: string[]) => lines.map((l) => /: (\S+) \(write-back: /.exec(l)?.[1] ?? l).sort();
  /** What the first click created, as the "pushed" debug node showed it. */
  let created: string[] = [];

  it('pushes the sample profiles to all five emulated ATS when the inject is clicked', async () => {
    const { state, errors, pushed } = await pushDemo();
    assert.deepEqual(errors, []);
    for (const v of ATS) assert.equal(state[v].candidates.length, 3, v);
    assert.equal(pushed.length, 15, pushed.join('\n'));
    for (const line of pushed) assert.match(line, /^pushed: (smartrecruiters|recruitee|broadbean|flatchr|taleez)\/\S+ \(write-back: created\)$/);
    created = topics(pushed);
    assert.equal(new Set(created).size, 15, 'one candidate per profile and ATS');
    const page = await (await fetch(`${sandbox}/`)).text();
    assert.match(page, /SmartRecruiters/);
  });

  it('a second click sends nothing: every profile is already pushed (the push ledger), no new candidate, nothing refused', async () => {
    const { state, errors, pushed } = await pushDemo();
    assert.deepEqual(errors, [], 'the debug sidebar shows no error');
    for (const v of ATS) {
      assert.deepEqual(refusals(state[v]).map((r: any) => `${r.status} ${r.reason}`), [], `${v} refused a request`);
      assert.equal(state[v].candidates.length, 3, v);
    }
    assert.equal(pushed.length, 15, pushed.join('\n'));
    // Each line names the candidate the first click created; the write-back finds its record on the profile.
    for (const line of pushed) assert.match(line, /^already pushed, nothing sent: \S+ \(write-back: unchanged\)$/);
    assert.deepEqual(topics(pushed), created);
  });

  it('the sandbox page lists the ATS first, and its Reset button clears what they received, not the push ledger', async () => {
    const page = await (await fetch(`${sandbox}/`)).text();
    assert.ok(page.indexOf('id="smartrecruiters"') < page.indexOf('id="hrflow"'), 'ATS sections before the HrFlow profiles');
    assert.match(page, /<form[^>]*method="post"[^>]*action="\/__admin\/reset"/);
    assert.match(page, /not the push ledger/, 'the page says what Reset does not clear');
    const res = await fetch(`${sandbox}/__admin/reset`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: sandbox },
      body: '',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
    const s = (await (await fetch(`${sandbox}/__admin/state`)).json()) as Record<string, any>;
    for (const v of ATS) assert.equal(s[v].candidates.length, 0, v);
    // The ledger in Node-RED's user directory still knows every profile as pushed: nothing is sent again.
    const { state, errors, pushed } = await pushDemo();
    assert.deepEqual(errors, []);
    for (const v of ATS) {
      assert.deepEqual(refusals(state[v]), [], v);
      assert.equal(state[v].candidates.length, 0, v);
    }
    assert.equal(pushed.length, 15, pushed.join('\n'));
    for (const line of pushed) assert.match(line, /^already pushed, nothing sent: /);
    assert.deepEqual(topics(pushed), created);
  });

  it('stops cleanly on Ctrl-C', async () => {
    const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
    child?.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 15_000))]);
    assert.equal(code, 0, output.slice(-2000));
    await assert.rejects(fetch(`${editor}/`), 'the editor port is closed');
    await assert.rejects(fetch(`${sandbox}/`), 'the sandbox port is closed');
  });

  it('a second start on other ports re-points the saved demo flow at the new sandbox: another account for the ledger, pushed again', async () => {
    const oldSandbox = sandbox;
    await start();
    assert.notEqual(sandbox, oldSandbox);
    assert.match(output, /config node URL\(s\) of the saved flows re-pointed at the sandbox/);
    const { state, errors, pushed } = await pushDemo();
    assert.deepEqual(errors, []);
    for (const v of ATS) assert.equal(state[v].candidates.length, 3, v);
    assert.equal(pushed.length, 15, pushed.join('\n'));
    for (const line of pushed) assert.match(line, /^pushed: \S+ \(write-back: created\)$/);
    const exited = new Promise((r) => child?.once('exit', r));
    child?.kill('SIGINT');
    await exited;
  });
});
