/**
 * A PARTIAL_PUSH is finished, not repeated (issue 12), in a real Node-RED runtime against the sandbox: the
 * candidate is created but a later step fails once (fault injection), the node reports PARTIAL_PUSH; the
 * same profile pushed again does only the missing steps on the recorded candidate (the sandbox's request
 * log shows no second create), goes out with the recorded msg.candidate_id, and the ledger entry (read in
 * the LevelDB ledger of the user directory) becomes `pushed`. A finish that fails again stays partial;
 * on_duplicate `error` finishes too; `push` pushes again in full.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LevelLedgerStore } from '../../src/push/ledger-store';
import type { LedgerEntry } from '../../src/push/ledger';
import { createSandbox, type Fault, type Sandbox } from '../../src/sandbox';
import { helper, testSettings } from '../helpers/red';
import { KEYS } from '../helpers/sandbox';
import { load, run, sandboxVendor, type VendorUnderTest } from './push-common';

interface PartialCase {
  v: VendorUnderTest;
  /** The vendor's path prefix in the sandbox. */
  prefix: string;
  /** Where the later step fails (path fragment of its request). */
  failAt: string;
  failedStep: string;
  /** The steps done before it. */
  doneBefore: string[];
  /** The steps of the whole plan, in order. */
  plan: string[];
  /** What pushing again requests (`METHOD path`, `{id}` the candidate). */
  finishRequests: string[];
  /** The vendor refuses the same e-mail twice. */
  uniqueEmail?: boolean;
}

const TALEEZ = sandboxVendor('taleez');
const TALEEZ_PLAN = ['create', 'upload_cv', 'add_to_job', 'add_to_pools'];
const CASES: PartialCase[] = [
  {
    v: sandboxVendor('smartrecruiters'),
    prefix: '/smartrecruiters',
    failAt: 'attachments',
    failedStep: 'upload_cv',
    doneBefore: ['create'],
    plan: ['create', 'upload_cv'],
    finishRequests: ['POST /candidates/{id}/jobs/job-42/attachments'],
  },
  { v: TALEEZ, prefix: '/taleez/0', failAt: '/pools', failedStep: 'add_to_pools', doneBefore: ['create', 'upload_cv', 'add_to_job'], plan: TALEEZ_PLAN, finishRequests: ['POST /candidates/{id}/pools'], uniqueEmail: true },
  {
    v: TALEEZ,
    prefix: '/taleez/0',
    failAt: 'documents',
    failedStep: 'upload_cv',
    doneBefore: ['create'],
    plan: TALEEZ_PLAN,
    finishRequests: ['POST /documents', 'POST /candidates/{id}/jobs', 'POST /candidates/{id}/pools'],
    uniqueEmail: true,
  },
];

/** Refused once, not retried (400): the step fails. */
const failOnce = (match: string): Fault => ({ mode: 'status', status: 400, count: 1, method: 'POST', match, body: { message: 'refused once' } });
const errorText = (o: { msg: any }) => JSON.stringify(o.msg.error ?? o.msg.error_details ?? '').slice(0, 300);

