/**
 * The sandbox HTTP core (node:http only): routing to vendor modules, body reading, fault injection,
 * admin routes, the HTML page, and a clean close() (sockets destroyed, timers cleared, fetches aborted).
 */

import { setMaxListeners } from 'node:events';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { FaultRegistry, checkFault, echoAnswer, type Fault } from './faults';
import type { SpecRegistry } from './spec';
import {
  createSandboxState,
  clearVendorState,
  recordRejection,
  createVendorState,
  type SandboxState,
  type VendorId,
  type VendorState,
} from './state';
import type { ResolvedSandboxOptions, SandboxCredentials } from './types';
import { renderPage, type PageSection } from './page';

/** Largest request body accepted (413 above). */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

export interface SendOptions {
  headers?: Record<string, string>;
  /** Reason recorded with a >= 400 answer (default: taken from the body). */
  reason?: string;
  fault?: boolean;
}

/** One emulated vendor, mounted under `prefix`. */
export interface VendorModule {
  id: VendorId;
  /** Display name. */
  title: string;
  /** Path prefix without trailing slash, e.g. `/smartrecruiters`. */
  prefix: string;
  /** Base URL clients should configure (e.g. `${url}/recruitee/c`). */
  baseUrl(): string;
  /** Content-Type of this vendor's JSON answers. */
  jsonContentType: string;
  /** Vendor-shaped error body (used by the `status` fault and unknown routes). */
  errorBody(status: number, message: string): unknown;
  /** Runs before faults (rate limiter). Returns true when it answered the request. */
  admit?(ctx: RequestContext): boolean | Promise<boolean>;
  handle(ctx: RequestContext): void | Promise<void>;
  /** Called by sandbox.reset(). */
  reset?(): void;
  /** Called by close(). */
  close?(): void;
  /** Extra section for the HTML page. */
  page?(): PageSection | null;
  /** Its own admin routes under `/__admin/<id>/…`; returns true when it answered. */
  admin?(ctx: RequestContext, path: string): boolean | Promise<boolean>;
}

export interface SandboxCore {
  readonly url: string;
  readonly credentials: SandboxCredentials;
  readonly options: ResolvedSandboxOptions;
  readonly state: SandboxState;
  readonly specs: SpecRegistry;
  readonly faults: FaultRegistry;
  readonly closed: boolean;
  /** Aborted on close(). */
  readonly signal: AbortSignal;
  /** Resolves true after `ms`, or false as soon as the sandbox closes. */
  sleep(ms: number): Promise<boolean>;
  /** Keeps a background task alive until close(). */
  track<T>(p: Promise<T>): Promise<T>;
  vendorState(id: VendorId): VendorState;
  log(line: string): void;
}

const STATUS_TEXT = http.STATUS_CODES;

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Error';
}

/** `/jobs/:jobId/candidates` against `/jobs/42/candidates` → `{jobId: '42'}`; null when no match. */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const a = path.split('/').filter(Boolean);
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      try {
        params[p[i].slice(1)] = decodeURIComponent(a[i]);
      } catch {
        return null;
      }
    } else if (p[i] !== a[i]) return null;
  }
  return params;
}

export class RequestContext {
  readonly method: string;
  readonly url: URL;
  /** Path after the vendor prefix ('/' at least). */
  path: string;
  vendor: VendorModule | null = null;
  /** Headers added to every answer (rate-limit headers...). */
  extraHeaders: Record<string, string> = {};
  /** `lost-answer` fault: handle normally, then drop the connection instead of answering. */
  dropAnswer = false;
  answered = false;
  statusSent = 0;
  private bodyPromise: Promise<Buffer> | null = null;
  readonly started = Date.now();

