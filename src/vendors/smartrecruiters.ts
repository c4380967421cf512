/**
 * SmartRecruiters (Candidate API).
 *
 * Request plan: the CV (the profile's `resume` attachment, else `original`) downloaded and checked
 * first (upload_cv on), then POST {base_url}/jobs/{job_id}/candidates with X-SmartToken (JSON
 * CandidateInput), then the CV uploaded as a RESUME attachment with
 * POST {base_url}/candidates/{id}/jobs/{job_id}/attachments (multipart). A failed upload is
 * PARTIAL_PUSH; `finish` (the profile pushed again) uploads the CV to the recorded candidate, never
 * creating it again.
 *
 * Fixes over the Python reference (reference-spec §10): singular `experience` / `education` (S1),
 * a real `web` object from the url types (S2), `current` true for ongoing items and no "XXXX" dates
 * (S3), two-letter `countryCode`, no fake 0,0 coordinates and no "Undefined" placeholders (S4),
 * the CV is really uploaded instead of sending HrFlow attachment metadata (S5), the job id is kept
 * (S6), null lists do not fail (S8).
 */
import { toAlpha2 } from '../core/countries';
import { ConnectorError, ErrorCodes } from '../core/errors';
import { urlPath, type HttpClient } from '../core/http';
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
import { PUSH_ERRORS, type PickItem, type VendorDescription } from './description';
import { cvStep, finishLaterSteps, runLaterSteps, type LaterStep } from './steps';
import { candidateRequest, createStep, pickFields, type PushContext, type PushResult, type PushStep, type VendorModule } from './types';

/** What an update sends (PATCH /candidates/{id} takes PersonalDetails): the rest of the mapping (education, experience, tags) is create-only. */
export const SMARTRECRUITERS_UPDATE_FIELDS = ['firstName', 'lastName', 'email', 'phoneNumber', 'location', 'web'] as const;

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

/** The account's auth header (also declared secret, so its value is masked in every error text). */
const TOKEN_HEADER = 'X-SmartToken';

/** The longest list a picker shows, and SmartRecruiters' largest page of `GET /jobs`. */
const MAX_ITEMS = 200;
const PAGE = 100;

