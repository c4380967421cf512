/**
 * The admin endpoints behind the config dialogs' Test connection button and the job pickers
 * (docs: common contract 4):
 *
 *   POST /hrflow-connectors/test/:type   {id?, values}        (hrflow-connectors.write)
 *   GET  /hrflow-connectors/jobs/:type?account=<id>&list=<n> (hrflow-connectors.read; the deployed account)
 *   POST /hrflow-connectors/jobs/:type   {id?, values, list?} (hrflow-connectors.write)
 *   GET  /hrflow-connectors/metrics                           (hrflow-connectors.read; Prometheus text, metrics.ts)
 *
 * `:type` is a config node type registered here by `registerAccountType` (each vendor config node does it
 * through registerVendorConfig; hrflow-api.ts does it for the HrFlow account). Answers: 200
 * `{ok: true, detail, offline?}` / `{ok: true, items}` or 200 `{ok: false, code, message}` (redacted);
 * 400 for a malformed body, 404 for an unknown type or list.
 *
 * A credential absent from `values` or equal to "__PWRD__" (Node-RED's placeholder for an unchanged
 * password) means "the deployed credential of config node `id`": used only when every other value equals
 * the deployed node's, so a deployed secret is never sent to a URL typed in the dialog.
 */
import type { Node, NodeAPI } from 'node-red';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';
import { HttpClient } from '../../src/core/http';
import type { RateLimiter } from '../../src/core/limiter';
import { Redactor } from '../../src/core/redact';
import { metricsRoute } from './metrics';
import type { AccountContext, AccountDescription, PickItem, TestResult } from '../../src/vendors/description';
import { mountPushLog, type PushLogApp } from './push-log';

/** An account type the admin endpoints serve: a vendor's config node, or hrflow-api. */
export interface AccountType<Config> {
  /** The config node type (`hrflow-taleez-config`, `hrflow-api`). */
  type: string;
  /** The id errors carry (`taleez`, `hrflow`). */
  vendor: string;
  label: string;
  /** Its fields: which are credentials, which are properties (and their defaults). */
  description: AccountDescription;
  /** The account from field values (strings: properties and credentials, as a dialog or a config node holds them). */
  readAccount(values: Record<string, string>): Config;
  /** Where requests go and how they authenticate (the client of Test connection and the lists is bound to it). */
  connection?(config: Config): { baseUrl: string; headers?: Record<string, string> | (() => Record<string, string>) };
  /** Secret values of an account, for redaction. */
  secrets?(config: Config): string[];
  /** Headers whose values are secret (masked in every error text). */
  secretHeaders?: readonly string[];
  /** One harmless authenticated read. */
  testConnection?(ctx: AccountContext<Config>): Promise<TestResult>;
  /** The lists pickers offer. */
  lists?: Record<string, (ctx: AccountContext<Config>) => Promise<PickItem[]>>;
  /**
   * The account of a deployed config node of this type (values read from environment variables
   * resolved), and the limiter its pushes share. Default: readAccount of its flow properties and credentials.
   */
  deployed?(node: Node): { config: Config; limiter?: RateLimiter } | undefined;
}

/** Node-RED's placeholder for a password credential the editor did not change. */
export const UNCHANGED = '__PWRD__';
/** The longest a Test connection or a list may take, all attempts included. */
export const ADMIN_TIMEOUT_MS = 15_000;
/** At most this many items in a list answer. */
export const MAX_ITEMS = 200;
const MAX_VALUES = 50;
const MAX_VALUE_LENGTH = 8192;

const registry = new Map<string, AccountType<any>>();
/** The admin apps the routes are mounted on (once per Node-RED admin app). */
const mounted = new WeakSet<object>();

/**
 * Make an account type known to the admin endpoints and mount them on this runtime's admin app (once).
 *
 *   registerAccountType(RED, { type: 'hrflow-api', vendor: 'hrflow', label: 'HrFlow.ai', description,
 *     readAccount(values), connection?(config), secrets?(config), secretHeaders?, testConnection?(ctx),
 *     lists?: { jobs(ctx) }, deployed?(node) })
 */
export function registerAccountType<Config>(RED: NodeAPI, account: AccountType<Config>): void {
  registry.set(account.type, account);
  mountAdmin(RED);
}

/** The account type of `:type`, when registered. */
export function accountType(type: string): AccountType<unknown> | undefined {
  return registry.get(type);
}

