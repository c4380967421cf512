/**
 * Taleez.
 *
 * Request plan (each step only after the previous one succeeded):
 *   0. the CV (the profile's `resume` attachment, else `original`) downloaded and checked first:
 *      Taleez takes PDF only, another type is INVALID_PROFILE and nothing is created
 *   1. POST {base_url}/candidates with X-taleez-api-secret (JSON candidateToCreate) → {id}
 *   2. the CV uploaded with POST {base_url}/documents?candidateId={id}&cv=true as a multipart
 *      `file` with its real content type
 *   3. POST {base_url}/candidates/{id}/jobs {ids: [job_id]} when a job id is given
 *   4. POST {base_url}/candidates/{id}/pools {ids: pool_ids} when pool ids are given
 * A failure after step 1 is a PARTIAL_PUSH error naming the step and carrying the candidate id.
 * Taleez allows 100 requests per minute: one limiter per account.
 *
 * Fixes over the Python reference (reference-spec §10): `socialLinks` (T8), `recruiterId` sent (T4),
 * two-letter countries converted with the real table (T5), `lang` only FR/EN (T8), the CV's real
 * content type (T6), no crash on a profile without CV (T6/E4), later-step failures reported (T7).
 */
import { toAlpha2 } from '../core/countries';
import { createOnce, expectJsonObject } from '../push/create';
import { ConnectorError, ErrorCodes, partialPush } from '../core/errors';
import { downloadCv, multipartBody, type CvFile, type CvKind } from '../push/files';
import { payloadValidator } from '../core/validate';
import { compact, coordinates, locationFields, text, urlOfType, type HrflowProfile } from '../hrflow/profile';
import { createStep, joinUrl, type PushContext, type PushResult, type PushStep, type VendorModule } from './types';

export const TALEEZ_DEFAULT_BASE_URL = 'https://api.taleez.com/0';

export interface TaleezConfig {
  x_taleez_api_secret: string;
  base_url?: string;
}

export interface TaleezParams {
  recruiter_id?: number;
  job_id?: number;
  pool_ids?: number[];
}

export interface TaleezCandidate {
  firstName?: string;
  lastName?: string;
  mail?: string;
  phone?: string;
  initialReferrer?: string;
  lang?: 'FR' | 'EN';
  recruiterId?: number;
  socialLinks?: Record<string, string>;
  location?: Record<string, unknown>;
  [key: string]: unknown;
}

const SOCIAL_TYPES = ['linkedin', 'viadeo', 'twitter', 'github', 'behance', 'other', 'website', 'dribble'] as const;

/** candidateToCreate of Taleez's own OpenAPI 0.4.0, plus the `location` the current API accepts. */
export const taleezSchema = {
  type: 'object',
  required: ['firstName', 'lastName'],
  additionalProperties: false,
  properties: {
    firstName: { type: 'string', minLength: 1 },
    lastName: { type: 'string', minLength: 1 },
    mail: { type: 'string', format: 'email' },
    phone: { type: 'string' },
    initialReferrer: { type: 'string' },
    lang: { type: 'string', enum: ['FR', 'EN'] },
    recruiterId: { type: 'integer' },
    unitId: { type: 'integer' },
    socialLinks: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(SOCIAL_TYPES.map((t) => [t, { type: 'string' }])),
    },
    location: {
      type: 'object',
      additionalProperties: false,
      properties: {
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
        lat: { type: 'number', minimum: -90, maximum: 90 },
        lng: { type: 'number', minimum: -180, maximum: 180 },
        city: { type: 'string' },
        postalCode: { type: 'string' },
        street: { type: 'string' },
        streetNumber: { type: 'string' },
      },
    },
    // candidatePropertyParameter, as Taleez checks each item.
    properties: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'integer' },
          value: { type: 'string' },
          choices: { type: 'array', items: { type: 'integer' } },
          starValues: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, value: { type: 'integer' } } } },
          documentId: { type: 'integer' },
          appendChoices: { type: 'boolean' },
        },
      },
    },
  },
} as const;

