/**
 * The durable push ledger (issue 12): a LevelDB database (classic-level, prebuilt N-API binaries for
 * linux x64/arm64/armv6/armv7, macOS, Windows: no compiler at install time) at `<dir>/ledger`.
 * Why this store: docs/LEDGER-STORE.md.
 *
 * Records (one LevelDB, key prefixes):
 *   e!<ledger key>                     → { seq, entry }       the entry
 *   t!<seq>                            → <ledger key>         newest first: recent()
 *   v!<vendor>!<seq>, o!<outcome>!<seq>, b!<vendor>!<outcome>!<seq> → <ledger key>   the filters
 *   q!<outbox id>                      → OutboxRecord         the durable outbox (deleted when settled)
 *   s!<outbox id>                      → <ms epoch>           its create may have left then (markSent)
 *   d!<id>                             → { seq, dead }        a dead letter
 *   x!<seq>                            → <id>                 dead letters, newest first
 *   y!<vendor>!<seq>                   → <id>                 dead letters by vendor (counts() reads keys only)
 *   c!<cursor id>                      → JSON value           a reader's cursor (hrflow-profiles, per workflow_id)
 * The outbox stays small (unsettled messages only); deleted records go at LevelDB's next compaction.
 * Dead letters are bounded (MAX_DEAD_LETTERS, oldest dropped).
 * Re-putting a key deletes its old index records in the same atomic batch, so each index holds one
 * record per entry. Nothing is kept in the heap per entry (LevelDB's own caches are native and bounded).
 *
 * `put` resolves once its batch is written with `sync: true` (fdatasync of LevelDB's log): puts arriving
 * while a batch is being written share the next one (group commit), never acknowledged before it.
 *
 * One process, one handle per directory: LevelDB locks its directory (a second open fails with
 * LEVEL_LOCKED, in the same process as in another), so stores opened on the same directory in one
 * process share one handle, counted; the last `close` closes it. Another process holding the
 * directory makes every call reject with LEVEL_LOCKED.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClassicLevel } from 'classic-level';
import { MAX_DEAD_LETTERS } from './ledger';
import { recordJson } from './outbox';
import type { DeadLetter, DeadLetterQuery, LedgerEntry, LedgerQuery, LedgerStore, OutboxRecord, Settlement, StoreCounts } from './ledger';

interface Stored {
  seq: number;
  entry: LedgerEntry;
}

interface StoredDead {
  seq: number;
  dead: DeadLetter;
}

/** One change of a write; the changes of every write waiting are applied in one synced batch. */
type Change =
  | { kind: 'entry'; entry: LedgerEntry }
  | { kind: 'journal'; record: OutboxRecord }
  /** A journal record as queued: its id and its JSON, written once when queued (the record carries the message). */
  | { kind: 'journaled'; id: string; json: string }
  | { kind: 'unjournal'; id: string }
  /** The create of outbox record `id` may have left at `sentAt` (absent: answered with an error, not sent). */
  | { kind: 'sent'; id: string; sentAt?: number }
  | { kind: 'dead'; dead: DeadLetter }
  | { kind: 'undead'; id: string }
  | { kind: 'cursor'; id: string; value?: unknown };

export { MAX_DEAD_LETTERS };

type Op = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

const SEQ_WIDTH = 15;
const seqKey = (seq: number) => String(seq).padStart(SEQ_WIDTH, '0');
const part = (s: string) => encodeURIComponent(s);
/** Above every character a key part uses (encodeURIComponent output and digits). */
const END = '\uffff';

function indexKeys(e: LedgerEntry, seq: number): string[] {
  const s = seqKey(seq);
  return [`t!${s}`, `v!${part(e.vendor)}!${s}`, `o!${part(e.outcome)}!${s}`, `b!${part(e.vendor)}!${part(e.outcome)}!${s}`];
}

