import assert from 'node:assert/strict';
import { helper } from '../helpers/red';
import { KEYS, useSandbox } from '../helpers/sandbox';
import { load, pushNodeScenarios, run, SANDBOX_VENDORS, type VendorUnderTest } from './push-common';

const TZ: VendorUnderTest = {
  ...SANDBOX_VENDORS.taleez,
  badCredentials: () => ({ x_taleez_api_secret: 'wrong-taleez-secret-value' }),
  canLookup: true,
  requestsPerPush: 4,
  checkStored(sb, msg) {
    const state = (sb.state as any).taleez;
    const stored = state.candidates[0];
    assert.equal(String(stored.id), msg.candidate_id);
    assert.equal(stored.body.recruiterId, 15886);
    assert.equal(stored.body.location.country, 'FR');
    assert.ok(stored.body.socialLinks.linkedin);
    assert.deepEqual(stored.jobIds, [101]);
    assert.deepEqual(stored.poolIds, [201, 202]);
    assert.equal(state.attachments.length, 1);
    assert.equal(state.attachments[0].isPdf, true);
    assert.equal(state.attachments[0].contentTypeMatches, true, 'the real content type was declared');
    assert.deepEqual(msg.steps.map((s: any) => [s.step, s.status]), [
      ['create', 'done'], ['upload_cv', 'done'], ['add_to_job', 'done'], ['add_to_pools', 'done'],
    ]);
  },
};

describe('flow: HrFlow profile → logic → Taleez', function () {
  this.timeout(10_000);
  const ctx = useSandbox();
  pushNodeScenarios(() => ctx.sb, TZ);

  it('reports a failed later step as PARTIAL_PUSH naming the step, with the created candidate id', async () => {
    await load(ctx.sb, TZ, { push: { job_id: '900001' } });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'PARTIAL_PUSH');
    assert.equal(msg.error_details.step, 'add_to_job');
    const created = (ctx.sb.state as any).taleez.candidates;
    assert.equal(created.length, 1);
    assert.equal(msg.candidate_id, String(created[0].id));
    assert.match(msg.error.message, /add_to_job/);
  });

  it('reports a failed CV upload as PARTIAL_PUSH (step upload_cv)', async () => {
    await load(ctx.sb, TZ);
    ctx.sb.setFault('taleez', { mode: 'status', status: 400, match: '/documents', body: { error: 'bad document' } });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'PARTIAL_PUSH');
    assert.equal(msg.error_details.step, 'upload_cv');
    assert.ok(msg.candidate_id);
  });

  it('refuses a non-PDF CV (Taleez accepts PDF only) as INVALID_PROFILE before anything is created', async () => {
    await load(ctx.sb, TZ, { push: { pool_ids: '' } });
    const { id, msg } = await run({ profile_key: KEYS.edge });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_PROFILE');
    assert.match(msg.error.message, /Taleez accepts PDF only/);
    assert.equal((ctx.sb.state as any).taleez.candidates.length, 0);
    assert.equal((ctx.sb.state as any).taleez.attachments.length, 0);
  });

  it('refuses the same mail twice (Taleez mails are unique) without a duplicate', async () => {
    // Pushed again on purpose (on_duplicate push): the push ledger would skip the second one.
    await load(ctx.sb, TZ, { push: { on_duplicate: 'push' } });
    const first = await run({ profile_key: KEYS.full });
    assert.equal(first.id, 'out');
    const second = await run({ profile_key: KEYS.full });
    assert.equal(second.id, 'caught');
    assert.equal(second.msg.error.code, 'VENDOR_REJECTED');
    assert.equal((ctx.sb.state as any).taleez.candidates.length, 1);
  });

  it('lets msg.recruiter_id, msg.job_id and msg.pool_ids win, and requires a recruiter id', async () => {
    await load(ctx.sb, TZ, { push: { recruiter_id: '' } });
    let { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(msg.error.code, 'INVALID_CONFIG');
    ({ id, msg } = await run({ profile_key: KEYS.full, recruiter_id: 7, job_id: 102, pool_ids: [203] }));
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    const stored = (ctx.sb.state as any).taleez.candidates[0];
    assert.equal(stored.body.recruiterId, 7);
    assert.deepEqual(stored.jobIds, [102]);
    assert.deepEqual(stored.poolIds, [203]);
  });

  it('shares one rate limiter between every node of the same account', async () => {
    await load(ctx.sb, TZ);
    const acc = helper.getNode('acc');
    assert.ok(acc.limiter, 'the Taleez account owns a limiter');
    assert.deepEqual(acc.limiter.limits, { perWindow: 100, windowMs: 60_000, concurrent: Number.MAX_SAFE_INTEGER });
  });

  it('does not take a CV upload answer that is not Taleez\'s (HTML) for a success: PARTIAL_PUSH', async () => {
    await load(ctx.sb, TZ);
    ctx.sb.setFault('taleez', { mode: 'non-json', count: 1, match: '/documents' });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught', JSON.stringify(msg.steps ?? {}));
    assert.equal(msg.error.code, 'PARTIAL_PUSH');
    assert.equal(msg.error_details.step, 'upload_cv');
    assert.equal(msg.candidate_id, String((ctx.sb.state as any).taleez.candidates[0].id));
  });

  it('takes the panel recruiter id when msg.recruiter_id is blank', async () => {
    await load(ctx.sb, TZ, { push: { pool_ids: '' } });
    const { id, msg } = await run({ profile_key: KEYS.full, recruiter_id: '  ' });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.equal((ctx.sb.state as any).taleez.candidates[0].body.recruiterId, 15886);
  });

  it('keeps the account\'s 100 requests/minute budget across a redeploy', async () => {
    // An account of its own (nothing is sent), so that no other test inherits its full window.
    const account = { x_taleez_api_secret: 'budget-test-account' };
    await load(ctx.sb, TZ, {}, account);
    const before = helper.getNode('acc').limiter;
    for (let i = 0; i < 100; i++) (await before.acquire())();
    assert.equal(before.windowFull(), true);
    await helper.unload();
    await load(ctx.sb, TZ, {}, account);
    const after = helper.getNode('acc').limiter;
    assert.notEqual(after, before, 'the redeploy built a new account node');
    assert.equal(after.windowFull(), true, 'the new limiter knows the window is used up');
    // Another account (other secret) has its own budget.
    await helper.unload();
    await load(ctx.sb, TZ, {}, { x_taleez_api_secret: 'another-taleez-account' });
    assert.equal(helper.getNode('acc').limiter.windowFull(), false);
  });
});
