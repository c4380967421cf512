/**
 * Flatchr.
 *
 * Request plan: POST {careers_url}/vacancy/candidate/json (or /vacancy/candidate/test in test
 * mode, Flatchr's documented dry run) with `Authorization: Bearer <key>` and the `token` the API
 * requires in the body. The CV goes as a link (`type: "link"`, the public URL of the profile's
 * `resume` attachment, else `original`), or, with the "document" CV mode, downloaded and sent base64
 * (`type: "document"`). Flatchr's answer has no candidate id; with `lookup_id` on, the node then
 * finds it with POST {base_url}/company/{company}/search/applicants by email and vacancy.
 *
 * Fixes over the Python reference (reference-spec §10, F1–F5): `urls` as the documented object
 * {facebook, linkedin, twitter, other} without empty values, no undocumented `source`, `type: "link"`
 * only with a real URL, the careers host configurable, https everywhere, no "Undefined" names, the id
 * lookup by email (not by last name alone).
 */
import { createOnce, createdSince, expectJsonObject } from '../push/create';
import { ConnectorError, ErrorCodes } from '../core/errors';
import { base64Marker, checkPayloadCvUrl, downloadCv, jsonWithBase64, type CvFile, type CvKind } from '../push/files';
import { payloadValidator } from '../core/validate';
import { compact, cvAttachment, text, urlOfType, urls, type HrflowProfile } from '../hrflow/profile';
import { createStep, joinUrl, type PushResult, type PushStep, type VendorModule } from './types';

export const FLATCHR_DEFAULT_CAREERS_URL = 'https://careers.flatchr.io';
export const FLATCHR_DEFAULT_BASE_URL = 'https://api.flatchr.io';

export interface FlatchrConfig {
  /** The API key. */
  auth: string;
  company: string;
  careers_url?: string;
  base_url?: string;
}

export interface FlatchrParams {
  /** The vacancy slug. */
  vacancy: string;
  /** Send to /vacancy/candidate/test (nothing is created). */
  test_mode?: boolean;
  /** "link" (default): the CV's public URL; "document": the file itself, base64. */
  cv_mode?: 'link' | 'document';
  /** After creating, look the applicant up by email to output its id. */
  lookup_id?: boolean;
}

export interface FlatchrPayload {
  vacancy?: string;
  firstname?: string;
  lastname?: string;
  email?: string;
  phone?: string;
  type?: 'link' | 'document';
  resume?: string | { data: string; fileName: string; contentType: string };
  comment?: string;
  urls?: { facebook?: string; linkedin?: string; twitter?: string; other?: string };
  [key: string]: unknown;
}

