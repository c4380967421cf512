/**
 * The push pipeline, once, for the push nodes (nodes/lib/push-node.ts) and the plain-Node.js API
 * (`pushProfile` in src/index.ts):
 *
 *   1. check the account and the parameters (vendor.checkConfig: INVALID_CONFIG),
 *   2. the payload: the one given (a user format), else the vendor's default mapping of the profile
 *      (the profile's CV URL checked first: only http(s) URLs are ever fetched or handed on),
 *   3. validate it against the vendor's API (INVALID_PROFILE, nothing sent),
 *   4. the clients: the vendor's, bound to `vendor.connection(config)` (base URL, auth headers), rate
 *      limited per account and redacting the account's secrets; and the CV download's, whose errors carry
 *      the vendor id too (step `download_cv`),
 *   5. push (vendor.push: the vendor's request plan).
 */
import { ConnectorError, ErrorCodes } from '../core/errors';
import { HttpClient, type HttpOptions } from '../core/http';
import { RateLimiter, type Limiter } from '../core/limiter';
import { Redactor } from '../core/redact';
import { cvAttachment, type HrflowProfile } from '../hrflow/profile';
import type { PayloadValidator } from '../core/validate';
import { cvDownloadPolicy, cvUrl, type CvDownloadOptions, type CvDownloadPolicy } from './files';

/**
 * What the pipeline needs of a vendor module (src/vendors/types.ts `VendorModule` has all of it; declared
 * here so that this layer does not import the vendor layer above it).
 */
export interface PipelineVendor<C, P, R> {
  id: string;
  label: string;
  connection?(config: C): { baseUrl: string; headers?: Record<string, string> | (() => Record<string, string>) };
  rateLimit?: ConstructorParameters<typeof RateLimiter>[0];
  rateHeaders?: HttpOptions['rateHeaders'];
  secretHeaders: string[];
  secrets(config: C): string[];
  checkConfig(config: C, params: P): void;
  defaultPayload(profile: HrflowProfile, params: P): unknown;
  validate: PayloadValidator;
  push(ctx: PipelineContext<C, P>, payload: any): Promise<R>;
  /**
   * Finish an earlier push whose create succeeded but a later step failed (the ledger's `partial`
   * entry): only the steps not done yet, on the recorded candidate. Absent: the vendor has no later step.
   */
  finish?(ctx: PipelineContext<C, P>, payload: any, done: FinishFrom): Promise<R>;
  /** Update the recorded candidate with the payload (on_duplicate `update`). Absent: the vendor has none. */
  update?(ctx: PipelineContext<C, P>, candidateId: string, payload: any): Promise<R>;
  /** Archive (or delete) the recorded candidate (msg.action = "archive"). Absent: the vendor has none. */
  archive?(ctx: PipelineContext<C, P>, candidateId: string): Promise<R>;
}

/** What vendor.push and vendor.finish get (src/vendors/types.ts PushContext). */
export interface PipelineContext<C, P> {
  http: HttpClient;
  files: HttpClient;
  config: C;
  params: P;
  profile?: HrflowProfile;
  cv?: CvDownloadOptions;
}

/** Where an earlier partial push stopped: its candidate and the steps it recorded (done, skipped, failed). */
export interface FinishFrom {
  candidateId: string;
  steps: Array<{ step: string; status: 'done' | 'skipped' | 'failed' }>;
}

/** What is pushed: a vendor payload given as is, or the profile the default mapping reads (and the CV comes from). */
export interface PushInput {
  /** A vendor payload to send instead of the default mapping of `profile`. */
  payload?: Record<string, unknown>;
  /** The HrFlow profile: mapped when no payload is given; its CV is sent by vendors that take one. */
  profile?: HrflowProfile;
}

/** How requests are made: timeouts, retries, cancellation, progress callbacks, rate limiter, CV policy. */
export interface PushRunOptions extends Omit<HttpOptions, 'vendor' | 'redactor' | 'limiter' | 'secretHeaders' | 'rateHeaders' | 'baseUrl' | 'headers'> {
  /**
   * Share one limiter between calls for the same account (one is made per call otherwise, when the vendor has
   * a limit): a RateLimiter, or a RedisRateLimiter shared by several processes.
   */
  limiter?: Limiter;
  /** Where CVs may be downloaded from (allowedHosts, allowPrivateAddresses, maxMemoryMiB). */
  cvDownload?: CvDownloadPolicy;
  /** Called with the vendor client before the push starts (the node watches whether a create left). */
  onClient?(http: HttpClient): void;
  /**
   * Finish an earlier partial push (vendor.finish) instead of pushing: only its missing steps. Without
   * vendor.finish, FINISH is an error (PARTIAL_PUSH: nothing to finish with).
   */
  finishFrom?: FinishFrom;
  /** Update this recorded candidate (vendor.update) with the prepared payload instead of pushing: never a create. */
  update?: { candidateId: string };
  /**
   * Archive this recorded candidate (vendor.archive) instead of pushing: only the account and parameters are
   * checked (no payload is mapped or sent). Never a create.
   */
  archive?: { candidateId: string };
}

