import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { DeadLetter, LedgerEntry, LedgerOutcome, LedgerStore, MAX_DEAD_LETTERS, MemoryLedgerStore, OutboxRecord, accountHash, ledgerKey } from '../../src/push/ledger';
import { LevelLedgerStore } from '../../src/push/ledger-store';
import { RedisLedgerStore } from '../../src/push/redis-store';
import { redisOrSkip, useRedisServer } from '../helpers/redis';

const VENDORS = ['smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez'];
const OUTCOMES: LedgerOutcome[] = ['pushed', 'partial', 'unknown', 'failed'];

function entry(i: number, over: Partial<LedgerEntry> = {}): LedgerEntry {
  const vendor = VENDORS[i % VENDORS.length];
  const account = accountHash(`hrflow-${vendor}-config`, { id: i % 3 });
  const target = `job:${100 + (i % 7)}`;
  const profile = `hrflow:source-${i % 11}/profile-${i}`;
  return {
    key: ledgerKey(vendor, account, target, profile),
    vendor,
    account,
    target,
    profile,
    outcome: OUTCOMES[i % OUTCOMES.length],
    candidateId: `cand-${i}`,
    steps: [{ step: 'create', status: 'done' }],
    at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    ...over,
  };
}

const storeModule = path.resolve(__dirname, '../../src/push/ledger-store.js');

/** A child process opens the store in `dir`, puts entries 0..n-1 (awaiting each), and is killed with
 *  SIGKILL as soon as it says the last put resolved. */
async function putThenSigkill(dir: string, n: number): Promise<void> {
  const code = `
    const { LevelLedgerStore } = require(${JSON.stringify(storeModule)});
    const entries = JSON.parse(process.argv[1]);
    (async () => {
      const store = new LevelLedgerStore(${JSON.stringify(dir)});
      for (const e of entries) { await store.put(e); process.stdout.write('put ' + e.candidateId + '\\n'); }
      setInterval(() => {}, 1000);
    })();`;
  const entries = Array.from({ length: n }, (_, i) => entry(i));
  const kid = spawn(process.execPath, ['-e', code, JSON.stringify(entries)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const last = `put ${entries[n - 1].candidateId}\n`;
  const signal = await new Promise<string | null>((resolve, reject) => {
    let out = '';
    kid.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes(last)) kid.kill('SIGKILL');
    });
    kid.on('error', reject);
    kid.on('exit', (_code, sig) => resolve(sig));
  });
  assert.equal(signal, 'SIGKILL', 'the child was killed, not exited');
}

/** The stores every contract suite below runs against (the same tests, parametrized). */
const KINDS = ['memory', 'leveldb', 'redis'] as const;
type Kind = (typeof KINDS)[number];

/**
 * In a describe: a temporary directory and a fresh Redis key prefix per test, one redis-server for the Redis
 * runs (when installed), and `make(kind)`: a store of that kind there (a second one is a reopen), closed
 * after the test.
 */
function contractStores(name: string) {
  const server = useRedisServer({ optional: true });
  const open: LedgerStore[] = [];
  let dir = '';
  let prefix = '';
  let tests = 0;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
    prefix = `${name}-${++tests}:`;
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    /** Skip a Redis run without redis-server (outside CI). */
    check(ctx: Mocha.Context, kind: Kind) {
      if (kind === 'redis') redisOrSkip(ctx);
    },
    make(kind: Kind, maxDeadLetters?: number): LedgerStore {
      const s =
        kind === 'memory'
          ? new MemoryLedgerStore()
          : kind === 'leveldb'
            ? new LevelLedgerStore(dir, { maxDeadLetters })
            : new RedisLedgerStore({ url: server().url, prefix, maxDeadLetters });
      open.push(s);
      return s;
    },
  };
}

function heapUsed(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function putAll(store: LedgerStore, from: number, to: number, concurrency = 32): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < to) await store.put(entry(next++));
    }),
  );
}

