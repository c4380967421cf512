/**
 * on_duplicate `update` and msg.action = "archive" (issue 13) in a real Node-RED runtime against the sandbox, per
 * vendor: the recorded candidate is updated (never created twice) or archived/deleted, the ledger records it, and
 * the emulators (which validate the update and archive requests against the derived specs) count what arrived.
 * Vendors whose API has no update or archive answer UNSUPPORTED.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { LedgerEntry } from '../../src/push/ledger';
import { syntheticProfile } from '../../src/sandbox';
import { allNodes, helper, onTab, testSettings } from '../helpers/red';
import { useHttpNode } from '../helpers/http-node';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';
import { buildFlow, load, runAll, sandboxVendor, until, useDurableLedger, type VendorUnderTest } from './push-common';

interface UpdateVendor {
  v: VendorUnderTest;
  /** The vendor's API has an update (else: UNSUPPORTED). */
  update: boolean;
  /** The vendor's API has an archive or a delete (else: UNSUPPORTED). */
  archive: boolean;
  /** How the emulator's record says the candidate was archived. */
  archivedFlag?: 'deleted' | 'archived';
  /** The text the update body must carry after the profile's phone changed to NEW_PHONE. */
  phoneInUpdate?: string;
}

const NEW_PHONE = '+33699999999';

const VENDORS: UpdateVendor[] = [
  { v: sandboxVendor('smartrecruiters'), update: true, archive: true, archivedFlag: 'deleted', phoneInUpdate: NEW_PHONE },
  { v: sandboxVendor('recruitee'), update: true, archive: true, archivedFlag: 'deleted', phoneInUpdate: NEW_PHONE },
  { v: sandboxVendor('taleez'), update: true, archive: false, phoneInUpdate: NEW_PHONE },
  // Flatchr: the applicant id comes from the lookup (lookup_id), the vacancy must be one the company lists (its id is read by slug).
  { v: sandboxVendor('flatchr', { pushProps: () => ({ vacancy: 'demo-developer-h-f', lookup_id: true, test_mode: false, cv_mode: 'link' }) }), update: true, archive: true, archivedFlag: 'archived', phoneInUpdate: NEW_PHONE },
  { v: sandboxVendor('broadbean'), update: false, archive: false },
];

const run1 = async (m: Record<string, unknown>) => (await runAll([m]))[0];
const errorText = (o: { msg: any }) => JSON.stringify(o.msg.error ?? o.msg.error_details ?? '').slice(0, 400);
const get = (url: string) => helper.request().get(url);

