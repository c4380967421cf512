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
import { urlPath, type HttpClient } from '../core/http';
import { PUSH_ERRORS, type VendorDescription } from './description';
import { candidateRequest, createStep, joinUrl, pickFields, type PushContext, type PushResult, type PushStep, type VendorModule } from './types';

/**
 * What an update sends: Flatchr documents no route that changes an applicant's fields, only "meta information" added
 * to the candidate named by its mail (POST /company/{company}/search/candidate, CVthèque Premium): `value` holds these
 * fields of the current mapping.
 */
export const FLATCHR_UPDATE_FIELDS = ['firstname', 'lastname', 'email', 'phone', 'urls', 'comment'] as const;

/** The `app_name` of the meta information this package adds. */
const APP_NAME = 'HrFlow.ai for Node-RED';

/** The company id an update or an archive needs (every route of Flatchr's API is per company). */
function companyOf(ctx: PushContext<FlatchrConfig, FlatchrParams>, what: string): string {
  const company = text(ctx.config.company);
  if (!company) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `type the company id in the account: Flatchr's ${what} route is per company`, { vendor: 'flatchr' });
  return company;
}

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

/** What the editor, the locales, the help and the admin endpoints know about Flatchr. */
export const flatchrDescription: VendorDescription = {
  color: '#8FB5E3',
  docsUrl: 'https://developers.flatchr.io/en/docs/QuickStart/Candidats/Creer_un_candidat',
  account: {
    color: '#8FB5E3',
    docsUrl: 'https://developers.flatchr.io/en/docs/getting_started',
    test: {
      en: 'reads the company\'s vacancies with the API key (<code>GET /company/{company}/vacancies</code> on the API URL): nothing is created. Without a company id, the key cannot be checked (Flatchr\'s reads are per company).',
      fr: 'lit les annonces de l\'entreprise avec la clé API (<code>GET /company/{company}/vacancies</code> sur l\'URL de l\'API) : rien n\'est créé. Sans id d\'entreprise, la clé ne peut pas être vérifiée (les lectures Flatchr se font par entreprise).',
    },
    fields: [
      {
        name: 'auth',
        input: 'password',
        credential: true,
        required: true,
        icon: 'key',
        label: { en: 'API key', fr: 'Clé API' },
        placeholder: { en: 'API key (or ${FLATCHR_API_KEY})', fr: 'clé API (ou ${FLATCHR_API_KEY})' },
        tip: {
          en: 'Create the <b>API key</b> in Flatchr under Paramètres avancés › Avancés › API. Flatchr keys <b>expire after 365 days</b>: renew it here before then. It is stored encrypted and never exported with the flow. Type <code>${ENV_VAR}</code> to read it from an environment variable.',
          fr: 'Créez la <b>clé API</b> dans Flatchr, rubrique Paramètres avancés › Avancés › API. Les clés Flatchr <b>expirent au bout de 365 jours</b> : renouvelez-la ici avant. Elle est stockée chiffrée et n\'est jamais exportée avec le flux. Saisissez <code>${ENV_VAR}</code> pour la lire dans une variable d\'environnement.',
        },
        help: {
          en: 'A Flatchr API key, generated in Flatchr under Paramètres avancés › Avancés › API. It is sent as <code>Authorization: Bearer …</code> and as the <code>token</code> Flatchr\'s create route requires. Flatchr keys expire 365 days after they were created (Flatchr warns 15 days before): generate a new one and type it here in time, or every push fails with <code>AUTH_FAILED</code>.',
          fr: 'Une clé API Flatchr, générée dans Flatchr (Paramètres avancés › Avancés › API). Elle est envoyée dans <code>Authorization: Bearer …</code> et comme <code>token</code>, que la route de création de Flatchr exige. Les clés Flatchr expirent 365 jours après leur création (Flatchr prévient 15 jours avant) : générez-en une nouvelle et saisissez-la ici à temps, sinon chaque envoi échoue avec <code>AUTH_FAILED</code>.',
        },
      },
      {
        name: 'company',
        input: 'text',
        default: '',
        icon: 'building',
        label: { en: 'Company id', fr: 'Id de l\'entreprise' },
        placeholder: { en: 'optional: needed to look up applicant ids', fr: 'facultatif : requis pour retrouver l\'id des candidats' },
        tip: {
          en: 'Your Flatchr company id (the <code>companyId</code> of Flatchr\'s API routes; ask Flatchr if you do not know it). Needed when a push node looks up the applicant id after creating it, and by Test connection and the vacancy list.',
          fr: 'L\'id de votre entreprise Flatchr (le <code>companyId</code> des routes de l\'API Flatchr ; demandez-le à Flatchr si vous ne le connaissez pas). Requis quand un nœud d\'envoi retrouve l\'id du candidat après sa création, ainsi que pour Tester la connexion et la liste des annonces.',
        },
        help: {
          en: 'Your Flatchr company id (the <code>companyId</code> in Flatchr\'s API routes). Creating candidates does not need it; the applicant lookup, Test connection and the vacancy list do, because Flatchr\'s reads are per company.',
          fr: 'L\'id de votre entreprise Flatchr (le <code>companyId</code> des routes de l\'API Flatchr). La création de candidats n\'en a pas besoin ; la recherche de l\'id du candidat, Tester la connexion et la liste des annonces, si : les lectures Flatchr se font par entreprise.',
        },
      },
      {
        name: 'careers_url',
        input: 'url',
        required: true,
        default: FLATCHR_DEFAULT_CAREERS_URL,
        icon: 'globe',
        label: { en: 'Careers URL', fr: 'URL carrières' },
        placeholder: { en: FLATCHR_DEFAULT_CAREERS_URL, fr: FLATCHR_DEFAULT_CAREERS_URL },
        tip: {
          en: `Candidates are created on the <b>careers</b> host (<code>${FLATCHR_DEFAULT_CAREERS_URL}</code>). Change it only to point at a test server or a local sandbox.`,
          fr: `Les candidats sont créés sur l'hôte <b>carrières</b> (<code>${FLATCHR_DEFAULT_CAREERS_URL}</code>). Ne le changez que pour viser un serveur de test ou un bac à sable local.`,
        },
        help: {
          en: `The host that creates candidates (default <code>${FLATCHR_DEFAULT_CAREERS_URL}</code>): candidates are posted to <code>/vacancy/candidate/json</code> under it (<code>/vacancy/candidate/test</code> in test mode).`,
          fr: `L'hôte qui crée les candidats (par défaut <code>${FLATCHR_DEFAULT_CAREERS_URL}</code>) : les candidats sont envoyés à <code>/vacancy/candidate/json</code> sous cette adresse (<code>/vacancy/candidate/test</code> en mode test).`,
        },
      },
      {
        name: 'base_url',
        input: 'url',
        required: true,
        default: FLATCHR_DEFAULT_BASE_URL,
        icon: 'globe',
        label: { en: 'API URL', fr: 'URL de l\'API' },
        placeholder: { en: FLATCHR_DEFAULT_BASE_URL, fr: FLATCHR_DEFAULT_BASE_URL },
        tip: {
          en: `The applicant lookup, Test connection and the vacancy list use the <b>API</b> host (<code>${FLATCHR_DEFAULT_BASE_URL}</code>). Change it only to point at a test server or a local sandbox.`,
          fr: `La recherche de l'id du candidat, Tester la connexion et la liste des annonces passent par l'hôte de l'<b>API</b> (<code>${FLATCHR_DEFAULT_BASE_URL}</code>). Ne le changez que pour viser un serveur de test ou un bac à sable local.`,
        },
        help: {
          en: `The host of every other Flatchr route: the applicant lookup, Test connection and the vacancy list. The default is <code>${FLATCHR_DEFAULT_BASE_URL}</code>.`,
          fr: `L'hôte de toutes les autres routes Flatchr : recherche de l'id du candidat, Tester la connexion et liste des annonces. Par défaut : <code>${FLATCHR_DEFAULT_BASE_URL}</code>.`,
        },
      },
    ],
  },
  params: [
    {
      name: 'vacancy',
      input: 'text',
      msg: 'vacancy',
      default: '',
      picker: 'jobs',
      icon: 'briefcase',
      label: { en: 'Vacancy', fr: 'Annonce' },
      placeholder: { en: 'vacancy slug; empty: use msg.vacancy', fr: 'slug de l\'annonce ; vide : msg.vacancy' },
      tip: {
        en: 'The <b>slug</b> of the Flatchr vacancy the candidate applies to, for example <code>a1b2c3d4e5-developer-h-f</code>. <code>msg.vacancy</code>, when the message has it, wins over this value; one of them must be set.',
        fr: 'Le <b>slug</b> de l\'annonce Flatchr à laquelle le candidat postule, par exemple <code>a1b2c3d4e5-developer-h-f</code>. <code>msg.vacancy</code>, s\'il est présent dans le message, l\'emporte sur cette valeur ; l\'un des deux est obligatoire.',
      },
      help: {
        en: 'The slug of the Flatchr vacancy the candidate applies to. Wins over the Vacancy set in the node.',
        fr: 'Le slug de l\'annonce Flatchr à laquelle le candidat postule. L\'emporte sur l\'annonce saisie dans le nœud.',
      },
      helpType: 'string',
    },
    {
      name: 'cv_mode',
      input: 'select',
      default: 'link',
      options: [
        { value: 'link', label: { en: 'Link to the CV', fr: 'Lien vers le CV' } },
        { value: 'document', label: { en: 'Send the file', fr: 'Envoyer le fichier' } },
      ],
      icon: 'file-text-o',
      label: { en: 'CV', fr: 'CV' },
      tip: {
        en: 'Flatchr requires a CV: a profile without a <code>resume</code> or <code>original</code> attachment is refused. <b>Link</b> sends the attachment\'s public URL; <b>Send the file</b> downloads it from HrFlow.ai and sends it base64.',
        fr: 'Flatchr exige un CV : un profil sans pièce jointe <code>resume</code> ou <code>original</code> est refusé. <b>Lien</b> envoie l\'URL publique de la pièce jointe ; <b>Envoyer le fichier</b> la télécharge depuis HrFlow.ai et l\'envoie en base64.',
      },
    },
    {
      name: 'test_mode',
      input: 'checkbox',
      default: false,
      dryRun: true,
      icon: 'flask',
      label: { en: 'Test mode', fr: 'Mode test' },
      tip: {
        en: 'Test mode: send to Flatchr\'s <code>/vacancy/candidate/test</code> route; nothing is created.',
        fr: 'Mode test : envoi sur la route <code>/vacancy/candidate/test</code> de Flatchr ; rien n\'est créé.',
      },
    },
    {
      name: 'lookup_id',
      input: 'checkbox',
      default: false,
      requiresAccountField: 'company',
      icon: 'search',
      label: { en: 'Applicant id', fr: 'Id du candidat' },
      tip: {
        en: 'Look up the applicant id by email after creation. Flatchr\'s answer carries <b>no candidate id</b>: when ticked, the node searches the applicant by email after creating it and sets <code>msg.candidate_id</code> when found. Needs the <b>company id</b> in the account; skipped in test mode.',
        fr: 'Retrouver l\'id du candidat par son e-mail après la création. La réponse de Flatchr ne contient <b>aucun id de candidat</b> : si la case est cochée, le nœud cherche le candidat par son e-mail après l\'avoir créé et renseigne <code>msg.candidate_id</code> s\'il le trouve. Requiert l\'<b>id de l\'entreprise</b> dans le compte ; ignoré en mode test.',
      },
    },
  ],
  errors: [...PUSH_ERRORS],
  lists: {
    jobs: { en: 'Vacancies', fr: 'Annonces' },
  },
  outputLabel: { en: 'Flatchr applicant', fr: 'Candidat Flatchr' },
  update: {
    en: `<b>Update</b>: Flatchr documents no route that changes an applicant's own fields. The node adds the current mapping (${FLATCHR_UPDATE_FIELDS.map((f) => `<code>${f}</code>`).join(', ')}) as <b>meta information</b> of the candidate named by its e-mail (<code>POST /company/{company}/search/candidate</code>, a <b>CVthèque Premium</b> feature): the applicant's name, e-mail and CV shown in the vacancy do not change. Needs the company id, and the applicant id recorded by <b>Look up id</b> (without it, a profile already pushed is <code>ALREADY_PUSHED</code>).`,
    fr: `<b>Mise à jour</b> : Flatchr ne documente aucune route qui modifie les champs d'un candidat. Le nœud ajoute le contenu actuel (${FLATCHR_UPDATE_FIELDS.map((f) => `<code>${f}</code>`).join(', ')}) comme <b>meta informations</b> du candidat désigné par son e-mail (<code>POST /company/{company}/search/candidate</code>, une fonction <b>CVthèque Premium</b>) : nom, e-mail et CV du candidat dans l'annonce ne changent pas. Il faut l'id d'entreprise, et l'id de candidat enregistré grâce à <b>Retrouver l'id</b> (sans lui, un profil déjà envoyé donne <code>ALREADY_PUSHED</code>).`,
  },
  archive: {
    en: '<b>Archive</b>: <code>DELETE /company/{company}/vacancy/{vacancy id}/applicant/{applicant id}</code> archives the applicant in the vacancy (the vacancy id is read from the company\'s vacancies by its slug). Needs the company id and the applicant id recorded by <b>Look up id</b> (without it: <code>NOT_PUSHED</code>).',
    fr: '<b>Archivage</b> : <code>DELETE /company/{company}/vacancy/{id de l\'annonce}/applicant/{id du candidat}</code> archive le candidat dans l\'annonce (l\'id de l\'annonce est lu dans les annonces de l\'entreprise d\'après son slug). Il faut l\'id d\'entreprise et l\'id de candidat enregistré grâce à <b>Retrouver l\'id</b> (sans lui : <code>NOT_PUSHED</code>).',
  },
};

