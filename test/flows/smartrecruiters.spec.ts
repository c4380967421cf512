import assert from 'node:assert/strict';
import { smartrecruiters } from '../../src/vendors/smartrecruiters';
import { helper } from '../helpers/red';
import { KEYS, useSandbox } from '../helpers/sandbox';
import { load, pushNodeScenarios, run, SANDBOX_VENDORS, type VendorUnderTest } from './push-common';

const SR: VendorUnderTest = {
  ...SANDBOX_VENDORS.smartrecruiters,
  badCredentials: () => ({ x_smart_token: 'wrong-token-that-is-secret' }),
  canLookup: true,
  sameEmailTwice: true,
  requestsPerPush: 2,
  checkStored(sb, msg) {
    const state = (sb.state as any).smartrecruiters;
    const stored = state.candidates[0];
    assert.equal(stored.id, msg.candidate_id);
    assert.equal(msg.payload.id, msg.candidate_id);
    assert.equal(stored.jobId ?? stored.job_id ?? stored.body?.primaryAssignment?.job?.id ?? 'job-42', 'job-42');
    assert.equal((stored.body ?? stored.input ?? stored).firstName, 'Camille');
    assert.equal(state.attachments.length, 1, 'the CV was uploaded');
    const cv = state.attachments[0];
    assert.equal(cv.candidateId, msg.candidate_id);
    assert.equal(cv.type ?? cv.attachmentType, 'RESUME');
    assert.equal(cv.contentType, 'application/pdf');
    assert.deepEqual(msg.steps.map((s: any) => [s.step, s.status]), [['create', 'done'], ['upload_cv', 'done']]);
  },
};

