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
  /** The canonical target: "job:123", "offers:101,202", "vacancy:slug", "job:101|pools:201,202", or "" (none). */
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