describe('flow: update and archive, for every vendor', function () {
  this.timeout(20_000);
  const ctx = useSandbox();
  afterEach(async () => {
    await helper.unload();
    helper.settings(testSettings);
  });

  /** The full profile with another phone (the sandbox serves it from now on). */
  const changePhone = () => {
    const p = ctx.sb.getProfile(SOURCE_KEY, KEYS.full)!;
    ctx.sb.addProfile(SOURCE_KEY, { ...p, info: { ...p.info, phone: NEW_PHONE } });
  };
  const entries = async (vendor: string): Promise<LedgerEntry[]> => (await get(`/hrflow-connectors/pushes?vendor=${vendor}`).expect(200)).body.items;

  for (const { v, update, archive, archivedFlag, phoneInUpdate } of VENDORS) {
    describe(v.id, () => {
      const state = () => (ctx.sb.state as any)[v.id];
      const loadWith = (push: Record<string, unknown> = {}) => load(ctx.sb, v, { push });

      if (update) {
        it('on_duplicate update: the second push updates the recorded candidate (msg.updated), never a second create; the ledger says updated', async () => {
          await loadWith({ on_duplicate: 'update' });
          const first = await run1({ profile_key: KEYS.full });
          assert.equal(first.id, 'out', errorText(first));
          assert.equal(first.msg.updated, undefined, 'the first push is a create');
          changePhone();
          const second = await run1({ profile_key: KEYS.full });
          assert.equal(second.id, 'out', errorText(second));
          assert.equal(second.msg.updated, true);
          assert.equal(second.msg.already_pushed, undefined);
          assert.equal(String(second.msg.candidate_id), String(first.msg.candidate_id));
          assert.ok(second.msg.statusCode >= 200 && second.msg.statusCode < 300);
          assert.deepEqual(second.msg.steps.map((s: any) => s.step), ['update']);
          assert.equal(state().candidates.length, 1, 'one candidate');
          const updates = state().candidates[0].updates;
          assert.equal(updates?.length, 1, 'one update received');
          if (phoneInUpdate) assert.ok(JSON.stringify(updates[0].body).includes(phoneInUpdate.slice(3)), `the new phone is in the update: ${JSON.stringify(updates[0].body)}`);
          const [entry] = await entries(v.id);
          assert.equal(entry.outcome, 'updated');
          assert.equal(entry.candidateId, String(first.msg.candidate_id));
          assert.ok(entry.steps.some((s) => s.step === 'create') && entry.steps.some((s) => s.step === 'update'), JSON.stringify(entry.steps));
          // The push log's outcome filter knows it.
          assert.equal((await get(`/hrflow-connectors/pushes?vendor=${v.id}&outcome=updated`).expect(200)).body.items.length, 1);
          assert.equal((await get(`/hrflow-connectors/pushes?vendor=${v.id}&outcome=pushed`).expect(200)).body.items.length, 0);
        });

        it('ten copies at once with update: one create, then nine updates one after the other', async () => {
          await loadWith({ on_duplicate: 'update' });
          const outcomes = await runAll(Array.from({ length: 10 }, () => ({ profile_key: KEYS.full })), 15_000);
          assert.deepEqual(outcomes.map((o) => o.id), Array(10).fill('out'), outcomes.map(errorText).join('\n'));
          assert.equal(outcomes.filter((o) => !o.msg.updated).length, 1, 'one create');
          assert.equal(state().candidates.length, 1, 'one candidate at the vendor');
          assert.equal(state().candidates[0].updates?.length, 9, 'nine updates');
          const ids = new Set(outcomes.map((o) => String(o.msg.candidate_id)));
          assert.equal(ids.size, 1);
        });

        it('an update the vendor refuses keeps the recorded entry: the next copy updates again', async () => {
          await loadWith({ on_duplicate: 'update' });
          const first = await run1({ profile_key: KEYS.full });
          assert.equal(first.id, 'out', errorText(first));
          ctx.sb.setFault(v.id, { mode: 'status', status: 400, count: 1, body: { message: 'refused once' } });
          const refused = await run1({ profile_key: KEYS.full });
          assert.equal(refused.id, 'caught');
          assert.equal(refused.msg.error.code, 'VENDOR_REJECTED');
          assert.equal(String(refused.msg.error_details.candidateId), String(first.msg.candidate_id));
          assert.equal((await entries(v.id))[0].outcome, 'pushed', 'the entry is still the create');
          const again = await run1({ profile_key: KEYS.full });
          assert.equal(again.id, 'out', errorText(again));
          assert.equal(again.msg.updated, true);
          assert.equal(state().candidates.length, 1);
        });

        it('an update of a candidate gone from the ATS (404): NOT_FOUND naming it, nothing created, the entry kept', async () => {
          await loadWith({ on_duplicate: 'update' });
          const first = await run1({ profile_key: KEYS.full });
          assert.equal(first.id, 'out', errorText(first));
          ctx.sb.setFault(v.id, { mode: 'status', status: 404, count: 1, body: { message: 'no such candidate' } });
          const o = await run1({ profile_key: KEYS.full });
          assert.equal(o.id, 'caught');
          assert.equal(o.msg.error.code, 'NOT_FOUND');
          assert.match(o.msg.error.message, /no longer in/);
          assert.equal(state().candidates.length, 1, 'nothing created');
          assert.equal((await entries(v.id))[0].outcome, 'pushed');
        });
      } else {
        it('on_duplicate update where the API has no update: UNSUPPORTED for a profile already pushed, nothing sent; a new profile is created', async () => {
          await loadWith({ on_duplicate: 'update' });
          const first = await run1({ profile_key: KEYS.full });
          assert.equal(first.id, 'out', errorText(first));
          const requests = state().requests;
          const second = await run1({ profile_key: KEYS.full });
          assert.equal(second.id, 'caught');
          assert.equal(second.msg.error.code, 'UNSUPPORTED');
          assert.match(second.msg.error.message, /cannot update/);
          assert.equal(state().requests, requests, 'nothing sent');
          assert.equal(state().candidates.length, 1);
        });
      }

      if (archive) {
        it('msg.action archive: the recorded candidate is archived (the ledger says so); again: nothing sent; a later push creates anew', async () => {
          await loadWith();
          const first = await run1({ profile_key: KEYS.full });
          assert.equal(first.id, 'out', errorText(first));
          const archived = await run1({ profile_key: KEYS.full, action: 'archive' });
          assert.equal(archived.id, 'out', errorText(archived));
          assert.equal(archived.msg.archived, true);
          assert.equal(archived.msg.action, 'archive', 'msg.action is kept');
          assert.equal(String(archived.msg.candidate_id), String(first.msg.candidate_id));
          assert.deepEqual(archived.msg.steps.map((s: any) => s.step), ['archive']);
          assert.equal(state().candidates[0][archivedFlag!], true, `the candidate is ${archivedFlag} at the vendor`);
          const [entry] = await entries(v.id);
          assert.equal(entry.outcome, 'archived');
          assert.equal(entry.candidateId, String(first.msg.candidate_id));

          const requests = state().requests;
          const twice = await run1({ profile_key: KEYS.full, action: 'archive' });
          assert.equal(twice.id, 'out', errorText(twice));
          assert.equal(twice.msg.archived, true);
          assert.equal(twice.msg.already_archived, true);
          assert.equal(state().requests, requests, 'an archived candidate is not archived twice');

          // Documented choice: an archived entry no longer counts as pushed (the candidate is gone): a new create.
          const later = await run1({ profile_key: KEYS.full });
          assert.equal(later.id, 'out', errorText(later));
          assert.equal(later.msg.already_pushed, undefined);
          assert.notEqual(String(later.msg.candidate_id), String(first.msg.candidate_id));
          assert.equal(state().candidates.length, 2);
          assert.equal((await entries(v.id))[0].outcome, 'pushed');
        });

        it('msg.action archive without a recorded candidate: NOT_PUSHED, nothing sent', async () => {
          await loadWith();
          const requests = state().requests;
          const o = await run1({ profile_key: KEYS.full, action: 'archive' });
          assert.equal(o.id, 'caught');
          assert.equal(o.msg.error.code, 'NOT_PUSHED');
          assert.match(o.msg.error.message, /never pushed/);
          assert.equal(state().requests, requests);
        });

        it('an archive whose candidate is already gone at the vendor counts as archived', async () => {
          await loadWith();
          const first = await run1({ profile_key: KEYS.full });
          assert.equal(first.id, 'out', errorText(first));
          ctx.sb.setFault(v.id, { mode: 'status', status: 404, count: 1, method: 'DELETE', body: { message: 'gone' } });
          const o = await run1({ profile_key: KEYS.full, action: 'archive' });
          assert.equal(o.id, 'out', errorText(o));
          assert.equal(o.msg.archived, true);
          assert.equal(o.msg.statusCode, 404);
          assert.equal((await entries(v.id))[0].outcome, 'archived');
        });
      } else {
        it('msg.action archive where the API has none: UNSUPPORTED, nothing sent', async () => {
          await loadWith();
          const first = await run1({ profile_key: KEYS.full });
          assert.equal(first.id, 'out', errorText(first));
          const requests = state().requests;
          const o = await run1({ profile_key: KEYS.full, action: 'archive' });
          assert.equal(o.id, 'caught');
          assert.equal(o.msg.error.code, 'UNSUPPORTED');
          assert.match(o.msg.error.message, /cannot archive/);
          assert.equal(state().requests, requests);
        });
      }

      it('an unknown msg.action: INVALID_INPUT, nothing sent', async () => {
        await loadWith();
        const o = await run1({ profile_key: KEYS.full, action: 'delete' });
        assert.equal(o.id, 'caught');
        assert.equal(o.msg.error.code, 'INVALID_INPUT');
        assert.match(o.msg.error.message, /msg\.action/);
        assert.equal(state().requests, 0);
      });
    });
  }
});

