/**
 * The push ledger, outbox and dead letters in Redis (issue 14): the store several Node-RED instances share
 * (an `hrflow-store` config node in mode `redis`). Same contract as LevelLedgerStore (ledger.ts
 * LedgerStore), plus what a shared ledger needs: claims, outbox leases and their take-over, cursors and
 * webhook redelivery marks. Every change of several keys is one Lua script (atomic); any Redis failure
 * rejects with STORE_UNAVAILABLE (src/core/redis.ts), never a silent loss.
 *
 * Keys (all under `prefix`, default `hrflow:`; one Redis server or a primary with replicas, not a Cluster):
 *   seq                                  counter: the order of entries and dead letters
 *   e:<ledger key>                       hash { j: entry JSON, i: its index names }
 *   t, v:<vendor>, o:<outcome>, b:<vendor>:<outcome>   sorted sets (score seq, member ledger key): recent()
 *   q                                    hash outbox id → OutboxRecord JSON (deleted when settled)
 *   qn                                   hash outbox id → its node id (take-over by node without reading records)
 *   s                                    hash outbox id → ms epoch its create may have left (markSent)
 *   ql                                   hash outbox id → the owner (instance) whose lease covers it
 *   lease:<owner>                        an owner's lease (PX ttl): alive while it is renewed
 *   d, dv                                hash dead letter id → DeadLetter JSON, → its vendor
 *   dx                                   sorted set (score seq, member id): dead letters newest first, bounded
 *   dc                                   hash vendor → dead letters kept (counts() reads no record)
 *   c:<key>                              a claim (owner, PX ttl)
 *   ks:<ledger key>                      when a create of that key last left without its entry written yet (ms epoch;
 *                                        deleted by the entry's write): an instance that claims the key after the one
 *                                        that sent it died looks the candidate up before creating
 *   cur:<workflow id>                    an incremental cursor (JSON)
 *   seen:<key>                           a webhook delivery seen (PX ttl)
 * Vendor and outcome in key names are encodeURIComponent'ed. Writes are acknowledged by Redis (in memory,
 * and on disk as the server's own persistence settings say: appendonly for durability).
 */
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { isAuthError, RedisConnection, withScripts, type RedisClient, type RedisConnectionOptions, type Scripted } from '../core/redis';
import { MAX_DEAD_LETTERS } from './ledger';
import type { DeadLetter, DeadLetterQuery, LedgerEntry, LedgerQuery, LedgerStore, OutboxRecord, Settlement, StoreCounts } from './ledger';
import { recordJson } from './outbox';

export interface RedisLedgerStoreOptions extends RedisConnectionOptions {
  /** A connection to share (with a RedisRateLimiter, another store...); not closed by this store. */
  connection?: RedisConnection;
  /** Key prefix (default `hrflow:`). Stores with the same server and prefix share everything. */
  prefix?: string;
  /** Dead letters kept at most (default MAX_DEAD_LETTERS). */
  maxDeadLetters?: number;
  /**
   * This instance's owner id: `journal` leases each record to it (atomically), and its lease is renewed
   * every `leaseMs / 3` while the store is open. Default: none (records journaled without a lease can be
   * taken over by any instance at once).
   */
  owner?: string;
  /** The owner's lease (default 30 000 ms): its records are taken over by another instance this long after it died. */
  leaseMs?: number;
  /** The owner's lease was found expired on renewal (its records may have been taken over by another instance). */
  onLeaseLost?: () => void;
  /**
   * An operation that failed with STORE_UNAVAILABLE (Redis restarting: a command in flight is rejected at once) is
   * tried again for this long (default 0: not tried again). Every operation of this store can be run twice
   * (same record id, same owner, same entry).
   */
  retryMs?: number;
}

const part = (s: string) => encodeURIComponent(s);

function indexNames(e: LedgerEntry): string {
  return ['t', `v:${part(e.vendor)}`, `o:${part(e.outcome)}`, `b:${part(e.vendor)}:${part(e.outcome)}`].join(' ');
}

function indexName(q: LedgerQuery): string {
  if (q.vendor && q.outcome) return `b:${part(q.vendor)}:${part(q.outcome)}`;
  if (q.vendor) return `v:${part(q.vendor)}`;
  if (q.outcome) return `o:${part(q.outcome)}`;
  return 't';
}

