/**
 * Push nodes on a shared Redis store (issue 14), in a real Node-RED runtime against the sandbox and a real
 * redis-server: the ledger, outbox and rate limit live in Redis; another instance is played by a second
 * RedisLedgerStore on the same prefix (the real multi-process runs: test/e2e/ha-cli.spec.ts, bench/ha.js).
 */
import assert from 'node:assert/strict';
import { ErrorCodes } from '../../src/core/errors';
import { RedisLedgerStore } from '../../src/push/redis-store';
import { journalJson, outboxRecord } from '../../src/push/outbox';
import { allNodes, helper, testSettings } from '../helpers/red';
import { useRedisServer } from '../helpers/redis';
import { profiles } from '../helpers/fixtures';
import { KEYS, useSandbox } from '../helpers/sandbox';
import { buildFlow, run, runAll, sandboxVendor, until } from './push-common';

const v = sandboxVendor('smartrecruiters');
const errorText = (o: { msg: any }) => JSON.stringify(o.msg.error ?? '').slice(0, 300);

describe('flow: push nodes on a shared Redis store', function () {
  this.timeout(30_000);
  const ctx = useSandbox();
  const redis = useRedisServer({ persist: true });
  let prefix = '';
  let n = 0;
  const others: RedisLedgerStore[] = [];
  /** Another instance's view of the same store. */
  const other = (owner = 'other-instance', leaseMs = 30_000) => {
    const s = new RedisLedgerStore({ url: redis().url, prefix, owner, leaseMs });
    others.push(s);
    return s;
  };
  const state = () => (ctx.sb.state as any).smartrecruiters;

  beforeEach(() => {
    prefix = `flow-${process.pid}-${++n}:`;
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings(testSettings);
    for (const s of others.splice(0)) await s.close();
  });

  async function load(settings: Record<string, unknown> = {}, push: Record<string, unknown> = {}, storeNode: Record<string, unknown> = {}) {
    helper.settings({ ...testSettings, hrflowInstanceId: 'this-instance', ...settings });
    const { nodes, credentials } = buildFlow(ctx.sb, v, { push: { store: 'st', ...push } });
    nodes.push({ id: 'st', type: 'hrflow-store', z: '', mode: 'redis', url: redis().url, prefix, ...storeNode } as any);
    await helper.load(allNodes, nodes, credentials);
  }

  it('records the push in Redis: a copy is already pushed, and another instance sees the entry', async () => {
    await load();
    const first = await run({ profile_key: KEYS.full });
    assert.equal(first.id, 'out', errorText(first));
    const second = await run({ profile_key: KEYS.full });
    assert.equal(second.id, 'out', errorText(second));
    assert.equal(second.msg.already_pushed, true);
    assert.equal(state().candidates.length, 1);
    const entries = await other().recent({ vendor: 'smartrecruiters' });
    assert.equal(entries.length, 1, 'one entry in Redis');
    assert.equal(entries[0].outcome, 'pushed');
    assert.equal(String(entries[0].candidateId), String(first.msg.candidate_id));
    assert.equal((await other().counts()).pending, 0, 'the outbox is empty once settled');
  });

  it('a profile another instance is pushing (its claim) waits, then finds that push: no second create', async () => {
    await load();
    const first = await run({ profile_key: KEYS.full });
    assert.equal(first.id, 'out', errorText(first));
    // The entry is there: a claim held by another instance delays the copy until it is released.
    const entries = await other().recent({});
    const key = entries[0].key;
    const theirs = other();
    assert.equal(await theirs.claim(key, 'other-instance', 10_000), true);
    const copy = run({ profile_key: KEYS.full }, 6000);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await theirs.claimedBy(key), 'other-instance', 'still theirs: the copy waits');
    await theirs.release(key, 'other-instance');
    const outcome = await copy;
    assert.equal(outcome.id, 'out', errorText(outcome));
    assert.equal(outcome.msg.already_pushed, true);
    assert.equal(state().candidates.length, 1);
  });

  it('the HrFlow sidebar reads the shared store: the stores listed, its pushes and dead letters by ?store=', async () => {
    await load();
    const first = await run({ profile_key: KEYS.full });
    assert.equal(first.id, 'out', errorText(first));
    const stores = await helper.request().get('/hrflow-connectors/stores').expect(200);
    assert.deepEqual(stores.body.items.map((st: any) => [st.id, st.mode, st.state]), [['st', 'redis', 'up']]);
    assert.doesNotMatch(JSON.stringify(stores.body), /password/i);
    const shared = await helper.request().get('/hrflow-connectors/pushes?store=st').expect(200);
    assert.equal(shared.body.items.length, 1);
    assert.equal(String(shared.body.items[0].candidateId), String(first.msg.candidate_id));
    const embedded = await helper.request().get('/hrflow-connectors/pushes').expect(200);
    assert.equal(embedded.body.items.length, 0, 'the runtime ledger has none: the push went to Redis');
    // A dead letter in the shared store: listed, discarded through the same parameter.
    const dead = other();
    const kept = journalJson({ _msgid: 'm-x', payload: { info: { email: 'x@example.com' } } })!;
    const rec = outboxRecord('push', 'smartrecruiters', kept);
    await dead.journal(rec);
    await dead.settle(rec.id, { dead: { id: 'd-1', node: 'push', vendor: 'smartrecruiters', code: 'VENDOR_REJECTED', message: 'no', at: new Date().toISOString(), msg: { _msgid: 'm-x' } } as any });
    const letters = await helper.request().get('/hrflow-connectors/dead-letters?store=st').expect(200);
    assert.deepEqual(letters.body.items.map((d: any) => d.id), ['d-1']);
    await helper.request().delete('/hrflow-connectors/dead-letters/d-1?store=st').expect(200);
    assert.equal((await dead.deadLetters()).length, 0);
    await helper.request().get('/hrflow-connectors/pushes?store=nope').expect(400);
  });

  it('the account rate limit is the shared one (its keys in Redis)', async () => {
    await load();
    const first = await run({ profile_key: KEYS.full });
    assert.equal(first.id, 'out', errorText(first));
    const keys = await (other() as any).redis.run('keys', (r: any) => r.keys(`${prefix}limit:*`));
    assert.ok(keys.length > 0, `rate limit keys under ${prefix}limit:`);
  });

  it("a dead instance's unfinished push is taken over once its lease lapses, and pushed once", async () => {
    await load({ hrflowStoreLeaseMs: 1500 });
    // The dead instance had journaled a message for this push node (same flows: same node id), then died.
    const dead = other('dead-instance', 300);
    const kept = journalJson({ _msgid: 'm-dead', payload: { ...profiles.full(), attachments: [] }, marker: 'from-the-dead' });
    assert.ok(kept);
    const record = outboxRecord('push', 'smartrecruiters', kept);
    const resumed = new Promise<any>((resolve) => {
      for (const id of ['out', 'caught']) helper.getNode(id).on('input', (m: any) => m.resumed && resolve({ ...m, at: id }));
    });
    await dead.journal(record);
    await dead.close(); // no more renewals: its lease lapses after 300 ms
    const msg = await resumed;
    assert.equal(msg.at, 'out', JSON.stringify(msg.error));
    assert.equal(msg.marker, 'from-the-dead');
    assert.ok(msg.candidate_id, 'pushed');
    assert.equal(state().candidates.length, 1);
    await until(async () => (await other().counts()).pending === 0, 'the taken-over record settled');
    // Taken once: another tick does not send it again.
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(state().candidates.length, 1);
  });

  it('Redis restarted while messages are in flight: every message one outcome, each profile created once', async () => {
    await load();
    const msgs = [KEYS.full, KEYS.minimal, KEYS.full, KEYS.minimal].map((k) => ({ profile_key: k }));
    const outcomes = runAll(msgs, 20_000);
    await redis().restart();
    const got = await outcomes;
    assert.deepEqual(got.map((o) => o.id), ['out', 'out', 'out', 'out'], got.map(errorText).join('\n'));
    assert.equal(state().candidates.length, 2, 'two profiles, two candidates');
  });

  it('Redis down longer than the wait: STORE_UNAVAILABLE caught with the message, a red status, nothing created; back: pushes again', async () => {
    await load({ hrflowStoreWaitMs: 600 });
    await redis().stop();
    const statuses: any[] = [];
    helper.getNode('push').on('call:status', (call: any) => statuses.push(call.args[0]));
    const outcome = await run({ profile_key: KEYS.full, marker: 'kept-msg' }, 8000);
    assert.equal(outcome.id, 'caught');
    assert.equal(outcome.msg.error.code ?? outcome.msg.error?.source?.code ?? outcome.msg.code, ErrorCodes.STORE_UNAVAILABLE, errorText(outcome));
    assert.equal(outcome.msg.marker, 'kept-msg', 'the message is in the error');
    assert.equal(state().candidates.length, 0);
    assert.ok(statuses.some((st) => st?.fill === 'red' && /STORE_UNAVAILABLE/.test(String(st.text))), `a red status: ${JSON.stringify(statuses)}`);
    await redis().start();
    const after = await run({ profile_key: KEYS.full }, 8000);
    assert.equal(after.id, 'out', errorText(after));
    assert.equal(state().candidates.length, 1);
  });

  it('a store property naming no hrflow-store: INVALID_CONFIG, caught, nothing sent', async () => {
    helper.settings(testSettings);
    const { nodes, credentials } = buildFlow(ctx.sb, v, { push: { store: 'missing' } });
    await helper.load(allNodes, nodes, credentials);
    const outcome = await run({ profile_key: KEYS.full });
    assert.equal(outcome.id, 'caught');
    assert.match(errorText(outcome), /INVALID_CONFIG|not deployed/);
    assert.equal(state().candidates.length, 0);
  });

  it('a store in mode embedded is the runtime ledger (no Redis touched)', async () => {
    await load({}, {}, { mode: 'embedded', url: 'redis://127.0.0.1:1' });
    const first = await run({ profile_key: KEYS.full });
    assert.equal(first.id, 'out', errorText(first));
    assert.equal((await other().recent({})).length, 0, 'nothing in Redis');
  });
});
