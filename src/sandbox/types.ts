/** Public option and credential types of the sandbox. */

export interface RateLimitOptions {
  /** Requests accepted per sliding 1-second window, per credential. */
  perSecond: number;
  /** Requests in flight at once, per credential. */
  concurrent: number;
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
}

export const DEFAULT_CREDENTIALS: Readonly<SandboxCredentials> = Object.freeze({
  hrflowApiKey: 'ask_sandbox_0000000000000000000000000000',
  hrflowUser: 'sandbox@example.com',
  smartToken: 'sandbox-smart-token',
  recruiteeToken: 'sandbox-recruitee-token',
  recruiteeCompany: 'sandbox',
});

export interface SandboxOptions {
  /** 0 (default) = ephemeral port. */
  port?: number;
  /** Always 127.0.0.1 (other values are ignored: the sandbox never listens on public interfaces). */
  host?: string;
  /** Folder holding `<vendor>/*.yaml`. Default `$HRFLOW_SHARED_DIR/vendor-specs`, else `<repo>/../shared/vendor-specs`. */
  specsDir?: string;
  /** Folder holding `profile_*.json`. Default `$HRFLOW_SHARED_DIR/fixtures/hrflow`, else `<repo>/../shared/fixtures/hrflow`. */
  fixturesDir?: string;
  credentials?: Partial<SandboxCredentials>;
  rateLimits?: { smartrecruiters?: RateLimitOptions; [vendor: string]: RateLimitOptions | undefined };
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
  rateLimits: { smartrecruiters: RateLimitOptions; [vendor: string]: RateLimitOptions | undefined };
  generatedProfiles: number;
  quiet: boolean;
  logger: (line: string) => void;
}
