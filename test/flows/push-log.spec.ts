/**
 * The push log's admin endpoints (nodes/lib/push-log.ts, issue 12 "The push log in the editor") in a real
 * Node-RED runtime (node-red-node-test-helper: helper.request() hits its admin app) against the sandbox:
 * pushes made by a flow to two vendors (a duplicate skipped, a failure), filters, limit bounds, the CSV
 * (RFC 4180 quoting, formula guard), dead letters (list, read, retry to the push node, 409 when the node is
 * gone, discard), the ledger turned off; then the permissions and the plugin itself in a real Node-RED CLI
 * with adminAuth.
 *
 * Dead letters are seeded in the runtime's ledger store (ledgerFor(RED).store.settle) with a message as the
 * push node keeps it; the end-to-end test has the push node keep the dead letter of a real failed push.
 */
import assert from 'node:assert/strict';
import type { NodeAPI } from 'node-red';
import { HrflowClient } from '../../src';
import type { DeadLetter, LedgerEntry } from '../../src/push/ledger';
import { ledgerFor } from '../../nodes/lib/ledger';
import { CSV_COLUMNS } from '../../nodes/lib/push-log';
import { allNodes, firstOf, helper, testSettings, type FlowNode } from '../helpers/red';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';
import { startCli, type Cli } from '../helpers/cli';

/** A third sandbox profile with an e-mail (KEYS.edge has none: SmartRecruiters refuses it). */
const THIRD = '9ec44c5e35bbe3f7e07c0e211728e3c6e48d5e0d';
import { buildFlow, runAll, sandboxVendor } from './push-common';

const SR = sandboxVendor('smartrecruiters', { pushProps: () => ({ job_id: 'job-42', upload_cv: false }) });

/** The RED object the nodes of the last load were given (the ledger is one per RED). */
let RED: NodeAPI | undefined;
function capture(red: NodeAPI): void {
  RED = red;
}
const store = () => {
  const ledger = ledgerFor(RED!);
  assert.ok(ledger, 'the ledger is on');
  return ledger.store;
};

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF or LF): what a spreadsheet reads. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') {
      assert.equal(cell, '', `a quote inside an unquoted cell at ${i}`);
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' || c === '\n') {
      if (c === '\r') assert.equal(text[i + 1], '\n', 'CR only as part of CRLF outside quotes');
      else {
        row.push(cell);
        rows.push(row);
        row = [];
        cell = '';
      }
    } else cell += c;
  }
  assert.equal(quoted, false, 'an unterminated quoted cell');
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const get = (url: string) => helper.request().get(url);

