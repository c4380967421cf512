/**
 * A rate and concurrency limiter shared by every process using one account (issue 14): the same interface
 * as RateLimiter (limiter.ts), its state in Redis, so that N Node-RED instances together never start more
 * than `perWindow` requests in any rolling window nor hold more than `concurrent` in flight.
 *
 * - Rate: rate-limiter-flexible's RateLimiterRedis, given a sliding-log script (its `customIncrTtlLuaScript`
 *   option): its own script counts fixed windows (one key per window, EX in whole seconds), which lets 2 ×
 *   perWindow through a rolling second across a window boundary, and the vendor then answers 429. The log
 *   holds each start for windowMs + marginMs (as RateLimiter does), timed by the Redis server's clock, from
 *   when it was counted and, once its answer came, from then: between the count and the request reaching
 *   the vendor a busy process can lose far more than the margin (measured: 400 ms for a process's first
 *   request, three processes on two cores), and the vendor counts from the arrival.
 * - Concurrency: a sorted set of holders, each with a lease (default 30 s, renewed while the request runs):
 *   the slot of a process that died frees when its lease ends. The slot is taken first, then the rate.
 * - A pause asked by the vendor (429 Retry-After, X-RateLimit-Remaining: 0) is a key with a PX TTL: every
 *   process holds its starts until it ends. Limits adopted from X-RateLimit-* are shared in a hash.
 * - Redis down: waiters wait (retrying) until their deadline, then reject with STORE_UNAVAILABLE; the
 *   limiter never starts a request it could not count. A release while Redis is down is left to the lease.
 *
 * The synchronous readings (nextStartAt, pausedUntilMs, windowFull, busyUntil) are this process's view:
 * what it saw last of the shared state, and its own starts.
 * rate-limiter-flexible and ioredis load on the first acquire (never at start-up).
 */
import { randomUUID } from 'node:crypto';
import type { RateLimiterRedis } from 'rate-limiter-flexible';
import { ConnectorError, ErrorCodes } from './errors';
import { QueuedLimiter, type Limiter, type RateLimit } from './limiter';
import { optionalPackage, RedisConnection, withScripts, type RedisClient, type RedisConnectionOptions, type Scripted } from './redis';

export interface RedisRateLimitOptions extends RateLimit, RedisConnectionOptions {
  /** What is limited (an account hash): limiters with the same key (and prefix) share everything. */
  key: string;
  /** A connection to share; not closed by the limiter. */
  connection?: RedisConnection;
  /** Key prefix (default `hrflow:`). */
  prefix?: string;
  /** A concurrency slot's lease, renewed every leaseMs / 3 while held (default 30 000 ms). */
  leaseMs?: number;
  /** How often a full concurrency cap is checked again (default 10 ms; a local release checks at once). */
  pollMs?: number;
}

/**
 * The sliding log, in rate-limiter-flexible's script contract: KEYS[1] the key, ARGV[1] points to consume,
 * ARGV[3] the limit, ARGV[4] the duration in seconds; answers {consumed, ms before next}: consumed above
 * the limit is a refusal. The key is `<log>|<holder>`: the start is logged under the holder's name, so that
 * its release can move it to when the answer came (hrflowFree).
 */
const SLIDING_LOG = `
local key, member = string.match(KEYS[1], '^(.*)|([^|]+)$')
if not key then key = KEYS[1] end
local consume = tonumber(ARGV[1])
local limit = tonumber(ARGV[3])
local ms = math.floor(tonumber(ARGV[4]) * 1000 + 0.5)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - ms)
local n = redis.call('ZCARD', key)
if n + consume > limit then
  local at = redis.call('ZRANGE', key, n + consume - limit - 1, n + consume - limit - 1, 'WITHSCORES')
  local wait = ms
  if at[2] then wait = tonumber(at[2]) + ms - now end
  if wait < 1 then wait = 1 end
  return {limit + consume, wait}
end
for i = 1, consume do
  if member then redis.call('ZADD', key, now, member .. ':' .. i) else redis.call('ZADD', key, now, now .. ':' .. (n + i)) end
end
redis.call('PEXPIRE', key, ms)
return {n + consume, ms}
`;

const LUA_NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