interface Req {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}
interface Res {
  headersSent: boolean;
  status(code: number): Res;
  json(body: unknown): void;
}
type Handler = (req: Req, res: Res, next: (err?: unknown) => void) => void;

/** Mount the admin endpoints on this runtime's admin app, once (every config node registration calls it). */
export function mountAdmin(RED: NodeAPI): void {
  const app = (RED as unknown as { httpAdmin?: { get(path: string, ...h: Handler[]): void; post(path: string, ...h: Handler[]): void } }).httpAdmin;
  if (!app || mounted.has(app)) return;
  mounted.add(app);
  const auth = (RED as unknown as { auth?: { needsPermission?(p: string): Handler } }).auth;
  const permission = (p: string): Handler => (auth?.needsPermission ? auth.needsPermission(p) : (_req, _res, next) => next());
  app.post('/hrflow-connectors/test/:type', permission('hrflow-connectors.write'), route(RED, 'test', 'body'));
  app.get('/hrflow-connectors/jobs/:type', permission('hrflow-connectors.read'), route(RED, 'list', 'query'));
  app.post('/hrflow-connectors/jobs/:type', permission('hrflow-connectors.write'), route(RED, 'list', 'body'));
  app.get('/hrflow-connectors/metrics', permission('hrflow-connectors.read'), metricsRoute(RED) as unknown as Handler);
  mountPushLog(RED, app as unknown as PushLogApp, permission as unknown as Parameters<typeof mountPushLog>[2]);
}

/** A request the endpoints refuse before doing anything (400 or 404). */
class Refused extends Error {
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
  }
}

interface Parsed {
  id?: string;
  values?: Record<string, string>;
  list: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
}

function parse(kind: 'test' | 'list', from: 'body' | 'query', req: Req): Parsed {
  if (from === 'query') {
    const account = req.query?.account;
    // Blank or absent: `jobs`, as in a POST body.
    const list = req.query?.list === undefined || req.query.list === '' ? 'jobs' : req.query.list;
    if (typeof account !== 'string' || !account || account.length > 200) throw new Refused(400, 'account=<config node id> is required');
    if (typeof list !== 'string') throw new Refused(400, 'list must be a name');
    return { id: account, list };
  }
  const body = req.body;
  if (!isPlainObject(body)) throw new Refused(400, 'the body must be a JSON object {id?, values}');
  const { id, values, list } = body;
  if (id !== undefined && id !== null && (typeof id !== 'string' || id.length > 200)) throw new Refused(400, 'id must be a config node id');
  if (!isPlainObject(values)) throw new Refused(400, 'values must be an object of strings');
  const keys = Object.keys(values);
  if (keys.length > MAX_VALUES) throw new Refused(400, 'too many values');
  const out: Record<string, string> = Object.create(null);
  for (const k of keys) {
    const v = values[k];
    if (typeof v !== 'string') throw new Refused(400, `values.${k.slice(0, 40)} must be a string`);
    if (v.length > MAX_VALUE_LENGTH) throw new Refused(400, `values.${k.slice(0, 40)} is too long`);
    out[k] = v;
  }
  if (kind === 'list' && list !== undefined && typeof list !== 'string') throw new Refused(400, 'list must be a name');
  return { id: typeof id === 'string' && id ? id : undefined, values: out, list: typeof list === 'string' && list ? list : 'jobs' };
}

/** Trimmed, blank → default: how a property compares (dialog and deployed node alike). */
function normal(value: unknown, fallback: unknown): string {
  const text = value === undefined || value === null ? '' : String(value).trim();
  return text !== '' ? text : fallback === undefined ? '' : String(fallback);
}

/** The deployed flow definition of config node `id` of this type (a node of another type: none). */
function deployedDef(RED: NodeAPI, type: string, id: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  const nodes = RED.nodes as unknown as { eachNode?(cb: (n: Record<string, unknown>) => void): void };
  nodes.eachNode?.((n) => {
    if (!found && n && n.id === id && n.type === type) found = n;
  });
  return found;
}

const invalid = (account: AccountType<unknown>, message: string) => new ConnectorError(ErrorCodes.INVALID_CONFIG, message, { vendor: account.vendor });

