/**
 * The push ledger (issue 12): what was pushed where, so that every profile lands in each ATS once.
 *
 * A ledger entry is keyed by (vendor, account, target, profile identity): the same profile pushed to the
 * same job of the same account is the same push. The account is a hash (never a secret); the profile is
 * its HrFlow identity (source + profile key) when known, else its e-mail as the vendor compares it.
 *
 * This file holds the shapes and the store contract. Stores: `MemoryLedgerStore` (tests, and the
 * plain-Node.js API when no directory is given) and the durable embedded store in the Node-RED user
 * directory (ledger-store.ts).
 */
import { createHash } from 'node:crypto';
import { ConnectorError, ErrorCodes } from '../core/errors';
import type { HrflowProfile } from '../hrflow/profile';

/** How a push ended, as the ledger keeps it. */
export type LedgerOutcome =
  /** Every step done. */
  | 'pushed'
  /** Created, but a later step failed (PARTIAL_PUSH): pushing again finishes the missing steps. */
  | 'partial'
  /** The create may or may not have happened (OUTCOME_UNKNOWN, ABORTED after the create left). */
  | 'unknown'
  /** Nothing was created (an error before or at the create): pushing again is a new attempt. */
  | 'failed'
  /** Pushed earlier, then updated with the current mapping (on_duplicate `update`): counts as pushed. */
  | 'updated'
  /**
   * Archived (or deleted, where the vendor only deletes) on msg.action = "archive": no longer counts as pushed
   * (pushing the profile again creates a new candidate); archiving again sends nothing.
   */
  | 'archived';

/** Every outcome, in the order the push log offers them. */
export const LEDGER_OUTCOMES: readonly LedgerOutcome[] = ['pushed', 'updated', 'archived', 'partial', 'unknown', 'failed'];

export interface LedgerStep {
  step: string;
  status: 'done' | 'skipped' | 'failed';
}

export interface LedgerEntry {
  /** ledgerKey(vendor, account, target, profile). */
  key: string;
  vendor: string;
  /** accountHash(...) of the account: never a secret. */
  account: string;
  /**
   * The canonical target (ledgerTarget): the push node's target parameters as `name=value` pairs sorted by
   * name, lists sorted, joined by `|`: "job_id=123", "offer_ids=101,202", "vacancy=slug",
   * "job_id=101|pool_ids=201,202|recruiter_id=15886", or "" (none).
   */
  target: string;
  /** "hrflow:<source key>/<profile key>" or "email:<address as the vendor compares it>". */
  profile: string;
  outcome: LedgerOutcome;
  candidateId?: string;
  steps: LedgerStep[];
  /** The error code of a partial, unknown or failed push. */
  code?: string;
  /** When it was recorded (ISO 8601). */
  at: string;
}

