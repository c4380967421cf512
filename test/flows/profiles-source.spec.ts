/**
 * hrflow-profiles (issue 13) in a real Node-RED runtime against the sandbox's HrFlow listing: sync,
 * incremental across restarts (durable cursor in the user directory) with HrFlow's day overlap, a failed
 * push sent again by the next run, the summary output, the status, backpressure, the interval timer.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allNodes, firstOf, helper, onTab, silence, testSettings, type FlowNode } from '../helpers/red';
import { useSandbox } from '../helpers/sandbox';
import { SANDBOX_VENDORS } from './push-common';

const SR = SANDBOX_VENDORS.smartrecruiters;

describe('flow: hrflow-profiles (list a source, sync and incremental)', function () {
  this.timeout(30_000);
  const ctx = useSandbox();
  let dir: string;
  let n = 0;
  let source: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-profiles-flow-'));
    helper.settings({ ...testSettings, userDir: dir });
    source = `src-test-${++n}-${Date.now()}`;
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings(testSettings);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function flow(props: Record<string, unknown>, extra: FlowNode[] = [], wire = 'push') {
    const sb = ctx.sb;
    const nodes: FlowNode[] = onTab([
      { id: 'api', type: 'hrflow-api', name: 'sandbox', base_url: sb.urls.hrflow },
      { id: 'src', type: 'hrflow-profiles', api: 'api', source_keys: source, read_mode: 'incremental', workflow_id: 'wf-1', interval: 0, page_size: 3, sort_by: 'created_at', wires: [[wire], ['sum']], ...props },
      SR.account(sb),
      { id: 'push', type: SR.pushType, account: 'acc', timeout: 2000, retries: 0, retry_delay: 10, job_id: 'job-42', upload_cv: false, wires: [['out']] },
      { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'sum', type: 'helper' },
      { id: 'caught', type: 'helper' },
      ...extra,
    ]);
    const credentials = { api: { api_secret: sb.credentials.hrflowApiKey, api_user: sb.credentials.hrflowUser }, acc: SR.accountCredentials(sb) };
    return { nodes, credentials };
  }

  async function load(props: Record<string, unknown> = {}, extra: FlowNode[] = [], wire = 'push', more: unknown[] = []) {
    const { nodes, credentials } = flow(props, extra, wire);
    await helper.load([...allNodes, ...more], nodes, credentials);
  }

  /** Trigger one run; resolve with its summary and the messages that came out of the push node or the catch node. */
  async function runOnce(): Promise<{ summary: any; out: any[]; caught: any[] }> {
    const out: any[] = [];
    const caught: any[] = [];
    const o = (m: any) => out.push(m);
    const c = (m: any) => caught.push(m);
    helper.getNode('out').on('input', o);
    helper.getNode('caught').on('input', c);
    try {
      const summary = firstOf(['sum'], 20_000);
      helper.getNode('src').receive({ payload: 'go' });
      return { summary: (await summary).msg.payload, out, caught };
    } finally {
      setImmediate(() => {
        helper.getNode('out')?.removeListener('input', o);
        helper.getNode('caught')?.removeListener('input', c);
      });
    }
  }

  const candidates = () => ((ctx.sb.state as any).smartrecruiters.candidates as any[]).map((c) => String(c.email ?? c.body?.email ?? JSON.stringify(c)));

  it('sync: every profile once through the push node, a summary per run, the status shows the pages', async () => {
    ctx.sb.addProfiles(7, { sourceKey: source, createdAt: '2024-05-01T10:00:00Z', prefix: 'sync' });
    await load({ read_mode: 'sync' });
    const statuses: string[] = [];
    const src = helper.getNode('src');
    const status = src.status.bind(src);
    src.status = (s: any) => {
      statuses.push(String(s?.text ?? ''));
      return status(s);
    };
    const { summary, out, caught } = await runOnce();
    assert.equal(caught.length, 0, JSON.stringify(caught[0]?.error));
    assert.equal(out.length, 7);
    assert.deepEqual(new Set(out.map((m) => m.hrflow.source_key)), new Set([source]));
    assert.equal(new Set(out.map((m) => m.hrflow.profile_key)).size, 7);
    assert.match(out[0].hrflow.profile_key, /^[0-9a-f]{40}$/);
    assert.equal(summary.workflow_id, 'wf-1');
    assert.equal(summary.read, 7);
    assert.equal(summary.emitted, 7);
    assert.equal(summary.pages, 3);
    assert.equal(summary.cursor, '2024-05-01T10:06:00+0000');
    assert.ok(Date.parse(summary.started) <= Date.parse(summary.finished));
    assert.ok(statuses.includes('page 1/3, 3 read') && statuses.includes('page 3/3, 7 read'), statuses.join(' | '));
    assert.equal(ctx.sb.state.smartrecruiters.candidates.length, 7);
    // sync again: every profile is emitted again; the ledger sends nothing twice.
    const again = await runOnce();
    assert.equal(again.summary.emitted, 7);
    assert.ok(again.out.every((m) => m.already_pushed === true));
    assert.equal(ctx.sb.state.smartrecruiters.candidates.length, 7);
  });

  for (const sortBy of ['created_at', 'updated_at'] as const) {
    it(`incremental (${sortBy}) across restarts: the cursor's day is read again, nothing missed, nothing emitted twice`, async () => {
      const sb = ctx.sb;
      const day1 = sb.addProfiles(4, { sourceKey: source, createdAt: '2024-05-01T10:00:00Z', stepSeconds: 60, prefix: 'a' });
      await load({ sort_by: sortBy });
      const first = await runOnce();
      assert.equal(first.summary.emitted, 4);
      assert.equal(first.summary.cursor, '2024-05-01T10:03:00+0000');
      await helper.unload();

      // While Node-RED is stopped: two more on the cursor's day (one earlier than the cursor: a late one),
      // one the next day, and (updated_at) an edit of a profile already sent.
      const late = sb.addProfiles(1, { sourceKey: source, createdAt: '2024-05-01T09:00:00Z', prefix: 'late' });
      const sameDay = sb.addProfiles(1, { sourceKey: source, createdAt: '2024-05-01T18:00:00Z', prefix: 'same' });
      const nextDay = sb.addProfiles(1, { sourceKey: source, createdAt: '2024-05-02T08:00:00Z', prefix: 'next' });
      if (sortBy === 'updated_at') assert.ok(sb.touchProfile(source, day1[1], '2024-05-02T09:00:00Z'));
      await load({ sort_by: sortBy });
      const second = await runOnce();
      const keys = second.out.map((m) => m.hrflow.profile_key).sort();
      const expected = [...late, ...sameDay, ...nextDay, ...(sortBy === 'updated_at' ? [day1[1]] : [])].sort();
      assert.deepEqual(keys, expected);
      assert.equal(second.summary.emitted, expected.length);
      assert.equal(second.summary.cursor, sortBy === 'updated_at' ? '2024-05-02T09:00:00+0000' : '2024-05-02T08:00:00+0000');
      // The edited profile was already in the ATS: the ledger skips it (no second candidate).
      assert.equal(sb.state.smartrecruiters.candidates.length, 7);

      // A third run, nothing new: nothing emitted (the overlap day is read again and de-duplicated).
      await helper.unload();
      await load({ sort_by: sortBy });
      const third = await runOnce();
      assert.equal(third.summary.emitted, 0);
      assert.ok(third.summary.read >= 1, 'the cursor day is read again');
      assert.equal(sb.state.smartrecruiters.candidates.length, 7);
    });
  }

  it('a failed push is a dead letter and the next run sends that profile again (every profile in the ATS once)', async () => {
    const sb = ctx.sb;
    sb.addProfiles(5, { sourceKey: source, createdAt: '2024-06-01T10:00:00Z', prefix: 'f' });
    sb.setFault('smartrecruiters', { mode: 'status', status: 400, count: 1, method: 'POST', match: 'candidates' });
    await load();
    const first = await runOnce();
    assert.equal(first.summary.emitted, 5);
    assert.equal(first.caught.length, 1);
    assert.equal(first.summary.retry, 1);
    assert.equal(sb.state.smartrecruiters.candidates.length, 4);
    const failedKey = first.caught[0].hrflow.profile_key;
    await helper.unload();
    await load();
    const second = await runOnce();
    assert.equal(second.caught.length, 0);
    assert.deepEqual(second.out.map((m) => m.hrflow.profile_key), [failedKey]);
    assert.equal(second.summary.retry, 0);
    assert.equal(sb.state.smartrecruiters.candidates.length, 5);
    const third = await runOnce();
    assert.equal(third.summary.emitted, 0);
    assert.equal(sb.state.smartrecruiters.candidates.length, 5);
  });

  it('backpressure: the next page is read only when fewer than a page of its messages are still downstream', async () => {
    const sb = ctx.sb;
    sb.addProfiles(20, { sourceKey: source, createdAt: '2024-07-01T10:00:00Z', prefix: 'bp' });
    const held: Array<() => void> = [];
    let arrived = 0;
    const holdNode = (RED: any) => {
      RED.nodes.registerType('test-hold', function (this: any, def: any) {
        RED.nodes.createNode(this, def);
        this.on('input', (_msg: unknown, _send: unknown, done: () => void) => {
          arrived++;
          held.push(done);
        });
      });
    };
    await load({ page_size: 5, read_mode: 'sync' }, [{ id: 'hold', type: 'test-hold' }], 'hold', [holdNode]);
    const listings = () => sb.state.hrflow.requests;
    const before = listings();
    const summary = firstOf(['sum'], 20_000);
    helper.getNode('src').receive({ payload: 'go' });
    // Page 1 out, nothing done downstream: the source waits.
    while (arrived < 5) await new Promise((r) => setImmediate(r));
    await silence('sum', 300);
    assert.equal(arrived, 5);
    assert.equal(listings() - before, 1);
    // One done: fewer than a page in flight, the next page is read.
    held.shift()!();
    while (arrived < 10) await new Promise((r) => setImmediate(r));
    await silence('sum', 300);
    assert.equal(arrived, 10);
    assert.equal(listings() - before, 2);
    // Release everything as it comes: never more than 2 pages - 1 in flight.
    let maxHeld = held.length;
    const pump = setInterval(() => {
      maxHeld = Math.max(maxHeld, held.length);
      while (held.length) held.shift()!();
    }, 5);
    try {
      const s = (await summary).msg.payload;
      assert.equal(s.emitted, 20);
      assert.equal(s.pages, 4);
    } finally {
      clearInterval(pump);
    }
    assert.ok(maxHeld <= 9, `at most 9 in flight, saw ${maxHeld}`);
  });

  it('a trigger during a run starts no parallel run and is not lost: the triggers that arrive meanwhile share one more run', async () => {
    const sb = ctx.sb;
    sb.addProfiles(6, { sourceKey: source, createdAt: '2024-08-01T10:00:00Z', prefix: 'click' });
    const held: Array<() => void> = [];
    const holdNode = (RED: any) => {
      RED.nodes.registerType('test-hold', function (this: any, def: any) {
        RED.nodes.createNode(this, def);
        this.on('input', (_msg: unknown, _send: unknown, done: () => void) => held.push(done));
      });
    };
    // A complete node on the source: each input message's outcome (done) is seen there.
    const extra: FlowNode[] = [{ id: 'hold', type: 'test-hold' }, { id: 'cmp', type: 'complete', scope: ['src'], uncaught: false, wires: [['completed']] }, { id: 'completed', type: 'helper' }];
    await load({ page_size: 10, read_mode: 'sync' }, extra, 'hold', [holdNode]);
    const summaries: any[] = [];
    const completed: string[] = [];
    helper.getNode('sum').on('input', (m: any) => summaries.push(m.payload));
    helper.getNode('completed').on('input', (m: any) => completed.push(m.topic));
    const listings = () => sb.state.hrflow.requests;
    const until = async (what: string, ok: () => boolean) => {
      for (const end = Date.now() + 10_000; !ok(); await new Promise((r) => setTimeout(r, 5))) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    };
    const src = helper.getNode('src');
    src.receive({ topic: 'first' });
    await until('the first page downstream', () => held.length === 6);
    // Three more clicks while the first run waits on its messages: no second listing, nothing answered yet.
    for (const topic of ['second', 'third', 'fourth']) src.receive({ topic });
    await silence('sum', 300);
    assert.equal(listings(), 1);
    assert.deepEqual(completed, []);
    // The first run ends: its input is answered, then ONE more run reads the source again.
    held.splice(0).forEach((d) => d());
    await until('the first summary', () => summaries.length === 1);
    await until('the second run downstream', () => held.length === 6);
    assert.deepEqual(completed, ['first']);
    assert.equal(listings(), 2);
    held.splice(0).forEach((d) => d());
    await until('the second summary', () => summaries.length === 2);
    await until('every input answered', () => completed.length === 4);
    await silence('sum', 300);
    assert.deepEqual(completed.slice(1).sort(), ['fourth', 'second', 'third']);
    assert.equal(summaries.length, 2, 'three clicks make one more run, not three');
    assert.deepEqual(summaries.map((s) => s.emitted), [6, 6]);
    assert.equal(listings(), 2);
  });

  it('blank read_mode and sort_by are the panel defaults (incremental, updated_at); another value is a catchable INVALID_CONFIG', async () => {
    const sb = ctx.sb;
    const keys = sb.addProfiles(3, { sourceKey: source, createdAt: '2024-09-01T10:00:00Z', prefix: 'dflt' });
    await load({ read_mode: '', sort_by: undefined });
    assert.equal((await runOnce()).summary.emitted, 3);
    assert.ok(sb.touchProfile(source, keys[0], '2024-09-03T10:00:00Z'));
    const second = await runOnce();
    assert.deepEqual(second.out.map((m) => m.hrflow.profile_key), [keys[0]], 'incremental on updated_at: only the edited one');
    await helper.unload();
    for (const bad of [{ read_mode: 'full' }, { sort_by: 'modified_at' }]) {
      await load(bad);
      const caught = firstOf(['caught'], 5000);
      helper.getNode('src').receive({ payload: 'go' });
      const { msg } = await caught;
      assert.equal(msg.error.code, 'INVALID_CONFIG');
      assert.match(msg.error.message, new RegExp(Object.keys(bad)[0]));
      await helper.unload();
    }
  });

  it('the interval timer runs the source and is cleared on close', async () => {
    await load({ interval: 3600 });
    const src = helper.getNode('src');
    assert.equal(src.hrflowTimer(), true);
    await helper.unload();
    assert.equal(src.hrflowTimer(), false);
  });
});
