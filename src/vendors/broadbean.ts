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
import { resolveUrl, urlPath } from '../core/http';
import { PUSH_ERRORS, type VendorDescription } from './description';
import { type PushResult, type VendorModule } from './types';

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

const BROADBEAN_DOCS_URL = 'https://integrations.broadbean.com/hc/en-us/articles/115004599865-Sending-a-Candidate-in-';

/** What the editor, the locales, the help and the admin endpoints know about Broadbean. */
export const broadbeanDescription: VendorDescription = {
  color: '#8FB5E3',
  docsUrl: BROADBEAN_DOCS_URL,
  account: {
    color: '#8FB5E3',
    docsUrl: BROADBEAN_DOCS_URL,
    // An unnamed account reads "Broadbean <client id>" (the source id is the same for every client of an integration).
    labelField: 'client_id',
    test: {
      en: 'sends nothing: the Candidate Hub has no request that reads without sending a candidate. It checks that the source id, client id and secret key are there and that the request signature can be computed; the secret itself and the clock are checked only by a real push.',
      fr: 'n\'envoie rien : le Candidate Hub n\'a aucune requête de lecture qui n\'envoie pas de candidat. Le test vérifie que l\'id de source, l\'id client et la clé secrète sont renseignés et que la signature des requêtes peut être calculée ; la clé elle-même et l\'horloge ne sont vérifiées que par un vrai envoi.',
    },
    fields: [
      {
        name: 'source_id',
        input: 'text',
        required: true,
        default: '',
        icon: 'sign-in',
        label: { en: 'Source id', fr: 'Id de source' },
        placeholder: { en: 'Candidate Hub source id', fr: 'id de source du Candidate Hub' },
        help: {
          en: 'Your Candidate Hub source id. It is sent with every request (<code>X-CHUB-SOURCE</code>) and in the transaction, and it is part of the signature.',
          fr: 'Votre id de source Candidate Hub. Il est envoyé avec chaque requête (<code>X-CHUB-SOURCE</code>) et dans la transaction, et il entre dans la signature.',
        },
      },
      {
        name: 'client_id',
        input: 'text',
        required: true,
        default: '',
        icon: 'building',
        label: { en: 'Client id', fr: 'Id client' },
        placeholder: { en: 'your Broadbean client id', fr: 'votre id client Broadbean' },
        help: {
          en: 'The Broadbean client the candidates are sent to (the "candidate importer client mapper" id), sent in the transaction of every candidate.',
          fr: 'Le client Broadbean qui reçoit les candidats (l\'id « candidate importer client mapper »), envoyé dans la transaction de chaque candidat.',
        },
      },
      {
        name: 'secret_key',
        input: 'password',
        credential: true,
        required: true,
        icon: 'key',
        label: { en: 'Secret key', fr: 'Clé secrète' },
        placeholder: { en: 'secret key (or ${BROADBEAN_SECRET_KEY})', fr: 'clé secrète (ou ${BROADBEAN_SECRET_KEY})' },
        tip: {
          en: 'Veritone Hire (Broadbean) gives you the Candidate Hub <b>source id</b>, your <b>client id</b> and the <b>secret key</b>. The secret key signs every request (HMAC, valid 5 minutes): this machine\'s clock must be right. It is stored encrypted and never exported with the flow. Type <code>${ENV_VAR}</code> to read it from an environment variable.',
          fr: 'Veritone Hire (Broadbean) vous fournit l\'<b>id de source</b> du Candidate Hub, votre <b>id client</b> et la <b>clé secrète</b>. La clé secrète signe chaque requête (HMAC, valable 5 minutes) : l\'horloge de cette machine doit être juste. Elle est stockée chiffrée et n\'est jamais exportée avec le flux. Saisissez <code>${ENV_VAR}</code> pour la lire dans une variable d\'environnement.',
        },
        help: {
          en: 'The secret Veritone Hire gave you with the source id. It is never sent itself: it signs each request.',
          fr: 'Le secret que Veritone Hire vous a remis avec l\'id de source. Il n\'est jamais envoyé tel quel : il signe chaque requête.',
        },
      },
      {
        name: 'base_url',
        input: 'url',
        required: true,
        default: BROADBEAN_DEFAULT_BASE_URL,
        icon: 'globe',
        label: { en: 'Base URL', fr: 'URL de base' },
        placeholder: { en: BROADBEAN_DEFAULT_BASE_URL, fr: BROADBEAN_DEFAULT_BASE_URL },
        tip: {
          en: 'Leave the default for the Candidate Hub production API. Change it only to point at a test server or a local sandbox.',
          fr: 'Gardez la valeur par défaut pour l\'API de production du Candidate Hub. Ne la changez que pour viser un serveur de test ou un bac à sable local.',
        },
        help: {
          en: `Where the Candidate Hub lives. The default, <code>${BROADBEAN_DEFAULT_BASE_URL}</code>, is the production hub; the node posts to <code>/candidate</code> under it.`,
          fr: `L'adresse du Candidate Hub. Par défaut, <code>${BROADBEAN_DEFAULT_BASE_URL}</code>, le hub de production ; le nœud envoie à <code>/candidate</code> sous cette adresse.`,
        },
      },
    ],
  },
  params: [
    {
      name: 'job_id',
      input: 'text',
      msg: 'job_id',
      default: '',
      icon: 'briefcase',
      label: { en: 'Job id', fr: 'Id de l\'offre' },
      placeholder: { en: 'empty: use msg.job_id', fr: 'vide : msg.job_id' },
      tip: {
        en: 'The Broadbean job the candidate applies to (sent as the context <code>id</code>). <code>msg.job_id</code>, when the message has it, wins over this value; one of them must be set.',
        fr: 'L\'offre d\'emploi Broadbean à laquelle le candidat postule (envoyée comme <code>id</code> du contexte). <code>msg.job_id</code>, s\'il est présent dans le message, l\'emporte sur cette valeur ; l\'un des deux est obligatoire.',
      },
      help: {
        en: 'The Broadbean job the candidate applies to (the context <code>id</code>). Wins over the Job id set in the node.',
        fr: 'L\'offre d\'emploi Broadbean à laquelle le candidat postule (l\'<code>id</code> du contexte). L\'emporte sur l\'id de l\'offre saisi dans le nœud.',
      },
      helpType: 'string',
    },
    {
      name: 'shortlist_id',
      input: 'text',
      msg: 'shortlist_id',
      default: '',
      icon: 'list',
      label: { en: 'Shortlist id', fr: 'Id de la shortlist' },
      placeholder: { en: 'optional (msg.shortlist_id wins)', fr: 'facultatif (msg.shortlist_id l\'emporte)' },
      tip: {
        en: 'Optional: the <b>shortlist</b> to add the candidate to. <code>msg.shortlist_id</code> wins over this value.',
        fr: 'Facultatif : la <b>shortlist</b> à laquelle ajouter le candidat. <code>msg.shortlist_id</code> l\'emporte sur cette valeur.',
      },
      help: {
        en: 'The shortlist to add the candidate to, sent in the application\'s context. Wins over the Shortlist id set in the node.',
        fr: 'La shortlist à laquelle ajouter le candidat, envoyée dans le contexte de la candidature. L\'emporte sur l\'id de shortlist saisi dans le nœud.',
      },
      helpType: 'string',
    },
    {
      name: 'aplitrak_email_address',
      input: 'email',
      msg: 'aplitrak_email_address',
      default: '',
      icon: 'envelope',
      label: { en: 'Aplitrak email', fr: 'E-mail Aplitrak' },
      placeholder: { en: 'optional (msg.aplitrak_email_address wins)', fr: 'facultatif (msg.aplitrak_email_address l\'emporte)' },
      tip: {
        en: 'Optional: the job\'s <b>aplitrak</b> tracking email address. <code>msg.aplitrak_email_address</code> wins over this value.',
        fr: 'Facultatif : l\'adresse e-mail de suivi <b>aplitrak</b> de l\'offre. <code>msg.aplitrak_email_address</code> l\'emporte sur cette valeur.',
      },
      help: {
        en: 'The job\'s aplitrak tracking email address, sent in the application\'s context. Wins over the Aplitrak email set in the node.',
        fr: 'L\'adresse e-mail de suivi aplitrak de l\'offre, envoyée dans le contexte de la candidature. L\'emporte sur l\'e-mail Aplitrak saisi dans le nœud.',
      },
      helpType: 'string',
    },
  ],
  errors: [...PUSH_ERRORS],
  outputLabel: { en: 'Broadbean candidate', fr: 'Candidat Broadbean' },
};