/** Filters of LedgerStore.recent (the editor's push log). */
export interface LedgerQuery {
  vendor?: string;
  outcome?: LedgerOutcome;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

/**
 * A message accepted by a push node and not yet settled (the durable outbox): journaled before its first
 * request, removed (atomically with its ledger entry or dead letter) when its outcome is given. Resumed
 * by the node with the same id when it starts again.
 */
export interface OutboxRecord {
  /** Unique id of this record. */
  id: string;
  /** The push node's id. */
  node: string;
  vendor: string;
  /** `queued`: no create request has left; `sent`: a create request may have reached the vendor (at `sentAt`). */
  state: 'queued' | 'sent';
  /** When the create request left (ms since the epoch), state `sent`. */
  sentAt?: number;
  /** The message as kept (journalMessage: its JSON-safe properties). */
  msg: Record<string, unknown>;
  /** When the node accepted it (ISO 8601). */
  accepted: string;
}

/** A push that ended in an error, kept until retried or discarded. */
export interface DeadLetter {
  /** Unique id (the outbox record's). */
  id: string;
  /** The push node's id (a retry sends the message to it again). */
  node: string;
  vendor: string;
  /** The error's code and (redacted) message. */
  code: string;
  message: string;
  /** The candidate the failed push created, when known (PARTIAL_PUSH...). */
  candidateId?: string;
  /** The push's ledger key, profile identity and target, when known. */
  key?: string;
  profile?: string;
  target?: string;
  /** The message as kept (journalMessage). */
  msg: Record<string, unknown>;
  /** When the push failed (ISO 8601). */
  at: string;
}

export interface DeadLetterQuery {
  vendor?: string;
  node?: string;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

/** LedgerStore.counts. */
export interface StoreCounts {
  pending: number;
  deadLetters: Record<string, number>;
}

/** What settles an outbox record, in one atomic write. */
export interface Settlement {
  /** The push's ledger entry to record. */
  entry?: LedgerEntry;
  /** The dead letter to keep (the push failed). */
  dead?: DeadLetter;
}

/**
 * Where ledger entries, the outbox and dead letters live. Every write resolves only once it is durable
 * (for durable stores).
 */
export interface LedgerStore {
  get(key: string): Promise<LedgerEntry | undefined>;
  put(entry: LedgerEntry): Promise<void>;
  recent(query?: LedgerQuery): Promise<LedgerEntry[]>;
  /** Journal (or update) an outbox record. */
  journal(record: OutboxRecord): Promise<void>;
  /**
   * Mark that the create of outbox record `id` may have left (at `sentAt`), or, without `sentAt`, that it was
   * answered with an error (nothing created): a small write beside the record, which is not rewritten.
   * `pending` answers the record with that state.
   */
  markSent(id: string, sentAt?: number): Promise<void>;
  /** Remove outbox record `id` (absent: nothing to remove) and write the settlement, atomically. */
  settle(id: string, settlement: Settlement): Promise<void>;
  /** Unsettled outbox records (of one node, or all), oldest first. */
  pending(node?: string): Promise<OutboxRecord[]>;
  deadLetters(query?: DeadLetterQuery): Promise<DeadLetter[]>;
  deadLetter(id: string): Promise<DeadLetter | undefined>;
  /** Remove a dead letter; false when there was none. */
  removeDeadLetter(id: string): Promise<boolean>;
  /** How many outbox records are unsettled, and dead letters kept by vendor (cheap: no record is read). */
  counts(): Promise<StoreCounts>;
  /** A reader's cursor (issue 13: hrflow-profiles keeps one per workflow_id), or undefined. */
  getCursor(id: string): Promise<unknown>;
  /** Keep a reader's cursor (a JSON value; undefined removes it), durably for durable stores. */
  putCursor(id: string, value: unknown): Promise<void>;
  close(): Promise<void>;
}

const sha = (parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

/** The account's identity (node type and account values, credentials included) as a hash: no secret is kept. */
export function accountHash(type: string, account: unknown): string {
  return sha(['account', type, account]).slice(0, 32);
}

/** The ledger key of a push. */
export function ledgerKey(vendor: string, account: string, target: string, profile: string): string {
  return sha(['push', vendor, account, target, profile]);
}

/** Dead letters kept at most by a store (the oldest are dropped beyond). */
export const MAX_DEAD_LETTERS = 10_000;

/** A store in memory (lost on restart): tests, and pushProfile without a ledger directory. */
export class MemoryLedgerStore implements LedgerStore {
  private readonly entries = new Map<string, LedgerEntry>();
  private readonly outbox = new Map<string, OutboxRecord>();
  private readonly dead = new Map<string, DeadLetter>();
  private readonly cursors = new Map<string, unknown>();

  async getCursor(id: string): Promise<unknown> {
    return this.cursors.has(id) ? structuredClone(this.cursors.get(id)) : undefined;
  }

  async putCursor(id: string, value: unknown): Promise<void> {
    if (value === undefined) this.cursors.delete(id);
    else this.cursors.set(id, JSON.parse(JSON.stringify(value)));
  }

  async journal(record: OutboxRecord): Promise<void> {
    // An update keeps the record's place (oldest first).
    this.outbox.set(record.id, structuredClone(record));
  }

  async markSent(id: string, sentAt?: number): Promise<void> {
    const r = this.outbox.get(id);
    if (!r) return;
    if (sentAt === undefined) {
      r.state = 'queued';
      delete r.sentAt;
    } else {
      r.state = 'sent';
      r.sentAt = sentAt;
    }
  }

  async settle(id: string, settlement: Settlement): Promise<void> {
    this.outbox.delete(id);
    if (settlement.entry) await this.put(settlement.entry);
    if (settlement.dead) {
      this.dead.delete(settlement.dead.id);
      this.dead.set(settlement.dead.id, structuredClone(settlement.dead));
      // Bounded like the durable store: the oldest go first.
      for (const id of this.dead.keys()) {
        if (this.dead.size <= MAX_DEAD_LETTERS) break;
        this.dead.delete(id);
      }
    }
  }

  async pending(node?: string): Promise<OutboxRecord[]> {
    return [...this.outbox.values()].filter((r) => node === undefined || r.node === node).map((r) => structuredClone(r));
  }

  async deadLetters(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const limit = query.limit ?? 100;
    const out: DeadLetter[] = [];
    for (const d of [...this.dead.values()].reverse()) {
      if (out.length >= limit) break;
      if (query.vendor && d.vendor !== query.vendor) continue;
      if (query.node && d.node !== query.node) continue;
      out.push(structuredClone(d));
    }
    return out;
  }

  async deadLetter(id: string): Promise<DeadLetter | undefined> {
    const d = this.dead.get(id);
    return d ? structuredClone(d) : undefined;
  }

  async removeDeadLetter(id: string): Promise<boolean> {
    return this.dead.delete(id);
  }

  async counts(): Promise<StoreCounts> {
    const deadLetters: Record<string, number> = {};
    for (const d of this.dead.values()) deadLetters[d.vendor] = (deadLetters[d.vendor] ?? 0) + 1;
    return { pending: this.outbox.size, deadLetters };
  }

  async get(key: string): Promise<LedgerEntry | undefined> {
    const e = this.entries.get(key);
    return e ? structuredClone(e) : undefined;
  }

  async put(entry: LedgerEntry): Promise<void> {
    // Newest last: re-inserting moves the entry to the end (recent() reads from the end).
    this.entries.delete(entry.key);
    this.entries.set(entry.key, structuredClone(entry));
  }

  async recent(query: LedgerQuery = {}): Promise<LedgerEntry[]> {
    const limit = query.limit ?? 100;
    const out: LedgerEntry[] = [];
    for (const e of [...this.entries.values()].reverse()) {
      if (out.length >= limit) break;
      if (query.vendor && e.vendor !== query.vendor) continue;
      if (query.outcome && e.outcome !== query.outcome) continue;
      out.push(structuredClone(e));
    }
    return out;
  }

  async close(): Promise<void> {
    /* nothing to release */
  }
}

// ---------------------------------------------------------------------------------------------
// Identity and target

/** A profile's identity, or undefined (no HrFlow key and no e-mail: the push is not deduplicated). */
export function profileIdentity(profile: HrflowProfile | undefined, payload?: Record<string, unknown>): string | undefined {
  const p = profile && typeof profile === 'object' ? profile : undefined;
  const key = typeof p?.key === 'string' ? p.key.trim() : '';
  const source = p?.source && typeof p.source === 'object' && typeof p.source.key === 'string' ? p.source.key.trim() : '';
  if (key && source) return `hrflow:${source}/${key}`;
  const email = emailOf(p?.info?.email) ?? payloadEmail(payload);
  return email ? `email:${email}` : undefined;
}

/** A trimmed, lowercased e-mail address, or undefined. */
function emailOf(value: unknown): string | undefined {
  if (Array.isArray(value)) value = value[0];
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(v) ? v : undefined;
}

/** The e-mail of a vendor payload: `email`, `mail` or `emails[0]`, at the top or one level down (`candidate.email`). */
function payloadEmail(payload: unknown, depth = 0): string | undefined {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const o = payload as Record<string, unknown>;
  for (const k of ['email', 'mail', 'emails']) {
    const e = emailOf(o[k]);
    if (e) return e;
  }
  if (depth > 0) return undefined;
  for (const v of Object.values(o)) {
    const e = payloadEmail(v, depth + 1);
    if (e) return e;
  }
  return undefined;
}

/** What ledgerTarget needs of a parameter's description (src/vendors/description.ts FieldDescription). */
export interface TargetField {
  name: string;
  msg?: string;
  picker?: string;
}

/**
 * The canonical target of a push, derived generically from the vendor's parameter descriptions: every
 * parameter that has a picker or that `msg.<x>` may supply (where the profile goes: job, offers, vacancy,
 * pools...), with its value after the vendor's readParams. Pairs `name=value` sorted by name, list values
 * sorted (numbers numerically) and deduplicated, empty values left out, joined by `|`.
 *
 *   SmartRecruiters  job_id
 *   Recruitee        offer_ids
 *   Broadbean        job_id, shortlist_id, aplitrak_email_address
 *   Flatchr          vacancy
 *   Taleez           job_id, pool_ids, recruiter_id
 */
export function ledgerTarget(fields: readonly TargetField[], params: unknown): string {
  const values = (params && typeof params === 'object' ? params : {}) as Record<string, unknown>;
  const parts: string[] = [];
  for (const f of [...fields].filter((x) => x.msg || x.picker).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const v = values[f.name];
    let text: string;
    if (Array.isArray(v)) {
      const items = [...new Set(v.filter((x) => x !== undefined && x !== null && String(x).trim() !== '').map((x) => String(x).trim()))];
      items.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      text = items.join(',');
    } else {
      text = v === undefined || v === null ? '' : String(v).trim();
    }
    if (text) parts.push(`${f.name}=${text}`);
  }
  return parts.join('|');
}

// ---------------------------------------------------------------------------------------------
// The ledger

/** Which push: the parts of its ledger key. */
export interface PushIdentity {
  vendor: string;
  /** accountHash(...) */
  account: string;
  /** ledgerTarget(...) */
  target: string;
  /** profileIdentity(...) */
  profile: string;
}

/** What to do when the ledger says the profile was already pushed there (`update`: update the recorded candidate). */
export type DuplicateMode = 'skip' | 'error' | 'push' | 'update';
export const DUPLICATE_MODES: readonly DuplicateMode[] = ['skip', 'error', 'push', 'update'];

/** A node property or an option as a DuplicateMode (anything else: the default, `skip`). */
export function duplicateMode(value: unknown): DuplicateMode {
  return typeof value === 'string' && (DUPLICATE_MODES as readonly string[]).includes(value.trim()) ? (value.trim() as DuplicateMode) : 'skip';
}

/** What a push returns that the ledger keeps (a vendor's PushResult). */
export interface LedgerWorkResult {
  candidateId?: string | number;
  steps?: Array<{ step: string; status: string }>;
}

/**
 * The outcome of PushLedger.once: the work ran (its result: a push, a finish, an update or an archive), or it was
 * already done (the entry: already pushed, or already archived for an archive).
 */
export type OnceOutcome<R> = { pushed: true; result: R; finished?: boolean; updated?: boolean; archived?: boolean } | { pushed: false; entry: LedgerEntry };

/** How PushLedger.once asks the work to run. */
export interface WorkPlan {
  /** Finish an earlier partial push (only its missing steps), on this candidate. */
  finishFrom?: { candidateId: string; steps: LedgerStep[] };
  /** A create of this push may have reached the vendor at this time (a resumed push): look it up before creating. */
  priorSentAt?: number;
  /** A person checked the ATS (a retried dead letter): where the vendor has no lookup, the create is sent. */
  checked?: boolean;
  /** Update this recorded candidate with the current mapping (on_duplicate `update`): never a create. */
  update?: { candidateId: string };
  /** Archive this recorded candidate (msg.action = "archive"): never a create. */
  archive?: { candidateId: string };
}

/** The durable outbox's part in PushLedger.once (src/push/outbox.ts). */
export interface OnceOptions {
  /** The vendor can finish a partial push (vendor.finish): a `partial` entry is finished instead of refused. */
  finishable?: boolean;
  /**
   * A push resumed from the outbox: `sentAt` when its create may have left before the stop; `accepted`
   * when the message was first accepted (an entry recorded since is this message's own push: not made
   * again, even in mode `push`).
   */
  resumed?: { sentAt?: number; accepted?: string };
  /** Write the final ledger entry (with the dead letter of a failure) in place of store.put: the outbox settles it. */
  settle?(settlement: Settlement): Promise<void>;
  /** The dead letter of a failure (undefined: none kept). */
  dead?(err: unknown, entry: LedgerEntry | undefined): DeadLetter | undefined;
  /** True when the push was cut by a stop that resumes it later: its entry is recorded, the outbox record kept. */
  keep?(): boolean;
  /**
   * A dead letter sent again by a person (the sidebar's Retry, after checking the ATS): an `unknown` entry
   * (the candidate may exist) no longer holds it back; the vendor's lookup still runs first where there is one.
   */
  retried?: boolean;
  /** The vendor can update a candidate (vendor.update): mode `update` on a recorded push is UNSUPPORTED without it. */
  updatable?: boolean;
  /** `archive`: archive the recorded candidate (msg.action) instead of pushing; `mode` is not used. */
  action?: 'archive';
}

/**
 * Claims shared by several processes on one store (RedisLedgerStore): a push of a key is made by the one process
 * holding its claim. `claim` is atomic (true: claimed, or extended, by `owner`); a claim lapses after `ttlMs` unless
 * claimed again, so a process that dies frees it.
 */
export interface SharedClaims {
  claim(key: string, owner: string, ttlMs: number): Promise<boolean>;
  release(key: string, owner: string): Promise<boolean>;
  /**
   * When a create of `key` left (ms epoch) and no entry of the key was written since: the process that sent it died
   * (its claim lapsed). The next push of the key looks the candidate up before creating.
   */
  sentAt?(key: string): Promise<number | undefined>;
}

export interface PushLedgerOptions {
  /** The clock of the entries (tests). */
  now?: () => Date;
  /**
   * Several processes on one store: each push first claims its key (waiting while another process holds it, then
   * reading the entry that process recorded), keeps the claim alive while it runs, and releases it after its
   * record is written. A store failure of the claim fails the push (nothing sent).
   */
  claims?: { store: SharedClaims; owner: string; ttlMs?: number; pollMs?: number };
  /** A store write that failed after the push itself succeeded (the push's outcome stands; say so in a log). */
  onStoreError?(err: unknown, entry: LedgerEntry): void;
}

/** Outcomes after which a push is not made again (unless on_duplicate is `push`): not `failed`, not `archived`. */
export function countsAsPushed(entry: LedgerEntry | undefined): entry is LedgerEntry {
  return !!entry && entry.outcome !== 'failed' && entry.outcome !== 'archived';
}

/** The ledger's reading of a failed push: partial (created, a later step failed), unknown, or failed. */
export function failureOutcome(err: unknown): { outcome: Exclude<LedgerOutcome, 'pushed'>; code?: string; candidateId?: string; step?: string; steps?: LedgerStep[] } {
  const e = err instanceof ConnectorError ? err : undefined;
  const candidateId = e?.candidateId !== undefined && e.candidateId !== null && e.candidateId !== '' ? String(e.candidateId) : undefined;
  const code = e?.code;
  // `steps`: what was done before the failed `step` (the create first), when the vendor said so.
  if (code === ErrorCodes.PARTIAL_PUSH || (candidateId !== undefined && code !== ErrorCodes.OUTCOME_UNKNOWN)) return { outcome: 'partial', code, candidateId, step: e?.step, steps: e?.steps && ledgerSteps(e.steps) };
  if (code === ErrorCodes.OUTCOME_UNKNOWN || e?.outcomeUnknown) return { outcome: 'unknown', code, candidateId };
  return { outcome: 'failed', code };
}

/** Steps as the ledger keeps them. */
function ledgerSteps(steps: LedgerWorkResult['steps']): LedgerStep[] {
  return (steps ?? []).map((s) => ({ step: s.step, status: s.status === 'skipped' ? 'skipped' : s.status === 'failed' ? 'failed' : 'done' }));
}

/** The steps of a finished push: the earlier ones done, then what the finish did (each step once, latest status). */
function mergeSteps(earlier: LedgerStep[], later: LedgerStep[]): LedgerStep[] {
  const byStep = new Map<string, LedgerStep>();
  for (const s of earlier) if (s.status !== 'failed') byStep.set(s.step, s);
  for (const s of later) byStep.set(s.step, s);
  return [...byStep.values()];
}

/**
 * The push ledger over a LedgerStore: `once` makes one push per (vendor, account, target, profile).
 *
 * Pushes of one key are serialized in this process: ten copies of a profile arriving at once give one
 * push; each later copy waits for the one before it, then finds its entry and follows `mode`. Entries
 * recorded as `pushed`, `partial` or `unknown` count as already pushed; `failed` does not (the next copy
 * pushes). A `partial` entry of a vendor that can finish (options.finishable) is finished: only its
 * missing steps run, on the recorded candidate. An `unknown` entry of a resumed push is looked up before
 * any create (plan.priorSentAt). A failed attempt never overwrites an entry that says a candidate exists.
 */
export class PushLedger {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly now: () => Date;

  constructor(readonly store: LedgerStore, private readonly options: PushLedgerOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  /** The ledger key of a push. */
  key(id: PushIdentity): string {
    return ledgerKey(id.vendor, id.account, id.target, id.profile);
  }

  /** The recorded entry of a push, if any. */
  lookup(id: PushIdentity): Promise<LedgerEntry | undefined> {
    return this.store.get(this.key(id));
  }

  /** The entry of an outcome (not written). */
  entry(id: PushIdentity, outcome: Omit<LedgerEntry, 'key' | 'vendor' | 'account' | 'target' | 'profile' | 'at'>): LedgerEntry {
    const entry: LedgerEntry = { key: this.key(id), ...id, ...outcome, at: this.now().toISOString() };
    if (entry.candidateId === undefined) delete entry.candidateId;
    if (entry.code === undefined) delete entry.code;
    return entry;
  }

  /**
   * Record an outcome (a `failed` one does not replace an entry saying a candidate exists), through
   * `settle` when given (the outbox's atomic write, with `dead`), else store.put.
   */
  async record(
    id: PushIdentity,
    outcome: Omit<LedgerEntry, 'key' | 'vendor' | 'account' | 'target' | 'profile' | 'at'>,
    settle?: (s: Settlement) => Promise<void>,
    dead?: DeadLetter,
  ): Promise<LedgerEntry> {
    let entry = this.entry(id, outcome);
    let write: LedgerEntry | undefined = entry;
    if (entry.outcome === 'failed') {
      const previous = await this.store.get(entry.key);
      if (countsAsPushed(previous)) {
        entry = previous;
        write = undefined;
      }
    }
    if (settle) await settle({ entry: write, dead });
    else if (write) await this.store.put(write);
    return entry;
  }

  /**
   * Push once: wait for the pushes of the same key before this one, look the entry up, then either
   * answer the recorded entry (`skip`), throw ALREADY_PUSHED (`error`), finish a partial push, or run
   * `work` and record its outcome (no entry, a failed one, or mode `push`). An `unknown` entry is
   * ALREADY_PUSHED in modes `skip` and `error` alike (the candidate may exist, and there is no id to hand
   * on), unless the push is resumed (then it is looked up).
   */
  async once<R extends LedgerWorkResult>(id: PushIdentity, mode: DuplicateMode, work: (plan: WorkPlan) => Promise<R>, label = id.vendor, options: OnceOptions = {}): Promise<OnceOutcome<R>> {
    const key = this.key(id);
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    try {
      await before;
      const claimed = await this.claim(key, options);
      try {
        return await this.step(id, mode, work, label, options);
      } finally {
        await claimed?.();
      }
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /**
   * With shared claims: wait until this process holds the key's claim (another process pushing it: its entry is
   * read after), keep it alive while the push runs; resolves with the release. Without: undefined.
   */
  private async claim(key: string, options: OnceOptions): Promise<(() => Promise<void>) | undefined> {
    const claims = this.options.claims;
    if (!claims) return undefined;
    const ttlMs = claims.ttlMs ?? 30_000;
    const pollMs = claims.pollMs ?? 50;
    // Polled a little less often the longer it waits (a copy queued behind a long rate-limited push costs Redis
    // little), at most every second.
    for (let wait = pollMs; !(await claims.store.claim(key, claims.owner, ttlMs)); wait = Math.min(Math.max(pollMs, 1000), Math.ceil(wait * 1.5))) {
      if (options.keep?.()) throw new ConnectorError(ErrorCodes.ABORTED, 'the flow was stopped while another instance was pushing this profile: it is resumed when the node starts again');
      await new Promise((r) => setTimeout(r, wait));
    }
    // Claimed again before it lapses, while the push runs (a failed renewal is retried at the next tick).
    const renew = setInterval(() => {
      claims.store.claim(key, claims.owner, ttlMs).catch(() => undefined);
    }, Math.max(10, Math.floor(ttlMs / 3)));
    renew.unref?.();
    return async () => {
      clearInterval(renew);
      // A failed release lapses by itself after ttlMs: the push's outcome stands.
      await claims.store.release(key, claims.owner).catch(() => undefined);
    };
  }

  private async step<R extends LedgerWorkResult>(id: PushIdentity, mode: DuplicateMode, work: (plan: WorkPlan) => Promise<R>, label: string, options: OnceOptions): Promise<OnceOutcome<R>> {
    // Stopped while waiting for the pushes before it: left as it is, for the next start.
    if (options.keep?.()) throw new ConnectorError(ErrorCodes.ABORTED, 'the flow was stopped before this push started: it is resumed when the node starts again', { vendor: id.vendor });
    if (options.action === 'archive') return this.archiveStep(id, work, label, options);
    const plan: WorkPlan = {};
    const entry = mode !== 'push' || options.resumed ? await this.lookup(id) : undefined;
    // A resumed message whose own push was recorded before the stop: never pushed twice, whatever the mode.
    const accepted = options.resumed?.accepted;
    if ((mode === 'push' || mode === 'update') && accepted && countsAsPushed(entry) && entry.at >= accepted) mode = 'skip';
    if (mode !== 'push' && countsAsPushed(entry)) {
      if (entry.outcome === 'partial' && options.finishable && entry.candidateId !== undefined) {
        plan.finishFrom = { candidateId: entry.candidateId, steps: entry.steps };
      } else if (entry.outcome === 'unknown' && (options.resumed || options.retried)) {
        plan.priorSentAt = options.resumed?.sentAt ?? Date.parse(entry.at);
        if (options.retried) plan.checked = true;
      } else if (entry.outcome === 'partial' && accepted && entry.at >= accepted) {
        // This message's own push stopped after the create, and the vendor cannot finish it: its outcome is
        // that PARTIAL_PUSH (a dead letter), never "already pushed".
        const err = unfinished(entry, label);
        if (options.settle && !options.keep?.()) await options.settle({ dead: options.dead?.(err, entry) }).catch((e) => this.options.onStoreError?.(e, entry));
        throw err;
      } else if (mode === 'update' && entry.outcome !== 'unknown' && entry.candidateId !== undefined) {
        if (!options.updatable) {
          if (options.settle && !options.keep?.()) await options.settle({}).catch((e) => this.options.onStoreError?.(e, entry));
          throw unsupported(entry.vendor, label, 'update');
        }
        plan.update = { candidateId: entry.candidateId };
      } else {
        if (options.settle && !options.keep?.()) await options.settle({}).catch((e) => this.options.onStoreError?.(e, entry));
        if (mode === 'skip' && entry.outcome !== 'unknown') return { pushed: false, entry };
        throw alreadyPushed(entry, label);
      }
    } else if (options.resumed?.sentAt !== undefined) {
      plan.priorSentAt = options.resumed.sentAt;
    }
    if (mode !== 'push' && !countsAsPushed(entry) && plan.priorSentAt === undefined && this.options.claims?.store.sentAt) {
      // Another process sent a create of this key and died before writing its entry: look it up before creating.
      const sentAt = await this.options.claims.store.sentAt(this.key(id));
      if (sentAt !== undefined) plan.priorSentAt = sentAt;
    }
    // A stop that resumes the push later: the entry is recorded (a create or a partial is known), the outbox record kept.
    const settleOrKeep = (dead?: DeadLetter) => this.settleOrKeep(options, dead);
    let result: R;
    try {
      result = await work(plan);
    } catch (err) {
      if (plan.update && entry) {
        // A failed update leaves the candidate as it was recorded: the entry stays, the failure is a dead letter.
        await this.keepEntry(err, entry, plan.update.candidateId, settleOrKeep, options);
        throw err;
      }
      const f = failureOutcome(err);
      const from = plan.finishFrom;
      // A finish that fails leaves the push partial, on the same candidate.
      const outcome = from && f.outcome === 'failed' ? 'partial' : f.outcome;
      const candidateId = f.candidateId ?? from?.candidateId;
      const failedStep: LedgerStep[] = f.step ? [{ step: f.step, status: 'failed' }] : [];
      const steps: LedgerStep[] = outcome === 'partial' ? mergeSteps(from?.steps ?? [{ step: 'create', status: 'done' }], [...(f.steps ?? []), ...failedStep]) : [];
      const recorded = this.entry(id, { outcome, candidateId, steps, code: f.code });
      const dead = options.dead?.(err, recorded);
      await this.record(id, { outcome, candidateId, steps, code: f.code }, settleOrKeep(dead), dead).catch((e) => this.options.onStoreError?.(e, recorded));
      throw err;
    }
    if (plan.update && entry) {
      // The recorded candidate, updated: its earlier steps kept, the update's added.
      const updated = { outcome: 'updated' as const, candidateId: plan.update.candidateId, steps: mergeSteps(entry.steps, ledgerSteps(result.steps)) };
      await this.record(id, updated, settleOrKeep()).catch((e) => this.options.onStoreError?.(e, this.entry(id, updated)));
      return { pushed: true, result, updated: true };
    }
    const candidateId = result.candidateId !== undefined && result.candidateId !== null && result.candidateId !== '' ? String(result.candidateId) : plan.finishFrom?.candidateId;
    const steps = plan.finishFrom ? mergeSteps(plan.finishFrom.steps, ledgerSteps(result.steps)) : ledgerSteps(result.steps);
    await this.record(id, { outcome: 'pushed', candidateId, steps }, settleOrKeep()).catch((e) =>
      this.options.onStoreError?.(e, this.entry(id, { outcome: 'pushed', candidateId, steps })),
    );
    return { pushed: true, result, finished: plan.finishFrom ? true : undefined };
  }

  /** Write a settlement: kept for the next start when the node stops to resume (the entry only), else through `settle`, else store.put. */
  private settleOrKeep(options: OnceOptions, dead?: DeadLetter): (s: Settlement) => Promise<void> {
    return (s) => (options.keep?.() ? (s.entry ? this.store.put(s.entry) : Promise.resolve()) : options.settle ? options.settle({ ...s, dead }) : s.entry ? this.store.put(s.entry) : Promise.resolve());
  }

  /** An update or archive failed: the recorded entry stays as it is, the error names the candidate, the failure is a dead letter. */
  private async keepEntry(err: unknown, entry: LedgerEntry, candidateId: string, settleOrKeep: (dead?: DeadLetter) => (s: Settlement) => Promise<void>, options: OnceOptions): Promise<void> {
    if (err instanceof ConnectorError && err.candidateId === undefined) err.candidateId = candidateId;
    await settleOrKeep(options.dead?.(err, entry))({}).catch((e) => this.options.onStoreError?.(e, entry));
  }

  /**
   * msg.action = "archive": the recorded candidate is archived (work gets plan.archive), and the entry says so.
   * Already archived: nothing sent (the entry). No candidate recorded (no entry, a failed push, an unknown one
   * without id): NOT_PUSHED. A failure leaves the entry as it was (a dead letter). Never a create.
   */
  private async archiveStep<R extends LedgerWorkResult>(id: PushIdentity, work: (plan: WorkPlan) => Promise<R>, label: string, options: OnceOptions): Promise<OnceOutcome<R>> {
    const entry = await this.lookup(id);
    const settleOrKeep = (dead?: DeadLetter) => this.settleOrKeep(options, dead);
    if (entry?.outcome === 'archived') {
      await settleOrKeep()({}).catch((e) => this.options.onStoreError?.(e, entry));
      return { pushed: false, entry };
    }
    if (!countsAsPushed(entry) || entry.candidateId === undefined) {
      await settleOrKeep()({}).catch((e) => entry && this.options.onStoreError?.(e, entry));
      throw notPushed(id.vendor, label, entry);
    }
    const candidateId = entry.candidateId;
    let result: R;
    try {
      result = await work({ archive: { candidateId } });
    } catch (err) {
      await this.keepEntry(err, entry, candidateId, settleOrKeep, options);
      throw err;
    }
    const archived = { outcome: 'archived' as const, candidateId, steps: mergeSteps(entry.steps, ledgerSteps(result.steps)) };
    await this.record(id, archived, settleOrKeep()).catch((e) => this.options.onStoreError?.(e, this.entry(id, archived)));
    return { pushed: true, result, archived: true };
  }
}

/** UNSUPPORTED: the vendor's API has no update (or no archive). */
export function unsupported(vendor: string, label: string, what: 'update' | 'archive'): ConnectorError {
  const text =
    what === 'update'
      ? `${label}'s API cannot update a candidate: this profile was already pushed there, and "If already pushed" is "update". Nothing was sent; choose "skip", "error" or "push again" for this node`
      : `${label}'s API cannot archive or delete a candidate: msg.action "archive" is not possible with this node. Nothing was sent`;
  return new ConnectorError(ErrorCodes.UNSUPPORTED, text, { vendor });
}

/** NOT_PUSHED: msg.action = "archive" for a profile without a recorded candidate. */
function notPushed(vendor: string, label: string, entry: LedgerEntry | undefined): ConnectorError {
  const why = !entry
    ? `this profile was never pushed to this target of this ${label} account`
    : entry.outcome === 'unknown'
      ? `its push to ${label} on ${entry.at} ended without an answer (${entry.code ?? 'OUTCOME_UNKNOWN'}): the candidate may exist, but its id is not known; archive it in ${label}`
      : entry.outcome === 'failed'
        ? `its last push to ${label} failed (${entry.code ?? 'error'}): no candidate was created`
        : `the push ledger has no ${label} candidate id for it`;
  return new ConnectorError(ErrorCodes.NOT_PUSHED, `nothing to archive: ${why}. Nothing was sent`, { vendor });
}

/** The PARTIAL_PUSH of a resumed push whose later steps did not run and cannot be finished by its vendor. */
function unfinished(entry: LedgerEntry, label: string): ConnectorError {
  const missing = entry.steps.filter((s) => s.status === 'failed').map((s) => s.step);
  return new ConnectorError(
    ErrorCodes.PARTIAL_PUSH,
    `candidate ${entry.candidateId ?? '(id unknown)'} was created in ${label} before Node-RED stopped, but ${missing.length ? missing.join(', ') : 'a later step'} did not run, and this node cannot finish it: do it in ${label}`,
    { vendor: entry.vendor, candidateId: entry.candidateId, step: missing[0], steps: entry.steps.filter((s): s is LedgerStep & { status: 'done' | 'skipped' } => s.status !== 'failed') },
  );
}

/** ALREADY_PUSHED for a recorded entry: carries its candidate id (when known). */
export function alreadyPushed(entry: LedgerEntry, label: string): ConnectorError {
  const id = entry.candidateId !== undefined ? ` as candidate ${entry.candidateId}` : '';
  const text =
    entry.outcome === 'unknown'
      ? `this profile was pushed to ${label} on ${entry.at} but the answer was lost (${entry.code ?? 'OUTCOME_UNKNOWN'}): the candidate may exist there; check ${label}, then set "If already pushed" to "push again" to push it anyway`
      : entry.outcome === 'partial'
        ? `this profile was already pushed to ${label} on ${entry.at}${id}, but a later step failed (${entry.code ?? 'PARTIAL_PUSH'}): finish it in ${label}`
        : `this profile was already pushed to ${label} on ${entry.at}${id}`;
  return new ConnectorError(ErrorCodes.ALREADY_PUSHED, text, { vendor: entry.vendor, candidateId: entry.candidateId, outcomeUnknown: entry.outcome === 'unknown' || undefined });
}
