import assert from 'node:assert/strict';
import { helper } from '../helpers/red';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';
import { load, pushNodeScenarios, run, SANDBOX_VENDORS, type VendorUnderTest } from './push-common';

const FL: VendorUnderTest = {
  ...SANDBOX_VENDORS.flatchr,
  badCredentials: () => ({ auth: 'wrong-flatchr-api-key' }),
  canLookup: true,
  sameEmailTwice: true,
  createRoute: '/vacancy/candidate/',
  requestsPerPush: 2,
  checkStored(sb, msg) {
    const state = (sb.state as any).flatchr;
    const stored = state.candidates[0];
    assert.equal(msg.candidate_id, stored.applicantId ?? stored.id, 'the lookup found the applicant id');
    assert.deepEqual(msg.payload, { response: 'applicant created' });
    const body = stored.body;
    assert.equal(body.vacancy, 'dev-backend-h-f');
    assert.equal(body.type, 'link');
    assert.match(body.resume, /\/files\/.*resume\.pdf$/);
    assert.deepEqual(body.urls, { linkedin: 'https://www.linkedin.com/in/camille-durand-example', other: 'https://camille-durand.example.com' });
    assert.equal(state.attachments[0].isPdf, true, 'the emulator fetched the linked CV');
    assert.deepEqual(msg.steps.map((s: any) => s.step), ['create', 'lookup_id']);
  },
};

describe('flow: HrFlow profile → logic → Flatchr', function () {
  this.timeout(10_000);
  const ctx = useSandbox();
  pushNodeScenarios(() => ctx.sb, FL);

  it('test mode sends to /vacancy/candidate/test and creates nothing', async () => {
    await load(ctx.sb, FL, { push: { test_mode: true } });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.equal(msg.steps[0].step, 'test');
    assert.equal(msg.candidate_id, undefined);
    const state = (ctx.sb.state as any).flatchr;
    assert.equal(state.candidates.length, 0);
    assert.equal(state.tests, 1);
  });

  it('says there is no candidate id when the lookup is off', async () => {
    await load(ctx.sb, FL, { push: { lookup_id: false } });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'out');
    assert.equal(msg.candidate_id, undefined);
    assert.deepEqual(msg.steps.map((s: any) => s.step), ['create']);
  });

  it('sends the file itself in document mode', async () => {
    await load(ctx.sb, FL, { push: { cv_mode: 'document' } });
    const { id, msg } = await run({ profile_key: KEYS.edge, vacancy: 'other-vacancy' });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    const stored = (ctx.sb.state as any).flatchr.candidates[0];
    assert.equal(stored.body.type, 'document');
    assert.equal(stored.body.resume.fileName, 'Lebenslauf.docx');
    assert.equal(stored.body.vacancy, 'other-vacancy', 'msg.vacancy wins');
    assert.equal((ctx.sb.state as any).flatchr.attachments[0].isDocx, true);
  });

  it('refuses a profile without CV (Flatchr requires one) and an unknown vacancy', async () => {
    await load(ctx.sb, FL);
    let { id, msg } = await run({ profile_key: KEYS.minimal });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_PROFILE');
    ({ id, msg } = await run({ profile_key: KEYS.full, vacancy: 'missing-vacancy' }));
    assert.equal(msg.error.code, 'NOT_FOUND');
  });

  it('test mode needs no company for the id lookup, and a lost test answer is simply retried', async () => {
    const account = { ...FL.account(ctx.sb), company: '' };
    await load(ctx.sb, { ...FL, account: () => account }, { push: { test_mode: true, lookup_id: true } });
    ctx.sb.setFault('flatchr', { mode: 'slow', delayMs: 1500, count: 1, match: '/vacancy/candidate/test' });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.equal(msg.steps[0].step, 'test');
    const state = (ctx.sb.state as any).flatchr;
    assert.equal(state.candidates.length, 0);
    assert.equal(state.tests, 1, 'the first try timed out, the retry went through');
  });

  it('says the applicant was created when the flow is stopped during the id lookup', async () => {
    await load(ctx.sb, FL);
    ctx.sb.setFault('flatchr', { mode: 'slow', delayMs: 3000, count: 1, match: '/search/applicants' });
    const push = helper.getNode('push');
    const errors: any[] = [];
    push.on('call:error', (call: any) => errors.push(call.args[0]));
    helper.getNode('prof').receive({ source_key: SOURCE_KEY, profile_key: KEYS.full });
    const state = (ctx.sb.state as any).flatchr;
    for (let i = 0; i < 100 && state.candidates.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(state.candidates.length, 1, 'the applicant was created');
    await new Promise((r) => setTimeout(r, 100)); // the lookup is in flight
    await helper.clearFlows();
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'ABORTED');
    assert.match(errors[0].message, /the candidate was created in Flatchr/);
    assert.equal(errors[0].outcomeUnknown, true);
  });
});