describe('LevelLedgerStore (durable push ledger)', function () {
  this.timeout(60_000);
  let dir: string;
  const open: LevelLedgerStore[] = [];
  const make = (d = dir) => {
    const s = new LevelLedgerStore(d);
    open.push(s);
    return s;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-store-'));
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates <dir>/ledger, puts and gets entries (copies), and answers undefined for an unknown key', async () => {
    const nested = path.join(dir, 'user', 'dir');
    const store = make(nested);
    const e = entry(1, { code: 'PARTIAL_PUSH', steps: [{ step: 'create', status: 'done' }, { step: 'cv', status: 'failed' }] });
    await store.put(e);
    assert.ok(fs.statSync(path.join(nested, 'ledger')).isDirectory());
    assert.deepEqual(await store.get(e.key), e);
    e.outcome = 'pushed';
    assert.equal((await store.get(e.key))!.outcome, 'partial', 'the store kept its own copy');
    assert.equal(await store.get('no-such-key'), undefined);
  });

  it('keeps entries across close and reopen, and refuses calls on a closed store', async () => {
    const first = make();
    await putAll(first, 0, 100);
    await first.close();
    await assert.rejects(first.get(entry(0).key), { code: 'LEDGER_CLOSED' });
    const again = make();
    assert.deepEqual(await again.get(entry(42).key), entry(42));
    assert.equal((await again.recent({ limit: 1000 })).length, 100);
    await again.put(entry(100));
    assert.equal((await again.recent({ limit: 1 }))[0].candidateId, 'cand-100', 'the sequence continues after reopen');
  });

  it('two stores on the same directory in one process share one database; the last close releases it', async () => {
    const a = make();
    const b = make(path.join(dir, '.'));
    await a.put(entry(1));
    assert.deepEqual(await b.get(entry(1).key), entry(1));
    await a.close();
    await b.put(entry(2));
    assert.equal((await b.recent()).length, 2, 'b still works after a closed');
    await b.close();
    // Released: opening it directly with LevelDB works (it would fail with LEVEL_LOCKED otherwise).
    const { ClassicLevel } = require('classic-level') as typeof import('classic-level');
    const raw = new ClassicLevel(path.join(dir, 'ledger'));
    await raw.open();
    await raw.close();
  });

  it('keeps every entry whose put resolved when the process is killed with SIGKILL right after', async () => {
    await putThenSigkill(dir, 5);
    const store = make();
    for (let i = 0; i < 5; i++) assert.deepEqual(await store.get(entry(i).key), entry(i), `entry ${i}`);
    assert.equal((await store.recent())[0].candidateId, 'cand-4');
  });

  it('opens a ledger whose last log record is torn or followed by garbage, keeping the records before it', async () => {
    await putThenSigkill(dir, 6);
    const logs = fs.readdirSync(path.join(dir, 'ledger')).filter((f) => f.endsWith('.log') && f !== 'LOG');
    assert.ok(logs.length >= 1, `a write-ahead log: ${logs}`);
    const log = path.join(dir, 'ledger', logs.sort().at(-1)!);
    const size = fs.statSync(log).size;
    assert.ok(size > 100, 'the records are in the log (the killed process never compacted)');
    fs.truncateSync(log, size - 20); // the last record torn
    fs.appendFileSync(log, Buffer.from('\u0000garbage{"key":'));
    const store = make();
    for (let i = 0; i < 5; i++) assert.deepEqual(await store.get(entry(i).key), entry(i), `entry ${i}`);
    assert.equal(await store.get(entry(5).key), undefined, 'the torn record is dropped');
    await store.put(entry(7));
    await store.close();
    const again = make();
    assert.deepEqual(
      (await again.recent()).map((e) => e.candidateId),
      ['cand-7', 'cand-4', 'cand-3', 'cand-2', 'cand-1', 'cand-0'],
    );
  });

  it('keeps the heap flat from 1k to 10k entries (unlike the memory store)', async () => {
    const growth = async (store: LedgerStore) => {
      await putAll(store, 0, 1000);
      const at1k = heapUsed();
      await putAll(store, 1000, 10_000);
      return heapUsed() - at1k;
    };
    const entryBytes = Buffer.byteLength(JSON.stringify(entry(5000)));
    const budget = 0.1 * 9000 * entryBytes; // 10 % of the 9k entries' JSON size
    const durable = await growth(make());
    const memory = await growth(new MemoryLedgerStore());
    if (process.env.LEDGER_HEAP_LOG) console.log({ durable, memory, budget });
    assert.ok(memory > budget, `the check can fail: the memory store grew ${memory} bytes (budget ${budget})`);
    assert.ok(durable < budget, `the durable store grew ${durable} bytes from 1k to 10k entries (budget ${budget})`);
    const store = open[0];
    assert.equal((await store.recent({ limit: 10_000 })).length, 10_000);
  });
});

