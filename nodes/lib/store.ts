/**
 * The shared store of several Node-RED instances (issue 14): an `hrflow-store` config node in mode `redis`
 * is one SharedStore: a Redis connection, the push ledger and outbox in Redis (RedisLedgerStore, with shared
 * claims and per-instance leases), the accounts' shared rate limits (RedisRateLimiter), incremental cursors
 * and webhook redelivery marks. Mode `embedded` (or no store) is the runtime's own ledger (ledger.ts).
 *
 * The store lives while a node uses it: a redeploy that closes the config node before the push nodes that
 * still settle their messages does not pull the connection from under them (use() / release).
 * ioredis and rate-limiter-flexible load only here, and only for a store in mode `redis`.
 *
 * settings.js (optional): `hrflowInstanceId` (this instance's owner id: its unfinished pushes are leased to
 * it; default `<host>-<pid>-<random>`), `hrflowStoreLeaseMs` (how long an instance's leases and claims live
 * without renewal, default 30 000 ms: a dead instance's pushes are resumed by another after this),
 * `hrflowStoreWaitMs` (how long an operation waits for Redis to come back before STORE_UNAVAILABLE, default 30 000).
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';
import type { Limiter, RateLimit } from '../../src/core/limiter';
import { Redactor } from '../../src/core/redact';
import type { RedisConnection } from '../../src/core/redis';
import { PushLedger } from '../../src/push/ledger';
import type { RedisLedgerStore } from '../../src/push/redis-store';
import { runtimeKey } from './push-events';
import { intSetting } from './runtime';

export type StoreState = 'connecting' | 'up' | 'down';

export interface SharedStore {
  /** The server, as messages show it (`redis://host:port/db`, never a password). */
  readonly where: string;
  readonly prefix: string;
  /** This instance's owner id (leases, claims). */
  readonly owner: string;
  /** How long leases and claims live without renewal. */
  readonly leaseMs: number;
  readonly store: RedisLedgerStore;
  /** The push ledger over the store, with shared claims. */
  readonly ledger: PushLedger;
  readonly state: StoreState;
  /** A node uses the store until the answered release is called (in its close). */
  use(): () => void;
  /** Connection changes ('up', or 'down' with its STORE_UNAVAILABLE error). Answers the unsubscribe. */
  onState(listener: (state: 'up' | 'down', err?: ConnectorError) => void): () => void;
  /** The rate limiter every instance shares for an account (`key`: the account's hash), one per key in this process. */
  limiter(key: string, limit: RateLimit): Limiter;
}

export interface StoreConfigNode extends Node {
  /** `redis`: the shared store; `embedded`: none (the runtime's own ledger). */
  mode: 'embedded' | 'redis';
  /** The shared store (mode redis). */
  shared?: SharedStore;
}

/** How long a store operation waits for Redis to come back (a restart) before STORE_UNAVAILABLE. */
export const STORE_WAIT_MS = 30_000;

let processOwner: string | undefined;

/** This instance's owner id: `hrflowInstanceId` of settings.js, else one per process. */
export function instanceId(RED: NodeAPI): string {
  const set = setting(RED, 'hrflowInstanceId');
  if (typeof set === 'string' && set.trim()) return set.trim().slice(0, 200);
  if (!processOwner) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RedisLedgerStore: Store } = require('../../src/push/redis-store') as typeof import('../../src/push/redis-store');
    processOwner = Store.newOwnerId();
  }
  return processOwner;
}

function setting(RED: NodeAPI, name: string): unknown {
  try {
    return (RED.settings as unknown as Record<string, unknown>)[name];
  } catch {
    return undefined;
  }
}

/** `hrflowStoreWaitMs` of settings.js: how long a store operation waits for Redis (default STORE_WAIT_MS). */
export function waitSetting(RED: NodeAPI): number {
  return Math.max(100, intSetting(setting(RED, 'hrflowStoreWaitMs'), STORE_WAIT_MS) || STORE_WAIT_MS);
}

/** `hrflowStoreLeaseMs` of settings.js (at least 1 s), default 30 s. */
export function leaseSetting(RED: NodeAPI): number {
  return Math.max(1000, intSetting(setting(RED, 'hrflowStoreLeaseMs'), 30_000) || 30_000);
}