describe('flow: a PARTIAL_PUSH is finished, not repeated', function () {
  this.timeout(20_000);
  const log: string[] = [];
  let sb: Sandbox;
  let dir: string;
  before(async () => {
    sb = await createSandbox({ port: 0, quiet: false, logger: (line) => log.push(line) });
  });
  after(async () => {
    await sb?.close();
  });
  beforeEach(() => {
    sb.reset();
    log.length = 0;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-partial-flow-'));
    helper.settings({ ...testSettings, userDir: dir });
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings(testSettings);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The vendor requests logged since the last call, as `METHOD path` (prefix and query cut). */
  const requests = (prefix: string): string[] => {
    const out = log
      .map((l) => /^\[sandbox\] \d+ (\w+) (\S+) /.exec(l))
      .filter((m): m is RegExpExecArray => !!m && m[2].startsWith(prefix + '/'))
      .map((m) => `${m[1]} ${m[2].slice(prefix.length).replace(/\?.*$/, '')}`);
    log.length = 0;
    return out;
  };
  /** The ledger entry of the vendor, read in the LevelDB ledger of the user directory. */
  const entry = async (vendor: string): Promise<LedgerEntry> => {
    const store = new LevelLedgerStore(path.join(dir, 'hrflow-connectors'));
    try {
      const entries = await store.recent({ vendor });
      assert.equal(entries.length, 1);
      return entries[0];
    } finally {
      await store.close();
    }
  };

  for (const c of CASES) {
    describe(`${c.v.id}, ${c.failedStep} fails`, () => {
      const state = () => (sb.state as any)[c.v.id];
      const finishPaths = (id: string) => c.finishRequests.map((r) => r.replace('{id}', id));

      /** The first push: caught PARTIAL_PUSH, the candidate created once. */
      async function partial(): Promise<string> {
        sb.setFault(c.v.id, failOnce(c.failAt));
        const first = await run({ profile_key: KEYS.full });
        assert.equal(first.id, 'caught', errorText(first));
        assert.equal(first.msg.error.code, 'PARTIAL_PUSH');
        assert.equal(first.msg.error_details.step, c.failedStep);
        assert.deepEqual(first.msg.error_details.steps.map((s: { step: string }) => s.step), c.doneBefore, 'the steps done, in msg.error_details');
        assert.equal(state().candidates.length, 1);
        const id = String(first.msg.candidate_id);
        assert.equal(id, String(state().candidates[0].id));
        const e = await entry(c.v.id);
        assert.equal(e.outcome, 'partial');
        assert.equal(e.candidateId, id);
        assert.deepEqual(e.steps, [...c.doneBefore.map((step) => ({ step, status: 'done' })), { step: c.failedStep, status: 'failed' }]);
        requests(c.prefix);
        return id;
      }

      it('pushed again: only the missing steps, on the recorded candidate; out with its id; the entry becomes pushed', async () => {
        await load(sb, c.v);
        const id = await partial();
        const second = await run({ profile_key: KEYS.full });
        assert.equal(second.id, 'out', errorText(second));
        assert.notEqual(second.msg.already_pushed, true);
        assert.equal(String(second.msg.candidate_id), id);
        assert.deepEqual(second.msg.steps.map((s: { step: string }) => s.step), c.plan);
        assert.deepEqual(requests(c.prefix), finishPaths(id), 'no second create, no step done twice');
        assert.equal(state().candidates.length, 1);
        const e = await entry(c.v.id);
        assert.equal(e.outcome, 'pushed');
        assert.equal(e.candidateId, id);
        assert.deepEqual(e.steps, c.plan.map((step) => ({ step, status: 'done' })));
        // Then a duplicate like any other: skipped, nothing sent.
        const third = await run({ profile_key: KEYS.full });
        assert.equal(third.id, 'out', errorText(third));
        assert.equal(third.msg.already_pushed, true);
        assert.equal(String(third.msg.candidate_id), id);
        assert.deepEqual(requests(c.prefix), []);
      });

      it('a finish that fails again stays partial, on the same candidate', async () => {
        await load(sb, c.v);
        const id = await partial();
        sb.setFault(c.v.id, failOnce(finishPaths(id)[0].replace(/^POST /, '')));
        const second = await run({ profile_key: KEYS.full });
        assert.equal(second.id, 'caught', errorText(second));
        assert.equal(second.msg.error.code, 'PARTIAL_PUSH');
        assert.equal(String(second.msg.candidate_id), id);
        assert.deepEqual(requests(c.prefix), finishPaths(id).slice(0, 1), 'no create');
        const e = await entry(c.v.id);
        assert.equal(e.outcome, 'partial');
        assert.equal(e.candidateId, id);
        assert.equal(state().candidates.length, 1);
        // The third time it works.
        const third = await run({ profile_key: KEYS.full });
        assert.equal(third.id, 'out', errorText(third));
        assert.equal(String(third.msg.candidate_id), id);
        assert.equal((await entry(c.v.id)).outcome, 'pushed');
      });

      it('on_duplicate error: a partial push is finished too (then ALREADY_PUSHED)', async () => {
        await load(sb, c.v, { push: { on_duplicate: 'error' } });
        const id = await partial();
        const second = await run({ profile_key: KEYS.full });
        assert.equal(second.id, 'out', errorText(second));
        assert.equal(String(second.msg.candidate_id), id);
        assert.deepEqual(requests(c.prefix), finishPaths(id));
        const third = await run({ profile_key: KEYS.full });
        assert.equal(third.id, 'caught');
        assert.equal(third.msg.error.code, 'ALREADY_PUSHED');
        assert.equal(String(third.msg.candidate_id), id);
      });

      it('on_duplicate push: pushed again in full (a create is sent)', async () => {
        await load(sb, c.v, { push: { on_duplicate: 'push' } });
        const id = await partial();
        const second = await run({ profile_key: KEYS.full });
        assert.equal(requests(c.prefix)[0], 'POST ' + (c.v.id === 'taleez' ? '/candidates' : '/jobs/job-42/candidates'), 'a create');
        if (c.uniqueEmail) {
          assert.equal(second.id, 'caught');
          assert.equal(second.msg.error.code, 'VENDOR_REJECTED', 'the vendor itself refuses the same mail');
          assert.equal(state().candidates.length, 1);
        } else {
          assert.equal(second.id, 'out', errorText(second));
          assert.notEqual(String(second.msg.candidate_id), id);
          assert.equal(state().candidates.length, 2);
        }
      });
    });
  }
});
