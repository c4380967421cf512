/**
 * A PARTIAL_PUSH is finished, not repeated (issue 12): vendor.finish runs only the steps after the create
 * that the earlier push did not do, on the recorded candidate, never a create. Against the sandbox over
 * real HTTP, a later step made to fail once by fault injection; what each vendor received is read from
 * the sandbox's request log (one line per request: status, method, path).
 *
 * Through runPush with `finishFrom` (the pipeline the push nodes use), and through pushProfile with a
 * PushLedger (the ledger finishes a `partial` entry in modes `skip` and `error`; `push` pushes again in full).
 */
import assert from 'node:assert/strict';
import { ConnectorError, ErrorCodes, MemoryLedgerStore, PushLedger, pushProfile, broadbean, flatchr, recruitee, smartrecruiters, taleez, type VendorModule } from '../../src';
import { failureOutcome, type LedgerEntry } from '../../src/push/ledger';
import { runPush, type FinishFrom } from '../../src/push/pipeline';
import { createSandbox, type Sandbox } from '../../src/sandbox';
import { KEYS } from '../helpers/sandbox';
import { rejects } from '../helpers/net';

/** A sandbox whose request log is kept: `[sandbox] <status> <METHOD> <path> <ms>ms` per vendor request. */
function useLoggedSandbox() {
  const log: string[] = [];
  const holder: { sb?: Sandbox } = {};
  before(async () => {
    holder.sb = await createSandbox({ port: 0, quiet: false, logger: (line) => log.push(line) });
  });
  beforeEach(() => {
    holder.sb!.reset();
    log.length = 0;
  });
  after(async () => {
    await holder.sb?.close();
  });
  return {
    get sb(): Sandbox {
      return holder.sb!;
    },
    /** The vendor requests logged since the last `mark()`, as `METHOD path` (the vendor prefix cut, query left out). */
    requests(prefix: string): string[] {
      return log
        .map((l) => /^\[sandbox\] \d+ (\w+) (\S+) /.exec(l))
        .filter((m): m is RegExpExecArray => !!m && m[2].startsWith(prefix + '/'))
        .map((m) => `${m[1]} ${m[2].slice(prefix.length)}`);
    },
    mark(): void {
      log.length = 0;
    },
  };
}

interface FinishCase {
  title: string;
  vendor: VendorModule<any, any, any>;
  /** The vendor's path prefix in the sandbox. */
  prefix: string;
  config(sb: Sandbox): Record<string, unknown>;
  /** The node's parameters as typed (pushProfile and readParams read them). */
  params: Record<string, unknown>;
  /** The fault: which request of the later steps fails (path fragment). */
  failAt: string;
  failedStep: string;
  /** The steps the failing push did before it (error.steps). */
  doneBefore: string[];
  /** What a finish requests, in order (`METHOD path`, `{id}` the candidate). */
  finishRequests: string[];
  /** The steps of the plan, in order. */
  plan: string[];
  /** The vendor refuses the same e-mail twice (a full second push is VENDOR_REJECTED, not a second candidate). */
  uniqueEmail?: boolean;
}

const TALEEZ_PLAN = ['create', 'upload_cv', 'add_to_job', 'add_to_pools'];
/** Taleez with a job and two pools, failing at `failAt`. */
const taleezCase = (title: string, failAt: string, failedStep: string, doneBefore: string[], finishRequests: string[]): FinishCase => ({
  title,
  vendor: taleez,
  prefix: '/taleez/0',
  config: (sb) => ({ x_taleez_api_secret: sb.credentials.taleezSecret, base_url: sb.urls.taleez }),
  params: { recruiter_id: '15886', job_id: '101', pool_ids: '201, 202' },
  failAt,
  failedStep,
  doneBefore,
  finishRequests,
  plan: TALEEZ_PLAN,
  uniqueEmail: true,
});
const CASES: FinishCase[] = [
  {
    title: 'SmartRecruiters, the CV upload fails',
    vendor: smartrecruiters,
    prefix: '/smartrecruiters',
    config: (sb) => ({ x_smart_token: sb.credentials.smartToken, base_url: sb.urls.smartrecruiters }),
    params: { job_id: 'job-42', upload_cv: true },
    failAt: 'attachments',
    failedStep: 'upload_cv',
    doneBefore: ['create'],
    finishRequests: ['POST /candidates/{id}/jobs/job-42/attachments'],
    plan: ['create', 'upload_cv'],
  },
  taleezCase('Taleez, the CV upload fails', 'documents', 'upload_cv', ['create'], ['POST /documents', 'POST /candidates/{id}/jobs', 'POST /candidates/{id}/pools']),
  taleezCase('Taleez, the job assignment fails', '/jobs', 'add_to_job', ['create', 'upload_cv'], ['POST /candidates/{id}/jobs', 'POST /candidates/{id}/pools']),
  taleezCase('Taleez, the pool assignment fails', '/pools', 'add_to_pools', ['create', 'upload_cv', 'add_to_job'], ['POST /candidates/{id}/pools']),
];