/** A positive integer id from a number or a numeric string; undefined when empty; INVALID_CONFIG otherwise. */
export function parseId(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) return undefined;
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(String(value)) ? Number(String(value).trim()) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    let shown: string;
    try {
      shown = JSON.stringify(value) ?? String(value);
    } catch {
      shown = typeof value;
    }
    // Cut: msg.job_id may be megabytes long.
    if (shown.length > 40) shown = `${shown.slice(0, 39)}… (${shown.length} characters)`;
    throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `Taleez ${what} must be a whole number, got ${shown}`, { vendor: 'taleez' });
  }
  return n;
}

/** A list of ids from "1, 2", [1, "2"] or 3. */
export function parseIds(value: unknown, what: string): number[] {
  if (value === undefined || value === null || value === '') return [];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,;]+/).filter(Boolean) : [value];
  return [...new Set(list.map((v) => parseId(v, what) as number).filter((v) => v !== undefined))];
}

/** HrFlow's text_language as Taleez's lang: only FR and EN exist; anything else is left to Taleez's default. */
function lang(value: unknown): 'FR' | 'EN' | undefined {
  const l = text(value)?.slice(0, 2).toUpperCase();
  return l === 'FR' || l === 'EN' ? l : undefined;
}

export function taleezPayload(profile: HrflowProfile, params: TaleezParams = {}): TaleezCandidate {
  const info = profile.info ?? {};
  const loc = info.location ?? undefined;
  const fields = locationFields(loc);
  const socialLinks: Record<string, string> = {};
  for (const t of SOCIAL_TYPES) {
    const u = urlOfType(profile, t) ?? (t === 'website' ? urlOfType(profile, 'from_resume') : undefined);
    if (u) socialLinks[t] = u;
  }
  return compact<TaleezCandidate>({
    firstName: text(info.first_name),
    lastName: text(info.last_name),
    mail: text(info.email),
    phone: text(info.phone),
    initialReferrer: text(profile.source?.name) ? `HrFlow: ${text(profile.source?.name)}` : 'HrFlow',
    lang: lang(profile.text_language),
    recruiterId: params.recruiter_id,
    socialLinks,
    location: {
      country: toAlpha2(fields.country),
      ...coordinates(loc),
      city: text(fields.city),
      postalCode: text(fields.postcode),
      street: text(fields.road),
      streetNumber: text(fields.house_number),
    },
  });
}

/** Taleez takes PDF CVs only: any other document is INVALID_PROFILE before the create. */
const TALEEZ_CV_TYPES: readonly CvKind[] = ['pdf'];

