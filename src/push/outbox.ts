/**
 * The durable outbox (issue 12): what of a message is journaled before its push, and what a failed push
 * leaves as a dead letter. The records live in the ledger's store (LedgerStore.journal / settle / pending).
 *
 * What is kept of a message (journalMessage): its own properties whose values JSON keeps (strings, numbers,
 * booleans, null, plain objects and arrays of those; a Buffer as `{type: "Buffer", data}`), each property
 * whole or not at all. Left out: `req` and `res` (an HTTP In node's request and response objects),
 * functions, symbols, properties that JSON cannot write (cycles, BigInt, a getter that throws), and this
 * package's own markers `resumed` and `retried`. A message whose kept JSON is larger than
 * MAX_JOURNAL_BYTES is not journaled (it is pushed, with a warning: it would not survive a crash).
 */
import { randomUUID } from 'node:crypto';
import { ConnectorError } from '../core/errors';
import type { DeadLetter, LedgerEntry, OutboxRecord } from './ledger';

/** The largest message kept in the outbox, as JSON (4 MiB: a profile with its parsed CV text is far smaller). */
export const MAX_JOURNAL_BYTES = 4 * 1024 * 1024;

/** Properties never journaled. */
const LEFT_OUT = new Set(['req', 'res', 'resumed', 'retried']);

/**
 * The journaled copy of a message as JSON text (each kept property written once, as it will be stored), or
 * undefined when it is larger than `maxBytes`.
 */
export function journalJson(msg: object, maxBytes = MAX_JOURNAL_BYTES): string | undefined {
  const parts: string[] = [];
  let size = 2;
  for (const key of Object.keys(msg)) {
    if (LEFT_OUT.has(key)) continue;
    let text: string | undefined;
    try {
      text = JSON.stringify((msg as Record<string, unknown>)[key]);
    } catch {
      continue; // a cycle, a BigInt, a getter that throws: left out
    }
    if (text === undefined) continue; // a function, a symbol, undefined
    const part = `${JSON.stringify(key)}:${text}`;
    size += part.length + 1;
    if (size > maxBytes) return undefined;
    parts.push(part);
  }
  return `{${parts.join(',')}}`;
}

/** The journaled copy of a message, or undefined when it is larger than `maxBytes`. */
export function journalMessage(msg: object, maxBytes = MAX_JOURNAL_BYTES): Record<string, unknown> | undefined {
  const json = journalJson(msg, maxBytes);
  return json === undefined ? undefined : (JSON.parse(json) as Record<string, unknown>);
}

/** The JSON text of records made by outboxRecord, written as is by the stores (never serialized twice). */
const RECORD_JSON = new WeakMap<OutboxRecord, string>();

/** An outbox record as JSON text: the one it was made from, else serialized. */
export function recordJson(record: OutboxRecord): string {
  return RECORD_JSON.get(record) ?? JSON.stringify(record);
}

/**
 * A new outbox record for a message accepted by a push node, kept as JSON (journalJson): its JSON text is built around that text
 * (recordJson), and its `msg` is parsed only when read (a dead letter, a store that copies it): on the way of a
 * push that succeeds, the message is serialized once and never parsed.
 */
export function outboxRecord(node: string, vendor: string, msgJson: string, now = new Date()): OutboxRecord {
  const head = { id: outboxId(now.getTime()), node, vendor, state: 'queued' as const };
  const accepted = now.toISOString();
  let msg: Record<string, unknown> | undefined;
  const record = { ...head } as OutboxRecord;
  Object.defineProperty(record, 'msg', {
    enumerable: true,
    configurable: true,
    get: () => (msg ??= JSON.parse(msgJson) as Record<string, unknown>),
    set: (value: Record<string, unknown>) => {
      msg = value;
      RECORD_JSON.delete(record);
    },
  });
  record.accepted = accepted;
  RECORD_JSON.set(record, `${JSON.stringify(head).slice(0, -1)},"msg":${msgJson},"accepted":${JSON.stringify(accepted)}}`);
  return record;
}

/** A new outbox record id: sortable by time, unique. */
export function outboxId(now = Date.now()): string {
  return `${now.toString(36).padStart(9, '0')}-${randomUUID()}`;
}

/** The dead letter of a failed push. */
export function deadLetter(record: OutboxRecord, err: unknown, entry?: LedgerEntry, now = new Date()): DeadLetter {
  const e = err instanceof ConnectorError ? err : undefined;
  const dead: DeadLetter = {
    id: record.id,
    node: record.node,
    vendor: record.vendor,
    code: e?.code ?? 'INVALID_INPUT',
    message: e?.message ?? (err instanceof Error ? err.message : String(err)),
    msg: record.msg,
    at: now.toISOString(),
  };
  const candidateId = e?.candidateId ?? entry?.candidateId;
  if (candidateId !== undefined && candidateId !== null && candidateId !== '') dead.candidateId = String(candidateId);
  if (entry) {
    dead.key = entry.key;
    dead.profile = entry.profile;
    dead.target = entry.target;
  }
  return dead;
}
