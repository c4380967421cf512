/**
 * Signed HrFlow webhooks sent on demand (issue 13): `POST /__admin/webhooks` and the page's button.
 *
 * Body: `{url, secret, events?, profile_keys?, source_key?, batch?, header?, legacy?, repeat?}`.
 * - `events`: event types (default `["profile.parsing.success"]`); one event per type and profile.
 * - `profile_keys`: keys (or the aliases `sample-full`...) of the sandbox's profiles (default: the three samples).
 * - `batch` (default true): all events in one delivery, as an array; false: one delivery per event.
 * - `header`: `hrflow` (default, `HTTP-HRFLOW-SIGNATURE`) or `riminder` (`HTTP-RIMINDER-SIGNATURE`).
 * - `legacy`: the older signed-request form `base64url(hex).base64url(body)` instead of the hex digest.
 * - `repeat` (default 1): send each delivery this many times (a redelivery).
 *
 * Events are shaped as HrFlow documents them: `{type, origin, message, profile}` with the whole profile.
 * The signature is computed here on its own (not with src/hrflow/webhook.ts), as HrFlow documents it:
 * the hex HMAC-SHA256 of the raw body with the secret (specs/hrflow/webhooks.md).
 */
import { createHmac } from 'node:crypto';
import { SANDBOX_PROFILE_ALIASES, SANDBOX_SOURCE_KEY, type Profile, type ProfileStore } from './profiles';

export interface WebhookOrder {
  url: string;
  secret: string;
  events?: string[];
  profile_keys?: string[];
  source_key?: string;
  batch?: boolean;
  header?: 'hrflow' | 'riminder';
  legacy?: boolean;
  repeat?: number;
}

export interface WebhookDelivery {
  status: number;
  body: unknown;
  events: number;
}

const EVENT_TYPE = /^[a-z]+(\.[a-z_]+)+$/;

/** What is wrong with an order, or undefined. */
export function checkOrder(o: unknown): string | undefined {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return 'body must be {url, secret, events?, profile_keys?, batch?, header?, legacy?, repeat?}';
  const b = o as Record<string, unknown>;
  if (typeof b.url !== 'string') return 'url is required';
  try {
    const u = new URL(b.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'url must be http(s)';
  } catch {
    return `url is not a URL: ${b.url}`;
  }
  if (typeof b.secret !== 'string' || !b.secret) return 'secret is required';
  if (b.events !== undefined && (!Array.isArray(b.events) || !b.events.every((e) => typeof e === 'string' && EVENT_TYPE.test(e)))) return 'events must be a list of event types like profile.parsing.success';
  if (b.profile_keys !== undefined && (!Array.isArray(b.profile_keys) || !b.profile_keys.every((k) => typeof k === 'string' && k))) return 'profile_keys must be a list of profile keys';
  if (b.header !== undefined && b.header !== 'hrflow' && b.header !== 'riminder') return 'header must be hrflow or riminder';
  if (b.repeat !== undefined && (!Number.isInteger(b.repeat) || (b.repeat as number) < 1 || (b.repeat as number) > 10)) return 'repeat must be an integer from 1 to 10';
  return undefined;
}

/** The events of an order, from the sandbox's profiles. Throws on an unknown profile. */
export function orderEvents(profiles: ProfileStore, o: WebhookOrder): Array<Record<string, unknown>> {
  const source = o.source_key ?? SANDBOX_SOURCE_KEY;
  const keys = o.profile_keys ?? Object.keys(SANDBOX_PROFILE_ALIASES);
  const found: Profile[] = keys.map((k) => {
    const p = profiles.find(source, { key: k });
    if (!p) throw new Error(`no profile ${k} in source ${source}`);
    // As HrFlow sends it: the profile's source is the one it is stored in.
    return { ...p, source: { ...(p.source && typeof p.source === 'object' ? p.source : {}), key: profiles.source(source) } };
  });
  const out: Array<Record<string, unknown>> = [];
  for (const type of o.events ?? ['profile.parsing.success']) {
    for (const profile of found) {
      out.push({ type, origin: 'api', message: `${type.split('.').slice(1).join(' ')} of profile ${profile.key}`, profile });
    }
  }
  return out;
}

const b64url = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** The signature header of a body, as HrFlow sends it. */
export function webhookHeaders(secret: string, body: Buffer, o: Pick<WebhookOrder, 'header' | 'legacy'>): Record<string, string> {
  const hex = createHmac('sha256', secret).update(body).digest('hex');
  const value = o.legacy ? `${b64url(Buffer.from(hex))}.${b64url(body)}` : hex;
  return { [o.header === 'riminder' ? 'HTTP-RIMINDER-SIGNATURE' : 'HTTP-HRFLOW-SIGNATURE']: value };
}

/** Sends the order's deliveries one after the other; answers what each got. */
export async function sendWebhooks(profiles: ProfileStore, o: WebhookOrder, timeoutMs = 10_000): Promise<WebhookDelivery[]> {
  const events = orderEvents(profiles, o);
  const bodies = o.batch === false ? events.map((e) => [e]) : [events];
  const out: WebhookDelivery[] = [];
  for (let r = 0; r < (o.repeat ?? 1); r++) {
    for (const list of bodies) {
      const body = Buffer.from(JSON.stringify(o.batch === false ? list[0] : list), 'utf8');
      const res = await fetch(o.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...webhookHeaders(o.secret, body, o) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* kept as text */
      }
      out.push({ status: res.status, body: parsed, events: list.length });
    }
  }
  return out;
}

/** The secret the sandbox's webhook form offers by default (set the same in the hrflow-webhook node). */
export const SANDBOX_WEBHOOK_SECRET = 'sandbox-webhook-secret';
/** The URL the form offers by default: the example flow's hrflow-webhook on a local Node-RED. */
export const DEFAULT_WEBHOOK_URL = 'http://127.0.0.1:1880/hrflow/webhook';
/** The event types the form offers. */
export const FORM_EVENTS = ['profile.parsing.success', 'profile.storing.success', 'profile.storing.update'];

/** An order from the page's form (application/x-www-form-urlencoded). */
export function formOrder(form: URLSearchParams): WebhookOrder {
  const events = form.getAll('events').filter(Boolean);
  const profile = form.get('profile') ?? '';
  return {
    url: (form.get('url') ?? '').trim(),
    secret: form.get('secret') ?? '',
    events: events.length ? events : undefined,
    profile_keys: profile && profile !== 'all' ? [profile] : undefined,
    batch: form.get('batch') !== 'separate',
    header: form.get('header') === 'riminder' ? 'riminder' : 'hrflow',
    repeat: form.get('repeat') === '2' ? 2 : 1,
  };
}
