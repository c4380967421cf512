/**
 * HrFlow.ai API client: reads one profile (GET /profile/indexing) and updates some of its fields
 * (PUT /profile/indexing, used by the write-back: src/hrflow/writeback.ts), and lists a source's profiles
 * (GET /storing/profiles, paged: listProfiles, used by the hrflow-profiles source node).
 */
import { ConnectorError, ErrorCodes } from '../core/errors';
import { HttpClient, urlPath, type HttpOptions, type HttpRequest } from '../core/http';
import { Redactor } from '../core/redact';
import { isProfile, type HrflowProfile } from './profile';

export const HRFLOW_DEFAULT_BASE_URL = 'https://api.hrflow.ai/v1';

export interface HrflowCredentials {
  /** X-API-KEY */
  api_secret: string;
  /** X-USER-EMAIL */
  api_user: string;
  base_url?: string;
}

export type HrflowClientOptions = Omit<HttpOptions, 'vendor' | 'redactor' | 'secretHeaders' | 'rateHeaders' | 'baseUrl' | 'headers'>;

/** The headers that carry an HrFlow secret: X-API-KEY (X-USER-EMAIL is not one). */
export const HRFLOW_SECRET_HEADERS: readonly string[] = ['X-API-KEY'];

/** An http(s) URL: a scheme, a host, then an optional path. */
const HTTP_URL = /^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i;

/** Throws INVALID_CONFIG when the account lacks its secret or user email, or its base URL is not http(s). */
export function checkHrflowCredentials(creds: HrflowCredentials): void {
  if (!creds.api_secret) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the HrFlow API secret is missing', { vendor: 'hrflow' });
  if (!creds.api_user) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the HrFlow user email is missing', { vendor: 'hrflow' });
  const base = hrflowBaseUrl(creds);
  if (!HTTP_URL.test(base)) {
    throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the HrFlow base URL is not an http(s) URL', { vendor: 'hrflow' });
  }
}

/** The account's base URL (the default when blank), without trailing slashes. */
export function hrflowBaseUrl(creds: HrflowCredentials): string {
  return (String(creds.base_url ?? '').trim() || HRFLOW_DEFAULT_BASE_URL).replace(/\/+$/, '');
}

/** Where an HrFlow account's requests go and how they authenticate (an HttpClient is bound to it). */
export function hrflowConnection(creds: HrflowCredentials): { baseUrl: string; headers: Record<string, string> } {
  return { baseUrl: hrflowBaseUrl(creds), headers: { 'X-API-KEY': creds.api_secret, 'X-USER-EMAIL': creds.api_user } };
}

/** The account's secret values, for redaction. */
export function hrflowSecrets(creds: HrflowCredentials): string[] {
  return [creds.api_secret].filter(Boolean);
}

/**
 * An HttpClient bound to an HrFlow account (base URL, X-API-KEY / X-USER-EMAIL), redacting its secret.
 * Checks the account first (INVALID_CONFIG). HrFlow's rate headers are not read (no limiter).
 */
export function hrflowHttp(creds: HrflowCredentials, options: HrflowClientOptions = {}): HttpClient {
  checkHrflowCredentials(creds);
  return new HttpClient({
    ...options,
    ...hrflowConnection(creds),
    vendor: 'hrflow',
    redactor: new Redactor(hrflowSecrets(creds)),
    secretHeaders: [...HRFLOW_SECRET_HEADERS],
  });
}

/** HrFlow's answer envelope `{code, message, data?}`. */
export interface HrflowEnvelope {
  code?: number;
  message?: string;
  data?: unknown;
}

/**
 * The envelope of an answer, checked: not JSON is VENDOR_UNAVAILABLE (not the HrFlow API), a `code`
 * of 400 or more in a 2xx answer is AUTH_FAILED (401/403) or VENDOR_REJECTED.
 */
