import assert from 'node:assert/strict';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';
import { MemoryLedgerStore, PushLedger, ledgerTarget, profileIdentity, type PushIdentity } from '../../src/push/ledger';

const ID: PushIdentity = { vendor: 'acme', account: 'a1', target: 'job_id=1', profile: 'email:x@y.example' };

describe('push ledger', function () {
  it('profile identity: HrFlow keys first, else the e-mail (profile, then payload), else none', function () {
    assert.equal(profileIdentity({ key: 'p', source: { key: 's' }, info: { email: 'A@B.example' } }), 'hrflow:s/p');
    assert.equal(profileIdentity({ key: 'p', info: { email: ' A@B.Example ' } }), 'email:a@b.example');
    assert.equal(profileIdentity(undefined, { candidate: { emails: ['C@D.example'] } }), 'email:c@d.example');
    assert.equal(profileIdentity(undefined, { mail: 'e@f.example' }), 'email:e@f.example');
    assert.equal(profileIdentity({ info: { email: 'not an address' } }), undefined);
    assert.equal(profileIdentity(undefined, {}), undefined);
  });

  it('target: picker/msg params only, sorted by name, lists sorted', function () {
    const fields = [{ name: 'recruiter_id', msg: 'recruiter_id' }, { name: 'pool_ids', msg: 'pool_ids', picker: 'pools' }, { name: 'job_id', picker: 'jobs' }, { name: 'upload_cv' }];
    assert.equal(ledgerTarget(fields, { job_id: 101, pool_ids: [202, 20, 202], recruiter_id: 7, upload_cv: true }), 'job_id=101|pool_ids=20,202|recruiter_id=7');
    assert.equal(ledgerTarget(fields, { job_id: undefined, pool_ids: [] }), '');
  });

  it('a failed attempt never replaces an entry saying a candidate exists', async function () {
    const ledger = new PushLedger(new MemoryLedgerStore());
    await ledger.once(ID, 'push', async () => ({ candidateId: 7, steps: [{ step: 'create', status: 'done' }] }));
    await assert.rejects(ledger.once(ID, 'push', async () => { throw new ConnectorError(ErrorCodes.VENDOR_REJECTED, 'no'); }));
    const entry = await ledger.lookup(ID);
    assert.equal(entry?.outcome, 'pushed');
    assert.equal(entry?.candidateId, '7');
  });

  it('partial counts as pushed with its id; unknown is ALREADY_PUSHED even in skip mode; failed pushes again', async function () {
    const ledger = new PushLedger(new MemoryLedgerStore());
    await assert.rejects(ledger.once(ID, 'skip', async () => { throw new ConnectorError(ErrorCodes.PARTIAL_PUSH, 'half', { candidateId: 9, step: 'upload_cv' }); }));
    const skipped = await ledger.once(ID, 'skip', async () => assert.fail('not pushed again'));
    assert.equal(skipped.pushed, false);
    assert.equal(!skipped.pushed && skipped.entry.candidateId, '9');
    const other = { ...ID, profile: 'email:u@v.example' };
    await assert.rejects(ledger.once(other, 'skip', async () => { throw new ConnectorError(ErrorCodes.OUTCOME_UNKNOWN, 'lost'); }));
    await assert.rejects(ledger.once(other, 'skip', async () => assert.fail('never a blind second create')), (e: ConnectorError) => e.code === 'ALREADY_PUSHED' && e.outcomeUnknown === true);
    const third = { ...ID, profile: 'email:w@v.example' };
    await assert.rejects(ledger.once(third, 'skip', async () => { throw new ConnectorError(ErrorCodes.NETWORK_ERROR, 'down'); }));
    const again = await ledger.once(third, 'skip', async () => ({ candidateId: 'c' }));
    assert.equal(again.pushed, true);
  });

  it('a resumed message whose own push stopped after the create, at a vendor that cannot finish it: PARTIAL_PUSH and a dead letter, never "already pushed"', async function () {
    const store = new MemoryLedgerStore();
    let now = Date.parse('2026-12-03T10:00:00Z');
    const ledger = new PushLedger(store, { now: () => new Date(now) });
    const accepted = new Date(now).toISOString();
    await store.journal({ id: 'r1', node: 'n', vendor: 'acme', state: 'sent', sentAt: now, msg: { topic: 't' }, accepted });
    // The first run: created, then a later step cut by the stop (kept for the next start).
    const stopped = new ConnectorError(ErrorCodes.ABORTED, 'stopped', { candidateId: 'c9', step: 'upload_cv' });
    let closed = false;
    const cut = async () => {
      closed = true; // the node closes (stop, not removed) while the later step runs
      throw stopped;
    };
    await assert.rejects(ledger.once(ID, 'skip', cut, 'Acme', { keep: () => closed, settle: (x) => store.settle('r1', x) }));
    assert.equal((await ledger.lookup(ID))?.outcome, 'partial');
    assert.equal((await store.pending()).length, 1, 'kept for the next start');
    now += 1000;
    const settle = (x: any) => store.settle('r1', x);
    const dead = (err: unknown) => ({ id: 'r1', node: 'n', vendor: 'acme', code: (err as ConnectorError).code, message: (err as Error).message, msg: { topic: 't' }, at: new Date(now).toISOString() });
    await assert.rejects(
      ledger.once(ID, 'skip', async () => assert.fail('nothing is sent'), 'Acme', { resumed: { sentAt: now - 1000, accepted }, settle, dead }),
      (e: ConnectorError) => e.code === 'PARTIAL_PUSH' && e.candidateId === 'c9' && /upload_cv did not run/.test(e.message),
    );
    assert.deepEqual(await store.pending(), []);
    assert.deepEqual((await store.deadLetters()).map((d) => [d.id, d.code]), [['r1', 'PARTIAL_PUSH']]);
    // Another message of the same profile, later: the entry counts as pushed (skip), as before.
    const later = await ledger.once(ID, 'skip', async () => assert.fail('nothing is sent'), 'Acme');
    assert.equal(later.pushed, false);
  });

  describe('update and archive', function () {
    const created = async () => ({ candidateId: 'c1', steps: [{ step: 'create', status: 'done' }] });

    it('update: no entry is a create; a recorded push is updated on its candidate (plan.update), recorded `updated` with both steps', async function () {
      const ledger = new PushLedger(new MemoryLedgerStore());
      const first = await ledger.once(ID, 'update', async (plan) => {
        assert.equal(plan.update, undefined, 'no entry: a create');
        return created();
      }, 'Acme', { updatable: true });
      assert.equal(first.pushed && first.updated, undefined);
      const second = await ledger.once(ID, 'update', async (plan) => {
        assert.deepEqual(plan.update, { candidateId: 'c1' });
        return { candidateId: 'c1', steps: [{ step: 'update', status: 'done' }] };
      }, 'Acme', { updatable: true });
      assert.equal(second.pushed && second.updated, true);
      const entry = await ledger.lookup(ID);
      assert.equal(entry?.outcome, 'updated');
      assert.equal(entry?.candidateId, 'c1');
      assert.deepEqual(entry?.steps.map((s) => s.step), ['create', 'update']);
    });

    it('update where the vendor has none: UNSUPPORTED, nothing run, the entry kept; an unknown entry stays ALREADY_PUSHED', async function () {
      const ledger = new PushLedger(new MemoryLedgerStore());
      await ledger.once(ID, 'update', created, 'Acme', { updatable: false });
      await assert.rejects(ledger.once(ID, 'update', async () => assert.fail('not run'), 'Acme', { updatable: false }), (e: ConnectorError) => e.code === 'UNSUPPORTED' && /cannot update/.test(e.message));
      assert.equal((await ledger.lookup(ID))?.outcome, 'pushed');
      const other = { ...ID, profile: 'email:u@v.example' };
      await assert.rejects(ledger.once(other, 'skip', async () => { throw new ConnectorError(ErrorCodes.OUTCOME_UNKNOWN, 'lost'); }));
      await assert.rejects(ledger.once(other, 'update', async () => assert.fail('no id to update'), 'Acme', { updatable: true }), (e: ConnectorError) => e.code === 'ALREADY_PUSHED');
    });

    it('a failed update keeps the entry (never partial), names the candidate, and gives its dead letter', async function () {
      const ledger = new PushLedger(new MemoryLedgerStore());
      await ledger.once(ID, 'skip', created);
      const deads: unknown[] = [];
      await assert.rejects(
        ledger.once(ID, 'update', async () => { throw new ConnectorError(ErrorCodes.VENDOR_REJECTED, 'no'); }, 'Acme', { updatable: true, settle: async (s) => void deads.push(s.dead), dead: (err) => ({ id: 'd', node: 'n', vendor: 'acme', code: (err as ConnectorError).code, message: 'no', msg: {}, at: '' }) }),
        (e: ConnectorError) => e.code === 'VENDOR_REJECTED' && e.candidateId === 'c1',
      );
      assert.equal((await ledger.lookup(ID))?.outcome, 'pushed');
      assert.equal(deads.length, 1);
    });

    it('ten updates at once run one after the other on the one candidate', async function () {
      const ledger = new PushLedger(new MemoryLedgerStore());
      let running = 0;
      let creates = 0;
      const work = async (plan: { update?: { candidateId: string } }) => {
        assert.equal(++running, 1, 'serialized');
        await new Promise((r) => setTimeout(r, 2));
        running--;
        if (!plan.update) creates++;
        return { candidateId: plan.update?.candidateId ?? 'c1', steps: [{ step: plan.update ? 'update' : 'create', status: 'done' }] };
      };
      const all = await Promise.all(Array.from({ length: 10 }, () => ledger.once(ID, 'update', work, 'Acme', { updatable: true })));
      assert.equal(creates, 1);
      assert.equal(all.filter((o) => o.pushed && o.updated).length, 9);
    });

    it('archive: NOT_PUSHED without a candidate; archived once (plan.archive), then nothing sent; an archived entry no longer counts as pushed', async function () {
      const ledger = new PushLedger(new MemoryLedgerStore());
      await assert.rejects(ledger.once(ID, 'skip', async () => assert.fail('not run'), 'Acme', { action: 'archive' }), (e: ConnectorError) => e.code === 'NOT_PUSHED' && /never pushed/.test(e.message));
      await ledger.once(ID, 'skip', created);
      const archived = await ledger.once(ID, 'skip', async (plan) => {
        assert.deepEqual(plan.archive, { candidateId: 'c1' });
        return { candidateId: 'c1', steps: [{ step: 'archive', status: 'done' }] };
      }, 'Acme', { action: 'archive' });
      assert.equal(archived.pushed && archived.archived, true);
      assert.equal((await ledger.lookup(ID))?.outcome, 'archived');
      const again = await ledger.once(ID, 'skip', async () => assert.fail('not archived twice'), 'Acme', { action: 'archive' });
      assert.equal(again.pushed, false);
      assert.equal(!again.pushed && again.entry.outcome, 'archived');
      // Pushed again after the archive: a create, recorded `pushed`.
      const later = await ledger.once(ID, 'skip', async (plan) => {
        assert.deepEqual(plan, {}, 'a plain create');
        return { candidateId: 'c2', steps: [] };
      });
      assert.equal(later.pushed, true);
      assert.equal((await ledger.lookup(ID))?.candidateId, 'c2');
    });

    it('a failed archive keeps the entry; a failed or unknown push cannot be archived', async function () {
      const ledger = new PushLedger(new MemoryLedgerStore());
      await ledger.once(ID, 'skip', created);
      await assert.rejects(ledger.once(ID, 'skip', async () => { throw new ConnectorError(ErrorCodes.TIMEOUT, 'slow'); }, 'Acme', { action: 'archive' }), (e: ConnectorError) => e.code === 'TIMEOUT');
      assert.equal((await ledger.lookup(ID))?.outcome, 'pushed');
      const other = { ...ID, profile: 'email:u@v.example' };
      await assert.rejects(ledger.once(other, 'skip', async () => { throw new ConnectorError(ErrorCodes.OUTCOME_UNKNOWN, 'lost'); }));
      await assert.rejects(ledger.once(other, 'skip', async () => assert.fail('not run'), 'Acme', { action: 'archive' }), (e: ConnectorError) => e.code === 'NOT_PUSHED' && /without an answer/.test(e.message));
    });
  });
});
