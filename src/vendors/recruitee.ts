/**
 * Recruitee (ATS API).
 *
 * Request plan: POST {recruitee_endpoint}/{company_id}/candidates with `Authorization: Bearer`,
 * body {candidate, offers}. The CV goes as `remote_cv_url` (Recruitee downloads it): the `resume`
 * attachment's public URL, else the `original` one.
 *
 * Fixes over the Python reference (reference-spec §10): a profile without a `resume` attachment is
 * pushed with its `original` CV, or without CV, instead of failing (R1); no `[null]` emails, phones
 * or links (R2); `sources` only when HrFlow gives a source name (E11); `offers` omitted when empty.
 */
import { createOnce } from '../push/create';
import { checkPayloadCvUrl } from '../push/files';
import { ConnectorError, ErrorCodes } from '../core/errors';
import { payloadValidator } from '../core/validate';
import { compact, cvAttachment, text, urls, type HrflowProfile } from '../hrflow/profile';
import { createStep, joinUrl, type PushResult, type VendorModule } from './types';

export const RECRUITEE_ENDPOINTS = {
  production: 'https://api.recruitee.com/c',
  staging: 'https://api.s.recruitee.com/c',
} as const;

export interface RecruiteeConfig {
  api_token: string;
  company_id: string;
  recruitee_endpoint?: string;
}

export interface RecruiteeParams {
  /** Offer (job or talent pool) ids the candidate is added to. */
  offer_ids?: number[];
}

export interface RecruiteePayload {
  candidate: {
    name?: string;
    emails?: string[];
    phones?: string[];
    social_links?: string[];
    links?: string[];
    cover_letter?: string;
    sources?: string[];
    remote_cv_url?: string;
    [key: string]: unknown;
  };
  offers?: number[];
  [key: string]: unknown;
}

const STRINGS = { type: 'array', items: { type: 'string' } };

/** What the ATS API accepts (CandidateCreateRequest). */
export const recruiteeSchema = {
  type: 'object',
  required: ['candidate'],
  properties: {
    candidate: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1 },
        emails: STRINGS,
        phones: STRINGS,
        social_links: STRINGS,
        links: STRINGS,
        cover_letter: { type: 'string' },
        sources: STRINGS,
        remote_cv_url: { type: 'string', minLength: 1 },
      },
    },
    offers: { type: 'array', items: { type: 'integer' } },
  },
} as const;

/** Parse offer ids from "123, 456", [123, "456"] or 123. Throws INVALID_CONFIG on anything else. */
/** A wrong value as an error shows it: JSON, cut to 40 characters (msg.offer_ids may be megabytes long). */
function shownValue(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = typeof v;
  }
  return text.length > 40 ? `${text.slice(0, 39)}… (${text.length} characters)` : text;
}

export function parseOfferIds(value: unknown): number[] {
  if (value === undefined || value === null || value === '') return [];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,;]+/) : [value];
  // A Set, not out.includes(): msg.offer_ids may hold a million ids, and a quadratic scan would hold the event loop for minutes.
  const out = new Set<number>();
  for (const v of list) {
    if (v === '' || v === undefined || v === null) continue;
    const n = typeof v === 'number' ? v : /^\d+$/.test(String(v).trim()) ? Number(String(v).trim()) : NaN;
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `Recruitee offer ids must be whole numbers, got ${shownValue(v)}`, { vendor: 'recruitee' });
    }
    out.add(n);
  }
  return [...out];
}

function coverLetter(profile: HrflowProfile): string | undefined {
  const meta = Array.isArray(profile.metadatas) ? profile.metadatas : [];
  return text(meta.find((m) => m?.name === 'cover_letter')?.value);
}

export function recruiteePayload(profile: HrflowProfile, params: RecruiteeParams = {}): RecruiteePayload {
  const info = profile.info ?? {};
  const fullName = text(info.full_name) ?? ([text(info.first_name), text(info.last_name)].filter(Boolean).join(' ') || undefined);
  const list = urls(profile);
  const unique = (values: string[]) => [...new Set(values)];
  return compact({
    candidate: {
      name: fullName,
      emails: text(info.email) ? [text(info.email) as string] : undefined,
      phones: text(info.phone) ? [text(info.phone) as string] : undefined,
      social_links: unique(list.filter((u) => u.type !== 'from_resume').map((u) => u.url)),
      links: unique(list.filter((u) => u.type === 'from_resume').map((u) => u.url)),
      cover_letter: coverLetter(profile),
      sources: text(profile.source?.name) ? [text(profile.source?.name) as string] : undefined,
      remote_cv_url: text(cvAttachment(profile)?.public_url),
    },
    offers: params.offer_ids?.length ? params.offer_ids : undefined,
  });
}

export const recruitee: VendorModule<RecruiteeConfig, RecruiteeParams, RecruiteePayload> = {
  id: 'recruitee',
  label: 'Recruitee',
  secrets: (config) => [config.api_token],
  secretHeaders: ['Authorization'],
  checkConfig(config) {
    if (!text(config.api_token)) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the Recruitee API token is missing in the account', { vendor: 'recruitee' });
    if (!text(config.company_id)) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the Recruitee company id is missing in the account', { vendor: 'recruitee' });
  },
  defaultPayload: (profile, params) => recruiteePayload(profile, params),
  validate: payloadValidator('Recruitee', recruiteeSchema as unknown as Record<string, unknown>, {
    'candidate.name': 'info.full_name (or info.first_name and info.last_name)',
  }),
  async push(ctx, payload): Promise<PushResult> {
    const base = ctx.config.recruitee_endpoint || RECRUITEE_ENDPOINTS.production;
    const body = { ...payload };
    // Recruitee downloads the CV itself: only an http(s) URL without credentials is handed over.
    if (body.candidate?.remote_cv_url !== undefined) {
      body.candidate = { ...body.candidate, remote_cv_url: checkPayloadCvUrl(body.candidate.remote_cv_url, 'candidate.remote_cv_url', ctx.profile, 'recruitee', ctx.cv ?? {}) };
    }
    // msg.offer_ids / the node's offers win over a formatted payload without offers.
    if (!body.offers && ctx.params.offer_ids?.length) body.offers = ctx.params.offer_ids;
    // Recruitee's API offers no lookup by email: a lost answer is reported as OUTCOME_UNKNOWN.
    const created = await createOnce<{ candidate?: { id?: number } }>(
      ctx.http,
      {
        method: 'POST',
        url: joinUrl(base, encodeURIComponent(String(ctx.config.company_id).trim()), 'candidates'),
        headers: { Authorization: `Bearer ${ctx.config.api_token}`, 'Content-Type': 'application/json' },
        data: body,
        step: 'create',
      },
      { readId: (d) => d.candidate?.id },
    );
    // Recruitee ids are integers; anything else is passed on as it came, never as NaN.
    const id = String(created.candidateId);
    const candidateId = /^\d+$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : id;
    return {
      candidateId,
      response: created.response?.data,
      statusCode: created.response?.status,
      steps: [
        createStep(created),
        body.candidate.remote_cv_url
          ? { step: 'cv', status: 'done', detail: 'sent as remote_cv_url' }
          : { step: 'cv', status: 'skipped', detail: 'the profile has no resume or original attachment' },
      ],
    };
  },
};
