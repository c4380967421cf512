/**
 * Write-back to HrFlow (issue 12): after a push, record on the HrFlow profile which ATS has it (vendor,
 * candidate id, target, time), in the profile's `metadatas` (default) or `tags`, with HrFlow's profile
 * update `PUT /profile/indexing`.
 *
 * HrFlow's update replaces each field it is given as a whole (python-hrflow-api `edit`: "update the object
 * already stored by the fields provided"), so a list is read first (GET), our record merged into it, and
 * only that one field is sent back: `{source_key, key, metadatas}` (or `tags`). Every other entry is kept as
 * it is; an entry for the same vendor and target is replaced, never duplicated. Read-modify-write is not
 * atomic at HrFlow (no version or ETag): write-backs of one profile are serialized in this process
 * (`serializeProfile`); two processes writing the same profile at the same instant may still lose one record.
 *
 * Usable without Node-RED:
 *
 *   const client = new HrflowClient({ api_secret, api_user });
 *   await recordPush(client, { source_key, profile_key, vendor: 'taleez', candidate_id: '123', target: 'job_id=101' });
 */
import { ConnectorError, ErrorCodes } from '../core/errors';
import type { HrflowClient } from './client';
import type { HrflowProfile } from './profile';

/** Where the record goes: the profile's `metadatas` (default) or its `tags`. */
export type WritebackField = 'metadatas' | 'tags';
export const WRITEBACK_FIELDS: readonly WritebackField[] = ['metadatas', 'tags'];

/** A node property or an option as a WritebackField (anything else: `metadatas`). */
export function writebackField(value: unknown): WritebackField {
  return value === 'tags' ? 'tags' : 'metadatas';
}

/** The name prefix of every record this package writes (`ats:<vendor>` or `ats:<vendor>:<target>`). */
export const WRITEBACK_PREFIX = 'ats:';

/** One entry of a profile's `metadatas` or `tags`. */
export interface NameValue {
  name: string;
  value: unknown;
  [extra: string]: unknown;
}

/** What one push is, as written back. */
export interface PushRecord {
  vendor: string;
  candidate_id: string;
  /** The canonical target of the push (src/push/ledger.ts ledgerTarget: "job_id=101|pool_ids=201"), or "". */
  target: string;
  /** When it was recorded (ISO 8601). */
  at: string;
}

/** What recordPush needs. */
export interface WritebackInput {
  source_key: string;
  profile_key: string;
  vendor: string;
  candidate_id: string | number;
  target?: string;
  /** Default `metadatas`. */
  field?: WritebackField;
  /** The time recorded (default: now). */
  at?: Date;
}

/** What recordPush did. */
export interface WritebackResult {
  source_key: string;
  profile_key: string;
  vendor: string;
  candidate_id: string;
  target: string;
  field: WritebackField;
  /** The entry's name (`ats:<vendor>` or `ats:<vendor>:<target>`). */
  name: string;
  /** When the push was recorded (ISO 8601): an unchanged record keeps its first time. */
  at: string;
  /**
   * `created`: a new entry; `replaced`: the entry of this vendor and target named another candidate;
   * `unchanged`: it already named this candidate (nothing was sent to HrFlow).
   */
  action: 'created' | 'replaced' | 'unchanged';
}

/** The entry name of a push: `ats:<vendor>`, or `ats:<vendor>:<target>` when the push has a target. */
export function recordName(vendor: string, target: string): string {
  return `${WRITEBACK_PREFIX}${vendor}${target ? `:${target}` : ''}`;
}

/**
 * The entry of one push: `{name: "ats:<vendor>[:<target>]", value: "<JSON {vendor, candidate_id, target, at}>"}`.
 * The value is a JSON string (HrFlow shows and indexes strings; a reader parses it back with parseRecord).
 */
export function recordEntry(record: PushRecord): NameValue {
  const value = JSON.stringify({ vendor: record.vendor, candidate_id: record.candidate_id, target: record.target, at: record.at });
  return { name: recordName(record.vendor, record.target), value };
}

/** The push an entry records, or undefined when the entry is not one of ours (or unreadable). */
export function parseRecord(entry: unknown): PushRecord | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  const { name, value } = entry as { name?: unknown; value?: unknown };
  if (typeof name !== 'string' || !name.startsWith(WRITEBACK_PREFIX)) return undefined;
  let v: unknown = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (!v || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r.vendor !== 'string' || (typeof r.candidate_id !== 'string' && typeof r.candidate_id !== 'number')) return undefined;
  return { vendor: r.vendor, candidate_id: String(r.candidate_id), target: typeof r.target === 'string' ? r.target : '', at: typeof r.at === 'string' ? r.at : '' };
}

