/**
 * The one HTTP core every vendor module and the HrFlow client go through:
 * timeouts, retries with exponential backoff and jitter, Retry-After and X-RateLimit-* handling,
 * a shared client-side rate limiter, cancellation, secret redaction and error codes.
 */
import { setMaxListeners } from 'node:events';
import type { AxiosError, AxiosRequestConfig, AxiosStatic } from 'axios';
import { ConnectorError, ErrorCodes, type ErrorCode } from './errors';
import type { RateLimiter } from './limiter';
import { Redactor } from './redact';

/**
 * axios is loaded on the first request, not when Node-RED loads the package: it (with its
 * dependencies) is most of the package's start-up time and memory, paid only by flows that send.
 */
let axiosStatic: AxiosStatic | undefined;
function getAxios(): AxiosStatic {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (axiosStatic ??= require('axios') as AxiosStatic);
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpOptions {
  /** Vendor name used in errors ("smartrecruiters", "hrflow"...). */
  vendor: string;
  /** Per-attempt timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** How many times a failed attempt may be retried (default 3). */
  retries?: number;
  /** Base backoff delay in ms (default 1 000); attempt n waits about base * 2^n, with jitter. */
  retryDelayMs?: number;
  /** Cap on one backoff delay (default 30 000 ms). */
  maxDelayMs?: number;
  limiter?: RateLimiter;
  redactor?: Redactor;
  /** Cancels every request of this client (flow stopped or redeployed). */
  signal?: AbortSignal;
  /** Called before each retry wait (for status display). */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  attempt: number;
  retries: number;
  delayMs: number;
  reason: string;
  step?: string;
}

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  /** Headers, or a function computing them for each attempt (signatures that carry a timestamp). */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** JSON-serialisable body, a Buffer (e.g. a multipartBody), or a FormData. */
  data?: unknown;
  /** Query parameters. */
  params?: Record<string, string | number | boolean | undefined>;
  /** "json" (default): parse JSON answers when possible. "buffer": return the raw bytes. */
  responseType?: 'json' | 'buffer';
  /**
   * May the request be sent again when its outcome is unknown (timeout or connection lost after
   * it was sent)? Defaults to true for GET, false otherwise: a create is never blindly re-sent.
   */
  idempotent?: boolean;
  /** Name of the step, for errors of multi-step pushes ("create", "upload_cv"...). */
  step?: string;
  /** Extra secrets to mask for this request only. */
  secrets?: string[];
  /** Per-request timeout override. */
  timeoutMs?: number;
  /**
   * Follow up to 5 redirects (file downloads: storage links often redirect). API calls do not:
   * a vendor API that redirects is answered as an error, and the request skips the redirect layer.
   */
  followRedirects?: boolean;
  /** Largest answer body read, in bytes (file downloads); a larger one is stopped while it streams. */
  maxBytes?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

/** Network error codes that mean the request never left this machine: always safe to retry. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

export function statusToCode(status: number): ErrorCode {
  if (status === 401 || status === 403) return ErrorCodes.AUTH_FAILED;
  if (status === 404) return ErrorCodes.NOT_FOUND;
  if (status === 429) return ErrorCodes.RATE_LIMITED;
  if (status === 408 || status >= 500) return ErrorCodes.VENDOR_UNAVAILABLE;
  return ErrorCodes.VENDOR_REJECTED;
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** Parse a Retry-After header (seconds or HTTP date) into ms, or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(parseFloat(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": between half and all of base * 2^attempt, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(exp / 2 + (random() * exp) / 2);
}

function flattenHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers || typeof headers !== 'object') return out;
  const source = typeof (headers as { toJSON?: () => unknown }).toJSON === 'function'
    ? ((headers as { toJSON: () => Record<string, unknown> }).toJSON())
    : (headers as Record<string, unknown>);
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function decodeBody(buf: Buffer, contentType: string | undefined): unknown {
  if (!buf.length) return undefined;
  const text = buf.toString('utf8');
  const looksJson = /json/i.test(contentType ?? '') || /^\s*[[{"]/.test(text);
  if (looksJson) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Best-effort human message out of a vendor error body. */
export function vendorMessageOf(data: unknown): string | undefined {
  if (data === undefined || data === null) return undefined;
  if (typeof data === 'string') return data;
  if (typeof data !== 'object') return String(data);
  const d = data as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['message', 'error', 'error_description', 'detail', 'title', 'response']) {
    if (typeof d[key] === 'string') parts.push(d[key] as string);
  }
  const errors = d.errors;
  if (Array.isArray(errors)) {
    for (const e of errors.slice(0, 5)) {
      if (typeof e === 'string') parts.push(e);
      else if (e && typeof e === 'object') {
        const o = e as Record<string, unknown>;
        const where = o.dataPath ?? o.field ?? o.path ?? o.code;
        parts.push([where, o.message].filter((x) => x !== undefined && x !== null && x !== '').join(': '));
      }
    }
  } else if (errors && typeof errors === 'object') {
    parts.push(JSON.stringify(errors));
  }
  return parts.length ? parts.join('; ') : JSON.stringify(data);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class HttpClient {
  readonly vendor: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly limiter?: RateLimiter;
  private readonly redactor: Redactor;
  private readonly signal?: AbortSignal;
  private readonly onRetry?: (info: RetryInfo) => void;
  private unsafeSentFlag = false;
  private unsafeDoneFlag = false;

  constructor(options: HttpOptions) {
    this.vendor = options.vendor;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = Math.max(0, options.retries ?? 3);
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 1000);
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.limiter = options.limiter;
    this.redactor = options.redactor ?? new Redactor();
    this.signal = options.signal;
    // One stop signal is shared by every request in flight of a node: many listeners are expected.
    if (this.signal) setMaxListeners(0, this.signal);
    this.onRetry = options.onRetry;
  }

  /** True once a request that is not idempotent (a create) may have reached the server through this client. */
  get unsafeSent(): boolean {
    return this.unsafeSentFlag;
  }

  /** True once a request that is not idempotent (a create) was answered 2xx: what it creates exists. */
  get unsafeDone(): boolean {
    return this.unsafeDoneFlag;
  }

  get redact(): Redactor {
    return this.redactor;
  }

  /**
   * Send a request and return its 2xx answer. Any other outcome throws a ConnectorError
   * with a stable code, the HTTP status and a short redacted vendor message.
   */
  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const redactor = req.secrets?.length ? this.redactor.with(...req.secrets) : this.redactor;
    const idempotent = req.idempotent ?? req.method === 'GET';
    for (let attempt = 0; ; attempt++) {
      let failure: ConnectorError;
      let retryable: boolean;
      let waitMs: number | undefined;
      let exactWait = false;
      try {
        const res = await this.attempt(req);
        if (res.status >= 200 && res.status < 300) {
          if (!idempotent) this.unsafeDoneFlag = true;
          return res as HttpResponse<T>;
        }
        const code = statusToCode(res.status);
        const vendorMessage = redactor.excerpt(vendorMessageOf(res.data));
        failure = new ConnectorError(
          code,
          `${this.vendor} answered ${res.status}${req.step ? ` during ${req.step}` : ''}${vendorMessage ? `: ${vendorMessage}` : ''}`,
          { statusCode: res.status, vendor: this.vendor, step: req.step, vendorMessage },
        );
        retryable = isRetryableStatus(res.status);
        const retryAfter = parseRetryAfter(res.headers['retry-after']);
        if (res.status === 429 && retryAfter === undefined && this.limiter && res.headers['x-ratelimit-limit'] !== undefined && this.limiter.windowFull()) {
          // The server counts in windows it announces, and ours is full too: this request reached it a
          // few ms before its window rolled. The retry waits for our next slot (the limiter holds it),
          // a slot or more later: no need for the long backoff meant for an unknown overload.
          waitMs = backoffDelay(attempt, this.limiter.slotMs, this.maxDelayMs);
          exactWait = true;
        } else if (res.status === 429) {
          const pause = retryAfter ?? backoffDelay(attempt, this.retryDelayMs, this.maxDelayMs);
          this.limiter?.pauseFor(pause);
          waitMs = pause;
        } else if (retryAfter !== undefined) waitMs = retryAfter;
      } catch (err) {
        if (err instanceof ConnectorError) throw err;
        const mapped = this.mapTransportError(err, req, redactor, idempotent);
        if (mapped.code === ErrorCodes.ABORTED) throw mapped;
        failure = mapped;
        retryable = mapped.code === ErrorCodes.NETWORK_ERROR || mapped.code === ErrorCodes.TIMEOUT
          ? !mapped.outcomeUnknown
          : false;
      }
      if (!retryable || attempt >= this.retries) throw failure;
      const delay = exactWait && waitMs !== undefined
        ? waitMs
        : Math.min(this.maxDelayMs, Math.max(waitMs ?? 0, backoffDelay(attempt, this.retryDelayMs, this.maxDelayMs)));
      this.onRetry?.({ attempt: attempt + 1, retries: this.retries, delayMs: delay, reason: failure.code, step: req.step });
      try {
        await sleep(delay, this.signal);
      } catch {
        throw new ConnectorError(ErrorCodes.ABORTED, `${this.vendor} request cancelled: the flow was stopped`, {
          vendor: this.vendor,
          step: req.step,
        });
      }
    }
  }

  private async attempt(req: HttpRequest): Promise<HttpResponse> {
    // Load axios before taking a rate slot: the slot's time must be the time the request leaves.
    const client = getAxios();
    const release = this.limiter ? await this.acquire(req) : undefined;
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    // One controller per attempt, aborted by the timeout or by the client's stop signal.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, timeoutMs);
    const stop = this.signal;
    const onStop = () => controller.abort(stop?.reason);
    if (stop?.aborted) {
      clearTimeout(timer);
      release?.();
      throw this.aborted(req, false);
    }
    stop?.addEventListener('abort', onStop, { once: true });
    // From here the request may reach the server: a create aborted now may have created something.
    if (!(req.idempotent ?? req.method === 'GET')) this.unsafeSentFlag = true;
    try {
      const config: AxiosRequestConfig = {
        method: req.method,
        url: req.url,
        headers: { Accept: 'application/json', ...(typeof req.headers === 'function' ? req.headers() : req.headers) },
        params: req.params,
        data: req.data,
        responseType: 'arraybuffer',
        validateStatus: () => true,
        signal: controller.signal,
        maxRedirects: req.followRedirects ? 5 : 0,
        maxBodyLength: Infinity,
        maxContentLength: req.maxBytes ?? Infinity,
        transitional: { clarifyTimeoutError: true },
      };
      const res = await client.request<ArrayBuffer | Buffer>(config);
      const headers = flattenHeaders(res.headers);
      this.readRateHeaders(headers);
      const raw = res.data;
      const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw ?? new ArrayBuffer(0));
      const data = req.responseType === 'buffer' && res.status >= 200 && res.status < 300
        ? buf
        : decodeBody(buf, headers['content-type']);
      return { status: res.status, headers, data };
    } catch (err) {
      if (req.maxBytes !== undefined && /maxContentLength size of/.test((err as Error)?.message ?? '')) {
        throw new ConnectorError(ErrorCodes.INVALID_PROFILE, `the file is larger than ${req.maxBytes} bytes: not downloaded further`, {
          vendor: this.vendor,
          step: req.step,
        });
      }
      if (timedOut && !stop?.aborted) {
        throw Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'HRFLOW_TIMEOUT' });
      }
      throw err;
    } finally {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
      release?.();
    }
  }

  private async acquire(req: HttpRequest): Promise<() => void> {
    try {
      return await (this.limiter as RateLimiter).acquire(this.signal);
    } catch {
      throw new ConnectorError(ErrorCodes.ABORTED, `${this.vendor} request cancelled: the flow was stopped`, {
        vendor: this.vendor,
        step: req.step,
      });
    }
  }

  /**
   * SmartRecruiters-style headers: follow the announced limits, and when the window is used up,
   * hold every request of the account until it rolls.
   */
  private readRateHeaders(headers: Record<string, string>): void {
    if (!this.limiter) return;
    const announced = headers['x-ratelimit-limit'];
    const concurrent = headers['x-ratelimit-concurrent-limit'];
    if (announced !== undefined || concurrent !== undefined) {
      this.limiter.adopt({
        perWindow: announced !== undefined && /^\d+$/.test(announced) ? Number(announced) : undefined,
        concurrent: concurrent !== undefined && /^\d+$/.test(concurrent) ? Number(concurrent) : undefined,
      });
    }
    const remaining = headers['x-ratelimit-remaining'];
    if (remaining !== undefined && Number(remaining) <= 0) {
      const reset = headers['x-ratelimit-reset'];
      if (reset !== undefined && /^\d+$/.test(reset)) this.limiter.pauseFor(Math.min(Number(reset) * 1000, 60_000));
      else this.limiter.serverExhausted();
    }
  }

  /**
   * The flow was stopped. A request that is not idempotent (a create) and was already on its way may have
   * been received: its outcome is unknown, as after a timeout.
   */
  private aborted(req: HttpRequest, maybeReceived: boolean): ConnectorError {
    const during = req.step ? ` during ${req.step}` : '';
    return new ConnectorError(
      ErrorCodes.ABORTED,
      `${this.vendor} request cancelled${during}: the flow was stopped` +
        (maybeReceived ? '; the request may have been received, so what it creates may exist' : ''),
      { vendor: this.vendor, step: req.step, outcomeUnknown: maybeReceived || undefined },
    );
  }

  private mapTransportError(err: unknown, req: HttpRequest, redactor: Redactor, idempotent: boolean): ConnectorError {
    const e = err as AxiosError & { code?: string; cause?: { code?: string } };
    const rawCode = e?.code ?? e?.cause?.code;
    if (this.signal?.aborted) return this.aborted(req, !idempotent);
    const during = req.step ? ` during ${req.step}` : '';
    if (rawCode === 'HRFLOW_TIMEOUT' || rawCode === 'ETIMEDOUT' || rawCode === 'ECONNABORTED') {
      return new ConnectorError(
        ErrorCodes.TIMEOUT,
        `${this.vendor} did not answer in time${during}${idempotent ? '' : ': the request may have been received, so it was not re-sent'}`,
        { vendor: this.vendor, step: req.step, outcomeUnknown: !idempotent || undefined },
      );
    }
    const notSent = rawCode !== undefined && NOT_SENT.has(rawCode);
    const detail = redactor.excerpt(e?.message ?? String(err), 200);
    return new ConnectorError(
      ErrorCodes.NETWORK_ERROR,
      `could not reach ${this.vendor}${during} (${rawCode ?? 'network error'}): ${detail}${notSent || idempotent ? '' : '; the request may have been received, so it was not re-sent'}`,
      { vendor: this.vendor, step: req.step, outcomeUnknown: !notSent && !idempotent ? true : undefined },
    );
  }
}
