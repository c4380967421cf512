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
 * A failure after step 1 is a PARTIAL_PUSH error naming the step and carrying the candidate id and the
 * steps done (`error.steps`); `finish` (the profile pushed again) runs only the steps not done, on the
 * recorded candidate, never creating it again.
 * Taleez allows 100 requests per minute: one limiter per account.
 *
 * Fixes over the Python reference (reference-spec §10): `socialLinks` (T8), `recruiterId` sent (T4),
 * two-letter countries converted with the real table (T5), `lang` only FR/EN (T8), the CV's real
 * content type (T6), no crash on a profile without CV (T6/E4), later-step failures reported (T7).
 */
import { toAlpha2 } from '../core/countries';
import { createOnce, expectJsonObject } from '../push/create';
import { ConnectorError, ErrorCodes } from '../core/errors';
import { downloadCv, multipartBody, type CvFile, type CvKind } from '../push/files';
import { payloadValidator } from '../core/validate';
import { compact, coordinates, locationFields, text, urlOfType, type HrflowProfile } from '../hrflow/profile';
import { PUSH_ERRORS, type VendorDescription } from './description';
import { urlPath, type HttpClient } from '../core/http';
import { cvStep, finishLaterSteps, runLaterSteps, type LaterStep } from './steps';
import { candidateRequest, createStep, pickFields, type PushContext, type PushResult, type PushStep, type VendorModule } from './types';

/**
 * What an update sends (POST /candidates/{id}, specs/taleez/taleez-update.derived.openapi.yaml): not `lang`,
 * `initialReferrer`, `recruiterId`, `unitId` (set at the creation), and `location` only when it has the city,
 * country, lat and lng the update requires.
 */
export const TALEEZ_UPDATE_FIELDS = ['firstName', 'lastName', 'mail', 'phone', 'socialLinks', 'location'] as const;

/** The update body of a candidate payload. */
function taleezUpdate(payload: TaleezCandidate): Record<string, unknown> {
  const body = pickFields(payload, TALEEZ_UPDATE_FIELDS);
  const l = payload.location;
  if (!l || !['city', 'country', 'lat', 'lng'].every((k) => l[k] !== undefined && l[k] !== null && l[k] !== '')) delete body.location;
  return body;
}

export const TALEEZ_DEFAULT_BASE_URL = 'https://api.taleez.com/0';
/** The header carrying the account's secret API key on every request. */
const TALEEZ_SECRET_HEADER = 'X-taleez-api-secret';

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

/** Taleez ids are whole numbers > 0 (leading zeros accepted, as parseId does). */
const TALEEZ_ID = '0*[1-9]\\d*';

