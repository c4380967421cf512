/**
 * Local emulator ("sandbox") of HrFlow.ai + the ATS vendors our nodes push into.
 *
 *   const sb = await createSandbox();
 *   // HrFlow:           sb.urls.hrflow           (X-API-KEY / X-USER-EMAIL = sb.credentials.hrflowApiKey / hrflowUser)
 *   // SmartRecruiters:  sb.urls.smartrecruiters  (X-SmartToken = sb.credentials.smartToken)
 *   // Recruitee:        sb.urls.recruitee        (Bearer sb.credentials.recruiteeToken, company sb.credentials.recruiteeCompany)
 *   // Broadbean:        sb.urls.broadbean        (X-CHUB-* HMAC headers: broadbeanSecret / broadbeanSourceId, client broadbeanClientId)
 *   // Flatchr:          sb.urls.flatchr (careers host) + sb.urls.flatchrApi (API host)  (Bearer / body token flatchrApiKey, company flatchrCompany)
 *   // Taleez:           sb.urls.taleez           (X-taleez-api-secret = sb.credentials.taleezSecret)
 *   ...
 *   await sb.close();
 *
 * Adding a vendor: write `vendors/<vendor>.ts` returning a VendorModule (see server.ts), register it in
 * VENDOR_FACTORIES below, and add its base URL to `urls`.
 */

import { resolve as resolvePath } from 'node:path';
import { SandboxServer, type SandboxCore, type VendorModule } from './server';
import { getSpecRegistry, resolveSpecsDir } from './spec';
import { addWebhookRoutes } from './webhook-routes';
import { DEFAULT_FIXTURES_DIR, ProfileStore, SANDBOX_SOURCE_KEY, type AddProfileOptions, type Profile } from './profiles';
import {
  DEFAULT_CREDENTIALS,
  type ResolvedSandboxOptions,
  type SandboxCredentials,
  type SandboxOptions,
  type WindowRateLimitOptions,
} from './types';
import type { Fault } from './faults';
import type { SandboxState, VendorId } from './state';
import { createHrflow } from './vendors/hrflow';
import { createFiles } from './vendors/files';
import { createSmartRecruiters } from './vendors/smartrecruiters';
import { createRecruitee } from './vendors/recruitee';
import { createBroadbean } from './vendors/broadbean';
import { createFlatchr } from './vendors/flatchr';
import { createTaleez } from './vendors/taleez';

export type {
  SandboxOptions,
  SandboxCredentials,
  RateLimitOptions,
  WindowRateLimitOptions,
  SandboxRateLimits,
  ResolvedSandboxOptions,
} from './types';
export { broadbeanSignature, BROADBEAN_SIGNATURE_WINDOW_S } from './vendors/broadbean';
export type { FlatchrState } from './vendors/flatchr';
export { TALEEZ_UNKNOWN_ID_FROM } from './vendors/taleez';
export type { HrflowState, HrflowUpdate } from './vendors/hrflow';
export { DEFAULT_CREDENTIALS } from './types';
export type { Fault, FaultMode } from './faults';
export { FAULT_MODES } from './faults';
export type { SandboxState, VendorState, VendorId, StoredCandidate, StoredAttachment, Rejection } from './state';
export { validateAgainstSpec, getSpecRegistry, resolveSpecsDir, DEFAULT_SPECS_DIR, SpecRegistry, openApiToJsonSchema, type SpecValidationResult } from './spec';
export { isPdf, isDocx, makePdf, makeDocx, makeZip, crc32, PDF_CONTENT_TYPE, DOCX_CONTENT_TYPE } from './documents';
export { parseMultipart, getBoundary, type MultipartPart } from './multipart';
export { SANDBOX_SOURCE_KEY, SANDBOX_SOURCE_ALIAS, SANDBOX_PROFILE_ALIASES, DEFAULT_FIXTURES_DIR, syntheticProfile, type Profile, type ProfileRef, type AddProfileOptions } from './profiles';
export type { VendorModule, SandboxCore, RequestContext } from './server';