/**
 * The profile's list with this push recorded: every other entry kept as it is and where it is; the entry of
 * the same vendor and target (same name) replaced in place (several: the first replaced, the others dropped);
 * else the new entry appended. `unchanged` when the entry already names this candidate (its time is kept).
 */
export function mergeRecord(
  existing: unknown,
  record: PushRecord,
): { list: NameValue[]; action: WritebackResult['action']; entry: NameValue; at: string } {
  const list = (Array.isArray(existing) ? existing : []).filter((e): e is NameValue => !!e && typeof e === 'object' && !Array.isArray(e)) as NameValue[];
  const name = recordName(record.vendor, record.target);
  const same = list.filter((e) => e.name === name);
  const previous = same.map(parseRecord).find((r) => r !== undefined);
  if (same.length === 1 && previous && previous.candidate_id === record.candidate_id && previous.vendor === record.vendor && previous.target === record.target) {
    return { list, action: 'unchanged', entry: same[0], at: previous.at || record.at };
  }
  const entry = recordEntry(record);
  if (!same.length) return { list: [...list, entry], action: 'created', entry, at: record.at };
  const out: NameValue[] = [];
  let placed = false;
  for (const e of list) {
    if (e.name !== name) out.push(e);
    else if (!placed) {
      out.push(entry);
      placed = true;
    }
  }
  return { list: out, action: 'replaced', entry, at: record.at };
}

/** The body of HrFlow's `PUT /profile/indexing` changing one list of the profile. */
export function writebackBody(sourceKey: string, profileKey: string, field: WritebackField, list: NameValue[]): Record<string, unknown> {
  return { source_key: sourceKey, key: profileKey, [field]: list };
}

/** Checks what a write-back needs, else INVALID_INPUT (nothing is sent). */
export function checkWritebackInput(input: WritebackInput): PushRecord & { source_key: string; profile_key: string; field: WritebackField } {
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : '');
  const source_key = str(input.source_key);
  const profile_key = str(input.profile_key);
  const vendor = str(input.vendor);
  const candidate_id = str(input.candidate_id);
  const missing = [
    !vendor && 'the vendor (msg.vendor)',
    !candidate_id && 'the candidate id (msg.candidate_id)',
    !source_key && 'the HrFlow source key (msg.hrflow.source_key)',
    !profile_key && 'the HrFlow profile key (msg.hrflow.profile_key)',
  ].filter(Boolean);
  if (missing.length) {
    throw new ConnectorError(ErrorCodes.INVALID_INPUT, `nothing to write back to HrFlow: no ${missing.join(', no ')}`, { vendor: 'hrflow', step: 'writeback' });
  }
  const at = input.at ?? new Date();
  return { source_key, profile_key, vendor, candidate_id, target: str(input.target), at: at.toISOString(), field: writebackField(input.field) };
}

/**
 * Serializes the write-backs of one profile in this process: `fn` runs once the previous write-back of the
 * same source and profile key has ended (a read-modify-write of the same list must not interleave).
 */
const chains = new Map<string, Promise<unknown>>();
export function serializeProfile<T>(sourceKey: string, profileKey: string, fn: () => Promise<T>): Promise<T> {
  const key = `${sourceKey}\u0000${profileKey}`;
  const before = chains.get(key) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const tail = run.then(() => undefined, () => undefined);
  chains.set(key, tail);
  void tail.then(() => {
    if (chains.get(key) === tail) chains.delete(key);
  });
  return run;
}

/**
 * Record a push on the HrFlow profile: read it (HRFLOW_NOT_FOUND when HrFlow has no such profile), merge
 * the record into its `metadatas` or `tags`, and update only that field (no request when the record is
 * already there). Errors are the HrflowClient's (AUTH_FAILED, VENDOR_REJECTED, TIMEOUT...).
 */
export async function recordPush(client: HrflowClient, input: WritebackInput): Promise<WritebackResult> {
  const r = checkWritebackInput(input);
  return serializeProfile(r.source_key, r.profile_key, async () => {
    const profile: HrflowProfile = await client.getProfile(r.source_key, r.profile_key);
    const merged = mergeRecord(profile[r.field], r);
    if (merged.action !== 'unchanged') {
      await client.updateProfile(r.source_key, r.profile_key, { [r.field]: merged.list });
    }
    return {
      source_key: r.source_key,
      profile_key: r.profile_key,
      vendor: r.vendor,
      candidate_id: r.candidate_id,
      target: r.target,
      field: r.field,
      name: merged.entry.name,
      at: merged.at,
      action: merged.action,
    };
  });
}
