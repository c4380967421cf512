/**
 * The create step shared by every vendor: send the create request once, and if its outcome is
 * unknown (the request may have reached the vendor but no answer came back, or the answer cannot be
 * read), never re-send it blindly: look the candidate up where the vendor allows it, else report
 * OUTCOME_UNKNOWN.
 */
import { ConnectorError, ErrorCodes } from '../core/errors';
import type { HttpClient, HttpRequest, HttpResponse } from '../core/http';

export interface CreateOutcome<T> {
  /** The candidate id, from the answer or from the lookup. Undefined only when `readId` is not given. */
  candidateId?: string;
  /** The create answer; undefined when the candidate was recovered by a lookup. */
  response?: HttpResponse<T>;
  /** True when the answer was lost and the lookup found the candidate. */
  recovered: boolean;
}

export interface CreateOptions<T> {
  /** Reads the candidate id from a 2xx answer; an answer without id counts as an unknown outcome. */
  readId?: (data: T) => string | number | undefined | null;
  /** For vendors whose answer has no id: is this 2xx answer really the vendor's? (else: unknown outcome) */
  isAnswer?: (data: unknown) => boolean;
  /**
   * Finds the candidate a lost request may have created (by email...); omitted when the vendor offers
   * no way. `sentAt` is when the create was sent (ms epoch): a candidate created well before it is an
   * older one with the same email, not this push's (see `createdSince`).
   */
  lookup?: (sentAt: number) => Promise<string | undefined>;
}

/** The candidate each client's create made (answered with an id, or found by the lookup): what a stop must report. */
const created = new WeakMap<HttpClient, string>();

/** The id of the candidate this client's create made, once known (for the ABORTED outcome of a flow stopped after it). */
export function createdCandidateId(http: HttpClient): string | undefined {
  return created.get(http);
}

export async function createOnce<T>(http: HttpClient, request: HttpRequest, options: CreateOptions<T> = {}): Promise<CreateOutcome<T>> {
  if (http.priorSentAt !== undefined) {
    // A resumed push whose create may have left before Node-RED stopped: was it received?
    const found = await priorCreate(http, request, options, http.priorSentAt);
    if (found) return found;
  }
  let cause: ConnectorError;
  const sentAt = Date.now();
  try {
    const response = await http.request<T>({ ...request, idempotent: false });
    if (!options.readId && (!options.isAnswer || options.isAnswer(response.data))) return { response, recovered: false };
    const readId = options.readId ?? (() => undefined);
    const id = response.data && typeof response.data === 'object' ? readId(response.data) : undefined;
    if (id !== undefined && id !== null && id !== '') {
      created.set(http, String(id));
      return { candidateId: String(id), response, recovered: false };
    }
    cause = unreadableAnswer(http, response, request.step, options.readId ? 'no candidate id' : 'an answer that is not its own');
  } catch (err) {
    if (err instanceof ConnectorError && err.code === ErrorCodes.ABORTED && err.outcomeUnknown) {
      // The flow stopped with the create on its way: no lookup (it would be cancelled too).
      err.message = `${err.message}: ${http.vendor} may or may not have created the candidate; check the ATS before pushing this profile again`;
      throw err;
    }
    if (!(err instanceof ConnectorError) || !err.outcomeUnknown) throw err;
    cause = err;
  }
  let lookupNote = 'the vendor offers no way to look it up';
  if (options.lookup) {
    try {
      const found = await options.lookup(sentAt);
      if (found !== undefined) {
        created.set(http, found);
        return { candidateId: found, recovered: true };
      }
      lookupNote = 'a lookup found no such candidate yet';
    } catch (lookupErr) {
      if (lookupErr instanceof ConnectorError && lookupErr.code === ErrorCodes.ABORTED) {
        // The create's answer was lost, then the flow stopped: the candidate may exist.
        lookupErr.outcomeUnknown = true;
        lookupErr.message = `${lookupErr.message}; the create's answer was lost before (${cause.message}): ${http.vendor} may or may not have created the candidate`;
        throw lookupErr;
      }
      lookupNote = `the lookup failed too (${lookupErr instanceof ConnectorError ? lookupErr.code : 'error'})`;
    }
  }
  throw new ConnectorError(
    ErrorCodes.OUTCOME_UNKNOWN,
    `${http.vendor} may or may not have created the candidate: ${cause.message}; ${lookupNote}. ` +
      'It was not sent again, to avoid a duplicate: check the ATS before pushing this profile again.',
    { vendor: http.vendor, step: request.step ?? 'create', statusCode: cause.statusCode, cause, outcomeUnknown: true },
  );
}