// ---------------------------------------------------------------------------------------------
// Lua (ARGV[1] is always the prefix)

const LUA_COMMON = `
local P = ARGV[1]
local function putEntry(key, json, idx)
  local ek = P .. 'e:' .. key
  local old = redis.call('HGET', ek, 'i')
  if old then for name in string.gmatch(old, '%S+') do redis.call('ZREM', P .. name, key) end end
  local seq = redis.call('INCR', P .. 'seq')
  redis.call('DEL', P .. 'ks:' .. key)
  redis.call('HSET', ek, 'j', json, 'i', idx)
  for name in string.gmatch(idx, '%S+') do redis.call('ZADD', P .. name, seq, key) end
end
local function dropDead(id)
  local vendor = redis.call('HGET', P .. 'dv', id)
  if not vendor then return 0 end
  redis.call('HDEL', P .. 'd', id)
  redis.call('HDEL', P .. 'dv', id)
  redis.call('ZREM', P .. 'dx', id)
  if redis.call('HINCRBY', P .. 'dc', vendor, -1) <= 0 then redis.call('HDEL', P .. 'dc', vendor) end
  return 1
end
local function putDead(id, json, vendor, max)
  dropDead(id)
  local seq = redis.call('INCR', P .. 'seq')
  redis.call('HSET', P .. 'd', id, json)
  redis.call('HSET', P .. 'dv', id, vendor)
  redis.call('ZADD', P .. 'dx', seq, id)
  redis.call('HINCRBY', P .. 'dc', vendor, 1)
  while redis.call('ZCARD', P .. 'dx') > max do
    local oldest = redis.call('ZRANGE', P .. 'dx', 0, 0)
    dropDead(oldest[1])
  end
end
`;