/** The trimmed string of a value, `''` when absent. */
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());

/** The account fields the Candidate Hub needs, with their labels (checkConfig and Test connection). */
const ACCOUNT_FIELDS = [['source_id', 'source id'], ['client_id', 'client id'], ['secret_key', 'secret key']] as const;

/** CV documents Candidate Hub takes (read from the bytes; anything else is INVALID_PROFILE before the create). */
const BROADBEAN_CV_TYPES: readonly CvKind[] = ['pdf', 'docx'];

export const broadbean: VendorModule<BroadbeanConfig, BroadbeanParams, BroadbeanPayload> = {
  id: 'broadbean',
  label: 'Broadbean',
  description: broadbeanDescription,
  // Signed again for every attempt (the signature carries the time and is valid 5 minutes).
  connection: (config) => ({
    baseUrl: config.base_url || BROADBEAN_DEFAULT_BASE_URL,
    headers: () => broadbeanHeaders(config),
  }),
  readParams: (values) => ({
    job_id: str(values.job_id),
    shortlist_id: str(values.shortlist_id) || undefined,
    aplitrak_email_address: str(values.aplitrak_email_address) || undefined,
  }),
  /**
   * No request: every Candidate Hub route sends a candidate. Checks what can be checked offline: the
   * fields are there, the base URL is an http(s) URL, and the signature headers compute.
   */
  async testConnection(ctx) {
    const missing = ACCOUNT_FIELDS.filter(([key]) => !text(ctx.config[key])).map(([, label]) => label);
    if (missing.length) {
      throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `the Broadbean ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing in the account`, { vendor: 'broadbean' });
    }
    const { baseUrl, headers } = broadbean.connection!(ctx.config);
    let target: URL;
    try {
      target = new URL(resolveUrl(baseUrl, urlPath('candidate')));
    } catch {
      throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the Broadbean base URL is not a URL', { vendor: 'broadbean' });
    }
    if (target.protocol !== 'https:' && target.protocol !== 'http:') {
      throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the Broadbean base URL must be an http(s) URL', { vendor: 'broadbean' });
    }
    const signed = typeof headers === 'function' ? headers() : (headers ?? {});
    if (!/^[0-9a-f]{64}$/.test(signed['X-CHUB-SIGNATURE'] ?? '') || !/^\d+$/.test(signed['X-CHUB-SIGNATURE-TIME'] ?? '')) {
      throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'the Broadbean request signature could not be computed', { vendor: 'broadbean' });
    }
    return {
      detail: `nothing sent (Candidate Hub has no harmless read): source id, client id and secret key present, signature computed for ${target.host}`,
      offline: true,
    };
  },
  secrets: (config) => [config.secret_key],
  // The signature is valid five minutes: as good as the secret.
  secretHeaders: ['X-CHUB-SIGNATURE'],
  checkConfig(config, params) {
    for (const [key, label] of ACCOUNT_FIELDS) {
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
        // The bound client signs each attempt (connection); only the body's type is added here.
        url: urlPath('candidate'),
        headers: { 'Content-Type': 'application/json' },
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
