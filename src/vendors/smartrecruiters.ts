/**
 * SmartRecruiters (Candidate API).
 *
 * Request plan: the CV (the profile's `resume` attachment, else `original`) downloaded and checked
 * first (upload_cv on), then POST {base_url}/jobs/{job_id}/candidates with X-SmartToken (JSON
 * CandidateInput), then the CV uploaded as a RESUME attachment with
 * POST {base_url}/candidates/{id}/jobs/{job_id}/attachments (multipart).
 *
 * Fixes over the Python reference (reference-spec §10): singular `experience` / `education` (S1),
 * a real `web` object from the url types (S2), `current` true for ongoing items and no "XXXX" dates
 * (S3), two-letter `countryCode`, no fake 0,0 coordinates and no "Undefined" placeholders (S4),
 * the CV is really uploaded instead of sending HrFlow attachment metadata (S5), the job id is kept
 * (S6), null lists do not fail (S8).
 */
import { toAlpha2 } from '../core/countries';
import { ConnectorError, ErrorCodes, partialPush } from '../core/errors';
import { createOnce, createdSince, expectJsonObject } from '../push/create';
import { downloadCv, multipartBody, type CvFile, type CvKind } from '../push/files';
import { payloadValidator } from '../core/validate';
import {
  compact,
  coordinates,
  isoDate,
  locationFields,
  text,
  urlOfType,
  type HrflowDatedItem,
  type HrflowProfile,
} from '../hrflow/profile';
import { createStep, joinUrl, type PushResult, type PushStep, type VendorModule } from './types';

export const SMARTRECRUITERS_DEFAULT_BASE_URL = 'https://api.smartrecruiters.com';

export interface SmartRecruitersConfig {
  x_smart_token: string;
  base_url?: string;
}

export interface SmartRecruitersParams {
  job_id: string;
  /** Upload the CV after creating the candidate (default true). */
  upload_cv?: boolean;
}

export interface SmartRecruitersCandidate {
  firstName?: string;
  lastName?: string;
  email?: string;
  phoneNumber?: string;
  location?: { countryCode?: string; region?: string; city?: string; lat?: number; lng?: number };
  web?: { linkedin?: string; facebook?: string; twitter?: string; website?: string };
  experience?: Array<Record<string, unknown>>;
  education?: Array<Record<string, unknown>>;
  tags?: string[];
  [key: string]: unknown;
}

const WHEN = { type: 'string', pattern: '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$' };
const NON_EMPTY = { type: 'string', minLength: 1 };

/** What the Candidate API accepts (CandidateInput of SmartRecruiters' own OpenAPI description). */
export const smartRecruitersSchema = {
  type: 'object',
  required: ['firstName', 'lastName', 'email'],
  properties: {
    firstName: NON_EMPTY,
    lastName: NON_EMPTY,
    email: { type: 'string', format: 'email' },
    phoneNumber: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    location: {
      type: 'object',
      properties: {
        country: NON_EMPTY,
        countryCode: { type: 'string', minLength: 2, maxLength: 2 },
        regionCode: { type: 'string' },
        region: { type: 'string' },
        city: NON_EMPTY,
        lat: { type: 'number' },
        lng: { type: 'number' },
      },
    },
    web: {
      type: 'object',
      properties: {
        skype: { type: 'string' },
        linkedin: { type: 'string' },
        facebook: { type: 'string' },
        twitter: { type: 'string' },
        website: { type: 'string' },
      },
    },
    education: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          institution: NON_EMPTY,
          degree: NON_EMPTY,
          major: NON_EMPTY,
          current: { type: 'boolean' },
          location: { type: 'string' },
          startDate: WHEN,
          endDate: WHEN,
          description: { type: 'string' },
        },
      },
    },
    experience: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          title: NON_EMPTY,
          company: NON_EMPTY,
          current: { type: 'boolean' },
          startDate: WHEN,
          endDate: WHEN,
          location: { type: 'string' },
          description: { type: 'string' },
        },
      },
    },
    sourceDetails: {
      type: 'object',
      required: ['sourceTypeId', 'sourceId'],
      properties: { sourceTypeId: NON_EMPTY, sourceSubTypeId: { type: 'string' }, sourceId: NON_EMPTY },
    },
    internal: { type: 'boolean' },
  },
} as const;

/** First and last name, falling back to splitting the full name. */
function names(profile: HrflowProfile): { first?: string; last?: string } {
  let first = text(profile.info?.first_name);
  let last = text(profile.info?.last_name);
  const full = text(profile.info?.full_name);
  if ((!first || !last) && full) {
    const parts = full.split(/\s+/);
    if (!first && !last) {
      if (parts.length > 1) {
        first = parts[0];
        last = parts.slice(1).join(' ');
      }
    } else if (!first) first = rest(full, last as string, 'before');
    else last = rest(full, first, 'after');
  }
  return { first, last };
}

