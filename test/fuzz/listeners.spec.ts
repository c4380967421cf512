/**
 * Under load, nothing piles up on a node's stop signal: every request, limiter wait and retry sleep
 * removes the listener it added, whatever the answer (2xx, 429 with or without Retry-After, 5xx,
 * reset connection, timeout). A node's signal lives as long as the flow: a listener left per message
 * would be a leak (and Node's MaxListenersExceededWarning once a signal has no raised limit).
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { HttpClient } from '../../src/core/http';
import { RateLimiter } from '../../src/core/limiter';

describe('fuzz: listeners on a node stop signal under load', function () {
  this.timeout(30_000);
  let server: http.Server;
  let base = '';

  before(async () => {
    server = http.createServer((req, res) => {
      const kind = new URL(req.url ?? '/', 'http://x').searchParams.get('k');
      if (kind === 'reset') return req.socket.destroy();
      if (kind === 'slow') return void setTimeout(() => res.end('{}'), 150);
      const status = Number(kind) || 200;
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '0' } : {}) });
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('leaves no listener behind after 400 concurrent requests with every kind of answer', async () => {
    const controller = new AbortController();
    const limiter = new RateLimiter({ perWindow: 200, windowMs: 100, concurrent: 20 });
    const kinds = fc.sample(fc.constantFrom('200', '201', '429', '503', '400', 'reset', 'slow'), { seed: 42, numRuns: 400 });
    const client = new HttpClient({ vendor: 'test', timeoutMs: 100, retries: 2, retryDelayMs: 1, maxDelayMs: 5, limiter, signal: controller.signal });
    const outcomes = await Promise.allSettled(
      kinds.map((k, i) => client.request({ method: i % 2 ? 'GET' : 'POST', url: `${base}/x?k=${k}`, idempotent: true })),
    );
    assert.equal(outcomes.length, 400);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'listeners left on the signal');
  });
});
