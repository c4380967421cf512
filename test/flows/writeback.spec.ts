/**
 * hrflow-writeback (issue 12) in a real Node-RED runtime against the sandbox: read → logic → push → write-back,
 * for each of the five vendors. What the write-back recorded is read back from the sandbox's HrFlow emulator
 * with a real GET /profile/indexing; what it sent is in the sandbox's log of profile updates.
 *
 * The push ledger is one per Node-RED runtime (it outlives a test): each test pushes its own copy of the full
 * sample profile, under a key of its own, carrying metadatas and tags of its own that must be kept.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { HrflowClient } from '../../src/hrflow/client';
import { parseRecord, type NameValue } from '../../src/hrflow/writeback';
import type { HrflowState, Sandbox } from '../../src/sandbox';
import { repoRoot } from '../helpers/fixtures';
import { allNodes, assertNoSecrets, coreNode, firstOf, helper, onTab, TAB, type FlowNode } from '../helpers/red';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';
import { buildFlow, sandboxVendor, type VendorUnderTest } from './push-common';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { demoFlow, demoOptions } = require(path.join(repoRoot, 'scripts', 'demo-flow.js'));

interface WritebackVendor {
  v: VendorUnderTest;
  /** msg.target of a push with pushProps(). */
  target: string;
  /** Another target of the same vendor (msg overrides) and its canonical form. */
  other: { msg: Record<string, unknown>; target: string };
  /** The vendor refuses the same e-mail twice (Taleez). */
  uniqueEmail?: boolean;
}

const VENDORS: WritebackVendor[] = [
  {
    v: sandboxVendor('smartrecruiters'),
    target: 'job_id=job-42',
    other: { msg: { job_id: 'job-43' }, target: 'job_id=job-43' },
  },
  {
    // The offers in another order than the target's canonical one.
    v: sandboxVendor('recruitee', { pushProps: () => ({ offer_ids: '202, 101' }) }),
    target: 'offer_ids=101,202',
    other: { msg: { offer_ids: [303] }, target: 'offer_ids=303' },
  },
  {
    v: sandboxVendor('broadbean'),
    target: 'job_id=JOB-1|shortlist_id=SL-9',
    other: { msg: { job_id: 'JOB-2' }, target: 'job_id=JOB-2|shortlist_id=SL-9' },
  },
  {
    v: sandboxVendor('flatchr'),
    target: 'vacancy=dev-backend-h-f',
    other: { msg: { vacancy: 'demo-developer-h-f' }, target: 'vacancy=demo-developer-h-f' },
  },
  {
    v: sandboxVendor('taleez'),
    target: 'job_id=101|pool_ids=201,202|recruiter_id=15886',
    other: { msg: { job_id: 102 }, target: 'job_id=102|pool_ids=201,202|recruiter_id=15886' },
    uniqueEmail: true,
  },
];

/** What the test profiles carry before any write-back: kept as they are. */
const SEEDED_METADATAS: NameValue[] = [
  { name: 'cover_letter', value: 'I would love to join.' },
  { name: 'ats:legacy-vendor', value: 'not written by us: kept' },
];
const SEEDED_TAGS: NameValue[] = [{ name: 'skill_level', value: 'senior' }];

let copies = 0;
/** A copy of the full sample profile under a key of its own (the ledger knows every pushed key), seeded. */
function freshProfile(sb: Sandbox, extra: Record<string, unknown> = {}): string {
  const full = sb.getProfile(SOURCE_KEY, KEYS.full);
  assert.ok(full);
  const key = createHash('sha1').update(`writeback-test-${process.pid}-${copies++}`).digest('hex');
  sb.addProfile(SOURCE_KEY, { ...full, key, metadatas: SEEDED_METADATAS, tags: SEEDED_TAGS, ...extra });
  return key;
}

/** The profile as HrFlow answers it now (a real GET against the sandbox). */
function readBack(sb: Sandbox, key: string) {
  const client = new HrflowClient({ api_secret: sb.credentials.hrflowApiKey, api_user: sb.credentials.hrflowUser, base_url: sb.urls.hrflow }, { retries: 0 });
  return client.getProfile(SOURCE_KEY, key);
}

const hrflowState = (sb: Sandbox) => sb.state.hrflow as HrflowState;
const ours = (list: unknown) => (Array.isArray(list) ? (list as NameValue[]) : []).filter((e) => e.name.startsWith('ats:') && parseRecord(e));

