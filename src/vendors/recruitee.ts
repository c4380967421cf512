/**
 * Recruitee (ATS API).
 *
 * Request plan: POST {recruitee_endpoint}/{company_id}/candidates with `Authorization: Bearer`,
 * body {candidate, offers}. The CV goes as `remote_cv_url` (Recruitee downloads it): the `resume`
 * attachment's public URL, else the `original` one. A create whose answer was lost (or resumed after a stop)
 * is looked up: GET {recruitee_endpoint}/{company_id}/candidates created since it was sent, in its first
 * offer, matched by email (`findCandidate`), a few pages at most; never sent again blindly.
 *
 * Fixes over the Python reference (reference-spec §10): a profile without a `resume` attachment is
 * pushed with its `original` CV, or without CV, instead of failing (R1); no `[null]` emails, phones
 * or links (R2); `sources` only when HrFlow gives a source name (E11); `offers` omitted when empty.
 */
import { CLOCK_SKEW_MS, createOnce, createdSince } from '../push/create';
import { checkPayloadCvUrl } from '../push/files';
import { ConnectorError, ErrorCodes } from '../core/errors';
import { urlPath, type HttpClient } from '../core/http';
import { payloadValidator } from '../core/validate';
import { compact, cvAttachment, text, urls, type HrflowProfile } from '../hrflow/profile';
import { PUSH_ERRORS, type PickItem, type VendorDescription } from './description';
import { candidateRequest, createStep, pickFields, type PushContext, type PushResult, type VendorModule } from './types';

/** What an update sends under `candidate` (PATCH /candidates/{id}): not `sources` (kept as created), not `remote_cv_url` (the CV is not fetched again), not `offers`. */
export const RECRUITEE_UPDATE_FIELDS = ['name', 'emails', 'phones', 'social_links', 'links', 'cover_letter'] as const;

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

/** The account's auth header (its value is masked in every error text). */
const AUTH_HEADER = 'Authorization';

/** The longest list a picker shows. */
const MAX_ITEMS = 200;

/** Offer ids as the node takes them: whole numbers separated by commas (today's editor check). */
const OFFER_ID = '\\d+';

/** A path under the account's company: `{company_id}/...` (the endpoint already ends with `/c`). */
function companyPath(config: RecruiteeConfig, ...parts: string[]): string {
  return urlPath(encodeURIComponent(String(config.company_id ?? '').trim()), ...parts);
}

