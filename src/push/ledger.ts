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
  | 'failed';

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

/** Where ledger entries live. `put` resolves only once the entry is durable (for durable stores). */
export interface LedgerStore {
  get(key: string): Promise<LedgerEntry | undefined>;
  put(entry: LedgerEntry): Promise<void>;
  recent(query?: LedgerQuery): Promise<LedgerEntry[]>;
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

/** A store in memory (lost on restart): tests, and pushProfile without a ledger directory. */
export class MemoryLedgerStore implements LedgerStore {
  private readonly entries = new Map<string, LedgerEntry>();

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

/** What to do when the ledger says the profile was already pushed there. */
export type DuplicateMode = 'skip' | 'error' | 'push';
export const DUPLICATE_MODES: readonly DuplicateMode[] = ['skip', 'error', 'push'];

/** A node property or an option as a DuplicateMode (anything else: the default, `skip`). */
export function duplicateMode(value: unknown): DuplicateMode {
  return typeof value === 'string' && (DUPLICATE_MODES as readonly string[]).includes(value.trim()) ? (value.trim() as DuplicateMode) : 'skip';
}

/** What a push returns that the ledger keeps (a vendor's PushResult). */
export interface LedgerWorkResult {
  candidateId?: string | number;
  steps?: Array<{ step: string; status: string }>;
}

/** The outcome of PushLedger.once: the push ran (its result), or it was already done (the entry). */
export type OnceOutcome<R> = { pushed: true; result: R } | { pushed: false; entry: LedgerEntry };

export interface PushLedgerOptions {
  /** The clock of the entries (tests). */
  now?: () => Date;
  /** A store write that failed after the push itself succeeded (the push's outcome stands; say so in a log). */
  onStoreError?(err: unknown, entry: LedgerEntry): void;
}

/** Outcomes after which a push is not made again (unless on_duplicate is `push`). */
export function countsAsPushed(entry: LedgerEntry | undefined): entry is LedgerEntry {
  return !!entry && entry.outcome !== 'failed';
}

/** The ledger's reading of a failed push: partial (created, a later step failed), unknown, or failed. */
export function failureOutcome(err: unknown): { outcome: Exclude<LedgerOutcome, 'pushed'>; code?: string; candidateId?: string; step?: string } {
  const e = err instanceof ConnectorError ? err : undefined;
  const candidateId = e?.candidateId !== undefined && e.candidateId !== null && e.candidateId !== '' ? String(e.candidateId) : undefined;
  const code = e?.code;
  if (code === ErrorCodes.PARTIAL_PUSH || (candidateId !== undefined && code !== ErrorCodes.OUTCOME_UNKNOWN)) return { outcome: 'partial', code, candidateId, step: e?.step };
  if (code === ErrorCodes.OUTCOME_UNKNOWN || e?.outcomeUnknown) return { outcome: 'unknown', code, candidateId };
  return { outcome: 'failed', code };
}

/**
 * The push ledger over a LedgerStore: `once` makes one push per (vendor, account, target, profile).
 *
 * Pushes of one key are serialized in this process: ten copies of a profile arriving at once give one
 * push; each later copy waits for the one before it, then finds its entry and follows `mode`. Entries
 * recorded as `pushed`, `partial` (created; finishing the missing steps is a later step of issue 12) or
 * `unknown` (the create may have reached the vendor) count as already pushed; `failed` does not (the
 * next copy pushes). A failed attempt never overwrites an entry that says a candidate exists.
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

  /** Record an outcome (a `failed` one does not replace an entry saying a candidate exists). */
  async record(id: PushIdentity, outcome: Omit<LedgerEntry, 'key' | 'vendor' | 'account' | 'target' | 'profile' | 'at'>): Promise<LedgerEntry> {
    const key = this.key(id);
    const entry: LedgerEntry = { key, ...id, ...outcome, at: this.now().toISOString() };
    if (entry.candidateId === undefined) delete entry.candidateId;
    if (entry.code === undefined) delete entry.code;
    if (entry.outcome === 'failed') {
      const previous = await this.store.get(key);
      if (countsAsPushed(previous)) return previous;
    }
    await this.store.put(entry);
    return entry;
  }

  /**
   * Push once: wait for the pushes of the same key before this one, look the entry up, then either
   * answer the recorded entry (`skip`), throw ALREADY_PUSHED (`error`), or run `work` and record its
   * outcome (no entry, a failed one, or mode `push`). An `unknown` entry is ALREADY_PUSHED in modes
   * `skip` and `error` alike: the candidate may exist, and there is no id to hand on.
   */
  async once<R extends LedgerWorkResult>(id: PushIdentity, mode: DuplicateMode, work: () => Promise<R>, label = id.vendor): Promise<OnceOutcome<R>> {
    const key = this.key(id);
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    try {
      await before;
      return await this.step(id, mode, work, label);
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  private async step<R extends LedgerWorkResult>(id: PushIdentity, mode: DuplicateMode, work: () => Promise<R>, label: string): Promise<OnceOutcome<R>> {
    if (mode !== 'push') {
      const entry = await this.lookup(id);
      if (countsAsPushed(entry)) {
        if (mode === 'skip' && entry.outcome !== 'unknown') return { pushed: false, entry };
        throw alreadyPushed(entry, label);
      }
    }
    let result: R;
    try {
      result = await work();
    } catch (err) {
      const f = failureOutcome(err);
      const steps: LedgerStep[] = f.outcome === 'partial' ? [{ step: 'create', status: 'done' }, ...(f.step ? [{ step: f.step, status: 'failed' as const }] : [])] : [];
      await this.record(id, { outcome: f.outcome, candidateId: f.candidateId, steps, code: f.code }).catch((e) => this.options.onStoreError?.(e, { key: this.key(id), ...id, outcome: f.outcome, steps, at: this.now().toISOString() }));
      throw err;
    }
    const candidateId = result.candidateId !== undefined && result.candidateId !== null && result.candidateId !== '' ? String(result.candidateId) : undefined;
    const steps: LedgerStep[] = (result.steps ?? []).map((s) => ({ step: s.step, status: s.status === 'skipped' ? 'skipped' : s.status === 'failed' ? 'failed' : 'done' }));
    await this.record(id, { outcome: 'pushed', candidateId, steps }).catch((e) =>
      this.options.onStoreError?.(e, { key: this.key(id), ...id, outcome: 'pushed', candidateId, steps, at: this.now().toISOString() }),
    );
    return { pushed: true, result };
  }
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
