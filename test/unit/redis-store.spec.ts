/**
 * What the Redis store adds to the ledger store contract (issue 14): claims, outbox leases and their
 * take-over by a surviving instance, cursors, webhook redelivery marks, STORE_UNAVAILABLE while Redis is
 * down and recovery once it is back. Two store objects are two instances; a real redis-server
 * (test/helpers/redis.ts) on 127.0.0.1. The LedgerStore contract itself: test/unit/ledger-store.spec.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';
import { RedisConnection } from '../../src/core/redis';
import { PushLedger, type OutboxRecord, type PushIdentity } from '../../src/push/ledger';
import { RedisLedgerStore, type RedisLedgerStoreOptions } from '../../src/push/redis-store';
import { repoRoot } from '../helpers/fixtures';
import { useRedisServer } from '../helpers/redis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const record = (i: number, node = i % 2 ? 'node-a' : 'node-b'): OutboxRecord => ({
  id: `rec-${String(i).padStart(3, '0')}`,
  node,
  vendor: 'smartrecruiters',
  state: 'queued',
  msg: { _msgid: `m${i}`, payload: { info: { email: `p${i}@example.com` } } },
  accepted: new Date(1_700_000_000_000 + i * 1000).toISOString(),
});

/** Rejects with STORE_UNAVAILABLE: the error. */
async function unavailable(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConnectorError, `a ConnectorError, got ${err}`);
    assert.equal(err.code, ErrorCodes.STORE_UNAVAILABLE, err.message);
    return err;
  }
  assert.fail('expected STORE_UNAVAILABLE');
}