describe('flow: the push log endpoints (HrFlow sidebar tab)', function () {
  this.timeout(20_000);
  const ctx = useSandbox();
  afterEach(async () => {
    await helper.unload();
    helper.settings(testSettings);
    RED = undefined;
  });

  /** read → logic → SmartRecruiters (job-42) and Recruitee (offers 101, 202). */
  async function loadTwoVendors(): Promise<void> {
    const sb = ctx.sb;
    const { nodes, credentials } = buildFlow(sb, SR);
    nodes.find((n) => n.id === 'logic')!.wires = [['push', 'pushRc'], ['filtered']];
    nodes.push(
      { id: 'accRc', type: 'hrflow-recruitee-config', name: 'sandbox', company_id: sb.credentials.recruiteeCompany, recruitee_endpoint: sb.urls.recruitee } as FlowNode,
      { id: 'pushRc', type: 'hrflow-recruitee', z: 'tab1', account: 'accRc', offer_ids: '101, 202', timeout: 1000, retries: 0, retry_delay: 10, wires: [['out']] } as FlowNode,
    );
    await helper.load([...allNodes, capture], nodes, { ...credentials, accRc: { api_token: sb.credentials.recruiteeToken } });
  }

  /** Send a profile and wait for `n` outcomes (one a push node). */
  const push = (profileKey: string, n = 2, ms = 8000) => runAll([{ profile_key: profileKey }], ms, n);

  /** Pushes of three profiles to both vendors: full and minimal pushed, full again skipped, edge refused once at Recruitee. */
  async function makePushes(): Promise<void> {
    await loadTwoVendors();
    for (const key of [KEYS.full, KEYS.minimal]) {
      const outs = await push(key);
      assert.deepEqual(outs.map((o) => o.id), ['out', 'out'], JSON.stringify(outs.map((o) => o.msg.error)));
    }
    const again = await push(KEYS.full);
    assert.deepEqual(again.map((o) => o.msg.already_pushed), [true, true]);
    ctx.sb.setFault('recruitee', { mode: 'status', status: 400, count: 1, body: { message: 'refused once' } });
    const edge = await push(THIRD);
    assert.deepEqual(edge.map((o) => o.id).sort(), ['caught', 'out']);
    assert.equal(edge.find((o) => o.id === 'caught')!.msg.error.code, 'VENDOR_REJECTED');
  }

  it('lists the pushes of a flow, newest first, with profile, target, candidate id, outcome and code; filters and limit', async () => {
    await makePushes();
    const all = await get('/hrflow-connectors/pushes').expect(200);
    assert.equal(all.body.ok, true);
    const items: LedgerEntry[] = all.body.items;
    // The skipped copy records nothing new: 3 profiles x 2 vendors.
    assert.equal(items.length, 6, JSON.stringify(items.map((e) => [e.vendor, e.profile, e.outcome])));
    assert.deepEqual(items.map((e) => e.at), [...items.map((e) => e.at)].sort().reverse(), 'newest first');
    assert.deepEqual(new Set(items.slice(0, 2).map((e) => e.profile)), new Set([`hrflow:${SOURCE_KEY}/${THIRD}`]));
    const failed = items.filter((e) => e.outcome === 'failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].vendor, 'recruitee');
    assert.equal(failed[0].code, 'VENDOR_REJECTED');
    assert.equal(failed[0].target, 'offer_ids=101,202');
    for (const e of items.filter((x) => x.outcome === 'pushed')) {
      assert.ok(e.candidateId, `a candidate id for ${e.vendor} ${e.profile}`);
      assert.ok(!JSON.stringify(e).includes(ctx.sb.credentials.smartToken), 'no secret');
      assert.ok(!JSON.stringify(e).includes(ctx.sb.credentials.recruiteeToken), 'no secret');
    }
    assert.deepEqual(all.body.vendors.map((v: any) => v.id).sort(), ['broadbean', 'flatchr', 'recruitee', 'smartrecruiters', 'taleez']);

    const rc = (await get('/hrflow-connectors/pushes?vendor=recruitee').expect(200)).body.items as LedgerEntry[];
    assert.deepEqual(rc.map((e) => e.vendor), ['recruitee', 'recruitee', 'recruitee']);
    const sr = (await get('/hrflow-connectors/pushes?vendor=smartrecruiters&outcome=pushed').expect(200)).body.items as LedgerEntry[];
    assert.equal(sr.length, 3);
    assert.ok(sr.every((e) => e.vendor === 'smartrecruiters' && e.outcome === 'pushed' && e.target === 'job_id=job-42'));
    const onlyFailed = (await get('/hrflow-connectors/pushes?outcome=failed').expect(200)).body.items as LedgerEntry[];
    assert.deepEqual(onlyFailed.map((e) => [e.vendor, e.code]), [['recruitee', 'VENDOR_REJECTED']]);
    assert.deepEqual((await get('/hrflow-connectors/pushes?vendor=smartrecruiters&outcome=failed').expect(200)).body.items, []);
    assert.deepEqual((await get('/hrflow-connectors/pushes?vendor=taleez').expect(200)).body.items, []);
    // Blank filters are no filters.
    assert.equal((await get('/hrflow-connectors/pushes?vendor=&outcome=&limit=').expect(200)).body.items.length, 6);

    const two = (await get('/hrflow-connectors/pushes?limit=2').expect(200)).body.items as LedgerEntry[];
    assert.deepEqual(two, items.slice(0, 2));
    assert.equal((await get('/hrflow-connectors/pushes?limit=1').expect(200)).body.items.length, 1);
    assert.equal((await get('/hrflow-connectors/pushes?limit=1000').expect(200)).body.items.length, 6);
  });

  it('refuses a bad vendor, outcome or limit with 400 INVALID_INPUT', async () => {
    await loadTwoVendors();
    for (const q of ['limit=0', 'limit=1001', 'limit=-1', 'limit=abc', 'limit=1.5', 'limit=99999999999', 'vendor=nope', 'vendor=__proto__', 'outcome=done', 'outcome=skipped', 'vendor=recruitee&vendor=taleez', 'limit[a]=1']) {
      for (const p of ['/hrflow-connectors/pushes', '/hrflow-connectors/pushes.csv']) {
        const res = await get(`${p}?${q}`);
        assert.equal(res.status, 400, `${p}?${q}`);
        assert.equal(res.body.ok, false);
        assert.equal(res.body.code, 'INVALID_INPUT', `${p}?${q}`);
        assert.ok(res.body.message);
      }
    }
    for (const q of ['limit=0', 'vendor=nope', 'limit=1001']) assert.equal((await get(`/hrflow-connectors/dead-letters?${q}`)).status, 400, q);
    // The outcome filter is the pushes' only.
    assert.equal((await get('/hrflow-connectors/dead-letters?outcome=whatever')).status, 200);
  });

  it('limit bounds: at most 1000 items, 100 by default', async () => {
    await loadTwoVendors();
    const s = store();
    const at = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < 1005; i++) {
      await s.put({ key: `k${i}`, vendor: 'taleez', account: 'a', target: 'job_id=1', profile: `email:p${i}@example.com`, outcome: 'pushed', candidateId: String(i), steps: [], at: new Date(at + i * 1000).toISOString() });
    }
    assert.equal((await get('/hrflow-connectors/pushes').expect(200)).body.items.length, 100);
    const max = (await get('/hrflow-connectors/pushes?limit=1000').expect(200)).body.items as LedgerEntry[];
    assert.equal(max.length, 1000);
    assert.equal(max[0].candidateId, '1004');
    const csv = parseCsv((await get('/hrflow-connectors/pushes.csv?limit=1000').expect(200)).text);
    assert.equal(csv.length, 1001);
  });

  it('exports CSV: header, RFC 4180 quoting of quotes, commas and newlines, and the formula guard', async () => {
    await makePushes();
    const s = store();
    const tricky: LedgerEntry = {
      key: 'tricky',
      vendor: 'taleez',
      account: 'acc',
      target: 'job_id=1|pool_ids=2,3',
      profile: 'email:"quoted", name\nnext line@example.com',
      outcome: 'partial',
      candidateId: '=HYPERLINK("http://evil")',
      steps: [{ step: 'create', status: 'done' }, { step: 'pools', status: 'failed' }],
      code: '+PARTIAL_PUSH',
      at: new Date(Date.now() + 60_000).toISOString(),
    };
    await s.put(tricky);
    await s.put({ ...tricky, key: 'tricky2', profile: '-2+3', candidateId: '@SUM(A1)', code: '\tTAB', target: 'a\r\nb', at: new Date(Date.parse(tricky.at) + 60_000).toISOString() });
    const res = await get('/hrflow-connectors/pushes.csv').expect(200);
    assert.match(res.headers['content-type'], /^text\/csv/);
    assert.match(res.headers['content-disposition'], /^attachment; filename="hrflow-pushes-\d{4}-\d{2}-\d{2}\.csv"$/);
    assert.ok(res.text.endsWith('\r\n'));
    const rows = parseCsv(res.text);
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    assert.deepEqual(rows[0], ['time', 'vendor', 'target', 'profile', 'candidate_id', 'outcome', 'code', 'steps']);
    assert.equal(rows.length, 1 + 8);
    for (const r of rows) assert.equal(r.length, 8, JSON.stringify(r));
    const tricky2At = new Date(Date.parse(tricky.at) + 60_000).toISOString();
    assert.deepEqual(rows[1], [tricky2At, 'taleez', 'a\r\nb', "'-2+3", "'@SUM(A1)", 'partial', "'\tTAB", 'create:done pools:failed']);
    assert.deepEqual(rows[2], [tricky.at, 'taleez', 'job_id=1|pool_ids=2,3', 'email:"quoted", name\nnext line@example.com', '\'=HYPERLINK("http://evil")', 'partial', "'+PARTIAL_PUSH", 'create:done pools:failed']);
    // No cell a spreadsheet would run as a formula.
    for (const r of rows) for (const c of r) assert.doesNotMatch(c, /^[=+\-@\t\r]/, c);
    // The flow's pushes, as the JSON lists them.
    const json = (await get('/hrflow-connectors/pushes').expect(200)).body.items as LedgerEntry[];
    assert.deepEqual(rows.slice(1).map((r) => [r[0], r[1], r[5]]), json.map((e) => [e.at, e.vendor, e.outcome]));
    const failed = rows.find((r) => r[5] === 'failed')!;
    assert.deepEqual([failed[1], failed[2], failed[6]], ['recruitee', 'offer_ids=101,202', 'VENDOR_REJECTED']);
    // Filters apply.
    const rcRows = parseCsv((await get('/hrflow-connectors/pushes.csv?vendor=recruitee&outcome=pushed').expect(200)).text);
    assert.deepEqual(rcRows.slice(1).map((r) => [r[1], r[5]]), [['recruitee', 'pushed'], ['recruitee', 'pushed']]);
  });

  describe('dead letters', () => {
    async function seed(node: string, id: string, msg: Record<string, unknown>, extra: Partial<DeadLetter> = {}): Promise<DeadLetter> {
      const dead: DeadLetter = { id, node, vendor: 'smartrecruiters', code: 'VENDOR_REJECTED', message: 'VENDOR_REJECTED: refused once', msg, at: new Date().toISOString(), ...extra };
      await store().settle(`outbox-${id}`, { dead });
      return dead;
    }
    async function profileMsg(key: string): Promise<Record<string, unknown>> {
      const sb = ctx.sb;
      const profile = await new HrflowClient({ api_secret: sb.credentials.hrflowApiKey, api_user: sb.credentials.hrflowUser, base_url: sb.urls.hrflow }, { retries: 0 }).getProfile(SOURCE_KEY, key);
      return JSON.parse(JSON.stringify({ _msgid: 'm1', topic: 'retry-me', payload: profile, hrflow: { source_key: SOURCE_KEY, profile_key: key } }));
    }

    it('lists them without their message (its property names only), newest first, by vendor; reads one whole', async () => {
      await loadTwoVendors();
      const msg = await profileMsg(KEYS.full);
      await seed('push', 'd1', msg);
      await seed('pushRc', 'd2', msg, { vendor: 'recruitee', code: 'TIMEOUT', message: 'TIMEOUT: no answer', candidateId: undefined, profile: `hrflow:${SOURCE_KEY}/${KEYS.full}`, target: 'offer_ids=101,202' });
      const list = await get('/hrflow-connectors/dead-letters').expect(200);
      assert.equal(list.body.ok, true);
      assert.deepEqual(list.body.items.map((d: any) => d.id), ['d2', 'd1']);
      for (const d of list.body.items) {
        assert.equal(d.msg, undefined, 'no message in the list');
        assert.deepEqual(d.msgKeys, ['_msgid', 'hrflow', 'payload', 'topic']);
      }
      assert.equal(list.body.items[0].profile, `hrflow:${SOURCE_KEY}/${KEYS.full}`);
      assert.deepEqual((await get('/hrflow-connectors/dead-letters?vendor=recruitee').expect(200)).body.items.map((d: any) => d.id), ['d2']);
      assert.deepEqual((await get('/hrflow-connectors/dead-letters?limit=1').expect(200)).body.items.map((d: any) => d.id), ['d2']);
      const one = await get('/hrflow-connectors/dead-letters/d1').expect(200);
      assert.deepEqual(one.body.item.msg, msg);
      assert.equal((await get('/hrflow-connectors/dead-letters/nope')).status, 404);
    });

    it('retry: the push node receives the message again and pushes it; the dead letter is gone', async () => {
      await loadTwoVendors();
      await seed('push', 'd1', await profileMsg(THIRD));
      const outcome = firstOf(['out', 'caught'], 8000);
      const res = await helper.request().post('/hrflow-connectors/dead-letters/d1/retry').expect(200);
      assert.equal(res.body.ok, true);
      assert.match(res.body.detail, /smartrecruiters/);
      const { id, msg } = await outcome;
      assert.equal(id, 'out', JSON.stringify(msg.error ?? ''));
      assert.equal(msg.retried, true);
      assert.equal(msg.topic, 'retry-me');
      assert.ok(msg.candidate_id);
      assert.equal((ctx.sb.state as any).smartrecruiters.candidates.length, 1);
      assert.deepEqual((await get('/hrflow-connectors/dead-letters').expect(200)).body.items, []);
      assert.equal((await get('/hrflow-connectors/dead-letters/d1')).status, 404);
      // The retried push is in the log.
      const pushes = (await get('/hrflow-connectors/pushes?vendor=smartrecruiters').expect(200)).body.items as LedgerEntry[];
      assert.deepEqual(pushes.map((e) => [e.profile, e.outcome, e.candidateId]), [[`hrflow:${SOURCE_KEY}/${THIRD}`, 'pushed', String(msg.candidate_id)]]);
      // Twice: 404.
      const again = await helper.request().post('/hrflow-connectors/dead-letters/d1/retry');
      assert.equal(again.status, 404);
      assert.equal(again.body.code, 'NOT_FOUND');
    });

    it('retry of a dead letter whose push node is gone: 409 NOT_DEPLOYED, and the dead letter is kept', async () => {
      await loadTwoVendors();
      await seed('removed-node', 'd1', { payload: {} });
      const res = await helper.request().post('/hrflow-connectors/dead-letters/d1/retry');
      assert.equal(res.status, 409);
      assert.equal(res.body.ok, false);
      assert.equal(res.body.code, 'NOT_DEPLOYED');
      assert.deepEqual((await get('/hrflow-connectors/dead-letters').expect(200)).body.items.map((d: any) => d.id), ['d1']);
    });

    it('discard: gone for good (404 after, for read, retry and discard)', async () => {
      await loadTwoVendors();
      await seed('push', 'd1', { payload: {} });
      await seed('push', 'd2', { payload: {} });
      const res = await helper.request().delete('/hrflow-connectors/dead-letters/d1').expect(200);
      assert.equal(res.body.ok, true);
      assert.deepEqual((await get('/hrflow-connectors/dead-letters').expect(200)).body.items.map((d: any) => d.id), ['d2']);
      for (const r of [helper.request().delete('/hrflow-connectors/dead-letters/d1'), helper.request().post('/hrflow-connectors/dead-letters/d1/retry'), get('/hrflow-connectors/dead-letters/d1')]) {
        const x = await r;
        assert.equal(x.status, 404);
        assert.equal(x.body.code, 'NOT_FOUND');
      }
      assert.equal((ctx.sb.state as any).smartrecruiters.requests, 0, 'nothing was pushed');
    });

    it('end to end: a failed push is a dead letter; retried after the fault is cleared, it is pushed', async () => {
      await loadTwoVendors();
      ctx.sb.setFault('smartrecruiters', { mode: 'status', status: 400, count: 1, body: { message: 'refused once' } });
      const outs = await push(KEYS.minimal);
      assert.deepEqual(outs.map((o) => o.id).sort(), ['caught', 'out']);
      const list = (await get('/hrflow-connectors/dead-letters?vendor=smartrecruiters').expect(200)).body.items;
      assert.equal(list.length, 1, 'the failed push is kept as a dead letter');
      assert.equal(list[0].code, 'VENDOR_REJECTED');
      assert.equal(list[0].node, 'push');
      ctx.sb.setFault('smartrecruiters', null);
      const outcome = firstOf(['out', 'caught'], 8000);
      await helper.request().post(`/hrflow-connectors/dead-letters/${encodeURIComponent(list[0].id)}/retry`).expect(200);
      const { id, msg } = await outcome;
      assert.equal(id, 'out', JSON.stringify(msg.error ?? ''));
      assert.equal((ctx.sb.state as any).smartrecruiters.candidates.length, 1);
      assert.deepEqual((await get('/hrflow-connectors/dead-letters').expect(200)).body.items, []);
    });
  });

  it('hrflowLedger: false: the lists are empty and say so, the CSV has its header only, retry and discard answer 503', async () => {
    helper.settings({ ...testSettings, hrflowLedger: false });
    await loadTwoVendors();
    const outs = await push(KEYS.full);
    assert.deepEqual(outs.map((o) => o.id), ['out', 'out']);
    assert.deepEqual((await get('/hrflow-connectors/pushes').expect(200)).body, { ok: true, items: [], ledger: false, vendors: (await get('/hrflow-connectors/pushes')).body.vendors });
    assert.deepEqual((await get('/hrflow-connectors/dead-letters').expect(200)).body, { ok: true, items: [], ledger: false });
    assert.deepEqual(parseCsv((await get('/hrflow-connectors/pushes.csv').expect(200)).text), [[...CSV_COLUMNS]]);
    for (const r of [helper.request().post('/hrflow-connectors/dead-letters/x/retry'), helper.request().delete('/hrflow-connectors/dead-letters/x')]) {
      const x = await r;
      assert.equal(x.status, 503);
      assert.equal(x.body.code, 'LEDGER_OFF');
    }
  });
});

