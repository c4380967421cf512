/**
 * The push ledger (issue 12) in a real Node-RED runtime against the sandbox, for every vendor: a profile
 * pushed again to the same target of the same account is not created twice; on_duplicate's three modes;
 * a failed push is not counted; another target is another push. Candidates are counted in the sandbox.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LevelLedgerStore } from '../../src/push/ledger-store';
import type { Sandbox } from '../../src/sandbox';
import { HrflowClient, MemoryLedgerStore, PushLedger, pushProfile, smartrecruiters } from '../../src';
import { allNodes, helper, testSettings } from '../helpers/red';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';
import { buildFlow, load, runAll, sandboxVendor, type VendorUnderTest } from './push-common';

interface LedgerVendor {
  v: VendorUnderTest;
  /** The msg property naming the target, and another target's value. */
  otherTarget: Record<string, unknown>;
  /** The vendor refuses the same e-mail twice (Taleez): a second push is a VENDOR_REJECTED, not a second candidate. */
  uniqueEmail?: boolean;
}

const VENDORS: LedgerVendor[] = [
  { v: sandboxVendor('smartrecruiters'), otherTarget: { job_id: 'job-43' } },
  { v: sandboxVendor('recruitee'), otherTarget: { offer_ids: [303] } },
  { v: sandboxVendor('broadbean'), otherTarget: { job_id: 'JOB-2' } },
  { v: sandboxVendor('flatchr'), otherTarget: { vacancy: 'demo-developer-h-f' } },
  { v: sandboxVendor('taleez'), otherTarget: { job_id: 102 }, uniqueEmail: true },
];

const run1 = async (m: Record<string, unknown>) => (await runAll([m]))[0];
const errorText = (o: { msg: any }) => JSON.stringify(o.msg.error ?? o.msg.error_details ?? '').slice(0, 300);

