/**
 * Issue 10, defects 6 and 7 in a real runtime: a long Retry-After fails the message at once with
 * RATE_LIMITED and when to retry, shows the pause in the status, and does not freeze the account
 * (nor the next deploy of it); an explicit short Retry-After wins over the rate headers.
 */
import assert from 'node:assert/strict';
import { MAX_PAUSE_MS } from '../../src/core/limiter';
import { helper } from '../helpers/red';
import { KEYS, useSandbox } from '../helpers/sandbox';
import { load, run, sandboxVendor } from './push-common';

/** A Taleez account of its own: its pause must not reach other tests (faults answer before the auth check). */
const account = { x_taleez_api_secret: 'rate-pause-test-account' };

const TZ = sandboxVendor('taleez', {
  accountCredentials: () => account,
  pushProps: () => ({ recruiter_id: '15886', pool_ids: '' }),
  requestsPerPush: 2,
});

function recordStatus(id: string): Array<{ fill?: string; shape?: string; text?: string }> {
  const calls: Array<{ fill?: string; shape?: string; text?: string }> = [];
  const node = helper.getNode(id);
  const original = node.status.bind(node);
  node.status = (s: any) => {
    calls.push(s);
    return original(s);
  };
  return calls;
}

describe('flow: vendor pauses (issue 10)', function () {
  this.timeout(20_000);
  const ctx = useSandbox();
  afterEach(async () => {
    await helper.unload();
  });

  it('a 429 with Retry-After: 3600 fails at once with RATE_LIMITED and retryAt, shows the pause, and a redeploy is not frozen', async () => {
    await load(ctx.sb, TZ, { push: { timeout: 1000, retries: 2, retry_delay: 10 } });
    let statuses = recordStatus('push');
    ctx.sb.setFault('taleez', { mode: 'status', status: 429, retryAfter: 3600 });
    const t0 = Date.now();
    const first = await run({ profile_key: KEYS.full }, 8000);
    assert.equal(first.id, 'caught');
    assert.equal(first.msg.error.code, 'RATE_LIMITED', first.msg.error.message);
    const details = first.msg.error_details;
    const retryAt = Date.parse(details.retryAt);
    assert.ok(Number.isFinite(retryAt), `retryAt ${details.retryAt}`);
    assert.ok(retryAt > t0 + MAX_PAUSE_MS / 2 && retryAt <= Date.now() + MAX_PAUSE_MS, `retryAt ${details.retryAt}: the pause is capped`);
    assert.equal(typeof details.retryAfterMs, 'number');
    assert.equal((ctx.sb.state as any).taleez.faultsInjected, 1, 'not retried: the wait is longer than the node waits');
    const paused = statuses.find((s) => /^paused by Taleez until \d\d:\d\d:\d\d$/.test(s.text ?? ''));
    assert.ok(paused, `no pause in the status: ${JSON.stringify(statuses)}`);
    assert.equal(paused.fill, 'yellow');

    // Redeploy: the account's pause carries over (the vendor asked for it) but never beyond its cap.
    ctx.sb.setFault('taleez', null);
    await helper.unload();
    await load(ctx.sb, TZ, { push: { timeout: 1000, retries: 2, retry_delay: 10 } });
    assert.ok(helper.getNode('acc').limiter.pausedUntilMs <= Date.now() + MAX_PAUSE_MS, 'not paused for an hour');
    statuses = recordStatus('push');
    const requestsBefore = (ctx.sb.state as any).taleez.requests;
    const second = await run({ profile_key: KEYS.full }, 8000);
    assert.equal(second.id, 'caught', 'the message has its outcome at once, not after an hour');
    assert.equal(second.msg.error.code, 'RATE_LIMITED');
    assert.ok(Date.parse(second.msg.error_details.retryAt) <= retryAt + 1000);
    assert.equal((ctx.sb.state as any).taleez.requests, requestsBefore, 'nothing was sent during the pause');
    assert.ok(statuses.some((s) => /^paused by Taleez until/.test(s.text ?? '')));
  });

  it('an explicit Retry-After: 1 wins over X-RateLimit-Remaining: 0 (no 60 s window)', async () => {
    await load(ctx.sb, TZ, { push: { timeout: 5000, retries: 2, retry_delay: 10 } }, { x_taleez_api_secret: ctx.sb.credentials.taleezSecret });
    ctx.sb.setFault('taleez', { mode: 'status', status: 429, retryAfter: 1, headers: { 'X-RateLimit-Remaining': '0' }, count: 1 });
    const { id, msg } = await run({ profile_key: KEYS.full }, 10_000);
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.equal((ctx.sb.state as any).taleez.faultsInjected, 1);
    assert.equal((ctx.sb.state as any).taleez.candidates.length, 1);
    assert.ok(helper.getNode('acc').limiter.pausedUntilMs < Date.now() + 5_000, 'no minute-long pause');
  });
});
