/**
 * The metrics module (nodes/lib/metrics.ts) fed with synthetic push events: exact counts per label,
 * the histogram, the `# TYPE` lines, bounded labels, one registry per runtime (not prom-client's global
 * one), one subscription per runtime, and the gauges read from the ledger's store at scrape time.
 */
import assert from 'node:assert/strict';
import type { NodeAPI } from 'node-red';
import { register as globalRegistry } from 'prom-client';
import { DURATION_BUCKETS, PushMetrics, codeLabel, metricsFor, metricsRoute, vendorLabel } from '../../nodes/lib/metrics';
import { ledgerFor } from '../../nodes/lib/ledger';
import { pushEvents, report } from '../../nodes/lib/push-events';
import { PUSH_METRIC_TYPES, parseExposition, sampleValue, samplesOf } from '../helpers/prometheus';

/** A RED object as Node-RED gives one to each node file: its own object, the runtime's admin app. */
function fakeRed(app: object, settings: Record<string, unknown> = {}): NodeAPI {
  const warnings: string[] = [];
  return { httpAdmin: app, settings, log: { warn: (t: string) => warnings.push(t) }, warnings } as unknown as NodeAPI;
}

const outcome = (vendor: string, o: 'pushed' | 'updated' | 'archived' | 'skipped' | 'error', seconds: number, code?: string) => ({ vendor, node: 'n1', outcome: o, seconds, resumed: false, ...(code ? { code } : {}) });

