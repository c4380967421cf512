/**
 * hrflow-webhook (issue 13): an HTTP endpoint on Node-RED's httpNode (property `path`, POST) that
 * receives HrFlow's webhooks. Verifies the signature over the raw body (src/hrflow/webhook.ts): a bad
 * or missing one gets 401 and emits nothing. Answers at once (200), then sends one msg per event whose
 * type is in `events` (empty: all): `msg.topic` = the event type, `msg.source_key`, `msg.profile_key`
 * (what hrflow-profile reads), `msg.hrflow_event` = the event (also `msg.payload`). A redelivered event
 * is emitted once (kept in memory, bounded: SeenEvents; with `store` naming an hrflow-store in mode redis, in Redis:
 * one mark per event for 24 h, SET NX, shared by every webhook node of every instance using that store, so a
 * delivery is emitted once across them; Redis down, or the node unable to emit what it marked, answers 503 with
 * the marks it set removed, so HrFlow.ai delivers again). An archive event (isArchiveEvent: `profile.storing.archive`...)
 * also carries `msg.action = "archive"`: through hrflow-profile, a push node archives the recorded candidate.
 *
 * Routes are added and removed as Node-RED's core `http in` node does (21-httpin.js), with the raw body
 * read here (no body parser on the route).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { checkSignature, deliveryEvents, eventKey, eventList, eventPasses, eventRef, SeenEvents, signatureHeader, type HrflowEvent } from '../src/hrflow/webhook';
import { ConnectorError, ErrorCodes } from '../src/core/errors';
import { runtimeKey } from './lib/push-events';
import { CLOSE_WAIT_MS, Status } from './lib/runtime';
import { useStoreWithStatus } from './lib/store-status';
import { runtimeText } from './lib/status-text';

const STATUS = {
  noPath: 'hrflow-webhook.status.no-path',
  noSecret: 'hrflow-webhook.status.no-secret',
  listening: { key: 'hrflow-webhook.status.listening', en: 'listening on __path__' },
  received: { key: 'hrflow-webhook.status.received', en: '__type__ (__count__ received)' },
  rejected: { key: 'hrflow-webhook.status.rejected', en: 'rejected: bad signature (__count__)' },
  storeDown: 'hrflow-webhook.status.store-down',
} as const;

/** How long the shared store remembers a delivery (as SeenEvents does in memory). */
const SEEN_TTL_MS = 24 * 3600_000;

/**
 * An HrFlow event saying a profile was archived: its type's last part is `archive` (`profile.storing.archive`, the
 * name the editor offers; HrFlow documents no archive event name, see specs/hrflow/webhooks.md).
 */
function isArchiveEvent(type: unknown): boolean {
  return typeof type === 'string' && /^profile\.(?:[a-z_]+\.)*archive$/i.test(type.trim());
}

/** Largest body read (HrFlow events carry a whole profile): Node-RED's apiMaxLength, else 5 MB. */
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

/** Seen events of each webhook node, per runtime: a redeploy keeps them (a restart does not). */
const seenByRuntime = new WeakMap<object, Map<string, SeenEvents>>();

type Req = IncomingMessage & { body?: unknown; _body?: boolean; readableEnded?: boolean; originalUrl?: string };
type Res = ServerResponse & { status(code: number): Res; json(body: unknown): void };

