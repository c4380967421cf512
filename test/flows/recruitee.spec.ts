import assert from 'node:assert/strict';
import { KEYS, useSandbox } from '../helpers/sandbox';
import { load, pushNodeScenarios, run, SANDBOX_VENDORS, type VendorUnderTest } from './push-common';

const RC: VendorUnderTest = {
  ...SANDBOX_VENDORS.recruitee,
  badCredentials: () => ({ api_token: 'wrong-recruitee-token-secret' }),
  canLookup: true,
  // Recruitee takes the same e-mail twice: the lookup tells this push's candidate by its creation time.
  sameEmailTwice: true,
  requestsPerPush: 1,
  checkStored(sb, msg) {
    const state = (sb.state as any).recruitee;
    const stored = state.candidates[0];
    assert.equal(stored.id, msg.candidate_id);
    assert.equal(msg.payload.candidate.id, msg.candidate_id);
    const body = stored.body ?? stored.request ?? stored;
    assert.deepEqual(body.offers, [101, 202]);
    assert.equal(body.candidate.name, 'Camille Durand-Exemple');
    assert.match(body.candidate.remote_cv_url, /\/files\//);
    assert.equal(state.attachments.length, 1, 'the emulator fetched the CV from remote_cv_url');
    assert.equal(state.attachments[0].isPdf ?? state.attachments[0].looksLikePdf ?? state.attachments[0].kind === 'pdf', true);
  },
};

describe('flow: HrFlow profile → logic → Recruitee', function () {
  this.timeout(10_000);
  const ctx = useSandbox();
  pushNodeScenarios(() => ctx.sb, RC);

  it('lets msg.offer_ids win over the panel, as a list or a string', async () => {
    await load(ctx.sb, RC);
    const { id, msg } = await run({ profile_key: KEYS.full, offer_ids: [7] });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    const body = (ctx.sb.state as any).recruitee.candidates[0];
    assert.deepEqual((body.body ?? body.request ?? body).offers, [7]);
  });

  it('pushes a profile without offers and without CV (no offers key, no [null])', async () => {
    await load(ctx.sb, RC, { push: { offer_ids: '' } });
    const { id, msg } = await run({ profile_key: KEYS.minimal });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    const stored = (ctx.sb.state as any).recruitee.candidates[0];
    const body = stored.body ?? stored.request ?? stored;
    assert.equal('offers' in body, false);
    assert.ok(!JSON.stringify(body).includes('null'));
    assert.equal(msg.steps[1].status, 'skipped');
  });

  it('sends the original attachment when the profile has no resume (edge profile, DOCX)', async () => {
    await load(ctx.sb, RC);
    const { id, msg } = await run({ profile_key: KEYS.edge });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    const body = (ctx.sb.state as any).recruitee.candidates[0];
    assert.match(JSON.stringify(body), /original\.docx/);
  });

  it('reports bad offer ids as INVALID_CONFIG', async () => {
    await load(ctx.sb, RC, { push: { offer_ids: 'abc' } });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_CONFIG');
  });

  it('refuses an offer id too large to be sent exactly, and passes on a non-numeric candidate id as it came', async () => {
    await load(ctx.sb, RC);
    let { id, msg } = await run({ profile_key: KEYS.full, offer_ids: '12345678901234567890' });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_CONFIG');
    ctx.sb.setFault('recruitee', { mode: 'status', status: 201, count: 1, body: { candidate: { id: 'c-abc' } } });
    ({ id, msg } = await run({ profile_key: KEYS.full }));
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.equal(msg.candidate_id, 'c-abc');
  });

  it('reports an unknown company as NOT_FOUND', async () => {
    const acc = RC.account;
    await load(ctx.sb, { ...RC, account: (sb) => ({ ...acc(sb), company_id: 'nobody' }) });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'NOT_FOUND');
  });
});