export function readEnvelope(http: HttpClient, body: unknown): HrflowEnvelope {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ConnectorError(ErrorCodes.VENDOR_UNAVAILABLE, 'HrFlow answered with something that is not JSON (is the base URL the HrFlow API?)', { vendor: 'hrflow' });
  }
  const envelope = body as HrflowEnvelope;
  const message = typeof envelope.message === 'string' ? envelope.message : '';
  if (typeof envelope.code === 'number' && envelope.code >= 400) {
    const excerpt = http.redact.excerpt(message);
    throw new ConnectorError(
      envelope.code === 401 || envelope.code === 403 ? ErrorCodes.AUTH_FAILED : ErrorCodes.VENDOR_REJECTED,
      `HrFlow answered ${envelope.code}: ${excerpt}`,
      { vendor: 'hrflow', statusCode: envelope.code, vendorMessage: excerpt },
    );
  }
  return envelope;
}

/** listProfiles's query: `GET /storing/profiles`. */
export interface ListProfilesQuery {
  /** The sources to list (sent JSON-encoded, as HrFlow wants). */
  sourceKeys: string[];
  /** 1-based page. */
  page?: number;
  /** Profiles per page (HrFlow's `limit`, default 30). */
  limit?: number;
  sortBy?: 'created_at' | 'updated_at';
  orderBy?: 'asc' | 'desc';
  /** HrFlow's date filters on created_at, `YYYY-MM-DD` (they count in whole days, UTC). */
  createdAtMin?: string;
  createdAtMax?: string;
  /** Full profiles (default true); false: HrFlow's summary (key, reference, dates, info). */
  returnProfile?: boolean;
}

/** One page of the listing. */
export interface ProfilePage {
  profiles: HrflowProfile[];
  page: number;
  /** Pages in all (HrFlow's meta.maxPage). */
  maxPage: number;
  /** Profiles in all (HrFlow's meta.total). */
  total: number;
}

export class HrflowClient {
  /** The client bound to the account (base URL and auth headers). */
  readonly http: HttpClient;

  constructor(creds: HrflowCredentials, options: HrflowClientOptions = {}) {
    this.http = hrflowHttp(creds, options);
  }

  /** Fetch one profile. Throws HRFLOW_NOT_FOUND when HrFlow cannot find it. */
  async getProfile(sourceKey: string, profileKey: string): Promise<HrflowProfile> {
    if (!sourceKey) throw new ConnectorError(ErrorCodes.INVALID_INPUT, 'no HrFlow source key (set it in the node or msg.source_key)', { vendor: 'hrflow' });
    if (!profileKey) throw new ConnectorError(ErrorCodes.INVALID_INPUT, 'no HrFlow profile key (set it in the node or msg.profile_key)', { vendor: 'hrflow' });
    const envelope = await this.indexing(sourceKey, profileKey, { method: 'GET', params: { source_key: sourceKey, key: profileKey }, step: 'get_profile' });
    if (!isProfile(envelope.data)) {
      throw new ConnectorError(ErrorCodes.VENDOR_UNAVAILABLE, 'HrFlow answered without a profile (no profile object in data)', { vendor: 'hrflow' });
    }
    return envelope.data as HrflowProfile;
  }

  /**
   * Update some fields of a stored profile (`PUT /profile/indexing` with `{source_key, key, ...fields}`):
   * HrFlow replaces each field given as a whole (a list too) and keeps the others. The same body sent twice
   * gives the same profile, so the request is retried like a read. Throws HRFLOW_NOT_FOUND when HrFlow
   * cannot find the profile, AUTH_FAILED / VENDOR_REJECTED / ... as getProfile. Answers the profile HrFlow
   * sends back, when it sends one.
   */
  async updateProfile(sourceKey: string, profileKey: string, fields: Record<string, unknown>): Promise<HrflowProfile | undefined> {
    if (!sourceKey) throw new ConnectorError(ErrorCodes.INVALID_INPUT, 'no HrFlow source key to update the profile in', { vendor: 'hrflow' });
    if (!profileKey) throw new ConnectorError(ErrorCodes.INVALID_INPUT, 'no HrFlow profile key to update', { vendor: 'hrflow' });
    const { source_key: _s, key: _k, ...rest } = fields;
    void _s;
    void _k;
    const envelope = await this.indexing(sourceKey, profileKey, {
      method: 'PUT',
      data: { source_key: sourceKey, key: profileKey, ...rest },
      idempotent: true,
      step: 'update_profile',
    });
    return isProfile(envelope.data) ? (envelope.data as HrflowProfile) : undefined;
  }