/** CandidateCreate (the `token` is added at send time and never shown in a msg). */
export const flatchrSchema = {
  type: 'object',
  required: ['vacancy', 'firstname', 'lastname', 'type', 'resume'],
  allOf: [
    {
      // Flatchr fetches a "link" resume itself: it must be an absolute http(s) URL (Flatchr refuses anything else).
      if: { required: ['type'], properties: { type: { const: 'link' } } },
      then: { properties: { resume: { type: 'string', format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s]' } } },
    },
    {
      // A "document" resume is the file itself, base64.
      if: { required: ['type'], properties: { type: { const: 'document' } } },
      then: { properties: { resume: { type: 'object', properties: { data: { type: 'string', format: 'byte' } } } } },
    },
  ],
  properties: {
    vacancy: { type: 'string', minLength: 1 },
    firstname: { type: 'string', minLength: 1 },
    lastname: { type: 'string', minLength: 1 },
    email: { type: 'string', format: 'email' },
    phone: { type: ['string', 'integer'] },
    type: { type: 'string', enum: ['link', 'document'] },
    resume: {
      oneOf: [
        { type: 'string', minLength: 1 },
        {
          type: 'object',
          required: ['data', 'fileName', 'contentType'],
          properties: { data: { type: 'string', minLength: 1 }, fileName: { type: 'string', minLength: 1 }, contentType: { type: 'string', minLength: 1 } },
        },
      ],
    },
    comment: { type: 'string' },
    offerer_id: { type: 'integer' },
    urls: {
      type: 'object',
      additionalProperties: false,
      properties: {
        facebook: { type: 'string', minLength: 1 },
        linkedin: { type: 'string', minLength: 1 },
        twitter: { type: 'string', minLength: 1 },
        other: { type: 'string', minLength: 1 },
      },
    },
  },
} as const;

function coverLetter(profile: HrflowProfile): string | undefined {
  const meta = Array.isArray(profile.metadatas) ? profile.metadatas : [];
  return text(meta.find((m) => m?.name === 'cover_letter')?.value);
}

export function flatchrPayload(profile: HrflowProfile, params: Partial<FlatchrParams> = {}): FlatchrPayload {
  const info = profile.info ?? {};
  const cv = cvAttachment(profile);
  const others = urls(profile).filter((u) => !['facebook', 'linkedin', 'twitter'].includes(u.type));
  return compact({
    vacancy: text(params.vacancy),
    firstname: text(info.first_name),
    lastname: text(info.last_name),
    email: text(info.email),
    phone: text(info.phone),
    // The "document" mode replaces this link by the file at send time.
    type: cv ? ('link' as const) : undefined,
    resume: text(cv?.public_url),
    comment: coverLetter(profile),
    urls: {
      facebook: urlOfType(profile, 'facebook'),
      linkedin: urlOfType(profile, 'linkedin'),
      twitter: urlOfType(profile, 'twitter'),
      other: others[0]?.url,
    },
  });
}

/** CV documents Flatchr takes in document mode (read from the bytes; anything else is INVALID_PROFILE before the create). */
const FLATCHR_CV_TYPES: readonly CvKind[] = ['pdf', 'doc', 'docx', 'odt', 'rtf'];

export const flatchr: VendorModule<FlatchrConfig, FlatchrParams, FlatchrPayload> = {
  id: 'flatchr',
  label: 'Flatchr',
  secrets: (config) => [config.auth],
  secretHeaders: ['Authorization'],
  checkConfig(config, params) {
    if (!text(config.auth)) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the Flatchr API key is missing in the account', { vendor: 'flatchr' });
    if (!text(params.vacancy)) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'no Flatchr vacancy: set its slug in the node or msg.vacancy', { vendor: 'flatchr' });
    if (params.lookup_id && !params.test_mode && !text(config.company)) {
      throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the Flatchr company id is needed to look the applicant up', { vendor: 'flatchr' });
    }
  },
  cvTypes: FLATCHR_CV_TYPES,
  defaultPayload: (profile, params) => flatchrPayload(profile, params),
  validate: payloadValidator('Flatchr', flatchrSchema as unknown as Record<string, unknown>, {
    firstname: 'info.first_name',
    lastname: 'info.last_name',
    email: 'info.email',
    resume: "a 'resume' or 'original' attachment (Flatchr requires a CV)",
    type: "a 'resume' or 'original' attachment (Flatchr requires a CV)",
  }),
  async push(ctx, payload): Promise<PushResult> {
    const careers = ctx.config.careers_url || FLATCHR_DEFAULT_CAREERS_URL;
    const body: FlatchrPayload = { ...payload, vacancy: payload.vacancy ?? ctx.params.vacancy };
    let cv: CvFile | undefined;
    const marker = base64Marker();
    if (ctx.params.cv_mode === 'document' && body.type === 'link') {
      cv = ctx.profile ? await downloadCv(ctx, FLATCHR_CV_TYPES, 'Flatchr') : undefined;
      if (cv) {
        body.type = 'document';
        body.resume = { data: marker, fileName: cv.fileName, contentType: cv.contentType };
      }
    }
    try {
      // Flatchr downloads a linked CV itself: only an http(s) URL without credentials is handed over.
      if (typeof body.resume === 'string') body.resume = checkPayloadCvUrl(body.resume, 'resume', ctx.profile, 'flatchr', ctx.cv ?? {});
      // A document CV goes base64 inside the JSON: encoded straight into the body buffer (no full-size copies).
      const withToken = (b: FlatchrPayload) => (cv ? jsonWithBase64({ ...b, token: ctx.config.auth }, marker, cv.data) : { ...b, token: ctx.config.auth });
      const headers = { Authorization: `Bearer ${ctx.config.auth}`, 'Content-Type': 'application/json' };
      if (ctx.params.test_mode) {
        // The test route creates nothing: safe to repeat, and a lost answer risks no duplicate.
        const res = await ctx.http.request<{ response?: string }>({
          method: 'POST',
          url: joinUrl(careers, 'vacancy', 'candidate', 'test'),
          headers,
          data: withToken(body),
          idempotent: true,
          step: 'test',
        });
        expectJsonObject(ctx.http, res, 'test');
        const detail = typeof res.data?.response === 'string' ? res.data.response : undefined;
        return { response: res.data, statusCode: res.status, steps: [{ step: 'test', status: 'done', statusCode: res.status, detail }] };
      }
      // A lost answer is never re-sent: the applicant is looked up by email (when the company is known).
      const canLookup = !!body.email && !!text(ctx.config.company);
      const created = await createOnce<{ response?: string }>(
        ctx.http,
        {
          method: 'POST',
          url: joinUrl(careers, 'vacancy', 'candidate', 'json'),
          headers,
          data: withToken(body),
          step: 'create',
        },
        {
          // Flatchr answers JSON ({"response": "applicant created"}); anything else did not come from it.
          isAnswer: (d) => !!d && typeof d === 'object',
          lookup: canLookup ? async (sentAt) => (await lookupApplicant(ctx, body, sentAt)).id : undefined,
        },
      );
      cv?.release();
      if (created.recovered) return { candidateId: created.candidateId, response: { recovered: true }, steps: [createStep(created)] };
      const res = created.response as { status: number; data: { response?: string } };
      const steps: PushStep[] = [
        { step: 'create', status: 'done', statusCode: res.status, detail: typeof res.data?.response === 'string' ? res.data.response : undefined },
      ];
      let candidateId: string | undefined;
      if (ctx.params.lookup_id) {
        const found = await lookupApplicant(ctx, body);
        candidateId = found.id;
        steps.push(found.id ? { step: 'lookup_id', status: 'done', detail: `applicant ${found.id}` } : { step: 'lookup_id', status: 'skipped', detail: found.detail });
      }
      return { candidateId, response: res.data, statusCode: res.status, steps };
    } finally {
      cv?.release();
    }
  },
};

interface FlatchrApplicant {
  applicant?: string | number;
  id?: string | number;
  email?: string;
  vacancy?: string;
  created_at?: string;
}

/**
 * Find the applicant just created: same email (and vacancy), most recent first. Flatchr accepts the
 * same email twice, so after a lost answer (`sentAt` given) only an applicant created since the
 * request was sent counts: an older one is another push's.
 */
async function lookupApplicant(
  ctx: Parameters<typeof flatchr.push>[0],
  body: FlatchrPayload,
  sentAt?: number,
): Promise<{ id?: string; detail: string }> {
  if (!body.email) return { detail: 'the profile has no email to search by' };
  const base = ctx.config.base_url || FLATCHR_DEFAULT_BASE_URL;
  try {
    const res = await ctx.http.request<FlatchrApplicant[] | { items?: FlatchrApplicant[] }>({
      method: 'POST',
      url: joinUrl(base, 'company', encodeURIComponent(ctx.config.company), 'search', 'applicants'),
      headers: { Authorization: `Bearer ${ctx.config.auth}`, 'Content-Type': 'application/json' },
      data: { email: body.email, vacancy: body.vacancy },
      // A search changes nothing: safe to repeat.
      idempotent: true,
      step: 'lookup_id',
    });
    const list = Array.isArray(res.data) ? res.data : Array.isArray(res.data?.items) ? res.data.items : [];
    const email = body.email.toLowerCase();
    const matches = list.filter(
      (a) => (!a.email || a.email.toLowerCase() === email) && (sentAt === undefined || createdSince(a.created_at, sentAt)),
    );
    matches.sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')));
    const found = matches[0];
    const id = found?.applicant ?? found?.id;
    return id === undefined || id === null ? { detail: 'no applicant found with this email yet' } : { id: String(id), detail: 'found' };
  } catch (err) {
    // The applicant was created: a failed lookup must not turn the push into an error.
    const e = err instanceof ConnectorError ? err : undefined;
    if (e?.code === ErrorCodes.ABORTED) {
      if (sentAt !== undefined) throw err;
      throw new ConnectorError(ErrorCodes.ABORTED, `the applicant was created in Flatchr, but the flow was stopped during the id lookup: ${e.message}`, {
        vendor: 'flatchr',
        step: 'lookup_id',
        cause: err,
      });
    }
    return { detail: `the lookup failed (${e?.code ?? 'error'}): ${e?.message ?? String(err)}` };
  }
}
