/**
 * The one HTTP core every vendor module and the HrFlow client go through:
 * timeouts, retries with exponential backoff and jitter, Retry-After and X-RateLimit-* handling,
 * a shared client-side rate limiter, cancellation, secret redaction and error codes.
 */
import { setMaxListeners } from 'node:events';
import type { AxiosError, AxiosRequestConfig, AxiosStatic } from 'axios';
import { ConnectorError, ErrorCodes, rateLimited, type ErrorCode } from './errors';
import { MAX_PAUSE_MS, type Limiter } from './limiter';
import { headerSecrets, Redactor, SECRET_HEADERS } from './redact';

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
  /**
   * The API every request of this client goes to: a request whose `url` is a path (no scheme) is sent
   * to baseUrl + '/' + url. Absolute URLs are sent as they are.
   */
  baseUrl?: string;
  /**
   * Headers sent with every request of this client (the account's authentication), before the
   * request's own; a function is called for each attempt (signatures that carry a timestamp).
   */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** Per-attempt timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** How many times a failed attempt may be retried (default 3). */
  retries?: number;
  /** Base backoff delay in ms (default 1 000); attempt n waits about base * 2^n, with jitter. */
  retryDelayMs?: number;
  /** Cap on one backoff delay (default 30 000 ms). */
  maxDelayMs?: number;
  limiter?: Limiter;
  redactor?: Redactor;
  /** Cancels every request of this client (flow stopped or redeployed). */
  signal?: AbortSignal;
  /** Called before each retry wait (for status display). */
  onRetry?: (info: RetryInfo) => void;
  /**
   * Awaited once, before the first request that is not idempotent (a create) leaves this client, after
   * its rate slot is taken: a durable journal records that the create may reach the server from now on.
   * Must not throw (its own failures are its own to report).
   */
  beforeUnsafe?: () => Promise<void>;
  /**
   * Called when a request that is not idempotent, announced by beforeUnsafe, was answered with an error
   * status (nothing was created: the answer says so, and the core retries such requests): the journal may
   * say "not sent" again. The next attempt is announced by beforeUnsafe again.
   */
  onUnsafeRefused?: () => void;
  /**
   * A non-idempotent request of this same work may have left at this time (ms since the epoch) from an
   * earlier run that ended without its answer (a push resumed after a crash): whoever sends a create
   * through this client checks first whether it was received (see src/push/create.ts).
   */
  priorSentAt?: number;
  /** With priorSentAt: a person checked that nothing was created; where no lookup exists, the create is sent. */
  priorChecked?: boolean;
  /**
   * Names of the headers that carry secrets for this vendor (X-SmartToken, X-CHUB-SIGNATURE...).
   * Their values, as sent on each attempt, are masked in every error text of this client, like the
   * values of the generic ones (Authorization, Proxy-Authorization, Cookie).
   */
  secretHeaders?: string[];
  /**
   * What this vendor's rate headers (X-RateLimit-*) mean, read from every answer. Without it they are
   * ignored: one vendor's announced limit is never applied to another vendor's window.
   */
  rateHeaders?: RateHeaderReader;
  /**
   * The longest pause one answer (Retry-After, X-RateLimit-Reset) can impose (default: the limiter's
   * cap, else MAX_PAUSE_MS, 60 s).
   */
  maxPauseMs?: number;
  /**
   * How long a request may wait for a rate slot or for a vendor's pause (default: timeoutMs). A longer
   * wait fails at once with RATE_LIMITED carrying `retryAt`, instead of holding the message.
   */
  maxWaitMs?: number;
  /** Called when a request waits for the account (paused by the vendor, or rate slots used up), for status display. */
  onWait?: (info: WaitInfo) => void;
  /**
   * Largest answer body read, after decompression, when the request sets no `maxBytes` (default
   * DEFAULT_MAX_ANSWER_BYTES, 16 MiB): an endless or huge answer (or a gzip bomb) from a vendor is
   * stopped while it streams instead of filling the process's memory.
   */
  maxAnswerBytes?: number;
}