/** How Flatchr's booleans arrive from the editor (true or "true"). */
const on = (v: unknown) => v === true || v === 'true';

/** Most items a picker offers. */
const MAX_ITEMS = 200;

/** A vacancy of GET /company/{companyId}/vacancies (developers.flatchr.io, "Récupérer l'ensemble de vos annonces"). */
interface FlatchrVacancy {
  id?: string;
  vacancy_id?: string | number;
  slug?: string | null;
  reference?: string | null;
  title?: string | null;
  status?: number | string | null;
}

/** The company's vacancies (Flatchr's reads are per company: INVALID_CONFIG without its id). */
async function readVacancies(http: HttpClient, company: string, step: string): Promise<FlatchrVacancy[]> {
  if (!text(company)) {
    throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'type the company id in the account: Flatchr lists vacancies per company', { vendor: 'flatchr', step });
  }
  const res = await http.request<FlatchrVacancy[] | { items?: FlatchrVacancy[] }>({
    method: 'GET',
    url: urlPath('company', encodeURIComponent(company.trim()), 'vacancies'),
    step,
  });
  const list = Array.isArray(res.data) ? res.data : Array.isArray(res.data?.items) ? res.data.items : undefined;
  if (!list) throw new ConnectorError(ErrorCodes.VENDOR_UNAVAILABLE, 'Flatchr answered with something that is not a list of vacancies', { vendor: 'flatchr', step });
  return list.filter((v) => v && typeof v === 'object');
}

