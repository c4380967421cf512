import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { ConnectorError } from '../../src/core/errors';
import { MAX_PAUSE_MS, RateLimiter } from '../../src/core/limiter';
import { rejects } from '../helpers/net';

describe('RateLimiter deadlines and pauses', () => {
  it('rejects a waiter past its deadline with RATE_LIMITED and retryAt, and forgets it', async () => {
    const limiter = new RateLimiter({ perWindow: 1, windowMs: 10_000 });
    (await limiter.acquire())();
    const controller = new AbortController();
    const t0 = Date.now();
    const err = await rejects(limiter.acquire(controller.signal, Date.now() + 50));
    assert.equal(err.code, 'RATE_LIMITED');
    assert.ok(err.retryAt && Date.parse(err.retryAt) > t0 + 5_000, `retryAt ${err.retryAt}: when the window rolls`);
    assert.equal(typeof err.retryAfterMs, 'number');
    assert.equal(limiter.waiting, 0, 'the waiter left the queue');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'its abort listener was removed');
    assert.equal(err.toJSON().retryAt, err.retryAt);
    limiter.close();
  });

  it('rejects a waiter queued behind requests in flight when its deadline comes, and removes its listener', async () => {
    const limiter = new RateLimiter({ perWindow: 100, concurrent: 1 });
    const release = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal, Date.now() + 50);
    assert.equal(limiter.waiting, 1);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    const err = await rejects(waiting);
    assert.equal(err.code, 'RATE_LIMITED');
    assert.ok(err.retryAt);
    assert.equal(limiter.waiting, 0);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    release();
    // The slot it gave up goes to the next one.
    (await limiter.acquire(undefined, Date.now() + 1_000))();
  });

  it('rejects at once when the account is paused past the deadline', async () => {
    const limiter = new RateLimiter({ perWindow: 10 });
    const until = limiter.pauseFor(30_000);
    const err = await rejects(limiter.acquire(undefined, Date.now() + 100));
    assert.equal(err.code, 'RATE_LIMITED');
    assert.equal(Date.parse(err.retryAt as string), Math.ceil(until));
    assert.equal(limiter.waiting, 0);
    limiter.close();
  });

  it('rejects queued waiters at once when a pause longer than their deadline arrives', async () => {
    const limiter = new RateLimiter({ perWindow: 1, windowMs: 60_000 });
    (await limiter.acquire())();
    const waiting = limiter.acquire(undefined, Date.now() + 20_000);
    const patient = limiter.acquire(); // no deadline: keeps waiting
    limiter.pauseFor(40_000);
    const err = await rejects(waiting);
    assert.equal(err.code, 'RATE_LIMITED');
    assert.equal(limiter.waiting, 1);
    limiter.close(new Error('closed'));
    await assert.rejects(patient, /closed/);
  });

  it('caps what one pause imposes (MAX_PAUSE_MS, or maxPauseMs)', () => {
    const limiter = new RateLimiter({ perWindow: 10 });
    const t0 = Date.now();
    const until = limiter.pauseFor(3_600_000);
    assert.equal(MAX_PAUSE_MS, 60_000);
    assert.ok(until - t0 <= MAX_PAUSE_MS + 50 && until - t0 >= MAX_PAUSE_MS - 50, `paused ${until - t0} ms`);
    const short = new RateLimiter({ perWindow: 10, maxPauseMs: 100 });
    assert.ok(short.pauseFor(3_600_000) - Date.now() <= 100);
  });

  it('does not carry a pause beyond its cap over to the next limiter of the account', () => {
    const old = new RateLimiter({ perWindow: 10 });
    old.pauseFor(3_600_000);
    // Even a pause the old limiter holds for longer (another cap) is cut by the new one's.
    (old as unknown as { pausedUntil: number }).pausedUntil = Date.now() + 3_600_000;
    const next = new RateLimiter({ perWindow: 10 });
    next.carryFrom(old);
    assert.ok(next.pausedUntilMs - Date.now() <= MAX_PAUSE_MS + 50, `carried ${next.pausedUntilMs - Date.now()} ms`);
  });

  it('gives a slot to a waiter whose deadline is far enough', async () => {
    const limiter = new RateLimiter({ perWindow: 1, windowMs: 100 });
    (await limiter.acquire())();
    const release = await limiter.acquire(undefined, Date.now() + 2_000);
    release();
    assert.equal(limiter.waiting, 0);
  });
});