/**
 * The create of a resumed push may have reached the vendor before Node-RED stopped (at `sentAt`): look
 * the candidate up. Found: recovered. Not found: undefined (the create did not arrive: it is sent now).
 * No lookup, or the lookup fails: OUTCOME_UNKNOWN, nothing sent (never a blind re-send).
 */
async function priorCreate<T>(http: HttpClient, request: HttpRequest, options: CreateOptions<T>, sentAt: number): Promise<CreateOutcome<T> | undefined> {
  const unknown = (why: string, cause?: unknown) =>
    new ConnectorError(
      ErrorCodes.OUTCOME_UNKNOWN,
      `a create request may have reached ${http.vendor} at ${new Date(sentAt).toISOString()}, before Node-RED stopped without its answer, and ${why}. ` +
        'It was not sent again, to avoid a duplicate: check the ATS, then push this profile again with "If already pushed" set to "push again" if it is not there.',
      { vendor: http.vendor, step: request.step ?? 'create', cause, outcomeUnknown: true },
    );
  if (!options.lookup) {
    // A person checked the ATS before retrying (the sidebar's Retry of this dead letter): send it.
    if (http.priorChecked) return undefined;
    throw unknown(`${http.vendor} offers no way to look the candidate up`);
  }
  let found: string | undefined;
  try {
    found = await options.lookup(sentAt);
  } catch (err) {
    if (err instanceof ConnectorError && err.code === ErrorCodes.ABORTED) {
      err.outcomeUnknown = true;
      throw err;
    }
    throw unknown(`the lookup failed (${err instanceof ConnectorError ? err.code : 'error'})`, err);
  }
  if (found === undefined) return undefined;
  created.set(http, found);
  return { candidateId: found, recovered: true };
}

/** Clock difference tolerated between this machine and a vendor when comparing creation times. */
export const CLOCK_SKEW_MS = 5_000;

/**
 * For lookups after a lost answer: was this record created by the request sent at `sentAt`? A record
 * without a readable creation time cannot be told from an older one and does not count.
 */
export function createdSince(createdAt: string | undefined | null, sentAt: number): boolean {
  const t = createdAt ? Date.parse(createdAt) : NaN;
  return Number.isFinite(t) && t >= sentAt - CLOCK_SKEW_MS;
}

function unreadableAnswer(http: HttpClient, response: HttpResponse<unknown>, step: string | undefined, what: string): ConnectorError {
  return new ConnectorError(
    ErrorCodes.VENDOR_UNAVAILABLE,
    `${http.vendor} answered ${response.status} with ${what} (${http.redact.excerpt(response.data, 120) || 'empty answer'})`,
    { vendor: http.vendor, step, statusCode: response.status },
  );
}

/**
 * For a later step whose vendor answers a JSON object (a CV upload...): a 2xx answer that is not one
 * came from something else on the way (a proxy or portal page), and is not taken for a success.
 */
export function expectJsonObject(http: HttpClient, response: HttpResponse<unknown>, step: string): void {
  const d = response.data;
  if (!d || typeof d !== 'object' || Buffer.isBuffer(d)) throw unreadableAnswer(http, response, step, 'an answer that is not its own');
}