describe('flow: update and archive across a stop, and from the webhook', function () {
  this.timeout(30_000);
  const ctx = useSandbox();
  const http = useHttpNode();
  const durable = useDurableLedger('hrflow-update-flow-');
  const sr = () => (ctx.sb.state as any).smartrecruiters;
  const v = sandboxVendor('smartrecruiters');

  it('an update cut by a stop is resumed at the next start: updated once more, never created', async () => {
    await load(ctx.sb, v, { push: { on_duplicate: 'update', upload_cv: false, timeout: 30_000 } });
    const first = await run1({ profile_key: KEYS.full });
    assert.equal(first.id, 'out', errorText(first));
    // The update stalls at the vendor; the flow stops meanwhile.
    ctx.sb.setFault('smartrecruiters', { mode: 'slow', delayMs: 20_000, method: 'PATCH' });
    helper.getNode('prof').receive({ source_key: SOURCE_KEY, profile_key: KEYS.full, topic: 'cut' });
    await until(async () => (await durable.store.pending()).length === 1, 'the update journaled');
    await until(() => sr().requests >= 2, 'the update arrived');
    await helper.unload();
    assert.equal((await durable.store.pending()).length, 1, 'kept for the next start');
    ctx.sb.setFault('smartrecruiters', null);

    const outs: any[] = [];
    const caught: any[] = [];
    const { nodes, credentials } = buildFlow(ctx.sb, v, { push: { on_duplicate: 'update', upload_cv: false, timeout: 30_000 } });
    await helper.load(allNodes, nodes, credentials);
    helper.getNode('out').on('input', (m: any) => outs.push(m));
    helper.getNode('caught').on('input', (m: any) => caught.push(m));
    await until(() => outs.length + caught.length > 0, 'the resumed outcome');
    assert.equal(caught.length, 0, JSON.stringify(caught[0]?.error));
    assert.equal(outs[0].resumed, true);
    assert.equal(outs[0].topic, 'cut');
    assert.equal(outs[0].updated, true);
    assert.equal(String(outs[0].candidate_id), String(first.msg.candidate_id));
    assert.equal(sr().candidates.length, 1, 'never a second create');
    assert.ok((sr().candidates[0].updates?.length ?? 0) >= 1, 'the update arrived (the stalled one may have too)');
    assert.deepEqual(await durable.store.pending(), []);
    const [entry] = await durable.store.recent({ vendor: 'smartrecruiters' });
    assert.equal(entry.outcome, 'updated');
  });

  it('an archive cut by a stop is resumed at the next start: archived once, never created', async () => {
    await load(ctx.sb, v, { push: { upload_cv: false, timeout: 30_000 } });
    const first = await run1({ profile_key: KEYS.full });
    assert.equal(first.id, 'out', errorText(first));
    ctx.sb.setFault('smartrecruiters', { mode: 'slow', delayMs: 20_000, method: 'DELETE' });
    helper.getNode('prof').receive({ source_key: SOURCE_KEY, profile_key: KEYS.full, topic: 'cut', action: 'archive' });
    await until(async () => (await durable.store.pending()).length === 1, 'the archive journaled');
    await until(() => sr().requests >= 2, 'the archive arrived');
    await helper.unload();
    assert.equal((await durable.store.pending())[0]?.msg.action, 'archive', 'kept with its action');
    ctx.sb.setFault('smartrecruiters', null);

    const outs: any[] = [];
    const { nodes, credentials } = buildFlow(ctx.sb, v, { push: { upload_cv: false, timeout: 30_000 } });
    await helper.load(allNodes, nodes, credentials);
    helper.getNode('out').on('input', (m: any) => outs.push(m));
    helper.getNode('caught').on('input', (m: any) => outs.push(m));
    await until(() => outs.length > 0, 'the resumed outcome');
    assert.equal(outs[0].error, undefined, JSON.stringify(outs[0].error));
    assert.equal(outs[0].resumed, true);
    assert.equal(outs[0].archived, true);
    assert.equal(sr().candidates.length, 1, 'never a create');
    assert.equal(sr().candidates[0].deleted, true);
    const [entry] = await durable.store.recent({ vendor: 'smartrecruiters' });
    assert.equal(entry.outcome, 'archived');
  });

  it('an archive event from the webhook → hrflow-profile → push archives the recorded candidate', async () => {
    const secret = 'whsec-update-archive';
    const { nodes, credentials } = buildFlow(ctx.sb, v, { push: { upload_cv: false } });
    nodes.push({ id: 'wh', type: 'hrflow-webhook', z: nodes[0].z, path: '/hrflow/archive-test', events: [], wires: [['prof']] });
    await helper.load(allNodes, nodes, { ...credentials, wh: { webhook_secret: secret } });
    const first = await run1({ profile_key: KEYS.full });
    assert.equal(first.id, 'out', errorText(first));

    const outcome = runAll([], 8000, 1);
    const p = ctx.sb.getProfile(SOURCE_KEY, KEYS.full)!;
    const body = JSON.stringify({ type: 'profile.storing.archive', origin: 'api', message: 'archived', profile: { key: p.key, source: { key: SOURCE_KEY }, updated_at: '2026-12-04T10:00:00+0000' } });
    const res = await fetch(`${http.url}/hrflow/archive-test`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'HTTP-HRFLOW-SIGNATURE': createHmac('sha256', secret).update(body).digest('hex') },
      body,
    });
    assert.equal(res.status, 200);
    const [o] = await outcome;
    assert.equal(o.id, 'out', errorText(o));
    assert.equal(o.msg.action, 'archive');
    assert.equal(o.msg.topic, 'profile.storing.archive');
    assert.equal(o.msg.archived, true);
    assert.equal(String(o.msg.candidate_id), String(first.msg.candidate_id));
    assert.equal(sr().candidates[0].deleted, true);
  });
});

