/**
 * Issue 10, defect 1, with the real Node-RED CLI: a message whose profile nests 5,000 arrays deep,
 * failed by each node of ours with a Catch node in the flow, used to make Node-RED's message clone
 * overflow the stack and the process exit. Each node must answer it with one INVALID_INPUT, and the
 * runtime must stay up (a second click works the same).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/fixtures';
import { freePort } from '../helpers/net';

async function waitFor(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Our seven node types that take input; push nodes get an account but no job id / vacancy / recruiter. */
const UNDER_TEST: Array<Record<string, unknown>> = [
  { id: 'n-profile', type: 'hrflow-profile', api: 'api', source_key: 'k', profile_key: 'p' },
  { id: 'n-logic', type: 'hrflow-logic', logics: [], format_type: 'none' },
  { id: 'n-sr', type: 'hrflow-smartrecruiters', account: 'acc-sr', job_id: '' },
  { id: 'n-rc', type: 'hrflow-recruitee', account: 'acc-rc' },
  { id: 'n-bb', type: 'hrflow-broadbean', account: 'acc-bb', job_id: '' },
  { id: 'n-fl', type: 'hrflow-flatchr', account: 'acc-fl', vacancy: '' },
  { id: 'n-tz', type: 'hrflow-taleez', account: 'acc-tz', recruiter_id: '' },
];

function flows(): unknown[] {
  const deep = [
    'let v = ["bottom"]; for (let i = 0; i < 5000; i++) v = [v];',
    'msg.payload = { key: "deep", info: { first_name: "Deep", last_name: "Nest", email: "deep@example.com" }, tags: [{ name: "x", value: v }] };',
    'return msg;',
  ].join('\n');
  return [
    { id: 'tab', type: 'tab', label: 'deep' },
    { id: 'api', type: 'hrflow-api', base_url: 'http://127.0.0.1:9/v1' },
    { id: 'acc-sr', type: 'hrflow-smartrecruiters-config', base_url: 'http://127.0.0.1:9/sr' },
    { id: 'acc-rc', type: 'hrflow-recruitee-config', company_id: 'c', recruitee_endpoint: 'http://127.0.0.1:9/rc' },
    { id: 'acc-bb', type: 'hrflow-broadbean-config', source_id: 's', client_id: 'c', base_url: 'http://127.0.0.1:9/bb' },
    { id: 'acc-fl', type: 'hrflow-flatchr-config', company: 'c', careers_url: 'http://127.0.0.1:9/fl', base_url: 'http://127.0.0.1:9/fl' },
    { id: 'acc-tz', type: 'hrflow-taleez-config', base_url: 'http://127.0.0.1:9/tz' },
    // One builder per node: Node-RED clones a message for every extra wire, and would overflow there itself.
    { id: 'inj1', type: 'inject', z: 'tab', props: [], once: false, wires: [UNDER_TEST.map((n) => `build-${n.id}`)] },
    ...UNDER_TEST.map((n) => ({ id: `build-${n.id}`, type: 'function', z: 'tab', func: deep, outputs: 1, wires: [[n.id]] })),
    ...UNDER_TEST.map((n) => ({ z: 'tab', wires: [[]], ...n })),
    { id: 'catch1', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['report1']] },
    { id: 'report1', type: 'function', z: 'tab', outputs: 0, func: 'node.warn("CAUGHT " + msg.error.source.id + " " + msg.error.code); return null;', wires: [] },
  ];
}

describe('Node-RED CLI: a 5,000-deep message through every node of ours', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let output = '';
  let userDir = '';
  let editor = '';

  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-deep-'));
    const scope = path.join(userDir, 'node_modules', '@hrflow-connectors');
    fs.mkdirSync(scope, { recursive: true });
    fs.symlinkSync(repoRoot, path.join(scope, 'node-red'), 'dir');
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'deep-test', private: true }));
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows()));
    const port = await freePort();
    editor = `http://127.0.0.1:${port}`;
    const settings = path.join(userDir, 'settings.js');
    fs.writeFileSync(
      settings,
      `module.exports = { uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', credentialSecret: false,
        editorTheme: { tours: false }, telemetry: { enabled: false, updateNotification: false },
        diagnostics: { enabled: false, ui: false }, logging: { console: { level: 'info', metrics: false, audit: false } } };`,
    );
    const redJs = process.env.NODE_RED_PATH ? path.join(process.env.NODE_RED_PATH, 'red.js') : require.resolve('node-red/red.js', { paths: [repoRoot] });
    child = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', settings, '--port', String(port)], { cwd: userDir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    await waitFor('Node-RED to start its flows', () => /Started flows/.test(output), 45_000);
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  for (const round of [1, 2]) {
    it(`click ${round}: one INVALID_INPUT per node, and Node-RED stays up`, async () => {
      const before = output.length;
      const res = await fetch(`${editor}/inject/inj1`, { method: 'POST' });
      assert.equal(res.status, 200, output.slice(-3000));
      const caught = () => [...output.slice(before).matchAll(/CAUGHT (n-[a-z]+) (\w+)/g)].map((m) => `${m[1]} ${m[2]}`);
      await waitFor('every node to report', () => caught().length >= UNDER_TEST.length || child?.exitCode !== null, 20_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(child?.exitCode, null, `Node-RED exited:\n${output.slice(-1500)}`);
      assert.doesNotMatch(output, /Maximum call stack size exceeded/);
      assert.deepEqual(caught().sort(), UNDER_TEST.map((n) => `${n.id} INVALID_INPUT`).sort());
    });
  }
});
