/**
 * Hostile inputs at run time, in a real Node-RED against the sandbox: msg overrides of the wrong kind on
 * every push node, ids that would move a request to another route, and the admin list endpoint against a
 * server whose answers are not the vendor's.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { allNodes, firstOf, helper, onTab } from '../helpers/red';
import { useSandbox } from '../helpers/sandbox';
import { profiles } from '../helpers/fixtures';
import { SANDBOX_VENDORS, type SandboxVendorId } from './push-common';

describe('hostile run-time inputs', function () {
  this.timeout(10_000);
  const ctx = useSandbox();
  afterEach(async () => {
    await helper.unload();
  });

  /** Each vendor's push target (smaller than the sandbox default) and the msg property that overrides it. */
  const vendors: Record<SandboxVendorId, { props: object; msgKey: string }> = {
    smartrecruiters: { props: { job_id: 'job-42' }, msgKey: 'job_id' },
    taleez: { props: { recruiter_id: '15886' }, msgKey: 'recruiter_id' },
    recruitee: { props: { offer_ids: '101' }, msgKey: 'offer_ids' },
    flatchr: { props: { vacancy: 'dev-backend-h-f' }, msgKey: 'vacancy' },
    broadbean: { props: { job_id: 'JOB-1' }, msgKey: 'job_id' },
  };

  async function loadPush(id: SandboxVendorId, props: object = {}) {
    const setup = SANDBOX_VENDORS[id];
    const v = vendors[id];
    await helper.load(
      allNodes,
      onTab([
        setup.account(ctx.sb),
        { id: 'push', type: setup.pushType, account: 'acc', timeout: 1000, retries: 0, retry_delay: 10, wires: [['out']], ...v.props, ...props },
        { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'out', type: 'helper' },
        { id: 'caught', type: 'helper' },
      ]),
      { acc: setup.accountCredentials(ctx.sb) },
    );
    return v;
  }

  for (const id of ['smartrecruiters', 'taleez', 'recruitee', 'flatchr', 'broadbean'] as const) {
    it(`${id}: a msg override of the wrong kind, or a message too deep, fails once with error.vendor "${id}"`, async () => {
      const v = await loadPush(id);
      let deep: Record<string, unknown> = {};
      const root = deep;
      for (let i = 0; i < 150; i++) deep = (deep.x = {}) as Record<string, unknown>;
      for (const extra of [{ [v.msgKey]: { a: 1 } }, { [v.msgKey]: true }, { [v.msgKey]: NaN }, { deep: root }]) {
        helper.getNode('push').receive({ payload: profiles.full(), ...extra });
        const got = await firstOf(['out', 'caught']);
        assert.equal(got.id, 'caught', JSON.stringify(Object.keys(extra)));
        assert.equal(got.msg.error_details.vendor, id, JSON.stringify(got.msg.error_details));
      }
    });
  }

  it('smartrecruiters: a job id ".." (which would move the request to another route) is INVALID_CONFIG of smartrecruiters, nothing sent', async () => {
    await loadPush('smartrecruiters', { upload_cv: false });
    helper.getNode('push').receive({ payload: profiles.full(), job_id: '..' });
    const got = await firstOf(['out', 'caught']);
    assert.equal(got.id, 'caught');
    assert.equal(got.msg.error.message.split(':')[0], 'INVALID_CONFIG');
    assert.equal(got.msg.error_details.vendor, 'smartrecruiters');
    assert.equal(ctx.sb.state.smartrecruiters.requests, 0);
  });

  it('admin lists: an oversized page (not the vendor\'s page size) gives at most 200 items, not a crash of the list code; list= (blank) is jobs', async () => {
    const trap = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ list: Array.from({ length: 200_000 }, (_, i) => ({ id: i + 1, label: `Job ${i + 1}` })), totalSize: 200_000 }));
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/api`;
      await helper.load(allNodes, onTab([{ id: 'acc', type: 'hrflow-taleez-config', name: 'trap', base_url: url }]), { acc: { x_taleez_api_secret: 'a-secret-value' } });
      for (const list of ['jobs', 'pools']) {
        const res = await helper.request().post('/hrflow-connectors/jobs/hrflow-taleez-config').send({ values: { x_taleez_api_secret: 'a-secret-value', base_url: url }, list }).expect(200);
        assert.equal(res.body.ok, true, JSON.stringify(res.body));
        assert.equal(res.body.items.length, 200);
      }
      const blank = await helper.request().get('/hrflow-connectors/jobs/hrflow-taleez-config').query({ account: 'acc', list: '' }).expect(200);
      assert.equal(blank.body.ok, true, JSON.stringify(blank.body));
      assert.equal(blank.body.items[0].id, '1');
    } finally {
      trap.closeAllConnections();
      await new Promise((resolve) => trap.close(resolve));
    }
  });
});
