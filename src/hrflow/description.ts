/**
 * The `hrflow-api` config node (the HrFlow.ai account) as the editor, the help and the admin endpoints
 * know it: its fields (names are a public interface: never rename), and what Test connection does.
 */
import { ConnectorError, ErrorCodes } from '../core/errors';
import { urlPath } from '../core/http';
import type { AccountContext, AccountDescription, TestResult } from '../vendors/description';
import {
  HRFLOW_DEFAULT_BASE_URL,
  HRFLOW_SECRET_HEADERS,
  hrflowConnection,
  hrflowSecrets,
  readEnvelope,
  type HrflowCredentials,
} from './client';

export const hrflowApiDescription: AccountDescription = {
  color: '#8FB5E3',
  docsUrl: 'https://developers.hrflow.ai/',
  fields: [
    {
      name: 'api_secret',
      input: 'password',
      credential: true,
      required: true,
      icon: 'key',
      label: { en: 'API secret', fr: 'Clé secrète d\'API' },
      placeholder: { en: 'ask_… (or ${HRFLOW_API_SECRET})', fr: 'ask_… (ou ${HRFLOW_API_SECRET})' },
      tip: {
        en:
          'Sent as <code>X-API-KEY</code>. Copy it from the HrFlow.ai developer settings (Settings → API → Keys): a read key ' +
          '(<code>askr_…</code>) is enough to read profiles. To keep it out of Node-RED, type <code>${ENV_VAR}</code> to read an environment variable.',
        fr:
          'Envoyée dans l\'en-tête <code>X-API-KEY</code>. Copiez-la depuis les réglages développeur d\'HrFlow.ai (Settings → API → Keys) : ' +
          'une clé de lecture (<code>askr_…</code>) suffit pour lire les profils. Pour la garder hors de Node-RED, saisissez ' +
          '<code>${NOM_DE_VARIABLE}</code> afin de lire une variable d\'environnement.',
      },
      help: {
        en:
          'Your HrFlow.ai API key (it starts with <code>ask_</code>, or <code>askr_</code> for a read-only key). ' +
          'It is sent in the <code>X-API-KEY</code> header.',
        fr:
          'Votre clé d\'API HrFlow.ai (elle commence par <code>ask_</code>, ou par <code>askr_</code> pour une clé en lecture seule). ' +
          'Elle est envoyée dans l\'en-tête <code>X-API-KEY</code>.',
      },
    },
    {
      name: 'api_user',
      input: 'text',
      credential: true,
      required: true,
      icon: 'user',
      label: { en: 'User email', fr: 'E-mail de l\'utilisateur' },
      placeholder: { en: 'you@company.com', fr: 'vous@entreprise.fr' },
      tip: {
        en:
          'The email address of the HrFlow.ai account the key belongs to, sent as <code>X-USER-EMAIL</code>. ' +
          'The secret and the email are stored encrypted and are never exported with the flow.',
        fr:
          'L\'adresse e-mail du compte HrFlow.ai auquel appartient la clé, envoyée dans l\'en-tête <code>X-USER-EMAIL</code>. ' +
          'La clé et l\'e-mail sont stockés chiffrés et ne sont jamais exportés avec le flux.',
      },
      help: {
        en: 'The email address of the HrFlow.ai account the key belongs to, sent in the <code>X-USER-EMAIL</code> header.',
        fr: 'L\'adresse e-mail du compte HrFlow.ai auquel appartient la clé, envoyée dans l\'en-tête <code>X-USER-EMAIL</code>.',
      },
    },
    {
      name: 'base_url',
      input: 'url',
      default: HRFLOW_DEFAULT_BASE_URL,
      required: true,
      icon: 'globe',
      label: { en: 'Base URL', fr: 'URL de base' },
      placeholder: { en: HRFLOW_DEFAULT_BASE_URL, fr: HRFLOW_DEFAULT_BASE_URL },
      tip: {
        en: 'Leave the default for the HrFlow.ai production API. Change it only to point at a staging server or a local sandbox.',
        fr:
          'Laissez la valeur par défaut pour l\'API de production d\'HrFlow.ai. Ne la changez que pour viser un serveur de ' +
          'préproduction ou un bac à sable local.',
      },
      help: {
        en: `Where the HrFlow.ai API lives. The default, <code>${HRFLOW_DEFAULT_BASE_URL}</code>, is the production API.`,
        fr: `L'adresse de l'API HrFlow.ai. La valeur par défaut, <code>${HRFLOW_DEFAULT_BASE_URL}</code>, est l'API de production.`,
      },
      helpType: 'string',
    },
  ],
  test: {
    en:
      'calls HrFlow.ai\'s <code>GET /auth</code> ("Try your API keys") with the API secret and the user email: HrFlow.ai says ' +
      'whether it accepts them. Nothing is read from or written to your sources.',
    fr:
      'appelle <code>GET /auth</code> d\'HrFlow.ai (« Try your API keys ») avec la clé secrète et l\'e-mail : HrFlow.ai indique ' +
      's\'il les accepte. Rien n\'est lu ni écrit dans vos sources.',
  },
};

/** The account from a config node's properties and credentials, or the values typed in the dialog. */
export function readHrflowAccount(values: Record<string, string | undefined>): HrflowCredentials {
  return {
    api_secret: values.api_secret ?? '',
    api_user: String(values.api_user ?? '').trim(),
    base_url: String(values.base_url ?? '').trim() || HRFLOW_DEFAULT_BASE_URL,
  };
}

/**
 * Test connection: `GET /auth` with the account (HrFlow's "Try your API keys": no source key needed,
 * nothing read from a source). A refused key or email is AUTH_FAILED; an answer that is not HrFlow's
 * envelope is VENDOR_UNAVAILABLE (the base URL is not the HrFlow API).
 */
export async function testHrflowConnection(ctx: AccountContext<HrflowCredentials>): Promise<TestResult> {
  const res = await ctx.http.request({ method: 'GET', url: urlPath('auth'), step: 'test_connection' });
  const envelope = readEnvelope(ctx.http, res.data);
  if (typeof envelope.code !== 'number' || typeof envelope.message !== 'string') {
    throw new ConnectorError(ErrorCodes.VENDOR_UNAVAILABLE, 'the answer is not HrFlow\'s (no code and message): is the base URL the HrFlow API?', {
      vendor: 'hrflow',
      step: 'test_connection',
      statusCode: res.status,
    });
  }
  const data = (envelope.data && typeof envelope.data === 'object' ? envelope.data : {}) as Record<string, unknown>;
  const team = typeof data.team_name === 'string' && data.team_name.trim() ? ctx.http.redact.excerpt(data.team_name.trim()).slice(0, 80) : '';
  return { detail: team ? `API key accepted (team "${team}")` : 'API key accepted' };
}

/** Everything the admin endpoints need for the `hrflow-api` account type. */
export const hrflowAccount = {
  type: 'hrflow-api',
  vendor: 'hrflow',
  label: 'HrFlow.ai',
  description: hrflowApiDescription,
  readAccount: readHrflowAccount,
  connection: hrflowConnection,
  secrets: hrflowSecrets,
  secretHeaders: HRFLOW_SECRET_HEADERS,
  testConnection: testHrflowConnection,
} as const;
