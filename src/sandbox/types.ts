/** Public option and credential types of the sandbox. */

export interface RateLimitOptions {
  /** Requests accepted per sliding 1-second window, per credential. */
  perSecond: number;
  /** Requests in flight at once, per credential. */
  concurrent: number;
}

/**
 * Sliding-window limit per credential (Taleez: per secret, Flatchr create route: per API key).
 * Set one of the two; `0` (or leaving both unset) means no limit.
 */
export interface WindowRateLimitOptions {
  /** Requests accepted per sliding 60-second window. */
  perMinute?: number;
  /** Requests accepted per sliding 1-second window. */
  perSecond?: number;
}

/** Rate limits per emulated vendor. */
export interface SandboxRateLimits {
  /** Default 10 req/s sliding window and 8 concurrent, per X-SmartToken. */
  smartrecruiters?: RateLimitOptions;
  /** Default 100 requests/minute per `X-taleez-api-secret` (sliding window), 429 above. */
  taleez?: WindowRateLimitOptions;
  /** Flatchr careers create routes (`/vacancy/candidate/json|test`), per API key. Default: no limit (none documented). */
  flatchr?: WindowRateLimitOptions;
  [vendor: string]: RateLimitOptions | WindowRateLimitOptions | undefined;
}

export interface SandboxCredentials {
  /** HrFlow `X-API-KEY`. Default `ask_sandbox_0000000000000000000000000000`. */
  hrflowApiKey: string;
  /** HrFlow `X-USER-EMAIL`. Default `sandbox@example.com`. */
  hrflowUser: string;
  /** SmartRecruiters `X-SmartToken`. Default `sandbox-smart-token`. */
  smartToken: string;
  /** Recruitee `Authorization: Bearer …`. Default `sandbox-recruitee-token`. */
  recruiteeToken: string;
  /** Recruitee company id (`/c/{company_id}`). Default `sandbox`. */
  recruiteeCompany: string;
  /** Broadbean Candidate Hub HMAC secret (key of `X-CHUB-SIGNATURE`). Default `sandbox-broadbean-secret`. */
  broadbeanSecret: string;
  /** Broadbean `X-CHUB-SOURCE` / `transaction.source_id`. Default `sandbox-source`. */
  broadbeanSourceId: string;
  /** Broadbean `transaction.client_id`. Default `sandbox-client`. */
  broadbeanClientId: string;
  /** Flatchr API key (`Authorization: Bearer …` and/or body `token`). Default `sandbox-flatchr-key`. */
  flatchrApiKey: string;
  /** Flatchr company id (`/company/{companyId}/…` on the API host). Default `sandbox-company`. */
  flatchrCompany: string;
  /** Taleez `X-taleez-api-secret`. Default `sandbox-taleez-secret`. */
  taleezSecret: string;
}

export const DEFAULT_CREDENTIALS: Readonly<SandboxCredentials> = Object.freeze({
  hrflowApiKey: 'ask_sandbox_0000000000000000000000000000',
  hrflowUser: 'sandbox@example.com',
  smartToken: 'sandbox-smart-token',
  recruiteeToken: 'sandbox-recruitee-token',
  recruiteeCompany: 'sandbox',
  broadbeanSecret: 'sandbox-broadbean-secret',
  broadbeanSourceId: 'sandbox-source',
  broadbeanClientId: 'sandbox-client',
  flatchrApiKey: 'sandbox-flatchr-key',
  flatchrCompany: 'sandbox-company',
  taleezSecret: 'sandbox-taleez-secret',
});

export interface SandboxOptions {
  /** 0 (default) = ephemeral port. */
  port?: number;
  /** Always 127.0.0.1 (other values are ignored: the sandbox never listens on public interfaces). */
  host?: string;
  /** Folder holding `<vendor>/*.json` (OpenAPI). Default: the built-in copies (`specs/` beside the compiled sandbox, built from the repository's `specs/`). */
  specsDir?: string;
  /** Folder holding `profile_*.json`. Default: the built-in copies (`fixtures/hrflow/` beside the compiled sandbox, from the repository's `fixtures/hrflow/`). */
  fixturesDir?: string;
  credentials?: Partial<SandboxCredentials>;
  rateLimits?: SandboxRateLimits;
  /**
   * Wall clock in milliseconds since the epoch (default `Date.now`). Used where a vendor checks time
   * (Broadbean's ±5-minute signature window), so tests can pin it (e.g. to the doc's test vector).
   */
  now?: () => number;
  /** Synthetic HrFlow profiles added to the three fixtures. Default 20. */
  generatedProfiles?: number;
  /** No request log. Default true for createSandbox(); the CLI logs unless --quiet. */
  quiet?: boolean;
  /** Where log lines go (default: console.log). */
  logger?: (line: string) => void;
}

export interface ResolvedSandboxOptions {
  port: number;
  host: '127.0.0.1';
  specsDir: string;
  fixturesDir: string;
  credentials: SandboxCredentials;
  rateLimits: SandboxRateLimits & { smartrecruiters: RateLimitOptions; taleez: WindowRateLimitOptions };
  now: () => number;
  generatedProfiles: number;
  quiet: boolean;
  logger: (line: string) => void;
}