describe('RedisLedgerStore: what a shared ledger needs (claims, leases, cursors, redeliveries, Redis down)', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  const open: RedisLedgerStore[] = [];
  let tests = 0;
  let prefix = '';
  const make = (options: RedisLedgerStoreOptions = {}) => {
    const s = new RedisLedgerStore({ url: redis().url, prefix, ...options });
    open.push(s);
    return s;
  };

  beforeEach(() => {
    prefix = `shared-${++tests}:`;
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  it('PushLedger with shared claims: ten copies of one profile spread over two instances give one create', async () => {
    const stores = [make(), make()];
    const ledgers = stores.map((store, i) => new PushLedger(store, { claims: { store, owner: `instance-${i}`, ttlMs: 2000, pollMs: 10 } }));
    const id: PushIdentity = { vendor: 'smartrecruiters', account: 'acc', target: 'job_id=1', profile: 'hrflow:src/p1' };
    let creates = 0;
    let inside = 0;
    let most = 0;
    const work = async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 30));
      inside--;
      creates++;
      return { candidateId: 'c-1', steps: [{ step: 'create', status: 'done' as const }] };
    };
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => ledgers[i % 2].once(id, 'skip', work)));
    assert.equal(creates, 1, 'one create across both instances');
    assert.equal(most, 1, 'never two pushes of the key at once');
    assert.equal(outcomes.filter((o) => o.pushed).length, 1);
    assert.ok(outcomes.every((o) => o.pushed || o.entry.candidateId === 'c-1'), 'the others answer the recorded candidate');
    assert.equal(await stores[0].claimedBy(ledgers[0].key(id)), undefined, 'the claim is released');
  });

  it('PushLedger with shared claims: a claim held by a dead instance lapses, then the push goes ahead', async () => {
    const store = make();
    const ledger = new PushLedger(store, { claims: { store, owner: 'alive', ttlMs: 2000, pollMs: 10 } });
    const id: PushIdentity = { vendor: 'recruitee', account: 'acc', target: '', profile: 'email:a@b.c' };
    assert.equal(await store.claim(ledger.key(id), 'dead', 300), true);
    const t0 = Date.now();
    const out = await ledger.once(id, 'skip', async () => ({ candidateId: 'r-1', steps: [] }));
    assert.equal(out.pushed, true);
    assert.ok(Date.now() - t0 >= 200, 'waited for the dead claim to lapse');
  });

  it('PushLedger with shared claims: an instance that died after its create left makes the next push look the candidate up first', async () => {
    const [theirs, mine] = [make(), make()];
    const dead = new PushLedger(theirs, { claims: { store: theirs, owner: 'dead', ttlMs: 300, pollMs: 10 } });
    const alive = new PushLedger(mine, { claims: { store: mine, owner: 'alive', ttlMs: 2000, pollMs: 10 } });
    const id: PushIdentity = { vendor: 'smartrecruiters', account: 'acc', target: 'job_id=1', profile: 'hrflow:src/p9' };
    const key = dead.key(id);
    // The dead instance claimed the key and marked its create as leaving, then died (no entry, no release).
    assert.equal(await theirs.claim(key, 'dead', 300), true);
    assert.equal(await mine.claimSent(key, 'alive'), false, 'not the holder: nothing marked, the create must not leave');
    assert.equal(await theirs.claimSent(key, 'dead', 1_700_000_000_000), true);
    assert.equal(await mine.sentAt(key), 1_700_000_000_000);
    const plans: unknown[] = [];
    const out = await alive.once(id, 'skip', async (plan) => {
      plans.push(plan);
      return { candidateId: 'found-1', steps: [] };
    });
    assert.equal(out.pushed, true);
    assert.deepEqual(plans, [{ priorSentAt: 1_700_000_000_000 }], 'looked up before any create');
    assert.equal(await mine.sentAt(key), undefined, 'the entry written clears the mark');
    // The next push of the key: recorded, nothing sent, no lookup.
    const again = await alive.once(id, 'skip', async () => assert.fail('not pushed again'));
    assert.equal(again.pushed, false);
    void dead;
  });

  it('loads ioredis only when a Redis store is used (not with the package, nor the store module)', function () {
    const code = `
      require(${JSON.stringify(path.join(repoRoot, 'dist/src/index.js'))});
      const { RedisLedgerStore } = require(${JSON.stringify(path.join(repoRoot, 'dist/src/push/redis-store.js'))});
      require(${JSON.stringify(path.join(repoRoot, 'dist/src/core/redis-limiter.js'))});
      const loaded = () => Object.keys(require.cache).some((k) => /[\\\\/]node_modules[\\\\/](ioredis|rate-limiter-flexible)[\\\\/]/.test(k));
      const before = loaded();
      const store = new RedisLedgerStore({ url: ${JSON.stringify(redis().url)} });
      store.open().then(() => store.close()).then(() => console.log(JSON.stringify({ before, after: loaded() })));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' }));
    assert.deepEqual(out, { before: false, after: true });
  });

  it('the node files load no Redis package: registering every node (store included) with no Redis store deployed', function () {
    const code = `
      const noop = () => undefined;
      const RED = { nodes: { registerType: noop, createNode: noop, getNode: () => null }, settings: {}, events: { on: noop, off: noop },
        log: { warn: noop }, httpAdmin: { get: noop, post: noop, delete: noop }, auth: { needsPermission: () => (q, r, n) => n() },
        _: (k) => k, util: { cloneMessage: (m) => m } };
      const pkg = require(${JSON.stringify(path.join(repoRoot, 'package.json'))});
      for (const file of Object.values(pkg['node-red'].nodes)) require(${JSON.stringify(repoRoot)} + '/' + file)(RED);
      console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /[\\/]node_modules[\\/](ioredis|rate-limiter-flexible)[\\/]/.test(k)).length));`;
    assert.equal(execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' }).trim(), '0');
  });

  it('without the optional packages (ioredis, rate-limiter-flexible): STORE_UNAVAILABLE saying what to install', function () {
    const code = `
      const Module = require('node:module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (process.argv.slice(1).includes(request)) throw Object.assign(new Error('Cannot find module ' + request), { code: 'MODULE_NOT_FOUND' });
        return resolve.call(this, request, ...rest);
      };
      const { RedisLedgerStore } = require(${JSON.stringify(path.join(repoRoot, 'dist/src/push/redis-store.js'))});
      const { RedisRateLimiter } = require(${JSON.stringify(path.join(repoRoot, 'dist/src/core/redis-limiter.js'))});
      const store = new RedisLedgerStore({ url: ${JSON.stringify(redis().url)} });
      const limiter = new RedisRateLimiter({ url: ${JSON.stringify(redis().url)}, key: 'k', perWindow: 1 });
      Promise.all([
        store.get('k').catch((e) => e.code + ': ' + e.message),
        limiter.acquire(undefined, Date.now() + 300).catch((e) => e.code + ': ' + e.message),
      ]).then((out) => { console.log(JSON.stringify(out)); limiter.close(); return store.close(); });`;
    const run = (...missing: string[]) => JSON.parse(execFileSync(process.execPath, ['-e', code, ...missing], { encoding: 'utf8' })) as Array<string | null>;
    const [store, limiter] = run('ioredis', 'rate-limiter-flexible');
    assert.match(String(store), /^STORE_UNAVAILABLE: .*needs the package ioredis, an optional dependency that is not installed: run npm install ioredis/);
    assert.match(String(limiter), /^STORE_UNAVAILABLE: .*needs the package ioredis/);
    const [fine, noRlf] = run('rate-limiter-flexible');
    assert.equal(fine, null, 'the store needs no rate-limiter-flexible (an unknown key: undefined)');
    assert.match(String(noRlf), /^STORE_UNAVAILABLE: .*needs the package rate-limiter-flexible/);
  });

  it('claim: two instances racing for one key, exactly one wins; the owner re-claims and releases; it expires', async () => {
    const [a, b] = [make(), make()];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claim('push-1', `owner-${i}`, 10_000)));
    assert.equal(results.filter(Boolean).length, 1, 'one winner');
    const winner = `owner-${results.indexOf(true)}`;
    assert.equal(await a.claimedBy('push-1'), winner);
    assert.equal(await b.claim('push-1', winner, 10_000), true, 'the owner itself: claimed again (extended)');
    assert.equal(await a.release('push-1', 'someone-else'), false, 'only the owner releases');
    assert.equal(await a.claim('push-1', 'someone-else', 10_000), false);
    assert.equal(await b.release('push-1', winner), true);
    assert.equal(await b.release('push-1', winner), false, 'released once');
    assert.equal(await a.claim('push-1', 'someone-else', 150), true, 'free again');
    await sleep(300);
    assert.equal(await b.claimedBy('push-1'), undefined, 'expired');
    assert.equal(await b.claim('push-1', 'third', 10_000), true, 'an expired claim is free');
  });

  it('leases: a live instance keeps its records; once it dies, two survivors take them over at once, each record once', async () => {
    const dying = make({ owner: 'dying', leaseMs: 300 });
    for (let i = 0; i < 30; i++) await dying.journal(record(i));
    await dying.markSent(record(4).id, 4444);
    const [s1, s2] = [make(), make()];
    // Alive (its store renews the lease every leaseMs / 3): nothing to take, well past one lease.
    await sleep(700);
    assert.deepEqual(await s1.takeOver('s1', 5000), []);
    assert.deepEqual(await s1.pendingExpired(), []);
    assert.equal((await s2.owned('dying')).length, 30);
    assert.equal(await s2.owns(record(3).id, 'dying'), true);
    assert.equal(await s2.lease(record(3).id, 's2', 5000), false, 'a live owner keeps its record');

    // It dies (no more renewals): after the lease, its records are up for take-over.
    await dying.close();
    await sleep(450);
    assert.equal((await s1.pendingExpired()).length, 30);
    assert.equal((await s1.pendingExpired('node-a')).length, 15);
    const [t1, t2] = await Promise.all([s1.takeOver('s1', 5000), s2.takeOver('s2', 5000)]);
    const ids = [...t1, ...t2].map((r) => r.id);
    assert.equal(ids.length, 30, `every record taken once (${t1.length} + ${t2.length})`);
    assert.equal(new Set(ids).size, 30, 'no record taken twice');
    for (const list of [t1, t2]) assert.deepEqual(list.map((r) => r.id), [...list].sort((x, y) => (x.accepted < y.accepted ? -1 : 1)).map((r) => r.id), 'oldest first');
    const four = [...t1, ...t2].find((r) => r.id === record(4).id)!;
    assert.deepEqual([four.state, four.sentAt], ['sent', 4444], 'a record whose create may have left says so');
    assert.deepEqual(await s1.pendingExpired(), [], 'nothing left to take');
    assert.equal((await s1.owned('s1')).length + (await s1.owned('s2')).length, 30);

    // The dead instance comes back with the same owner id: its lease had expired, its records are gone.
    const back = make();
    assert.equal(await back.renewLeases('dying', 5000), false, 'told its lease had expired');
    assert.deepEqual(await back.owned('dying'), []);
    // Settling removes the record and its lease.
    await s1.settle(t1[0].id, {});
    assert.equal(await s1.owns(t1[0].id, 's1'), false);
    assert.equal((await s1.counts()).pending, 29);
  });

  it('takeOver by node: a survivor takes only the records of its node; a record journaled without an owner is free', async () => {
    const dying = make({ owner: 'dying', leaseMs: 200 });
    for (let i = 0; i < 6; i++) await dying.journal(record(i));
    await dying.close();
    const plain = make();
    await plain.journal(record(10, 'node-a'));
    await sleep(350);
    const survivor = make();
    const taken = await survivor.takeOver('survivor', 5000, 'node-a');
    assert.deepEqual(taken.map((r) => r.id), ['rec-001', 'rec-003', 'rec-005', 'rec-010']);
    assert.deepEqual((await survivor.pendingExpired()).map((r) => r.node), ['node-b', 'node-b', 'node-b']);
    assert.equal(await survivor.lease('rec-000', 'survivor', 5000), true, 'an expired owner\'s record can be leased one by one');
    assert.equal(await survivor.lease('no-such-record', 'survivor', 5000), false);
  });

  it('the owner lease is lost when renewals stop for longer than the lease (onLeaseLost on the next renewal)', async () => {
    let lost = 0;
    const s = make({ owner: 'slow', leaseMs: 200, onLeaseLost: () => lost++ });
    await s.journal(record(1));
    const other = make();
    await other.redis.run('test', (r) => r.del(`${prefix}lease:slow`)); // as if it had expired
    await sleep(250);
    assert.ok(lost >= 1, 'told');
    assert.equal(await other.owns(record(1).id, 'slow'), true, 'renewed: still its own (nobody took it meanwhile)');
  });

  it('an owner that never leased anything is not told its lease was lost (a fresh instance, nothing journaled)', async () => {
    let lost = 0;
    make({ owner: 'idle', leaseMs: 150, onLeaseLost: () => lost++ });
    await sleep(400);
    assert.equal(lost, 0);
  });

  it('cursors: JSON values shared by every instance', async () => {
    const [a, b] = [make(), make()];
    assert.equal(await a.getCursor('wf-1'), undefined);
    await a.putCursor('wf-1', { page: 3, since: '2026-12-01T00:00:00Z', keys: ['x', 'y'] });
    assert.deepEqual(await b.getCursor('wf-1'), { page: 3, since: '2026-12-01T00:00:00Z', keys: ['x', 'y'] });
    await b.putCursor('wf-1', 42);
    assert.equal(await a.getCursor('wf-1'), 42);
    assert.equal(await a.getCursor('wf-2'), undefined);
    await assert.rejects(a.putCursor('wf-3', undefined), TypeError);
  });

  it('seenOnce: a webhook delivery is handled by one instance once within its TTL; unsee lets a redelivery through', async () => {
    const [a, b] = [make(), make()];
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).seenOnce('delivery-1', 200)));
    assert.equal(first.filter(Boolean).length, 1);
    assert.equal(await a.seenOnce('delivery-1', 200), false);
    assert.equal(await a.seenOnce('delivery-2', 5000), true);
    await sleep(300);
    assert.equal(await b.seenOnce('delivery-1', 200), true, 'seen again after its TTL');
    await a.unsee('delivery-2');
    assert.equal(await b.seenOnce('delivery-2', 5000), true);
  });

  it('a closed store refuses calls (LEDGER_CLOSED), as the LevelDB store does', async () => {
    const s = make();
    await s.close();
    await assert.rejects(s.get('k'), { code: 'LEDGER_CLOSED' });
  });
});

describe('RedisLedgerStore with Redis down: STORE_UNAVAILABLE, never the password, and recovery', function () {
  this.timeout(30_000);
  const PASSWORD = 's3cret-Redis-pw';
  const redis = useRedisServer({ password: PASSWORD, persist: true });
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  const make = (options: RedisLedgerStoreOptions = {}) => {
    const s = new RedisLedgerStore({ url: redis().url, password: PASSWORD, prefix: 'down:', waitMs: 500, ...options });
    open.push(s);
    return s;
  };

  it('stopped: every operation fails fast with STORE_UNAVAILABLE naming the server; restarted: it works again, nothing lost', async () => {
    const s = make();
    await s.journal(record(1));
    await s.settle(record(1).id, { entry: { key: 'k1', vendor: 'taleez', account: 'a', target: '', profile: 'email:x@y.z', outcome: 'pushed', steps: [], at: '2026-12-04T00:00:00Z' } });
    await redis().stop();
    const t0 = Date.now();
    const errors = await Promise.all([
      unavailable(s.put({ key: 'k2', vendor: 'taleez', account: 'a', target: '', profile: 'email:z@y.z', outcome: 'pushed', steps: [], at: '2026-12-04T00:00:00Z' })),
      unavailable(s.get('k1')),
      unavailable(s.claim('c', 'me', 1000)),
      unavailable(s.journal(record(2))),
      unavailable(s.pending()),
      unavailable(s.seenOnce('d', 1000)),
      unavailable(s.takeOver('me', 1000)),
    ]);
    assert.ok(Date.now() - t0 < 3000, `failed fast (${Date.now() - t0} ms)`);
    for (const e of errors) {
      assert.match(e.message, new RegExp(`the Redis store at redis://127\\.0\\.0\\.1:${redis().port} is unavailable`));
      assert.ok(!e.message.includes(PASSWORD) && !JSON.stringify(e.toJSON()).includes(PASSWORD), e.message);
    }
    await redis().start();
    // Reconnected in the background: the next calls work, and what was acknowledged before is there.
    assert.equal((await s.get('k1'))?.outcome, 'pushed');
    await s.put({ key: 'k2', vendor: 'taleez', account: 'a', target: '', profile: 'email:z@y.z', outcome: 'pushed', steps: [], at: '2026-12-04T00:00:00Z' });
    assert.deepEqual((await s.recent()).map((e) => e.key), ['k2', 'k1']);
  });

  it('killed (SIGKILL) with commands in flight: they reject, none hangs; restarted: acknowledged writes kept (appendfsync always)', async () => {
    const s = make({ prefix: 'kill:' });
    let acked = 0;
    let failed = 0;
    const writes = Array.from({ length: 400 }, (_, i) =>
      s.journal(record(i)).then(
        () => acked++,
        (err) => {
          assert.equal((err as ConnectorError).code, ErrorCodes.STORE_UNAVAILABLE);
          failed++;
        },
      ),
    );
    await sleep(5);
    await redis().kill();
    await Promise.all(writes);
    assert.equal(acked + failed, 400);
    await redis().start();
    const kept = new Set((await s.pending()).map((r) => r.id));
    assert.ok(kept.size >= acked, `every acknowledged write kept (${kept.size} kept, ${acked} acknowledged)`);
  });

  it('a wrong password: STORE_UNAVAILABLE, the password never shown', async () => {
    const wrong = 'not-the-Password-42';
    const s = make({ password: wrong, waitMs: 800 });
    const e = await unavailable(s.get('k'));
    assert.ok(!e.message.includes(wrong) && !e.message.includes(PASSWORD), e.message);
    const inUrl = new RedisLedgerStore({ url: `redis://:${wrong}@127.0.0.1:${redis().port}/0`, waitMs: 800 });
    open.push(inUrl);
    const e2 = await unavailable(inUrl.get('k'));
    assert.ok(!e2.message.includes(wrong), e2.message);
    assert.match(e2.message, new RegExp(`redis://127\\.0\\.0\\.1:${redis().port}/0`));
  });

  it('a shared connection: the store does not close it; its up/down changes are reported', async () => {
    const conn = new RedisConnection({ url: redis().url, password: PASSWORD, waitMs: 500 });
    open.push(conn);
    const changes: boolean[] = [];
    conn.onChange((up) => changes.push(up));
    const s = new RedisLedgerStore({ connection: conn, prefix: 'conn:' });
    await s.open();
    await s.close();
    await conn.run('ping', (r) => r.ping());
    await redis().stop();
    await unavailable(conn.run('ping', (r) => r.ping()));
    await redis().start();
    await conn.run('ping', (r) => r.ping());
    assert.deepEqual(changes, [true, false, true]);
  });
});