/** The raw body of a request, or an error: too large, or already parsed by someone else (then undefined). */
function rawBody(req: Req, max: number): Promise<Buffer | undefined> {
  if (req._body || req.readableEnded) {
    const b = req.body;
    return Promise.resolve(Buffer.isBuffer(b) ? b : typeof b === 'string' ? Buffer.from(b, 'utf8') : undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(Object.assign(new Error('request body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Raw-body capture at the top of the root Express app (as the core http in node does for its raw routes):
 * with the default settings the editor's admin app sits at `/` before httpNode and parses JSON bodies of
 * every request that passes through it, so the raw bytes the signature covers would be gone by the time
 * the route runs. One capture per root app; the route keys (`/<httpNodeRoot>/<path>`, normalized) of the
 * webhook nodes it serves, counted (a redeploy adds the new node before the old one is removed).
 */
const captures = new WeakMap<object, Map<string, number>>();

/** `/a//b/` → `/a/b`, lowercased (Express routes are case-insensitive and not strict by default). */
function routeKey(url: string): string {
  return url.replace(/\/{2,}/g, '/').replace(/\/$/, '').toLowerCase() || '/';
}

function rootApp(app: any): any {
  let a = app;
  while (a && a.parent) a = a.parent;
  return a;
}

/** Serve route `key` by the raw capture of httpNode's root app; returns the undo. */
function captureRaw(httpNode: any, key: string, maxBytes: number): () => void {
  const root = rootApp(httpNode);
  let keys = captures.get(root);
  if (!keys && typeof root?.use === 'function') {
    const routes = new Map<string, number>();
    const capture = (req: Req, _res: unknown, next: (err?: unknown) => void) => {
      if (req.method !== 'POST' || req._body || req.readableEnded) return next();
      const pathname = (req.originalUrl ?? req.url ?? '').split('?')[0];
      if (!routes.has(routeKey(pathname))) return next();
      rawBody(req, maxBytes).then((buf) => {
        req.body = buf;
        req._body = true;
        (req as { skipRawBodyParser?: boolean }).skipRawBodyParser = true;
        next();
      }, next);
    };
    root.use(capture);
    const stack: any[] = (root._router ?? root.router)?.stack ?? [];
    const i = stack.findIndex((l) => l?.handle === capture);
    if (i > 0) stack.unshift(stack.splice(i, 1)[0]);
    captures.set(root, routes);
    keys = routes;
  }
  if (!keys) return () => {};
  const k = keys;
  k.set(key, (k.get(key) ?? 0) + 1);
  return () => {
    const n = (k.get(key) ?? 1) - 1;
    if (n > 0) k.set(key, n);
    else k.delete(key);
  };
}

/** A byte size setting like "5mb" or 5242880. */
function byteSetting(v: unknown): number | undefined {
  if (typeof v === 'number' && v > 0) return v;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(v);
  if (!m) return undefined;
  const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Math.floor(Number(m[1]) * mult);
}

export = function (RED: NodeAPI): void {
  const say = (t: { key: string; en: string }, values: Record<string, string | number>): string => runtimeText(RED, t.key, t.en, values);

  function HrflowWebhookNode(this: Node, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    const creds = ((node as unknown as { credentials?: Record<string, string> }).credentials ?? {});
    const secret = typeof creds.webhook_secret === 'string' ? creds.webhook_secret : '';
    const events = eventList(def.events);
    let path = typeof def.path === 'string' ? def.path.trim() : '';
    if (!path) {
      node.status(Status.error(STATUS.noPath));
      node.warn('hrflow-webhook: no path: this node receives nothing');
      return;
    }
    if (!path.startsWith('/')) path = `/${path}`;
    const httpNode = (RED as unknown as { httpNode?: any }).httpNode;
    if (!httpNode || typeof httpNode.post !== 'function') {
      node.warn('hrflow-webhook: HTTP nodes are turned off in this Node-RED (httpNodeRoot: false): this node receives nothing');
      return;
    }
    let maxBytes = DEFAULT_MAX_BYTES;
    try {
      maxBytes = byteSetting((RED.settings as unknown as Record<string, unknown>).apiMaxLength) ?? DEFAULT_MAX_BYTES;
    } catch {
      /* the default */
    }

    const key = runtimeKey(RED);
    let perNode = seenByRuntime.get(key);
    if (!perNode) seenByRuntime.set(key, (perNode = new Map()));
    let seen = perNode.get(node.id);
    if (!seen) perNode.set(node.id, (seen = new SeenEvents()));
    const seenEvents = seen;

    let received = 0;
    let rejected = 0;
    let closed = false;
    // The shared store; `show` sets the status, except that a red ring says so while the store is down.
    const store = useStoreWithStatus(RED, node, def.store, STATUS.storeDown);
    const show = store.show;
    const shared = store.shared;
    show(secret ? (store.error ? Status.error(store.error.code) : Status.filtered(say(STATUS.listening, { path }))) : Status.error(STATUS.noSecret));

    /**
     * The events of a delivery seen for the first time, marked in the shared store. Throws (STORE_UNAVAILABLE)
     * when a mark cannot be set, after removing the marks it set: then nothing of the delivery is emitted.
     */
    const firstInStore = async (events: Array<{ key: string; item: Record<string, unknown> }>): Promise<{ first: Array<Record<string, unknown>>; marks: string[] }> => {
      const marks: string[] = [];
      const first: Array<Record<string, unknown>> = [];
      try {
        if (shared!.state === 'down') throw new ConnectorError(ErrorCodes.STORE_UNAVAILABLE, `the Redis store at ${shared!.where} is unavailable`);
        for (const e of events) {
          // A key twice in one delivery: the second is a duplicate (its mark is this delivery's).
          if (marks.includes(e.key) || !(await shared!.store.seenOnce(e.key, SEEN_TTL_MS))) continue;
          marks.push(e.key);
          first.push(e.item);
        }
      } catch (err) {
        await unmark(marks);
        throw err;
      }
      return { first, marks };
    };
    /** Forget marks (the delivery was not handled: its redelivery must be). */
    const unmark = async (marks: string[]) => {
      for (const key of marks) {
        await shared!.store.unsee(key).catch((err: unknown) => {
          node.warn(`hrflow-webhook: could not remove the redelivery mark of an event (${(err as Error)?.message ?? err}): a redelivery of it within 24 h is taken for a duplicate`);
        });
      }
    };

    const handler = async (req: Req, res: Res) => {
      let body: Buffer | undefined;
      try {
        body = await rawBody(req, maxBytes);
      } catch (err) {
        const status = (err as { status?: number }).status ?? 400;
        if (!res.headersSent) res.status(status).json({ error: (err as Error).message });
        return;
      }
      if (!body) {
        node.warn('hrflow-webhook: the request body was parsed before this node could read it (an httpNodeMiddleware?): the signature cannot be checked');
        res.status(500).json({ error: 'raw body not available' });
        return;
      }
      if (!checkSignature(secret, body, signatureHeader(req.headers))) {
        rejected++;
        show(secret ? Status.error(say(STATUS.rejected, { count: rejected })) : Status.error(STATUS.noSecret));
        res.status(401).json({ error: 'invalid or missing HrFlow signature' });
        return;
      }
      if (closed) {
        // Stopping (a redeploy): not accepted, so HrFlow.ai delivers it again.
        res.status(503).json({ error: 'the flow is stopping: send again' });
        return;
      }
      if (store.error) {
        // The store this node names is not there: not accepted (a redeploy may fix it; HrFlow.ai delivers again).
        res.status(503).json({ error: store.error.message, code: store.error.code });
        return;
      }
      let list: HrflowEvent[];
      try {
        list = deliveryEvents(body);
      } catch (err) {
        res.status(400).json({ error: `invalid delivery: ${(err as Error).message}` });
        return;
      }
      let out: Array<Record<string, unknown>> = [];
      let filtered = 0;
      let duplicates = 0;
      const passed: Array<{ key: string; item: Record<string, unknown> }> = [];
      for (const event of list) {
        const ref = eventRef(event);
        if (!eventPasses(ref.type, events)) {
          filtered++;
          continue;
        }
        const item = { topic: ref.type, source_key: ref.source_key, profile_key: ref.profile_key, hrflow_event: event, payload: event, ...(isArchiveEvent(ref.type) ? { action: 'archive' } : {}) };
        if (shared) passed.push({ key: `webhook:${eventKey(event)}`, item });
        else if (!seenEvents.first(eventKey(event))) duplicates++;
        else out.push(item);
      }
      if (shared && passed.length) {
        let marked: { first: Array<Record<string, unknown>>; marks: string[] };
        try {
          marked = await firstInStore(passed);
        } catch (err) {
          const e = err instanceof ConnectorError ? err : new ConnectorError(ErrorCodes.STORE_UNAVAILABLE, String((err as Error)?.message ?? err));
          // Nothing emitted, nothing kept marked: HrFlow.ai delivers it again.
          if (!res.headersSent) res.status(503).json({ error: e.message, code: e.code });
          return;
        }
        if (closed) {
          // Stopped while the marks were set: this node cannot emit them any more.
          await unmark(marked.marks);
          if (!res.headersSent) res.status(503).json({ error: 'the flow is stopping: send again' });
          return;
        }
        out = marked.first;
        duplicates += passed.length - out.length;
      }
      // The answer first: nothing downstream (a push) delays it.
      res.status(200).json({ ok: true, events: list.length, emitted: out.length, filtered, duplicates });
      if (closed || out.length === 0) return;
      setImmediate(() => {
        if (closed) return;
        for (const msg of out) {
          received++;
          show(Status.ok(say(STATUS.received, { type: String(msg.topic || '?'), count: received })));
          node.send(msg);
        }
      });
    };
    /** Requests being handled: the close waits for them (bounded) before it lets the shared store go. */
    const handling = new Set<Promise<void>>();
    const route = (req: Req, res: Res) => {
      const p = handler(req, res).catch((err) => {
        node.error(`hrflow-webhook: ${(err as Error)?.message ?? err}`);
        if (!res.headersSent) res.status(500).json({ error: 'internal error' });
      });
      handling.add(p);
      void p.finally(() => handling.delete(p));
    };
    // settings.js httpNodeMiddleware (authentication...) runs first, as for the core http in node.
    let middleware: unknown[] = [];
    try {
      const m = (RED.settings as unknown as Record<string, unknown>).httpNodeMiddleware;
      if (typeof m === 'function') middleware = [m];
      else if (Array.isArray(m)) middleware = m.filter((f) => typeof f === 'function');
    } catch {
      /* none */
    }
    let mount = '';
    try {
      mount = typeof httpNode.path === 'function' ? String(httpNode.path()) : '';
    } catch {
      mount = '';
    }
    const release = captureRaw(httpNode, routeKey(`${mount}/${path}`), maxBytes);
    httpNode.post(path, ...middleware, route);

    node.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      release();
      if (removed) perNode?.delete(node.id);
      const router = httpNode._router ?? httpNode.router;
      const stack: any[] = router?.stack ?? [];
      for (let i = stack.length - 1; i >= 0; i--) {
        const layers: any[] = stack[i]?.route?.stack ?? [];
        if (layers.some((l) => l?.handle === route)) stack.splice(i, 1);
      }
      node.status(Status.clear());
      if (!handling.size) {
        store.release();
        return done();
      }
      // A request marking its events in the store finishes first (it answers 503 and removes its marks).
      let timer: NodeJS.Timeout | undefined;
      void Promise.race([Promise.allSettled([...handling]), new Promise((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)))]).then(() => {
        clearTimeout(timer);
        store.release();
        done();
      });
    });
  }
  RED.nodes.registerType('hrflow-webhook', HrflowWebhookNode as any, { credentials: { webhook_secret: { type: 'password' } } });
};
