/**
 * GET /hrflow-connectors/metrics (nodes/lib/metrics.ts) in a real Node-RED runtime (node-red-node-test-helper:
 * helper.request() hits its admin app), after pushes to the sandbox: pushed, skipped as a duplicate, retried
 * after a 429 and a 503, failed as VENDOR_UNAVAILABLE and RATE_LIMITED. The text format is parsed and the
 * counts checked exactly against what the sandbox saw. (The permission with adminAuth on: test/e2e/metrics-auth.spec.ts.)
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LevelLedgerStore } from '../../src/push/ledger-store';
import { allNodes, helper, testSettings } from '../helpers/red';
import { LEDGER_METRIC_TYPES, PUSH_METRIC_TYPES, parseExposition, sampleValue, samplesOf, type Exposition } from '../helpers/prometheus';
import { KEYS, useSandbox } from '../helpers/sandbox';
import { buildFlow, run, sandboxVendor } from './push-common';

const SR = sandboxVendor('smartrecruiters');

/** Send one message to the profile node and wait for its outcome. */
const run1 = (msg: Record<string, unknown>) => run(msg, 8000);

async function scrape(): Promise<Exposition> {
  const res = await helper.request().get('/hrflow-connectors/metrics').expect(200);
  // The registry's content type (Express puts its charset first).
  const type = String(res.headers['content-type']).split(';').map((p) => p.trim()).sort();
  assert.deepEqual(type, ['charset=utf-8', 'text/plain', 'version=0.0.4']);
  return parseExposition(res.text);
}