/** What the editor, the help and the admin endpoints know about Recruitee. */
export const recruiteeDescription: VendorDescription = {
  color: '#8FB5E3',
  docsUrl: 'https://docs.recruitee.com/reference',
  account: {
    color: '#8FB5E3',
    docsUrl: 'https://docs.recruitee.com/reference',
    test: {
      en: 'reads the company\'s offers with the API token (<code>GET /c/{company_id}/offers</code>): nothing is created.',
      fr: 'lit les offres de l\'entreprise avec le jeton d\'API (<code>GET /c/{company_id}/offers</code>) : rien n\'est créé.',
    },
    fields: [
      {
        name: 'company_id',
        input: 'text',
        required: true,
        icon: 'building',
        label: { en: 'Company id', fr: 'Id de l\'entreprise' },
        placeholder: { en: 'e.g. 123456 or your subdomain', fr: 'ex. 123456 ou votre sous-domaine' },
        tip: {
          en: 'The company id is the number after <code>company=</code> in the Recruitee app URL; the company subdomain also works.',
          fr: 'L\'id de l\'entreprise est le nombre qui suit <code>company=</code> dans l\'URL de l\'application Recruitee ; le sous-domaine de l\'entreprise fonctionne aussi.',
        },
        help: {
          en: 'Your Recruitee company id: the number after <code>company=</code> in the Recruitee app URL. The company subdomain also works.',
          fr: 'L\'id de votre entreprise dans Recruitee : le nombre qui suit <code>company=</code> dans l\'URL de l\'application Recruitee. Le sous-domaine de l\'entreprise fonctionne aussi.',
        },
        helpType: 'string',
      },
      {
        name: 'api_token',
        input: 'password',
        credential: true,
        required: true,
        icon: 'key',
        label: { en: 'API token', fr: 'Jeton d\'API' },
        placeholder: { en: 'personal API token (or ${RECRUITEE_TOKEN})', fr: 'jeton d\'API personnel (ou ${RECRUITEE_TOKEN})' },
        tip: {
          en: 'Create a <b>personal API token</b> in Recruitee under Settings › Apps and plugins › Personal API tokens. It is stored encrypted and never exported with the flow. Type <code>${ENV_VAR}</code> to read it from an environment variable.',
          fr: 'Créez un <b>jeton d\'API personnel</b> dans Recruitee, sous Settings › Apps and plugins › Personal API tokens. Il est stocké chiffré et n\'est jamais exporté avec le flux. Saisissez <code>${ENV_VAR}</code> pour le lire dans une variable d\'environnement.',
        },
        help: {
          en: 'A personal API token, created in Recruitee under Settings › Apps and plugins › Personal API tokens. It acts with the rights of the user who created it.',
          fr: 'Un jeton d\'API personnel, créé dans Recruitee sous Settings › Apps and plugins › Personal API tokens. Il agit avec les droits de l\'utilisateur qui l\'a créé.',
        },
        helpType: 'credential',
      },
      {
        name: 'recruitee_endpoint',
        input: 'url',
        default: RECRUITEE_ENDPOINTS.production,
        required: true,
        icon: 'globe',
        // Today's dialog: a choice of these two, or a custom URL (a local sandbox); the property holds the URL itself.
        options: [
          { value: RECRUITEE_ENDPOINTS.production, label: { en: 'Production', fr: 'Production' } },
          { value: RECRUITEE_ENDPOINTS.staging, label: { en: 'Staging', fr: 'Préproduction (staging)' } },
        ],
        label: { en: 'Endpoint', fr: 'Point d\'accès' },
        placeholder: { en: 'http://127.0.0.1:8790/recruitee/c', fr: 'http://127.0.0.1:8790/recruitee/c' },
        tip: {
          en: `Production is <code>${RECRUITEE_ENDPOINTS.production}</code>, staging is <code>${RECRUITEE_ENDPOINTS.staging}</code>. Use a custom URL for a local sandbox.`,
          fr: `La production est <code>${RECRUITEE_ENDPOINTS.production}</code>, la préproduction <code>${RECRUITEE_ENDPOINTS.staging}</code>. Saisissez une autre URL pour un bac à sable local.`,
        },
        help: {
          en: `Production (<code>${RECRUITEE_ENDPOINTS.production}</code>, the default), Staging (<code>${RECRUITEE_ENDPOINTS.staging}</code>), or a custom URL, for example a local sandbox such as <code>http://127.0.0.1:8790/recruitee/c</code>. The company id is added after it.`,
          fr: `Production (<code>${RECRUITEE_ENDPOINTS.production}</code>, par défaut), préproduction (<code>${RECRUITEE_ENDPOINTS.staging}</code>), ou une autre URL, par exemple un bac à sable local comme <code>http://127.0.0.1:8790/recruitee/c</code>. L'id de l'entreprise est ajouté à la suite.`,
        },
        helpType: 'string',
      },
    ],
  },
  params: [
    {
      name: 'offer_ids',
      input: 'ids',
      default: '',
      msg: 'offer_ids',
      pattern: OFFER_ID,
      icon: 'briefcase',
      picker: 'jobs',
      label: { en: 'Offer ids', fr: 'Ids des offres' },
      placeholder: { en: 'optional, e.g. 123, 456', fr: 'facultatif, ex. 123, 456' },
      tip: {
        en: 'Ids of the jobs or talent pools (offers) to add the candidate to, separated by commas. Leave empty to create the candidate without an offer. <code>msg.offer_ids</code>, when the message has it, wins.',
        fr: 'Ids des offres d\'emploi ou des viviers (offres) auxquels ajouter le candidat, séparés par des virgules. Laissez vide pour créer le candidat sans offre. <code>msg.offer_ids</code>, quand le message en a, l\'emporte.',
      },
      help: {
        en: 'The Recruitee offers (jobs or talent pools) to add the candidate to: ids separated by commas (<code>"123, 456"</code>) or an array of numbers. Win over the Offer ids set in the node.',
        fr: 'Les offres Recruitee (offres d\'emploi ou viviers) auxquelles ajouter le candidat : des ids séparés par des virgules (<code>"123, 456"</code>) ou un tableau de nombres. L\'emportent sur les ids d\'offres saisis dans le nœud.',
      },
      helpType: 'array | string',
    },
  ],
  // No CV download (Recruitee fetches remote_cv_url itself), one request: no TIMEOUT of a CV, no PARTIAL_PUSH.
  errors: [...PUSH_ERRORS],
  lists: { jobs: { en: 'Offers (jobs and talent pools)', fr: 'Offres (offres d\'emploi et viviers)' } },
  outputLabel: { en: 'Recruitee candidate', fr: 'Candidat Recruitee' },
  update: {
    en: `<b>Update</b>: <code>PATCH /c/{company_id}/candidates/{id}</code> with <code>{candidate: {…}}</code>: ${RECRUITEE_UPDATE_FIELDS.map((f) => `<code>${f}</code>`).join(', ')} from the current mapping (each list replaces the candidate's). The sources, the CV and the offers are not sent again.`,
    fr: `<b>Mise à jour</b> : <code>PATCH /c/{company_id}/candidates/{id}</code> avec <code>{candidate: {…}}</code> : ${RECRUITEE_UPDATE_FIELDS.map((f) => `<code>${f}</code>`).join(', ')} du contenu actuel (chaque liste remplace celle du candidat). Les sources, le CV et les offres ne sont pas renvoyés.`,
  },
  archive: {
    en: '<b>Archive</b>: Recruitee\'s API offers no candidate archive: <code>DELETE /c/{company_id}/candidates/{id}</code> <b>deletes</b> the candidate (a candidate already gone counts as archived).',
    fr: '<b>Archivage</b> : l\'API de Recruitee n\'offre pas d\'archivage de candidat : <code>DELETE /c/{company_id}/candidates/{id}</code> <b>supprime</b> le candidat (un candidat déjà absent compte comme archivé).',
  },
};