  constructor(
    private readonly core: SandboxServer,
    readonly req: http.IncomingMessage,
    readonly res: http.ServerResponse,
  ) {
    this.method = (req.method ?? 'GET').toUpperCase();
    this.url = new URL(req.url ?? '/', 'http://127.0.0.1');
    this.path = this.url.pathname;
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  /** Full body (cached). Rejects with a `BodyTooLargeError` above MAX_BODY_BYTES. */
  body(): Promise<Buffer> {
    if (!this.bodyPromise) {
      this.bodyPromise = new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        this.req.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) {
            reject(new BodyTooLargeError());
            this.req.removeAllListeners('data');
            this.req.resume();
            return;
          }
          chunks.push(c);
        });
        this.req.on('end', () => resolve(Buffer.concat(chunks)));
        this.req.on('error', reject);
        this.req.on('close', () => {
          if (!this.req.complete) reject(new Error('request aborted'));
        });
      });
      // Avoid unhandled rejections when a handler never awaits the body.
      this.bodyPromise.catch(() => undefined);
    }
    return this.bodyPromise;
  }

  /** Parsed JSON body, or `{ok: false}` with the parse error. Empty body → ok with undefined. */
  async json(): Promise<{ ok: true; value: any } | { ok: false; error: string }> {
    const buf = await this.body();
    const text = buf.toString('utf8');
    if (!text.trim()) return { ok: true, value: undefined };
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  send(status: number, body: string | Buffer, contentType: string, opts: SendOptions = {}): void {
    if (this.answered) return;
    this.answered = true;
    this.statusSent = status;
    const vs = this.vendor ? this.core.vendorState(this.vendor.id) : null;
    if (vs && status >= 400) {
      recordRejection(vs, {
        status,
        reason: opts.reason ?? reasonFromBody(body) ?? statusText(status),
        method: this.method,
        path: this.url.pathname,
        at: new Date().toISOString(),
        ...(opts.fault ? { fault: true } : {}),
      });
    }
    if (vs && status === 429) vs.rateLimited++;
    if (this.dropAnswer) {
      this.destroy();
      return;
    }
    if (this.res.headersSent || this.res.destroyed) return;
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    this.res.writeHead(status, {
      ...this.extraHeaders,
      'Content-Type': contentType,
      'Content-Length': String(buf.length),
      ...(opts.headers ?? {}),
    });
    this.res.end(this.method === 'HEAD' ? undefined : buf);
  }

  /** JSON answer with the vendor's JSON content type. */
  sendJson(status: number, value: unknown, opts: SendOptions = {}): void {
    const ct = this.vendor?.jsonContentType ?? 'application/json; charset=utf-8';
    this.send(status, JSON.stringify(value), ct, opts);
  }

  /** Drops the connection without answering. */
  destroy(): void {
    this.answered = true;
    this.req.socket.destroy();
  }
}

export class BodyTooLargeError extends Error {
  constructor() {
    super('request body too large');
  }
}

function reasonFromBody(body: string | Buffer): string | null {
  try {
    const v = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
    if (v && typeof v === 'object') {
      const parts: string[] = [];
      if (typeof v.message === 'string') parts.push(v.message);
      if (typeof v.error === 'string') parts.push(v.error);
      if (Array.isArray(v.errors)) {
        for (const e of v.errors.slice(0, 5)) {
          if (typeof e === 'string') parts.push(e);
          else if (e && typeof e === 'object') {
            parts.push([e.code, e.dataPath, e.message].filter((x) => typeof x === 'string').join(' '));
          }
        }
      }
      if (parts.length) return parts.join('; ').slice(0, 500);
    }
  } catch {
    /* not JSON */
  }
  return null;
}

export class SandboxServer implements SandboxCore {
  readonly state: SandboxState;
  readonly faults = new FaultRegistry();
  readonly modules: VendorModule[] = [];
  /** More routes (`"POST /__admin/webhooks"` → handler), added by createSandbox. */
  readonly routes = new Map<string, (ctx: RequestContext) => Promise<void>>();
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Map<NodeJS.Timeout, (v: boolean) => void>();
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private closing: Promise<void> | null = null;
  private _url = '';
  private _port = 0;
  /** Extra hooks set by createSandbox (profiles listing...). */
  onReset: Array<() => void> = [];