describe('flow: GET /hrflow-connectors/metrics after pushes to the sandbox', function () {
  this.timeout(20_000);
  const ctx = useSandbox();
  const state = () => (ctx.sb.state as any).smartrecruiters;

  afterEach(async () => {
    await helper.unload();
    helper.settings(testSettings);
  });

  const loadFlow = async () => {
    const { nodes, credentials } = buildFlow(ctx.sb, SR, { push: { retries: 2, retry_delay: 10, timeout: 2000 } });
    await helper.load(allNodes, nodes, credentials);
  };

  it('counts pushed, skipped, retried and failed pushes exactly, with their latency histogram', async () => {
    await loadFlow();
    const empty = await scrape();
    assert.equal(samplesOf(empty, 'hrflow_pushes_total').length, 0, 'a new runtime starts from zero');
    assert.equal(empty.types.get('hrflow_pushes_total'), 'counter');

    // 1. pushed; 2. the same again: skipped, nothing sent.
    const first = await run1({ profile_key: KEYS.full });
    assert.equal(first.id, 'out', JSON.stringify(first.msg.error ?? ''));
    const requests = state().requests;
    const dup = await run1({ profile_key: KEYS.full });
    assert.equal(dup.msg.already_pushed, true);
    assert.equal(state().requests, requests);

    // 3. one 429 then pushed (another profile).
    ctx.sb.setFault('smartrecruiters', { mode: 'status', status: 429, count: 1 });
    const limited = await run1({ profile_key: KEYS.minimal });
    assert.equal(limited.id, 'out', JSON.stringify(limited.msg.error ?? ''));
    assert.equal(state().faultsInjected, 1);

    // 4. 503 at every attempt: VENDOR_UNAVAILABLE (another target), after `retries` retries.
    ctx.sb.setFault('smartrecruiters', { mode: 'status', status: 503 });
    const down = await run1({ profile_key: KEYS.full, job_id: 'job-43' });
    assert.equal(down.id, 'caught');
    assert.equal(down.msg.error.code, 'VENDOR_UNAVAILABLE');
    const answers503 = state().faultsInjected - 1;
    assert.equal(answers503, 3, 'one attempt and two retries');

    // 5. 429 at every attempt: RATE_LIMITED (another target).
    ctx.sb.setFault('smartrecruiters', { mode: 'status', status: 429 });
    const refused = await run1({ profile_key: KEYS.full, job_id: 'job-44' });
    assert.equal(refused.id, 'caught');
    assert.equal(refused.msg.error.code, 'RATE_LIMITED');
    const answers429 = state().faultsInjected - 1 - answers503;
    assert.equal(answers429, 3, 'one attempt and two retries');
    ctx.sb.setFault('smartrecruiters', null);

    const e = await scrape();
    const vendor = 'smartrecruiters';
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor, outcome: 'pushed' }), 2);
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor, outcome: 'skipped' }), 1);
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor, outcome: 'error' }), 2);
    assert.equal(samplesOf(e, 'hrflow_pushes_total').length, 3);
    assert.equal(sampleValue(e, 'hrflow_push_errors_total', { vendor, code: 'VENDOR_UNAVAILABLE' }), 1);
    assert.equal(sampleValue(e, 'hrflow_push_errors_total', { vendor, code: 'RATE_LIMITED' }), 1);
    assert.equal(samplesOf(e, 'hrflow_push_errors_total').length, 2);
    // Every answer but the last of a failed push was retried.
    assert.equal(sampleValue(e, 'hrflow_retries_total', { vendor, reason: 'RATE_LIMITED' }), 1 + (answers429 - 1));
    assert.equal(sampleValue(e, 'hrflow_retries_total', { vendor, reason: 'VENDOR_UNAVAILABLE' }), answers503 - 1);
    assert.equal(samplesOf(e, 'hrflow_retries_total').length, 2);
    // Every 429 the sandbox answered: the retried ones and the one that ended the push.
    assert.equal(sampleValue(e, 'hrflow_rate_limited_total', { vendor }), 1 + answers429);
    assert.equal(sampleValue(e, 'hrflow_duplicates_skipped_total', { vendor }), 1);
    assert.equal(samplesOf(e, 'hrflow_resumed_total').length, 0);
    // Latency of the pushed and failed messages (not of the skipped one).
    assert.equal(sampleValue(e, 'hrflow_push_duration_seconds_count', { vendor }), 4);
    const sum = sampleValue(e, 'hrflow_push_duration_seconds_sum', { vendor })!;
    assert.ok(sum > 0 && sum < 60, String(sum));
    const buckets = samplesOf(e, 'hrflow_push_duration_seconds_bucket');
    assert.equal(buckets.length, 12);
    assert.deepEqual(buckets.map((b) => b.value), [...buckets.map((b) => b.value)].sort((a, b) => a - b), 'cumulative buckets');
    assert.equal(sampleValue(e, 'hrflow_push_duration_seconds_bucket', { vendor, le: '+Inf' }), 4);
    // Every message settled: nothing left in the outbox.
    assert.equal(sampleValue(e, 'hrflow_outbox_pending'), 0);
    for (const [name, type] of [...PUSH_METRIC_TYPES, ...LEDGER_METRIC_TYPES]) {
      assert.equal(e.types.get(name), type, `# TYPE ${name} ${type}`);
    }
    assert.deepEqual([...e.types.keys()].filter((n) => !n.startsWith('hrflow_')), [], 'only our metrics');
    // No profile, candidate or secret in any label.
    for (const s of e.samples) {
      for (const value of Object.values(s.labels)) assert.ok(!value.includes(KEYS.full.slice(0, 8)) && !value.includes(String(first.msg.candidate_id)), value);
    }

    // Another runtime (a new load: its own admin app) starts from zero.
    await helper.unload();
    await loadFlow();
    const again = await scrape();
    assert.equal(samplesOf(again, 'hrflow_pushes_total').length, 0);
  });

  it('leaves the ledger gauges out when the ledger is off (hrflowLedger: false), and still counts', async () => {
    helper.settings({ ...testSettings, hrflowLedger: false });
    await loadFlow();
    const first = await run1({ profile_key: KEYS.full });
    const second = await run1({ profile_key: KEYS.full });
    assert.equal(first.id, 'out');
    assert.equal(second.id, 'out');
    const e = await scrape();
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor: 'smartrecruiters', outcome: 'pushed' }), 2, 'no duplicate skipped without the ledger');
    assert.equal(e.types.has('hrflow_dead_letters'), false);
    assert.equal(e.types.has('hrflow_outbox_pending'), false);
  });

  it('reads dead letters by vendor and the pending outbox from the durable ledger at scrape time', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-metrics-flow-'));
    helper.settings({ ...testSettings, userDir: dir });
    await loadFlow();
    ctx.sb.setFault('smartrecruiters', { mode: 'status', status: 503 });
    const down = await run1({ profile_key: KEYS.full });
    assert.equal(down.msg.error.code, 'VENDOR_UNAVAILABLE');
    ctx.sb.setFault('smartrecruiters', null);
    // The database itself (another store on the same directory shares the open handle).
    const store = new LevelLedgerStore(path.join(dir, 'hrflow-connectors'));
    try {
      const at = new Date().toISOString();
      await store.journal({ id: 'm-dead', node: 'elsewhere', vendor: 'taleez', state: 'queued', msg: {}, accepted: at });
      await store.settle('m-dead', { dead: { id: 'm-dead', node: 'elsewhere', vendor: 'taleez', code: 'VENDOR_REJECTED', message: 'refused', msg: {}, at } });
      await store.journal({ id: 'm-waiting', node: 'elsewhere', vendor: 'taleez', state: 'queued', msg: {}, accepted: at });
      const e = await scrape();
      const dead = await store.deadLetters({ limit: 10_000 });
      assert.equal(sampleValue(e, 'hrflow_dead_letters', { vendor: 'taleez' }), 1);
      // The push node's own dead letters (its failed push), as the store holds them.
      const sr = dead.filter((d) => d.vendor === 'smartrecruiters').length;
      assert.equal(sampleValue(e, 'hrflow_dead_letters', { vendor: 'smartrecruiters' }), sr === 0 ? undefined : sr);
      assert.equal(sampleValue(e, 'hrflow_outbox_pending'), 1);

      await store.removeDeadLetter('m-dead');
      await store.settle('m-waiting', {});
      const after = await scrape();
      assert.equal(sampleValue(after, 'hrflow_dead_letters', { vendor: 'taleez' }), undefined);
      assert.equal(sampleValue(after, 'hrflow_outbox_pending'), 0);
    } finally {
      await store.close();
    }
  });
});