describe('flow: thousands of profiles created, updated and archived over several runs (Recruitee), counted at the emulated ATS', function () {
  this.timeout(180_000);
  const ctx = useSandbox();
  afterEach(async () => {
    await helper.unload();
  });

  const N = 2000;
  const ADDED = 500;

  it(`${N} profiles, then ${N} updated and ${ADDED} new, then every tenth archived, then all again with skip: each counted once per create`, async () => {
    const sb = ctx.sb;
    const v = sandboxVendor('recruitee');
    // Two push nodes on one account and target share the ledger: `update` (and the archives), and `skip`.
    const nodes = onTab([
      v.account(sb),
      { id: 'upd', type: v.pushType, account: 'acc', offer_ids: '101', on_duplicate: 'update', timeout: 30_000, retries: 2, retry_delay: 10, wires: [['out']] },
      { id: 'skip', type: v.pushType, account: 'acc', offer_ids: '101', on_duplicate: 'skip', timeout: 30_000, retries: 2, retry_delay: 10, wires: [['out']] },
      { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ]);
    await helper.load(allNodes, nodes, { acc: v.accountCredentials(sb) });
    const rc = () => (sb.state as any).recruitee;
    // Synthetic profiles without CV (Recruitee would fetch each one): what a source of thousands of profiles gives.
    const profile = (i: number, phone?: string) => {
      const p = syntheticProfile(i) as any;
      return { ...p, attachments: [], info: { ...p.info, ...(phone ? { phone } : {}) } };
    };
    /** Send the messages to a node, `batch` at a time, and collect every outcome. */
    async function runBatch(node: string, msgs: Record<string, unknown>[]): Promise<{ outs: any[]; caught: any[] }> {
      const outs: any[] = [];
      const caught: any[] = [];
      const onOut = (m: any) => outs.push(m);
      const onCaught = (m: any) => caught.push(m);
      helper.getNode('out').on('input', onOut);
      helper.getNode('caught').on('input', onCaught);
      try {
        for (const m of msgs) helper.getNode(node).receive(m);
        await until(() => outs.length + caught.length >= msgs.length, `${msgs.length} outcomes`, 120_000);
      } finally {
        helper.getNode('out').removeListener('input', onOut);
        helper.getNode('caught').removeListener('input', onCaught);
      }
      assert.deepEqual(caught.map((m) => m.error?.message).slice(0, 3), [], 'no error');
      return { outs, caught };
    }
    const ids = (outs: any[]) => new Set(outs.map((m) => String(m.candidate_id)));

    // Run 1: every profile is new.
    const run1 = await runBatch('upd', Array.from({ length: N }, (_, i) => ({ payload: profile(i) })));
    assert.equal(run1.outs.filter((m) => m.updated).length, 0);
    assert.equal(rc().candidates.length, N, 'one create per profile');
    assert.equal(ids(run1.outs).size, N);

    // Run 2: the same profiles (a third with a new phone) and new ones.
    const phone = (i: number) => (i % 3 === 0 ? `+3361${String(i).padStart(7, '0')}` : undefined);
    const run2 = await runBatch('upd', [...Array.from({ length: N }, (_, i) => ({ payload: profile(i, phone(i)) })), ...Array.from({ length: ADDED }, (_, i) => ({ payload: profile(N + i) }))]);
    assert.equal(run2.outs.filter((m) => m.updated).length, N, 'the known profiles are updated');
    assert.equal(rc().candidates.length, N + ADDED, 'only the new profiles are created');
    const updates = rc().candidates.reduce((n: number, c: any) => n + (c.updates?.length ?? 0), 0);
    assert.equal(updates, N, 'one update per known profile at the ATS');
    const byId = new Map<string, any>(rc().candidates.map((c: any) => [String(c.id), c]));
    for (let i = 0; i < N; i += 3) {
      const email = profile(i).info.email;
      const c = rc().candidates.find((x: any) => x.body.candidate.emails?.[0] === email);
      assert.ok(JSON.stringify(byId.get(String(c.id)).updates[0].body).includes(phone(i)!.slice(3)), `profile ${i}: its new phone reached Recruitee`);
    }

    // Run 3: every tenth profile archived (deleted at Recruitee).
    const archivedOnes = Array.from({ length: (N + ADDED) / 10 }, (_, k) => k * 10);
    const run3 = await runBatch('upd', archivedOnes.map((i) => ({ payload: profile(i, phone(i)), action: 'archive' })));
    assert.equal(run3.outs.filter((m) => m.archived && !m.already_archived).length, archivedOnes.length);
    assert.equal(rc().candidates.filter((c: any) => c.deleted).length, archivedOnes.length);

    // Run 4: everything again with `skip`: the archived profiles are created anew, the others skipped.
    const run4 = await runBatch('skip', Array.from({ length: N + ADDED }, (_, i) => ({ payload: profile(i, phone(i)) })));
    assert.equal(run4.outs.filter((m) => m.already_pushed).length, N + ADDED - archivedOnes.length);
    assert.equal(rc().candidates.length, N + ADDED + archivedOnes.length, 'each archived profile created once more, nothing else');
  });
});
