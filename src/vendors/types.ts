/**
 * What a vendor module provides. Each vendor's whole behaviour (parameters, default mapping,
 * payload schema, request plan, response reading) lives in one file under src/vendors/.
 */
import { ConnectorError } from '../core/errors';
import { resolveUrl, urlPath, type HttpClient, type RateHeaderReader } from '../core/http';
import type { RateLimit } from '../core/limiter';
import type { PayloadValidator } from '../core/validate';
import type { HrflowProfile } from '../hrflow/profile';
import type { CvDownloadOptions, CvKind } from '../push/files';
import type { FinishFrom } from '../push/pipeline';
import type { AccountContext, PickItem, TestResult, VendorDescription } from './description';

export interface PushContext<Config, Params> {
  /** Client for the vendor's API (rate limited per account, redacting the account's secrets). */
  http: HttpClient;
  /** Client for downloading CV files from HrFlow's public URLs (not rate limited by the vendor). */
  files: HttpClient;
  config: Config;
  params: Params;
  /** The HrFlow profile (for the CV), when known. */
  profile?: HrflowProfile;
  /** How CVs are downloaded: the `hrflowCvDownload` policy and the node's timeout, retries and stop signal. */
  cv?: CvDownloadOptions;
}

export interface PushStep {
  step: string;
  status: 'done' | 'skipped';
  statusCode?: number;
  detail?: string;
}

export interface PushResult {
  /** The created candidate's id at the vendor, when the vendor returns one. */
  candidateId?: string | number;
  /** The vendor's answer to the create request. */
  response: unknown;
  /** HTTP status of the create answer (absent when the candidate was recovered by a lookup). */
  statusCode?: number;
  steps: PushStep[];
}

export interface VendorModule<Config, Params, Payload = Record<string, unknown>> {
  id: string;
  label: string;
  /** What the editor, the locales, the help and the admin endpoints know about the vendor (src/vendors/description.ts). */
  description?: VendorDescription;
  /**
   * The account's API: where requests go and how they authenticate. The push node, Test connection and
   * the pickers bind one HttpClient to it; vendor code then sends relative paths (`urlPath('jobs', id)`).
   */
  connection?(config: Config): { baseUrl: string; headers?: Record<string, string> | (() => Record<string, string>) };
  /**
   * The account as this vendor wants it, from a config node's properties and credentials (or the
   * values typed in the dialog, for Test connection). The generic reading of `description.account`
   * (credentials as they are, properties trimmed, blank ones replaced by their default) is the default.
   */
  readAccount?(values: Record<string, string>): Config;
  /** The node's parameters from the values of `description.params` (each `msg` override already applied). */
  readParams?(values: Record<string, unknown>): Params;
  /** One harmless authenticated read with the account; throws ConnectorError (AUTH_FAILED, NOT_FOUND...). */
  testConnection?(ctx: AccountContext<Config>): Promise<TestResult>;
  /** The lists pickers offer (`description.lists` names them), read with the account. */
  lists?: Record<string, (ctx: AccountContext<Config>) => Promise<PickItem[]>>;
  /** Client-side rate limit shared by every node using the same account, when the vendor documents one. */
  rateLimit?: RateLimit;
  /**
   * What the vendor's X-RateLimit-* headers mean, in the window of `rateLimit` (handed to the HTTP
   * client). Without it the core ignores them.
   */
  rateHeaders?: RateHeaderReader;
  /** The CV document types the vendor takes (read from the CV's bytes); absent when it downloads the CV itself. */
  cvTypes?: readonly CvKind[];
  /** Secret values of an account, for redaction. */
  secrets(config: Config): string[];
  /**
   * Names of the request headers that carry a credential or a credential-equivalent (a signature):
   * their values, as sent on each attempt, are masked in every error text.
   */
  secretHeaders: string[];
  /** Check the account and parameters; throws INVALID_CONFIG. */
  checkConfig(config: Config, params: Params): void;
  /** The default mapping from an HrFlow profile. Never puts placeholders or nulls in the payload. */
  defaultPayload(profile: HrflowProfile, params: Params): Payload;
  /** Throws INVALID_PROFILE naming the fields when the payload does not fit the vendor's API. */
  validate: PayloadValidator;
  /** Send the payload (and the CV); throws ConnectorError. */
  push(ctx: PushContext<Config, Params>, payload: Payload): Promise<PushResult>;
  /**
   * Finish an earlier push that threw PARTIAL_PUSH (the ledger's `partial` entry): only the steps after
   * the create that `done.steps` does not record as done or skipped, on candidate `done.candidateId`;
   * never a create. Its PushResult has that candidate id and every step of the plan (`done earlier` for
   * the ones not run again); a step that fails again throws PARTIAL_PUSH. Absent: the vendor's push is
   * one request (nothing to finish).
   */
  finish?(ctx: PushContext<Config, Params>, payload: Payload, done: FinishFrom): Promise<PushResult>;
  /**
   * Update the recorded candidate `candidateId` with the current mapping (on_duplicate `update`): only the fields
   * `description.update` names are sent, never a create. Its PushResult: that candidate id, the vendor's answer,
   * steps `[{step: "update"...}]`. Absent: the vendor's API has no update (UNSUPPORTED).
   */
  update?(ctx: PushContext<Config, Params>, candidateId: string, payload: Payload): Promise<PushResult>;
  /**
   * Archive (or delete, as `description.archive` says) the recorded candidate (msg.action = "archive"); a
   * candidate already gone (404) counts as archived (a resumed archive may be sent twice). Absent: UNSUPPORTED.
   */
  archive?(ctx: PushContext<Config, Params>, candidateId: string): Promise<PushResult>;
}