interface OfferBrief {
  id?: number | string;
  title?: string;
  status?: string;
  kind?: string;
}

/** `GET /c/{company_id}/offers` (brief view); an answer without its `offers` list is not Recruitee's. */
async function readOffers(http: HttpClient, config: RecruiteeConfig): Promise<OfferBrief[]> {
  const res = await http.request<{ offers?: OfferBrief[] }>({
    method: 'GET',
    url: companyPath(config, 'offers'),
    params: { scope: 'not_archived', view_mode: 'brief' },
    step: 'read_offers',
  });
  const d = res.data;
  if (!d || typeof d !== 'object' || Buffer.isBuffer(d) || !Array.isArray(d.offers)) {
    throw new ConnectorError(
      ErrorCodes.VENDOR_UNAVAILABLE,
      `recruitee answered ${res.status} to GET offers with something that is not an offer list (${http.redact.excerpt(d, 120) || 'empty answer'}): check the endpoint`,
      { vendor: 'recruitee', step: 'read_offers', statusCode: res.status },
    );
  }
  return d.offers;
}

/** The account's company id and token, checked before any request (Test connection with an empty field). */
function checkAccount(config: RecruiteeConfig): void {
  if (!text(config.api_token)) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the Recruitee API token is missing in the account', { vendor: 'recruitee' });
  if (!text(config.company_id)) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the Recruitee company id is missing in the account', { vendor: 'recruitee' });
}

