/**
 * Broadbean / Veritone Hire Candidate Hub ("Sending a Candidate In").
 *
 * Request plan: POST {base_url}/candidate, JSON {transaction, candidate, context}, signed on every
 * attempt (retries included) with X-CHUB-SIGNATURE-TIME (epoch seconds), X-CHUB-SOURCE and
 * X-CHUB-SIGNATURE = hex HMAC-SHA256 of "{source_id}|{epoch}" keyed by the secret. The CV (the
 * profile's `resume` attachment, else `original`) is downloaded and sent base64 in
 * candidate.documents[] with type "cv" and its real file name. Success needs `success == 1` in the
 * JSON answer; the answer's transaction id is the only handle Broadbean returns.
 *
 * Fixes over the Python reference (reference-spec §10, B2–B7): the right header names and signed
 * string, `documents` with the real bytes and file name and type "cv", only one CV, `name` and
 * first/last names sent, no "Udefined"/"Undefined"/0 placeholders (absent data is omitted), ISO-2
 * country, coordinates as strings, a non-JSON answer reported instead of crashing.
 */
import { createHmac } from 'node:crypto';
import { toAlpha2 } from '../core/countries';
import { createOnce } from '../push/create';
import { ConnectorError, ErrorCodes } from '../core/errors';
import { base64Marker, downloadCv, jsonWithBase64, type CvFile, type CvKind } from '../push/files';
import { payloadValidator } from '../core/validate';
import { compact, coordinates, isoDate, locationFields, text, type HrflowProfile } from '../hrflow/profile';
import { joinUrl, type PushResult, type VendorModule } from './types';

export const BROADBEAN_DEFAULT_BASE_URL = 'https://candidatehub.adcourier.com';

export interface BroadbeanConfig {
  secret_key: string;
  source_id: string;
  client_id: string;
  base_url?: string;
}

export interface BroadbeanParams {
  job_id: string;
  shortlist_id?: string;
  aplitrak_email_address?: string;
}

export interface BroadbeanDocument {
  filename: string;
  type: string;
  content: string;
}

export interface BroadbeanPayload {
  candidate: {
    name?: string;
    first_name?: string;
    last_name?: string;
    email?: string;
    contact_telephone?: string;
    mobile_telephone?: string;
    location_city?: string;
    location_country?: string;
    location_postcode?: string;
    location_latitude?: string;
    location_longitude?: string;
    current_job_title?: string;
    current_job_employer?: string;
    current_job_startdate?: string;
    documents?: BroadbeanDocument[];
    [key: string]: unknown;
  };
  context?: { id?: string; shortlist_id?: string; aplitrak_email_address?: string };
  [key: string]: unknown;
}

const STR = { type: 'string', minLength: 1 };

/** SendCandidateRequest (without `transaction`, which comes from the account at send time). */
export const broadbeanSchema = {
  type: 'object',
  required: ['candidate'],
  properties: {
    candidate: {
      type: 'object',
      required: ['name', 'email'],
      properties: {
        name: STR,
        first_name: STR,
        last_name: STR,
        email: { type: 'string', format: 'email' },
        contact_telephone: STR,
        mobile_telephone: STR,
        location_city: STR,
        location_country: STR,
        location_postcode: STR,
        location_latitude: STR,
        location_longitude: STR,
        current_job_title: STR,
        current_job_employer: STR,
        current_job_startdate: STR,
        documents: {
          type: 'array',
          items: {
            type: 'object',
            required: ['filename', 'type', 'content'],
            // Candidate Hub takes PDF and DOCX files, named so, their bytes base64.
            properties: { filename: { type: 'string', pattern: '\\.(?:[Pp][Dd][Ff]|[Dd][Oo][Cc][Xx])$' }, type: STR, content: { type: 'string', minLength: 1, format: 'byte' } },
          },
        },
      },
    },
    context: {
      type: 'object',
      properties: { id: STR, shortlist_id: STR, aplitrak_email_address: STR },
    },
  },
} as const;

/** Lowercase hex HMAC-SHA256 of "{source_id}|{epoch}" keyed by the secret. */
export function broadbeanSignature(secret: string, sourceId: string, epochSeconds: number): string {
  return createHmac('sha256', secret).update(`${sourceId}|${epochSeconds}`, 'utf8').digest('hex');
}

/** The three signing headers for one attempt. `now` is injectable for tests. */
export function broadbeanHeaders(config: BroadbeanConfig, now: () => number = Date.now): Record<string, string> {
  const epoch = Math.floor(now() / 1000);
  return {
    'X-CHUB-SIGNATURE-TIME': String(epoch),
    'X-CHUB-SOURCE': config.source_id,
    'X-CHUB-SIGNATURE': broadbeanSignature(config.secret_key, config.source_id, epoch),
  };
}

function asString(n: number | undefined): string | undefined {
  return n === undefined ? undefined : String(n);
}