describe('metrics: the Prometheus exposition of push events', () => {
  it('counts outcomes, errors, retries, 429s, duplicates and resumes exactly, by vendor', async () => {
    const m = new PushMetrics();
    m.outcome(outcome('taleez', 'pushed', 0.2));
    m.outcome(outcome('taleez', 'pushed', 0.07));
    m.outcome(outcome('taleez', 'skipped', 0.001));
    m.outcome(outcome('taleez', 'error', 3, 'VENDOR_UNAVAILABLE'));
    m.outcome(outcome('recruitee', 'error', 45, 'RATE_LIMITED'));
    m.retry({ vendor: 'recruitee', node: 'n2', reason: 'RATE_LIMITED', statusCode: 429 });
    m.retry({ vendor: 'recruitee', node: 'n2', reason: 'RATE_LIMITED', statusCode: 429 });
    m.retry({ vendor: 'taleez', node: 'n1', reason: 'VENDOR_UNAVAILABLE', statusCode: 503 });
    m.retry({ vendor: 'taleez', node: 'n1', reason: 'NETWORK_ERROR' });
    m.resume({ vendor: 'taleez', node: 'n1' });
    m.outcome(outcome('smartrecruiters', 'updated', 0.1));
    m.outcome(outcome('smartrecruiters', 'archived', 0.1));
    m.outcome(outcome('smartrecruiters', 'archived', 0.1));

    const e = parseExposition(await m.text());
    // Update and archive (issue 13) are outcomes of their own, timed like pushes, never duplicates.
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor: 'smartrecruiters', outcome: 'updated' }), 1);
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor: 'smartrecruiters', outcome: 'archived' }), 2);
    assert.equal(sampleValue(e, 'hrflow_push_duration_seconds_count', { vendor: 'smartrecruiters' }), 3);
    assert.equal(sampleValue(e, 'hrflow_duplicates_skipped_total', { vendor: 'smartrecruiters' }), undefined);
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor: 'taleez', outcome: 'pushed' }), 2);
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor: 'taleez', outcome: 'skipped' }), 1);
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor: 'taleez', outcome: 'error' }), 1);
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor: 'recruitee', outcome: 'error' }), 1);
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor: 'recruitee', outcome: 'pushed' }), undefined);
    assert.equal(sampleValue(e, 'hrflow_push_errors_total', { vendor: 'taleez', code: 'VENDOR_UNAVAILABLE' }), 1);
    assert.equal(sampleValue(e, 'hrflow_push_errors_total', { vendor: 'recruitee', code: 'RATE_LIMITED' }), 1);
    assert.equal(samplesOf(e, 'hrflow_push_errors_total').length, 2);
    assert.equal(sampleValue(e, 'hrflow_retries_total', { vendor: 'recruitee', reason: 'RATE_LIMITED' }), 2);
    assert.equal(sampleValue(e, 'hrflow_retries_total', { vendor: 'taleez', reason: 'VENDOR_UNAVAILABLE' }), 1);
    assert.equal(sampleValue(e, 'hrflow_retries_total', { vendor: 'taleez', reason: 'NETWORK_ERROR' }), 1);
    // Two retried 429s and one push ending RATE_LIMITED; the 503 is not a rate limit.
    assert.equal(sampleValue(e, 'hrflow_rate_limited_total', { vendor: 'recruitee' }), 3);
    assert.equal(sampleValue(e, 'hrflow_rate_limited_total', { vendor: 'taleez' }), undefined);
    assert.equal(sampleValue(e, 'hrflow_duplicates_skipped_total', { vendor: 'taleez' }), 1);
    assert.equal(sampleValue(e, 'hrflow_resumed_total', { vendor: 'taleez' }), 1);

    for (const [name, type] of PUSH_METRIC_TYPES) {
      assert.equal(e.types.get(name), type, `# TYPE ${name} ${type}`);
      assert.ok(e.help.get(name), `# HELP ${name}`);
    }
    // Only ours: no process metrics, no gauges without a ledger reader.
    assert.deepEqual([...e.types.keys()].filter((n) => !n.startsWith('hrflow_')), []);
    assert.equal(e.types.has('hrflow_dead_letters'), false);
  });

  it('times pushed and failed messages in the duration histogram, not skipped ones', async () => {
    const m = new PushMetrics();
    m.outcome(outcome('taleez', 'pushed', 0.2));
    m.outcome(outcome('taleez', 'pushed', 0.07));
    m.outcome(outcome('taleez', 'skipped', 0.001));
    m.outcome(outcome('taleez', 'error', 3, 'VENDOR_UNAVAILABLE'));
    m.outcome(outcome('taleez', 'error', 90, 'TIMEOUT'));
    m.outcome(outcome('taleez', 'pushed', Number.NaN));
    const e = parseExposition(await m.text());
    assert.equal(sampleValue(e, 'hrflow_push_duration_seconds_count', { vendor: 'taleez' }), 4);
    assert.ok(Math.abs(sampleValue(e, 'hrflow_push_duration_seconds_sum', { vendor: 'taleez' })! - 93.27) < 1e-9);
    const buckets = samplesOf(e, 'hrflow_push_duration_seconds_bucket').filter((s) => s.labels.vendor === 'taleez');
    assert.deepEqual(buckets.map((b) => b.labels.le), [...DURATION_BUCKETS.map(String), '+Inf']);
    const le = (x: string) => sampleValue(e, 'hrflow_push_duration_seconds_bucket', { vendor: 'taleez', le: x });
    assert.equal(le('0.05'), 0);
    assert.equal(le('0.1'), 1);
    assert.equal(le('0.25'), 2);
    assert.equal(le('2.5'), 2);
    assert.equal(le('5'), 3);
    assert.equal(le('60'), 3);
    assert.equal(le('+Inf'), 4);
    assert.equal(DURATION_BUCKETS[0], 0.05);
    assert.equal(DURATION_BUCKETS[DURATION_BUCKETS.length - 1], 60);
  });

  it('keeps labels low-cardinality: unknown codes and odd vendor ids become `other`, nothing else of the event shows', async () => {
    assert.equal(vendorLabel('smartrecruiters'), 'smartrecruiters');
    assert.equal(vendorLabel('Ta leez'), 'other');
    assert.equal(vendorLabel(undefined), 'other');
    assert.equal(codeLabel('PARTIAL_PUSH'), 'PARTIAL_PUSH');
    assert.equal(codeLabel('ECONNRESET'), 'other');
    assert.equal(codeLabel('candidate 12345 already exists'), 'other');
    const m = new PushMetrics();
    const event = { ...outcome('taleez', 'error', 1, 'jane.doe@example.com'), profile: 'hrflow:src/abcdef', candidateId: 'c-777' } as never;
    m.outcome(event);
    m.retry({ vendor: 'x"}\n', node: 'n', reason: 'whatever 123' });
    const text = await m.text();
    assert.equal(/jane|abcdef|c-777|whatever/.test(text), false, text);
    const e = parseExposition(text);
    assert.equal(sampleValue(e, 'hrflow_push_errors_total', { vendor: 'taleez', code: 'other' }), 1);
    assert.equal(sampleValue(e, 'hrflow_retries_total', { vendor: 'other', reason: 'other' }), 1);
  });

  it('has one registry per runtime, shared by its node files, subscribed once, apart from prom-client\'s global registry', async () => {
    const app = {};
    const configFile = fakeRed(app);
    const pushFile = fakeRed(app);
    const other = fakeRed({});
    const m = metricsFor(configFile);
    assert.equal(metricsFor(pushFile), m, 'the node files of one runtime share its metrics');
    assert.equal(metricsFor(configFile), m);
    assert.notEqual(metricsFor(other), m, 'another runtime has its own');
    assert.equal(pushEvents(pushFile), pushEvents(configFile), 'and its push events bus');
    // Emitted where a push node emits (its own node file's RED), counted once.
    report(pushFile, 'outcome', outcome('flatchr', 'pushed', 0.3));
    report(pushFile, 'retry', { vendor: 'flatchr', node: 'n', reason: 'RATE_LIMITED', statusCode: 429 });
    report(pushFile, 'resume', { vendor: 'flatchr', node: 'n' });
    const e = parseExposition(await m.text());
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor: 'flatchr', outcome: 'pushed' }), 1);
    assert.equal(sampleValue(e, 'hrflow_rate_limited_total', { vendor: 'flatchr' }), 1);
    assert.equal(sampleValue(e, 'hrflow_resumed_total', { vendor: 'flatchr' }), 1);
    assert.equal(pushEvents(configFile).listenerCount('outcome'), 1);
    const o = parseExposition(await metricsFor(other).text());
    assert.equal(samplesOf(o, 'hrflow_pushes_total').length, 0, 'nothing counted in another runtime');
    assert.equal(/hrflow_/.test(await globalRegistry.metrics()), false, 'nothing in the global registry');
  });

  it('reads dead letters by vendor and pending outbox messages from the ledger at scrape time', async () => {
    const RED = fakeRed({});
    const m = metricsFor(RED);
    const before = parseExposition(await m.text());
    assert.equal(before.types.get('hrflow_dead_letters'), 'gauge');
    assert.equal(before.types.get('hrflow_outbox_pending'), 'gauge');
    assert.equal(samplesOf(before, 'hrflow_dead_letters').length, 0);
    assert.equal(sampleValue(before, 'hrflow_outbox_pending'), 0);

    const store = ledgerFor(RED)!.store;
    const at = new Date().toISOString();
    for (const [id, vendor] of [['a', 'taleez'], ['b', 'taleez'], ['c', 'recruitee'], ['d', 'taleez']]) {
      await store.journal({ id, node: 'n', vendor, state: 'queued', msg: {}, accepted: at });
    }
    await store.settle('a', { dead: { id: 'a', node: 'n', vendor: 'taleez', code: 'VENDOR_REJECTED', message: 'no', msg: {}, at } });
    await store.settle('b', { dead: { id: 'b', node: 'n', vendor: 'taleez', code: 'VENDOR_REJECTED', message: 'no', msg: {}, at } });
    await store.settle('c', { dead: { id: 'c', node: 'n', vendor: 'recruitee', code: 'AUTH_FAILED', message: 'no', msg: {}, at } });
    const e = parseExposition(await m.text());
    assert.equal(sampleValue(e, 'hrflow_dead_letters', { vendor: 'taleez' }), 2);
    assert.equal(sampleValue(e, 'hrflow_dead_letters', { vendor: 'recruitee' }), 1);
    assert.equal(sampleValue(e, 'hrflow_outbox_pending'), 1);

    // Discarded: the gauge follows the store (a vendor without dead letters any more disappears).
    await store.removeDeadLetter('c');
    await store.settle('d', {});
    const after = parseExposition(await m.text());
    assert.equal(sampleValue(after, 'hrflow_dead_letters', { vendor: 'recruitee' }), undefined);
    assert.equal(sampleValue(after, 'hrflow_dead_letters', { vendor: 'taleez' }), 2);
    assert.equal(sampleValue(after, 'hrflow_outbox_pending'), 0);
  });

  it('leaves the gauges out when the ledger is off', async () => {
    const m = metricsFor(fakeRed({}, { hrflowLedger: false }));
    const e = parseExposition(await m.text());
    assert.equal(e.types.has('hrflow_dead_letters'), false);
    assert.equal(e.types.has('hrflow_outbox_pending'), false);
    assert.equal(samplesOf(e, 'hrflow_outbox_pending').length, 0);
    assert.equal(e.types.get('hrflow_pushes_total'), 'counter');
  });

  it('answers the route with the registry\'s content type', async () => {
    const RED = fakeRed({});
    report(RED, 'outcome', outcome('broadbean', 'pushed', 1));
    const got = await new Promise<{ status: number; type: string; body: string }>((resolve) => {
      const answer = { status: 0, type: '' };
      const res = {
        headersSent: false,
        status(code: number) {
          answer.status = code;
          return res;
        },
        set(name: string, value: string) {
          if (name.toLowerCase() === 'content-type') answer.type = value;
          return res;
        },
        send(body: string) {
          resolve({ ...answer, body });
        },
        end() {},
      };
      metricsRoute(RED)({}, res);
    });
    assert.equal(got.status, 200);
    assert.equal(got.type, metricsFor(RED).registry.contentType);
    assert.match(got.type, /^text\/plain; version=0\.0\.4/);
    // Subscribed before the route existed? No: metricsFor subscribed at the route's creation; the earlier push is not counted.
    assert.equal(sampleValue(parseExposition(got.body), 'hrflow_pushes_total', { vendor: 'broadbean', outcome: 'pushed' }), undefined);
  });
});