/**
 * Send an update or an archive request of the recorded candidate (idempotent: retried like a read, never
 * announced as a create) and read its answer as the PushResult of step `step`. `gone`: a 404 means the candidate is
 * already gone (an archive that a resume sends twice): done, with the answer `{id, archived: true}`.
 */
export async function candidateRequest(
  http: HttpClient,
  candidateId: string,
  step: 'update' | 'archive',
  request: { method: 'PATCH' | 'POST' | 'PUT' | 'DELETE'; url: string; data?: unknown; gone?: boolean },
): Promise<PushResult> {
  let res;
  try {
    res = await http.request({
      method: request.method,
      url: request.url,
      ...(request.data !== undefined ? { headers: { 'Content-Type': 'application/json' }, data: request.data } : {}),
      step,
      idempotent: true,
    });
  } catch (err) {
    if (request.gone && err instanceof ConnectorError && err.statusCode === 404) {
      return { candidateId, response: { id: candidateId, archived: true }, statusCode: 404, steps: [{ step, status: 'done', statusCode: 404, detail: 'the candidate was already gone' }] };
    }
    if (err instanceof ConnectorError && err.statusCode === 404) {
      err.message = `candidate ${candidateId} recorded by the push ledger is no longer in ${http.vendor} (404): ${err.message}`;
    }
    throw err;
  }
  const empty = res.data === undefined || res.data === null || res.data === '' || Buffer.isBuffer(res.data);
  return { candidateId, response: empty ? { id: candidateId, [step === 'update' ? 'updated' : 'archived']: true } : res.data, statusCode: res.status, steps: [{ step, status: 'done', statusCode: res.status }] };
}

/** The msg.steps entry of a create, saying when the candidate was recovered after a lost answer. */
export function createStep(outcome: { response?: { status: number }; recovered: boolean }): PushStep {
  return outcome.recovered
    ? { step: 'create', status: 'done', detail: 'the answer was lost; the candidate was found by email instead of being sent twice' }
    : { step: 'create', status: 'done', statusCode: outcome.response?.status };
}

/** Join a base URL and a path without doubling or dropping slashes (each segment checked by urlPath). */
export function joinUrl(base: string, ...parts: string[]): string {
  return parts.length ? resolveUrl(base, urlPath(...parts)) : base.replace(/\/+$/, '');
}

/** The fields `keys` of a payload that are set (an update sends only what the vendor's update takes). */
export function pickFields(payload: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (payload[k] !== undefined && payload[k] !== null) out[k] = payload[k];
  return out;
}