/** CV documents Flatchr takes in document mode (read from the bytes; anything else is INVALID_PROFILE before the create). */
const FLATCHR_CV_TYPES: readonly CvKind[] = ['pdf', 'doc', 'docx', 'odt', 'rtf'];

export const flatchr: VendorModule<FlatchrConfig, FlatchrParams, FlatchrPayload> = {
  id: 'flatchr',
  label: 'Flatchr',
  description: flatchrDescription,
  // Bound to the API host (reads, lookup); the create routes are on the careers host, sent as absolute URLs.
  connection: (config) => ({
    baseUrl: config.base_url || FLATCHR_DEFAULT_BASE_URL,
    headers: { Authorization: `Bearer ${config.auth}` },
  }),
  readParams: (values) => ({
    vacancy: values.vacancy === undefined || values.vacancy === null ? '' : String(values.vacancy).trim(),
    test_mode: on(values.test_mode),
    cv_mode: values.cv_mode === 'document' ? 'document' : 'link',
    lookup_id: on(values.lookup_id),
  }),
  async testConnection(ctx) {
    if (!text(ctx.config.company)) {
      // Every read of Flatchr's API is per company, and the create routes would create (or dry-run) an applicant.
      if (!text(ctx.config.auth)) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the Flatchr API key is missing', { vendor: 'flatchr' });
      return { detail: 'API key present but not checked: type the company id to let Test connection read the vacancies (pushes do not need it)', offline: true };
    }
    const list = await readVacancies(ctx.http, ctx.config.company, 'test_connection');
    return { detail: `${list.length} vacanc${list.length === 1 ? 'y' : 'ies'} readable (company ${ctx.config.company.trim()})` };
  },
  lists: {
    // The push node's Vacancy field takes the slug: a vacancy without one cannot be picked.
    jobs: async (ctx) =>
      (await readVacancies(ctx.http, ctx.config.company, 'list_jobs'))
        .filter((v) => text(v.slug))
        .slice(0, MAX_ITEMS)
        .map((v) => ({
          id: text(v.slug) as string,
          title: text(v.title) ?? text(v.reference) ?? (text(v.slug) as string),
          ...(v.status === undefined || v.status === null ? {} : { status: String(v.status) }),
        })),
  },
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
  async update(ctx, candidateId, payload) {
    const company = companyOf(ctx, 'meta information');
    if (!text(payload.email)) {
      throw new ConnectorError(ErrorCodes.INVALID_PROFILE, 'Flatchr names the candidate to update by its e-mail, and the profile has none', { vendor: 'flatchr', fields: ['email'] });
    }
    return candidateRequest(ctx.http, candidateId, 'update', {
      method: 'POST',
      url: urlPath('company', encodeURIComponent(company), 'search', 'candidate'),
      data: { app_name: APP_NAME, reference: payload.email, type: 'applicants', value: pickFields(payload, FLATCHR_UPDATE_FIELDS) },
    });
  },
  async archive(ctx, candidateId) {
    const company = companyOf(ctx, 'archive');
    const slug = String(ctx.params.vacancy).trim();
    const vacancy = (await readVacancies(ctx.http, company, 'archive')).find((v) => text(v.slug) === slug && text(v.id));
    if (!vacancy) throw new ConnectorError(ErrorCodes.NOT_FOUND, `no vacancy with the slug "${slug}" in the Flatchr company: the applicant cannot be archived`, { vendor: 'flatchr', step: 'archive' });
    return candidateRequest(ctx.http, candidateId, 'archive', {
      method: 'DELETE',
      url: urlPath('company', encodeURIComponent(company), 'vacancy', encodeURIComponent(String(vacancy.id)), 'applicant', encodeURIComponent(candidateId)),
      gone: true,
    });
  },
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
      // The bound client adds the Authorization header.
      const headers = { 'Content-Type': 'application/json' };
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
  try {
    const res = await ctx.http.request<FlatchrApplicant[] | { items?: FlatchrApplicant[] }>({
      method: 'POST',
      url: urlPath('company', encodeURIComponent(ctx.config.company), 'search', 'applicants'),
      headers: { 'Content-Type': 'application/json' },
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
        // It exists (its id is not known): the ledger must not count this push as failed (a second create).
        outcomeUnknown: true,
      });
    }
    return { detail: `the lookup failed (${e?.code ?? 'error'}): ${e?.message ?? String(err)}` };
  }
}