describe('flow: the push ledger, for every vendor', function () {
  this.timeout(20_000);
  const ctx = useSandbox();
  afterEach(async () => {
    await helper.unload();
    helper.settings(testSettings);
  });

  for (const { v, otherTarget, uniqueEmail } of VENDORS) {
    describe(v.id, () => {
      const state = () => (ctx.sb.state as any)[v.id];
      const loadWith = (push: Record<string, unknown> = {}) => load(ctx.sb, v, { push });

      it('the same profile twice: one create, the second goes out with msg.already_pushed and the recorded id', async () => {
        await loadWith();
        const first = await run1({ profile_key: KEYS.full });
        assert.equal(first.id, 'out', errorText(first));
        assert.equal(first.msg.already_pushed, undefined);
        const requests = state().requests;
        const second = await run1({ profile_key: KEYS.full });
        assert.equal(second.id, 'out', errorText(second));
        assert.equal(second.msg.already_pushed, true);
        assert.equal(String(second.msg.candidate_id), String(first.msg.candidate_id));
        assert.equal(second.msg.vendor, v.id);
        assert.equal(second.msg.topic, `${v.id}/${first.msg.candidate_id}`);
        assert.equal(state().candidates.length, 1, 'one candidate');
        assert.equal(state().requests, requests, 'nothing sent for the duplicate');
      });

      it('ten copies at once: one create, nine already_pushed with its id', async () => {
        await loadWith();
        const outcomes = await runAll(Array.from({ length: 10 }, () => ({ profile_key: KEYS.full })));
        assert.deepEqual(outcomes.map((o) => o.id), Array(10).fill('out'), outcomes.map(errorText).join('\n'));
        const pushed = outcomes.filter((o) => !o.msg.already_pushed);
        assert.equal(pushed.length, 1, 'one push');
        assert.equal(state().candidates.length, 1, 'one candidate at the vendor');
        for (const o of outcomes) assert.equal(String(o.msg.candidate_id), String(pushed[0].msg.candidate_id));
      });

      it('on_duplicate error: ALREADY_PUSHED, caught, with the candidate id', async () => {
        await loadWith({ on_duplicate: 'error' });
        const first = await run1({ profile_key: KEYS.full });
        assert.equal(first.id, 'out', errorText(first));
        const second = await run1({ profile_key: KEYS.full });
        assert.equal(second.id, 'caught');
        assert.equal(second.msg.error.code, 'ALREADY_PUSHED');
        assert.equal(second.msg.error.source.id, 'push');
        assert.equal(String(second.msg.candidate_id), String(first.msg.candidate_id));
        assert.equal(String(second.msg.error_details.candidateId), String(first.msg.candidate_id));
        assert.equal(state().candidates.length, 1);
      });

      it('on_duplicate push: pushed again', async () => {
        await loadWith({ on_duplicate: 'push' });
        const first = await run1({ profile_key: KEYS.full });
        assert.equal(first.id, 'out', errorText(first));
        const requests = state().requests;
        const second = await run1({ profile_key: KEYS.full });
        assert.ok(state().requests > requests, 'the second push reached the vendor');
        if (uniqueEmail) {
          assert.equal(second.id, 'caught');
          assert.equal(second.msg.error.code, 'VENDOR_REJECTED', 'the vendor itself refuses the same e-mail');
          assert.equal(state().candidates.length, 1);
        } else {
          assert.equal(second.id, 'out', errorText(second));
          assert.equal(second.msg.already_pushed, undefined);
          assert.equal(state().candidates.length, 2, 'two creates');
        }
      });

      it('another target is another push', async () => {
        await loadWith();
        const first = await run1({ profile_key: KEYS.full });
        assert.equal(first.id, 'out', errorText(first));
        const requests = state().requests;
        const second = await run1({ profile_key: KEYS.full, ...otherTarget });
        assert.ok(state().requests > requests, 'the push to the other target reached the vendor');
        if (uniqueEmail) {
          assert.equal(second.id, 'caught');
          assert.equal(second.msg.error.code, 'VENDOR_REJECTED');
        } else {
          assert.equal(second.id, 'out', errorText(second));
          assert.equal(second.msg.already_pushed, undefined);
          assert.equal(state().candidates.length, 2);
        }
      });

      it('a failed push is not counted: the next copy pushes', async () => {
        await loadWith();
        ctx.sb.setFault(v.id, { mode: 'status', status: 400, count: 1, body: { message: 'refused once' } });
        const first = await run1({ profile_key: KEYS.full });
        assert.equal(first.id, 'caught');
        assert.equal(first.msg.error.code, 'VENDOR_REJECTED');
        assert.equal(state().candidates.length, 0);
        const second = await run1({ profile_key: KEYS.full });
        assert.equal(second.id, 'out', errorText(second));
        assert.equal(second.msg.already_pushed, undefined);
        assert.equal(state().candidates.length, 1);
      });
    });
  }

  it('two push nodes of one account and target share the ledger: one create per profile', async () => {
    const v = VENDORS[0].v;
    const { nodes, credentials } = buildFlow(ctx.sb, v);
    const push = nodes.find((n) => n.id === 'push')!;
    nodes.find((n) => n.id === 'logic')!.wires = [['push', 'push2'], ['filtered']];
    nodes.push({ ...push, id: 'push2', name: 'second node' });
    await helper.load(allNodes, nodes, credentials);
    // Two profiles, each to both nodes: four outcomes (runAll waits for them), two creates.
    const outcomes = await runAll([{ profile_key: KEYS.full }, { profile_key: KEYS.minimal }], 8000, 4);
    assert.deepEqual(outcomes.map((o) => o.id), ['out', 'out', 'out', 'out'], outcomes.map(errorText).join('\n'));
    assert.equal(outcomes.filter((o) => o.msg.already_pushed).length, 2);
    assert.equal((ctx.sb.state as any).smartrecruiters.candidates.length, 2);
  });

  it('hrflowLedger: false turns it off: every copy is pushed', async () => {
    helper.settings({ ...testSettings, hrflowLedger: false });
    const v = VENDORS[0].v;
    await load(ctx.sb, v);
    const first = await run1({ profile_key: KEYS.full });
    const second = await run1({ profile_key: KEYS.full });
    assert.equal(first.id, 'out', errorText(first));
    assert.equal(second.id, 'out', errorText(second));
    assert.equal(second.msg.already_pushed, undefined);
    assert.equal((ctx.sb.state as any).smartrecruiters.candidates.length, 2);
  });

  it('is durable in the user directory: the push is in the LevelDB ledger, and a later copy is skipped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-ledger-flow-'));
    helper.settings({ ...testSettings, userDir: dir });
    const v = VENDORS[0].v;
    await load(ctx.sb, v);
    const first = await run1({ profile_key: KEYS.full });
    assert.equal(first.id, 'out', errorText(first));
    // Read the database itself (another store on the same directory shares the open handle).
    const store = new LevelLedgerStore(path.join(dir, 'hrflow-connectors'));
    try {
      const entries = await store.recent({ vendor: 'smartrecruiters' });
      assert.equal(entries.length, 1);
      assert.equal(entries[0].outcome, 'pushed');
      assert.equal(entries[0].candidateId, String(first.msg.candidate_id));
    } finally {
      await store.close();
    }
    await helper.unload();
    await load(ctx.sb, v);
    const second = await run1({ profile_key: KEYS.full });
    assert.equal(second.msg.already_pushed, true, errorText(second));
    assert.equal((ctx.sb.state as any).smartrecruiters.candidates.length, 1);
  });

  it('pushProfile with a ledger: once per profile, also for concurrent calls; error and push modes', async () => {
    const sb: Sandbox = ctx.sb;
    const profile = await new HrflowClient({ api_secret: sb.credentials.hrflowApiKey, api_user: sb.credentials.hrflowUser, base_url: sb.urls.hrflow }, { retries: 0 }).getProfile(SOURCE_KEY, KEYS.full);
    const ledger = new PushLedger(new MemoryLedgerStore());
    const config = { x_smart_token: sb.credentials.smartToken, base_url: sb.urls.smartrecruiters };
    const options = { ledger, cvDownload: { allowPrivateAddresses: true } };
    const results = await Promise.all(Array.from({ length: 5 }, () => pushProfile(smartrecruiters, config, { job_id: 'job-42' }, profile, options)));
    assert.equal(results.filter((r) => !r.alreadyPushed).length, 1);
    assert.equal(sb.state.smartrecruiters.candidates.length, 1);
    const id = results.find((r) => !r.alreadyPushed)!.candidateId;
    for (const r of results) assert.equal(r.candidateId, id);
    await assert.rejects(pushProfile(smartrecruiters, config, { job_id: 'job-42' }, profile, { ...options, onDuplicate: 'error' }), (e: any) => e.code === 'ALREADY_PUSHED' && e.candidateId === id);
    const again = await pushProfile(smartrecruiters, config, { job_id: 'job-42' }, profile, { ...options, onDuplicate: 'push' });
    assert.notEqual(again.alreadyPushed, true);
    assert.equal(sb.state.smartrecruiters.candidates.length, 2);
  });
});
