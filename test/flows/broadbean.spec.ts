import assert from 'node:assert/strict';
import { createSandbox, type Sandbox } from '../../src/sandbox';
import { helper } from '../helpers/red';
import { KEYS, useSandbox } from '../helpers/sandbox';
import { load, pushNodeScenarios, run, SANDBOX_VENDORS, type VendorUnderTest } from './push-common';

const BB: VendorUnderTest = {
  ...SANDBOX_VENDORS.broadbean,
  badCredentials: () => ({ secret_key: 'wrong-broadbean-secret-value' }),
  canLookup: false,
  requestsPerPush: 1,
  checkStored(sb, msg) {
    const state = (sb.state as any).broadbean;
    const stored = state.candidates[0];
    assert.equal(stored.id, msg.candidate_id, 'msg.candidate_id is the Candidate Hub transaction id');
    assert.equal(msg.payload.success, 1);
    const body = stored.body;
    assert.deepEqual(body.transaction, { client_id: sb.credentials.broadbeanClientId, source_id: sb.credentials.broadbeanSourceId });
    assert.deepEqual(body.context, { id: 'JOB-1', shortlist_id: 'SL-9' });
    assert.equal(body.candidate.name, 'Camille Durand-Exemple');
    assert.equal(body.candidate.documents.length, 1, 'one CV, not every attachment');
    assert.equal(body.candidate.documents[0].type, 'cv');
    assert.equal(body.candidate.documents[0].filename, 'resume.pdf');
    assert.equal(state.attachments.length, 1);
    assert.equal(state.attachments[0].isPdf, true);
    assert.deepEqual(stored.warnings ?? body.candidate.warnings ?? [], [], 'no placeholder values were sent');
  },
};

describe('flow: HrFlow profile → logic → Broadbean', function () {
  this.timeout(10_000);
  const ctx = useSandbox();
  pushNodeScenarios(() => ctx.sb, BB);

  it('reports success: 0 in a 200 answer as VENDOR_REJECTED with the vendor message', async () => {
    await load(ctx.sb, BB);
    ctx.sb.setFault('broadbean', { mode: 'status', status: 200, body: { success: 0, error: 'Unknown job JOB-1' } });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'VENDOR_REJECTED');
    assert.match(msg.error.message, /Unknown job JOB-1/);
  });

  it('reports a non-JSON answer as OUTCOME_UNKNOWN, never re-sending', async () => {
    await load(ctx.sb, BB);
    ctx.sb.setFault('broadbean', { mode: 'non-json' });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'OUTCOME_UNKNOWN');
    assert.equal((ctx.sb.state as any).broadbean.requests, 1);
  });

  it('signs every retry afresh: a 503 then success is accepted', async () => {
    await load(ctx.sb, BB, { push: { retry_delay: 600 } });
    ctx.sb.setFault('broadbean', { mode: 'status', status: 503, count: 1, retryAfter: 1 });
    const { id, msg } = await run({ profile_key: KEYS.full }, 6000);
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.equal((ctx.sb.state as any).broadbean.candidates.length, 1);
  });

  it('lets msg.job_id win and sends a profile without CV with no documents', async () => {
    await load(ctx.sb, BB);
    const { id, msg } = await run({ profile_key: KEYS.minimal, job_id: 'FROM-MSG' });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    const body = (ctx.sb.state as any).broadbean.candidates[0].body;
    assert.equal(body.context.id, 'FROM-MSG');
    assert.equal(body.candidate.documents, undefined);
    assert.equal(msg.steps[1].status, 'skipped');
  });

  describe('against a Candidate Hub whose clock is 10 minutes ahead', () => {
    let skewed: Sandbox;
    before(async () => {
      skewed = await createSandbox({ port: 0, quiet: true, now: () => Date.now() + 10 * 60_000 });
    });
    after(async () => {
      await helper.unload();
      await skewed.close();
    });
    it('gets AUTH_FAILED (the signature is only valid 5 minutes)', async () => {
      await load(skewed, BB);
      const { id, msg } = await run({ profile_key: KEYS.full });
      assert.equal(id, 'caught');
      assert.equal(msg.error.code, 'AUTH_FAILED');
      assert.match(msg.error.message, /expired/i);
    });
  });
});
