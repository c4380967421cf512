/**
 * One connection to a Redis server (issue 14: the shared store of several Node-RED instances), through
 * ioredis, loaded only when a Redis store is used (never at start-up, never for the embedded store).
 *
 * Fail fast, reconnect in the background: a command never waits in an offline queue. While the connection
 * is down a command waits at most `waitMs` for it to come back, then rejects with STORE_UNAVAILABLE; a
 * command in flight when the connection drops rejects at once (never re-sent behind the caller's back: its
 * effect is unknown to the caller, who gets the error). No answer within `commandTimeoutMs`: rejected too.
 * Every failure is a ConnectorError STORE_UNAVAILABLE naming the server as `redis://host:port/db`, never
 * with its password (the URL's user info is dropped, and the password is masked in any message).
 */
import type { Redis, RedisOptions } from 'ioredis';
import { ConnectorError, ErrorCodes } from './errors';
import { Redactor } from './redact';

export interface RedisConnectionOptions {
  /** `redis://[user[:password]@]host[:port][/db]` or `rediss://` (TLS). Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** The password (the `hrflow-store` credential); wins over one in the URL. */
  password?: string;
  /** How long a command waits for a lost connection to come back before STORE_UNAVAILABLE (default 2000 ms). */
  waitMs?: number;
  /** How long a command waits for its answer (default 5000 ms). */
  commandTimeoutMs?: number;
  /** How long a connection attempt may take (default 2000 ms). */
  connectTimeoutMs?: number;
  /** The longest pause between reconnection attempts (default 1000 ms). */
  maxReconnectDelayMs?: number;
}

export type RedisClient = Redis;

