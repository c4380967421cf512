/**
 * The admin endpoints of Test connection and the pickers are behind Node-RED's own permissions
 * (RED.auth.needsPermission): node-red-node-test-helper has no adminAuth, so this starts the real Node-RED
 * CLI with this package installed and two users: "viewer" (read) and "editor" (*).
 */
import assert from 'node:assert/strict';
import { startCli, type Cli } from '../helpers/cli';

describe('admin endpoints behind adminAuth (real Node-RED)', function () {
  this.timeout(60_000);
  let cli: Cli;
  let editor = '';

  before(async () => {
    cli = await startCli({ name: 'hrflow-nr-auth', flows: [{ id: 'acc', type: 'hrflow-taleez-config', name: 'x', base_url: 'http://127.0.0.1:9/taleez/0' }] });
    editor = cli.editor;
  });

  after(() => cli?.stop());

  const token = (username: string, scope: string) => cli.token(username, scope);

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