/** What the editor, the help and the admin endpoints know about SmartRecruiters. */
export const smartRecruitersDescription: VendorDescription = {
  color: '#8FB5E3',
  docsUrl: 'https://developers.smartrecruiters.com/docs/candidates-api',
  account: {
    color: '#8FB5E3',
    docsUrl: 'https://developers.smartrecruiters.com/docs/authentication',
    test: {
      en: 'reads one job with the X-SmartToken (<code>GET /jobs?limit=1</code>): nothing is created.',
      fr: 'lit une offre d\'emploi avec le X-SmartToken (<code>GET /jobs?limit=1</code>) : rien n\'est créé.',
    },
    fields: [
      {
        name: 'x_smart_token',
        input: 'password',
        credential: true,
        required: true,
        icon: 'key',
        label: { en: 'X-SmartToken', fr: 'X-SmartToken' },
        placeholder: { en: 'API key (or ${SMARTRECRUITERS_TOKEN})', fr: 'clé d\'API (ou ${SMARTRECRUITERS_TOKEN})' },
        tip: {
          en: 'The <b>X-SmartToken</b> is an API key from SmartRecruiters\' Credential Manager (Settings › Apps &amp; integrations). It is stored encrypted and never exported with the flow. Type <code>${ENV_VAR}</code> to read it from an environment variable.',
          fr: 'Le <b>X-SmartToken</b> est une clé d\'API créée dans le Credential Manager de SmartRecruiters (Settings › Apps &amp; integrations). Elle est stockée chiffrée et n\'est jamais exportée avec le flux. Saisissez <code>${ENV_VAR}</code> pour la lire dans une variable d\'environnement.',
        },
        help: {
          en: 'A SmartRecruiters API key, created in SmartRecruiters\' Credential Manager. It must be allowed to create candidates and add attachments; Test connection and the job picker also need it to read jobs.',
          fr: 'Une clé d\'API SmartRecruiters, créée dans le Credential Manager de SmartRecruiters. Elle doit pouvoir créer des candidats et ajouter des pièces jointes ; le test de connexion et le choix de l\'offre d\'emploi ont aussi besoin qu\'elle puisse lire les offres.',
        },
        helpType: 'credential',
      },
      {
        name: 'base_url',
        input: 'url',
        default: SMARTRECRUITERS_DEFAULT_BASE_URL,
        required: true,
        icon: 'globe',
        label: { en: 'Base URL', fr: 'URL de base' },
        placeholder: { en: SMARTRECRUITERS_DEFAULT_BASE_URL, fr: SMARTRECRUITERS_DEFAULT_BASE_URL },
        tip: {
          en: 'Leave the default for the SmartRecruiters production API. Change it only to point at a test server or a local sandbox.',
          fr: 'Gardez la valeur par défaut pour l\'API de production de SmartRecruiters. Ne la changez que pour viser un serveur de test ou un bac à sable local.',
        },
        help: {
          en: `Where the SmartRecruiters API lives. The default, <code>${SMARTRECRUITERS_DEFAULT_BASE_URL}</code>, is the production API.`,
          fr: `L'adresse de l'API SmartRecruiters. La valeur par défaut, <code>${SMARTRECRUITERS_DEFAULT_BASE_URL}</code>, est l'API de production.`,
        },
        helpType: 'string',
      },
    ],
  },
  params: [
    {
      name: 'job_id',
      input: 'id',
      default: '',
      msg: 'job_id',
      icon: 'briefcase',
      picker: 'jobs',
      label: { en: 'Job id', fr: 'Id de l\'offre' },
      placeholder: { en: 'empty: use msg.job_id', fr: 'vide : msg.job_id' },
      tip: {
        en: 'The candidate is created in this job. <code>msg.job_id</code>, when the message has it, wins over this value; one of them must be set.',
        fr: 'Le candidat est créé dans cette offre d\'emploi. <code>msg.job_id</code>, quand le message en a un, l\'emporte sur cette valeur ; l\'un des deux doit être renseigné.',
      },
      help: {
        en: 'The SmartRecruiters job to add the candidate to. Wins over the Job id set in the node.',
        fr: 'L\'offre d\'emploi SmartRecruiters à laquelle ajouter le candidat. L\'emporte sur l\'id d\'offre saisi dans le nœud.',
      },
      helpType: 'string',
    },
    {
      name: 'upload_cv',
      input: 'checkbox',
      default: true,
      icon: 'file-text-o',
      label: { en: 'CV', fr: 'CV' },
      tip: {
        en: 'Upload the profile\'s CV as the candidate\'s résumé',
        fr: 'Joindre le CV du profil comme CV du candidat',
      },
    },
  ],
  errors: [...PUSH_ERRORS, ErrorCodes.PARTIAL_PUSH],
  lists: { jobs: { en: 'Jobs', fr: 'Offres d\'emploi' } },
  outputLabel: { en: 'SmartRecruiters candidate', fr: 'Candidat SmartRecruiters' },
  update: {
    en: `<b>Update</b>: <code>PATCH /candidates/{id}</code> with the candidate's personal details from the current mapping (${SMARTRECRUITERS_UPDATE_FIELDS.map((f) => `<code>${f}</code>`).join(', ')}); education, experience, tags and the CV are not sent again. Another candidate with the same e-mail and last name: <code>VENDOR_REJECTED</code> (409).`,
    fr: `<b>Mise à jour</b> : <code>PATCH /candidates/{id}</code> avec les informations personnelles du contenu actuel (${SMARTRECRUITERS_UPDATE_FIELDS.map((f) => `<code>${f}</code>`).join(', ')}) ; formation, expérience, tags et CV ne sont pas renvoyés. Un autre candidat avec les mêmes e-mail et nom : <code>VENDOR_REJECTED</code> (409).`,
  },
  archive: {
    en: '<b>Archive</b>: SmartRecruiters\' API has no candidate archive: <code>DELETE /candidates/{id}</code> <b>deletes</b> the candidate (a candidate already gone counts as archived).',
    fr: '<b>Archivage</b> : l\'API de SmartRecruiters n\'a pas d\'archivage de candidat : <code>DELETE /candidates/{id}</code> <b>supprime</b> le candidat (un candidat déjà absent compte comme archivé).',
  },
};