/** What the editor, the locales, the help and the admin endpoints know about Taleez. */
export const taleezDescription: VendorDescription = {
  color: '#8FB5E3',
  docsUrl: 'https://api.taleez.com/swagger-ui/index.html',
  account: {
    color: '#8FB5E3',
    docsUrl: 'https://api.taleez.com/swagger-ui/index.html',
    test: {
      en: 'reads one job with the API secret (<code>GET /jobs</code>): nothing is created.',
      fr: 'lit une offre d\'emploi avec la clé secrète (<code>GET /jobs</code>) : rien n\'est créé.',
    },
    fields: [
      {
        name: 'x_taleez_api_secret',
        input: 'password',
        credential: true,
        required: true,
        icon: 'key',
        label: { en: 'API secret', fr: 'Clé API secrète' },
        placeholder: { en: 'secret API key (or ${TALEEZ_API_SECRET})', fr: 'clé API secrète (ou ${TALEEZ_API_SECRET})' },
        tip: {
          en: 'The <b>secret</b> API key (sent as <code>X-taleez-api-secret</code>) is generated in Taleez\'s settings, under API &amp; Webhooks; the public key is not enough. Taleez allows <b>100 requests per minute</b> per account, shared by every node using it. It is stored encrypted and never exported with the flow. Type <code>${ENV_VAR}</code> to read it from an environment variable.',
          fr: 'La clé API <b>secrète</b> (envoyée dans <code>X-taleez-api-secret</code>) se génère dans les paramètres de Taleez, rubrique API &amp; Webhooks ; la clé publique ne suffit pas. Taleez autorise <b>100 requêtes par minute</b> par compte, partagées par tous les nœuds qui l\'utilisent. Elle est stockée chiffrée et n\'est jamais exportée avec le flux. Saisissez <code>${ENV_VAR}</code> pour la lire dans une variable d\'environnement.',
        },
        help: {
          en: 'The secret API key of your Taleez company, generated in Taleez\'s settings under API &amp; Webhooks and sent as <code>X-taleez-api-secret</code>. The public API key only reads public data and cannot create candidates.',
          fr: 'La clé API secrète de votre entreprise Taleez, générée dans les paramètres de Taleez (API &amp; Webhooks) et envoyée dans <code>X-taleez-api-secret</code>. La clé API publique ne lit que des données publiques et ne peut pas créer de candidats.',
        },
      },
      {
        name: 'base_url',
        input: 'url',
        required: true,
        default: TALEEZ_DEFAULT_BASE_URL,
        icon: 'globe',
        label: { en: 'Base URL', fr: 'URL de base' },
        placeholder: { en: TALEEZ_DEFAULT_BASE_URL, fr: TALEEZ_DEFAULT_BASE_URL },
        tip: {
          en: 'Leave the default for the Taleez API (version <code>/0</code>). Change it only to point at a test server or a local sandbox.',
          fr: 'Gardez la valeur par défaut pour l\'API Taleez (version <code>/0</code>). Ne la changez que pour viser un serveur de test ou un bac à sable local.',
        },
        help: {
          en: `Where the Taleez API lives, version included. The default is <code>${TALEEZ_DEFAULT_BASE_URL}</code>. Taleez documents no test server: point it at a local sandbox (for example <code>http://127.0.0.1:8790/taleez/0</code>) to try a flow without creating real candidates.`,
          fr: `L'adresse de l'API Taleez, version comprise. Par défaut : <code>${TALEEZ_DEFAULT_BASE_URL}</code>. Taleez ne propose pas de serveur de test : indiquez un bac à sable local (par exemple <code>http://127.0.0.1:8790/taleez/0</code>) pour essayer un flux sans créer de vrais candidats.`,
        },
      },
      {
        name: 'rate_limit',
        input: 'int',
        default: '',
        icon: 'tachometer',
        label: { en: 'Requests/min', fr: 'Requêtes/min' },
        placeholder: { en: '100', fr: '100' },
        tip: {
          en: 'Leave blank for Taleez\'s documented limit (100 requests per minute). Set it only when your Taleez contract allows another limit.',
          fr: 'Laissez vide pour la limite documentée de Taleez (100 requêtes par minute). Ne la renseignez que si votre contrat Taleez prévoit une autre limite.',
        },
        help: {
          en: 'How many requests per minute this account may send, shared by every push node using it. Blank: Taleez\'s documented 100. One push makes up to four requests (create, CV, job, pools).',
          fr: 'Le nombre de requêtes par minute que ce compte peut envoyer, partagé par tous les nœuds qui l\'utilisent. Vide : les 100 documentées par Taleez. Un envoi fait jusqu\'à quatre requêtes (création, CV, offre, viviers).',
        },
        helpType: 'integer',
      },
    ],
  },
  params: [
    {
      name: 'recruiter_id',
      input: 'id',
      msg: 'recruiter_id',
      pattern: TALEEZ_ID,
      default: '',
      icon: 'user',
      label: { en: 'Recruiter id', fr: 'Id du recruteur' },
      placeholder: { en: 'e.g. 1234; empty: use msg.recruiter_id', fr: 'ex. 1234 ; vide : msg.recruiter_id' },
      tip: {
        en: 'The Taleez user (a whole number) shown as having added the candidate. <code>msg.recruiter_id</code>, when the message has it, wins over this value; one of them must be set.',
        fr: 'L\'utilisateur Taleez (un nombre entier) indiqué comme ayant ajouté le candidat. <code>msg.recruiter_id</code>, s\'il est présent dans le message, l\'emporte sur cette valeur ; l\'un des deux est obligatoire.',
      },
      help: {
        en: 'The Taleez user shown as having added the candidate. Wins over the Recruiter id set in the node.',
        fr: 'L\'utilisateur Taleez indiqué comme ayant ajouté le candidat. L\'emporte sur l\'id du recruteur saisi dans le nœud.',
      },
      helpType: 'number | string',
    },
    {
      name: 'job_id',
      input: 'id',
      msg: 'job_id',
      pattern: TALEEZ_ID,
      default: '',
      picker: 'jobs',
      icon: 'briefcase',
      label: { en: 'Job id', fr: 'Id de l\'offre' },
      placeholder: { en: 'optional, e.g. 5678', fr: 'facultatif, ex. 5678' },
      tip: {
        en: 'Optional: the <b>job</b> to add the candidate to. <code>msg.job_id</code> wins over this value.',
        fr: 'Facultatif : l\'<b>offre d\'emploi</b> à laquelle ajouter le candidat. <code>msg.job_id</code> l\'emporte sur cette valeur.',
      },
      help: {
        en: 'The Taleez job to add the candidate to. Wins over the Job id set in the node.',
        fr: 'L\'offre d\'emploi Taleez à laquelle ajouter le candidat. L\'emporte sur l\'id de l\'offre saisi dans le nœud.',
      },
      helpType: 'number | string',
    },
    {
      name: 'pool_ids',
      input: 'ids',
      msg: 'pool_ids',
      pattern: TALEEZ_ID,
      default: '',
      picker: 'pools',
      icon: 'users',
      label: { en: 'Pool ids', fr: 'Ids des viviers' },
      placeholder: { en: 'optional, e.g. 12, 34', fr: 'facultatif, ex. 12, 34' },
      tip: {
        en: 'Optional: the talent <b>pools</b> to add the candidate to (ids separated by commas). <code>msg.pool_ids</code> wins over this value. If a step fails after the candidate was created, the node reports <code>PARTIAL_PUSH</code> with <code>msg.candidate_id</code>: pushing the profile again does only the missing steps, on that candidate.',
        fr: 'Facultatif : les <b>viviers</b> auxquels ajouter le candidat (ids séparés par des virgules). <code>msg.pool_ids</code> l\'emporte sur cette valeur. Si une étape échoue après la création du candidat, le nœud signale <code>PARTIAL_PUSH</code> avec <code>msg.candidate_id</code> : renvoyer le profil ne fait que les étapes manquantes, sur ce candidat.',
      },
      help: {
        en: 'The talent pools to add the candidate to: an array such as <code>[12, 34]</code>, or a string such as <code>"12, 34"</code>. Wins over the Pool ids set in the node.',
        fr: 'Les viviers auxquels ajouter le candidat : un tableau comme <code>[12, 34]</code>, ou un texte comme <code>"12, 34"</code>. L\'emporte sur les ids de viviers saisis dans le nœud.',
      },
      helpType: 'array | string',
    },
  ],
  errors: [...PUSH_ERRORS, ErrorCodes.PARTIAL_PUSH],
  lists: {
    jobs: { en: 'Jobs', fr: 'Offres d\'emploi' },
    pools: { en: 'Talent pools', fr: 'Viviers' },
  },
  outputLabel: { en: 'Taleez candidate', fr: 'Candidat Taleez' },
  update: {
    en: `<b>Update</b>: <code>POST /candidates/{id}</code> with ${TALEEZ_UPDATE_FIELDS.map((f) => `<code>${f}</code>`).join(', ')} from the current mapping (the location only when it has a city, a country and coordinates; social links and location replace the candidate's). The language, source and recruiter stay as created; the CV, jobs and pools are not sent again. An e-mail already used by another candidate: <code>VENDOR_REJECTED</code>.`,
    fr: `<b>Mise à jour</b> : <code>POST /candidates/{id}</code> avec ${TALEEZ_UPDATE_FIELDS.map((f) => `<code>${f}</code>`).join(', ')} du contenu actuel (la localisation seulement avec une ville, un pays et des coordonnées ; liens sociaux et localisation remplacent ceux du candidat). Langue, source et recruteur restent ceux de la création ; CV, offres et viviers ne sont pas renvoyés. Un e-mail déjà pris par un autre candidat : <code>VENDOR_REJECTED</code>.`,
  },
};

