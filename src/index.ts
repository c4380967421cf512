/**
 * @hrflow-connectors/node-red — the adapter code, usable without Node-RED.
 *
 *   const { HrflowClient, pushProfile, smartrecruiters } = require('@hrflow-connectors/node-red');
 *   const profile = await new HrflowClient({ api_secret, api_user }).getProfile(sourceKey, profileKey);
 *   const result = await pushProfile(smartrecruiters, { x_smart_token }, { job_id }, profile);
 */
import type { Limiter } from './core/limiter';
import type { HrflowProfile } from './hrflow/profile';
import type { PushResult, VendorModule } from './vendors/types';
import { ConnectorError } from './core/errors';
import { runPush, type PushRunOptions } from './push/pipeline';
import type { CvDownloadPolicy } from './push/files';
import { accountHash, duplicateMode, ledgerTarget, profileIdentity, type DuplicateMode, type PushLedger, type WorkPlan } from './push/ledger';

export { ConnectorError, ErrorCodes, isConnectorError, type ErrorCode } from './core/errors';
export { HttpClient, type HttpOptions, type HttpRequest, type HttpResponse } from './core/http';
export { RateLimiter, type Limiter } from './core/limiter';
export { Redactor } from './core/redact';
export { toAlpha2 } from './core/countries';
export { HrflowClient, HRFLOW_DEFAULT_BASE_URL, type HrflowCredentials } from './hrflow/client';
export type { HrflowProfile } from './hrflow/profile';
export { recordPush, mergeRecord, recordEntry, parseRecord, writebackBody, type WritebackInput, type WritebackResult, type WritebackField } from './hrflow/writeback';
export { vendors, smartrecruiters, recruitee, broadbean, flatchr, taleez } from './vendors';
export { broadbeanSignature } from './vendors/broadbean';
export type { VendorModule, PushResult, PushContext, PushStep } from './vendors/types';
export type { FinishFrom } from './push/pipeline';
export { checkCvUrl, cvBudget, type CvDownloadPolicy, type CvKind } from './push/files';
export {
  PushLedger,
  MemoryLedgerStore,
  ledgerKey,
  ledgerTarget,
  accountHash,
  profileIdentity,
  type LedgerEntry,
  type LedgerStore,
  type LedgerOutcome,
  type LedgerQuery,
  type DuplicateMode,
  type PushIdentity,
} from './push/ledger';

export interface PushOptions extends Omit<PushRunOptions, 'onClient'> {
  /** Share one limiter between calls for the same account (one is made per call otherwise): RateLimiter or a shared one. */
  limiter?: Limiter;
  /** A vendor payload to send instead of the default mapping of `profile`. */
  payload?: Record<string, unknown>;
  /**
   * Where CVs may be downloaded from (the `hrflowCvDownload` setting of the nodes): allowedHosts,
   * allowPrivateAddresses (default false: loopback, private, link-local... refused), maxMemoryMiB.
   */
  cvDownload?: CvDownloadPolicy;
  /**
   * A push ledger (`new PushLedger(new MemoryLedgerStore())`, or a durable store): the same profile is
   * pushed once per vendor, account, target and profile identity, as by a push node. Without it, every
   * call pushes.
   */
  ledger?: PushLedger;
  /**
   * With `ledger`: what to do with a profile already pushed there (`skip`, the default; `error`: ALREADY_PUSHED;
   * `push`). A push recorded partial (PARTIAL_PUSH) is finished in modes `skip` and `error` (only its missing
   * steps, on the recorded candidate; `finished: true`), and pushed again in full in mode `push`. `update`: the
   * recorded candidate is updated with the current mapping (`updated: true`; UNSUPPORTED where the vendor has no
   * update).
   */
  onDuplicate?: DuplicateMode;
}

/** pushProfile's answer: a PushResult, or (with a ledger, `skip`) the recorded push with `alreadyPushed: true`. */
export interface PushProfileResult extends PushResult {
  /** True when the ledger says the profile was already pushed here and nothing was sent (response undefined, steps []). */
  alreadyPushed?: boolean;
  /**
   * True when the ledger had this push as partial (PARTIAL_PUSH): only its missing steps were done, on the
   * recorded candidate (`candidateId`), and nothing was created.
   */
  finished?: boolean;
  /** True when the recorded candidate was updated (onDuplicate `update`) instead of created. */
  updated?: boolean;
}

/**
 * Map (or take) the payload, validate it, and push it with the vendor's request plan: the same
 * pipeline as a push node (src/push/pipeline.ts), without Node-RED.
 */
export async function pushProfile<C, P>(
  vendor: VendorModule<C, P, any>,
  config: C,
  params: P,
  profile: HrflowProfile,
  options: PushOptions = {},
): Promise<PushProfileResult> {
  const { payload, ledger, onDuplicate, ...run } = options;
  // The parameters as a node reads its panel (ids typed as text, "false"...): the same input, the same outcome.
  let read: P;
  try {
    read = vendor.readParams ? vendor.readParams({ ...(params as Record<string, unknown>) }) : params;
  } catch (err) {
    if (err instanceof ConnectorError) err.vendor = vendor.id;
    throw err;
  }
  // A plan of the ledger: finish an earlier partial push (only its missing steps, on its candidate).
  const push = (plan: WorkPlan = {}) => runPush(vendor, config, read, { payload, profile }, plan.finishFrom || plan.update ? { ...run, finishFrom: plan.finishFrom, update: plan.update } : run);
  const who = ledger ? profileIdentity(profile, payload) : undefined;
  const dryRun = (vendor.description?.params ?? []).some((f) => f.dryRun && (read as Record<string, unknown>)[f.name] === true);
  if (!ledger || !who || dryRun) return push();
  try {
    vendor.checkConfig(config, read);
  } catch (err) {
    if (err instanceof ConnectorError) err.vendor = vendor.id;
    throw err;
  }
  // Same key as a push node's: the account type is the vendor's config node type.
  const identity = {
    vendor: vendor.id,
    account: accountHash(`hrflow-${vendor.id}-config`, config),
    target: ledgerTarget(vendor.description?.params ?? [], read),
    profile: who,
  };
  const outcome = await ledger.once(identity, duplicateMode(onDuplicate), push, vendor.label, { finishable: !!vendor.finish, updatable: !!vendor.update });
  if (outcome.pushed) return outcome.finished ? { ...outcome.result, finished: true } : outcome.updated ? { ...outcome.result, updated: true } : outcome.result;
  return { alreadyPushed: true, candidateId: outcome.entry.candidateId, response: undefined, steps: [] };
}