const SCRIPTS = {
  /**
   * ARGV: base, holder, leaseMs, default cap. {-1, pause ms left} while paused; {0, ms until the first lease
   * ends, cap, perWindow} when full; {1, 0, cap, perWindow} with the slot taken. cap / perWindow: the shared
   * adopted limits (0: none).
   */
  hrflowSlot: `${LUA_NOW}
local base = ARGV[1]
local p = redis.call('PTTL', base .. ':pause')
if p > 0 then return {-1, p, 0, 0} end
local lim = redis.call('HMGET', base .. ':limits', 'concurrent', 'perWindow')
local cap = tonumber(lim[1]) or tonumber(ARGV[4])
local pw = tonumber(lim[2]) or 0
local z = base .. ':conc'
redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
if redis.call('ZCARD', z) >= cap then
  local first = redis.call('ZRANGE', z, 0, 0, 'WITHSCORES')
  return {0, tonumber(first[2]) - now, tonumber(lim[1]) or 0, pw}
end
redis.call('ZADD', z, now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', z, ARGV[3])
return {1, 0, tonumber(lim[1]) or 0, pw}`,
  /**
   * ARGV: base, holder, log key, hold ms, margin ms. The request is over: its concurrency slot is freed, and
   * its start in the log is held until a window after now (it reached the vendor before its answer came
   * back, maybe well after it was counted, and the vendor counts it from its arrival): a start scored
   * now - margin ends now + window (the margin covered the unknown arrival; now bounds it). Never earlier
   * than it was.
   */
  hrflowFree: `${LUA_NOW}
redis.call('ZREM', ARGV[1] .. ':conc', ARGV[2])
local m = ARGV[2] .. ':1'
local at = redis.call('ZSCORE', ARGV[3], m)
local moved = now - tonumber(ARGV[5])
if at and tonumber(at) < moved then
  redis.call('ZADD', ARGV[3], 'XX', moved, m)
  redis.call('PEXPIRE', ARGV[3], ARGV[4])
end
return 1`,
  /** ARGV: base, leaseMs, holders...: renew the leases still held. */
  hrflowRenewSlots: `${LUA_NOW}
local z = ARGV[1] .. ':conc'
for i = 3, #ARGV do redis.call('ZADD', z, 'XX', now + tonumber(ARGV[2]), ARGV[i]) end
redis.call('PEXPIRE', z, ARGV[2])
return 1`,
  /**
   * ARGV: base, log key, hold ms, pause ms, perWindow. The vendor said its window is used up
   * (X-RateLimit-Remaining: 0): when the shared log already holds perWindow starts (it is our own instances'
   * use: the log holds the next start anyway), 0; else someone outside this log uses the account: pause
   * everyone for pause ms (or longer if already so), and answer the pause left.
   */
  hrflowExhausted: `${LUA_NOW}
local n = redis.call('ZCOUNT', ARGV[2], now - tonumber(ARGV[3]), '+inf')
if n >= tonumber(ARGV[5]) then return 0 end
local k = ARGV[1] .. ':pause'
local left = redis.call('PTTL', k)
local ms = tonumber(ARGV[4])
if left < ms then redis.call('SET', k, '1', 'PX', ms) return ms end
return left`,
  /** ARGV: base, ms: pause everyone for ms (or longer if already so). Answers the pause left. */
  hrflowPause: `
local k = ARGV[1] .. ':pause'
local left = redis.call('PTTL', k)
local ms = tonumber(ARGV[2])
if left < ms then redis.call('SET', k, '1', 'PX', ms) return ms end
return left`,
} as const;

type Client = Scripted<keyof typeof SCRIPTS>;
const scripted = (redis: RedisClient): Client => withScripts(redis, SCRIPTS);

/** Adopted limits are kept this long after the last adoption. */
const LIMITS_TTL_MS = 24 * 3600_000;
/** Between two attempts while Redis is down. */
const RETRY_MS = 200;

export class RedisRateLimiter extends QueuedLimiter {
  private readonly base: string;
  private readonly key: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly connection: RedisConnection;
  private readonly ownsConnection: boolean;
  private readonly id = randomUUID();
  private holders = 0;
  /** When the shared log said the next start could come (epoch ms, this clock). */
  private sharedNextAt = 0;
  private readonly held = new Set<string>();
  /** Loops taking slots now (several at once when several waiters could start: their round trips overlap). */
  private loops = 0;
  /** The shared cap or window was full at the last try: one loop waits, no more are started until a start succeeds. */
  private crowded = false;
  private isClosed = false;
  private readonly wakeUps = new Set<() => void>();
  private renewTimer: NodeJS.Timeout | undefined;
  private rate: RateLimiterRedis | undefined;
  private rateFor: { client: RedisClient; perWindow: number } | undefined;
  /** The last failure of Redis, while it lasts (cleared by the next success). */
  private storeError: ConnectorError | undefined;

  constructor(options: RedisRateLimitOptions) {
    super(options);
    this.limitName = "the account's shared rate limit";
    this.key = options.key;
    this.base = `${options.prefix ?? 'hrflow:'}limit:${options.key}`;
    this.leaseMs = Math.max(100, options.leaseMs ?? 30_000);
    this.pollMs = Math.max(1, options.pollMs ?? 10);
    this.ownsConnection = !options.connection;
    this.connection = options.connection ?? new RedisConnection(options);
  }