export const recruitee: VendorModule<RecruiteeConfig, RecruiteeParams, RecruiteePayload> = {
  id: 'recruitee',
  label: 'Recruitee',
  description: recruiteeDescription,
  connection: (config) => ({
    baseUrl: text(config.recruitee_endpoint) ?? RECRUITEE_ENDPOINTS.production,
    headers: { [AUTH_HEADER]: `Bearer ${config.api_token}` },
  }),
  readParams: (values) => ({ offer_ids: parseOfferIds(values.offer_ids) }),
  async testConnection({ http, config }) {
    checkAccount(config);
    const offers = await readOffers(http, config);
    return { detail: `company ${String(config.company_id).trim()}: ${offers.length} offer${offers.length === 1 ? '' : 's'} readable` };
  },
  lists: {
    async jobs({ http, config }): Promise<PickItem[]> {
      checkAccount(config);
      const items: PickItem[] = [];
      const seen = new Set<string>();
      for (const offer of await readOffers(http, config)) {
        // The node takes whole numbers: anything else could not be picked.
        const id = typeof offer?.id === 'number' || typeof offer?.id === 'string' ? String(offer.id).trim() : '';
        if (!/^\d+$/.test(id) || seen.has(id)) continue;
        seen.add(id);
        const kind = offer.kind === 'talent_pool' ? 'talent pool' : undefined;
        const status = [text(offer.status), kind].filter(Boolean).join(', ');
        items.push({ id, title: text(offer.title) ?? id, ...(status ? { status } : {}) });
        if (items.length >= MAX_ITEMS) break;
      }
      return items;
    },
  },
  secrets: (config) => [config.api_token],
  secretHeaders: [AUTH_HEADER],
  checkConfig: (config) => checkAccount(config),
  defaultPayload: (profile, params) => recruiteePayload(profile, params),
  validate: payloadValidator('Recruitee', recruiteeSchema as unknown as Record<string, unknown>, {
    'candidate.name': 'info.full_name (or info.first_name and info.last_name)',
  }),
  async push(ctx, payload): Promise<PushResult> {
    const body = { ...payload };
    // Recruitee downloads the CV itself: only an http(s) URL without credentials is handed over.
    if (body.candidate?.remote_cv_url !== undefined) {
      body.candidate = { ...body.candidate, remote_cv_url: checkPayloadCvUrl(body.candidate.remote_cv_url, 'candidate.remote_cv_url', ctx.profile, 'recruitee', ctx.cv ?? {}) };
    }
    // msg.offer_ids / the node's offers win over a formatted payload without offers.
    if (!body.offers && ctx.params.offer_ids?.length) body.offers = ctx.params.offer_ids;
    // A lost answer (or a create resumed after a stop) is looked up among the candidates created since, by email.
    const emails = payloadEmails(body);
    const created = await createOnce<{ candidate?: { id?: number } }>(
      ctx.http,
      {
        method: 'POST',
        url: companyPath(ctx.config, 'candidates'),
        headers: { 'Content-Type': 'application/json' },
        data: body,
        step: 'create',
      },
      { readId: (d) => d.candidate?.id, lookup: emails.length ? (sentAt) => findCandidate(ctx, emails, body.offers?.[0], sentAt) : undefined },
    );
    // Recruitee ids are integers; anything else is passed on as it came, never as NaN.
    const { candidateId } = numericId({ candidateId: String(created.candidateId) });
    return {
      candidateId,
      response: created.response?.data ?? { candidate: { id: candidateId }, recovered: true },
      statusCode: created.response?.status,
      steps: [
        createStep(created),
        body.candidate.remote_cv_url
          ? { step: 'cv', status: 'done', detail: 'sent as remote_cv_url' }
          : { step: 'cv', status: 'skipped', detail: 'the profile has no resume or original attachment' },
      ],
    };
  },
  update: async (ctx, candidateId, payload) =>
    numericId(await candidateRequest(ctx.http, candidateId, 'update', { method: 'PATCH', url: companyPath(ctx.config, 'candidates', candidateId), data: { candidate: pickFields(payload.candidate, RECRUITEE_UPDATE_FIELDS) } })),
  archive: async (ctx, candidateId) => numericId(await candidateRequest(ctx.http, candidateId, 'archive', { method: 'DELETE', url: companyPath(ctx.config, 'candidates', candidateId), gone: true })),
};

/** Recruitee's candidate ids are integers: a result's id as a number (as a create answers it) when it is one. */
function numericId<R extends { candidateId?: string | number }>(result: R): R {
  const id = String(result.candidateId);
  return { ...result, candidateId: /^\d+$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : result.candidateId };
}

/** Candidates the lookup reads a page at a time (Recruitee's `limit`: default 100, at most 1000). */
export const LOOKUP_PAGE_SIZE = 100;
/** The most pages the lookup reads: past them it cannot tell, and says so (never a blind re-send). */
export const LOOKUP_MAX_PAGES = 3;

/** A candidate as `GET /c/{company_id}/candidates` lists it (the fields the lookup reads). */
export interface RecruiteeListedCandidate {
  id?: number | string | null;
  emails?: unknown;
  created_at?: string | null;
  placements?: unknown;
}