interface JobSummary {
  id?: string;
  name?: string;
  refNumber?: string;
  status?: string;
}

interface JobList {
  totalFound?: number;
  offset?: number;
  limit?: number;
  content?: JobSummary[];
}

/** One page of `GET /jobs`; an answer without its `content` list is not SmartRecruiters' (a portal, a proxy page). */
async function jobsPage(http: HttpClient, offset: number, limit: number): Promise<JobList & { content: JobSummary[] }> {
  const res = await http.request<JobList>({ method: 'GET', url: 'jobs', params: { limit, offset }, step: 'read_jobs' });
  const d = res.data;
  if (!d || typeof d !== 'object' || Buffer.isBuffer(d) || !Array.isArray(d.content)) {
    throw new ConnectorError(
      ErrorCodes.VENDOR_UNAVAILABLE,
      `smartrecruiters answered ${res.status} to GET /jobs with something that is not a job list (${http.redact.excerpt(d, 120) || 'empty answer'}): check the base URL`,
      { vendor: 'smartrecruiters', step: 'read_jobs', statusCode: res.status },
    );
  }
  return d as JobList & { content: JobSummary[] };
}

export const smartrecruiters: VendorModule<SmartRecruitersConfig, SmartRecruitersParams, SmartRecruitersCandidate> = {
  id: 'smartrecruiters',
  label: 'SmartRecruiters',
  description: smartRecruitersDescription,
  connection: (config) => ({
    baseUrl: text(config.base_url) ?? SMARTRECRUITERS_DEFAULT_BASE_URL,
    headers: { [TOKEN_HEADER]: config.x_smart_token },
  }),
  readParams: (values) => ({
    job_id: values.job_id === undefined || values.job_id === null ? '' : String(values.job_id).trim(),
    upload_cv: values.upload_cv !== false && values.upload_cv !== 'false',
  }),
  async testConnection({ http }) {
    const page = await jobsPage(http, 0, 1);
    const total = typeof page.totalFound === 'number' ? page.totalFound : page.content.length;
    return { detail: `${total} job${total === 1 ? '' : 's'} readable` };
  },
  lists: {
    async jobs({ http }): Promise<PickItem[]> {
      const items: PickItem[] = [];
      const seen = new Set<string>();
      // At most the pages 200 items need (a server that ignores `offset` cannot loop us forever).
      for (let offset = 0, pages = 0; items.length < MAX_ITEMS && pages < MAX_ITEMS / PAGE + 1; pages++) {
        const page = await jobsPage(http, offset, PAGE);
        for (const job of page.content) {
          if (typeof job?.id !== 'string' && typeof job?.id !== 'number') continue;
          const id = String(job.id);
          if (seen.has(id) || items.length >= MAX_ITEMS) continue;
          seen.add(id);
          items.push({ id, title: text(job.name) ?? text(job.refNumber) ?? id, ...(text(job.status) ? { status: text(job.status) } : {}) });
        }
        offset += page.content.length;
        if (!page.content.length || (typeof page.totalFound === 'number' && offset >= page.totalFound)) break;
      }
      return items;
    },
  },
  // Documented: 10 requests/s and 8 concurrent requests per credential.
  rateLimit: { perWindow: 10, windowMs: 1000, concurrent: 8 },
  // Documented: every answer carries X-RateLimit-Limit / -Remaining (per second, its window) and -Concurrent-Limit.
  rateHeaders: (h) => ({ perWindow: h.limit, concurrent: h.concurrentLimit, exhausted: h.remaining === 0, pauseMs: h.remaining === 0 ? h.resetMs : undefined }),
  secrets: (config) => [config.x_smart_token],
  secretHeaders: [TOKEN_HEADER],
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
    const jobId = String(ctx.params.job_id).trim();
    // The CV is fetched and checked before the create: a CV that cannot be sent creates nothing.
    const cv = ctx.params.upload_cv !== false ? await downloadCv(ctx, SMARTRECRUITERS_CV_TYPES, 'SmartRecruiters') : undefined;
    try {
      const created = await createOnce<{ id?: string }>(
        ctx.http,
        { method: 'POST', url: urlPath('jobs', encodeURIComponent(jobId), 'candidates'), headers: { 'Content-Type': 'application/json' }, data: payload, step: 'create' },
        { readId: (d) => d.id, lookup: payload.email ? (sentAt) => findCandidate(ctx, jobId, payload, sentAt) : undefined },
      );
      const candidateId = created.candidateId as string;
      const { steps } = await runLaterSteps('smartrecruiters', candidateId, [createStep(created)], laterSteps(ctx, candidateId, async () => cv));
      return { candidateId, response: created.response?.data ?? { id: candidateId, recovered: true }, statusCode: created.response?.status, steps };
    } finally {
      cv?.release();
    }
  },
  // A PARTIAL_PUSH finished: the CV upload again (downloaded now), on the recorded candidate.
  finish: (ctx, _payload, done) =>
    finishLaterSteps('smartrecruiters', done, laterSteps(ctx, done.candidateId, () => downloadCv(ctx, SMARTRECRUITERS_CV_TYPES, 'SmartRecruiters'))),
  update: (ctx, candidateId, payload) =>
    candidateRequest(ctx.http, candidateId, 'update', { method: 'PATCH', url: urlPath('candidates', encodeURIComponent(candidateId)), data: pickFields(payload, SMARTRECRUITERS_UPDATE_FIELDS) }),
  archive: (ctx, candidateId) => candidateRequest(ctx.http, candidateId, 'archive', { method: 'DELETE', url: urlPath('candidates', encodeURIComponent(candidateId)), gone: true }),
};