/** Default cap on one API answer (see HttpOptions.maxAnswerBytes): vendor and HrFlow answers are far smaller. */
export const DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export interface WaitInfo {
  /** "paused": the vendor asked to hold off (Retry-After...); "rate_limit": the account's rate slots are used up. */
  reason: 'paused' | 'rate_limit';
  /** When the wait ends (epoch ms). */
  until: number;
  waitMs: number;
  vendor: string;
  step?: string;
}

/** What a vendor's rate headers say, in the vendor's own window (the RateLimit of its module). */
export interface RateHeaderReading {
  /** Requests per window of the vendor module's RateLimit (SmartRecruiters: per second; Taleez: per minute). */
  perWindow?: number;
  /** Requests in flight at once. */
  concurrent?: number;
  /** The vendor said its window is used up: hold every request of the account until ours rolls. */
  exhausted?: boolean;
  /** The vendor said when its window rolls: hold every request that long (capped; an explicit Retry-After wins). */
  pauseMs?: number;
}

/**
 * Reads a vendor's rate headers: `h` holds the usual X-RateLimit-* values as numbers
 * (see rateLimitHeaders), `headers` every answer header (lower-case names).
 */
export type RateHeaderReader = (h: RateLimitHeaderValues, headers: Record<string, string>) => RateHeaderReading | undefined;

export interface RateLimitHeaderValues {
  limit?: number;
  remaining?: number;
  /** X-RateLimit-Reset as a delay in ms. */
  resetMs?: number;
  concurrentLimit?: number;
  concurrentRemaining?: number;
}

/**
 * The usual X-RateLimit-* headers as numbers (syntax only: what they count is the vendor's business).
 * `resetMs`: X-RateLimit-Reset as a delay, read as epoch milliseconds or epoch seconds when it looks
 * like one, else as seconds.
 */
export function rateLimitHeaders(headers: Record<string, string>, now = Date.now()): RateLimitHeaderValues {
  const int = (name: string) => {
    const v = headers[name]?.trim();
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const reset = int('x-ratelimit-reset');
  return {
    limit: int('x-ratelimit-limit'),
    remaining: int('x-ratelimit-remaining'),
    resetMs: reset === undefined ? undefined : reset >= 1e12 ? Math.max(0, reset - now) : reset >= 1e9 ? Math.max(0, reset * 1000 - now) : reset * 1000,
    concurrentLimit: int('x-ratelimit-concurrent-limit'),
    concurrentRemaining: int('x-ratelimit-concurrent-remaining'),
  };
}

export interface RetryInfo {
  attempt: number;
  retries: number;
  delayMs: number;
  reason: string;
  step?: string;
  /** The HTTP status of the answer being retried (429, 503...), when there was one. */
  statusCode?: number;
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

/** How many secret values learned from sent headers a client keeps (Broadbean signs every attempt). */
const MAX_LEARNED_SECRETS = 64;

/** Waits shorter than this are not reported through onWait (a status would only flicker). */
const REPORTED_WAIT_MS = 1000;

/** Query parameter names whose values are credentials (not `key`: HrFlow's profile key is no secret). */
const SECRET_PARAM = /^(?:token|access_token|api_key|apikey|api_secret|secret|password|passwd|auth|signature|sig|x-amz-signature|x-amz-security-token|x-goog-signature)$/i;

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
    parts.push(stringify(errors));
  }
  return parts.length ? parts.join('; ') : stringify(data);
}

/** JSON text of a parsed answer; one nested too deep to serialise says so instead of throwing. */
function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[an answer nested too deeply to show]';
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
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

/**
 * A relative request path from segments (ids are encoded; each is checked): an id of "" or ".."
 * (encoded or not) would move the request to another route (/jobs/../candidates), so it throws
 * INVALID_CONFIG. Segments are trimmed of their slashes, and not encoded further (callers encode ids).
 */