const SCRIPTS = {
  /** ARGV: prefix, key, json, index names */
  hrflowPut: `${LUA_COMMON}
putEntry(ARGV[2], ARGV[3], ARGV[4])
return 1`,
  /** ARGV: prefix, id, json, node, owner ('' none), leaseMs */
  hrflowJournal: `${LUA_COMMON}
redis.call('HSET', P .. 'q', ARGV[2], ARGV[3])
redis.call('HSET', P .. 'qn', ARGV[2], ARGV[4])
if ARGV[5] ~= '' then
  redis.call('HSETNX', P .. 'ql', ARGV[2], ARGV[5])
  redis.call('SET', P .. 'lease:' .. ARGV[5], '1', 'PX', ARGV[6])
end
return 1`,
  /** ARGV: prefix, id, sentAt ('' : answered with an error) */
  hrflowMarkSent: `${LUA_COMMON}
if redis.call('HEXISTS', P .. 'q', ARGV[2]) == 0 then return 0 end
if ARGV[3] == '' then redis.call('HDEL', P .. 's', ARGV[2]) else redis.call('HSET', P .. 's', ARGV[2], ARGV[3]) end
return 1`,
  /** ARGV: prefix, id, entry key ('' none), entry json, entry index, dead id ('' none), dead json, dead vendor, max dead */
  hrflowSettle: `${LUA_COMMON}
local id = ARGV[2]
redis.call('HDEL', P .. 'q', id)
redis.call('HDEL', P .. 'qn', id)
redis.call('HDEL', P .. 's', id)
redis.call('HDEL', P .. 'ql', id)
if ARGV[3] ~= '' then putEntry(ARGV[3], ARGV[4], ARGV[5]) end
if ARGV[6] ~= '' then putDead(ARGV[6], ARGV[7], ARGV[8], tonumber(ARGV[9])) end
return 1`,
  /** ARGV: prefix, id */
  hrflowUndead: `${LUA_COMMON}
return dropDead(ARGV[2])`,
  /** ARGV: prefix, record id, owner, leaseMs. 1: leased to owner; 0: no such record, or a live other owner holds it. */
  hrflowLease: `${LUA_COMMON}
if redis.call('HEXISTS', P .. 'q', ARGV[2]) == 0 then return 0 end
local cur = redis.call('HGET', P .. 'ql', ARGV[2])
if cur and cur ~= ARGV[3] and redis.call('EXISTS', P .. 'lease:' .. cur) == 1 then return 0 end
redis.call('HSET', P .. 'ql', ARGV[2], ARGV[3])
redis.call('SET', P .. 'lease:' .. ARGV[3], '1', 'PX', ARGV[4])
return 1`,
  /** ARGV: prefix, owner, leaseMs. 1: the lease was alive; 0: it had expired (renewed anyway). */
  hrflowRenew: `${LUA_COMMON}
local alive = redis.call('EXISTS', P .. 'lease:' .. ARGV[2])
redis.call('SET', P .. 'lease:' .. ARGV[2], '1', 'PX', ARGV[3])
return alive`,
  /**
   * ARGV: prefix, owner, leaseMs, node ('' any), take (1: take them; 0: only list). The ids of the records
   * (of that node) whose owner's lease expired, or that have no owner; taken: leased to owner, atomically.
   */
  hrflowTakeOver: `${LUA_COMMON}
local owner, node, take = ARGV[2], ARGV[4], ARGV[5] == '1'
local nodes = redis.call('HGETALL', P .. 'qn')
local alive = {}
local out = {}
for i = 1, #nodes, 2 do
  local id, n = nodes[i], nodes[i + 1]
  if node == '' or n == node then
    local cur = redis.call('HGET', P .. 'ql', id)
    local free = not cur
    if cur and cur ~= owner then
      if alive[cur] == nil then alive[cur] = redis.call('EXISTS', P .. 'lease:' .. cur) == 1 end
      free = not alive[cur]
    end
    if free then
      out[#out + 1] = id
      if take then redis.call('HSET', P .. 'ql', id, owner) end
    end
  end
end
if take then redis.call('SET', P .. 'lease:' .. owner, '1', 'PX', ARGV[3]) end
return out`,
  /** ARGV: prefix, key, owner, ttlMs. 1: claimed (or already this owner's: extended); 0: another owner's. */
  hrflowClaim: `${LUA_COMMON}
local k = P .. 'c:' .. ARGV[2]
local cur = redis.call('GET', k)
if not cur then redis.call('SET', k, ARGV[3], 'PX', ARGV[4]) return 1 end
if cur == ARGV[3] then redis.call('PEXPIRE', k, ARGV[4]) return 1 end
return 0`,
  /** ARGV: prefix, key, owner, now, ttl. 1: the claim is owner's, and its create is marked as leaving at now; 0: not owner's. */
  hrflowClaimSent: `${LUA_COMMON}
if redis.call('GET', P .. 'c:' .. ARGV[2]) ~= ARGV[3] then return 0 end
redis.call('SET', P .. 'ks:' .. ARGV[2], ARGV[4], 'PX', ARGV[5])
return 1`,
  /** ARGV: prefix, key, owner. 1: released; 0: not this owner's. */
  hrflowRelease: `${LUA_COMMON}
local k = P .. 'c:' .. ARGV[2]
if redis.call('GET', k) == ARGV[3] then redis.call('DEL', k) return 1 end
return 0`,
} as const;

type Client = Scripted<keyof typeof SCRIPTS>;
const scripted = (redis: RedisClient): Client => withScripts(redis, SCRIPTS);

