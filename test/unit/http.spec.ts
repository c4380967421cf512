import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectorError } from '../../src/core/errors';
import { backoffDelay, HttpClient, parseRetryAfter, statusToCode } from '../../src/core/http';
import { RateLimiter } from '../../src/core/limiter';
import { Redactor } from '../../src/core/redact';
import { toAlpha2 } from '../../src/core/countries';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

/** A loopback server answering with a script of handlers, one per request (the last one repeats). */
async function serve(handlers: Handler[]): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const i = n++;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => (handlers[Math.min(i, handlers.length - 1)] as Handler)(Object.assign(req, { body }), res, i));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => n,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

async function rejects(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConnectorError, `expected ConnectorError, got ${err}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('HTTP core', () => {
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('maps statuses to stable codes', () => {
    assert.equal(statusToCode(401), 'AUTH_FAILED');
    assert.equal(statusToCode(403), 'AUTH_FAILED');
    assert.equal(statusToCode(404), 'NOT_FOUND');
    assert.equal(statusToCode(400), 'VENDOR_REJECTED');
    assert.equal(statusToCode(422), 'VENDOR_REJECTED');
    assert.equal(statusToCode(429), 'RATE_LIMITED');
    assert.equal(statusToCode(503), 'VENDOR_UNAVAILABLE');
  });

  it('parses Retry-After as seconds or HTTP date', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter('0.5'), 500);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });

  it('backs off exponentially with jitter and a cap', () => {
    assert.equal(backoffDelay(0, 100, 10_000, () => 0), 50);
    assert.equal(backoffDelay(0, 100, 10_000, () => 1), 100);
    assert.equal(backoffDelay(3, 100, 10_000, () => 1), 800);
    assert.equal(backoffDelay(20, 100, 1_000, () => 1), 1_000);
  });

  it('retries 429 then succeeds, honouring Retry-After', async () => {
    server = await serve([json(429, { message: 'slow down' }, { 'Retry-After': '0' }), json(201, { id: 'c1' })]);
    const retries: string[] = [];
    const client = new HttpClient({ vendor: 'v', retries: 3, retryDelayMs: 1, onRetry: (i) => retries.push(i.reason) });
    const res = await client.request<{ id: string }>({ method: 'POST', url: `${server.url}/x`, data: { a: 1 } });
    assert.equal(res.status, 201);
    assert.equal(res.data.id, 'c1');
    assert.deepEqual(retries, ['RATE_LIMITED']);
  });

  it('waits the Retry-After delay before retrying', async () => {
    server = await serve([json(429, {}, { 'Retry-After': '0.3' }), json(200, { ok: true })]);
    const started = Date.now();
    await new HttpClient({ vendor: 'v', retryDelayMs: 1 }).request({ method: 'GET', url: server.url });
    assert.ok(Date.now() - started >= 280, 'Retry-After was not honoured');
  });

  it('gives up on 503 after the retries with VENDOR_UNAVAILABLE and the status', async () => {
    server = await serve([json(503, { message: 'maintenance' })]);
    const err = await rejects(new HttpClient({ vendor: 'v', retries: 2, retryDelayMs: 1 }).request({ method: 'POST', url: server.url, step: 'create' }));
    assert.equal(err.code, 'VENDOR_UNAVAILABLE');
    assert.equal(err.statusCode, 503);
    assert.equal(err.step, 'create');
    assert.equal(server.hits(), 3);
    assert.match(err.message, /maintenance/);
  });

  it('never retries a 4xx that says the input is wrong', async () => {
    server = await serve([json(400, { message: 'validation failure', errors: [{ dataPath: '/email', message: 'bad' }] })]);
    const err = await rejects(new HttpClient({ vendor: 'v', retries: 3, retryDelayMs: 1 }).request({ method: 'POST', url: server.url }));
    assert.equal(err.code, 'VENDOR_REJECTED');
    assert.equal(err.statusCode, 400);
    assert.equal(err.vendorMessage, 'validation failure; /email: bad');
    assert.equal(server.hits(), 1);
  });

  it('times out, and does not re-send a create whose outcome is unknown', async () => {
    server = await serve([() => undefined /* never answers */]);
    const err = await rejects(new HttpClient({ vendor: 'v', timeoutMs: 100, retries: 3, retryDelayMs: 1 }).request({ method: 'POST', url: server.url }));
    assert.equal(err.code, 'TIMEOUT');
    assert.equal(err.outcomeUnknown, true);
    assert.equal(server.hits(), 1);
  });

  it('retries a GET that timed out', async () => {
    server = await serve([() => undefined, json(200, { ok: 1 })]);
    const res = await new HttpClient({ vendor: 'v', timeoutMs: 100, retries: 1, retryDelayMs: 1 }).request({ method: 'GET', url: server.url });
    assert.equal(res.status, 200);
  });

  it('retries when the connection is refused (nothing was sent), then reports NETWORK_ERROR', async () => {
    const s = await serve([json(200, {})]);
    const url = s.url;
    await s.close();
    const retries: number[] = [];
    const err = await rejects(
      new HttpClient({ vendor: 'v', retries: 2, retryDelayMs: 1, onRetry: (i) => retries.push(i.attempt) }).request({ method: 'POST', url }),
    );
    assert.equal(err.code, 'NETWORK_ERROR');
    assert.deepEqual(retries, [1, 2]);
  });

  it('aborts in-flight requests and retry waits when the signal fires', async () => {
    server = await serve([json(503, {})]);
    const controller = new AbortController();
    const p = new HttpClient({ vendor: 'v', retries: 5, retryDelayMs: 5_000, signal: controller.signal }).request({ method: 'GET', url: server.url });
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const err = await rejects(p);
    assert.equal(err.code, 'ABORTED');
    assert.ok(Date.now() - started < 1_000);
  });

  it('redacts secrets from vendor messages', async () => {
    server = await serve([json(401, { message: 'bad token sekret-123456 for Bearer abcdefgh' })]);
    const err = await rejects(new HttpClient({ vendor: 'v', redactor: new Redactor(['sekret-123456']) }).request({ method: 'GET', url: server.url }));
    assert.equal(err.code, 'AUTH_FAILED');
    assert.ok(!err.message.includes('sekret-123456'));
    assert.ok(!err.message.includes('abcdefgh'));
    assert.ok(!JSON.stringify(err.toJSON()).includes('sekret-123456'));
  });

  it('pauses the shared limiter when X-RateLimit-Remaining reaches 0', async () => {
    server = await serve([json(200, {}, { 'X-RateLimit-Remaining': '0' }), json(200, {})]);
    const limiter = new RateLimiter({ perWindow: 100 });
    const client = new HttpClient({ vendor: 'v', limiter });
    await client.request({ method: 'GET', url: server.url });
    const started = Date.now();
    await client.request({ method: 'GET', url: server.url });
    assert.ok(Date.now() - started >= 900, 'the second request should wait for the window to roll');
  });

  it('adds no pause to its own full window when X-RateLimit-Remaining reaches 0 (the window rolls from the first start)', async () => {
    const slow: Handler = (req, res) => setTimeout(() => json(200, {}, { 'X-RateLimit-Limit': '1', 'X-RateLimit-Remaining': '0' })(req, res, 0), 300);
    server = await serve([slow, json(200, {})]);
    const limiter = new RateLimiter({ perWindow: 1, windowMs: 1000 });
    const client = new HttpClient({ vendor: 'v', limiter });
    const first = Date.now();
    await client.request({ method: 'GET', url: server.url });
    await client.request({ method: 'GET', url: server.url });
    const elapsed = Date.now() - first;
    // Next start at first start + 1 000 ms; pausing a window from the answer would make it 1 300 ms.
    assert.ok(elapsed >= 990 && elapsed < 1250, `second request done ${elapsed} ms after the first started`);
  });
});

describe('HttpClient on a 429 that came a little early', () => {
  it('retries at the next slot of its full window, not after the long backoff', async () => {
    const limitHeaders = { 'X-RateLimit-Limit': '1', 'X-RateLimit-Remaining': '0' };
    const server = await serve([json(200, {}, limitHeaders), json(429, { message: 'Too many requests' }, limitHeaders), json(200, {}, limitHeaders)]);
    try {
      const limiter = new RateLimiter({ perWindow: 1, windowMs: 200 });
      const client = new HttpClient({ vendor: 'v', limiter, retryDelayMs: 5000 });
      const t0 = Date.now();
      await client.request({ method: 'GET', url: server.url });
      await client.request({ method: 'GET', url: server.url });
      const elapsed = Date.now() - t0;
      assert.equal(server.hits(), 3);
      // Old behaviour: a backoff of 2.5 to 5 s. Now: the next slots of the 200 ms window.
      assert.ok(elapsed >= 400 && elapsed < 1500, `done in ${elapsed} ms`);
    } finally {
      await server.close();
    }
  });
});

describe('RateLimiter adopts announced limits', () => {
  it('follows X-RateLimit-Limit and X-RateLimit-Concurrent-Limit', async () => {
    const server = await serve([json(200, {}, { 'X-RateLimit-Limit': '50', 'X-RateLimit-Remaining': '49', 'X-RateLimit-Concurrent-Limit': '4' })]);
    try {
      const limiter = new RateLimiter({ perWindow: 10, concurrent: 8 });
      await new HttpClient({ vendor: 'v', limiter }).request({ method: 'GET', url: server.url });
      assert.deepEqual(limiter.limits, { perWindow: 50, windowMs: 1000, concurrent: 4 });
    } finally {
      await server.close();
    }
  });
});

describe('RateLimiter', () => {
  it('limits starts per window and concurrency', async () => {
    const limiter = new RateLimiter({ perWindow: 5, windowMs: 200, concurrent: 2 });
    let active = 0;
    let maxActive = 0;
    const starts: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const release = await limiter.acquire();
        starts.push(Date.now() - t0);
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 10));
        active--;
        release();
      }),
    );
    assert.equal(maxActive, 2);
    starts.sort((a, b) => a - b);
    for (let i = 5; i < starts.length; i++) assert.ok(starts[i] - starts[i - 5] >= 190, `more than 5 starts in 200 ms at ${i}`);
  });

  it('rejects waiters whose signal aborts, and on close', async () => {
    const limiter = new RateLimiter({ perWindow: 1, windowMs: 10_000 });
    (await limiter.acquire())();
    const controller = new AbortController();
    const a = limiter.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(a, /stop/);
    const b = limiter.acquire();
    limiter.close(new Error('closed'));
    await assert.rejects(b, /closed/);
  });
});

describe('Redactor and countries', () => {
  it('masks known secrets, bearer tokens and token fields', () => {
    const r = new Redactor(['my-secret-key']);
    assert.equal(r.text('key=my-secret-key'), 'key=***');
    assert.equal(r.text('Authorization: Bearer abc.def-123'), 'Authorization: Bearer ***');
    assert.equal(r.text('{"token":"zzzzzz"}'), '{"token":"***"}');
    assert.equal(r.text('X-API-KEY ask_0123456789abcdef0123'), 'X-API-KEY ***');
  });

  it('converts three-letter country codes properly', () => {
    assert.equal(toAlpha2('FRA'), 'FR');
    assert.equal(toAlpha2('AUT'), 'AT');
    assert.equal(toAlpha2('IRL'), 'IE');
    assert.equal(toAlpha2('CHL'), 'CL');
    assert.equal(toAlpha2('deu'), 'DE');
    assert.equal(toAlpha2('FR'), 'FR');
    assert.equal(toAlpha2('XYZ'), undefined);
    assert.equal(toAlpha2(null), undefined);
  });
});