describe('the push log in a real Node-RED CLI: the plugin and its catalogues, and the permissions (adminAuth)', function () {
  this.timeout(60_000);
  let cli: Cli;
  let editor = '';

  before(async () => {
    cli = await startCli({ name: 'hrflow-push-log-auth', flows: [{ id: 'acc', type: 'hrflow-taleez-config', name: 'x', base_url: 'http://127.0.0.1:9/taleez/0' }] });
    editor = cli.editor;
  });

  after(() => cli?.stop());

  const token = (username: string, scope: string) => cli.token(username, scope);
  const call = (method: string, url: string, bearer?: string, accept = 'application/json') =>
    fetch(`${editor}${url}`, { method, headers: { accept, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } });

  it('loads the plugin: its editor part (the HrFlow sidebar tab) and its en-US and fr catalogues', async () => {
    assert.doesNotMatch(cli.output(), /hrflow-push-log[^\n]*(error|Error)/);
    const admin = await token('editor', '*');
    const list = (await (await call('GET', '/plugins', admin)).json()) as Array<{ id: string; module: string; enabled: boolean }>;
    const plugin = list.find((p) => p.id === '@hrflow-connectors/node-red/hrflow-push-log');
    assert.ok(plugin, JSON.stringify(list));
    assert.equal(plugin.enabled, true);
    const html = await (await call('GET', '/plugins', admin, 'text/html')).text();
    assert.match(html, /\[red-plugin:@hrflow-connectors\/node-red\/hrflow-push-log\]/);
    assert.match(html, /RED\.plugins\.registerPlugin\("hrflow-push-log"/);
    assert.match(html, /RED\.sidebar\.addTab\(/);
    for (const [lng, title] of [['en-US', 'HrFlow push log'], ['fr', 'Journal des envois HrFlow']]) {
      const messages = (await (await call('GET', `/plugins/messages?lng=${lng}`, admin)).json()) as Record<string, any>;
      const cat = messages['@hrflow-connectors/node-red/hrflow-push-log'];
      assert.ok(cat, `${lng}: ${Object.keys(messages)}`);
      assert.equal(cat['hrflow-push-log'].label, 'HrFlow');
      assert.equal(cat['hrflow-push-log'].title, title);
    }
  });

  it('refuses anonymous calls (401), lets read users list and export but not retry or discard, lets write users act', async () => {
    const viewer = await token('viewer', 'read');
    const admin = await token('editor', '*');
    const reads = ['/hrflow-connectors/pushes', '/hrflow-connectors/pushes.csv', '/hrflow-connectors/dead-letters', '/hrflow-connectors/dead-letters/x'];
    const writes: Array<[string, string]> = [['POST', '/hrflow-connectors/dead-letters/x/retry'], ['DELETE', '/hrflow-connectors/dead-letters/x']];
    for (const r of reads) assert.equal((await call('GET', r)).status, 401, r);
    for (const [m, r] of writes) assert.equal((await call(m, r)).status, 401, `${m} ${r}`);
    for (const [m, r] of writes) assert.equal((await call(m, r, viewer)).status, 401, `viewer ${m} ${r}`);
    const pushes = await call('GET', '/hrflow-connectors/pushes', viewer);
    assert.equal(pushes.status, 200);
    assert.deepEqual(((await pushes.json()) as any).items, []);
    const csv = await call('GET', '/hrflow-connectors/pushes.csv', viewer, 'text/csv');
    assert.equal(csv.status, 200);
    assert.equal(await csv.text(), 'time,vendor,target,profile,candidate_id,outcome,code,steps\r\n');
    assert.equal((await call('GET', '/hrflow-connectors/dead-letters', viewer)).status, 200);
    assert.equal((await call('GET', '/hrflow-connectors/dead-letters/x', viewer)).status, 404);
    for (const [m, r] of writes) {
      const res = await call(m, r, admin);
      assert.equal(res.status, 404, `editor ${m} ${r}`);
      assert.equal(((await res.json()) as any).code, 'NOT_FOUND');
    }
  });
});