export function broadbeanPayload(profile: HrflowProfile, params: Partial<BroadbeanParams> = {}): BroadbeanPayload {
  const info = profile.info ?? {};
  const loc = info.location ?? undefined;
  const point = coordinates(loc);
  const fields = locationFields(loc);
  const first = text(info.first_name);
  const last = text(info.last_name);
  const experiences = Array.isArray(profile.experiences) ? profile.experiences : [];
  const current = experiences.find((e) => e && !text(e.date_end) && (text(e.title) || text(e.company)));
  const phone = text(info.phone);
  return compact({
    candidate: {
      name: text(info.full_name) ?? ([first, last].filter(Boolean).join(' ') || undefined),
      first_name: first,
      last_name: last,
      email: text(info.email),
      contact_telephone: phone,
      mobile_telephone: phone,
      location_city: text(fields.city),
      location_country: toAlpha2(fields.country),
      location_postcode: text(fields.postcode),
      location_latitude: asString(point.lat),
      location_longitude: asString(point.lng),
      current_job_title: text(current?.title),
      current_job_employer: text(current?.company),
      current_job_startdate: isoDate(current?.date_start),
    },
    context: {
      id: text(params.job_id),
      shortlist_id: text(params.shortlist_id),
      aplitrak_email_address: text(params.aplitrak_email_address),
    },
  });
}

/** CV documents Candidate Hub takes (read from the bytes; anything else is INVALID_PROFILE before the create). */
const BROADBEAN_CV_TYPES: readonly CvKind[] = ['pdf', 'docx'];

export const broadbean: VendorModule<BroadbeanConfig, BroadbeanParams, BroadbeanPayload> = {
  id: 'broadbean',
  label: 'Broadbean',
  secrets: (config) => [config.secret_key],
  // The signature is valid five minutes: as good as the secret.
  secretHeaders: ['X-CHUB-SIGNATURE'],
  checkConfig(config, params) {
    for (const [key, label] of [['secret_key', 'secret key'], ['source_id', 'source id'], ['client_id', 'client id']] as const) {
      if (!text(config[key])) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `the Broadbean ${label} is missing in the account`, { vendor: 'broadbean' });
    }
    if (!text(params.job_id)) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'no Broadbean job id: set it in the node or msg.job_id', { vendor: 'broadbean' });
  },
  cvTypes: BROADBEAN_CV_TYPES,
  defaultPayload: (profile, params) => broadbeanPayload(profile, params),
  validate: payloadValidator('Broadbean', broadbeanSchema as unknown as Record<string, unknown>, {
    'candidate.name': 'info.full_name',
    'candidate.email': 'info.email',
  }),
  async push(ctx, payload): Promise<PushResult> {
    const base = ctx.config.base_url || BROADBEAN_DEFAULT_BASE_URL;
    const candidate = { ...payload.candidate };
    let cv: CvFile | undefined;
    const marker = base64Marker();
    if (!candidate.documents) {
      cv = await downloadCv(ctx, BROADBEAN_CV_TYPES, 'Broadbean');
      if (cv) candidate.documents = [{ filename: cv.fileName, type: 'cv', content: marker }];
    }
    let created;
    try {
      const context = compact({
        id: payload.context?.id ?? text(ctx.params.job_id),
        shortlist_id: payload.context?.shortlist_id ?? text(ctx.params.shortlist_id),
        aplitrak_email_address: payload.context?.aplitrak_email_address ?? text(ctx.params.aplitrak_email_address),
      });
      const body = {
        ...payload,
        transaction: { client_id: ctx.config.client_id, source_id: ctx.config.source_id },
        candidate,
        context,
      };
      // The CV goes base64 inside the JSON: encoded straight into the body buffer (no full-size copies).
      const data = cv ? jsonWithBase64(body, marker, cv.data) : body;
      // Candidate Hub offers no lookup: a lost answer is reported as OUTCOME_UNKNOWN, never re-sent.
      created = await createOnce<{ success?: number | string; transaction_id?: string; error?: unknown }>(ctx.http, {
        method: 'POST',
        url: joinUrl(base, 'candidate'),
        headers: () => ({ ...broadbeanHeaders(ctx.config), 'Content-Type': 'application/json' }),
        data,
        step: 'create',
      });
    } finally {
      cv?.release();
    }
    const res = created.response as { status: number; data: unknown };
    const answer = res.data as { success?: number | string; transaction_id?: string; error?: unknown } | undefined;
    if (!answer || typeof answer !== 'object') {
      throw new ConnectorError(
        ErrorCodes.OUTCOME_UNKNOWN,
        'Broadbean answered with something that is not JSON: the candidate may or may not have been received. ' +
          'It was not sent again, to avoid a duplicate: check Candidate Hub before pushing this profile again.',
        { vendor: 'broadbean', statusCode: res.status, step: 'create', outcomeUnknown: true, vendorMessage: ctx.http.redact.excerpt(answer) },
      );
    }
    if (Number(answer.success) !== 1) {
      const vendorMessage = ctx.http.redact.excerpt(answer.error ?? answer);
      throw new ConnectorError(ErrorCodes.VENDOR_REJECTED, `Broadbean refused the candidate: ${vendorMessage}`, {
        vendor: 'broadbean',
        statusCode: res.status,
        step: 'create',
        vendorMessage,
      });
    }
    return {
      candidateId: answer.transaction_id,
      response: answer,
      statusCode: res.status,
      steps: [
        { step: 'create', status: 'done', statusCode: res.status },
        candidate.documents?.length
          ? { step: 'cv', status: 'done', detail: `sent in documents: ${candidate.documents.map((d) => d.filename).join(', ')}` }
          : { step: 'cv', status: 'skipped', detail: 'the profile has no resume or original attachment' },
      ],
    };
  },
};