/** The full name without the part we know (any case); else the words on the other side of the first space. */
function rest(full: string, known: string, side: 'before' | 'after'): string | undefined {
  const at = full.toLowerCase().indexOf(known.toLowerCase());
  if (at >= 0) return `${full.slice(0, at)} ${full.slice(at + known.length)}`.replace(/\s+/g, ' ').trim() || undefined;
  const parts = full.split(/\s+/);
  if (parts.length < 2) return undefined;
  return side === 'after' ? parts.slice(1).join(' ') : parts.slice(0, -1).join(' ');
}

/**
 * Dates of an experience or education. `current` only when it is known: a start date and no end
 * date (ongoing), or an end date (ended); an item without dates, or with an end date that cannot be
 * read, says nothing about it.
 */
function datedItem(item: HrflowDatedItem) {
  const startDate = isoDate(item.date_start);
  const endDate = isoDate(item.date_end);
  return {
    current: endDate ? false : startDate && !text(item.date_end) ? true : undefined,
    startDate,
    endDate,
    location: text(item.location?.text),
    description: text(item.description),
  };
}

const hasContent = (item: Record<string, unknown>) => Object.values(item).some((v) => v !== undefined);

export function smartRecruitersPayload(profile: HrflowProfile): SmartRecruitersCandidate {
  const info = profile.info ?? {};
  const loc = info.location ?? undefined;
  const fields = locationFields(loc);
  const { first, last } = names(profile);
  const experiences = Array.isArray(profile.experiences) ? profile.experiences : [];
  const educations = Array.isArray(profile.educations) ? profile.educations : [];
  return compact({
    firstName: first,
    lastName: last,
    email: text(info.email),
    phoneNumber: text(info.phone),
    location: {
      countryCode: toAlpha2(fields.country),
      region: text(fields.state),
      city: text(fields.city),
      ...coordinates(loc),
    },
    web: {
      linkedin: urlOfType(profile, 'linkedin'),
      facebook: urlOfType(profile, 'facebook'),
      twitter: urlOfType(profile, 'twitter'),
      website: urlOfType(profile, 'website', 'from_resume', 'github'),
    },
    // An item with nothing in it is not sent (no `{}` entries).
    experience: experiences
      .filter((e) => e && typeof e === 'object')
      .map((e) => ({ title: text(e.title), company: text(e.company), ...datedItem(e) }))
      .filter(hasContent),
    education: educations
      .filter((e) => e && typeof e === 'object')
      .map((e) => ({ institution: text(e.school), degree: text(e.title), ...datedItem(e) }))
      .filter(hasContent),
  });
}

/** CV documents SmartRecruiters takes as a RESUME attachment (read from the bytes; anything else is INVALID_PROFILE before the create). */
const SMARTRECRUITERS_CV_TYPES: readonly CvKind[] = ['pdf', 'doc', 'docx', 'odt', 'rtf'];

export const smartrecruiters: VendorModule<SmartRecruitersConfig, SmartRecruitersParams, SmartRecruitersCandidate> = {
  id: 'smartrecruiters',
  label: 'SmartRecruiters',
  // Documented: 10 requests/s and 8 concurrent requests per credential.
  rateLimit: { perWindow: 10, windowMs: 1000, concurrent: 8 },
  // Documented: every answer carries X-RateLimit-Limit / -Remaining (per second, its window) and -Concurrent-Limit.
  rateHeaders: (h) => ({ perWindow: h.limit, concurrent: h.concurrentLimit, exhausted: h.remaining === 0, pauseMs: h.remaining === 0 ? h.resetMs : undefined }),
  secrets: (config) => [config.x_smart_token],
  secretHeaders: ['X-SmartToken'],
  checkConfig(config, params) {
    if (!text(config.x_smart_token)) {
      throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the SmartRecruiters X-SmartToken is missing in the account', { vendor: 'smartrecruiters' });
    }
    if (!text(params.job_id)) {
      throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'no SmartRecruiters job id: set it in the node or msg.job_id', { vendor: 'smartrecruiters' });
    }
  },
  cvTypes: SMARTRECRUITERS_CV_TYPES,
  defaultPayload: (profile) => smartRecruitersPayload(profile),
  validate: payloadValidator('SmartRecruiters', smartRecruitersSchema as unknown as Record<string, unknown>, {
    firstName: 'info.first_name',
    lastName: 'info.last_name',
    email: 'info.email',
    'location.countryCode': 'info.location.fields.country',
  }),
  async push(ctx, payload): Promise<PushResult> {
    const base = ctx.config.base_url || SMARTRECRUITERS_DEFAULT_BASE_URL;
    const jobId = String(ctx.params.job_id).trim();
    const headers = { 'X-SmartToken': ctx.config.x_smart_token, 'Content-Type': 'application/json' };
    const uploading = ctx.params.upload_cv !== false;
    // The CV is fetched and checked before the create: a CV that cannot be sent creates nothing.
    const cv = uploading ? await downloadCv(ctx, SMARTRECRUITERS_CV_TYPES, 'SmartRecruiters') : undefined;
    try {
      const created = await createOnce<{ id?: string }>(
        ctx.http,
        { method: 'POST', url: joinUrl(base, 'jobs', encodeURIComponent(jobId), 'candidates'), headers, data: payload, step: 'create' },
        { readId: (d) => d.id, lookup: payload.email ? (sentAt) => findCandidate(ctx, base, jobId, payload, sentAt) : undefined },
      );
      const candidateId = created.candidateId as string;
      const steps: PushStep[] = [createStep(created)];
      if (uploading) {
        steps.push(await uploadCv(ctx, base, jobId, candidateId, cv));
      } else steps.push({ step: 'upload_cv', status: 'skipped', detail: 'CV upload turned off' });
      return { candidateId, response: created.response?.data ?? { id: candidateId, recovered: true }, statusCode: created.response?.status, steps };
    } finally {
      cv?.release();
    }
  },
};