export function urlPath(...parts: string[]): string {
  const segments = parts.map((p) => p.replace(/^\/+|\/+$/g, ''));
  const bad = segments.find((p) => p === '' || /^(?:\.|%2e){1,2}$/i.test(p));
  if (bad !== undefined) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `"${bad}" cannot be an id in the request path`);
  return segments.join('/');
}

/** baseUrl + '/' + path, without doubling or dropping slashes; an absolute URL is kept as it is. */
export function resolveUrl(baseUrl: string | undefined, url: string): string {
  if (!baseUrl || /^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  return `${baseUrl.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

export class HttpClient {
  readonly vendor: string;
  /** The API this client is bound to (requests with a relative url go there). */
  readonly baseUrl?: string;
  private readonly defaultHeaders?: Record<string, string> | (() => Record<string, string>);
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly limiter?: Limiter;
  private readonly redactor: Redactor;
  private readonly signal?: AbortSignal;
  private readonly onRetry?: (info: RetryInfo) => void;
  private readonly beforeUnsafe?: () => Promise<void>;
  private readonly onUnsafeRefused?: () => void;
  /** beforeUnsafe was called and no error answer came since. */
  private unsafeAnnounced = false;
  /** HttpOptions.priorSentAt. */
  readonly priorSentAt?: number;
  /** HttpOptions.priorChecked. */
  readonly priorChecked?: boolean;
  private readonly onWait?: (info: WaitInfo) => void;
  private readonly secretHeaderNames: Set<string>;
  private readonly rateHeaders?: RateHeaderReader;
  private readonly maxPauseMs: number;
  private readonly maxWaitMs: number;
  private readonly maxAnswerBytes: number;
  /** Values of secret headers this client sent (newest last), masked in its texts. */
  private readonly learned: string[] = [];
  private redactorWithLearned: Redactor | undefined;
  private unsafeSentFlag = false;
  private unsafeDoneFlag = false;

  constructor(options: HttpOptions) {
    this.vendor = options.vendor;
    this.baseUrl = options.baseUrl;
    this.defaultHeaders = options.headers;
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
    this.beforeUnsafe = options.beforeUnsafe;
    this.onUnsafeRefused = options.onUnsafeRefused;
    this.priorSentAt = options.priorSentAt;
    this.priorChecked = options.priorChecked;
    this.onWait = options.onWait;
    this.secretHeaderNames = new Set([...SECRET_HEADERS, ...(options.secretHeaders ?? []).map((h) => h.toLowerCase())]);
    this.rateHeaders = options.rateHeaders;
    this.maxPauseMs = Math.max(0, options.maxPauseMs ?? this.limiter?.pauseCapMs ?? MAX_PAUSE_MS);
    this.maxWaitMs = Math.max(0, options.maxWaitMs ?? this.timeoutMs);
    this.maxAnswerBytes = options.maxAnswerBytes !== undefined && options.maxAnswerBytes > 0 ? options.maxAnswerBytes : DEFAULT_MAX_ANSWER_BYTES;
  }

  /** True once a request that is not idempotent (a create) may have reached the server through this client. */
  get unsafeSent(): boolean {
    return this.unsafeSentFlag;
  }

  /** True once a request that is not idempotent (a create) was answered 2xx: what it creates exists. */
  get unsafeDone(): boolean {
    return this.unsafeDoneFlag;
  }

  /** The redactor of this client: the account's secrets and the secret header values it sent. */
  get redact(): Redactor {
    return (this.redactorWithLearned ??= this.redactor.with(...this.learned));
  }

  /** Remember secret values sent with a request (header values, URL credentials), to mask them in texts. */
  private learn(values: string[]): void {
    let changed = false;
    for (const v of values) {
      if (!v || this.learned.includes(v)) continue;
      this.learned.push(v);
      changed = true;
    }
    if (!changed) return;
    if (this.learned.length > MAX_LEARNED_SECRETS) this.learned.splice(0, this.learned.length - MAX_LEARNED_SECRETS);
    this.redactorWithLearned = undefined;
  }

  private learnFromRequest(req: HttpRequest, headers: Record<string, string>): void {
    const found: string[] = [];
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined && value !== null && this.secretHeaderNames.has(name.toLowerCase())) found.push(...headerSecrets(String(value)));
    }
    try {
      const url = new URL(req.url);
      for (const part of [url.username, url.password]) {
        if (part) found.push(part, safeDecode(part));
      }
      for (const [k, v] of url.searchParams) if (v && SECRET_PARAM.test(k)) found.push(v);
    } catch {
      // not an absolute URL: axios reports it
    }
    for (const [k, v] of Object.entries(req.params ?? {})) {
      if (v !== undefined && String(v) && SECRET_PARAM.test(k)) found.push(String(v));
    }
    this.learn(found);
  }

  /**
   * Send a request and return its 2xx answer. Any other outcome throws a ConnectorError
   * with a stable code, the HTTP status and a short redacted vendor message.
   */
  async request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    const req = this.bind(request);
    // Built when needed: by then the attempts have taught the client the secret header values they sent.
    const redactorOf = () => (req.secrets?.length ? this.redact.with(...req.secrets) : this.redact);
    const idempotent = req.idempotent ?? req.method === 'GET';
    for (let attempt = 0; ; attempt++) {
      let failure: ConnectorError;
      let retryable: boolean;
      let waitMs: number | undefined;
      let exactWait = false;
      let pause: WaitInfo | undefined;
      try {
        const { reading, ...res } = await this.attempt(req);
        if (res.status >= 200 && res.status < 300) {
          if (!idempotent) this.unsafeDoneFlag = true;
          return res as HttpResponse<T>;
        }
        if (!idempotent && this.unsafeAnnounced && !this.unsafeDoneFlag) {
          this.unsafeAnnounced = false;
          this.onUnsafeRefused?.();
        }
        const code = statusToCode(res.status);
        const vendorMessage = redactorOf().excerpt(vendorMessageOf(res.data));
        const during = req.step ? ` during ${req.step}` : '';
        const details = { statusCode: res.status, vendor: this.vendor, step: req.step, vendorMessage };
        failure = new ConnectorError(code, `${this.vendor} answered ${res.status}${during}${vendorMessage ? `: ${vendorMessage}` : ''}`, details);
        retryable = isRetryableStatus(res.status);
        const retryAfter = parseRetryAfter(res.headers['retry-after']);
        if (res.status === 429 && retryAfter === undefined && this.limiter && reading?.perWindow !== undefined && this.limiter.windowFull()) {
          // The server counts in windows it announces, and ours is full too: this request reached it a
          // few ms before its window rolled. The retry waits for our next slot (the limiter holds it),
          // a slot or more later: no need for the long backoff meant for an unknown overload.
          waitMs = backoffDelay(attempt, this.limiter.slotMs, this.maxDelayMs);
          exactWait = true;
        } else if (res.status === 429) {
          // An explicit Retry-After always wins; one answer imposes at most maxPauseMs on the account.
          const asked = retryAfter ?? backoffDelay(attempt, this.retryDelayMs, this.maxDelayMs);
          const now = Date.now();
          const capped = Math.min(asked, this.maxPauseMs);
          // One clock reading for the pause and the wait: a pause of exactly maxWaitMs may be waited.
          const until = this.limiter ? Math.max(now + capped, this.limiter.pauseFor(asked, now)) : now + capped;
          waitMs = until - now;
          if (retryAfter !== undefined) pause = { reason: 'paused', until, waitMs, vendor: this.vendor, step: req.step };
          const said = retryAfter !== undefined ? `; it asked to wait ${Math.ceil(retryAfter / 1000)} s` : '';
          if (waitMs > this.maxWaitMs) {
            // Longer than this request may wait: fail now, saying when to try again, instead of sleeping.
            if (pause) this.onWait?.(pause);
            throw rateLimited(
              `${this.vendor} answered 429${during}${said}: the account is paused until ${new Date(until).toISOString()}, longer than this request may wait (${this.maxWaitMs} ms)${vendorMessage ? `: ${vendorMessage}` : ''}`,
              until,
              details,
              now,
            );
          }
          if (attempt >= this.retries) {
            failure = rateLimited(failure.message, until, details, now);
          }
        } else if (retryAfter !== undefined) waitMs = retryAfter;
      } catch (err) {
        if (err instanceof ConnectorError) throw err;
        const mapped = this.mapTransportError(err, req, redactorOf(), idempotent);
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
      this.onRetry?.({ attempt: attempt + 1, retries: this.retries, delayMs: delay, reason: failure.code, step: req.step, statusCode: failure.statusCode });
      if (pause && pause.waitMs >= REPORTED_WAIT_MS) this.onWait?.(pause);
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

  /** The request with this client's base URL and headers applied. */
  private bind(req: HttpRequest): HttpRequest {
    const url = resolveUrl(this.baseUrl, req.url);
    const base = this.defaultHeaders;
    if (!base) return url === req.url ? req : { ...req, url };
    const own = req.headers;
    const headers = typeof base === 'function' || typeof own === 'function'
      ? () => ({ ...(typeof base === 'function' ? base() : base), ...(typeof own === 'function' ? own() : own) })
      : { ...base, ...own };
    return { ...req, url, headers };
  }

  private async attempt(req: HttpRequest): Promise<HttpResponse & { reading?: RateHeaderReading }> {
    // Load axios before taking a rate slot: the slot's time must be the time the request leaves.
    const client = getAxios();
    // Announced before the rate slot is taken: the slot's time stays the time the request leaves (a store write
    // waiting for its server, a shared one restarting, would otherwise delay the request past its counted start),
    // and a slot is not held while the store writes. "May have left" a little early is the safe side.
    if (this.beforeUnsafe && !this.unsafeAnnounced && !this.unsafeDoneFlag && !(req.idempotent ?? req.method === 'GET')) {
      this.unsafeAnnounced = true;
      try {
        await this.beforeUnsafe();
      } catch (err) {
        // A ConnectorError stops the request before it leaves (a shared outbox that cannot note it: nothing is
        // sent); anything else is the callback's own to report.
        if (err instanceof ConnectorError) {
          this.unsafeAnnounced = false;
          throw err;
        }
      }
    }
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
      // Computed once per attempt (signatures carry a timestamp); their secret values are learned first.
      const headers: Record<string, string> = { Accept: 'application/json', ...(typeof req.headers === 'function' ? req.headers() : req.headers) };
      this.learnFromRequest(req, headers);
      const config: AxiosRequestConfig = {
        method: req.method,
        url: req.url,
        headers,
        params: req.params,
        data: req.data,
        responseType: 'arraybuffer',
        validateStatus: () => true,
        signal: controller.signal,
        maxRedirects: req.followRedirects ? 5 : 0,
        maxBodyLength: Infinity,
        maxContentLength: req.maxBytes ?? this.maxAnswerBytes,
        transitional: { clarifyTimeoutError: true },
      };
      const res = await client.request<ArrayBuffer | Buffer>(config);
      const answerHeaders = flattenHeaders(res.headers);
      const reading = this.readRateHeaders(answerHeaders);
      const raw = res.data;
      const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw ?? new ArrayBuffer(0));
      const data = req.responseType === 'buffer' && res.status >= 200 && res.status < 300
        ? buf
        : decodeBody(buf, answerHeaders['content-type']);
      return { status: res.status, headers: answerHeaders, data, reading };
    } catch (err) {
      if (/maxContentLength size of/.test((err as Error)?.message ?? '') && !stop?.aborted) {
        if (req.maxBytes !== undefined) {
          throw new ConnectorError(ErrorCodes.INVALID_PROFILE, `the file is larger than ${req.maxBytes} bytes: not downloaded further`, {
            vendor: this.vendor,
            step: req.step,
          });
        }
        // Not retried: the same request would get the same answer. A create may have been done.
        const sent = !(req.idempotent ?? req.method === 'GET');
        throw new ConnectorError(
          ErrorCodes.VENDOR_UNAVAILABLE,
          `${this.vendor} answered more than ${this.maxAnswerBytes} bytes${req.step ? ` during ${req.step}` : ''}: not read further` +
            (sent ? '; the request may have been received, so what it creates may exist' : ''),
          { vendor: this.vendor, step: req.step, outcomeUnknown: sent || undefined },
        );
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
    const limiter = this.limiter as Limiter;
    const now = Date.now();
    const deadline = now + this.maxWaitMs;
    const next = limiter.nextStartAt();
    if (next - now >= REPORTED_WAIT_MS && next <= deadline) {
      const paused = limiter.pausedUntilMs >= next;
      this.onWait?.({ reason: paused ? 'paused' : 'rate_limit', until: next, waitMs: next - now, vendor: this.vendor, step: req.step });
    }
    try {
      return await limiter.acquire(this.signal, deadline);
    } catch (err) {
      if (err instanceof ConnectorError && err.code === ErrorCodes.RATE_LIMITED) {
        if (limiter.pausedUntilMs > Date.now()) {
          this.onWait?.({ reason: 'paused', until: limiter.pausedUntilMs, waitMs: limiter.pausedUntilMs - Date.now(), vendor: this.vendor, step: req.step });
        }
        throw new ConnectorError(ErrorCodes.RATE_LIMITED, `${this.vendor}${req.step ? ` (${req.step})` : ''}: ${err.message} (${this.maxWaitMs} ms)`, {
          vendor: this.vendor,
          step: req.step,
          retryAfterMs: err.retryAt ? Math.max(0, Date.parse(err.retryAt) - Date.now()) : err.retryAfterMs,
          retryAt: err.retryAt,
        });
      }
      if (err instanceof ConnectorError && err.code === ErrorCodes.STORE_UNAVAILABLE) {
        // A shared limiter's store is down (src/core/redis-limiter.ts): nothing was sent.
        throw new ConnectorError(ErrorCodes.STORE_UNAVAILABLE, `${this.vendor}${req.step ? ` (${req.step})` : ''}: ${err.message}`, { vendor: this.vendor, step: req.step });
      }
      throw new ConnectorError(ErrorCodes.ABORTED, `${this.vendor} request cancelled: the flow was stopped`, {
        vendor: this.vendor,
        step: req.step,
      });
    }
  }

  /**
   * The vendor's rate headers, read by its own declaration (`rateHeaders`): follow the announced
   * limits, and when its window is used up, hold every request of the account until it rolls. An
   * explicit Retry-After wins over what the rate headers say (the 429 handling applies it).
   * Without a declaration, the headers are ignored.
   */
  private readRateHeaders(headers: Record<string, string>): RateHeaderReading | undefined {
    if (!this.limiter || !this.rateHeaders) return undefined;
    let reading: RateHeaderReading | undefined;
    try {
      reading = this.rateHeaders(rateLimitHeaders(headers), headers);
    } catch {
      return undefined;
    }
    if (!reading) return undefined;
    if (reading.perWindow !== undefined || reading.concurrent !== undefined) {
      this.limiter.adopt({ perWindow: reading.perWindow, concurrent: reading.concurrent });
    }
    if (parseRetryAfter(headers['retry-after']) !== undefined) return reading;
    if (reading.pauseMs !== undefined && reading.pauseMs > 0) this.limiter.pauseFor(reading.pauseMs);
    else if (reading.exhausted) this.limiter.serverExhausted();
    return reading;
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
