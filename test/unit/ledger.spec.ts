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
});