  /**
   * One page of a source's profiles (`GET /storing/profiles`): source_keys JSON-encoded, page, limit,
   * sort_by, order_by, created_at_min/max, return_profile. A read: retried like one.
   */
  async listProfiles(query: ListProfilesQuery): Promise<ProfilePage> {
    const keys = (query.sourceKeys ?? []).map((k) => String(k).trim()).filter(Boolean);
    if (!keys.length) throw new ConnectorError(ErrorCodes.INVALID_INPUT, 'no HrFlow source key to list (set source_keys in the node)', { vendor: 'hrflow' });
    const params: Record<string, string | number | boolean> = {
      source_keys: JSON.stringify(keys),
      page: Math.max(1, Math.floor(query.page ?? 1)),
      limit: Math.max(1, Math.floor(query.limit ?? 30)),
      sort_by: query.sortBy ?? 'created_at',
      order_by: query.orderBy ?? 'asc',
      return_profile: query.returnProfile ?? true,
    };
    if (query.createdAtMin) params.created_at_min = query.createdAtMin;
    if (query.createdAtMax) params.created_at_max = query.createdAtMax;
    const body = (await this.http.request({ method: 'GET', url: urlPath('storing', 'profiles'), params, step: 'list_profiles' })).data;
    const envelope = readEnvelope(this.http, body);
    if (!Array.isArray(envelope.data)) {
      throw new ConnectorError(ErrorCodes.VENDOR_UNAVAILABLE, 'HrFlow answered the profile listing without a list (no array in data)', { vendor: 'hrflow' });
    }
    const meta = ((body as { meta?: Record<string, unknown> }).meta ?? {}) as Record<string, unknown>;
    const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : d);
    return {
      profiles: envelope.data.filter(isProfile) as HrflowProfile[],
      page: num(meta.page, Number(params.page)),
      maxPage: num(meta.maxPage, Number(params.page)),
      total: num(meta.total, envelope.data.length),
    };
  }

  /** A request to `/profile/indexing` about one profile: HrFlow's "unable to find object" is HRFLOW_NOT_FOUND. */
  private async indexing(sourceKey: string, profileKey: string, request: Omit<HttpRequest, 'url'>): Promise<HrflowEnvelope> {
    let body: unknown;
    try {
      body = (await this.http.request({ ...request, url: urlPath('profile', 'indexing') })).data;
    } catch (err) {
      if (err instanceof ConnectorError && (err.statusCode === 400 || err.statusCode === 404) && /unable to find object/i.test(err.vendorMessage ?? '')) {
        throw notFound(sourceKey, profileKey, err);
      }
      throw err;
    }
    if (body && typeof body === 'object' && /unable to find object/i.test(String((body as HrflowEnvelope).message ?? ''))) {
      throw notFound(sourceKey, profileKey);
    }
    return readEnvelope(this.http, body);
  }
}

/** A key as an error shows it: cut to 64 characters (msg.profile_key may be kilobytes long). */
function shownKey(key: string): string {
  return key.length > 64 ? `${key.slice(0, 63)}… (${key.length} characters)` : key;
}

function notFound(sourceKey: string, profileKey: string, cause?: ConnectorError): ConnectorError {
  return new ConnectorError(
    ErrorCodes.HRFLOW_NOT_FOUND,
    `HrFlow has no profile with key "${shownKey(profileKey)}" in source "${shownKey(sourceKey)}"`,
    { vendor: 'hrflow', statusCode: cause?.statusCode ?? 400, vendorMessage: cause?.vendorMessage },
  );
}
