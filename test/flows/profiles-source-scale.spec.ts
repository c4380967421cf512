/**
 * hrflow-profiles (issue 13) at scale, in a real Node-RED runtime against the sandbox, every candidate counted
 * at the emulated ATS:
 * - backpressure against a push node paced by the ATS's rate limit: each listing request is compared with the
 *   candidates the ATS had received by then (state.hrflow.listings against the candidates' receivedAt);
 * - "how this is checked" (issue 13): a source of thousands of profiles, created and updated over several
 *   runs, with faults at both ATS and restarts in between (one in the middle of a run), counted at each
 *   emulated ATS: every profile there exactly once.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSandbox, type Sandbox } from '../../src/sandbox';
import { assertListingsPaced } from '../helpers/profiles-source';
import { allNodes, firstOf, helper, onTab, testSettings, type FlowNode } from '../helpers/red';
import { SANDBOX_VENDORS } from './push-common';

/** The SmartRecruiters emulator's limit in this file (its default is 10/s): the push node's account says the same. */
const SR_RATE = 300;
const SR = SANDBOX_VENDORS.smartrecruiters;
const RC = SANDBOX_VENDORS.recruitee;

/** The e-mail a candidate was created with, whatever the vendor's body shape. */
const emailOf = (c: { body?: unknown }) => /[\w.+-]+@example\.net/.exec(JSON.stringify(c.body ?? ''))?.[0]?.toLowerCase() ?? '';

/** Per e-mail, how many candidates an ATS holds. */
function countByEmail(candidates: Array<{ body?: unknown }>): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of candidates) m.set(emailOf(c), (m.get(emailOf(c)) ?? 0) + 1);
  return m;
}

const until = async (what: string, ok: () => boolean, ms = 60_000) => {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 10))) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
};