/**
 * After a lost answer: the candidate with this email and last name created since the request was
 * sent (an older one with the same email is another push's, not this one's).
 */
async function findCandidate(
  ctx: Parameters<typeof smartrecruiters.push>[0],
  base: string,
  jobId: string,
  payload: SmartRecruitersCandidate,
  sentAt: number,
): Promise<string | undefined> {
  const res = await ctx.http.request<{ content?: Array<{ id?: string; email?: string; lastName?: string; createdOn?: string }> }>({
    method: 'GET',
    url: joinUrl(base, 'candidates'),
    params: { q: payload.email },
    headers: { 'X-SmartToken': ctx.config.x_smart_token },
    step: 'lookup',
  });
  const email = String(payload.email).toLowerCase();
  const matches = (res.data?.content ?? []).filter(
    (c) => c.email?.toLowerCase() === email && (!payload.lastName || !c.lastName || c.lastName === payload.lastName) && createdSince(c.createdOn, sentAt),
  );
  matches.sort((a, b) => String(b.createdOn ?? '').localeCompare(String(a.createdOn ?? '')));
  // The same person may have been pushed to another job a moment ago: only a candidate assigned to
  // this job is this push's (read from the candidate's details; the newest few are checked).
  for (const match of matches.slice(0, 3)) {
    if (!match.id) continue;
    const details = await ctx.http.request<{ primaryAssignment?: Assignment; secondaryAssignments?: Assignment[] }>({
      method: 'GET',
      url: joinUrl(base, 'candidates', encodeURIComponent(match.id)),
      headers: { 'X-SmartToken': ctx.config.x_smart_token },
      step: 'lookup',
    });
    const assignments = [details.data?.primaryAssignment, ...(details.data?.secondaryAssignments ?? [])];
    if (assignments.some((a) => a?.job?.id !== undefined && String(a.job.id) === jobId)) return match.id;
  }
  return undefined;
}

interface Assignment {
  job?: { id?: string | number };
}

async function uploadCv(
  ctx: Parameters<typeof smartrecruiters.push>[0],
  base: string,
  jobId: string,
  candidateId: string,
  cv: CvFile | undefined,
): Promise<PushStep> {
  if (!cv) return { step: 'upload_cv', status: 'skipped', detail: 'the profile has no resume or original attachment' };
  try {
    const form = multipartBody([
      { name: 'attachmentType', value: 'RESUME' },
      { name: 'file', value: cv.data, fileName: cv.fileName, contentType: cv.contentType },
    ]);
    const res = await ctx.http.request({
      method: 'POST',
      url: joinUrl(base, 'candidates', encodeURIComponent(candidateId), 'jobs', encodeURIComponent(jobId), 'attachments'),
      headers: { 'X-SmartToken': ctx.config.x_smart_token, 'Content-Type': form.contentType },
      data: form.data,
      step: 'upload_cv',
    });
    expectJsonObject(ctx.http, res, 'upload_cv');
    return { step: 'upload_cv', status: 'done', statusCode: res.status, detail: cv.fileName };
  } catch (err) {
    throw partialPush(err, 'smartrecruiters', candidateId);
  }
}