describe('flow: HrFlow profile → logic → SmartRecruiters', function () {
  this.timeout(10_000);
  const ctx = useSandbox();
  pushNodeScenarios(() => ctx.sb, SR);

  it('refuses a msg.job_id that is neither a string nor a number (INVALID_INPUT), and takes the panel for a blank one', async () => {
    await load(ctx.sb, SR);
    let { id, msg } = await run({ profile_key: KEYS.full, job_id: { id: 'job-from-msg' } });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_INPUT');
    assert.match(msg.error.message, /msg\.job_id must be a string or a number/);
    ({ id, msg } = await run({ profile_key: KEYS.full, job_id: '   ' }));
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.match(JSON.stringify((ctx.sb.state as any).smartrecruiters.candidates[0]), /job-42/);
  });

  it('refuses a job id that would move the request to another route ("..")', async () => {
    await load(ctx.sb, SR);
    for (const jobId of ['..', '.']) {
      const { id, msg } = await run({ profile_key: KEYS.full, job_id: jobId });
      assert.equal(id, 'caught', jobId);
      assert.equal(msg.error.code, 'INVALID_CONFIG', jobId);
    }
    assert.equal((ctx.sb.state as any).smartrecruiters.requests, 0);
  });

  it('reports an HrFlow answer whose data is not a profile as VENDOR_UNAVAILABLE at the profile node', async () => {
    await load(ctx.sb, SR);
    ctx.sb.setFault('hrflow', { mode: 'status', status: 200, body: { code: 200, message: 'ok', data: [] } });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'VENDOR_UNAVAILABLE');
    assert.equal(msg.error.source.id, 'prof');
  });

  it('after a lost answer, does not take the same person just pushed to another job for this push\'s', async () => {
    // on_duplicate push: the second job-B push follows an OUTCOME_UNKNOWN one, which the ledger would report as ALREADY_PUSHED.
    await load(ctx.sb, SR, { push: { upload_cv: false, on_duplicate: 'push' } });
    const first = await run({ profile_key: KEYS.full, job_id: 'job-A' });
    assert.equal(first.id, 'out', JSON.stringify(first.msg.error ?? {}));
    ctx.sb.setFault('smartrecruiters', { mode: 'reset', count: 1, method: 'POST', match: '/jobs/' });
    let { id, msg } = await run({ profile_key: KEYS.full, job_id: 'job-B' });
    assert.equal(id, 'caught', 'the job-A candidate was taken for the job-B push');
    assert.equal(msg.error.code, 'OUTCOME_UNKNOWN');
    // The same person's lost create to job-B itself is still recovered.
    ctx.sb.setFault('smartrecruiters', { mode: 'lost-answer', count: 1, method: 'POST', match: '/jobs/' });
    ({ id, msg } = await run({ profile_key: KEYS.full, job_id: 'job-B' }));
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.match(msg.steps[0].detail, /found by email/);
    const stored = (ctx.sb.state as any).smartrecruiters.candidates;
    assert.equal(stored.length, 2);
    assert.equal(msg.candidate_id, String(stored[1].id));
  });

  it('lets msg.job_id win over the panel', async () => {
    await load(ctx.sb, SR);
    const { id, msg } = await run({ profile_key: KEYS.full, job_id: 'job-from-msg' });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    const stored = (ctx.sb.state as any).smartrecruiters.candidates[0];
    assert.match(JSON.stringify(stored), /job-from-msg/);
  });

  it('reports an unknown job as NOT_FOUND', async () => {
    await load(ctx.sb, SR, { push: { job_id: 'missing-job' } });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'NOT_FOUND');
    assert.equal(msg.statusCode, 404);
  });

  it('requires a job id', async () => {
    await load(ctx.sb, SR, { push: { job_id: '' } });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_CONFIG');
    assert.match(msg.error.message, /job id/);
  });

  it('skips the CV upload when it is turned off, or when the profile has no attachment', async () => {
    await load(ctx.sb, SR, { push: { upload_cv: false } });
    let { msg } = await run({ profile_key: KEYS.full });
    assert.deepEqual(msg.steps[1], { step: 'upload_cv', status: 'skipped', detail: 'CV upload turned off' });
    await helper.unload();
    ctx.sb.reset();
    await load(ctx.sb, SR);
    ({ msg } = await run({ profile_key: KEYS.minimal }));
    assert.equal(msg.steps[1].status, 'skipped');
    assert.equal((ctx.sb.state as any).smartrecruiters.attachments.length, 0);
  });

  it('reports a CV upload failure after creation as PARTIAL_PUSH with the created candidate id', async () => {
    await load(ctx.sb, SR);
    ctx.sb.setFault('smartrecruiters', { mode: 'status', status: 400, match: '/attachments', body: { message: 'bad file' } });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'PARTIAL_PUSH');
    const created = (ctx.sb.state as any).smartrecruiters.candidates;
    assert.equal(created.length, 1);
    assert.equal(msg.candidate_id, created[0].id);
    assert.match(msg.error.message, /upload_cv/);
  });

  it('fetches the CV before the create: a CV host answering 404 is INVALID_PROFILE and nothing is created', async () => {
    await load(ctx.sb, SR);
    ctx.sb.setFault('files', { mode: 'status', status: 404 });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_PROFILE');
    assert.match(msg.error.message, /answered 404/);
    assert.equal(msg.error_details.step, 'download_cv');
    assert.equal((ctx.sb.state as any).smartrecruiters.candidates.length, 0);
  });

  it('pushes a payload formatted by a JS format that adjusts the default mapping', async () => {
    await load(ctx.sb, SR, {
      logic: {
        format_type: 'js',
        format_vendor: 'smartrecruiters',
        format: 'defaults.tags = ["hrflow", profile.source.name]; return defaults;',
      },
    });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    const body = JSON.stringify((ctx.sb.state as any).smartrecruiters.candidates[0]);
    assert.match(body, /"tags":\["hrflow","Careers Site \(synthetic\)"\]/);
    assert.equal((ctx.sb.state as any).smartrecruiters.attachments.length, 1, 'the CV still comes from msg.profile');
  });

  it('pushes a payload built by a JSONata format that replaces the mapping, after a JSONata logic', async () => {
    await load(ctx.sb, SR, {
      logic: {
        logics: [{ name: 'french only', type: 'jsonata', code: 'text_language = "fr"' }],
        format_type: 'jsonata',
        format_vendor: 'smartrecruiters',
        format: '{"firstName": info.first_name, "lastName": $uppercase(info.last_name), "email": info.email}',
      },
    });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.match(JSON.stringify((ctx.sb.state as any).smartrecruiters.candidates[0]), /DURAND-EXEMPLE/);
    const filtered = await run({ profile_key: KEYS.minimal });
    assert.equal(filtered.id, 'filtered');
    assert.equal(filtered.msg.filtered.name, 'french only');
  });

  it('JSONata logics see the profile as input and the message as $msg, per message', async () => {
    await load(ctx.sb, SR, {
      logic: { logics: [{ name: 'topic gate', type: 'jsonata', code: '$msg.topic = "go" and info.email != null' }] },
    });
    const [a, b] = [await run({ profile_key: KEYS.full, topic: 'go' }), await run({ profile_key: KEYS.full, topic: 'stop' })];
    assert.equal(a.id, 'out', JSON.stringify(a.msg.error ?? {}));
    assert.equal(b.id, 'filtered');
  });

  it('ends runaway user code with LOGIC_ERROR: endless JSONata recursion, a JS promise that never settles', async () => {
    await load(ctx.sb, SR, {
      logic: { logics: [{ name: 'recurse', type: 'jsonata', code: '($f := function($n){ $f($n) }; $f(0))' }] },
    });
    const started = Date.now();
    let { id, msg } = await run({ profile_key: KEYS.full }, 5000);
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'LOGIC_ERROR');
    assert.match(msg.error.message, /did not finish within 1000 ms/);
    assert.ok(Date.now() - started < 3000);
    await helper.unload();
    await load(ctx.sb, SR, { logic: { logics: [{ name: 'new', type: 'js', code: 'return new Promise(function () {});' }] } });
    ({ id, msg } = await run({ profile_key: KEYS.full }));
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'LOGIC_ERROR');
    assert.match(msg.error.message, /never settles/);
    assert.equal((ctx.sb.state as any).smartrecruiters.requests, 0);
  });

  it('reports a format that returns something that is not plain data as FORMAT_ERROR at the logic node', async () => {
    await load(ctx.sb, SR, {
      logic: { format_type: 'js', format_vendor: 'smartrecruiters', format: 'defaults.tag = Symbol("x"); return defaults;' },
    });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'FORMAT_ERROR');
    assert.equal(msg.error.source.id, 'logic');
  });

  it('validates a user-formatted payload before sending it', async () => {
    await load(ctx.sb, SR, {
      logic: { format_type: 'js', format_vendor: 'smartrecruiters', format: 'return { firstName: "A" };' },
    });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_PROFILE');
    assert.match(msg.error.message, /lastName is required; email is required/);
    assert.equal((ctx.sb.state as any).smartrecruiters.requests, 0);
  });

  it('refuses a payload formatted for another vendor', async () => {
    await load(ctx.sb, SR, { logic: { format_type: 'js', format_vendor: 'recruitee', format: 'return defaults;' } });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_INPUT');
    assert.match(msg.error.message, /formatted for "recruitee"/);
  });

  it('exposes the same default mapping to plain Node.js code', () => {
    assert.equal(typeof smartrecruiters.defaultPayload, 'function');
  });
});