/** Taleez takes PDF CVs only: any other document is INVALID_PROFILE before the create. */
const TALEEZ_CV_TYPES: readonly CvKind[] = ['pdf'];

export const taleez: VendorModule<TaleezConfig, TaleezParams, TaleezCandidate> = {
  id: 'taleez',
  label: 'Taleez',
  description: taleezDescription,
  // Documented: 100 requests per minute.
  rateLimit: { perWindow: 100, windowMs: 60_000 },
  // None documented; if Taleez sends X-RateLimit-* they count in its own minute window, never per second.
  rateHeaders: (h) => ({ perWindow: h.limit, exhausted: h.remaining === 0, pauseMs: h.remaining === 0 ? h.resetMs : undefined }),
  connection: (config) => ({
    baseUrl: config.base_url || TALEEZ_DEFAULT_BASE_URL,
    headers: { [TALEEZ_SECRET_HEADER]: config.x_taleez_api_secret },
  }),
  readParams: (values) => ({
    recruiter_id: parseId(values.recruiter_id, 'recruiter id'),
    job_id: parseId(values.job_id, 'job id'),
    pool_ids: parseIds(values.pool_ids, 'pool id'),
  }),
  async testConnection(ctx) {
    const page = await ctx.http.request<TaleezPage<TaleezJob>>({ method: 'GET', url: urlPath('jobs'), params: { page: 0, pageSize: 1 }, step: 'test_connection' });
    const total = page.data?.totalSize ?? page.data?.listSize ?? page.data?.list?.length;
    if (typeof total !== 'number' || !Array.isArray(page.data?.list)) throw unreadable('test_connection');
    return { detail: `${total} job${total === 1 ? '' : 's'} readable` };
  },
  lists: {
    jobs: async (ctx) =>
      (await readPages<TaleezJob>(ctx.http, 'jobs')).map((j) => ({
        id: String(j.id),
        title: text(j.label) ?? `#${j.id}`,
        ...(text(j.status) ? { status: text(j.status) } : {}),
      })),
    pools: async (ctx) =>
      (await readPages<TaleezPool>(ctx.http, 'pools')).map((p) => ({ id: String(p.id), title: text(p.name) ?? `#${p.id}` })),
  },
  secrets: (config) => [config.x_taleez_api_secret],
  secretHeaders: [TALEEZ_SECRET_HEADER],
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
    const body = { ...payload };
    if (body.recruiterId === undefined && ctx.params.recruiter_id !== undefined) body.recruiterId = ctx.params.recruiter_id;
    // The CV is fetched and checked (PDF only) before the create: a CV that cannot be sent creates nothing.
    const cv = await downloadCv(ctx, TALEEZ_CV_TYPES, 'Taleez');
    try {
      const created = await createOnce<{ id?: string | number }>(
        ctx.http,
        { method: 'POST', url: urlPath('candidates'), headers: { 'Content-Type': 'application/json' }, data: body, step: 'create' },
        { readId: (d) => d.id, lookup: body.mail ? () => findByMail(ctx, body.mail as string) : undefined },
      );
      const candidateId = created.candidateId as string;
      const { steps } = await runLaterSteps('Taleez', candidateId, [createStep(created)], laterSteps(ctx, candidateId, async () => cv));
      return { candidateId, response: created.response?.data ?? { id: candidateId, recovered: true }, statusCode: created.response?.status, steps };
    } finally {
      cv?.release();
    }
  },
  // A PARTIAL_PUSH finished: the CV upload (downloaded now), job and pool steps not done yet, on the recorded candidate.
  finish: (ctx, _payload, done) => finishLaterSteps('Taleez', done, laterSteps(ctx, done.candidateId, () => downloadCv(ctx, TALEEZ_CV_TYPES, 'Taleez'))),
  // No archive: Taleez's API has no candidate archive or delete (UNSUPPORTED).
  update: (ctx, candidateId, payload) => candidateRequest(ctx.http, candidateId, 'update', { method: 'POST', url: urlPath('candidates', encodeURIComponent(candidateId)), data: taleezUpdate(payload) }),
};

