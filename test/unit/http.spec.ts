import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { ConnectorError } from '../../src/core/errors';
import { backoffDelay, HttpClient, parseRetryAfter, rateLimitHeaders, statusToCode } from '../../src/core/http';
import { RateLimiter } from '../../src/core/limiter';
import { Redactor } from '../../src/core/redact';
import { toAlpha2 } from '../../src/core/countries';
import { smartrecruiters } from '../../src/vendors/smartrecruiters';
import { taleez } from '../../src/vendors/taleez';
import { rejects } from '../helpers/net';

/** SmartRecruiters' reading of its rate headers (per second, its window). */
const srRateHeaders = smartrecruiters.rateHeaders;

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

  it('an error answer nested too deep to serialise is still VENDOR_REJECTED with its status', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    server = await serve([(_req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(`{"errors":{"x":${deep}}}`);
    }]);
    const err = await rejects(new HttpClient({ vendor: 'v', retries: 0 }).request({ method: 'POST', url: server.url, data: {} }));
    assert.equal(err.code, 'VENDOR_REJECTED');
    assert.equal(err.statusCode, 400);
    assert.match(err.message, /nested too deeply/);
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
    const client = new HttpClient({ vendor: 'v', limiter, rateHeaders: srRateHeaders });
    await client.request({ method: 'GET', url: server.url });
    const started = Date.now();
    await client.request({ method: 'GET', url: server.url });
    assert.ok(Date.now() - started >= 900, 'the second request should wait for the window to roll');
  });

  it('adds no pause to its own full window when X-RateLimit-Remaining reaches 0 (the window rolls from the first start)', async () => {
    const slow: Handler = (req, res) => setTimeout(() => json(200, {}, { 'X-RateLimit-Limit': '1', 'X-RateLimit-Remaining': '0' })(req, res, 0), 300);
    server = await serve([slow, json(200, {})]);
    const limiter = new RateLimiter({ perWindow: 1, windowMs: 1000 });
    const client = new HttpClient({ vendor: 'v', limiter, rateHeaders: srRateHeaders });
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
      const client = new HttpClient({ vendor: 'v', limiter, retryDelayMs: 5000, rateHeaders: srRateHeaders });
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
      await new HttpClient({ vendor: 'v', limiter, rateHeaders: srRateHeaders }).request({ method: 'GET', url: server.url });
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

describe('HttpClient secrets in headers (issue 10)', () => {
  /** Echoes the request headers in a JSON error body (a vendor that repeats the request). */
  const echo = (status: number): Handler => (req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ echoed: req.headers }));
  };

  it('masks the values of declared secret headers, computed per attempt (signatures)', async () => {
    const server = await serve([echo(503), echo(503), echo(400)]);
    try {
      let n = 0;
      const sent: string[] = [];
      const client = new HttpClient({ vendor: 'v', retries: 2, retryDelayMs: 1, secretHeaders: ['X-CHUB-SIGNATURE'] });
      const err = await rejects(
        client.request({
          method: 'POST',
          url: server.url,
          headers: () => {
            const sig = `sig${n++}${'f'.repeat(40)}`;
            sent.push(sig);
            return { 'X-CHUB-SIGNATURE': sig, 'X-CHUB-SOURCE': 'src-visible' };
          },
          data: { a: 1 },
        }),
      );
      assert.equal(err.code, 'VENDOR_REJECTED');
      const text = JSON.stringify(err.toJSON()) + err.message + err.stack;
      assert.equal(sent.length, 3);
      for (const sig of sent) assert.ok(!text.includes(sig), `signature ${sig} leaked: ${err.message}`);
      assert.match(err.message, /src-visible/, 'headers that are not secret stay readable');
      // Later texts built from the client's redactor (a 2xx answer read as an error) mask them too.
      assert.ok(!client.redact.text(`x ${sent[0]} y`).includes(sent[0]));
    } finally {
      await server.close();
    }
  });

  it('masks an Authorization value whole and its token alone, whatever the length', async () => {
    const server = await serve([(req, res) => {
      res.writeHead(401, { 'Content-Type': 'text/plain' });
      res.end(`bad credentials ${req.headers.authorization} (token ${String(req.headers.authorization).slice(7)})`);
    }]);
    try {
      const err = await rejects(new HttpClient({ vendor: 'v' }).request({ method: 'GET', url: server.url, headers: { Authorization: 'Bearer k9' } }));
      assert.equal(err.code, 'AUTH_FAILED');
      assert.ok(!err.message.includes('k9'), err.message);
    } finally {
      await server.close();
    }
  });

  it('masks credentials carried in the URL (query token, user info), not other parameters', async () => {
    const server = await serve([(req, res) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`bad request ${decodeURIComponent(req.url ?? '')} auth ${req.headers.authorization}`);
    }]);
    try {
      const url = server.url.replace('http://', 'http://usr:p%40ss@');
      const err = await rejects(
        new HttpClient({ vendor: 'v' }).request({ method: 'GET', url: `${url}/x?token=t0k`, params: { api_key: 'k1', key: 'profile-key-42' } }),
      );
      for (const s of ['t0k', 'k1', 'p@ss', 'p%40ss', Buffer.from('usr:p@ss').toString('base64')]) assert.ok(!err.message.includes(s), `${s} leaked: ${err.message}`);
      assert.match(err.message, /profile-key-42/, 'a profile key is no secret');
    } finally {
      await server.close();
    }
  });

  it('masks a secret echoed JSON-escaped (quotes, backslash, non-ASCII)', async () => {
    const secret = 'ta"le\\ez-é';
    const server = await serve([(req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      // \uXXXX for non-ASCII, as many servers send it
      res.end(JSON.stringify({ detail: `bad secret ${JSON.stringify(String(req.headers['x-taleez-api-secret']))}` }).replace(/é/g, '\\u00e9'));
    }]);
    try {
      const err = await rejects(
        new HttpClient({ vendor: 'v', redactor: new Redactor([secret]), secretHeaders: ['X-taleez-api-secret'] }).request({
          method: 'GET',
          url: server.url,
          headers: { 'X-taleez-api-secret': Buffer.from(secret, 'utf8').toString('latin1') },
        }),
      );
      const text = JSON.stringify(err.toJSON());
      for (const f of [secret, JSON.stringify(secret).slice(1, -1), 'ta\\\\\\"le', 'le\\\\\\\\ez']) assert.ok(!text.includes(f), `${f} leaked: ${text}`);
    } finally {
      await server.close();
    }
  });
});

