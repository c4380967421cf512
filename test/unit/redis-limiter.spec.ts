/**
 * The shared rate and concurrency limiter (issue 14, src/core/redis-limiter.ts): two limiter objects on one
 * real redis-server are two Node-RED processes on one account; together they never exceed the rate in any
 * rolling window nor the concurrency cap; a crashed holder's slot frees after its lease; a vendor's pause
 * and adopted limits reach every process; Redis down gives STORE_UNAVAILABLE, and it recovers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';
import { HttpClient } from '../../src/core/http';
import { RedisRateLimiter, type RedisRateLimitOptions } from '../../src/core/redis-limiter';
import { createSandbox } from '../../src/sandbox';
import { repoRoot } from '../helpers/fixtures';
import { useRedisServer } from '../helpers/redis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RedisRateLimiter: one rate and concurrency limit shared by several processes', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  const open: RedisRateLimiter[] = [];
  let key = '';
  let tests = 0;
  const make = (options: Partial<RedisRateLimitOptions> = {}) => {
    const l = new RedisRateLimiter({ url: redis().url, key, perWindow: 10, windowMs: 1000, waitMs: 300, ...options });
    open.push(l);
    return l;
  };

  beforeEach(() => {
    key = `account-${++tests}`;
  });
  afterEach(() => {
    for (const l of open.splice(0)) l.close();
  });

  it('two limiters at 10/s together: never 11 starts in a rolling second, and no slower than the limit', async () => {
    const [a, b] = [make(), make()];
    const starts: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 45 }, async (_, i) => {
        const release = await (i % 2 ? a : b).acquire();
        starts.push(Date.now());
        release();
      }),
    );
    starts.sort((x, y) => x - y);
    for (let i = 0; i + 10 < starts.length; i++) {
      assert.ok(starts[i + 10] - starts[i] >= 1000, `starts ${i} and ${i + 10} are ${starts[i + 10] - starts[i]} ms apart: 11 in a second`);
    }
    // 45 starts: four full windows of 10 (1 025 ms each, the margin included), then 5.
    const took = starts.at(-1)! - t0;
    assert.ok(took >= 4000, `the limit held (${took} ms)`);
    assert.ok(took < 4 * 1025 + 1500, `no slower than the limit allows (${took} ms)`);
    assert.ok(a.waiting === 0 && b.waiting === 0);
  });

  it('three processes on one SmartRecruiters account (emulator: 10/s sliding, 8 concurrent): 0 answers 429, at the limit\'s pace', async function () {
    const log: string[] = [];
    const sb = await createSandbox({ port: 0, quiet: false, logger: (l) => log.push(l), generatedProfiles: 0 });
    try {
      const code = `
        const { HttpClient } = require(${JSON.stringify(path.join(repoRoot, 'dist/src/core/http.js'))});
        const { RedisRateLimiter } = require(${JSON.stringify(path.join(repoRoot, 'dist/src/core/redis-limiter.js'))});
        const { smartrecruiters } = require(${JSON.stringify(path.join(repoRoot, 'dist/src/vendors/smartrecruiters.js'))});
        const [url, key, base, token] = process.argv.slice(1);
        const limiter = new RedisRateLimiter({ url, key, ...smartrecruiters.rateLimit });
        // No retry: a 429 would be an error here.
        const client = new HttpClient({ vendor: 'smartrecruiters', limiter, rateHeaders: smartrecruiters.rateHeaders, retries: 0, maxWaitMs: 60000 });
        const out = { ok: 0, errors: [], done: [] };
        Promise.all(Array.from({ length: 20 }, async () => {
          try {
            await client.request({ method: 'GET', url: base + '/jobs', headers: { 'X-SmartToken': token } });
            out.ok++;
            out.done.push(Date.now());
          } catch (e) { out.errors.push(String(e.code) + ' ' + e.message); }
        })).then(() => { console.log(JSON.stringify(out)); limiter.close(); });`;
      const runs = await Promise.all(
        [1, 2, 3].map(
          () =>
            new Promise<{ ok: number; errors: string[]; done: number[] }>((resolve, reject) => {
              const kid = spawn(process.execPath, ['-e', code, redis().url, key, sb.urls.smartrecruiters, sb.credentials.smartToken], { stdio: ['ignore', 'pipe', 'inherit'] });
              let out = '';
              kid.stdout.on('data', (b: Buffer) => (out += b.toString()));
              kid.on('exit', (c) => (c === 0 ? resolve(JSON.parse(out)) : reject(new Error(`a process exited with ${c}: ${out}`))));
            }),
        ),
      );
      assert.deepEqual(runs.flatMap((r) => r.errors), [], `no 429 (nor any error): ${log.filter((l) => /429/.test(l)).join('; ')}`);
      assert.equal(runs.reduce((n, r) => n + r.ok, 0), 60);
      // 60 requests at 10 per 1 025 ms (plus each request's own time): the last answer comes 5 windows after the first.
      const done = runs.flatMap((r) => r.done);
      const span = Math.max(...done) - Math.min(...done);
      assert.ok(span >= 4900, `the limit held (${span} ms from the first answer to the last)`);
      // Not grossly slower (answers are timed in three busy processes on a shared machine: a loose bound).
      assert.ok(span < 5 * 1025 * 1.3 + 1000, `at the limit's pace (${span} ms from the first answer to the last)`);
      assert.equal(sb.state.smartrecruiters.rateLimited, 0, 'the emulator answered no 429');
      assert.equal(sb.state.smartrecruiters.requests, 60);
    } finally {
      await sb.close();
    }
  });

  it('two limiters with a concurrency cap of 3: never more than 3 in flight together, and 3 reached', async () => {
    const [a, b] = [make({ perWindow: 1000, concurrent: 3 }), make({ perWindow: 1000, concurrent: 3 })];
    let live = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const release = await (i % 2 ? a : b).acquire();
        live++;
        max = Math.max(max, live);
        await sleep(15 + (i % 4) * 10);
        live--;
        release();
      }),
    );
    assert.equal(max, 3);
  });

  it('a crashed holder (SIGKILL) frees its slots when their lease ends', async () => {
    const code = `
      const { RedisRateLimiter } = require(${JSON.stringify(path.join(repoRoot, 'dist/src/core/redis-limiter.js'))});
      const l = new RedisRateLimiter({ url: process.argv[1], key: process.argv[2], perWindow: 100, concurrent: 2, leaseMs: 600 });
      Promise.all([l.acquire(), l.acquire()]).then(() => console.log('held'));
      setInterval(() => {}, 1000);`;
    const kid = spawn(process.execPath, ['-e', code, redis().url, key], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      kid.stdout.on('data', (b: Buffer) => b.toString().includes('held') && resolve());
      kid.on('exit', (c) => reject(new Error(`the holder exited (${c})`)));
    });
    // Alive: its leases are renewed well past one lease.
    const other = make({ perWindow: 100, concurrent: 2 });
    await sleep(900);
    await assert.rejects(other.acquire(undefined, Date.now() + 200), { code: ErrorCodes.RATE_LIMITED });
    kid.removeAllListeners('exit');
    kid.kill('SIGKILL');
    const t0 = Date.now();
    const release = await other.acquire(undefined, Date.now() + 5000);
    const waited = Date.now() - t0;
    assert.ok(waited < 2000, `freed by the lease (${waited} ms)`);
    release();
  });

  it('a pause asked by the vendor (Retry-After) holds the other process too; waiters whose deadline is before it fail at once', async () => {
    const [a, b] = [make(), make()];
    await (await b.acquire())(); // b has talked to Redis once
    const t0 = Date.now();
    const until = a.pauseFor(700);
    assert.ok(until >= t0 + 690 && a.pausedUntilMs === until);
    await assert.rejects(a.acquire(undefined, Date.now() + 100), (e: ConnectorError) => e.code === ErrorCodes.RATE_LIMITED && !!e.retryAt);
    await sleep(50); // the pause reaches Redis
    const release = await b.acquire(undefined, Date.now() + 5000);
    const waited = Date.now() - t0;
    release();
    assert.ok(waited >= 600, `b waited for a's pause (${waited} ms)`);
    assert.ok(b.pausedUntilMs > t0, 'b knows it was paused');
  });

  it('limits adopted from X-RateLimit-* by one process apply to the others', async () => {
    const [a, b] = [make({ concurrent: 5 }), make({ concurrent: 5 })];
    a.adopt({ concurrent: 1, perWindow: 7 });
    await sleep(50);
    const release = await b.acquire();
    assert.deepEqual(b.limits, { perWindow: 7, windowMs: 1000, concurrent: 1 });
    await assert.rejects(b.acquire(undefined, Date.now() + 250), { code: ErrorCodes.RATE_LIMITED });
    await assert.rejects(a.acquire(undefined, Date.now() + 250), { code: ErrorCodes.RATE_LIMITED });
    release();
    (await a.acquire(undefined, Date.now() + 2000))();
  });

  it('a wait longer than the deadline: RATE_LIMITED saying when; an aborted waiter leaves the queue', async () => {
    const l = make({ perWindow: 2 });
    (await l.acquire())();
    (await l.acquire())();
    const err = await l.acquire(undefined, Date.now() + 150).then(() => assert.fail('no slot before the deadline'), (e: ConnectorError) => e);
    assert.equal(err.code, ErrorCodes.RATE_LIMITED);
    assert.ok(Date.parse(err.retryAt!) > Date.now());
    const ac = new AbortController();
    const p = l.acquire(ac.signal);
    ac.abort(new Error('stopped'));
    await assert.rejects(p, /stopped/);
    assert.equal(l.waiting, 0);
  });

  it('Redis stopped: a waiter fails with STORE_UNAVAILABLE at its deadline; restarted: slots again', async () => {
    const l = make();
    (await l.acquire())();
    await redis().stop();
    const t0 = Date.now();
    await assert.rejects(l.acquire(undefined, Date.now() + 700), (e: ConnectorError) => e.code === ErrorCodes.STORE_UNAVAILABLE && /redis:\/\/127\.0\.0\.1/.test(e.message));
    assert.ok(Date.now() - t0 < 2000);
    await redis().start();
    const release = await l.acquire(undefined, Date.now() + 5000);
    release();
  });

  it('Redis stopped: an HTTP request through the shared limiter fails with STORE_UNAVAILABLE, nothing sent; restarted: it goes', async () => {
    const sb = await createSandbox({ port: 0, quiet: true, generatedProfiles: 0 });
    try {
      const client = new HttpClient({ vendor: 'smartrecruiters', limiter: make(), maxWaitMs: 600, retries: 2, retryDelayMs: 1 });
      const get = () => client.request({ method: 'GET', url: `${sb.urls.smartrecruiters}/jobs`, headers: { 'X-SmartToken': sb.credentials.smartToken }, step: 'jobs' });
      await redis().stop();
      await assert.rejects(get(), (e: ConnectorError) => e.code === ErrorCodes.STORE_UNAVAILABLE && e.vendor === 'smartrecruiters' && /^smartrecruiters \(jobs\): the Redis store/.test(e.message));
      assert.equal(sb.state.smartrecruiters.requests, 0, 'nothing was sent');
      await redis().start();
      await get();
      assert.equal(sb.state.smartrecruiters.requests, 1);
    } finally {
      await sb.close();
    }
  });
});