/** The store's values, checked: mode, URL (redis: or rediss:), prefix. INVALID_CONFIG names what is wrong. */
export function readStoreConfig(values: Record<string, unknown>): { mode: 'embedded' | 'redis'; url: string; prefix: string } {
  const mode = values.mode === 'redis' ? 'redis' : values.mode === undefined || values.mode === '' || values.mode === 'embedded' ? 'embedded' : undefined;
  if (!mode) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `hrflow-store: mode "${String(values.mode).slice(0, 40)}" is not "embedded" or "redis"`);
  const url = typeof values.url === 'string' && values.url.trim() ? values.url.trim() : 'redis://127.0.0.1:6379';
  const prefix = typeof values.prefix === 'string' && values.prefix.trim() ? values.prefix.trim() : 'hrflow:';
  if (mode === 'redis') {
    let u: URL | undefined;
    try {
      u = new URL(url);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.hostname) {
      throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'hrflow-store: the URL must be redis://host:port[/db] or rediss://host:port[/db]');
    }
    if (/[\s{}]/.test(prefix) || prefix.length > 100) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'hrflow-store: the prefix must be at most 100 characters, without spaces or braces');
  }
  return { mode, url, prefix };
}

class RedisSharedStore implements SharedStore {
  readonly where: string;
  readonly prefix: string;
  readonly owner: string;
  readonly leaseMs: number;
  readonly store: RedisLedgerStore;
  readonly ledger: PushLedger;
  state: StoreState = 'connecting';
  private readonly connection: RedisConnection;
  private readonly limiters = new Map<string, Limiter>();
  private readonly listeners = new Set<(state: 'up' | 'down', err?: ConnectorError) => void>();
  private users = 0;
  private configClosed = false;
  private closing: Promise<void> | undefined;
  private lastError: ConnectorError | undefined;