describe('entries and the push log in the ledger store (LevelDB and Redis alike)', function () {
  this.timeout(30_000);
  const stores = contractStores('ledger-recent');

  for (const kind of ['leveldb', 'redis'] as const) {
    it(`${kind}: recent: newest first, a re-put moves the entry to the front once, filters by vendor and outcome, limit`, async function () {
      stores.check(this, kind);
      const store = stores.make(kind);
      for (let i = 0; i < 40; i++) await store.put(entry(i));
      const all = await store.recent();
      assert.equal(all.length, 40);
      assert.deepEqual(all.map((e) => e.candidateId), Array.from({ length: 40 }, (_, i) => `cand-${39 - i}`));

      // Entry 3 pushed again (its outcome changes): first, once, and gone from its old outcome's filter.
      await store.put(entry(3, { outcome: 'pushed', candidateId: 'cand-3b' }));
      const after = await store.recent();
      assert.equal(after.length, 40);
      assert.equal(after[0].candidateId, 'cand-3b');
      assert.equal(after.filter((e) => e.key === entry(3).key).length, 1);
      assert.ok(!(await store.recent({ outcome: 'failed', limit: 1000 })).some((e) => e.key === entry(3).key));

      const mem = new MemoryLedgerStore();
      for (let i = 0; i < 40; i++) await mem.put(entry(i));
      await mem.put(entry(3, { outcome: 'pushed', candidateId: 'cand-3b' }));
      for (const q of [
        { vendor: 'recruitee' },
        { outcome: 'partial' as const },
        { vendor: 'taleez', outcome: 'pushed' as const },
        { vendor: 'flatchr', limit: 3 },
        { limit: 5 },
        { vendor: 'nobody' },
        { limit: 0 },
      ]) {
        assert.deepEqual(await store.recent(q), await mem.recent(q), JSON.stringify(q));
      }
      assert.equal((await store.recent({ vendor: 'recruitee' })).length, 8);
      assert.equal((await store.recent({ limit: 5 })).length, 5);
    });
  }
});

