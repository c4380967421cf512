import { rateLimited } from './errors';

/**
 * The longest pause one vendor answer (Retry-After, X-RateLimit-Reset) can impose on an account:
 * 60 s. A longer one is cut to it, so one odd answer cannot freeze every node of the account
 * (`RateLimit.maxPauseMs` overrides it).
 */
export const MAX_PAUSE_MS = 60_000;

/**
 * Client-side rate limiter: at most `perSecond` request starts in any rolling window of
 * `windowMs`, and at most `concurrent` requests in flight. One instance is owned by each
 * vendor config node, so every push node using that account shares it.
 */

export interface RateLimit {
  /** Maximum number of request starts per window (default window: 1 s). */
  perWindow: number;
  windowMs?: number;
  /**
   * How long past the window a start still counts (default 2.5 % of the window). The server counts
   * a request when it arrives, a little after we start it, and a later request can arrive faster:
   * without this margin the first request of a window can reach the server a few ms early (429).
   */
  marginMs?: number;
  /** Maximum requests in flight at once. */
  concurrent?: number;
  /** The longest pause one vendor answer can impose (default MAX_PAUSE_MS). */
  maxPauseMs?: number;
}

/**
 * What the HTTP client needs of a limiter: RateLimiter (one process), or a shared one (RedisRateLimiter,
 * src/core/redis-limiter.ts: several processes on one account).
 */
export interface Limiter {
  acquire(signal?: AbortSignal, deadline?: number): Promise<() => void>;
  pauseFor(ms: number, now?: number): number;
  readonly pausedUntilMs: number;
  readonly pauseCapMs: number;
  nextStartAt(): number;
  serverExhausted(): void;
  windowFull(): boolean;
  readonly slotMs: number;
  adopt(limit: { perWindow?: number; concurrent?: number }): void;
  readonly busyUntil: number;
  readonly limits: { perWindow: number; windowMs: number; concurrent: number };
  readonly waiting: number;
  close(reason?: unknown): void;
}

export interface Waiter {
  resolve: (release: () => void) => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  /** Epoch ms after which the waiter gives up (RATE_LIMITED). */
  deadline?: number;
  deadlineTimer?: NodeJS.Timeout;
}

/**
 * What every limiter of this package shares: its limits, the waiters (in order; each leaves on its signal's
 * abort or at its deadline), the vendor's pause, and this process's own starts (the window it saw).
 * RateLimiter takes slots in this process; RedisRateLimiter (redis-limiter.ts) in a shared store.
 */
export abstract class QueuedLimiter implements Limiter {
  protected perWindow: number;
  protected readonly windowMs: number;
  /** windowMs + the margin: how long a start holds its slot. */
  protected readonly holdMs: number;
  protected concurrent: number;
  protected readonly maxPauseMs: number;
  /** This process's starts still in the window. */
  protected readonly starts: number[] = [];
  protected pausedUntil = 0;
  protected readonly queue: Waiter[] = [];
  /** How a RATE_LIMITED message names the limit. */
  protected limitName = "the account's rate limit";

  constructor(limit: RateLimit) {
    this.perWindow = Math.max(1, limit.perWindow);
    this.windowMs = limit.windowMs ?? 1000;
    this.holdMs = this.windowMs + Math.max(0, limit.marginMs ?? Math.ceil(this.windowMs * 0.025));
    this.concurrent = Math.max(1, limit.concurrent ?? Number.MAX_SAFE_INTEGER);
    this.maxPauseMs = Math.max(0, limit.maxPauseMs ?? MAX_PAUSE_MS);
  }

  /** Waiters were queued, or limits changed: start whoever can start. */
  protected abstract drain(): void;

  /** A waiter left the queue (aborted, or its deadline came). */
  protected left(): void {
    /* nothing by default */
  }

  /** The pause was set or extended (until `pausedUntil`; `ms` asked). */
  protected paused(_ms: number): void {
    /* nothing by default */
  }

  /** Limits were adopted (only those that changed are given). */
  protected adopted(_changed: { perWindow?: number; concurrent?: number }): void {
    this.drain();
  }