function indexPrefix(q: LedgerQuery): string {
  if (q.vendor && q.outcome) return `b!${part(q.vendor)}!${part(q.outcome)}!`;
  if (q.vendor) return `v!${part(q.vendor)}!`;
  if (q.outcome) return `o!${part(q.outcome)}!`;
  return 't!';
}

/** The shared handle of one directory. */
class Handle {
  refs = 0;
  private db!: ClassicLevel<string, string>;
  private seq = 0;
  private queued: { changes: Change[]; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private deadCount = 0;
  private writing: Promise<void> | null = null;
  readonly ready: Promise<void>;

  constructor(readonly location: string, private readonly maxDead = MAX_DEAD_LETTERS) {
    this.ready = this.open();
  }

  private async open(): Promise<void> {
    await closing.get(this.location)?.catch(() => undefined);
    // Loaded here, so that the native module is only loaded when a ledger is used.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { ClassicLevel: Level } = require('classic-level') as typeof import('classic-level');
    fs.mkdirSync(path.dirname(this.location), { recursive: true });
    const make = () => new Level<string, string>(this.location, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    this.db = make();
    try {
      await this.db.open();
    } catch (err) {
      // A damaged table or manifest (a torn log tail needs no repair: LevelDB drops it on open).
      if (!isCorruption(err)) throw err;
      await Level.repair(this.location);
      this.db = make();
      await this.db.open();
    }
    for await (const k of this.db.keys({ gte: 't!', lt: `t!${END}`, reverse: true, limit: 1 })) {
      this.seq = Number(k.slice(2));
    }
    for await (const k of this.db.keys({ gte: 'x!', lt: `x!${END}`, reverse: true, limit: 1 })) {
      this.seq = Math.max(this.seq, Number(k.slice(2)));
    }
    for await (const _k of this.db.keys({ gte: 'x!', lt: `x!${END}` })) this.deadCount++;
  }

  async get(key: string): Promise<LedgerEntry | undefined> {
    await this.ready;
    const v = await this.db.get(`e!${key}`);
    return v === undefined ? undefined : (JSON.parse(v) as Stored).entry;
  }

  put(entry: LedgerEntry): Promise<void> {
    return this.change([{ kind: 'entry', entry }]);
  }

  journal(record: OutboxRecord): Promise<void> {
    return this.change([{ kind: 'journal', record }]);
  }

  markSent(id: string, sentAt?: number): Promise<void> {
    return this.change([{ kind: 'sent', id, sentAt }]);
  }

  settle(id: string, settlement: Settlement): Promise<void> {
    const changes: Change[] = [{ kind: 'unjournal', id }];
    if (settlement.entry) changes.push({ kind: 'entry', entry: settlement.entry });
    if (settlement.dead) changes.push({ kind: 'dead', dead: settlement.dead });
    return this.change(changes);
  }

  async pending(node?: string): Promise<OutboxRecord[]> {
    await this.ready;
    const sent = new Map<string, number>();
    for await (const [k, v] of this.db.iterator({ gte: 's!', lt: `s!${END}` })) sent.set(k.slice(2), Number(v));
    const out: OutboxRecord[] = [];
    for await (const v of this.db.values({ gte: 'q!', lt: `q!${END}` })) {
      const r = JSON.parse(v) as OutboxRecord;
      if (node !== undefined && r.node !== node) continue;
      const at = sent.get(r.id);
      if (at !== undefined) {
        r.state = 'sent';
        r.sentAt = at;
      }
      out.push(r);
    }
    return out.sort((a, b) => (a.accepted < b.accepted ? -1 : a.accepted > b.accepted ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async deadLetters(query: DeadLetterQuery): Promise<DeadLetter[]> {
    await this.ready;
    const limit = query.limit ?? 100;
    const out: DeadLetter[] = [];
    if (limit <= 0) return out;
    for await (const id of this.db.values({ gte: 'x!', lt: `x!${END}`, reverse: true })) {
      const v = await this.db.get(`d!${id}`);
      if (v === undefined) continue;
      const d = (JSON.parse(v) as StoredDead).dead;
      if (query.vendor && d.vendor !== query.vendor) continue;
      if (query.node && d.node !== query.node) continue;
      out.push(d);
      if (out.length >= limit) break;
    }
    return out;
  }

  async counts(): Promise<StoreCounts> {
    await this.ready;
    let pending = 0;
    for await (const _k of this.db.keys({ gte: 'q!', lt: `q!${END}` })) pending++;
    const deadLetters: Record<string, number> = {};
    for await (const k of this.db.keys({ gte: 'y!', lt: `y!${END}` })) {
      const vendor = decodeURIComponent(k.slice(2, k.lastIndexOf('!')));
      deadLetters[vendor] = (deadLetters[vendor] ?? 0) + 1;
    }
    return { pending, deadLetters };
  }

  async deadLetter(id: string): Promise<DeadLetter | undefined> {
    await this.ready;
    const v = await this.db.get(`d!${id}`);
    return v === undefined ? undefined : (JSON.parse(v) as StoredDead).dead;
  }

  async getCursor(id: string): Promise<unknown> {
    await this.ready;
    const v = await this.db.get(`c!${id}`);
    return v === undefined ? undefined : JSON.parse(v);
  }

  putCursor(id: string, value: unknown): Promise<void> {
    return this.change([{ kind: 'cursor', id, value }]);
  }

  async removeDeadLetter(id: string): Promise<boolean> {
    if (!(await this.deadLetter(id))) return false;
    await this.change([{ kind: 'undead', id }]);
    return true;
  }

  /** Queue changes for the next synced batch; resolves once it is written. */
  private change(changes: Change[]): Promise<void> {
    // A snapshot (the caller may change its objects before the batch is written). An outbox record carries
    // the whole message: serialized once, as it will be written, not copied and serialized again.
    const copy = changes.map((c): Change => (c.kind === 'journal' ? { kind: 'journaled', id: c.record.id, json: recordJson(c.record) } : (JSON.parse(JSON.stringify(c)) as Change)));
    return new Promise((resolve, reject) => {
      this.queued.push({ changes: copy, resolve, reject });
      if (!this.writing) this.writing = this.drain();
    });
  }

  /** Group commit: one synced batch for every put waiting, until none waits. */
  private async drain(): Promise<void> {
    try {
      await this.ready;
    } catch (err) {
      for (const p of this.queued.splice(0)) p.reject(err);
      this.writing = null;
      return;
    }
    while (this.queued.length) {
      const batch = this.queued.splice(0);
      try {
        await this.write(batch.flatMap((p) => p.changes));
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.writing = null;
  }

  private async write(changes: Change[]): Promise<void> {
    const entries = changes.flatMap((c) => (c.kind === 'entry' ? [c.entry] : []));
    // The latest of each key in this batch, and what each key had before (to drop its old index records).
    const keys = [...new Set(entries.map((e) => e.key))];
    const old = await this.db.getMany(keys.map((k) => `e!${k}`));
    const before = new Map<string, Stored>();
    keys.forEach((k, i) => old[i] !== undefined && before.set(k, JSON.parse(old[i]!) as Stored));
    const ops: Op[] = [];
    let seq = this.seq;
    for (const e of entries) {
      const prev = before.get(e.key);
      if (prev) for (const k of indexKeys(prev.entry, prev.seq)) ops.push({ type: 'del', key: k });
      const stored: Stored = { seq: ++seq, entry: e };
      ops.push({ type: 'put', key: `e!${e.key}`, value: JSON.stringify(stored) });
      for (const k of indexKeys(e, stored.seq)) ops.push({ type: 'put', key: k, value: e.key });
      before.set(e.key, stored);
    }
    // Outbox records and dead letters, in the order given (a journal then a settle of one id: settled).
    const deadIds = [...new Set(changes.flatMap((c) => (c.kind === 'dead' ? [c.dead.id] : c.kind === 'undead' ? [c.id] : [])))];
    const oldDead = deadIds.length ? await this.db.getMany(deadIds.map((id) => `d!${id}`)) : [];
    const deadSeq = new Map<string, { seq: number; vendor: string } | undefined>();
    deadIds.forEach((id, i) => {
      const prev = oldDead[i] !== undefined ? (JSON.parse(oldDead[i]!) as StoredDead) : undefined;
      deadSeq.set(id, prev ? { seq: prev.seq, vendor: prev.dead.vendor } : undefined);
    });
    const deadKeys = (id: string, at: { seq: number; vendor: string }) => [`x!${seqKey(at.seq)}`, `y!${part(at.vendor)}!${seqKey(at.seq)}`, `d!${id}`];
    let deadCount = this.deadCount;
    for (const c of changes) {
      if (c.kind === 'cursor') ops.push(c.value === undefined ? { type: 'del', key: `c!${c.id}` } : { type: 'put', key: `c!${c.id}`, value: JSON.stringify(c.value) });
      else if (c.kind === 'journaled') ops.push({ type: 'put', key: `q!${c.id}`, value: c.json });
      else if (c.kind === 'journal') ops.push({ type: 'put', key: `q!${c.record.id}`, value: JSON.stringify(c.record) });
      else if (c.kind === 'unjournal') ops.push({ type: 'del', key: `q!${c.id}` }, { type: 'del', key: `s!${c.id}` });
      else if (c.kind === 'sent') ops.push(c.sentAt === undefined ? { type: 'del', key: `s!${c.id}` } : { type: 'put', key: `s!${c.id}`, value: String(c.sentAt) });
      else if (c.kind === 'dead' || c.kind === 'undead') {
        const id = c.kind === 'dead' ? c.dead.id : c.id;
        const prev = deadSeq.get(id);
        if (prev !== undefined) {
          for (const key of deadKeys(id, prev)) ops.push({ type: 'del', key });
          deadCount--;
        }
        deadSeq.set(id, undefined);
        if (c.kind === 'dead') {
          const stored: StoredDead = { seq: ++seq, dead: c.dead };
          const at = { seq: stored.seq, vendor: c.dead.vendor };
          ops.push(
            { type: 'put', key: `d!${id}`, value: JSON.stringify(stored) },
            { type: 'put', key: `x!${seqKey(stored.seq)}`, value: id },
            { type: 'put', key: `y!${part(at.vendor)}!${seqKey(stored.seq)}`, value: id },
          );
          deadSeq.set(id, at);
          deadCount++;
        }
      }
    }
    // Beyond the bound, the oldest dead letters go (read from the index before this batch).
    if (deadCount > this.maxDead) {
      const excess = deadCount - this.maxDead;
      const oldest: Array<[string, string]> = [];
      for await (const [k, id] of this.db.iterator({ gte: 'x!', lt: `x!${END}`, limit: excess })) oldest.push([k, id]);
      const values = await this.db.getMany(oldest.map(([, id]) => `d!${id}`));
      oldest.forEach(([k, id], i) => {
        const seqNow = deadSeq.get(id);
        if (seqNow !== undefined && seqNow.seq !== Number(k.slice(2))) return; // re-put in this batch: already handled
        if (seqNow === undefined && deadSeq.has(id)) return; // removed in this batch
        const v = values[i];
        const vendor = v !== undefined ? (JSON.parse(v) as StoredDead).dead.vendor : '';
        for (const key of deadKeys(id, { seq: Number(k.slice(2)), vendor })) ops.push({ type: 'del', key });
        deadCount--;
      });
    }
    await this.db.batch(ops, { sync: true });
    this.seq = seq;
    this.deadCount = deadCount;
  }

  async recent(query: LedgerQuery): Promise<LedgerEntry[]> {
    await this.ready;
    const limit = query.limit ?? 100;
    if (limit <= 0) return [];
    const prefix = indexPrefix(query);
    const keys: string[] = [];
    for await (const k of this.db.values({ gte: prefix, lt: `${prefix}${END}`, reverse: true, limit })) keys.push(k);
    const values = await this.db.getMany(keys.map((k) => `e!${k}`));
    return values.filter((v): v is string => v !== undefined).map((v) => (JSON.parse(v) as Stored).entry);
  }

  async close(): Promise<void> {
    try {
      await this.ready;
    } catch {
      return; // never opened: nothing to release
    }
    while (this.writing) await this.writing;
    await this.db.close();
  }
}

function isCorruption(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code === 'LEVEL_CORRUPTION' || e?.cause?.code === 'LEVEL_CORRUPTION';
}

const handles = new Map<string, Handle>();
/** Handles still closing, by location: a new open of the same directory waits for it (else LEVEL_LOCKED). */
const closing = new Map<string, Promise<void>>();

/** The durable ledger in `<dir>/ledger` (the directory is created). */
export class LevelLedgerStore implements LedgerStore {
  /** The LevelDB directory. */
  readonly location: string;
  private handle: Handle | null;

  /** `options.maxDeadLetters`: dead letters kept at most (default MAX_DEAD_LETTERS; the first store of a directory sets it). */
  constructor(dir: string, options: { maxDeadLetters?: number } = {}) {
    this.location = path.join(path.resolve(dir), 'ledger');
    let h = handles.get(this.location);
    if (!h) {
      h = new Handle(this.location, options.maxDeadLetters);
      handles.set(this.location, h);
      // A failed open is reported by each call; the handle is forgotten so a later store retries.
      h.ready.catch(() => handles.get(this.location) === h && handles.delete(this.location));
    }
    h.refs++;
    this.handle = h;
  }

  /** Resolves once the database is open (rejects as LevelDB does, e.g. LEVEL_LOCKED by another process). */
  async open(): Promise<void> {
    await this.live().ready;
  }

  async get(key: string): Promise<LedgerEntry | undefined> {
    return this.live().get(key);
  }

  async put(entry: LedgerEntry): Promise<void> {
    return this.live().put(entry);
  }

  async recent(query: LedgerQuery = {}): Promise<LedgerEntry[]> {
    return this.live().recent(query);
  }

  async journal(record: OutboxRecord): Promise<void> {
    return this.live().journal(record);
  }

  async markSent(id: string, sentAt?: number): Promise<void> {
    return this.live().markSent(id, sentAt);
  }

  async settle(id: string, settlement: Settlement): Promise<void> {
    return this.live().settle(id, settlement);
  }

  async pending(node?: string): Promise<OutboxRecord[]> {
    return this.live().pending(node);
  }

  async deadLetters(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    return this.live().deadLetters(query);
  }

  async deadLetter(id: string): Promise<DeadLetter | undefined> {
    return this.live().deadLetter(id);
  }

  async removeDeadLetter(id: string): Promise<boolean> {
    return this.live().removeDeadLetter(id);
  }

  async counts(): Promise<StoreCounts> {
    return this.live().counts();
  }

  async getCursor(id: string): Promise<unknown> {
    return this.live().getCursor(id);
  }

  async putCursor(id: string, value: unknown): Promise<void> {
    return this.live().putCursor(id, value);
  }

  /** Releases this store; the directory's database closes when its last store in this process closes. */
  async close(): Promise<void> {
    const h = this.handle;
    if (!h) return;
    this.handle = null;
    if (--h.refs > 0) return;
    if (handles.get(h.location) === h) handles.delete(h.location);
    const done = h.close();
    closing.set(h.location, done);
    try {
      await done;
    } finally {
      if (closing.get(h.location) === done) closing.delete(h.location);
    }
  }

  private live(): Handle {
    if (!this.handle) throw Object.assign(new Error('ledger store is closed'), { code: 'LEDGER_CLOSED' });
    return this.handle;
  }
}