export const taleez: VendorModule<TaleezConfig, TaleezParams, TaleezCandidate> = {
  id: 'taleez',
  label: 'Taleez',
  // Documented: 100 requests per minute.
  rateLimit: { perWindow: 100, windowMs: 60_000 },
  // None documented; if Taleez sends X-RateLimit-* they count in its own minute window, never per second.
  rateHeaders: (h) => ({ perWindow: h.limit, exhausted: h.remaining === 0, pauseMs: h.remaining === 0 ? h.resetMs : undefined }),
  secrets: (config) => [config.x_taleez_api_secret],
  secretHeaders: ['X-taleez-api-secret'],
  checkConfig(config, params) {
    if (!text(config.x_taleez_api_secret)) {
      throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the Taleez API secret is missing in the account', { vendor: 'taleez' });
    }
    if (params.recruiter_id === undefined) {
      throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'no Taleez recruiter id: set it in the node or msg.recruiter_id', { vendor: 'taleez' });
    }
  },
  cvTypes: TALEEZ_CV_TYPES,
  defaultPayload: (profile, params) => taleezPayload(profile, params),
  validate: payloadValidator('Taleez', taleezSchema as unknown as Record<string, unknown>, {
    firstName: 'info.first_name',
    lastName: 'info.last_name',
    mail: 'info.email',
    'location.country': 'info.location.fields.country',
  }),
  async push(ctx, payload): Promise<PushResult> {
    const base = ctx.config.base_url || TALEEZ_DEFAULT_BASE_URL;
    const auth = { 'X-taleez-api-secret': ctx.config.x_taleez_api_secret };
    const body = { ...payload };
    if (body.recruiterId === undefined && ctx.params.recruiter_id !== undefined) body.recruiterId = ctx.params.recruiter_id;
    // The CV is fetched and checked (PDF only) before the create: a CV that cannot be sent creates nothing.
    const cv = await downloadCv(ctx, TALEEZ_CV_TYPES, 'Taleez');
    try {
      const created = await createOnce<{ id?: string | number }>(
        ctx.http,
        { method: 'POST', url: joinUrl(base, 'candidates'), headers: { ...auth, 'Content-Type': 'application/json' }, data: body, step: 'create' },
        { readId: (d) => d.id, lookup: body.mail ? () => findByMail(ctx, base, body.mail as string) : undefined },
      );
      const candidateId = created.candidateId as string;
      const steps: PushStep[] = [createStep(created)];
      try {
        steps.push(await uploadCv(ctx, base, candidateId, cv));
        cv?.release();
        if (ctx.params.job_id !== undefined) steps.push(await assign(ctx, base, candidateId, 'jobs', [ctx.params.job_id]));
        if (ctx.params.pool_ids?.length) steps.push(await assign(ctx, base, candidateId, 'pools', ctx.params.pool_ids));
      } catch (err) {
        throw partialPush(err, 'Taleez', candidateId);
      }
      return { candidateId, response: created.response?.data ?? { id: candidateId, recovered: true }, statusCode: created.response?.status, steps };
    } finally {
      cv?.release();
    }
  },
};

/** After a lost answer: Taleez's mail is unique per company, so a candidate with it is the one just created. */
async function findByMail(ctx: PushContext<TaleezConfig, TaleezParams>, base: string, mail: string): Promise<string | undefined> {
  const res = await ctx.http.request<{ list?: Array<{ id?: number | string; mail?: string }> }>({
    method: 'GET',
    url: joinUrl(base, 'candidates'),
    params: { mail },
    headers: { 'X-taleez-api-secret': ctx.config.x_taleez_api_secret },
    step: 'lookup',
  });
  const found = (res.data?.list ?? []).find((c) => c.mail?.toLowerCase() === mail.toLowerCase());
  return found?.id === undefined || found.id === null ? undefined : String(found.id);
}

async function uploadCv(ctx: PushContext<TaleezConfig, TaleezParams>, base: string, candidateId: string, cv: CvFile | undefined): Promise<PushStep> {
  if (!cv) return { step: 'upload_cv', status: 'skipped', detail: 'the profile has no resume or original attachment' };
  const form = multipartBody([{ name: 'file', value: cv.data, fileName: cv.fileName, contentType: cv.contentType }]);
  const res = await ctx.http.request({
    method: 'POST',
    url: joinUrl(base, 'documents'),
    params: { candidateId, cv: true },
    headers: { 'X-taleez-api-secret': ctx.config.x_taleez_api_secret, 'Content-Type': form.contentType },
    data: form.data,
    step: 'upload_cv',
  });
  expectJsonObject(ctx.http, res, 'upload_cv');
  return { step: 'upload_cv', status: 'done', statusCode: res.status, detail: cv.fileName };
}

async function assign(
  ctx: PushContext<TaleezConfig, TaleezParams>,
  base: string,
  candidateId: string,
  kind: 'jobs' | 'pools',
  ids: number[],
): Promise<PushStep> {
  const res = await ctx.http.request({
    method: 'POST',
    url: joinUrl(base, 'candidates', encodeURIComponent(candidateId), kind),
    headers: { 'X-taleez-api-secret': ctx.config.x_taleez_api_secret, 'Content-Type': 'application/json' },
    data: { ids },
    // Adding to a job or pool twice does not duplicate anything: safe to repeat.
    idempotent: true,
    step: kind === 'jobs' ? 'add_to_job' : 'add_to_pools',
  });
  return { step: kind === 'jobs' ? 'add_to_job' : 'add_to_pools', status: 'done', statusCode: res.status, detail: ids.join(', ') };
}