describe('the outbox and dead letters in the ledger store (memory, LevelDB and Redis alike)', function () {
  this.timeout(30_000);
  const stores = contractStores('ledger-outbox');

  const record = (i: number, over: Partial<OutboxRecord> = {}): OutboxRecord => ({
    id: `rec-${String(i).padStart(4, '0')}`,
    node: i % 2 ? 'node-a' : 'node-b',
    vendor: VENDORS[i % VENDORS.length],
    state: 'queued',
    msg: { _msgid: `m${i}`, payload: { info: { email: `p${i}@example.com` } }, topic: `t${i}` },
    accepted: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    ...over,
  });
  const dead = (r: OutboxRecord, code = 'VENDOR_REJECTED'): DeadLetter => ({ id: r.id, node: r.node, vendor: r.vendor, code, message: 'no', msg: r.msg, at: r.accepted });

  for (const kind of KINDS) {
    const make = (maxDeadLetters?: number): LedgerStore => stores.make(kind, maxDeadLetters);

    it(`${kind}: journal, update, settle with an entry or a dead letter (atomically), pending oldest first, counts`, async function () {
      stores.check(this, kind);
      const store = make();
      for (let i = 0; i < 6; i++) await store.journal(record(i));
      await store.journal(record(2, { state: 'sent', sentAt: 123 }));
      assert.deepEqual((await store.pending()).map((r) => r.id), ['rec-0000', 'rec-0001', 'rec-0002', 'rec-0003', 'rec-0004', 'rec-0005']);
      assert.deepEqual((await store.pending('node-a')).map((r) => r.id), ['rec-0001', 'rec-0003', 'rec-0005']);
      assert.equal((await store.pending()).find((r) => r.id === 'rec-0002')?.state, 'sent');
      await store.settle('rec-0000', { entry: entry(0) });
      await store.settle('rec-0001', { dead: dead(record(1)) });
      await store.settle('rec-0002', {});
      await store.settle('no-such-record', {});
      assert.deepEqual((await store.pending()).map((r) => r.id), ['rec-0003', 'rec-0004', 'rec-0005']);
      assert.deepEqual(await store.get(entry(0).key), entry(0));
      assert.deepEqual((await store.deadLetters()).map((d) => d.id), ['rec-0001']);
      assert.deepEqual(await store.deadLetter('rec-0001'), dead(record(1)));
      assert.deepEqual(await store.counts(), { pending: 3, deadLetters: { [record(1).vendor]: 1 } });
    });

    it(`${kind}: dead letters newest first, filtered by vendor and node, re-put once, removed`, async function () {
      stores.check(this, kind);
      const store = make();
      for (let i = 0; i < 10; i++) await store.settle(`x${i}`, { dead: dead(record(i)) });
      await store.settle('x', { dead: { ...dead(record(3)), code: 'TIMEOUT' } }); // the same id again: moved to the front
      const all = await store.deadLetters();
      assert.equal(all.length, 10);
      assert.deepEqual(all.slice(0, 3).map((d) => d.id), ['rec-0003', 'rec-0009', 'rec-0008']);
      assert.equal(all[0].code, 'TIMEOUT');
      assert.deepEqual((await store.deadLetters({ vendor: 'taleez' })).map((d) => d.id), ['rec-0009', 'rec-0004']);
      assert.deepEqual((await store.deadLetters({ node: 'node-a', limit: 2 })).map((d) => d.id), ['rec-0003', 'rec-0009']);
      assert.equal(await store.removeDeadLetter('rec-0003'), true);
      assert.equal(await store.removeDeadLetter('rec-0003'), false);
      assert.equal(await store.deadLetter('rec-0003'), undefined);
      const counts = await store.counts();
      assert.equal(Object.values(counts.deadLetters).reduce((a, b) => a + b, 0), 9);
      assert.equal(counts.deadLetters.taleez, 2);
    });
  }

  it('memory: keeps at most MAX_DEAD_LETTERS dead letters, the oldest go first', async () => {
    const store = new MemoryLedgerStore();
    for (let i = 0; i < MAX_DEAD_LETTERS + 3; i++) await store.settle(`x${i}`, { dead: dead(record(i, { id: `d${i}` })) });
    const counts = await store.counts();
    assert.equal(Object.values(counts.deadLetters).reduce((a, b) => a + b, 0), MAX_DEAD_LETTERS);
    assert.equal(await store.deadLetter('d0'), undefined);
    assert.equal(await store.deadLetter('d2'), undefined);
    assert.ok(await store.deadLetter('d3'));
    assert.equal((await store.deadLetters({ limit: 1 }))[0].id, `d${MAX_DEAD_LETTERS + 2}`);
  });

  for (const kind of ['leveldb', 'redis'] as const) {
    it(`${kind}: keeps at most maxDeadLetters, the oldest go first; everything survives a reopen`, async function () {
      stores.check(this, kind);
      let store: LedgerStore = stores.make(kind, 5);
      for (let i = 0; i < 8; i++) await store.settle(`x${i}`, { dead: dead(record(i)) });
      await Promise.all([8, 9, 10].map((i) => store.settle(`x${i}`, { dead: dead(record(i)) })));
      assert.deepEqual((await store.deadLetters()).map((d) => d.id).sort(), ['rec-0006', 'rec-0007', 'rec-0008', 'rec-0009', 'rec-0010']);
      assert.equal(Object.values((await store.counts()).deadLetters).reduce((a, b) => a + b, 0), 5);
      await store.journal(record(20, { state: 'sent', sentAt: 5 }));
      await store.close();
      store = stores.make(kind, 5);
      assert.equal((await store.deadLetters()).length, 5);
      assert.deepEqual(await store.pending(), [record(20, { state: 'sent', sentAt: 5 })]);
      await store.settle('x11', { dead: dead(record(11)) });
      assert.deepEqual((await store.deadLetters()).map((d) => d.id).sort(), ['rec-0007', 'rec-0008', 'rec-0009', 'rec-0010', 'rec-0011']);
    });
  }
});

describe('markSent: the create of an outbox record may have left (memory, LevelDB and Redis)', function () {
  const stores = contractStores('ledger-sent');
  const rec = (id: string): OutboxRecord => ({ id, node: 'n', vendor: 'taleez', state: 'queued', msg: { big: 'x'.repeat(1000) }, accepted: '2026-12-03T10:00:00.000Z' });

  for (const kind of KINDS) {
    it(`${kind}: marked, unmarked, kept across a reopen, removed with its record`, async function () {
      stores.check(this, kind);
      const make = () => stores.make(kind);
      const store = make();
      await store.journal(rec('a'));
      await store.journal(rec('b'));
      await store.markSent('a', 1234);
      await store.markSent('b', 99);
      await store.markSent('b');
      await store.markSent('nope', 5); // no record: nothing to say
      const states = async (s: LedgerStore) => (await s.pending()).map((r) => [r.id, r.state, r.sentAt]);
      assert.deepEqual(await states(store), [['a', 'sent', 1234], ['b', 'queued', undefined]]);
      if (kind !== 'memory') {
        await store.close();
        const again = make();
        assert.deepEqual(await states(again), [['a', 'sent', 1234], ['b', 'queued', undefined]]);
        await again.settle('a', {});
        await again.journal(rec('a')); // the same id journaled anew: not sent
        assert.deepEqual(await states(again), [['a', 'queued', undefined], ['b', 'queued', undefined]]);
      }
    });
  }
});
