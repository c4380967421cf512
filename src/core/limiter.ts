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
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class RateLimiter {
  private perWindow: number;
  private readonly windowMs: number;
  /** windowMs + the margin: how long a start holds its slot. */
  private readonly holdMs: number;
  private concurrent: number;
  private readonly starts: number[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(limit: RateLimit) {
    this.perWindow = Math.max(1, limit.perWindow);
    this.windowMs = limit.windowMs ?? 1000;
    this.holdMs = this.windowMs + Math.max(0, limit.marginMs ?? Math.ceil(this.windowMs * 0.025));
    this.concurrent = Math.max(1, limit.concurrent ?? Number.MAX_SAFE_INTEGER);
  }

  /** Wait for a slot. Resolves with a release function to call when the request ends. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal.reason ?? new Error('aborted'));
          this.schedule();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.drain();
    });
  }

  /** The vendor told us to hold off (Retry-After, X-RateLimit-Remaining: 0): pause every start until then. */
  pauseFor(ms: number): void {
    if (ms <= 0) return;
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    this.schedule();
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
    while (this.starts.length && now - this.starts[0] >= this.holdMs) this.starts.shift();
    return this.starts.length >= this.perWindow;
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
    let changed = false;
    if (limit.perWindow !== undefined && Number.isInteger(limit.perWindow) && limit.perWindow > 0 && limit.perWindow !== this.perWindow) {
      this.perWindow = limit.perWindow;
      changed = true;
    }
    if (limit.concurrent !== undefined && Number.isInteger(limit.concurrent) && limit.concurrent > 0 && limit.concurrent !== this.concurrent) {
      this.concurrent = limit.concurrent;
      changed = true;
    }
    if (changed) this.drain();
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
    this.pausedUntil = Math.max(this.pausedUntil, previous.pausedUntil);
    this.perWindow = previous.perWindow;
    this.concurrent = previous.concurrent;
    this.drain();
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
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.queue.splice(0)) {
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      w.reject(reason);
    }
  }

  private drain(): void {
    const now = Date.now();
    while (this.starts.length && now - this.starts[0] >= this.holdMs) this.starts.shift();
    while (this.queue.length) {
      if (now < this.pausedUntil) break;
      if (this.inFlight >= this.concurrent) break;
      if (this.starts.length >= this.perWindow) break;
      const w = this.queue.shift() as Waiter;
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
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