export interface SandboxUrls {
  /** `${url}/v1` — HrFlow base URL (like https://api.hrflow.ai/v1). */
  hrflow: string;
  /** `${url}/smartrecruiters` — like https://api.smartrecruiters.com. */
  smartrecruiters: string;
  /** `${url}/recruitee/c` — like https://api.recruitee.com/c (the company id follows). */
  recruitee: string;
  /** `${url}/broadbean` — like https://candidatehub.adcourier.com (POST /candidate). */
  broadbean: string;
  /** `${url}/flatchr/careers` — like https://careers.flatchr.io (POST /vacancy/candidate/json). */
  flatchr: string;
  /** `${url}/flatchr/api` — like https://api.flatchr.io (POST /company/{companyId}/search/applicants). */
  flatchrApi: string;
  /** `${url}/taleez/0` — like https://api.taleez.com/0. */
  taleez: string;
  /** `${url}/files` — CV downloads. */
  files: string;
  [vendor: string]: string;
}

export interface Sandbox {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  credentials: SandboxCredentials;
  urls: SandboxUrls;
  /** Live view of what each vendor received (same object for the sandbox's whole life). */
  state: SandboxState;
  /** Source key holding the fixtures and the generated profiles. */
  sourceKey: string;
  setFault(vendor: VendorId, fault: Fault | null): void;
  /** Clears recorded traffic, counters, stored candidates, faults and rate-limit windows. Profiles are kept. */
  reset(): void;
  /** Adds (or replaces, same key) an HrFlow profile. A missing `key` gets a deterministic one. */
  addProfile(sourceKey: string, profile: any, options?: AddProfileOptions): void;
  profileKeys(): { source_key: string; key: string }[];
  /** Adds `count` small generated profiles, created `stepSeconds` apart from `createdAt` (POST /__admin/hrflow/profiles). Returns their keys. */
  addProfiles(count: number, options?: { sourceKey?: string; createdAt?: string | Date; stepSeconds?: number; prefix?: string }): string[];
  /** Sets a profile's updated_at (an edit in HrFlow). */
  touchProfile(sourceKey: string, key: string, updatedAt: string | Date): boolean;
  /** The profile as GET /v1/profile/indexing would return it (attachment URLs rewritten), or null. */
  getProfile(sourceKey: string, key: string): Profile | null;
  /** Resolves when background work (Recruitee CV downloads) started so far is done. */
  settled(): Promise<void>;
  /** Closes the server, destroys open (keep-alive) sockets, clears timers, aborts downloads. Idempotent. */
  close(): Promise<void>;
}

type VendorFactory = (core: SandboxCore, profiles: ProfileStore) => VendorModule;

/** Emulated vendors, in registration order. */
export const VENDOR_FACTORIES: VendorFactory[] = [
  (core, profiles) => createHrflow(core, profiles),
  (core, profiles) => createFiles(core, profiles),
  (core) => createSmartRecruiters(core),
  (core) => createRecruitee(core),
  (core) => createBroadbean(core),
  (core) => createFlatchr(core),
  (core) => createTaleez(core),
];

/** Vendors whose spec must load at start (fail fast). */
const REQUIRED_SPECS = ['hrflow', 'smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez'];

export function resolveOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const specsDir = resolveSpecsDir(options.specsDir);
  const fixturesDir = options.fixturesDir ?? DEFAULT_FIXTURES_DIR;
  const sr = options.rateLimits?.smartrecruiters;
  const taleez = checkWindow('taleez', options.rateLimits?.taleez) ?? { perMinute: 100 };
  const flatchr = checkWindow('flatchr', options.rateLimits?.flatchr);
  if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('sandbox: now must be a function');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`sandbox: invalid port ${options.port}`);
  const generated = options.generatedProfiles ?? 20;
  if (!Number.isInteger(generated) || generated < 0) throw new RangeError('sandbox: generatedProfiles must be an integer >= 0');
  return {
    port,
    host: '127.0.0.1',
    specsDir,
    fixturesDir: resolvePath(fixturesDir),
    credentials: { ...DEFAULT_CREDENTIALS, ...stripUndefined(options.credentials ?? {}) },
    rateLimits: {
      ...options.rateLimits,
      smartrecruiters: { perSecond: sr?.perSecond ?? 10, concurrent: sr?.concurrent ?? 8 },
      taleez,
      ...(flatchr ? { flatchr } : {}),
    },
    now: options.now ?? (() => Date.now()),
    generatedProfiles: generated,
    quiet: options.quiet ?? true,
    logger: options.logger ?? ((line: string) => console.log(line)),
  };
}