/** read → logic → push → write-back → out, and a catch. */
async function loadWriteback(
  sb: Sandbox,
  v: VendorUnderTest,
  opts: { push?: Record<string, unknown>; writeback?: Record<string, unknown>; hrflowSecret?: string } = {},
): Promise<void> {
  const { nodes, credentials } = buildFlow(sb, v, { push: { wires: [['wb']], ...opts.push }, hrflowSecret: opts.hrflowSecret });
  // Before the Catch node: Node-RED stops a flow's nodes in order, and a stopped Catch node hears nothing.
  nodes.splice(nodes.findIndex((n) => n.id === 'push') + 1, 0, { id: 'wb', type: 'hrflow-writeback', z: TAB, x: 100, y: 100, api: 'api', store_as: 'metadatas', timeout: 2000, wires: [['out']], ...opts.writeback });
  await helper.load(allNodes, nodes, credentials);
}

/** Inject at the profile node; the one outcome (out, filtered or caught). */
function run(msg: Record<string, unknown>, ms = 5000) {
  const outcome = firstOf(['out', 'filtered', 'caught'], ms);
  helper.getNode('prof').receive({ source_key: SOURCE_KEY, ...msg });
  return outcome;
}

describe('hrflow-writeback: records the push on the HrFlow profile (sandbox)', function () {
  this.timeout(15_000);
  const ctx = useSandbox();
  afterEach(async () => {
    await helper.unload();
  });

  for (const { v, target, other, uniqueEmail } of VENDORS) {
    describe(v.id, () => {
      it('records vendor, candidate id, target and time in the profile metadatas, keeping every other metadata and tag', async () => {
        const sb = ctx.sb;
        const key = freshProfile(sb);
        await loadWriteback(sb, v);
        const before = Date.now();
        const { id, msg } = await run({ profile_key: key });
        assert.equal(id, 'out', JSON.stringify(msg.error ?? msg.error_details ?? {}).slice(0, 400));
        assert.equal(msg.vendor, v.id);
        assert.equal(msg.target, target, 'the push node says where it pushed');
        const candidate = String(msg.candidate_id);
        assert.ok(candidate && candidate !== 'undefined');
        assert.deepEqual(
          { ...msg.writeback, at: undefined },
          { source_key: SOURCE_KEY, profile_key: key, vendor: v.id, candidate_id: candidate, target, store_as: 'metadatas', name: `ats:${v.id}:${target}`, at: undefined, action: 'created' },
        );
        assert.ok(Date.parse(msg.writeback.at) >= before - 1000 && Date.parse(msg.writeback.at) <= Date.now() + 1000, msg.writeback.at);
        assert.ok(msg.payload && typeof msg.payload === 'object', 'msg.payload is still the vendor answer');

        const profile = await readBack(sb, key);
        assert.deepEqual(profile.metadatas?.slice(0, 2), SEEDED_METADATAS, 'the other metadatas are kept, in place');
        assert.deepEqual(profile.tags, SEEDED_TAGS, 'the tags are untouched');
        assert.equal(profile.metadatas?.length, 3);
        const entry = profile.metadatas?.[2] as NameValue;
        assert.equal(entry.name, `ats:${v.id}:${target}`);
        assert.deepEqual(parseRecord(entry), { vendor: v.id, candidate_id: candidate, target, at: msg.writeback.at });

        // The request: one PUT changing only the metadatas of that profile.
        const updates = hrflowState(sb).updates;
        assert.equal(updates.length, 1);
        assert.deepEqual(updates[0].fields, ['metadatas']);
        assert.deepEqual(Object.keys(updates[0].body as object).sort(), ['key', 'metadatas', 'source_key']);
        assert.equal(updates[0].key, key);
        assert.deepEqual(hrflowState(sb).rejections, []);
      });

      it('a second write-back of the same push (a duplicate skipped by the push node) changes nothing and adds nothing', async () => {
        const sb = ctx.sb;
        const key = freshProfile(sb);
        await loadWriteback(sb, v);
        const first = await run({ profile_key: key });
        assert.equal(first.id, 'out', JSON.stringify(first.msg.error ?? {}));
        const second = await run({ profile_key: key });
        assert.equal(second.id, 'out', JSON.stringify(second.msg.error ?? {}));
        assert.equal(second.msg.already_pushed, true, 'the push node skipped it');
        assert.equal(String(second.msg.candidate_id), String(first.msg.candidate_id));
        assert.equal(second.msg.writeback.action, 'unchanged');
        assert.equal(second.msg.writeback.at, first.msg.writeback.at, 'the first time is kept');
        assert.equal(hrflowState(sb).updates.length, 1, 'no second PUT');
        const profile = await readBack(sb, key);
        assert.equal(ours(profile.metadatas).length, 1, JSON.stringify(profile.metadatas));
        assert.equal((sb.state as any)[v.id].candidates.length, 1);
      });

      it('another target of the same vendor is another entry; the same target pushed again replaces its entry', async function () {
        const sb = ctx.sb;
        const key = freshProfile(sb);
        await loadWriteback(sb, v, { push: { on_duplicate: 'push' } });
        const first = await run({ profile_key: key });
        assert.equal(first.id, 'out', JSON.stringify(first.msg.error ?? {}));
        const elsewhere = await run({ profile_key: key, ...other.msg });
        assert.equal(elsewhere.id, uniqueEmail ? 'caught' : 'out', JSON.stringify(elsewhere.msg.error ?? {}));
        let profile = await readBack(sb, key);
        if (uniqueEmail) {
          // Taleez refuses the e-mail it already holds: the push fails, and nothing is written back.
          assert.equal(elsewhere.msg.error.source.id, 'push');
          assert.deepEqual(ours(profile.metadatas).map((e) => e.name), [`ats:${v.id}:${target}`]);
          return;
        }
        assert.equal(elsewhere.msg.target, other.target);
        assert.deepEqual(ours(profile.metadatas).map((e) => e.name), [`ats:${v.id}:${target}`, `ats:${v.id}:${other.target}`]);
        // The same target again (on_duplicate push): a new candidate, whose id replaces the first one's.
        const again = await run({ profile_key: key });
        assert.equal(again.id, 'out', JSON.stringify(again.msg.error ?? {}));
        assert.equal(again.msg.already_pushed, undefined);
        profile = await readBack(sb, key);
        const entries = ours(profile.metadatas);
        assert.deepEqual(entries.map((e) => e.name), [`ats:${v.id}:${target}`, `ats:${v.id}:${other.target}`], 'replaced in place, not duplicated');
        assert.equal(parseRecord(entries[0])?.candidate_id, String(again.msg.candidate_id));
        assert.equal(again.msg.writeback.action, String(again.msg.candidate_id) === String(first.msg.candidate_id) ? 'unchanged' : 'replaced');
        assert.deepEqual(profile.metadatas?.slice(0, 2), SEEDED_METADATAS);
      });
    });
  }

  it('tags mode: the record goes into the tags, the metadatas are untouched', async () => {
    const sb = ctx.sb;
    const key = freshProfile(sb);
    await loadWriteback(sb, VENDORS[0].v, { writeback: { store_as: 'tags' } });
    const { id, msg } = await run({ profile_key: key });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.equal(msg.writeback.store_as, 'tags');
    const profile = await readBack(sb, key);
    assert.deepEqual(profile.metadatas, SEEDED_METADATAS);
    assert.deepEqual(profile.tags?.[0], SEEDED_TAGS[0]);
    assert.deepEqual(ours(profile.tags).map((e) => parseRecord(e)?.candidate_id), [String(msg.candidate_id)]);
    assert.deepEqual(hrflowState(sb).updates[0].fields, ['tags']);
  });

  it('a profile without metadatas gets a list with the one record', async () => {
    const sb = ctx.sb;
    const key = freshProfile(sb, { metadatas: undefined });
    await loadWriteback(sb, VENDORS[0].v);
    const { id, msg } = await run({ profile_key: key });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    const profile = await readBack(sb, key);
    assert.equal(profile.metadatas?.length, 1);
    assert.equal(profile.metadatas?.[0].name, 'ats:smartrecruiters:job_id=job-42');
  });

  it('five pushes of one profile at once (one per ATS) leave five records: write-backs of a profile do not overwrite each other', async () => {
    const sb = ctx.sb;
    const key = freshProfile(sb);
    const nodes: FlowNode[] = onTab([
      { id: 'api', type: 'hrflow-api', name: 'sandbox', base_url: sb.urls.hrflow },
      { id: 'prof', type: 'hrflow-profile', api: 'api', source_key: SOURCE_KEY, profile_key: '', timeout: 2000, wires: [VENDORS.map((_, i) => `push${i}`)] },
      ...VENDORS.map(({ v }, i) => ({ ...v.account(sb), id: `acc${i}` })),
      ...VENDORS.map(({ v }, i) => ({ id: `push${i}`, type: v.pushType, account: `acc${i}`, timeout: 2000, retries: 2, retry_delay: 10, ...v.pushProps(), wires: [['wb']] })),
      { id: 'wb', type: 'hrflow-writeback', api: 'api', store_as: 'metadatas', timeout: 2000, wires: [['out']] },
      { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ]);
    const credentials: Record<string, Record<string, string>> = { api: { api_secret: sb.credentials.hrflowApiKey, api_user: sb.credentials.hrflowUser } };
    VENDORS.forEach(({ v }, i) => (credentials[`acc${i}`] = v.accountCredentials(sb)));
    await helper.load(allNodes, nodes, credentials);
    const got: Array<{ id: string; msg: any }> = [];
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${got.length} of 5 outcomes`)), 10_000);
      for (const id of ['out', 'caught']) {
        helper.getNode(id).on('input', (msg: any) => {
          got.push({ id, msg });
          if (got.length === 5) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
    });
    helper.getNode('prof').receive({ profile_key: key });
    await done;
    assert.deepEqual(got.filter((g) => g.id !== 'out').map((g) => g.msg.error?.message), []);
    const profile = await readBack(sb, key);
    assert.deepEqual(ours(profile.metadatas).map((e) => parseRecord(e)?.vendor).sort(), VENDORS.map(({ v }) => v.id).sort());
    assert.deepEqual(profile.metadatas?.slice(0, 2), SEEDED_METADATAS);
    assert.equal(hrflowState(sb).updates.length, 5);
  });

  describe('errors', () => {
    const smartrecruiters = VENDORS[0].v;
    /** A message as a push node sends it, straight into the write-back node. */
    const pushed = (key: string) => ({ vendor: 'taleez', candidate_id: '12785', target: 'job_id=101', hrflow: { source_key: SOURCE_KEY, profile_key: key }, topic: 'taleez/12785' });
    const direct = (msg: Record<string, unknown>) => {
      const outcome = firstOf(['out', 'caught'], 5000);
      helper.getNode('wb').receive(msg);
      return outcome;
    };

    it('a message without a candidate id is INVALID_INPUT (catchable), and nothing is sent to HrFlow', async () => {
      const sb = ctx.sb;
      const key = freshProfile(sb);
      await loadWriteback(sb, smartrecruiters);
      const { candidate_id: _c, ...msg } = pushed(key);
      const { id, msg: out } = await direct(msg);
      assert.equal(id, 'caught');
      assert.equal(out.error.code, 'INVALID_INPUT');
      assert.equal(out.error.source.id, 'wb');
      assert.match(out.error.message, /candidate id \(msg\.candidate_id\)/);
      assert.equal(out.error_details.vendor, 'hrflow');
      assert.equal(out.topic, 'taleez/12785', 'the Catch node gets the message');
      assert.equal(hrflowState(sb).requests, 0);
    });

    it('a message without a vendor, or without the profile keys, is INVALID_INPUT naming what is missing', async () => {
      const sb = ctx.sb;
      const key = freshProfile(sb);
      await loadWriteback(sb, smartrecruiters);
      const { vendor: _v, ...noVendor } = pushed(key);
      let r = await direct(noVendor);
      assert.equal(r.id, 'caught');
      assert.equal(r.msg.error.code, 'INVALID_INPUT');
      assert.match(r.msg.error.message, /msg\.vendor/);
      const { hrflow: _h, ...noKeys } = pushed(key);
      r = await direct(noKeys);
      assert.equal(r.id, 'caught');
      assert.equal(r.msg.error.code, 'INVALID_INPUT');
      assert.match(r.msg.error.message, /source key[\s\S]*profile key/);
      assert.equal(hrflowState(sb).requests, 0);
    });

    it('takes the keys from msg.profile (after a logic node) when msg.hrflow is absent', async () => {
      const sb = ctx.sb;
      const key = freshProfile(sb);
      await loadWriteback(sb, smartrecruiters);
      const { hrflow: _h, ...msg } = pushed(key);
      const { id, msg: out } = await direct({ ...msg, profile: { key, source: { key: SOURCE_KEY }, info: {} } });
      assert.equal(id, 'out', JSON.stringify(out.error ?? {}));
      assert.equal(out.writeback.profile_key, key);
      assert.equal(out.writeback.name, 'ats:taleez:job_id=101');
    });

    it('without msg.target, the target is made from the vendor\'s target parameters on the msg', async () => {
      const sb = ctx.sb;
      const key = freshProfile(sb);
      await loadWriteback(sb, smartrecruiters);
      const { target: _t, ...msg } = pushed(key);
      const { id, msg: out } = await direct({ ...msg, pool_ids: '202, 201', job_id: 101, recruiter_id: '7' });
      assert.equal(id, 'out', JSON.stringify(out.error ?? {}));
      assert.equal(out.writeback.target, 'job_id=101|pool_ids=201,202|recruiter_id=7');
    });

    it('a Flatchr push without its applicant id lookup has no candidate id: the write-back is INVALID_INPUT, after the push', async () => {
      const sb = ctx.sb;
      const key = freshProfile(sb);
      await loadWriteback(sb, VENDORS[3].v, { push: { lookup_id: false } });
      const { id, msg } = await run({ profile_key: key });
      assert.equal(id, 'caught');
      assert.equal(msg.error.source.id, 'wb');
      assert.equal(msg.error.code, 'INVALID_INPUT');
      assert.equal((sb.state as any).flatchr.candidates.length, 1, 'the push itself went through');
      assert.equal(hrflowState(sb).updates.length, 0);
    });

    it('a profile HrFlow does not know is HRFLOW_NOT_FOUND, and nothing is updated', async () => {
      const sb = ctx.sb;
      await loadWriteback(sb, smartrecruiters);
      const { id, msg } = await direct(pushed('f'.repeat(40)));
      assert.equal(id, 'caught');
      assert.equal(msg.error.code, 'HRFLOW_NOT_FOUND');
      assert.equal(msg.statusCode, 400);
      assert.equal(hrflowState(sb).updates.length, 0);
    });

    it('a bad HrFlow key is AUTH_FAILED (401), without leaking it', async () => {
      const sb = ctx.sb;
      const key = freshProfile(sb);
      const secret = 'ask_wrong_but_secret_0123456789';
      await loadWriteback(sb, smartrecruiters, { hrflowSecret: secret });
      const { id, msg } = await direct(pushed(key));
      assert.equal(id, 'caught');
      assert.equal(msg.error.code, 'AUTH_FAILED');
      assert.equal(msg.statusCode, 401);
      assertNoSecrets(msg, [secret], 'the error msg');
      assert.equal(hrflowState(sb).updates.length, 0);
    });

    it('no HrFlow account selected is INVALID_CONFIG', async () => {
      const sb = ctx.sb;
      await loadWriteback(sb, smartrecruiters, { writeback: { api: '' } });
      const { id, msg } = await direct(pushed(KEYS.full));
      assert.equal(id, 'caught');
      assert.equal(msg.error.code, 'INVALID_CONFIG');
    });

    it('an update refused with a 503 is retried (the same update twice is the same profile), then recorded once', async () => {
      const sb = ctx.sb;
      const key = freshProfile(sb);
      await loadWriteback(sb, smartrecruiters);
      sb.setFault('hrflow', { mode: 'status', status: 503, count: 1, method: 'PUT' });
      const { id, msg } = await direct(pushed(key));
      assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
      assert.equal(hrflowState(sb).faultsInjected, 1);
      assert.equal(hrflowState(sb).updates.length, 1);
      assert.equal(ours((await readBack(sb, key)).metadatas).length, 1);
    });

    it('a stop with the update in flight: one ABORTED outcome, caught, saying the write-back is safe to send again', async () => {
      const sb = ctx.sb;
      const key = freshProfile(sb);
      await loadWriteback(sb, smartrecruiters, { writeback: { timeout: 10_000 } });
      sb.setFault('hrflow', { mode: 'slow', delayMs: 5000, method: 'PUT' });
      const caught: any[] = [];
      const outs: any[] = [];
      // The Catch node itself: it gets the outcome inside the close, before what follows it is stopped.
      helper.getNode('catch').on('input', (m: any) => caught.push(m));
      helper.getNode('out').on('input', (m: any) => outs.push(m));
      helper.getNode('wb').receive(pushed(key));
      for (let i = 0; i < 200 && hrflowState(sb).faultsInjected < 1; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(hrflowState(sb).faultsInjected, 1, 'the PUT is on its way');
      await helper.clearFlows();
      assert.equal(caught.length, 1);
      assert.equal(caught[0].error.code, 'ABORTED');
      assert.match(caught[0].error.message, /safe to repeat/);
      assert.equal(outs.length, 0);
    });

    it('an update HrFlow refuses as wrong (400) is VENDOR_REJECTED, not retried', async () => {
      const sb = ctx.sb;
      const key = freshProfile(sb);
      await loadWriteback(sb, smartrecruiters);
      sb.setFault('hrflow', { mode: 'status', status: 400, method: 'PUT', body: { code: 400, message: 'Invalid parameters. metadatas' } });
      const { id, msg } = await direct(pushed(key));
      assert.equal(id, 'caught');
      assert.equal(msg.error.code, 'VENDOR_REJECTED');
      assert.equal(msg.error_details.step, 'update_profile');
      assert.equal(hrflowState(sb).faultsInjected, 1);
    });
  });

  it('the npm start demo flow writes every push back: each sample profile names the five ATS; a second click changes nothing', async () => {
    const sb = ctx.sb;
    const opts = demoOptions(sb);
    const { flow } = demoFlow(sb.urls, opts);
    const c = sb.credentials;
    const credentials = {
      'demo-hrflow-api': { api_secret: c.hrflowApiKey, api_user: c.hrflowUser },
      'demo-sr-account': { x_smart_token: c.smartToken },
      'demo-rc-account': { api_token: c.recruiteeToken },
      'demo-bb-account': { secret_key: c.broadbeanSecret },
      'demo-fl-account': { auth: c.flatchrApiKey },
      'demo-tz-account': { x_taleez_api_secret: c.taleezSecret },
    };
    const nodes = flow.map((n: FlowNode) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, wires: [] } : n));
    const core = ['common/20-inject.js', 'common/90-comment.js', 'sequence/17-split.js', 'function/15-change.js'].map(coreNode);
    await helper.load([...allNodes, ...core], nodes, credentials);
    const good: string[] = opts.sampleKeys.slice(0, -1);
    const pushed: any[] = [];
    const errors: any[] = [];
    helper.getNode('demo-debug-pushed').on('input', (m: any) => pushed.push(m));
    helper.getNode('demo-debug-errors').on('input', (m: any) => errors.push(m));
    helper.getNode('demo-inject').receive({});
    for (let i = 0; i < 400 && pushed.length < good.length * 5 && !errors.length; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(errors.map((e) => `${e.error?.source?.type}: ${e.error?.message}`), []);
    assert.equal(pushed.length, good.length * 5);
    assert.ok(pushed.every((m) => m.writeback && m.writeback.vendor === m.vendor));
    for (const key of good) {
      const profile = await readBack(sb, key);
      assert.deepEqual(ours(profile.metadatas).map((e) => parseRecord(e)?.vendor).sort(), ['broadbean', 'flatchr', 'recruitee', 'smartrecruiters', 'taleez'], key);
    }
    // A second click: every push is found in the ledger (nothing sent), and the write-back finds its record already
    // on the profile: it answers unchanged and sends no update to HrFlow.
    const updates = hrflowState(sb).updates.length;
    assert.equal(updates, good.length * 5);
    const before = await Promise.all(good.map(async (key) => ours((await readBack(sb, key)).metadatas)));
    pushed.length = 0;
    helper.getNode('demo-inject').receive({});
    for (let i = 0; i < 400 && pushed.length < good.length * 5 && !errors.length; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(errors.map((e) => `${e.error?.source?.type}: ${e.error?.message}`), []);
    assert.equal(pushed.length, good.length * 5);
    assert.deepEqual(pushed.filter((m) => m.already_pushed !== true || m.writeback?.action !== 'unchanged').map((m) => `${m.topic} ${m.already_pushed} ${m.writeback?.action}`), []);
    assert.equal(hrflowState(sb).updates.length, updates, 'no second update');
    assert.deepEqual(await Promise.all(good.map(async (key) => ours((await readBack(sb, key)).metadatas))), before);
    // The sandbox's reset undoes the write-backs (the sample profiles are as they were).
    sb.reset();
    for (const key of good) assert.deepEqual(ours((await readBack(sb, key)).metadatas), []);
  });
});