describe('HttpClient and vendor rate headers (issue 10)', () => {
  it('Taleez: an explicit Retry-After wins over X-RateLimit-Remaining: 0 (no 60 s window)', async () => {
    const server = await serve([json(429, { error: 'Too many requests' }, { 'Retry-After': '1', 'X-RateLimit-Remaining': '0' }), json(200, { ok: 1 })]);
    try {
      const limiter = new RateLimiter(taleez.rateLimit!);
      const delays: number[] = [];
      const client = new HttpClient({ vendor: 'taleez', limiter, rateHeaders: taleez.rateHeaders, retryDelayMs: 1, onRetry: (i) => delays.push(i.delayMs) });
      const t0 = Date.now();
      const res = await client.request({ method: 'GET', url: server.url });
      assert.equal(res.status, 200);
      assert.ok(limiter.pausedUntilMs - t0 < 5_000, `the account was paused ${limiter.pausedUntilMs - t0} ms`);
      assert.ok(delays[0] >= 900 && delays[0] < 5_000, `retried after ${delays[0]} ms`);
    } finally {
      await server.close();
    }
  });

  it('Taleez: an announced X-RateLimit-Limit counts per its minute, never per second', async () => {
    const server = await serve([json(200, {}, { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '99' })]);
    try {
      const limiter = new RateLimiter(taleez.rateLimit!);
      await new HttpClient({ vendor: 'taleez', limiter, rateHeaders: taleez.rateHeaders }).request({ method: 'GET', url: server.url });
      assert.deepEqual(limiter.limits.windowMs, 60_000);
      assert.equal(limiter.limits.perWindow, 100);
    } finally {
      await server.close();
    }
  });

  it('ignores the rate headers of a vendor that declares no reading of them', async () => {
    const server = await serve([json(200, {}, { 'X-RateLimit-Limit': '5', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Concurrent-Limit': '1' })]);
    try {
      const limiter = new RateLimiter({ perWindow: 100, windowMs: 60_000 });
      await new HttpClient({ vendor: 'unknown', limiter }).request({ method: 'GET', url: server.url });
      assert.deepEqual(limiter.limits, { perWindow: 100, windowMs: 60_000, concurrent: Number.MAX_SAFE_INTEGER });
      assert.ok(limiter.pausedUntilMs <= Date.now(), 'no pause');
    } finally {
      await server.close();
    }
  });
});

describe('HttpClient and a long Retry-After (issue 10)', () => {
  it('fails at once with RATE_LIMITED and retryAt, pausing the account for the cap only', async () => {
    const server = await serve([json(429, { message: 'slow down' }, { 'Retry-After': '3600' })]);
    try {
      const limiter = new RateLimiter(smartrecruiters.rateLimit!);
      const waits: Array<{ reason: string; until: number }> = [];
      const client = new HttpClient({ vendor: 'v', limiter, timeoutMs: 1_000, retries: 3, retryDelayMs: 1, onWait: (w) => waits.push(w) });
      const t0 = Date.now();
      const err = await rejects(client.request({ method: 'POST', url: server.url, step: 'create' }));
      assert.equal(err.code, 'RATE_LIMITED');
      assert.equal(err.statusCode, 429);
      assert.equal(server.hits(), 1, 'not retried: the wait is longer than the request may wait');
      const retryAt = Date.parse(err.retryAt as string);
      assert.ok(retryAt > t0 + 50_000 && retryAt <= Date.now() + 60_000, `retryAt ${err.retryAt}`);
      assert.ok((err.retryAfterMs as number) <= 60_000 && (err.retryAfterMs as number) > 50_000);
      assert.ok(limiter.pausedUntilMs <= Date.now() + 60_000, 'the account pause is capped at 60 s');
      assert.equal(waits[0]?.reason, 'paused');
      assert.equal(JSON.stringify(err.toJSON()).includes('"retryAt"'), true);
      // The next request of the account fails at once too, saying when to try again.
      const next = await rejects(client.request({ method: 'GET', url: server.url }));
      assert.equal(next.code, 'RATE_LIMITED');
      assert.ok(next.retryAt);
      assert.equal(server.hits(), 1);
      assert.equal(limiter.waiting, 0);
    } finally {
      await server.close();
    }
  });

  it('sleeps only the capped pause when the request may wait that long', async () => {
    const server = await serve([json(429, {}, { 'Retry-After': '3600' }), json(200, { ok: 1 })]);
    try {
      const limiter = new RateLimiter({ perWindow: 10, maxPauseMs: 100 });
      const res = await new HttpClient({ vendor: 'v', limiter, timeoutMs: 2_000, retryDelayMs: 1 }).request({ method: 'GET', url: server.url });
      assert.equal(res.status, 200);
      assert.equal(server.hits(), 2);
    } finally {
      await server.close();
    }
  });

  it('reports a wait for a rate slot through onWait', async () => {
    const server = await serve([json(200, {})]);
    try {
      const limiter = new RateLimiter({ perWindow: 1, windowMs: 2_000 });
      const waits: Array<{ reason: string; waitMs: number }> = [];
      const client = new HttpClient({ vendor: 'v', limiter, timeoutMs: 5_000, onWait: (w) => waits.push(w) });
      await client.request({ method: 'GET', url: server.url });
      await client.request({ method: 'GET', url: server.url });
      assert.equal(waits.length, 1);
      assert.equal(waits[0].reason, 'rate_limit');
      assert.ok(waits[0].waitMs >= 1_000 && waits[0].waitMs <= 2_100, `${waits[0].waitMs} ms`);
    } finally {
      await server.close();
    }
  });

  it('fails a message waiting for a rate slot past its timeout with RATE_LIMITED', async () => {
    const server = await serve([json(200, {})]);
    try {
      const limiter = new RateLimiter({ perWindow: 1, windowMs: 30_000 });
      const client = new HttpClient({ vendor: 'v', limiter, timeoutMs: 100 });
      await client.request({ method: 'GET', url: server.url });
      const err = await rejects(client.request({ method: 'GET', url: server.url, step: 'lookup' }));
      assert.equal(err.code, 'RATE_LIMITED');
      assert.equal(err.vendor, 'v');
      assert.equal(err.step, 'lookup');
      assert.ok(Date.parse(err.retryAt as string) > Date.now() + 20_000);
      assert.equal(limiter.waiting, 0);
      assert.equal(server.hits(), 1);
    } finally {
      await server.close();
    }
  });
});

describe('rateLimitHeaders', () => {
  it('reads X-RateLimit-Reset as a delay in seconds, epoch seconds or epoch milliseconds', () => {
    const now = 1_800_000_000_000;
    assert.equal(rateLimitHeaders({ 'x-ratelimit-reset': '2' }, now).resetMs, 2000);
    assert.equal(rateLimitHeaders({ 'x-ratelimit-reset': String(now / 1000 + 2) }, now).resetMs, 2000);
    assert.equal(rateLimitHeaders({ 'x-ratelimit-reset': String(now + 2000) }, now).resetMs, 2000);
    assert.equal(rateLimitHeaders({ 'x-ratelimit-reset': String(now - 5000) }, now).resetMs, 0);
    assert.equal(rateLimitHeaders({ 'x-ratelimit-reset': '-3' }, now).resetMs, undefined);
  });
});

describe('HttpClient: answer size', () => {
  let server: http.Server;
  let url = '';
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/gzip') {
        // About 17 MiB once decompressed, a few KiB on the wire.
        res.writeHead(400, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
        return res.end(zlib.gzipSync(Buffer.alloc(17 * 1024 * 1024, 32)));
      }
      res.writeHead(req.url === '/ok' ? 200 : 400, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 32);
      let n = 0;
      const write = (): void => {
        while (n < 17) {
          n++;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      res.on('error', () => undefined);
      write();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('stops an answer larger than 16 MiB (plain or decompressed) as it streams: VENDOR_UNAVAILABLE, a create outcomeUnknown, not retried', async () => {
    let retries = 0;
    const client = new HttpClient({ vendor: 'v', retries: 2, retryDelayMs: 1, onRetry: () => retries++ });
    for (const path of ['/big', '/gzip', '/ok']) {
      await assert.rejects(client.request({ method: 'POST', url: `${url}${path}`, data: {}, step: 'create' }), (err: any) => {
        assert.equal(err.code, 'VENDOR_UNAVAILABLE', err.message);
        assert.match(err.message, /answered more than 16777216 bytes during create: not read further/);
        assert.equal(err.outcomeUnknown, true);
        return true;
      }, path);
    }
    await assert.rejects(client.request({ method: 'GET', url: `${url}/big` }), (err: any) => err.code === 'VENDOR_UNAVAILABLE' && err.outcomeUnknown === undefined);
    assert.equal(retries, 0);
  });
});