type TaleezContext = PushContext<TaleezConfig, TaleezParams>;

/** The steps after the create, in order: the CV, the job (when a job id is given), the pools (when pool ids are). */
function laterSteps(ctx: TaleezContext, candidateId: string, cv: () => Promise<CvFile | undefined>): LaterStep[] {
  const steps = [cvStep('upload_cv', cv, (file) => uploadCv(ctx, candidateId, file))];
  const jobId = ctx.params.job_id;
  if (jobId !== undefined) steps.push({ step: 'add_to_job', run: () => assign(ctx, candidateId, 'jobs', [jobId]) });
  const poolIds = ctx.params.pool_ids ?? [];
  if (poolIds.length) steps.push({ step: 'add_to_pools', run: () => assign(ctx, candidateId, 'pools', poolIds) });
  return steps;
}

/** After a lost answer: Taleez's mail is unique per company, so a candidate with it is the one just created. */
async function findByMail(ctx: TaleezContext, mail: string): Promise<string | undefined> {
  const res = await ctx.http.request<{ list?: Array<{ id?: number | string; mail?: string }> }>({
    method: 'GET',
    url: urlPath('candidates'),
    params: { mail },
    step: 'lookup',
  });
  const found = (res.data?.list ?? []).find((c) => c.mail?.toLowerCase() === mail.toLowerCase());
  return found?.id === undefined || found.id === null ? undefined : String(found.id);
}