/** Refused once, not retried (400): the step fails. */
const failOnce = (match: string) => ({ mode: 'status' as const, status: 400, count: 1, method: 'POST', match, body: { message: 'refused once' } });

describe('finishing a PARTIAL_PUSH (vendor.finish)', function () {
  this.timeout(10_000);
  const ctx = useLoggedSandbox();
  const profile = () => ctx.sb.getProfile(ctx.sb.sourceKey, KEYS.full)!;
  const options = { retries: 0, cvDownload: { allowPrivateAddresses: true } };

  for (const c of CASES) {
    describe(c.title, () => {
      const state = () => (ctx.sb.state as any)[c.vendor.id];
      const params = () => c.vendor.readParams!({ ...c.params });
      const push = (finishFrom?: FinishFrom) => runPush(c.vendor, c.config(ctx.sb), params(), { profile: profile() }, { ...options, finishFrom });
      const expected = (id: string) => c.finishRequests.map((r) => r.replace('{id}', id));

      /** Push with the fault: PARTIAL_PUSH, the candidate created once. */
      async function partial(): Promise<ConnectorError> {
        ctx.sb.setFault(c.vendor.id, failOnce(c.failAt));
        const err = await rejects(push());
        assert.equal(err.code, ErrorCodes.PARTIAL_PUSH, err.message);
        assert.equal(state().candidates.length, 1);
        return err;
      }

      it('a push whose later step fails: PARTIAL_PUSH naming the step, with the candidate id and the steps done before it', async () => {
        const err = await partial();
        assert.equal(err.step, c.failedStep);
        assert.equal(err.vendor, c.vendor.id);
        assert.equal(String(err.candidateId), String(state().candidates[0].id));
        assert.deepEqual(err.steps?.map((s) => s.step), c.doneBefore);
        assert.ok(err.steps?.every((s) => s.status === 'done'));
        // In msg.error_details too (toJSON).
        assert.deepEqual((err.toJSON().steps as Array<{ step: string }>).map((s) => s.step), c.doneBefore);
        // What the ledger keeps of it.
        const f = failureOutcome(err);
        assert.equal(f.outcome, 'partial');
        assert.deepEqual(f.steps?.map((s) => s.step), c.doneBefore);
      });

      it('finish: only the missing steps are requested, on the recorded candidate; no create', async () => {
        const err = await partial();
        const id = String(err.candidateId);
        ctx.mark();
        const requests = state().requests;
        const result = await push({ candidateId: id, steps: [...err.steps!, { step: c.failedStep, status: 'failed' }] });
        assert.deepEqual(ctx.requests(c.prefix).map((r) => r.replace(/\?.*$/, '')), expected(id));
        assert.equal(state().requests - requests, c.finishRequests.length);
        assert.equal(state().candidates.length, 1, 'no second candidate');
        assert.equal(String(result.candidateId), id);
        assert.deepEqual(result.steps.map((s) => s.step), c.plan, 'every step of the plan, in order');
        assert.ok(result.steps.every((s) => s.status === 'done'), JSON.stringify(result.steps));
        assert.equal(result.steps[0].detail, 'created earlier');
        for (const s of result.steps.slice(1)) assert.equal(s.detail === 'done earlier', c.doneBefore.includes(s.step), `${s.step}: ${s.detail}`);
        assert.ok(result.statusCode! >= 200 && result.statusCode! < 300, 'the last answer');
        assert.deepEqual(result.response, { id, finished: c.plan.filter((s) => !c.doneBefore.includes(s)) });
        // The candidate has everything once.
        if (c.vendor === taleez) {
          const cand = state().candidates[0];
          assert.deepEqual(cand.jobIds, [101]);
          assert.deepEqual(cand.poolIds, [201, 202]);
          assert.equal(state().attachments.length, 1);
          assert.equal(state().attachments[0].uploads, 1, 'the CV sent once');
        } else {
          assert.equal(state().attachments.length, 1, 'one CV');
          assert.equal(String(state().attachments[0].candidateId), id);
        }
      });

      it('a finish that fails again: PARTIAL_PUSH on the same candidate, nothing created', async () => {
        const err = await partial();
        const id = String(err.candidateId);
        const failFinishAt = c.finishRequests[0].replace(/^POST /, '').replace('{id}', id);
        ctx.sb.setFault(c.vendor.id, failOnce(failFinishAt));
        const again = await rejects(push({ candidateId: id, steps: err.steps! }));
        assert.equal(again.code, ErrorCodes.PARTIAL_PUSH);
        assert.equal(String(again.candidateId), id);
        assert.equal(again.step, c.failedStep);
        assert.deepEqual(again.steps?.map((s) => s.step), c.doneBefore);
        assert.equal(state().candidates.length, 1);
      });

      it('with a ledger (pushProfile): the partial entry keeps the steps; pushed again, only the missing steps, then pushed', async () => {
        const ledger = new PushLedger(new MemoryLedgerStore());
        const run = (onDuplicate?: 'skip' | 'error' | 'push') => pushProfile(c.vendor, c.config(ctx.sb), c.params, profile(), { ...options, ledger, onDuplicate });
        const entry = async (): Promise<LedgerEntry> => (await ledger.store.recent({ vendor: c.vendor.id }))[0];
        ctx.sb.setFault(c.vendor.id, failOnce(c.failAt));
        const err = await rejects(run());
        assert.equal(err.code, ErrorCodes.PARTIAL_PUSH);
        const id = String(err.candidateId);
        let e = await entry();
        assert.equal(e.outcome, 'partial');
        assert.equal(e.candidateId, id);
        assert.deepEqual(e.steps, [...c.doneBefore.map((step) => ({ step, status: 'done' })), { step: c.failedStep, status: 'failed' }]);

        // Pushed again, the step fails again: still partial, same candidate.
        ctx.sb.setFault(c.vendor.id, failOnce(c.finishRequests[0].replace(/^POST /, '').replace('{id}', id)));
        await assert.rejects(run(), (x: any) => x.code === ErrorCodes.PARTIAL_PUSH && String(x.candidateId) === id);
        e = await entry();
        assert.equal(e.outcome, 'partial');
        assert.equal(e.candidateId, id);
        assert.equal(state().candidates.length, 1);

        // Pushed again: finished.
        ctx.mark();
        const done = await run();
        assert.equal(done.finished, true);
        assert.notEqual(done.alreadyPushed, true);
        assert.equal(String(done.candidateId), id);
        assert.deepEqual(ctx.requests(c.prefix).map((r) => r.replace(/\?.*$/, '')), c.finishRequests.map((r) => r.replace('{id}', id)));
        assert.equal(state().candidates.length, 1, 'no second create');
        e = await entry();
        assert.equal(e.outcome, 'pushed');
        assert.equal(e.candidateId, id);
        assert.deepEqual(e.steps, c.plan.map((step) => ({ step, status: 'done' })));

        // And now it is a push like any other: skipped, nothing sent.
        ctx.mark();
        const skipped = await run();
        assert.equal(skipped.alreadyPushed, true);
        assert.equal(String(skipped.candidateId), id);
        assert.deepEqual(ctx.requests(c.prefix), []);
      });

      it('with a ledger: on_duplicate error finishes a partial push too', async () => {
        const ledger = new PushLedger(new MemoryLedgerStore());
        const run = (onDuplicate?: 'skip' | 'error' | 'push') => pushProfile(c.vendor, c.config(ctx.sb), c.params, profile(), { ...options, ledger, onDuplicate });
        ctx.sb.setFault(c.vendor.id, failOnce(c.failAt));
        const err = await rejects(run('error'));
        assert.equal(err.code, ErrorCodes.PARTIAL_PUSH);
        const finished = await run('error');
        assert.equal(finished.finished, true);
        assert.equal(String(finished.candidateId), String(err.candidateId));
        assert.equal(state().candidates.length, 1);
        // Finished: `error` now says ALREADY_PUSHED.
        await assert.rejects(run('error'), (x: any) => x.code === ErrorCodes.ALREADY_PUSHED && String(x.candidateId) === String(err.candidateId));
      });

      it('with a ledger: on_duplicate push pushes a partial push again in full (a new create), as asked', async () => {
        const ledger = new PushLedger(new MemoryLedgerStore());
        const run = (onDuplicate?: 'skip' | 'error' | 'push') => pushProfile(c.vendor, c.config(ctx.sb), c.params, profile(), { ...options, ledger, onDuplicate });
        ctx.sb.setFault(c.vendor.id, failOnce(c.failAt));
        const err = await rejects(run());
        assert.equal(err.code, ErrorCodes.PARTIAL_PUSH);
        ctx.mark();
        if (c.uniqueEmail) {
          await assert.rejects(run('push'), (x: any) => x.code === ErrorCodes.VENDOR_REJECTED, 'the vendor itself refuses the same mail: a create was sent');
          assert.deepEqual(ctx.requests(c.prefix), ['POST /candidates']);
          assert.equal(state().candidates.length, 1);
        } else {
          const again = await run('push');
          assert.notEqual(again.finished, true);
          assert.notEqual(String(again.candidateId), String(err.candidateId));
          assert.equal(state().candidates.length, 2, 'a second create');
        }
      });
    });
  }

  it('SmartRecruiters: a finish whose every step was done sends nothing and answers the candidate', async () => {
    const config = { x_smart_token: ctx.sb.credentials.smartToken, base_url: ctx.sb.urls.smartrecruiters };
    const result = await runPush(smartrecruiters, config, { job_id: 'job-42', upload_cv: true }, { profile: profile() }, {
      ...options,
      finishFrom: { candidateId: 'c-1', steps: [{ step: 'create', status: 'done' }, { step: 'upload_cv', status: 'done' }] },
    });
    assert.deepEqual(ctx.requests('/smartrecruiters'), []);
    assert.deepEqual(ctx.requests('/files'), [], 'the CV is not even downloaded');
    assert.equal(result.candidateId, 'c-1');
    assert.deepEqual(result.response, { id: 'c-1', finished: [] });
    assert.deepEqual(result.steps.map((s) => `${s.step}:${s.detail}`), ['create:created earlier', 'upload_cv:done earlier']);
  });

  it('SmartRecruiters: upload_cv turned off since: the finish skips the upload', async () => {
    const config = { x_smart_token: ctx.sb.credentials.smartToken, base_url: ctx.sb.urls.smartrecruiters };
    const result = await runPush(smartrecruiters, config, { job_id: 'job-42', upload_cv: false }, { profile: profile() }, {
      ...options,
      finishFrom: { candidateId: 'c-1', steps: [{ step: 'create', status: 'done' }, { step: 'upload_cv', status: 'failed' }] },
    });
    assert.deepEqual(ctx.requests('/smartrecruiters'), []);
    assert.deepEqual(result.steps.map((s) => `${s.step}:${s.status}`), ['create:done', 'upload_cv:skipped']);
  });

  it('Taleez: a finish downloads the CV only when the upload is missing', async () => {
    const config = { x_taleez_api_secret: ctx.sb.credentials.taleezSecret, base_url: ctx.sb.urls.taleez };
    // A real candidate to assign (created without the later steps).
    const created = await runPush(taleez, config, taleez.readParams!({ recruiter_id: '15886' }), { profile: profile() }, options);
    const id = String(created.candidateId);
    ctx.mark();
    const result = await runPush(taleez, config, taleez.readParams!({ recruiter_id: '15886', pool_ids: '201' }), { profile: profile() }, {
      ...options,
      finishFrom: { candidateId: id, steps: [{ step: 'create', status: 'done' }, { step: 'upload_cv', status: 'done' }] },
    });
    assert.deepEqual(ctx.requests('/files'), []);
    assert.deepEqual(ctx.requests('/taleez/0'), [`POST /candidates/${id}/pools`]);
    assert.deepEqual(result.steps.map((s) => s.step), ['create', 'upload_cv', 'add_to_pools']);
  });

  for (const vendor of [recruitee, broadbean, flatchr] as VendorModule<any, any, any>[]) {
    it(`${vendor.label}: one request, no later step: no finish, and finishFrom sends nothing (PARTIAL_PUSH)`, async () => {
      assert.equal(vendor.finish, undefined);
      const config: Record<string, Record<string, unknown>> = {
        recruitee: { api_token: ctx.sb.credentials.recruiteeToken, company_id: ctx.sb.credentials.recruiteeCompany, recruitee_endpoint: ctx.sb.urls.recruitee },
        broadbean: { secret_key: ctx.sb.credentials.broadbeanSecret, source_id: ctx.sb.credentials.broadbeanSourceId, client_id: ctx.sb.credentials.broadbeanClientId, base_url: ctx.sb.urls.broadbean },
        flatchr: { auth: ctx.sb.credentials.flatchrApiKey, company: ctx.sb.credentials.flatchrCompany, careers_url: ctx.sb.urls.flatchr, base_url: ctx.sb.urls.flatchrApi },
      };
      const params: Record<string, Record<string, unknown>> = {
        recruitee: { offer_ids: '101' },
        broadbean: { job_id: 'JOB-1', shortlist_id: 'SL-9' },
        flatchr: { vacancy: 'dev-backend-h-f', cv_mode: 'link' },
      };
      const err = await rejects(
        runPush(vendor, config[vendor.id], vendor.readParams!(params[vendor.id]), { profile: profile() }, { ...options, finishFrom: { candidateId: '7', steps: [{ step: 'create', status: 'done' }] } }),
      );
      assert.equal(err.code, ErrorCodes.PARTIAL_PUSH);
      assert.equal(err.candidateId, '7');
      assert.equal((ctx.sb.state as any)[vendor.id].requests, 0);
    });
  }
});