  /** Waiters were rejected by close(). */
  protected closed(): void {
    /* nothing by default */
  }

  /** The earliest a start could come beyond what this process saw itself (0: nothing more known). */
  protected laterStartAt(): number {
    return 0;
  }

  /** Why a waiter whose deadline came gives up. */
  protected lateError(): unknown {
    return this.tooLong(this.nextStartAt());
  }

  /**
   * Wait for a slot. Resolves with a release function to call when the request ends.
   * With a `deadline` (epoch ms): a wait that would end after it rejects with RATE_LIMITED carrying
   * when to try again (at once when the account is paused past it, else when the deadline comes),
   * and the waiter leaves the queue.
   */
  acquire(signal?: AbortSignal, deadline?: number): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    // The earliest start (ignoring the queue ahead) is already past the deadline: no need to wait to know.
    if (deadline !== undefined && this.nextStartAt() > deadline) return Promise.reject(this.tooLong(this.nextStartAt()));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, deadline };
      if (signal) {
        waiter.onAbort = () => {
          this.remove(waiter);
          reject(signal.reason ?? new Error('aborted'));
          this.left();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      if (deadline !== undefined) {
        waiter.deadlineTimer = setTimeout(() => {
          waiter.deadlineTimer = undefined;
          if (!this.queue.includes(waiter)) return;
          this.remove(waiter);
          reject(this.lateError());
          this.left();
        }, Math.max(0, deadline - Date.now()));
      }
      this.queue.push(waiter);
      this.drain();
    });
  }

  /**
   * The vendor told us to hold off (Retry-After, X-RateLimit-Remaining: 0): pause every start until
   * then, for at most `maxPauseMs` (one answer cannot freeze the account). Waiters whose deadline
   * comes before the pause ends are rejected at once (RATE_LIMITED). Returns when the pause ends (epoch ms).
   */
  pauseFor(ms: number, now = Date.now()): number {
    if (!(ms > 0)) return this.pausedUntil;
    this.pauseUntil(now + Math.min(ms, this.maxPauseMs));
    this.paused(Math.min(ms, this.maxPauseMs) - (Date.now() - now));
    return this.pausedUntil;
  }

  /** Hold every start until `until` (never shortens a pause); waiters whose deadline comes first are rejected. */
  protected pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
    for (const w of [...this.queue]) {
      if (w.deadline !== undefined && w.deadline < this.pausedUntil) {
        this.remove(w);
        w.reject(this.tooLong(this.pausedUntil));
      }
    }
  }

  /** Until when (epoch ms) the vendor paused this account; 0 or a past time when it is not paused. */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** The longest pause one answer can impose on this limiter. */
  get pauseCapMs(): number {
    return this.maxPauseMs;
  }

  /** When (epoch ms, estimated) the next request could start, ignoring the queue. */
  nextStartAt(): number {
    const now = Date.now();
    let at = Math.max(now, this.pausedUntil, this.laterStartAt());
    this.trim(now);
    if (this.starts.length >= this.perWindow) at = Math.max(at, this.starts[this.starts.length - this.perWindow] + this.holdMs);
    return at;
  }

  protected trim(now: number): void {
    while (this.starts.length && now - this.starts[0] >= this.holdMs) this.starts.shift();
  }

  protected tooLong(retryAt: number) {
    return rateLimited(
      retryAt <= this.pausedUntil && this.pausedUntil > Date.now()
        ? `the account is paused by the vendor until ${new Date(retryAt).toISOString()}, longer than this request may wait`
        : `${this.limitName} has no slot before ${new Date(retryAt).toISOString()}, later than this request may wait`,
      retryAt,
    );
  }

  protected remove(w: Waiter): void {
    const i = this.queue.indexOf(w);
    if (i >= 0) this.queue.splice(i, 1);
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    if (w.deadlineTimer) clearTimeout(w.deadlineTimer);
    w.deadlineTimer = undefined;
  }

  /**
   * The server said the window is used up (X-RateLimit-Remaining: 0) without saying when it rolls.
   * When our own window is full too, our limiter already holds the next start until it rolls: no
   * extra pause. Otherwise someone else is using the same credential: hold everything for a window.
   */
  serverExhausted(): void {
    if (this.windowFull()) return;
    this.pauseFor(this.windowMs);
  }

  /** Is our own window used up (the next start waits for it to roll)? */
  windowFull(): boolean {
    const now = Date.now();
    this.trim(now);
    return this.starts.length >= this.perWindow || this.laterStartAt() > now;
  }

  /** The time one start is worth in the window (50 per second: 21 ms with the margin). */
  get slotMs(): number {
    return Math.ceil(this.holdMs / this.perWindow);
  }

  /**
   * The server announced its limits (X-RateLimit-Limit / X-RateLimit-Concurrent-Limit): follow them.
   * Values that are not positive integers are ignored.
   */
  adopt(limit: { perWindow?: number; concurrent?: number }): void {
    const changed: { perWindow?: number; concurrent?: number } = {};
    if (limit.perWindow !== undefined && Number.isInteger(limit.perWindow) && limit.perWindow > 0 && limit.perWindow !== this.perWindow) {
      this.perWindow = changed.perWindow = limit.perWindow;
    }
    if (limit.concurrent !== undefined && Number.isInteger(limit.concurrent) && limit.concurrent > 0 && limit.concurrent !== this.concurrent) {
      this.concurrent = changed.concurrent = limit.concurrent;
    }
    if (changed.perWindow !== undefined || changed.concurrent !== undefined) this.adopted(changed);
  }

  /** Until when (ms epoch) what this limiter has seen still matters: its last start's window, or its pause. */
  get busyUntil(): number {
    const last = this.starts.length ? this.starts[this.starts.length - 1] + this.holdMs : 0;
    return Math.max(last, this.pausedUntil);
  }

  /** Current limits (for status display and tests). */
  get limits(): { perWindow: number; windowMs: number; concurrent: number } {
    return { perWindow: this.perWindow, windowMs: this.windowMs, concurrent: this.concurrent };
  }

  /** Number of requests waiting for a slot (for status display). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Reject every waiter (used when the owning config node closes). */
  close(reason: unknown = new Error('rate limiter closed')): void {
    for (const w of [...this.queue]) {
      this.remove(w);
      w.reject(reason);
    }
    this.closed();
  }
}

