/**
 * One error type for every failure the package reports, with a stable `code`.
 *
 * Node-RED copies own `code`, `stack` and `cause` properties of a `done(err)` error into
 * `msg.error`, so Catch nodes can switch on `msg.error.code`. Every other property here
 * (statusCode, vendor, step, candidateId) is also an own property and is copied by the
 * node layer onto `msg.error` explicitly.
 */

export const ErrorCodes = {
  /** The credentials were refused (401/403). */
  AUTH_FAILED: 'AUTH_FAILED',
  /** HrFlow answered "Unable to find object": the profile does not exist. */
  HRFLOW_NOT_FOUND: 'HRFLOW_NOT_FOUND',
  /** The vendor answered 404 (unknown job, company, offer...). */
  NOT_FOUND: 'NOT_FOUND',
  /** The profile cannot become a valid vendor payload (missing required field...). Nothing was sent. */
  INVALID_PROFILE: 'INVALID_PROFILE',
  /** A node setting is missing or wrong (no job id, no config node, bad URL...). Nothing was sent. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** The message does not carry what the node needs (no profile in msg.payload...). */
  INVALID_INPUT: 'INVALID_INPUT',
  /** A user logic threw. */
  LOGIC_ERROR: 'LOGIC_ERROR',
  /** The user format threw or returned something unusable. */
  FORMAT_ERROR: 'FORMAT_ERROR',
  /** The vendor refused the request as wrong (400/409/422, or a success flag of 0). */
  VENDOR_REJECTED: 'VENDOR_REJECTED',
  /**
   * Still rate limited (429) after every retry, or the wait for a rate slot or for the vendor's pause
   * (Retry-After) is longer than the node will wait (its timeout): `retryAt` says when to try again.
   */
  RATE_LIMITED: 'RATE_LIMITED',
  /** 5xx after every retry, or an answer that cannot be read. */
  VENDOR_UNAVAILABLE: 'VENDOR_UNAVAILABLE',
  /** Connection refused, reset, DNS failure... */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** No answer within the timeout. */
  TIMEOUT: 'TIMEOUT',
  /** The request was cancelled because the flow was stopped or redeployed. */
  ABORTED: 'ABORTED',
  /** The candidate was created but a later step (CV upload, job assignment...) failed. */
  PARTIAL_PUSH: 'PARTIAL_PUSH',
  /**
   * A create request was sent but its answer never came (timeout, connection lost), and the vendor
   * offers no lookup (or it found nothing): the candidate may or may not exist. Never re-sent blindly.
   */
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',
  /**
   * The push ledger says this profile was already pushed to this target of this account (push node
   * property on_duplicate `error`, or a recorded push whose outcome is unknown): `candidateId` carries the
   * recorded candidate id, when known. Nothing was sent.
   */
  ALREADY_PUSHED: 'ALREADY_PUSHED',
  /**
   * The vendor's API cannot do what was asked: an update (on_duplicate `update`) or an archive
   * (msg.action = "archive") where the vendor offers none. Nothing was sent.
   */
  UNSUPPORTED: 'UNSUPPORTED',
  /**
   * msg.action = "archive" for a profile the push ledger has no candidate for (never pushed to this target of
   * this account, its push failed, or its answer was lost: no candidate id). Nothing was sent.
   */
  NOT_PUSHED: 'NOT_PUSHED',
  /**
   * The shared store (an `hrflow-store` in mode `redis`) could not be reached or answered an error: nothing
   * was recorded or claimed, so nothing was sent (the push waits or fails; it is never made blindly).
   */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface ConnectorErrorDetails {
  statusCode?: number;
  vendor?: string;
  /** Which step of a multi-step push failed (e.g. "create", "upload_cv"). */
  step?: string;
  /** Set when a candidate exists at the vendor although the push did not finish. */
  candidateId?: string | number;
  /**
   * For PARTIAL_PUSH: the steps done (or skipped on purpose) before `step` failed, the create first, in
   * order: what pushing the profile again does not repeat.
   */
  steps?: Array<{ step: string; status: 'done' | 'skipped' }>;
  /** Short, redacted excerpt of the vendor's answer. */
  vendorMessage?: string;
  /** For INVALID_PROFILE: the payload fields that failed validation. */
  fields?: string[];
  /** True when a create request may have reached the vendor but no answer came back. */
  outcomeUnknown?: boolean;
  /** For RATE_LIMITED: how long to wait before trying again, in ms (from when the error was made). */
  retryAfterMs?: number;
  /** For RATE_LIMITED: when to try again (ISO 8601 date-time). */
  retryAt?: string;
  cause?: unknown;
}

const DETAIL_KEYS = ['statusCode', 'vendor', 'step', 'candidateId', 'steps', 'vendorMessage', 'fields', 'outcomeUnknown', 'retryAfterMs', 'retryAt'] as const;

export class ConnectorError extends Error {
  readonly code: ErrorCode;
  statusCode?: number;
  vendor?: string;
  step?: string;
  candidateId?: string | number;
  steps?: Array<{ step: string; status: 'done' | 'skipped' }>;
  vendorMessage?: string;
  fields?: string[];
  outcomeUnknown?: boolean;
  retryAfterMs?: number;
  retryAt?: string;

  constructor(code: ErrorCode, message: string, details: ConnectorErrorDetails = {}) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'ConnectorError';
    this.code = code;
    for (const key of DETAIL_KEYS) {
      if (details[key] !== undefined) (this as Record<string, unknown>)[key] = details[key];
    }
    // The stack's first line too (Catch nodes copy it to msg.error.stack, shown beside the message).
    const stack = this.stack;
    if (typeof stack === 'string' && stack.startsWith('ConnectorError')) {
      const frames = stack.indexOf('\n    at ');
      this.stack = `${code}: ${message}${frames >= 0 ? stack.slice(frames) : ''}`;
    }
  }

  /**
   * `CODE: message`. Node-RED builds `msg.error.message` of a Catch node from `err.toString()` (and
   * copies `err.code` to `msg.error.code`): the debug sidebar reads `AUTH_FAILED: …`, not `ConnectorError: …`.
   */
  override toString(): string {
    return `${this.code}: ${this.message}`;
  }

  /** A plain, secret-free description, suitable for msg.error extras and logs. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message };
    for (const key of DETAIL_KEYS) {
      if (this[key] !== undefined) out[key] = this[key];
    }
    return out;
  }
}

/**
 * RATE_LIMITED for a message that would wait longer than it may: carries when to try again
 * (`retryAfterMs`, `retryAt`).
 */
export function rateLimited(message: string, retryAtMs: number, details: ConnectorErrorDetails = {}, now = Date.now()): ConnectorError {
  const at = Math.max(now, Math.ceil(retryAtMs));
  return new ConnectorError(ErrorCodes.RATE_LIMITED, message, { ...details, retryAfterMs: at - now, retryAt: new Date(at).toISOString() });
}

export function isConnectorError(err: unknown): err is ConnectorError {
  return err instanceof ConnectorError;
}

/**
 * A later step failed after the candidate was created: say which step, and keep the candidate id and
 * the steps done before it (`steps`, the create first), so nothing is lost and nobody re-creates the
 * candidate by retrying blindly: pushing again finishes only the missing steps.
 */
export function partialPush(err: unknown, vendor: string, candidateId: string | number, steps?: Array<{ step: string; status: 'done' | 'skipped' }>): ConnectorError {
  const e = err instanceof ConnectorError ? err : undefined;
  const done = steps?.map((s) => ({ step: s.step, status: s.status }));
  if (e?.code === ErrorCodes.ABORTED) {
    e.candidateId = candidateId;
    if (done) e.steps = done;
    return e;
  }
  return new ConnectorError(
    ErrorCodes.PARTIAL_PUSH,
    `candidate ${candidateId} was created in ${vendor}, but ${e?.step ?? 'a later step'} failed (${e?.code ?? 'error'}): ${e?.message ?? String(err)}`,
    { vendor, candidateId, step: e?.step, steps: done, statusCode: e?.statusCode, vendorMessage: e?.vendorMessage, cause: err },
  );
}