  constructor(RED: NodeAPI, url: string, password: string | undefined, prefix: string, warn: (text: string) => void) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RedisConnection: Connection } = require('../../src/core/redis') as typeof import('../../src/core/redis');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RedisLedgerStore: Store } = require('../../src/push/redis-store') as typeof import('../../src/push/redis-store');
    this.prefix = prefix;
    this.owner = instanceId(RED);
    this.leaseMs = leaseSetting(RED);
    const waitMs = waitSetting(RED);
    this.connection = new Connection({ url, password: password || undefined, waitMs });
    this.where = this.connection.where;
    this.store = new Store({
      connection: this.connection,
      prefix,
      owner: this.owner,
      leaseMs: this.leaseMs,
      retryMs: waitMs,
      onLeaseLost: () => warn(`hrflow-store ${this.where}: this instance's lease had lapsed (Redis was out of reach longer than ${this.leaseMs} ms): another instance may have resumed some of its unfinished pushes`),
    });
    this.ledger = new PushLedger(this.store, {
      claims: { store: this.store, owner: this.owner, ttlMs: this.leaseMs },
      onStoreError: (err, entry) => warn(`hrflow push ledger (${this.where}): could not record the ${entry.outcome} push of ${entry.vendor}: ${(err as Error)?.message ?? err}`),
    });
    this.connection.onChange((up) => this.set(up ? 'up' : 'down'));
    // Connect now: the nodes' status says at once whether Redis is there.
    this.store.open().then(
      () => this.set('up'),
      (err: unknown) => {
        this.lastError = err instanceof ConnectorError ? err : new ConnectorError(ErrorCodes.STORE_UNAVAILABLE, String((err as Error)?.message ?? err));
        this.set('down', true);
        warn(this.lastError.message);
      },
    );
  }

  private set(state: 'up' | 'down', force = false): void {
    if (this.state === state && !force) return;
    this.state = state;
    const err = state === 'down' ? (this.lastError ?? new ConnectorError(ErrorCodes.STORE_UNAVAILABLE, `the Redis store at ${this.where} is unavailable: the connection was lost`)) : undefined;
    if (state === 'up') this.lastError = undefined;
    for (const l of [...this.listeners]) {
      try {
        l(state, err);
      } catch {
        /* a listener's own business */
      }
    }
  }

  onState(listener: (state: 'up' | 'down', err?: ConnectorError) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  use(): () => void {
    this.users++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.users--;
      this.closeWhenUnused();
    };
  }

  limiter(key: string, limit: RateLimit): Limiter {
    const id = `${key}/${limit.perWindow}/${limit.windowMs}/${limit.concurrent ?? ''}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { RedisRateLimiter } = require('../../src/core/redis-limiter') as typeof import('../../src/core/redis-limiter');
      limiter = new RedisRateLimiter({ ...limit, key, prefix: this.prefix, connection: this.connection, leaseMs: this.leaseMs });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  /** The config node closed: the store closes once no node uses it. */
  configClose(): Promise<void> {
    this.configClosed = true;
    return this.closeWhenUnused() ?? Promise.resolve();
  }

  private closeWhenUnused(): Promise<void> | undefined {
    if (!this.configClosed || this.users > 0) return undefined;
    this.closing ??= (async () => {
      this.listeners.clear();
      for (const l of this.limiters.values()) l.close(new ConnectorError(ErrorCodes.ABORTED, 'the store was redeployed'));
      this.limiters.clear();
      await this.store.close().catch(() => undefined);
      await this.connection.close().catch(() => undefined);
    })();
    return this.closing;
  }
}

/**
 * The shared store a node's `store` property names: undefined for none, or a store in mode `embedded`.
 * INVALID_CONFIG when it names no hrflow-store node.
 */
export function sharedStoreFor(RED: NodeAPI, id: unknown): SharedStore | undefined {
  if (id === undefined || id === null || id === '' || id === '_ADD_') return undefined;
  const node = RED.nodes.getNode(String(id)) as StoreConfigNode | null;
  if (!node || node.type !== 'hrflow-store') {
    throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `the store ${String(id).slice(0, 40)} of this node is not deployed (an hrflow-store config node)`);
  }
  if (node.mode === 'redis' && !node.shared) {
    throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `the hrflow-store ${node.name || node.id} is not configured correctly (see the log)`);
  }
  return node.shared;
}

/** The text a node's status shows while its store is down (catalogue key in the node set's namespace). */
export const STORE_DOWN_STATUS = 'store unavailable';

/**
 * A node's store, resolved once at deploy: `shared` (or undefined: embedded), `error` when the property names
 * a store that is not there (the node then fails every message with it), and the release for its close.
 * `status(state)` is called when the connection goes down or comes back.
 */
export function useStore(RED: NodeAPI, node: Node, id: unknown, status: (state: 'up' | 'down', err?: ConnectorError) => void): { shared?: SharedStore; error?: ConnectorError; release(): void } {
  let shared: SharedStore | undefined;
  try {
    shared = sharedStoreFor(RED, id);
  } catch (err) {
    const error = err as ConnectorError;
    node.error(error.message);
    return { error, release: () => undefined };
  }
  if (!shared) return { release: () => undefined };
  const free = shared.use();
  const off = shared.onState(status);
  if (shared.state === 'down') status('down');
  return {
    shared,
    release: () => {
      off();
      free();
    },
  };
}

/** The hrflow-store nodes deployed in a runtime (the HrFlow sidebar lists them). */
const deployed = new WeakMap<object, Set<StoreConfigNode>>();

/** The deployed hrflow-store nodes of this runtime: id, name, mode, server, connection state. */
export function deployedStores(RED: NodeAPI): Array<{ id: string; name: string; mode: 'embedded' | 'redis'; where?: string; state?: StoreState }> {
  return [...(deployed.get(runtimeKey(RED)) ?? [])].map((n) => ({ id: n.id, name: n.name ?? '', mode: n.mode, where: n.shared?.where, state: n.shared?.state }));
}

/** Register the `hrflow-store` config node and its Test connection route. */
export function registerStoreNode(RED: NodeAPI): void {
  function HrflowStore(this: StoreConfigNode, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    let read: ReturnType<typeof readStoreConfig> | undefined;
    try {
      read = readStoreConfig(def);
    } catch (err) {
      node.error((err as Error).message);
    }
    node.mode = read?.mode ?? 'redis';
    if (read?.mode === 'redis') {
      const password = (node as unknown as { credentials?: { password?: string } }).credentials?.password;
      try {
        node.shared = new RedisSharedStore(RED, read.url, password, read.prefix, (text) => node.warn(text));
      } catch (err) {
        // ioredis missing (an optional dependency): STORE_UNAVAILABLE saying what to install.
        node.error((err as Error).message);
      }
    }
    const live = deployed.get(runtimeKey(RED)) ?? new Set<StoreConfigNode>();
    deployed.set(runtimeKey(RED), live);
    live.add(node);
    node.on('close', (_removed: boolean, done: () => void) => {
      live.delete(node);
      const shared = node.shared as RedisSharedStore | undefined;
      if (!shared) return done();
      // Not awaited past what a deploy can wait for: nodes still using it close it when they are done.
      void shared.configClose().finally(done);
    });
  }
  RED.nodes.registerType('hrflow-store', HrflowStore as any, { credentials: { password: { type: 'password' } } });
  mountStoreTest(RED);
}

type Req = { body?: unknown };
type Res = { status(n: number): Res; json(v: unknown): void };
type Handler = (req: Req, res: Res, next: () => void) => void;
const mounted = new WeakSet<object>();

/**
 * POST /hrflow-connectors/store-test {id?, values: {mode?, url, prefix?, password?}} (hrflow-connectors.write):
 * connects to the Redis server, checks the password, and says how durable it is (appendonly) and whether it may
 * evict keys. A password absent or "__PWRD__" is the deployed node `id`'s, used only when the URL is the deployed one.
 * Answers 200 {ok: true, detail, warnings} or 200 {ok: false, code, message} (never a password); 400 for a bad body.
 */
function mountStoreTest(RED: NodeAPI): void {
  const app = (RED as unknown as { httpAdmin?: { post(path: string, ...h: Handler[]): void } }).httpAdmin;
  if (!app || mounted.has(app)) return;
  mounted.add(app);
  const auth = (RED as unknown as { auth?: { needsPermission?(p: string): Handler } }).auth;
  const permission: Handler = auth?.needsPermission ? auth.needsPermission('hrflow-connectors.write') : (_req, _res, next) => next();
  app.post('/hrflow-connectors/store-test', permission, (req, res) => {
    const body = req.body as { id?: unknown; values?: Record<string, unknown> } | undefined;
    const values = body && typeof body === 'object' && body.values && typeof body.values === 'object' ? body.values : undefined;
    if (!values) return res.status(400).json({ ok: false, code: ErrorCodes.INVALID_INPUT, message: 'expected {id?, values: {url, prefix?, password?}}' });
    void testStore(RED, typeof body!.id === 'string' ? body!.id : undefined, values).then(
      (answer) => res.status(200).json(answer),
      (err: unknown) => res.status(200).json({ ok: false, code: (err as ConnectorError)?.code ?? ErrorCodes.STORE_UNAVAILABLE, message: String((err as Error)?.message ?? err) }),
    );
  });
}

/** Test connection of the dialog (see mountStoreTest). */
export async function testStore(RED: NodeAPI, id: string | undefined, values: Record<string, unknown>): Promise<{ ok: true; detail: string; warnings: string[] } | { ok: false; code: string; message: string }> {
  const read = readStoreConfig({ ...values, mode: 'redis' });
  let password = typeof values.password === 'string' && values.password !== '__PWRD__' ? values.password : undefined;
  if (password === undefined && id) {
    const deployed = RED.nodes.getNode(id) as (StoreConfigNode & { credentials?: { password?: string } }) | null;
    const sameUrl = deployed?.type === 'hrflow-store' && (() => {
      try {
        return readStoreConfig({ ...(deployed as unknown as Record<string, unknown>), mode: 'redis' }).url === read.url;
      } catch {
        return false;
      }
    })();
    // The deployed password goes only to the deployed URL.
    if (sameUrl) password = deployed?.credentials?.password;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RedisConnection: Connection } = require('../../src/core/redis') as typeof import('../../src/core/redis');
  const connection = new Connection({ url: read.url, password: password || undefined, waitMs: 5000, connectTimeoutMs: 5000, maxReconnectDelayMs: 500 });
  const redactor = new Redactor([password]);
  try {
    const info = await connection.run('test the connection', async (r) => {
      await r.ping();
      return String(await r.info());
    });
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    const warnings: string[] = [];
    if (field('aof_enabled') !== '1') warnings.push('appendonly is off: a Redis crash loses recent writes (the ledger may then let a duplicate through); set appendonly yes');
    const policy = field('maxmemory_policy');
    if (policy && policy !== 'noeviction') warnings.push(`maxmemory-policy is ${policy}: Redis may evict ledger keys; set noeviction`);
    if (field('redis_mode') === 'cluster') warnings.push('this is a Redis Cluster: the store needs one server (or a primary with replicas)');
    return { ok: true, detail: `connected to ${connection.where} (Redis ${field('redis_version') ?? '?'}, prefix ${read.prefix})`, warnings };
  } catch (err) {
    const e = err as ConnectorError;
    return { ok: false, code: e?.code ?? ErrorCodes.STORE_UNAVAILABLE, message: redactor.text(String(e?.message ?? err)) };
  } finally {
    await connection.close().catch(() => undefined);
  }
}