  override acquire(signal?: AbortSignal, deadline?: number): Promise<() => void> {
    if (this.isClosed) return Promise.reject(new Error('rate limiter closed'));
    return super.acquire(signal, deadline);
  }

  protected override drain(): void {
    this.run();
  }

  protected override lateError(): unknown {
    return this.storeError ?? super.lateError();
  }

  protected override laterStartAt(): number {
    return this.sharedNextAt;
  }

  /** Shared: every process holds its starts until then. */
  protected override paused(ms: number): void {
    this.connection
      .run('share a pause', (r) => scripted(r).hrflowPause(this.base, Math.max(1, Math.round(ms))))
      .catch(() => undefined); // Redis down: this process holds off anyway; the others see the vendor's 429 themselves
  }

  /**
   * X-RateLimit-Remaining: 0. The shared log knows whether that is our own instances' use (then its next start
   * waits for the window anyway: no pause, which would cost up to a window per cycle) or someone else's (a
   * pause of a window for every instance, as RateLimiter does).
   */
  override serverExhausted(): void {
    if (this.windowFull()) return;
    const log = `${this.base}:rate:${this.key}`;
    const hold = Math.max(this.holdMs, 1000);
    this.connection
      .run('read the shared window', (r) => scripted(r).hrflowExhausted(this.base, log, hold, this.windowMs, this.perWindow))
      .then(
        (ms) => {
          if (Number(ms) > 0) this.pauseUntil(Math.min(Date.now() + Number(ms), Date.now() + this.maxPauseMs));
        },
        () => super.serverExhausted(), // Redis down: this process holds off a window, as alone
      );
  }