  constructor(
    readonly options: ResolvedSandboxOptions,
    readonly specs: SpecRegistry,
  ) {
    this.state = createSandboxState([]);
    // Every CV fetch in progress listens on the close signal: many at once are expected (no leak warning).
    setMaxListeners(0, this.abort.signal);
    this.server = http.createServer((req, res) => {
      void this.onRequest(req, res);
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    // Client errors (malformed requests, resets) must never crash the process.
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  get url(): string {
    return this._url;
  }
  get port(): number {
    return this._port;
  }
  get credentials(): SandboxCredentials {
    return this.options.credentials;
  }
  get closed(): boolean {
    return this.closing !== null;
  }
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  register(mod: VendorModule): void {
    if (this.modules.some((m) => m.id === mod.id)) throw new Error(`sandbox: vendor ${mod.id} registered twice`);
    this.modules.push(mod);
    // Longest prefix first.
    this.modules.sort((a, b) => b.prefix.length - a.prefix.length);
    if (!this.state[mod.id]) this.state[mod.id] = createVendorState();
  }

  vendorState(id: VendorId): VendorState {
    let s = this.state[id];
    if (!s) {
      s = createVendorState();
      this.state[id] = s;
    }
    return s;
  }

  log(line: string): void {
    if (!this.options.quiet) this.options.logger(line);
  }

  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve(true);
      }, Math.max(0, ms));
      this.timers.set(t, resolve);
    });
  }

  track<T>(p: Promise<T>): Promise<T> {
    const guarded = p.then(
      () => undefined,
      () => undefined,
    );
    this.tasks.add(guarded);
    void guarded.then(() => this.tasks.delete(guarded));
    return p;
  }

  /** Resolves when the background tasks started so far are done. */
  async settled(): Promise<void> {
    while (this.tasks.size) await Promise.all([...this.tasks]);
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        this._port = typeof addr === 'object' && addr ? addr.port : port;
        this._url = `http://127.0.0.1:${this._port}`;
        resolve();
      });
    });
  }

  reset(): void {
    for (const s of Object.values(this.state)) clearVendorState(s);
    this.faults.clear();
    for (const m of this.modules) m.reset?.();
    for (const h of this.onReset) h();
  }

  setFault(vendor: VendorId, fault: Fault | null): void {
    if (!this.modules.some((m) => m.id === vendor)) {
      throw new Error(`sandbox: unknown vendor "${vendor}" (known: ${this.modules.map((m) => m.id).join(', ')})`);
    }
    this.faults.set(vendor, fault);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.abort.abort();
    for (const [t, resolve] of this.timers) {
      clearTimeout(t);
      resolve(false);
    }
    this.timers.clear();
    for (const m of this.modules) {
      try {
        m.close?.();
      } catch {
        /* ignore */
      }
    }
    const serverClosed = new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.server.closeAllConnections?.();
    this.closing = Promise.all([serverClosed, this.settled()]).then(() => undefined);
    return this.closing;
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const ctx = new RequestContext(this, req, res);
    res.on('finish', () => {
      if (ctx.vendor) this.log(`[sandbox] ${ctx.statusSent} ${ctx.method} ${ctx.url.pathname} ${Date.now() - ctx.started}ms`);
    });
    try {
      if (this.closed) {
        ctx.destroy();
        return;
      }
      await this.dispatch(ctx);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        if (!ctx.answered) {
          const body = ctx.vendor ? ctx.vendor.errorBody(413, 'Request body too large') : { error: 'Request body too large' };
          ctx.sendJson(413, body, { headers: { Connection: 'close' } });
        }
        return;
      }
      if (!ctx.answered && !this.closed) {
        this.log(`[sandbox] internal error on ${ctx.method} ${ctx.url.pathname}: ${(err as Error)?.stack ?? err}`);
        const msg = 'Internal sandbox error';
        ctx.sendJson(500, ctx.vendor ? ctx.vendor.errorBody(500, msg) : { error: msg, detail: String((err as Error)?.message ?? err) });
      } else if (!ctx.answered) ctx.destroy();
    }
  }

  private async dispatch(ctx: RequestContext): Promise<void> {
    const p = ctx.url.pathname;
    if (p === '/' || p === '/index.html') {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return ctx.sendJson(405, { error: 'Method not allowed' });
      return ctx.send(200, this.page(), 'text/html; charset=utf-8', { headers: { 'Cache-Control': 'no-store' } });
    }
    const route = this.routes.get(`${ctx.method} ${p.replace(/\/+$/, '')}`);
    if (route) {
      // Like Reset: a POST from the page itself or a program, never from a form on another site.
      const origin = ctx.header('origin');
      if (ctx.method !== 'GET' && origin !== undefined && !this.isOwnOrigin(origin)) return ctx.sendJson(403, { error: `refused from origin ${origin}` });
      return route(ctx);
    }
    if (p === '/__admin' || p.startsWith('/__admin/')) return this.admin(ctx);

    const mod = this.modules.find((m) => p === m.prefix || p.startsWith(m.prefix + '/'));
    if (!mod) return ctx.sendJson(404, { error: 'Not found', path: p });
    ctx.vendor = mod;
    ctx.path = p.slice(mod.prefix.length) || '/';
    const vs = this.vendorState(mod.id);
    vs.requests++;

    if (mod.admit && (await mod.admit(ctx))) return;

    const fault = this.faults.take(mod.id, ctx.method, ctx.path);
    if (fault) {
      vs.faultsInjected++;
      switch (fault.mode) {
        case 'reset':
          return ctx.destroy();
        case 'status': {
          const status = fault.status ?? 503;
          const headers: Record<string, string> = { ...fault.headers };
          if (fault.retryAfter !== undefined && fault.retryAfter !== null) headers['Retry-After'] = String(fault.retryAfter);
          const body = fault.body !== undefined ? fault.body : mod.errorBody(status, statusText(status));
          if (typeof body === 'string') {
            return ctx.send(status, body, 'text/plain; charset=utf-8', { headers, fault: true, reason: `fault: ${status}` });
          }
          return ctx.sendJson(status, body, { headers, fault: true, reason: `fault: ${status} ${statusText(status)}` });
        }
        case 'echo':
        case 'echo-text': {
          const answer = echoAnswer(fault, ctx.req.headers, await ctx.body());
          const headers: Record<string, string> = { ...fault.headers };
          if (fault.retryAfter !== undefined && fault.retryAfter !== null) headers['Retry-After'] = String(fault.retryAfter);
          const ct = answer.contentType ?? mod.jsonContentType;
          return ctx.send(answer.status, answer.body, ct, { headers, fault: true, reason: `fault: echo ${answer.status}` });
        }
        case 'non-json':
          return ctx.send(200, '<html>oops</html>', 'text/html; charset=utf-8');
        case 'slow':
          if (!(await this.sleep(fault.delayMs ?? 1000))) return ctx.destroy();
          break;
        case 'lost-answer':
          ctx.dropAnswer = true;
          break;
      }
    }

    await mod.handle(ctx);
    if (!ctx.answered) {
      if (this.closed) return ctx.destroy();
      ctx.sendJson(404, mod.errorBody(404, `No route for ${ctx.method} ${p}`));
    }
  }

  private async admin(ctx: RequestContext): Promise<void> {
    const p = ctx.url.pathname.replace(/\/+$/, '');
    const json = (status: number, v: unknown) => ctx.send(status, JSON.stringify(v, null, 2), 'application/json; charset=utf-8');
    if (p === '/__admin/state' && ctx.method === 'GET') return json(200, this.state);
    if (p === '/__admin/faults' && ctx.method === 'GET') return json(200, this.faults.all());
    if (p === '/__admin/reset' && ctx.method === 'POST') {
      // The page's Reset button posts a form: only from the page itself (a form on another site must not
      // wipe the sandbox), answered by a redirect back to the page.
      const form = /^application\/x-www-form-urlencoded\b/i.test(ctx.header('content-type') ?? '');
      const origin = ctx.header('origin');
      if (origin !== undefined && !this.isOwnOrigin(origin)) return json(403, { error: `reset refused from origin ${origin}` });
      this.reset();
      if (form) return ctx.send(303, '', 'text/plain; charset=utf-8', { headers: { Location: '/' } });
      return json(200, { ok: true });
    }
    if (p === '/__admin/faults' && ctx.method === 'POST') {
      const parsed = await ctx.json();
      if (!parsed.ok) return json(400, { error: `Invalid JSON: ${parsed.error}` });
      const b = parsed.value;
      if (!b || typeof b !== 'object' || typeof b.vendor !== 'string') return json(400, { error: 'body must be {vendor, ...fault} or {vendor, fault: null}' });
      if (!this.modules.some((m) => m.id === b.vendor)) return json(400, { error: `unknown vendor ${b.vendor}` });
      let fault: Fault | null;
      if ('fault' in b) fault = b.fault ?? null;
      else {
        const { vendor: _v, ...rest } = b;
        fault = rest as Fault;
      }
      if (fault !== null) {
        const err = checkFault(fault);
        if (err) return json(400, { error: err });
      }
      this.faults.set(b.vendor, fault);
      return json(200, { ok: true, vendor: b.vendor, fault: this.faults.get(b.vendor) });
    }
    for (const m of this.modules) if (m.admin && p.startsWith(`/__admin/${m.id}/`) && (await m.admin(ctx, p))) return;
    return json(404, { error: 'Not found', routes: ['GET /__admin/state', 'GET|POST /__admin/faults', 'POST /__admin/reset', ...this.routes.keys()] });
  }

  /** `http://127.0.0.1:<port>` or `http://localhost:<port>`: the page itself. */
  private isOwnOrigin(origin: string): boolean {
    try {
      const u = new URL(origin);
      return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) && u.port === String(this.port);
    } catch {
      return false;
    }
  }

  private page(): string {
    return renderPage({
      url: this.url,
      credentials: this.credentials,
      faults: this.faults.all(),
      vendors: this.modules
        .slice()
        .sort((a, b) => rank(a.id) - rank(b.id))
        .map((m) => ({ id: m.id, title: m.title, baseUrl: m.baseUrl(), state: this.vendorState(m.id), extra: m.page?.() ?? null })),
    });
  }
}

/** Page order: what each emulated ATS received first, then HrFlow (the profiles) and the CV files. */
const ORDER = ['smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez'];
const LAST = ['hrflow', 'files'];
const rank = (id: string) =>
  LAST.includes(id) ? ORDER.length + 1 + LAST.indexOf(id) : ORDER.includes(id) ? ORDER.indexOf(id) : ORDER.length;