/** An e-mail as Recruitee compares them: trimmed, case-insensitive. */
function mailKey(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim().toLowerCase() : undefined;
}

/** The payload's e-mails (a user format may have changed them), as the lookup compares them. */
export function payloadEmails(payload: RecruiteePayload): string[] {
  const list = Array.isArray(payload.candidate?.emails) ? payload.candidate.emails : [];
  return [...new Set(list.map(mailKey).filter((e): e is string => e !== undefined))];
}

/** `created_after` as Recruitee's reference writes it (yyyy-mm-ddThh:mm:ss): UTC, whole seconds, rounded down. */
export function createdAfterParam(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
}

/**
 * Of the listed candidates, the one a create sent at `sentAt` made: one of its `emails` is one of the
 * payload's, it was created since (`createdSince`: an older candidate with the same e-mail is another
 * push's), and, when the push has an offer and the candidate lists its placements, it is placed in that
 * offer. The newest such candidate; undefined when none.
 */
export function matchCandidate(listed: readonly RecruiteeListedCandidate[], emails: readonly string[], sentAt: number, offerId?: number): string | undefined {
  const wanted = new Set(emails.map(mailKey).filter((e): e is string => e !== undefined));
  let best: { id: string; t: number } | undefined;
  for (const c of listed) {
    if (!c || typeof c !== 'object' || (typeof c.id !== 'number' && typeof c.id !== 'string') || String(c.id).trim() === '') continue;
    const mails = Array.isArray(c.emails) ? c.emails : [];
    if (!mails.some((m) => wanted.has(mailKey(m) as string))) continue;
    if (!createdSince(c.created_at, sentAt)) continue;
    if (offerId !== undefined && Array.isArray(c.placements) && !c.placements.some((p) => p && String((p as { offer_id?: unknown }).offer_id) === String(offerId))) continue;
    const t = Date.parse(c.created_at as string);
    if (!best || t > best.t) best = { id: String(c.id).trim(), t };
  }
  return best?.id;
}

/**
 * After a lost answer: `GET /c/{company_id}/candidates` created since the create was sent (less the clock
 * skew), in the push's first offer when it has offers, a few pages at most. Found: its id. The whole list
 * read without it: undefined. More candidates than the pages read, none of them this push's: an error
 * (the push is then an OUTCOME_UNKNOWN, never sent again blindly).
 */
async function findCandidate(ctx: PushContext<RecruiteeConfig, RecruiteeParams>, emails: string[], offerId: number | undefined, sentAt: number): Promise<string | undefined> {
  const listed: RecruiteeListedCandidate[] = [];
  for (let page = 0; page < LOOKUP_MAX_PAGES; page++) {
    const res = await ctx.http.request<{ candidates?: RecruiteeListedCandidate[] }>({
      method: 'GET',
      url: companyPath(ctx.config, 'candidates'),
      params: {
        limit: LOOKUP_PAGE_SIZE,
        offset: page * LOOKUP_PAGE_SIZE,
        created_after: createdAfterParam(sentAt - CLOCK_SKEW_MS),
        ...(offerId !== undefined ? { offer_id: offerId } : {}),
      },
      step: 'lookup',
    });
    const d = res.data;
    if (!d || typeof d !== 'object' || Buffer.isBuffer(d) || !Array.isArray(d.candidates)) {
      throw new ConnectorError(
        ErrorCodes.VENDOR_UNAVAILABLE,
        `recruitee answered ${res.status} to GET candidates with something that is not a candidate list (${ctx.http.redact.excerpt(d, 120) || 'empty answer'})`,
        { vendor: 'recruitee', step: 'lookup', statusCode: res.status },
      );
    }
    for (const c of d.candidates) listed.push(c);
    if (d.candidates.length < LOOKUP_PAGE_SIZE) return matchCandidate(listed, emails, sentAt, offerId);
  }
  const found = matchCandidate(listed, emails, sentAt, offerId);
  if (found !== undefined) return found;
  throw new ConnectorError(
    ErrorCodes.VENDOR_UNAVAILABLE,
    `more than ${LOOKUP_MAX_PAGES * LOOKUP_PAGE_SIZE} candidates were created since the create was sent, none of them this push's: the lookup stopped there`,
    { vendor: 'recruitee', step: 'lookup' },
  );
}