  protected override adopted(changed: { perWindow?: number; concurrent?: number }): void {
    const fields = Object.entries(changed).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)]));
    const key = `${this.base}:limits`;
    this.connection
      .run('share the limits', (r) => r.multi().hset(key, ...fields).pexpire(key, LIMITS_TTL_MS).exec())
      .catch(() => undefined);
    this.wake();
  }

  /** Take over what a previous limiter of the account saw (a redeploy): its pause and limits. The rest is in Redis. */
  carryFrom(previous: Limiter): void {
    this.pauseUntil(Math.min(previous.pausedUntilMs, Date.now() + this.maxPauseMs));
    this.perWindow = previous.limits.perWindow;
    this.concurrent = previous.limits.concurrent;
  }

  /** Waiters are rejected; the connection closes unless it was given. Slots still held free by their release (or lease). */
  protected override closed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.wake();
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    if (this.ownsConnection) {
      // Releases of requests still running go first (their ZREM), then the connection closes.
      setTimeout(() => void this.connection.close(), this.held.size ? 1000 : 0).unref();
    }
  }

  // -------------------------------------------------------------------------------------------

  private wake(): void {
    const all = [...this.wakeUps];
    this.wakeUps.clear();
    for (const w of all) w();
  }

  /** Sleep `ms`, or less when woken (a local release, new limits, close). */
  private nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(1, ms));
      const wakeUps = this.wakeUps;
      function done() {
        clearTimeout(timer);
        wakeUps.delete(done);
        resolve();
      }
      wakeUps.add(done);
    });
  }

  /**
   * How many loops may take slots at once: one per waiter that could start now (the free concurrency of this
   * process's view), at least one. Each loop's round trips to Redis (a slot, then a start in the log) are
   * serial; several loops overlap them, and Redis writes them with one fsync.
   */
  private loopsWanted(): number {
    if (this.crowded) return 1;
    return Math.max(1, Math.min(this.queue.length, this.concurrent - this.held.size));
  }

  /** Start the loops that take slots for the waiters, in order. */
  private run(): void {
    while (!this.isClosed && this.queue.length && this.loops < this.loopsWanted()) {
      this.loops++;
      this.loop()
        .catch((err) => {
          // Not a Redis failure (those are retried): the waiters get it rather than a loop that spins.
          for (const w of [...this.queue]) {
            this.remove(w);
            w.reject(err);
          }
        })
        .finally(() => {
          this.loops--;
          if (this.queue.length && !this.isClosed) this.run();
        });
    }
  }

  private async loop(): Promise<void> {
    // A loop ends when no waiter is left, or when more loops run than waiters could start (the others carry on).
    while (this.queue.length && !this.isClosed && this.loops <= this.loopsWanted()) {
      const now = Date.now();
      if (now < this.pausedUntil) {
        await this.nap(this.pausedUntil - now);
        continue;
      }
      const holder = `${this.id}:${++this.holders}`;
      let slot: number[];
      try {
        slot = (await this.connection.run('take a rate slot', (r) => scripted(r).hrflowSlot(this.base, holder, this.leaseMs, this.concurrent))) as number[];
        this.storeError = undefined;
      } catch (err) {
        await this.storeDown(err);
        continue;
      }
      const [status, waitMs, cap, perWindow] = slot.map(Number);
      if (cap > 0 && cap !== this.concurrent) this.concurrent = cap;
      if (perWindow > 0 && perWindow !== this.perWindow) this.perWindow = perWindow;
      if (status === -1) {
        this.pauseUntil(Date.now() + waitMs);
        continue;
      }
      if (status === 0) {
        // The cap is full: one loop polls it, the others end.
        this.crowded = true;
        if (this.loops > 1) return;
        await this.nap(Math.min(this.pollMs, Math.max(1, waitMs)));
        continue;
      }
      this.held.add(holder);
      this.renewing();
      // The slot is ours: now a start in the shared rolling window.
      let started = false;
      while (!this.isClosed && this.queue.length) {
        let wait: number;
        try {
          wait = await this.consume(holder);
          this.storeError = undefined;
        } catch (err) {
          await this.storeDown(err);
          continue;
        }
        if (wait === 0) {
          started = true;
          break;
        }
        this.sharedNextAt = Date.now() + wait;
        // The window is full: one loop waits for it (holding its slot), the others free theirs and end.
        this.crowded = true;
        if (this.loops > 1) break;
        await this.nap(wait);
      }
      const w = started ? this.queue[0] : undefined;
      if (!w) {
        // Every waiter left (aborted, deadline) while this slot waited for the rate, or another loop waits: free it.
        this.free(holder);
        if (!started && this.loops > 1) return;
        continue;
      }
      this.remove(w);
      this.crowded = false;
      const at = Date.now();
      this.starts.push(at);
      this.trim(at);
      let released = false;
      w.resolve(() => {
        if (released) return;
        released = true;
        this.free(holder);
      });
    }
  }

  /** One start in the shared log, under the holder's name: 0 when counted, else the ms before one could be. */
  private consume(holder: string): Promise<number> {
    return this.connection.run('count a start', async (client) => {
      const rate = this.rateLimiter(client);
      try {
        await rate.consume(`${this.key}|${holder}`, 1);
        return 0;
      } catch (res) {
        if (res instanceof Error) throw res;
        return Math.max(1, Number((res as { msBeforeNext?: number }).msBeforeNext) || 1);
      }
    });
  }

  private rateLimiter(client: RedisClient): RateLimiterRedis {
    if (!this.rate || this.rateFor?.client !== client || this.rateFor.perWindow !== this.perWindow) {
      // Loaded here: only a shared limiter loads rate-limiter-flexible.
      const { RateLimiterRedis: Rlf } = optionalPackage<typeof import('rate-limiter-flexible')>('rate-limiter-flexible', this.connection.where);
      this.rate = new Rlf({
        storeClient: client,
        keyPrefix: `${this.base}:rate`,
        points: this.perWindow,
        // In seconds; the script reads it in ms. Below 1 s the library would not call the script: held 1 s.
        duration: Math.max(this.holdMs, 1000) / 1000,
        customIncrTtlLuaScript: SLIDING_LOG,
        rejectIfRedisNotReady: true,
      });
      this.rateFor = { client, perWindow: this.perWindow };
    }
    return this.rate;
  }

  private async storeDown(err: unknown): Promise<void> {
    this.storeError =
      err instanceof ConnectorError && err.code === ErrorCodes.STORE_UNAVAILABLE
        ? err
        : new ConnectorError(ErrorCodes.STORE_UNAVAILABLE, `the shared rate limit is unavailable: ${(err as Error)?.message ?? err}`);
    await this.nap(RETRY_MS);
  }

  private free(holder: string): void {
    if (!this.held.delete(holder)) return;
    if (!this.held.size && this.renewTimer) {
      clearInterval(this.renewTimer);
      this.renewTimer = undefined;
    }
    const log = `${this.base}:rate:${this.key}`;
    const hold = Math.max(this.holdMs, 1000);
    this.connection.run('release a rate slot', (r) => scripted(r).hrflowFree(this.base, holder, log, hold, hold - this.windowMs)).then(
      () => this.wake(),
      () => undefined, // its lease frees it
    );
  }

  /** Renew the leases of the slots held, every leaseMs / 3, while any is held. */
  private renewing(): void {
    if (this.renewTimer) return;
    this.renewTimer = setInterval(() => {
      if (!this.held.size) return;
      this.connection.run('renew rate slots', (r) => scripted(r).hrflowRenewSlots(this.base, this.leaseMs, ...this.held)).catch(() => undefined);
    }, Math.max(20, Math.floor(this.leaseMs / 3)));
    this.renewTimer.unref();
  }
}