type SmartRecruitersContext = PushContext<SmartRecruitersConfig, SmartRecruitersParams>;

/** The steps after the create: the CV uploaded as the candidate's RESUME for the job (when upload_cv is on). */
function laterSteps(ctx: SmartRecruitersContext, candidateId: string, cv: () => Promise<CvFile | undefined>): LaterStep[] {
  if (ctx.params.upload_cv === false) return [{ step: 'upload_cv', run: async () => ({ step: 'upload_cv', status: 'skipped', detail: 'CV upload turned off' }) }];
  return [cvStep('upload_cv', cv, (file) => uploadCv(ctx, String(ctx.params.job_id).trim(), candidateId, file))];
}

/**
 * After a lost answer: the candidate with this email and last name created since the request was
 * sent (an older one with the same email is another push's, not this one's).
 */
async function findCandidate(
  ctx: SmartRecruitersContext,
  jobId: string,
  payload: SmartRecruitersCandidate,
  sentAt: number,
): Promise<string | undefined> {
  const res = await ctx.http.request<{ content?: Array<{ id?: string; email?: string; lastName?: string; createdOn?: string }> }>({
    method: 'GET',
    url: 'candidates',
    params: { q: payload.email },
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
      url: urlPath('candidates', encodeURIComponent(match.id)),
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

async function uploadCv(ctx: SmartRecruitersContext, jobId: string, candidateId: string, cv: CvFile | undefined): Promise<PushStep> {
  if (!cv) return { step: 'upload_cv', status: 'skipped', detail: 'the profile has no resume or original attachment' };
  const form = multipartBody([
    { name: 'attachmentType', value: 'RESUME' },
    { name: 'file', value: cv.data, fileName: cv.fileName, contentType: cv.contentType },
  ]);
  let res;
  try {
    res = await ctx.http.request({
      method: 'POST',
      url: urlPath('candidates', encodeURIComponent(candidateId), 'jobs', encodeURIComponent(jobId), 'attachments'),
      headers: { 'Content-Type': form.contentType },
      data: form.data,
      step: 'upload_cv',
    });
  } catch (err) {
    // The same file is already attached (FILE_ALREADY_EXIST, documented): an earlier attempt sent it (a push
    // resumed after a crash, whose candidate was found by the lookup). The step is done, not failed.
    if (err instanceof ConnectorError && err.statusCode === 400 && /\bFILE_ALREADY_EXIST\b/.test(err.vendorMessage ?? '')) {
      return { step: 'upload_cv', status: 'done', statusCode: 400, detail: `${cv.fileName} was already attached (sent by an earlier attempt)` };
    }
    throw err;
  }
  expectJsonObject(ctx.http, res, 'upload_cv');
  return { step: 'upload_cv', status: 'done', statusCode: res.status, detail: cv.fileName };
}
