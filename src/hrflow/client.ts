/**
 * HrFlow.ai API client: reads one profile (GET /profile/indexing).
 */
import { ConnectorError, ErrorCodes } from '../core/errors';
import { HttpClient, type HttpOptions } from '../core/http';
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

export type HrflowClientOptions = Omit<HttpOptions, 'vendor' | 'redactor' | 'secretHeaders' | 'rateHeaders'>;

export class HrflowClient {
  private readonly http: HttpClient;
  private readonly baseUrl: string;

  constructor(private readonly creds: HrflowCredentials, options: HrflowClientOptions = {}) {
    if (!creds.api_secret) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the HrFlow API secret is missing', { vendor: 'hrflow' });
    if (!creds.api_user) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the HrFlow user email is missing', { vendor: 'hrflow' });
    this.baseUrl = (creds.base_url || HRFLOW_DEFAULT_BASE_URL).replace(/\/+$/, '');
    // X-API-KEY is the secret; X-USER-EMAIL is not. HrFlow's rate headers are not read (no limiter).
    this.http = new HttpClient({ ...options, vendor: 'hrflow', redactor: new Redactor([creds.api_secret]), secretHeaders: ['X-API-KEY'] });
  }

  /** Fetch one profile. Throws HRFLOW_NOT_FOUND when HrFlow cannot find it. */
  async getProfile(sourceKey: string, profileKey: string): Promise<HrflowProfile> {
    if (!sourceKey) throw new ConnectorError(ErrorCodes.INVALID_INPUT, 'no HrFlow source key (set it in the node or msg.source_key)', { vendor: 'hrflow' });
    if (!profileKey) throw new ConnectorError(ErrorCodes.INVALID_INPUT, 'no HrFlow profile key (set it in the node or msg.profile_key)', { vendor: 'hrflow' });
    let body: unknown;
    try {
      const res = await this.http.request({
        method: 'GET',
        url: `${this.baseUrl}/profile/indexing`,
        params: { source_key: sourceKey, key: profileKey },
        headers: { 'X-API-KEY': this.creds.api_secret, 'X-USER-EMAIL': this.creds.api_user },
        step: 'get_profile',
      });
      body = res.data;
    } catch (err) {
      if (err instanceof ConnectorError && (err.statusCode === 400 || err.statusCode === 404) && /unable to find object/i.test(err.vendorMessage ?? '')) {
        throw notFound(sourceKey, profileKey, err);
      }
      throw err;
    }
    const envelope = body as { code?: number; message?: string; data?: unknown } | undefined;
    if (!envelope || typeof envelope !== 'object') {
      throw new ConnectorError(ErrorCodes.VENDOR_UNAVAILABLE, 'HrFlow answered with something that is not JSON', { vendor: 'hrflow' });
    }
    const message = typeof envelope.message === 'string' ? envelope.message : '';
    if (/unable to find object/i.test(message)) throw notFound(sourceKey, profileKey);
    if (typeof envelope.code === 'number' && envelope.code >= 400) {
      throw new ConnectorError(
        envelope.code === 401 || envelope.code === 403 ? ErrorCodes.AUTH_FAILED : ErrorCodes.VENDOR_REJECTED,
        `HrFlow answered ${envelope.code}: ${this.http.redact.excerpt(message)}`,
        { vendor: 'hrflow', statusCode: envelope.code, vendorMessage: this.http.redact.excerpt(message) },
      );
    }
    if (!isProfile(envelope.data)) {
      throw new ConnectorError(ErrorCodes.VENDOR_UNAVAILABLE, 'HrFlow answered without a profile (no profile object in data)', { vendor: 'hrflow' });
    }
    return envelope.data as HrflowProfile;
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