/** The server's address as shown in messages: scheme, host, port and database, never user info. */
export function redisWhere(url: string): string {
  try {
    const u = new URL(url);
    const db = u.pathname && u.pathname !== '/' ? u.pathname : '';
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${db}`;
  } catch {
    return 'redis (unreadable URL)';
  }
}

/**
 * An optional dependency of the Redis store (ioredis, rate-limiter-flexible: optionalDependencies, so an
 * install may leave them out): loaded, or STORE_UNAVAILABLE saying what to install.
 */
export function optionalPackage<T>(name: string, where: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (err) {
    if ((err as { code?: string })?.code !== 'MODULE_NOT_FOUND') throw err;
    throw new ConnectorError(
      ErrorCodes.STORE_UNAVAILABLE,
      `the Redis store at ${where} needs the package ${name}, an optional dependency that is not installed: run npm install ${name} in the Node-RED user directory`,
    );
  }
}

/** A refused password (or one missing): waiting does not help, the operation fails at once. */
export function isAuthError(err: unknown): boolean {
  return /WRONGPASS|NOAUTH|invalid (username-)?password|AUTH failed|without any password configured/i.test(String((err as Error)?.message ?? err));
}

/** STORE_UNAVAILABLE for a failed store operation. */
export function storeUnavailable(where: string, what: string, cause: unknown, redactor = new Redactor()): ConnectorError {
  const reason = redactor.text(cause instanceof Error ? cause.message : String(cause)).replace(/\s+/g, ' ').trim();
  return new ConnectorError(ErrorCodes.STORE_UNAVAILABLE, `the Redis store at ${where} is unavailable (${what}): ${reason || 'no answer'}`);
}

/** A client with Lua scripts defined as commands (no keys declared: one Redis server, not a Cluster). */
export type Scripted<Names extends string> = Redis & Record<Names, (...args: Array<string | number>) => Promise<unknown>>;

const definedScripts = new WeakMap<Redis, Set<string>>();

/** Define `scripts` (name → Lua) on the client once (ioredis sends EVALSHA, and EVAL after a server restart). */
export function withScripts<Names extends string>(redis: Redis, scripts: Record<Names, string>): Scripted<Names> {
  let names = definedScripts.get(redis);
  if (!names) definedScripts.set(redis, (names = new Set()));
  for (const [name, lua] of Object.entries<string>(scripts)) {
    if (names.has(name)) continue;
    redis.defineCommand(name, { numberOfKeys: 0, lua });
    names.add(name);
  }
  return redis as Scripted<Names>;
}

type Listener = (up: boolean) => void;

export class RedisConnection {
  /** The server, as shown in messages (no credentials). */
  readonly where: string;
  private readonly url: string;
  private readonly options: RedisConnectionOptions;
  private readonly redactor: Redactor;
  private redis: Redis | undefined;
  private closed = false;
  private readonly listeners = new Set<Listener>();
  private up = false;
  private readyWait: Promise<void> | undefined;

  constructor(options: RedisConnectionOptions = {}) {
    this.options = options;
    this.url = options.url?.trim() || 'redis://127.0.0.1:6379';
    this.where = redisWhere(this.url);
    let urlPassword: string | undefined;
    try {
      urlPassword = decodeURIComponent(new URL(this.url).password) || undefined;
    } catch {
      /* reported by the first command */
    }
    this.redactor = new Redactor([options.password, urlPassword]);
  }

  /** The ioredis client (created, and ioredis loaded, on first use). */
  get client(): Redis {
    if (this.closed) throw storeUnavailable(this.where, 'closed', 'the store was closed');
    if (!this.redis) {
      // Loaded here: only a Redis store loads ioredis.
      const { Redis: Client } = optionalPackage<typeof import('ioredis')>('ioredis', this.where);
      const maxDelay = this.options.maxReconnectDelayMs ?? 1000;
      const options: RedisOptions = {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        commandTimeout: this.options.commandTimeoutMs ?? 5000,
        connectTimeout: this.options.connectTimeoutMs ?? 2000,
        // Reconnect forever in the background, a little later each time (at most maxDelay).
        retryStrategy: (times: number) => Math.min(50 * times, maxDelay),
        // A refused password is not retried at once in a loop; reconnection carries on with the strategy.
        reconnectOnError: () => false,
        lazyConnect: false,
        // Commands issued in the same tick leave in one write (32 pushes in flight: far fewer syscalls).
        enableAutoPipelining: true,
      };
      if (this.options.password) options.password = this.options.password;
      const redis = new Client(this.url, options);
      // Errors are reported by the commands (STORE_UNAVAILABLE); an unhandled 'error' event would crash Node-RED.
      redis.on('error', () => undefined);
      redis.on('ready', () => this.setUp(true));
      redis.on('close', () => this.setUp(false));
      this.redis = redis;
    }
    return this.redis;
  }

  /** True while the connection is ready. */
  get isUp(): boolean {
    return this.up;
  }

  /** Called with true when the connection is (again) ready, false when it is lost. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    for (const l of [...this.listeners]) {
      try {
        l(up);
      } catch {
        /* a listener's own business */
      }
    }
  }

  /**
   * Resolves once the connection is ready; rejects (STORE_UNAVAILABLE) after `waitMs`. Callers waiting at
   * the same time share one wait.
   */
  async connected(what = 'connect'): Promise<Redis> {
    const redis = this.client;
    if (redis.status === 'ready') return redis;
    if (!this.readyWait) {
      this.readyWait = this.waitReady(redis).finally(() => {
        this.readyWait = undefined;
      });
    }
    try {
      await this.readyWait;
    } catch (err) {
      throw storeUnavailable(this.where, what, err, this.redactor);
    }
    return redis;
  }

  private waitReady(redis: Redis): Promise<void> {
    const waitMs = this.options.waitMs ?? 2000;
    return new Promise<void>((resolve, reject) => {
      let lastError: unknown;
      const done = (err?: unknown) => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        redis.off('error', onError);
        redis.off('end', onEnd);
        if (err === undefined) resolve();
        else reject(err);
      };
      const onReady = () => done();
      const onError = (err: unknown) => {
        lastError = err;
        // A refused password: said now, not after the wait.
        if (isAuthError(err)) done(err);
      };
      const onEnd = () => done(new Error('the connection was closed'));
      const timer = setTimeout(() => done(lastError ?? new Error(`not connected after ${waitMs} ms`)), waitMs);
      redis.on('ready', onReady);
      redis.on('error', onError);
      redis.on('end', onEnd);
      if (redis.status === 'ready') done();
    });
  }

  /** Run commands; any failure becomes STORE_UNAVAILABLE (`what` says which operation). */
  async run<T>(what: string, fn: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = await this.connected(what);
    try {
      return await fn(redis);
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      throw storeUnavailable(this.where, what, err, this.redactor);
    }
  }

  /** Close the connection (pending commands reject). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const redis = this.redis;
    this.redis = undefined;
    this.setUp(false);
    this.listeners.clear();
    if (!redis) return;
    try {
      if (redis.status === 'ready') await redis.quit();
      else redis.disconnect();
    } catch {
      redis.disconnect();
    }
  }
}
