/**
 * hrflow-webhook in a real Node-RED CLI (httpNodeRoot `/hooks`, core http in nodes loaded too): the sandbox
 * sends signed HrFlow webhooks; the flow webhook → hrflow-profile → hrflow-smartrecruiters creates each
 * candidate in the emulated ATS; a redelivery is answered as a duplicate and creates nothing; a bad signature
 * gets 401.
 */
import assert from 'node:assert/strict';
import { createSandbox, type Sandbox } from '../../src/sandbox';
import { SANDBOX_WEBHOOK_SECRET } from '../../src/sandbox/webhooks';
import { startCli, type Cli } from '../helpers/cli';
import { KEYS } from '../helpers/sandbox';

describe('e2e: hrflow-webhook in a real Node-RED', function () {
  this.timeout(90_000);
  let sb: Sandbox;
  let cli: Cli;

  before(async () => {
    sb = await createSandbox({ port: 0, quiet: true });
    const c = sb.credentials;
    const flows = [
      { id: 't1', type: 'tab', label: 'webhook' },
      { id: 'api', type: 'hrflow-api', name: 'HrFlow', base_url: sb.urls.hrflow },
      { id: 'sr', type: 'hrflow-smartrecruiters-config', name: 'SR', base_url: sb.urls.smartrecruiters },
      { id: 'wh', type: 'hrflow-webhook', z: 't1', path: '/hrflow/webhook', events: ['profile.parsing.success'], x: 100, y: 100, wires: [['rd']] },
      { id: 'rd', type: 'hrflow-profile', z: 't1', api: 'api', source_key: '', profile_key: '', timeout: 30000, x: 300, y: 100, wires: [['push']] },
      { id: 'push', type: 'hrflow-smartrecruiters', z: 't1', account: 'sr', job_id: 'job-webhook', upload_cv: false, on_duplicate: 'skip', timeout: 30000, retries: 3, retry_delay: 100, x: 500, y: 100, wires: [[]] },
      // A core http in route with a raw body beside it (its raw-body middleware must leave ours alone).
      { id: 'hin', type: 'http in', z: 't1', url: '/raw', method: 'post', skipBodyParsing: true, x: 100, y: 200, wires: [['hout']] },
      { id: 'hout', type: 'http response', z: 't1', statusCode: '204', x: 300, y: 200, wires: [] },
    ];
    cli = await startCli({
      name: 'hrflow-webhook-e2e',
      flows,
      credentials: { api: { api_secret: c.hrflowApiKey, api_user: c.hrflowUser }, sr: { x_smart_token: c.smartToken }, wh: { webhook_secret: SANDBOX_WEBHOOK_SECRET } },
      settings: { httpNodeRoot: '/hooks' },
    });
  });

  after(async () => {
    await cli?.stop();
    await sb?.close();
  });

  const send = async (order: Record<string, unknown>) => {
    const res = await fetch(`${sb.url}/__admin/webhooks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ url: `${cli.editor}/hooks/hrflow/webhook`, ...order }) });
    assert.equal(res.status, 200);
    return ((await res.json()) as { deliveries: Array<{ status: number; body: any }> }).deliveries;
  };

  it('signed events become candidates once; a redelivery creates nothing; a bad signature gets 401', async () => {
    const first = await send({ secret: SANDBOX_WEBHOOK_SECRET, events: ['profile.parsing.success'], profile_keys: [KEYS.full, KEYS.minimal] });
    assert.deepEqual(first.map((d) => [d.status, d.body.emitted]), [[200, 2]], JSON.stringify(first) + cli.output().slice(-1500));
    const state = sb.state as any;
    for (let i = 0; i < 300 && state.smartrecruiters.candidates.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(state.smartrecruiters.candidates.length, 2, cli.output().slice(-2000));
    // The same events again (older header, one request each): answered as duplicates, nothing emitted.
    const again = await send({ secret: SANDBOX_WEBHOOK_SECRET, events: ['profile.parsing.success'], profile_keys: [KEYS.full, KEYS.minimal], header: 'riminder', batch: false });
    assert.deepEqual(again.map((d) => [d.status, d.body.emitted, d.body.duplicates]), [[200, 0, 1], [200, 0, 1]]);
    // Another type is filtered out; a wrong secret is refused.
    const other = await send({ secret: SANDBOX_WEBHOOK_SECRET, events: ['profile.storing.update'], profile_keys: [KEYS.full] });
    assert.deepEqual(other.map((d) => [d.status, d.body.filtered]), [[200, 1]]);
    const bad = await send({ secret: 'not-the-secret', profile_keys: [KEYS.full] });
    assert.deepEqual(bad.map((d) => d.status), [401]);
    // The core raw-body route still works beside it.
    assert.equal((await fetch(`${cli.editor}/hooks/raw`, { method: 'POST', body: 'x' })).status, 204);
    assert.equal(state.smartrecruiters.candidates.length, 2);
  });
});