/** Checks a sliding-window limit option (`perMinute` / `perSecond`, integers >= 0; 0 = no limit). */
function checkWindow(vendor: string, w: WindowRateLimitOptions | undefined): WindowRateLimitOptions | undefined {
  if (w === undefined || w === null) return undefined;
  if (typeof w !== 'object') throw new TypeError(`sandbox: rateLimits.${vendor} must be an object`);
  for (const k of ['perMinute', 'perSecond'] as const) {
    const n = w[k];
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new RangeError(`sandbox: rateLimits.${vendor}.${k} must be an integer >= 0`);
  }
  return { ...(w.perMinute !== undefined ? { perMinute: w.perMinute } : {}), ...(w.perSecond !== undefined ? { perSecond: w.perSecond } : {}) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Starts a sandbox on 127.0.0.1 (ephemeral port by default). */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const opts = resolveOptions(options);
  const specs = getSpecRegistry(opts.specsDir);
  for (const v of REQUIRED_SPECS) specs.load(v);

  const core = new SandboxServer(opts, specs);
  const profiles = new ProfileStore(() => core.url);
  try {
    profiles.loadFixtures(opts.fixturesDir);
  } catch (e) {
    throw new Error(
      `sandbox: cannot load HrFlow fixtures from ${opts.fixturesDir} (${(e as Error).message}); run \`npm run build\` (it copies fixtures/hrflow) or pass fixturesDir`,
    );
  }
  profiles.addGenerated(opts.generatedProfiles);
  for (const f of VENDOR_FACTORIES) core.register(f(core, profiles));
  addWebhookRoutes(core, profiles);

  await core.listen(opts.port);

  const url = core.url;
  const urls: SandboxUrls = {
    hrflow: `${url}/v1`,
    smartrecruiters: `${url}/smartrecruiters`,
    recruitee: `${url}/recruitee/c`,
    broadbean: `${url}/broadbean`,
    flatchr: `${url}/flatchr/careers`,
    flatchrApi: `${url}/flatchr/api`,
    taleez: `${url}/taleez/0`,
    files: `${url}/files`,
  };
  for (const m of core.modules) if (!(m.id in urls)) urls[m.id] = m.baseUrl();

  return {
    url,
    port: core.port,
    credentials: { ...opts.credentials },
    urls,
    state: core.state,
    sourceKey: SANDBOX_SOURCE_KEY,
    setFault: (vendor, fault) => core.setFault(vendor, fault),
    reset: () => core.reset(),
    addProfile: (sourceKey, profile, o) => {
      profiles.add(sourceKey, profile, o);
    },
    profileKeys: () => profiles.keys(),
    addProfiles: (count, o = {}) =>
      profiles.addMany(profiles.source(o.sourceKey ?? SANDBOX_SOURCE_KEY), count, {
        start: o.createdAt === undefined ? opts.now() : new Date(o.createdAt).getTime(),
        stepMs: (o.stepSeconds ?? 60) * 1000,
        prefix: o.prefix,
      }),
    touchProfile: (sourceKey, key, updatedAt) => profiles.touch(sourceKey, key, new Date(updatedAt)),
    getProfile: (sourceKey, key) => profiles.find(sourceKey, { key }),
    settled: () => core.settled(),
    close: () => core.close(),
  };
}
