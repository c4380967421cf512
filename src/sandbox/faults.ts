/**
 * Fault injection, per vendor, switchable at run time (sandbox.setFault or POST /__admin/faults).
 */

import type { VendorId } from './state';

export type FaultMode = 'status' | 'slow' | 'reset' | 'non-json' | 'lost-answer' | 'echo' | 'echo-text';

export const FAULT_MODES: readonly FaultMode[] = ['status', 'slow', 'reset', 'non-json', 'lost-answer', 'echo', 'echo-text'];

/**
 * What an `echo` fault sends back: the request's headers, its raw body, or both (default);
 * `body-end`: the last 200 characters of the raw body (a parser quoting where it stopped).
 */
export type EchoPart = 'both' | 'headers' | 'body' | 'body-end';

const ECHO_PARTS: readonly EchoPart[] = ['both', 'headers', 'body', 'body-end'];

/** Largest part of a request body an `echo` fault sends back. */
export const MAX_ECHO_BODY = 64 * 1024;

export interface Fault {
  /**
   * - `status`: answer `status` (default 503) with a vendor-shaped error body (or `body`);
   * - `slow`: wait `delayMs` (default 1000) then handle the request normally;
   * - `reset`: destroy the socket without answering;
   * - `non-json`: answer 200 `text/html` `<html>oops</html>`;
   * - `lost-answer`: handle the request normally (the candidate IS stored) then destroy the socket.
   * - `echo`: answer `status` (default 400) with a JSON body echoing the request's headers and raw
   *   body, `{"echo": {"headers": {...}, "body": "..."}}`, before any credential check (a vendor
   *   whose error pages repeat the request: secrets must not reach the caller's messages);
   * - `echo-text`: the same in a `text/plain` body (`headers:` lines `name: value`, then `body:`).
   */
  mode: FaultMode;
  status?: number;
  /** Seconds; a `Retry-After` header is sent only when set. */
  retryAfter?: number;
  delayMs?: number;
  /** Body for `status` (default: the vendor's usual error shape). */
  body?: unknown;
  /** For `echo` / `echo-text`: what is echoed (default `both`). */
  echo?: EchoPart;
  /** Extra answer headers for `status`, `echo` and `echo-text` (e.g. `X-RateLimit-Remaining: 0`). */
  headers?: Record<string, string>;
  /** Apply to the next N matching requests, then clear. Default: unlimited. */
  count?: number;
  /** Probability 0..1 that a matching request is hit. Default 1. */
  rate?: number;
  /** Sandbox extension: only requests whose path (after the vendor prefix) contains this text. */
  match?: string;
  /** Sandbox extension: only requests with this HTTP method. */
  method?: string;
}

/** Checks a fault object coming from outside (admin route); returns an error text or null. */
export function checkFault(f: unknown): string | null {
  if (!f || typeof f !== 'object' || Array.isArray(f)) return 'fault must be an object';
  const x = f as Record<string, unknown>;
  if (!FAULT_MODES.includes(x.mode as FaultMode)) return `mode must be one of ${FAULT_MODES.join(', ')}`;
  const num = (k: string, min: number, max = Infinity) => {
    if (x[k] === undefined || x[k] === null) return null;
    const n = x[k];
    if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) return `${k} must be a number in [${min}, ${max}]`;
    return null;
  };
  return (
    num('status', 100, 599) ??
    num('retryAfter', 0) ??
    num('delayMs', 0) ??
    num('count', 0) ??
    num('rate', 0, 1) ??
    (x.match !== undefined && typeof x.match !== 'string' ? 'match must be a string' : null) ??
    (x.echo !== undefined && !ECHO_PARTS.includes(x.echo as EchoPart) ? `echo must be one of ${ECHO_PARTS.join(', ')}` : null) ??
    (x.headers !== undefined &&
    (!x.headers || typeof x.headers !== 'object' || Array.isArray(x.headers) || Object.values(x.headers).some((v) => typeof v !== 'string'))
      ? 'headers must be an object of strings'
      : null) ??
    (x.method !== undefined && typeof x.method !== 'string' ? 'method must be a string' : null)
  );
}

export class FaultRegistry {
  private readonly faults = new Map<string, Fault>();

  constructor(private readonly random: () => number = Math.random) {}

  set(vendor: VendorId, fault: Fault | null): void {
    if (fault === null || fault === undefined) {
      this.faults.delete(vendor);
      return;
    }
    const err = checkFault(fault);
    if (err) throw new TypeError(`Invalid fault for ${vendor}: ${err}`);
    if (fault.count !== undefined && fault.count <= 0) {
      this.faults.delete(vendor);
      return;
    }
    this.faults.set(vendor, { ...fault });
  }

  get(vendor: VendorId): Fault | null {
    const f = this.faults.get(vendor);
    return f ? { ...f } : null;
  }

  all(): Record<string, Fault> {
    const out: Record<string, Fault> = {};
    for (const [k, v] of this.faults) out[k] = { ...v };
    return out;
  }

  clear(): void {
    this.faults.clear();
  }

  /**
   * Returns the fault to apply to this request (and consumes one `count`), or null.
   */
  take(vendor: VendorId, method: string, path: string): Fault | null {
    const f = this.faults.get(vendor);
    if (!f) return null;
    if (f.method && f.method.toUpperCase() !== method.toUpperCase()) return null;
    if (f.match && !path.includes(f.match)) return null;
    const rate = f.rate ?? 1;
    if (rate < 1 && this.random() >= rate) return null;
    if (f.count !== undefined) {
      f.count -= 1;
      if (f.count <= 0) this.faults.delete(vendor);
    }
    return { ...f };
  }
}

/** The answer of an `echo` / `echo-text` fault for a request with these headers and body. */
export function echoAnswer(
  fault: Fault,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): { status: number; contentType?: string; body: string } {
  const status = fault.status ?? 400;
  const part = fault.echo ?? 'both';
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
  const text = body.subarray(0, MAX_ECHO_BODY).toString('utf8');
  const raw = part === 'body-end' ? text.slice(-200) : text;
  if (fault.mode === 'echo-text') {
    const lines: string[] = [];
    if (part === 'both' || part === 'headers') lines.push('headers:', ...Object.entries(flat).map(([k, v]) => `${k}: ${v}`));
    if (part !== 'headers') lines.push(...(lines.length ? [''] : []), 'body:', raw);
    return { status, contentType: 'text/plain; charset=utf-8', body: lines.join('\n') };
  }
  const echo: Record<string, unknown> = {};
  if (part === 'both' || part === 'headers') echo.headers = flat;
  if (part !== 'headers') echo.body = raw;
  return { status, body: JSON.stringify({ echo }) };
}