export class RateLimiter extends QueuedLimiter {
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;

  protected override left(): void {
    this.schedule();
  }

  protected override paused(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.schedule();
  }

  protected override closed(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Take over the budget a previous limiter of the same account used (on a redeploy the config node
   * is rebuilt, but the vendor still counts what the old one sent): its starts still in the window,
   * its pause, and the limits it adopted from the vendor.
   */
  carryFrom(previous: RateLimiter): void {
    const now = Date.now();
    const kept = previous.starts.filter((t) => now - t < this.holdMs);
    this.starts.splice(0, this.starts.length, ...[...kept, ...this.starts].sort((a, b) => a - b));
    // A pause never lasts longer than its cap from now, whatever the old limiter held.
    this.pausedUntil = Math.max(this.pausedUntil, Math.min(previous.pausedUntil, now + this.maxPauseMs));
    this.perWindow = previous.perWindow;
    this.concurrent = previous.concurrent;
    this.drain();
  }

  protected drain(): void {
    const now = Date.now();
    this.trim(now);
    while (this.queue.length) {
      if (now < this.pausedUntil) break;
      if (this.inFlight >= this.concurrent) break;
      if (this.starts.length >= this.perWindow) break;
      const w = this.queue[0];
      this.remove(w);
      this.starts.push(now);
      this.inFlight++;
      let released = false;
      w.resolve(() => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.drain();
      });
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || !this.queue.length) return;
    const now = Date.now();
    let wait = 0;
    if (now < this.pausedUntil) wait = this.pausedUntil - now;
    else if (this.starts.length >= this.perWindow) wait = this.holdMs - (now - this.starts[0]);
    else if (this.inFlight >= this.concurrent) return; // a release will drain
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, Math.max(1, wait));
  }
}