/** The account to use: the dialog's values, or the deployed node's when its secrets are asked for (see the file comment). */
function resolveAccount(RED: NodeAPI, account: AccountType<unknown>, parsed: Parsed): { config: unknown; limiter?: RateLimiter } {
  const fields = account.description.fields;
  const credentials = fields.filter((f) => f.credential);
  const properties = fields.filter((f) => !f.credential);
  if (!parsed.values) {
    // GET with ?account=: the deployed account as it is.
    const def = parsed.id ? deployedDef(RED, account.type, parsed.id) : undefined;
    if (!def || !parsed.id) throw invalid(account, `no deployed ${account.label} account with this id: deploy it first`);
    return deployedAccount(RED, account, parsed.id, def);
  }
  const values = parsed.values;
  // A credential sent back as it is deployed (a text credential such as a user e-mail, or "${ENV}") is unchanged too.
  const stored = parsed.id && deployedDef(RED, account.type, parsed.id) ? storedCredentials(RED, parsed.id) : {};
  const unchanged = credentials.filter((f) => values[f.name] === undefined || values[f.name] === UNCHANGED || values[f.name] === stored[f.name]);
  const usesEnv = (names: string[]) => names.some((n) => /\$\{/.test(values[n] ?? ''));
  if (unchanged.length === 0) {
    // Everything typed: values read from environment variables are resolved by the runtime only once deployed.
    if (usesEnv(fields.map((f) => f.name))) throw invalid(account, 'values read from environment variables (${…}) are tested once deployed: deploy, then test');
    return { config: account.readAccount(withDefaults(account, values)) };
  }
  // Name only the secrets the dialog does not show (a text credential sent back as stored needs no retyping).
  const hidden = unchanged.filter((f) => values[f.name] === undefined || values[f.name] === UNCHANGED);
  const names = (hidden.length ? hidden : unchanged).map((f) => (f.label?.en ?? f.name)).join(', ');
  const def = parsed.id ? deployedDef(RED, account.type, parsed.id) : undefined;
  if (!def || !parsed.id) throw invalid(account, `type the ${names} again: this account is not deployed`);
  const changed = properties.filter((f) => normal(values[f.name], f.default) !== normal(def[f.name], f.default));
  if (changed.length) {
    throw invalid(account, `type the ${names} again: ${changed.map((f) => f.label?.en ?? f.name).join(', ')} changed since the deploy, and a deployed secret is only sent where it was deployed to`);
  }
  const typed = credentials.filter((f) => !unchanged.includes(f));
  if (typed.length === 0) return deployedAccount(RED, account, parsed.id, def);
  // Some credentials typed, the others deployed (same properties). The deployed ones are taken from the
  // running node, where Node-RED resolved their ${ENV}; a typed ${…} (or one in a property) is only
  // resolved once deployed.
  if (usesEnv([...typed, ...properties].map((f) => f.name))) throw invalid(account, 'values read from environment variables (${…}) are tested once deployed: deploy, then test');
  const running = (RED.nodes.getNode(parsed.id) as unknown as { type?: string; credentials?: Record<string, unknown> } | null);
  const live = running?.type === account.type && running.credentials ? running.credentials : stored;
  const merged: Record<string, string> = { ...values };
  for (const f of unchanged) merged[f.name] = typeof live[f.name] === 'string' ? (live[f.name] as string) : '';
  return { config: account.readAccount(withDefaults(account, merged)) };
}

/** The credentials stored for a deployed config node (as typed: `${ENV}` not resolved). */
function storedCredentials(RED: NodeAPI, id: string): Record<string, unknown> {
  return (RED.nodes as unknown as { getCredentials?(id: string): Record<string, unknown> | undefined }).getCredentials?.(id) ?? {};
}

function withDefaults(account: AccountType<unknown>, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of account.description.fields) {
    const v = values[f.name];
    out[f.name] = f.credential ? (v ?? '') : normal(v, f.default);
  }
  return out;
}

function deployedAccount(RED: NodeAPI, account: AccountType<unknown>, id: string, def: Record<string, unknown>): { config: unknown; limiter?: RateLimiter } {
  const node = RED.nodes.getNode(id) as Node | null;
  if (node && node.type === account.type && account.deployed) {
    const got = account.deployed(node);
    if (got) return got;
  }
  const stored = storedCredentials(RED, id);
  const values: Record<string, string> = {};
  for (const f of account.description.fields) {
    const v = f.credential ? stored[f.name] : def[f.name];
    values[f.name] = typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
  }
  return { config: account.readAccount(withDefaults(account, values)) };
}

