/**
 * What the sandbox records about the traffic it received, per emulated vendor.
 *
 * The objects are mutated in place (reset() empties them), so a reference taken from
 * `sandbox.state` stays valid for the whole life of the sandbox.
 */

/** Emulated vendors. Other emulators (broadbean, flatchr, taleez...) add their own ids. */
export type VendorId = 'hrflow' | 'smartrecruiters' | 'recruitee' | 'files' | (string & {});

export interface StoredCandidate {
  /** Id given by the emulated vendor (uuid string for SmartRecruiters, integer for Recruitee). */
  id: string | number;
  /** The request body exactly as received (parsed JSON). */
  body: unknown;
  /** ISO date-time the request was handled. */
  receivedAt: string;
  /** Request path (including the vendor prefix). */
  path: string;
  /** Job / offer the candidate was created in, when any. */
  jobId?: string;
  offerIds?: number[];
  /** The answer the vendor built (CandidateDetails, Recruitee envelope...). */
  response?: unknown;
  /** Id of an earlier candidate with the same identity (SmartRecruiters: email + last name). */
  duplicateOf?: string | number;
  /** Updates received for this candidate (on_duplicate `update`), each body as received, oldest first. */
  updates?: Array<{ body: unknown; at: string }>;
  /** When the candidate was archived (`archived`) or deleted (`deleted`) through the API. */
  archivedAt?: string;
  archived?: boolean;
  deleted?: boolean;
  /** Recruitee `remote_cv_url` handling. */
  cvFetch?: 'none' | 'ok' | 'failed' | 'skipped-external';
  /** Free-form vendor extras. */
  [extra: string]: unknown;
}

export interface StoredAttachment {
  id?: string;
  candidateId: string | number;
  /** Attachment type as given by the client (RESUME, GENERIC_FILE..., or "cv" for a fetched CV). */
  type: string;
  fileName: string | null;
  contentType: string | null;
  size: number;
  sha256: string | null;
  isPdf: boolean;
  isDocx: boolean;
  receivedAt: string;
  /** `upload` (multipart), `remote_cv_url` (fetched by the vendor), `inline` (base64 in JSON). */
  source: 'upload' | 'remote_cv_url' | 'inline' | (string & {});
  jobId?: string;
  url?: string;
  /** For fetched files: outcome of the download. */
  fetch?: 'ok' | 'failed';
  fetchStatus?: number;
  error?: string;
  [extra: string]: unknown;
}

export interface Rejection {
  status: number;
  reason: string;
  method: string;
  path: string;
  at: string;
  /** True when the answer came from an injected fault rather than the vendor logic. */
  fault?: boolean;
}

export interface VendorState {
  candidates: StoredCandidate[];
  attachments: StoredAttachment[];
  rejections: Rejection[];
  /** Every request that reached the vendor's routes (including rejected and faulted ones). */
  requests: number;
  /** 429 answers sent (rate limiter or injected). */
  rateLimited: number;
  /** Requests a fault was applied to. */
  faultsInjected: number;
}

export interface SandboxState {
  hrflow: VendorState;
  smartrecruiters: VendorState;
  recruitee: VendorState;
  files: VendorState;
  [vendor: string]: VendorState;
}

/** Keep memory bounded in long benchmarks. */
export const MAX_REJECTIONS = 5000;

export function createVendorState(): VendorState {
  return { candidates: [], attachments: [], rejections: [], requests: 0, rateLimited: 0, faultsInjected: 0 };
}

export function createSandboxState(vendors: string[]): SandboxState {
  const state = {} as SandboxState;
  for (const v of vendors) state[v] = createVendorState();
  return state;
}

export function clearVendorState(s: VendorState): void {
  s.candidates.length = 0;
  s.attachments.length = 0;
  s.rejections.length = 0;
  s.requests = 0;
  s.rateLimited = 0;
  s.faultsInjected = 0;
}

export function recordRejection(s: VendorState, r: Rejection): void {
  if (s.rejections.length >= MAX_REJECTIONS) s.rejections.shift();
  s.rejections.push(r);
}
