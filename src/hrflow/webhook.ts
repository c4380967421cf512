/**
 * HrFlow webhooks (issue 13): the signature check, the events of a delivery, and which events were
 * already seen. Used by the `hrflow-webhook` node and by the sandbox (which sends signed webhooks).
 *
 * The signature, as HrFlow documents and signs it (sources in specs/hrflow/webhooks.md):
 * - current form: the header `HTTP-HRFLOW-SIGNATURE` (older: `HTTP-RIMINDER-SIGNATURE`) holds the
 *   lowercase hexadecimal HMAC-SHA256 of the raw request body, keyed with the webhook secret
 *   (64 hex characters);
 * - legacy "signed request" form (python-hrflow-api's webhook helper):
 *   `base64url(hex HMAC-SHA256(secret, payload)) + "." + base64url(payload)`; accepted when its payload
 *   is exactly the raw body.
 * Both compare the 32-byte digests with crypto.timingSafeEqual.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The signature headers, newest first (lowercase: Node.js lowercases incoming header names). */
export const SIGNATURE_HEADERS = ['http-hrflow-signature', 'http-riminder-signature'] as const;

/** The header value HrFlow sends for this body: hex HMAC-SHA256(secret, body). */
export function signBody(secret: string, body: Buffer | string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body).digest('hex');
}

const b64url = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** The legacy signed-request form of the header (python-hrflow-api's webhook helper). */
export function signLegacy(secret: string, body: Buffer | string): string {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return `${b64url(Buffer.from(signBody(secret, raw), 'ascii'))}.${b64url(raw)}`;
}

/** base64 or base64url text as bytes, or undefined when it is neither. */
function fromB64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * Whether `header` is HrFlow's signature of `rawBody` with `secret` (either form above). False for a
 * missing or empty secret or header, and for anything malformed; never throws.
 */
export function checkSignature(secret: string | undefined, rawBody: Buffer, header: string | string[] | undefined): boolean {
  if (typeof secret !== 'string' || secret === '') return false;
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return false;
  const text = value.trim();
  let given: Buffer | undefined;
  if (HEX64.test(text)) {
    given = Buffer.from(text, 'hex');
  } else {
    const dot = text.indexOf('.');
    if (dot <= 0) return false;
    const sig = fromB64(text.slice(0, dot))?.toString('ascii').trim();
    const payload = fromB64(text.slice(dot + 1));
    if (!sig || !HEX64.test(sig) || !payload || !payload.equals(rawBody)) return false;
    given = Buffer.from(sig, 'hex');
  }
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The signature header of a request's headers (the current name first), or undefined. */
export function signatureHeader(headers: Record<string, string | string[] | undefined>): string | undefined {
  for (const name of SIGNATURE_HEADERS) {
    const v = headers[name];
    const s = Array.isArray(v) ? v[0] : v;
    if (typeof s === 'string' && s.trim()) return s;
  }
  return undefined;
}

/** One HrFlow webhook event: `{type, origin, message, profile}` (profile events), kept as sent. */
export type HrflowEvent = Record<string, unknown> & { type?: unknown; profile?: unknown };

/** The events of a delivery: one event or an array of them. Throws on JSON that is neither. */
export function deliveryEvents(rawBody: Buffer): HrflowEvent[] {
  const parsed: unknown = JSON.parse(rawBody.toString('utf8'));
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (!list.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e))) throw new Error('a delivery is an event object or an array of event objects');
  return list as HrflowEvent[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** What a msg carries of an event: its type, and the profile's source key and key (hrflow-profile reads them). */
export function eventRef(event: HrflowEvent): { type: string; source_key?: string; profile_key?: string } {
  const profile = obj(event.profile);
  return {
    type: str(event.type) ?? '',
    source_key: str(obj(profile?.source)?.key) ?? str(profile?.source_key) ?? str(event.source_key),
    profile_key: str(profile?.key) ?? str(profile?.profile_key) ?? str(event.profile_key),
  };
}

/**
 * The identity of an event, to emit a redelivery once. HrFlow documents no event id: an `id` (or
 * `event_id`) is used when present; else the type, the profile's source and key, and the newest time the
 * event carries (its own `created_at`/`timestamp`, else the profile's `updated_at`, else its `created_at`);
 * an event with none of these is identified by its whole content.
 */
export function eventKey(event: HrflowEvent): string {
  // Hashed: the key is kept (in memory, or as a Redis key name) and must hold no personal data nor a whole body.
  return createHash('sha256').update(eventIdentity(event)).digest('base64url');
}

function eventIdentity(event: HrflowEvent): string {
  const id = str(event.id) ?? str(event.event_id);
  if (id) return `id:${id}`;
  const ref = eventRef(event);
  const profile = obj(event.profile);
  const at = str(event.created_at) ?? str(event.timestamp) ?? str(profile?.updated_at) ?? str(profile?.created_at);
  if (ref.profile_key && at) return `ev:${JSON.stringify([ref.type, ref.source_key ?? '', ref.profile_key, at])}`;
  return `body:${stableJson(event)}`;
}

/** JSON with object keys sorted (the same content gives the same text). */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Whether an event passes the node's `events` list (empty: every event). */
export function eventPasses(type: string, events: readonly string[]): boolean {
  return events.length === 0 || events.includes(type);
}

/** The node's `events` property (a list, or a comma- or space-separated text) as a list of names. */
export function eventList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return [...new Set(items.filter((x): x is string => typeof x === 'string').map((x) => x.trim()).filter(Boolean))];
}

/**
 * Event keys already emitted, in memory, bounded: at most `max` keys, each forgotten after `ttlMs`
 * (the oldest go first). HrFlow redelivers within minutes; the push ledger downstream catches what
 * gets past (a redelivery after a restart).
 */
export class SeenEvents {
  private readonly keys = new Map<string, number>();

  constructor(
    readonly max = 10_000,
    readonly ttlMs = 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records `key`; true when it was new (not seen within ttlMs). */
  first(key: string): boolean {
    const t = this.now();
    for (const [k, at] of this.keys) {
      if (this.keys.size <= this.max && t - at < this.ttlMs) break;
      this.keys.delete(k);
    }
    const at = this.keys.get(key);
    if (at !== undefined && t - at < this.ttlMs) return false;
    this.keys.delete(key);
    this.keys.set(key, t);
    while (this.keys.size > this.max) this.keys.delete(this.keys.keys().next().value as string);
    return true;
  }

  get size(): number {
    return this.keys.size;
  }
}