/** Run one Test connection or list read, bounded: one retry at most, ADMIN_TIMEOUT_MS in all. */
async function run<T>(account: AccountType<unknown>, resolved: { config: unknown; limiter?: RateLimiter }, work: (ctx: AccountContext<unknown>) => Promise<T>, redactor: Redactor): Promise<T> {
  const controller = new AbortController();
  const timeout = new ConnectorError(ErrorCodes.TIMEOUT, `${account.label} did not answer within ${ADMIN_TIMEOUT_MS / 1000} s`, { vendor: account.vendor });
  const http = new HttpClient({
    ...account.connection?.(resolved.config),
    vendor: account.vendor,
    redactor,
    secretHeaders: account.secretHeaders ? [...account.secretHeaders] : undefined,
    limiter: resolved.limiter,
    timeoutMs: 10_000,
    retries: 1,
    retryDelayMs: 500,
    maxWaitMs: 5_000,
    signal: controller.signal,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort(timeout);
      reject(timeout);
    }, ADMIN_TIMEOUT_MS);
  });
  try {
    const work_ = work({ http, config: resolved.config });
    work_.catch(() => undefined); // its late rejection, after the deadline, is nobody's
    return await Promise.race([work_, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function failure(account: AccountType<unknown> | undefined, err: unknown, redactor: Redactor): { ok: false; code: string; message: string } {
  if (err instanceof ConnectorError) {
    const code = err.code === ErrorCodes.ABORTED ? ErrorCodes.TIMEOUT : err.code;
    return { ok: false, code, message: redactor.excerpt(err.message, 500) };
  }
  const text = err instanceof Error ? err.message : String(err);
  return { ok: false, code: ErrorCodes.VENDOR_UNAVAILABLE, message: redactor.excerpt(`${account?.label ?? 'the account'}: ${text}`, 500) };
}

function cleanItems(items: unknown, redactor: Redactor): PickItem[] {
  if (!Array.isArray(items)) return [];
  const out: PickItem[] = [];
  for (const it of items) {
    if (out.length >= MAX_ITEMS) break;
    if (!it || typeof it !== 'object') continue;
    const { id, title, status } = it as Record<string, unknown>;
    if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '') continue;
    const item: PickItem = { id: String(id).slice(0, 200), title: redactor.text(String(title ?? id)).slice(0, 200) };
    if (typeof status === 'string' && status) item.status = status.slice(0, 40);
    out.push(item);
  }
  return out;
}

function route(RED: NodeAPI, kind: 'test' | 'list', from: 'body' | 'query'): Handler {
  return (req, res) => {
    const answer = (status: number, body: unknown) => {
      if (!res.headersSent) res.status(status).json(body);
    };
    let redactor = new Redactor();
    let account: AccountType<unknown> | undefined;
    const handle = async () => {
      account = accountType(String(req.params?.type ?? ''));
      if (!account) throw new Refused(404, 'unknown account type');
      const parsed = parse(kind, from, req);
      const lister = kind === 'list' ? account.lists?.[parsed.list] : undefined;
      if (kind === 'list' && (!lister || !Object.prototype.hasOwnProperty.call(account.lists, parsed.list))) throw new Refused(404, 'unknown list');
      // Every secret the request carries is masked in the answer, whatever happens next.
      redactor = new Redactor(account.description.fields.filter((f) => f.credential).map((f) => parsed.values?.[f.name]).filter((v) => v !== UNCHANGED));
      const resolved = resolveAccount(RED, account, parsed);
      redactor = redactor.with(...(account.secrets?.(resolved.config) ?? []));
      if (kind === 'test') {
        if (!account.testConnection) throw invalid(account, `${account.label} has no Test connection`);
        const result = await run(account, resolved, account.testConnection, redactor);
        const body: { ok: true; detail: string; offline?: boolean } = { ok: true, detail: redactor.excerpt(result?.detail ?? '', 300) };
        if (result?.offline) body.offline = true;
        answer(200, body);
        return;
      }
      const items = await run(account, resolved, lister!, redactor);
      answer(200, { ok: true, items: cleanItems(items, redactor) });
    };
    handle().catch((err) => {
      try {
        if (err instanceof Refused) answer(err.status, { ok: false, code: err.status === 404 ? 'NOT_FOUND' : 'INVALID_INPUT', message: err.message });
        else answer(200, failure(account, err, redactor));
      } catch {
        /* the answer could not be sent (connection gone): nothing else to do */
      }
    });
  };
}