describe('flow: hrflow-profiles at scale (thousands of profiles, faults, restarts, counted at each ATS)', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let dir: string;
  let n = 0;
  let source: string;

  before(async () => {
    sb = await createSandbox({ port: 0, quiet: true, generatedProfiles: 0, rateLimits: { smartrecruiters: { perSecond: SR_RATE, concurrent: 8 } } });
  });
  after(async () => {
    await sb?.close();
  });
  beforeEach(() => {
    sb.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-profiles-scale-'));
    helper.settings({ ...testSettings, userDir: dir });
    source = `src-scale-${++n}-${Date.now()}`;
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings(testSettings);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** hrflow-profiles → SmartRecruiters (paced by the ATS) and, when `recruitee`, → Recruitee too; a catch node on the tab. */
  async function load(props: Record<string, unknown>, recruitee: boolean, srRate = SR_RATE) {
    const push = { timeout: 10_000, retries: 2, retry_delay: 10, upload_cv: false, on_duplicate: 'skip' };
    const nodes: FlowNode[] = onTab([
      { id: 'api', type: 'hrflow-api', name: 'sandbox', base_url: sb.urls.hrflow },
      { id: 'src', type: 'hrflow-profiles', api: 'api', source_keys: source, workflow_id: 'wf-scale', interval: 0, wires: [recruitee ? ['sr', 'rc'] : ['sr'], ['sum']], ...props },
      { ...SR.account(sb), id: 'sr-acc', rate_limit: srRate },
      { id: 'sr', type: SR.pushType, account: 'sr-acc', job_id: 'job-42', ...push, wires: [['ok']] },
      { ...RC.account(sb), id: 'rc-acc' },
      { id: 'rc', type: RC.pushType, account: 'rc-acc', offer_ids: '101', ...push, wires: [['ok']] },
      { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'ok', type: 'helper' },
      { id: 'sum', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ]);
    await helper.load(allNodes, nodes, { api: { api_secret: sb.credentials.hrflowApiKey, api_user: sb.credentials.hrflowUser }, 'sr-acc': SR.accountCredentials(sb), 'rc-acc': RC.accountCredentials(sb) });
  }

  it('backpressure against the ATS: a listing request is made only once all but less than a page of what was listed before reached SmartRecruiters (limited to 100/s)', async () => {
    const total = 300;
    const pageSize = 20;
    // An ATS allowing 100 creates a second (the push node follows its X-RateLimit-* answers): about 2 s for 300.
    const shared = sb;
    sb = await createSandbox({ port: 0, quiet: true, generatedProfiles: 0, rateLimits: { smartrecruiters: { perSecond: 100, concurrent: 8 } } });
    try {
      sb.addProfiles(total, { sourceKey: source, createdAt: '2024-09-01T08:00:00Z', stepSeconds: 30, prefix: 'bp' });
      await load({ read_mode: 'sync', page_size: pageSize, sort_by: 'created_at' }, false, 100);
      const summary = firstOf(['sum'], 60_000);
      helper.getNode('src').receive({ payload: 'go' });
      const s = (await summary).msg.payload;
      assert.equal(s.emitted, total);
      const candidates = sb.state.smartrecruiters.candidates;
      assert.equal(countByEmail(candidates).size, total);
      assert.equal(candidates.length, total);
      assertListingsPaced(sb, 'smartrecruiters', pageSize, total / pageSize);
      // Paced by the pushes: the listing did not run ahead (the first window passes a burst of 100).
      const listings = (sb.state.hrflow as any).listings as Array<{ receivedAt: string }>;
      const span = (Date.parse(listings[listings.length - 1].receivedAt) - Date.parse(listings[0].receivedAt)) / 1000;
      assert.ok(span >= 1, `the last page was read ${span} s after the first`);
    } finally {
      await helper.unload();
      await sb.close();
      sb = shared;
    }
  });

  it('thousands of profiles created and updated over several runs, faults at both ATS, restarts (one mid-run): each ATS holds every profile exactly once', async () => {
    const props = { read_mode: 'incremental', page_size: 100, sort_by: 'updated_at' };
    const keys: string[] = [];
    const add = (count: number, createdAt: string, prefix: string) => keys.push(...sb.addProfiles(count, { sourceKey: source, createdAt, stepSeconds: 60, prefix }));
    const summaries: any[] = [];
    let caught = 0;
    const listen = () => {
      helper.getNode('sum').on('input', (m: any) => summaries.push(m.payload));
      helper.getNode('caught').on('input', () => caught++);
    };
    const run = async () => {
      const before = summaries.length;
      helper.getNode('src').receive({ payload: 'go' });
      await until(`run ${before + 1}`, () => summaries.length > before, 120_000);
      return summaries[summaries.length - 1];
    };

    // Run 1: 1,200 profiles over two days; both ATS refuse some creates (definite failures: dead letters).
    add(1200, '2024-10-01T00:00:00Z', 'r1');
    sb.setFault('smartrecruiters', { mode: 'status', status: 400, rate: 0.03, method: 'POST', match: 'candidates' });
    sb.setFault('recruitee', { mode: 'status', status: 422, rate: 0.03, method: 'POST', match: 'candidates' });
    await load(props, true);
    listen();
    const r1 = await run();
    assert.equal(r1.emitted, 1200);
    // A profile refused by both ATS is one retry entry and two caught errors.
    assert.ok(r1.retry > 0 && caught >= r1.retry, `retry ${r1.retry}, caught ${caught}`);

    // Restart (a few seconds, as a real one takes: Recruitee's lookup of a resumed create reads the candidates
    // created from 5 s before it was sent, and run 1 made hundreds a second). Meanwhile: 500 new profiles (some
    // on the cursor's day), 200 of the old ones edited.
    await helper.unload();
    add(500, '2024-10-01T20:00:00Z', 'r2');
    for (const k of keys.slice(100, 300)) assert.ok(sb.touchProfile(source, k, '2024-10-02T10:00:00Z'));
    const lastCreate = Math.max(...sb.state.recruitee.candidates.map((c) => Date.parse(c.receivedAt)));
    await new Promise((r) => setTimeout(r, Math.max(0, lastCreate + 6000 - Date.now())));
    // Run 2 is stopped in the middle (Node-RED stops while pushes are in flight: the outbox resumes them at the
    // restart, looking each lost create up first). SmartRecruiters answers slowly (150 ms a create: about 50/s),
    // Recruitee fails some creates with a 503 (retried). Slow enough for Recruitee's lookup of a resumed create,
    // which reads at most 300 candidates created since it was sent, and gives up (OUTCOME_UNKNOWN, a dead letter
    // for a person) when more arrived meanwhile, as a burst at hundreds per second would do.
    sb.setFault('smartrecruiters', { mode: 'slow', delayMs: 150, method: 'POST', match: 'candidates' });
    sb.setFault('recruitee', { mode: 'status', status: 503, rate: 0.05, method: 'POST', match: 'candidates' });
    await load({ ...props, page_size: 50 }, true);
    listen();
    const atStop = sb.state.smartrecruiters.candidates.length;
    helper.getNode('src').receive({ payload: 'go' });
    await until('run 2 half way', () => sb.state.smartrecruiters.candidates.length >= atStop + 100);
    await helper.unload();

    // Restart, no faults: run 3 reads again from the cursor of run 1, sends run 1's failures again.
    sb.setFault('smartrecruiters', null);
    sb.setFault('recruitee', null);
    add(300, '2024-10-03T09:00:00Z', 'r3');
    await load(props, true);
    listen();
    const r3 = await run();
    assert.equal(r3.retry, 0);
    // From run 1's cursor (run 2 never ended): its failures, the 200 edited, the 500 and 300 new; nothing of run 1 again.
    assert.ok(r3.emitted >= 1000 && r3.emitted <= 1000 + r1.retry, `run 3 sent ${r3.emitted}`);
    await helper.unload();

    // Run 4 after another restart: nothing new, nothing sent.
    await load(props, true);
    listen();
    const r4 = await run();
    assert.equal(r4.emitted, 0);
    assert.equal(r4.retry, 0);

    await sb.settled();
    for (const [vendor, candidates] of [['smartrecruiters', sb.state.smartrecruiters.candidates], ['recruitee', sb.state.recruitee.candidates]] as const) {
      const counts = countByEmail(candidates);
      const twice = [...counts].filter(([, c]) => c > 1);
      assert.deepEqual(twice, [], `${vendor}: candidates created twice`);
      const missing = keys.map((k) => String(sb.getProfile(source, k)?.info?.email).toLowerCase()).filter((e) => !counts.has(e));
      assert.deepEqual(missing, [], `${vendor}: profiles missing`);
      assert.equal(candidates.length, keys.length);
    }
  });
});