/** Outbox records oldest first (when accepted, then id), as LevelLedgerStore answers them. */
function byAccepted(a: OutboxRecord, b: OutboxRecord): number {
  return a.accepted < b.accepted ? -1 : a.accepted > b.accepted ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export class RedisLedgerStore implements LedgerStore {
  readonly prefix: string;
  /** This instance's owner id (leases), when given. */
  readonly owner: string | undefined;
  readonly leaseMs: number;
  private readonly connection: RedisConnection;
  private readonly ownsConnection: boolean;
  private readonly maxDead: number;
  private readonly retryMs: number;
  private closed = false;
  private renewTimer: NodeJS.Timeout | undefined;
  /** This owner's lease was set (a journal or a take-over): only then can it be lost. */
  private leased = false;

  constructor(options: RedisLedgerStoreOptions = {}) {
    this.prefix = options.prefix ?? 'hrflow:';
    this.maxDead = Math.max(1, options.maxDeadLetters ?? MAX_DEAD_LETTERS);
    this.owner = options.owner;
    this.leaseMs = Math.max(100, options.leaseMs ?? 30_000);
    this.retryMs = Math.max(0, options.retryMs ?? 0);
    this.ownsConnection = !options.connection;
    this.connection = options.connection ?? new RedisConnection(options);
    if (this.owner) {
      const owner = this.owner;
      this.renewTimer = setInterval(() => {
        const held = this.leased;
        this.renewLeases(owner, this.leaseMs).then(
          (alive) => {
            try {
              if (!alive && held) options.onLeaseLost?.();
            } catch {
              /* the listener's own business */
            }
          },
          () => undefined, // Redis down: the next renewal tries again (the lease lives leaseMs)
        );
      }, Math.max(50, Math.floor(this.leaseMs / 3)));
      this.renewTimer.unref();
    }
  }

  /** The connection (shared with a RedisRateLimiter of the same server, for instance). */
  get redis(): RedisConnection {
    return this.connection;
  }

  /** A fresh owner id for an instance: `<host>-<pid>-<random>`. */
  static newOwnerId(): string {
    return `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  }

  /** Resolves once connected (STORE_UNAVAILABLE after the connection's waitMs). */
  async open(): Promise<void> {
    await this.run('connect', async () => undefined);
  }

  private async run<T>(what: string, fn: (redis: Client) => Promise<T>): Promise<T> {
    const until = Date.now() + this.retryMs;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw Object.assign(new Error('ledger store is closed'), { code: 'LEDGER_CLOSED' });
      try {
        return await this.connection.run(what, (redis) => fn(scripted(redis)));
      } catch (err) {
        if ((err as { code?: string })?.code !== 'STORE_UNAVAILABLE' || isAuthError(err) || Date.now() >= until) throw err;
        // Redis restarting: the connection's own wait covers the reconnection; this covers a command cut in flight.
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  private k(name: string): string {
    return this.prefix + name;
  }

  // -------------------------------------------------------------------------------------------
  // LedgerStore

  async get(key: string): Promise<LedgerEntry | undefined> {
    const json = await this.run('read a ledger entry', (r) => r.hget(this.k(`e:${key}`), 'j'));
    return json === null ? undefined : (JSON.parse(json) as LedgerEntry);
  }

  async put(entry: LedgerEntry): Promise<void> {
    const json = JSON.stringify(entry);
    await this.run('record a push', (r) => r.hrflowPut(this.prefix, entry.key, json, indexNames(entry)));
  }

  async recent(query: LedgerQuery = {}): Promise<LedgerEntry[]> {
    const limit = query.limit ?? 100;
    if (limit <= 0) return [];
    return this.run('read the push log', async (r) => {
      const keys = await r.zrevrange(this.k(indexName(query)), 0, limit - 1);
      if (!keys.length) return [];
      const p = r.pipeline();
      for (const key of keys) p.hget(this.k(`e:${key}`), 'j');
      const res = (await p.exec()) ?? [];
      const out: LedgerEntry[] = [];
      for (const [err, json] of res) {
        if (err) throw err;
        if (typeof json === 'string') out.push(JSON.parse(json) as LedgerEntry);
      }
      return out;
    });
  }

  async journal(record: OutboxRecord): Promise<void> {
    const json = recordJson(record);
    await this.run('journal a message', (r) => r.hrflowJournal(this.prefix, record.id, json, record.node, this.owner ?? '', this.leaseMs));
    if (this.owner) this.leased = true;
  }

  async markSent(id: string, sentAt?: number): Promise<void> {
    await this.run('mark a create sent', (r) => r.hrflowMarkSent(this.prefix, id, sentAt === undefined ? '' : String(sentAt)));
  }

  async settle(id: string, settlement: Settlement): Promise<void> {
    const e = settlement.entry;
    const d = settlement.dead;
    const args = [
      this.prefix,
      id,
      e ? e.key : '',
      e ? JSON.stringify(e) : '',
      e ? indexNames(e) : '',
      d ? d.id : '',
      d ? JSON.stringify(d) : '',
      d ? d.vendor : '',
      this.maxDead,
    ];
    await this.run('settle a message', (r) => r.hrflowSettle(...args));
  }

  async pending(node?: string): Promise<OutboxRecord[]> {
    return this.run('read the outbox', async (r) => {
      const [records, sent] = await Promise.all([r.hgetall(this.k('q')), r.hgetall(this.k('s'))]);
      return this.records(Object.values(records), sent, node);
    });
  }

  private records(jsons: Array<string | null>, sent: Record<string, string>, node?: string): OutboxRecord[] {
    const out: OutboxRecord[] = [];
    for (const json of jsons) {
      if (json === null) continue;
      const rec = JSON.parse(json) as OutboxRecord;
      if (node !== undefined && rec.node !== node) continue;
      const at = sent[rec.id];
      if (at !== undefined) {
        rec.state = 'sent';
        rec.sentAt = Number(at);
      }
      out.push(rec);
    }
    return out.sort(byAccepted);
  }

  async deadLetters(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const limit = query.limit ?? 100;
    if (limit <= 0) return [];
    return this.run('read the dead letters', async (r) => {
      const out: DeadLetter[] = [];
      const page = query.vendor || query.node ? 500 : limit;
      for (let start = 0; out.length < limit; start += page) {
        const ids = await r.zrevrange(this.k('dx'), start, start + page - 1);
        if (!ids.length) break;
        const jsons = await r.hmget(this.k('d'), ...ids);
        for (const json of jsons) {
          if (json === null) continue;
          const d = JSON.parse(json) as DeadLetter;
          if (query.vendor && d.vendor !== query.vendor) continue;
          if (query.node && d.node !== query.node) continue;
          out.push(d);
          if (out.length >= limit) break;
        }
        if (ids.length < page) break;
      }
      return out;
    });
  }

  async deadLetter(id: string): Promise<DeadLetter | undefined> {
    const json = await this.run('read a dead letter', (r) => r.hget(this.k('d'), id));
    return json === null ? undefined : (JSON.parse(json) as DeadLetter);
  }

  async removeDeadLetter(id: string): Promise<boolean> {
    return (await this.run('remove a dead letter', (r) => r.hrflowUndead(this.prefix, id))) === 1;
  }

  async counts(): Promise<StoreCounts> {
    return this.run('count the outbox', async (r) => {
      const [pending, byVendor] = await Promise.all([r.hlen(this.k('q')), r.hgetall(this.k('dc'))]);
      const deadLetters: Record<string, number> = {};
      for (const [vendor, n] of Object.entries(byVendor)) if (Number(n) > 0) deadLetters[vendor] = Number(n);
      return { pending, deadLetters };
    });
  }

  /** Stops the lease renewal; closes the connection unless it was given (shared). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    if (this.ownsConnection) await this.connection.close();
  }

  // -------------------------------------------------------------------------------------------
  // What a shared ledger needs beyond LedgerStore

  /**
   * Claim `key` for `owner` for `ttlMs` (SET NX PX): true when claimed, or already claimed by this owner
   * (then extended); false while another owner holds it. Two instances racing: exactly one gets true.
   */
  async claim(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.run('claim a push', (r) => r.hrflowClaim(this.prefix, key, owner, Math.max(1, Math.round(ttlMs))))) === 1;
  }

  /** Release `owner`'s claim on `key` (compare and delete): false when it is not (or no longer) this owner's. */
  async release(key: string, owner: string): Promise<boolean> {
    return (await this.run('release a claim', (r) => r.hrflowRelease(this.prefix, key, owner))) === 1;
  }

  /**
   * Before a create of `key` leaves: true when `owner` still holds the key's claim, and the create is then marked as
   * leaving at `at` (until the key's entry is written, or 7 days); false when the claim is not (or no longer) owner's
   * (nothing marked: the create must not leave).
   */
  async claimSent(key: string, owner: string, at = Date.now()): Promise<boolean> {
    return (await this.run('mark a create leaving', (r) => r.hrflowClaimSent(this.prefix, key, owner, at, 7 * 24 * 3600_000))) === 1;
  }

  /** When a create of `key` left without its entry written since (an instance died during it), if one did. */
  async sentAt(key: string): Promise<number | undefined> {
    const at = await this.run('read a create mark', (r) => r.get(this.k(`ks:${key}`)));
    return at === null ? undefined : Number(at);
  }

  /** Who holds the claim on `key`, if anyone. */
  async claimedBy(key: string): Promise<string | undefined> {
    return (await this.run('read a claim', (r) => r.get(this.k(`c:${key}`)))) ?? undefined;
  }

  /**
   * Lease outbox record `recordId` to `owner` (and renew the owner's lease, `ttlMs`): true when leased;
   * false when there is no such record, or another owner whose lease is alive holds it.
   */
  async lease(recordId: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.run('lease a message', (r) => r.hrflowLease(this.prefix, recordId, owner, Math.max(1, Math.round(ttlMs))))) === 1;
  }

  /**
   * Renew `owner`'s lease on all its records for `ttlMs`. False when the lease had expired: another instance
   * may have taken its records over (an instance that was cut off must stop pushing them: `owns` says which
   * are still its own).
   */
  async renewLeases(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.run('renew leases', (r) => r.hrflowRenew(this.prefix, owner, Math.max(1, Math.round(ttlMs))))) === 1;
  }

  /** Is outbox record `recordId` leased to `owner`? */
  async owns(recordId: string, owner: string): Promise<boolean> {
    return (await this.run('read a lease', (r) => r.hget(this.k('ql'), recordId))) === owner;
  }

  /** The records leased to `owner` (of one node, or all), oldest first: what a restarted instance with the same owner id resumes. */
  async owned(owner: string, node?: string): Promise<OutboxRecord[]> {
    return this.run('read the outbox', async (r) => {
      const owners = await r.hgetall(this.k('ql'));
      const ids = Object.keys(owners).filter((id) => owners[id] === owner);
      return this.read(r, ids, node);
    });
  }

  /** The records (of one node, or all) whose owner's lease expired, or that have no owner: what `takeOver` would take. Read only. */
  async pendingExpired(node?: string): Promise<OutboxRecord[]> {
    return this.run('read the outbox', async (r) => {
      const ids = (await r.hrflowTakeOver(this.prefix, '', 1, node ?? '', '0')) as string[];
      return this.read(r, ids, node);
    });
  }

  /**
   * Take over, for `owner` (its lease renewed for `ttlMs`), the records (of one node, or all) whose owner's
   * lease expired or that have no owner, atomically: two instances taking over at once never both get one
   * record. Answers the records taken, oldest first, to resume (`state: 'sent'` ones may have reached the
   * vendor: look them up before creating again).
   */
  async takeOver(owner: string, ttlMs: number, node?: string): Promise<OutboxRecord[]> {
    return this.run('take over messages', async (r) => {
      const ids = (await r.hrflowTakeOver(this.prefix, owner, Math.max(1, Math.round(ttlMs)), node ?? '', '1')) as string[];
      if (owner === this.owner) this.leased = true;
      return this.read(r, ids, node);
    });
  }

  private async read(r: Client, ids: string[], node?: string): Promise<OutboxRecord[]> {
    if (!ids.length) return [];
    const [jsons, sentAt] = await Promise.all([r.hmget(this.k('q'), ...ids), r.hmget(this.k('s'), ...ids)]);
    const sent: Record<string, string> = {};
    ids.forEach((id, i) => sentAt[i] !== null && (sent[id] = sentAt[i]!));
    return this.records(jsons, sent, node);
  }

  /** The cursor of an incremental read (JSON), or undefined. */
  async getCursor<T = unknown>(workflowId: string): Promise<T | undefined> {
    const json = await this.run('read a cursor', (r) => r.get(this.k(`cur:${workflowId}`)));
    return json === null ? undefined : (JSON.parse(json) as T);
  }

  /** Store the cursor of an incremental read (any JSON value). */
  async putCursor(workflowId: string, cursor: unknown): Promise<void> {
    const json = JSON.stringify(cursor);
    if (json === undefined) throw new TypeError('a cursor must be a JSON value');
    await this.run('store a cursor', (r) => r.set(this.k(`cur:${workflowId}`), json));
  }

  /**
   * A webhook delivery `key` seen for the first time (true), or again within `ttlMs` (false): SET NX PX.
   * A caller that then fails to handle the delivery calls `unsee(key)` so that its redelivery is handled.
   */
  async seenOnce(key: string, ttlMs: number): Promise<boolean> {
    const res = await this.run('mark a delivery seen', (r) => r.set(this.k(`seen:${key}`), '1', 'PX', Math.max(1, Math.round(ttlMs)), 'NX'));
    return res === 'OK';
  }

  /** Forget that delivery `key` was seen. */
  async unsee(key: string): Promise<void> {
    await this.run('forget a delivery', (r) => r.del(this.k(`seen:${key}`)));
  }
}
