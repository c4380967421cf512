/**
 * The admin endpoints of Test connection and the pickers are behind Node-RED's own permissions
 * (RED.auth.needsPermission): node-red-node-test-helper has no adminAuth, so this starts the real Node-RED
 * CLI with this package installed and two users: "viewer" (read) and "editor" (*).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/fixtures';
import { freePort } from '../helpers/net';

const PASSWORD = 'correct horse battery staple';

describe('admin endpoints behind adminAuth (real Node-RED)', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let output = '';
  let userDir = '';
  let editor = '';

  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-nr-auth-'));
    const scope = path.join(userDir, 'node_modules', '@hrflow-connectors');
    fs.mkdirSync(scope, { recursive: true });
    fs.symlinkSync(repoRoot, path.join(scope, 'node-red'), 'dir');
    const redJs = process.env.NODE_RED_PATH ? path.join(process.env.NODE_RED_PATH, 'red.js') : require.resolve('node-red/red.js', { paths: [repoRoot] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bcrypt = require(require.resolve('bcryptjs', { paths: [path.dirname(redJs), repoRoot] }));
    const hash = bcrypt.hashSync(PASSWORD, 4);
    const port = await freePort();
    editor = `http://127.0.0.1:${port}`;
    fs.writeFileSync(
      path.join(userDir, 'settings.js'),
      `module.exports = ${JSON.stringify({
        uiHost: '127.0.0.1',
        uiPort: port,
        flowFile: 'flows.json',
        credentialSecret: false,
        editorTheme: { projects: { enabled: false }, tours: false },
        telemetry: { enabled: false, updateNotification: false },
        diagnostics: { enabled: false, ui: false },
        logging: { console: { level: 'info', metrics: false, audit: false } },
        adminAuth: {
          type: 'credentials',
          users: [
            { username: 'viewer', password: hash, permissions: 'read' },
            { username: 'editor', password: hash, permissions: '*' },
          ],
        },
      })};\n`,
    );
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify([{ id: 'acc', type: 'hrflow-taleez-config', name: 'x', base_url: 'http://127.0.0.1:9/taleez/0' }]));
    child = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js'), '--port', String(port)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const end = Date.now() + 45_000;
    while (!/Started flows/.test(output)) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`Node-RED did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  async function token(username: string, scope: string): Promise<string> {
    const res = await fetch(`${editor}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'node-red-editor', grant_type: 'password', scope, username, password: PASSWORD }),
    });
    assert.equal(res.status, 200, `no token for ${username}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  const call = (method: 'GET' | 'POST', url: string, bearer?: string) =>
    fetch(`${editor}${url}`, {
      method,
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: method === 'POST' ? JSON.stringify({ id: 'acc', values: { x_taleez_api_secret: '__PWRD__', base_url: 'http://127.0.0.1:9/taleez/0' } }) : undefined,
    });

  it('refuses anonymous calls and a user without the permission (401); lets the permitted ones through', async () => {
    const viewer = await token('viewer', 'read');
    const admin = await token('editor', '*');
    const test = '/hrflow-connectors/test/hrflow-taleez-config';
    const jobs = '/hrflow-connectors/jobs/hrflow-taleez-config';

    assert.equal((await call('POST', test)).status, 401);
    assert.equal((await call('GET', `${jobs}?account=acc`)).status, 401);
    assert.equal((await call('POST', jobs)).status, 401);
    // read may list the deployed account's jobs, not test typed values nor send them anywhere.
    assert.equal((await call('POST', test, viewer)).status, 401);
    assert.equal((await call('POST', jobs, viewer)).status, 401);
    const listed = await call('GET', `${jobs}?account=acc`, viewer);
    assert.notEqual(listed.status, 401);
    assert.ok([200, 404].includes(listed.status), String(listed.status));

    const tested = await call('POST', test, admin);
    assert.ok([200, 404].includes(tested.status), String(tested.status));
    const body = (await tested.json()) as { ok: boolean };
    assert.equal(body.ok, false); // port 9: nothing answers (or the type has no description yet)
    // Node-RED is still up.
    assert.equal((await call('GET', '/hrflow-connectors/jobs/hrflow-nope-config?account=acc', admin)).status, 404);
  });
});