async function uploadCv(ctx: TaleezContext, candidateId: string, cv: CvFile | undefined): Promise<PushStep> {
  if (!cv) return { step: 'upload_cv', status: 'skipped', detail: 'the profile has no resume or original attachment' };
  const form = multipartBody([{ name: 'file', value: cv.data, fileName: cv.fileName, contentType: cv.contentType }]);
  const res = await ctx.http.request({
    method: 'POST',
    url: urlPath('documents'),
    params: { candidateId, cv: true },
    headers: { 'Content-Type': form.contentType },
    data: form.data,
    step: 'upload_cv',
  });
  expectJsonObject(ctx.http, res, 'upload_cv');
  return { step: 'upload_cv', status: 'done', statusCode: res.status, detail: cv.fileName };
}

async function assign(ctx: TaleezContext, candidateId: string, kind: 'jobs' | 'pools', ids: number[]): Promise<PushStep> {
  const res = await ctx.http.request({
    method: 'POST',
    url: urlPath('candidates', encodeURIComponent(candidateId), kind),
    headers: { 'Content-Type': 'application/json' },
    data: { ids },
    // Adding to a job or pool twice does not duplicate anything: safe to repeat.
    idempotent: true,
    step: kind === 'jobs' ? 'add_to_job' : 'add_to_pools',
  });
  return { step: kind === 'jobs' ? 'add_to_job' : 'add_to_pools', status: 'done', statusCode: res.status, detail: ids.join(', ') };
}

/** A page of Taleez's `JobList` / `PoolList`. */
interface TaleezPage<T> {
  page?: number;
  pageSize?: number;
  listSize?: number;
  totalSize?: number;
  list?: T[];
}
interface TaleezJob {
  id: number | string;
  label?: string | null;
  status?: string | null;
}
interface TaleezPool {
  id: number | string;
  name?: string | null;
}

/** Most items a picker offers. */
const MAX_ITEMS = 200;
/** Taleez's largest page. */
const PAGE_SIZE = 100;

function unreadable(step: string): ConnectorError {
  return new ConnectorError(ErrorCodes.VENDOR_UNAVAILABLE, 'Taleez answered with something that is not a list', { vendor: 'taleez', step });
}

/** GET /jobs or /pools page by page (100 a page), up to MAX_ITEMS items. */
async function readPages<T extends { id: unknown }>(http: HttpClient, what: 'jobs' | 'pools'): Promise<T[]> {
  const items: T[] = [];
  for (let page = 0; items.length < MAX_ITEMS; page++) {
    const res = await http.request<TaleezPage<T>>({ method: 'GET', url: urlPath(what), params: { page, pageSize: PAGE_SIZE }, step: `list_${what}` });
    const list = res.data?.list;
    if (!Array.isArray(list)) throw unreadable(`list_${what}`);
    // One by one, and no more than a picker shows (a server may send a page far larger than asked for).
    for (const i of list) {
      if (items.length >= MAX_ITEMS) break;
      if (i && (typeof i.id === 'number' || typeof i.id === 'string')) items.push(i);
    }
    if (list.length < PAGE_SIZE) break;
  }
  return items.slice(0, MAX_ITEMS);
}