/**
 * Steps 1 to 3: check the account and the parameters, take or map the payload, validate it (returned
 * with the input it came from).
 * Throws INVALID_CONFIG, INVALID_INPUT (neither a payload nor a profile) or INVALID_PROFILE; nothing is sent.
 */
export function preparePush<C, P>(vendor: PipelineVendor<C, P, unknown>, config: C, params: P, given: PushInput | (() => PushInput)): { payload: Record<string, unknown>; input: PushInput } {
  vendor.checkConfig(config, params);
  // A function: what to push is read only once the account and parameters are known good (a node's msg).
  const input = typeof given === 'function' ? given() : given;
  let payload = input.payload;
  if (!payload) {
    if (!input.profile || typeof input.profile !== 'object') {
      throw new ConnectorError(ErrorCodes.INVALID_INPUT, `nothing to push to ${vendor.label}: give a profile or a payload`, { vendor: vendor.id });
    }
    // The profile's CV URL first, naming its attachment: only http(s) URLs are ever fetched or handed on.
    const cv = cvAttachment(input.profile);
    if (cv) cvUrl(cv, vendor.id);
    payload = vendor.defaultPayload(input.profile, params) as Record<string, unknown>;
  }
  vendor.validate(payload);
  return { payload, input };
}

/** Step 4: the vendor's client and the CV download's, both reporting errors as this vendor's. */
export function pushClients<C>(vendor: PipelineVendor<C, any, unknown>, config: C, options: PushRunOptions = {}): { http: HttpClient; files: HttpClient; redactor: Redactor } {
  const { limiter, cvDownload: _cv, onClient: _onClient, finishFrom: _finish, update: _update, archive: _archive, ...common } = options;
  void _update;
  void _archive;
  void _cv;
  void _onClient;
  void _finish;
  const redactor = new Redactor(vendor.secrets(config));
  const http = new HttpClient({
    ...common,
    ...vendor.connection?.(config),
    vendor: vendor.id,
    redactor,
    limiter: limiter ?? (vendor.rateLimit ? new RateLimiter(vendor.rateLimit) : undefined),
    secretHeaders: vendor.secretHeaders,
    rateHeaders: vendor.rateHeaders,
  });
  // CV hosts are not the vendor's API (no base URL, no account headers, no vendor rate limit), but a
  // failure there is part of this push: `error.vendor` is the vendor id, `error.step` says download_cv.
  const { onWait: _onWait, beforeUnsafe: _beforeUnsafe, onUnsafeRefused: _refused, priorSentAt: _priorSentAt, priorChecked: _checked, ...filesOptions } = common;
  void _checked;
  void _onWait;
  void _refused;
  void _beforeUnsafe;
  void _priorSentAt;
  const files = new HttpClient({ ...filesOptions, vendor: vendor.id, redactor });
  return { http, files, redactor };
}

/** The whole pipeline: prepare, bind the clients, push with the vendor's request plan. */
export async function runPush<C, P, R>(vendor: PipelineVendor<C, P, R>, config: C, params: P, given: PushInput | (() => PushInput), options: PushRunOptions = {}): Promise<R> {
  try {
    return await pushOnce(vendor, config, params, given, options);
  } catch (err) {
    // `error.vendor` is the vendor id, whoever raised it (a payload check naming the vendor by its label, a path check).
    if (err instanceof ConnectorError) err.vendor = vendor.id;
    throw err;
  }
}

async function pushOnce<C, P, R>(vendor: PipelineVendor<C, P, R>, config: C, params: P, given: PushInput | (() => PushInput), options: PushRunOptions): Promise<R> {
  if (options.archive) {
    // Nothing mapped: the candidate is named by its recorded id.
    vendor.checkConfig(config, params);
    if (!vendor.archive) throw new ConnectorError(ErrorCodes.UNSUPPORTED, `${vendor.label}'s API cannot archive or delete a candidate`, { vendor: vendor.id });
    const { http, files } = pushClients(vendor, config, options);
    options.onClient?.(http);
    return vendor.archive({ http, files, config, params }, options.archive.candidateId);
  }
  const { payload, input } = preparePush(vendor, config, params, given);
  const { http, files } = pushClients(vendor, config, options);
  options.onClient?.(http);
  const ctx: PipelineContext<C, P> = {
      http,
      files,
      config,
      params,
      profile: input.profile,
      cv: {
        ...cvDownloadPolicy(options.cvDownload),
        timeoutMs: options.timeoutMs,
        retries: options.retries,
        retryDelayMs: options.retryDelayMs,
        signal: options.signal,
        onRetry: options.onRetry,
      },
  };
  if (options.finishFrom) {
    if (!vendor.finish) {
      throw new ConnectorError(ErrorCodes.PARTIAL_PUSH, `${vendor.label} has no step to finish after the create of candidate ${options.finishFrom.candidateId}`, {
        vendor: vendor.id,
        candidateId: options.finishFrom.candidateId,
      });
    }
    return vendor.finish(ctx, payload, options.finishFrom);
  }
  if (options.update) {
    if (!vendor.update) throw new ConnectorError(ErrorCodes.UNSUPPORTED, `${vendor.label}'s API cannot update a candidate`, { vendor: vendor.id });
    return vendor.update(ctx, options.update.candidateId, payload);
  }
  return vendor.push(ctx, payload);
}
