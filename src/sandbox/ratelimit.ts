/**
 * Per-credential limiter: requests per sliding 1-second window + requests in flight.
 * Mirrors SmartRecruiters' documented behaviour (429 when either is exceeded, rate headers on every answer).
 */

import type { RateLimitOptions } from './types';

export interface RateDecision {
  ok: boolean;
  /** `rate` or `concurrency` when refused. */
  exceeded?: 'rate' | 'concurrency';
  headers: Record<string, string>;
  /** Call once the answer is sent (or the connection dropped). Idempotent; no-op when refused. */
  release: () => void;
}

interface Bucket {
  times: number[];
  inFlight: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    public limits: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { times: [], inFlight: 0 };
      this.buckets.set(key, b);
    }
    return b;
  }

  acquire(key: string): RateDecision {
    const b = this.bucket(key);
    const t = this.now();
    while (b.times.length && t - b.times[0] >= 1000) b.times.shift();
    const { perSecond, concurrent } = this.limits;
    let exceeded: RateDecision['exceeded'];
    if (b.times.length >= perSecond) exceeded = 'rate';
    else if (b.inFlight >= concurrent) exceeded = 'concurrency';
    if (!exceeded) {
      b.times.push(t);
      b.inFlight++;
    }
    const headers = {
      'X-RateLimit-Limit': String(perSecond),
      'X-RateLimit-Remaining': String(Math.max(0, perSecond - b.times.length)),
      'X-RateLimit-Concurrent-Limit': String(concurrent),
      'X-RateLimit-Concurrent-Remaining': String(Math.max(0, concurrent - b.inFlight)),
    };
    let released = !!exceeded;
    return {
      ok: !exceeded,
      exceeded,
      headers,
      release: () => {
        if (released) return;
        released = true;
        b.inFlight = Math.max(0, b.inFlight - 1);
      },
    };
  }

  reset(): void {
    this.buckets.clear();
  }
}
