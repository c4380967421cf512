/**
 * Every example flow in examples/ and the `npm start` demo flow load in the Node-RED runtime and
 * run against the sandbox: their config nodes are pointed at the sandbox, their blank fields
 * filled, debug nodes replaced by test sinks; each inject is fired and each push node must output.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Sandbox } from '../../src/sandbox';
import { repoRoot } from '../helpers/fixtures';
import { allNodes, coreNode, helper, type FlowNode } from '../helpers/red';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';
import { useHttpNode } from '../helpers/http-node';
import { SANDBOX_WEBHOOK_SECRET } from '../../src/sandbox/webhooks';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { demoFlow, demoOptions } = require(path.join(repoRoot, 'scripts', 'demo-flow.js'));

const core = ['common/20-inject.js', 'common/90-comment.js', 'sequence/17-split.js', 'function/15-change.js'].map(coreNode);

/** Point an example at the sandbox: URLs, non-secret ids, blank required fields, and credentials keyed by node id. */
function adapt(sb: Sandbox, flow: FlowNode[]): { nodes: FlowNode[]; credentials: Record<string, Record<string, string>> } {
  const c = sb.credentials;
  const credentials: Record<string, Record<string, string>> = {};
  const blank = (v: unknown) => v === undefined || v === null || v === '';
  const nodes = flow.map((original) => {
    const n: FlowNode = { ...original };
    delete n.credentials;
    switch (n.type) {
      case 'hrflow-api':
        n.base_url = sb.urls.hrflow;
        credentials[n.id] = { api_secret: c.hrflowApiKey, api_user: c.hrflowUser };
        break;
      case 'hrflow-profile':
        if (blank(n.source_key)) n.source_key = SOURCE_KEY;
        if (blank(n.profile_key)) n.profile_key = KEYS.full;
        break;
      case 'hrflow-profiles':
        // A source holding the sample profile only: one push per push node, as the other examples.
        if (blank(n.source_keys)) {
          sb.addProfile('example-source', sb.getProfile(SOURCE_KEY, KEYS.full), { keepUrls: true });
          n.source_keys = 'example-source';
        }
        n.interval = 0;
        break;
      case 'hrflow-smartrecruiters-config':
        n.base_url = sb.urls.smartrecruiters;
        credentials[n.id] = { x_smart_token: c.smartToken };
        break;
      case 'hrflow-smartrecruiters':
        if (blank(n.job_id)) n.job_id = 'example-job';
        break;
      case 'hrflow-recruitee-config':
        n.recruitee_endpoint = sb.urls.recruitee;
        n.company_id = c.recruiteeCompany;
        credentials[n.id] = { api_token: c.recruiteeToken };
        break;
      case 'hrflow-broadbean-config':
        Object.assign(n, { base_url: sb.urls.broadbean, source_id: c.broadbeanSourceId, client_id: c.broadbeanClientId });
        credentials[n.id] = { secret_key: c.broadbeanSecret };
        break;
      case 'hrflow-broadbean':
        if (blank(n.job_id)) n.job_id = 'EXAMPLE-JOB';
        break;
      case 'hrflow-flatchr-config':
        Object.assign(n, { careers_url: sb.urls.flatchr, base_url: sb.urls.flatchrApi, company: c.flatchrCompany });
        credentials[n.id] = { auth: c.flatchrApiKey };
        break;
      case 'hrflow-flatchr':
        if (blank(n.vacancy)) n.vacancy = 'example-vacancy';
        break;
      case 'hrflow-taleez-config':
        n.base_url = sb.urls.taleez;
        credentials[n.id] = { x_taleez_api_secret: c.taleezSecret };
        break;
      case 'hrflow-taleez':
        if (blank(n.recruiter_id)) n.recruiter_id = '1';
        break;
      case 'hrflow-webhook':
        credentials[n.id] = { webhook_secret: SANDBOX_WEBHOOK_SECRET };
        break;
      case 'debug':
        return { id: n.id, type: 'helper', z: n.z, x: n.x, y: n.y, wires: [] } as FlowNode;
    }
    return n;
  });
  return { nodes, credentials };
}

/**
 * Load, fire every inject (`clicks` times, each after the previous click's pushes are in), and wait until
 * each push node has sent one message per click; no error may reach a catch.
 */
async function runFlow(sb: Sandbox, name: string, flow: FlowNode[], expectedPushes: number, clicks = 1, httpNodeUrl = '') {
  const { nodes, credentials } = adapt(sb, flow);
  await helper.load([...allNodes, ...core], nodes, credentials);
  const errorSinks = new Set(nodes.filter((n) => n.type === 'catch').flatMap((n) => (n.wires as string[][]).flat()));
  const outputs: Array<{ from: string; msg: any }> = [];
  const errors: any[] = [];
  for (const n of nodes.filter((x) => x.type === 'helper')) {
    helper.getNode(n.id).on('input', (msg: any) => (errorSinks.has(n.id) ? errors.push(msg) : outputs.push({ from: n.id, msg })));
  }
  for (let click = 1; click <= clicks; click++) {
    for (const n of nodes.filter((x) => x.type === 'inject')) helper.getNode(n.id).receive({});
    // A webhook trigger: the sandbox sends it a signed event of the full sample profile.
    for (const n of nodes.filter((x) => x.type === 'hrflow-webhook')) {
      const events = Array.isArray(n.events) && n.events.length ? [n.events[0]] : ['profile.parsing.success'];
      const order = { url: `${httpNodeUrl}${n.path}`, secret: SANDBOX_WEBHOOK_SECRET, events, profile_keys: [KEYS.full] };
      const res = await fetch(`${sb.url}/__admin/webhooks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(order) });
      const answer = (await res.json()) as { deliveries?: Array<{ status: number }> };
      assert.deepEqual(answer.deliveries?.map((d) => d.status), [200], `${name}: webhook ${JSON.stringify(answer)}`);
    }
    for (let i = 0; i < 200; i++) {
      const vendorsSeen = new Set(outputs.filter((o) => o.msg.vendor).map((o) => `${o.msg.vendor}:${o.msg._msgid}`));
      if (vendorsSeen.size >= expectedPushes * click || errors.length) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.deepEqual(errors.map((e) => `${e.error?.source?.type}: ${e.error?.code} ${e.error?.message}`), [], `${name}: errors reached the catch node on click ${click}`);
  }
  const pushes = outputs.filter((o) => o.msg.vendor);
  assert.equal(pushes.length, expectedPushes * clicks, `${name}: expected ${expectedPushes * clicks} pushes, got ${pushes.length}`);
  return pushes;
}

describe('example flows run against the sandbox', function () {
  this.timeout(15_000);
  const ctx = useSandbox();
  const http = useHttpNode();
  afterEach(async () => {
    await helper.unload();
  });

  const dir = path.join(repoRoot, 'examples');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('ships at least one example per non-config node type', () => {
    const types = new Set(files.flatMap((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as FlowNode[]).map((n) => n.type)));
    for (const t of ['hrflow-profile', 'hrflow-logic', 'hrflow-smartrecruiters', 'hrflow-recruitee', 'hrflow-broadbean', 'hrflow-flatchr', 'hrflow-taleez']) {
      assert.ok(types.has(t), `no example uses ${t}`);
    }
  });

  for (const file of files) {
    it(`"${file}" loads and pushes the sample profile`, async () => {
      const flow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as FlowNode[];
      const pushNodes = flow.filter((n) => /^hrflow-(smartrecruiters|recruitee|broadbean|flatchr|taleez)$/.test(n.type)).length;
      const pushes = await runFlow(ctx.sb, file, flow, pushNodes, 1, http.url);
      for (const p of pushes) assert.ok(p.msg.statusCode >= 200 && p.msg.statusCode < 300, JSON.stringify(p.msg.steps));
    });
  }

  it('the npm start demo flow pushes the sample profiles to all five emulated ATS', async () => {
    const opts = demoOptions(ctx.sb);
    const { flow } = demoFlow(ctx.sb.urls, opts);
    const good = opts.sampleKeys.length - 1; // the last one (edge profile, no email) is filtered
    const pushes = await runFlow(ctx.sb, 'demo', flow, good * 5);
    const vendors = new Set(pushes.map((p) => p.msg.vendor));
    assert.deepEqual([...vendors].sort(), ['broadbean', 'flatchr', 'recruitee', 'smartrecruiters', 'taleez']);
    const state = ctx.sb.state as any;
    for (const v of ['smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez']) {
      assert.equal(state[v].candidates.length, good, `${v} received ${state[v].candidates.length} candidates`);
    }
  });

  it('the npm start demo flow pushes once: a second click creates no candidate anywhere, every message says already pushed', async () => {
    const opts = demoOptions(ctx.sb);
    const { flow } = demoFlow(ctx.sb.urls, opts);
    const good = opts.sampleKeys.length - 1;
    // The last status each node set (runtime events).
    const statuses = new Map<string, { fill?: string; text?: string }>();
    const onStatus = (e: { id: string; status: { fill?: string; text?: string } }) => statuses.set(e.id, { ...e.status });
    helper._events.on('node-status', onStatus);
    let pushes: Awaited<ReturnType<typeof runFlow>>;
    try {
      pushes = await runFlow(ctx.sb, 'demo clicked twice', flow, good * 5, 2);
    } finally {
      helper._events.off('node-status', onStatus);
    }
    const state = ctx.sb.state as any;
    for (const v of ['smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez']) {
      // A 429 is waited out and retried by the node; any other refusal is a failed push (Taleez: "duplicate mail").
      const refused = state[v].rejections.filter((r: any) => r.status !== 429);
      assert.deepEqual(refused.map((r: any) => `${r.status} ${r.reason}`), [], `${v} refused a request`);
      assert.equal(state[v].candidates.length, good, `${v} received ${state[v].candidates.length} candidates`);
    }
    // The messages in the order they arrived: the first click's were pushed, the second click's found in the ledger.
    const first = pushes.slice(0, good * 5);
    const second = pushes.slice(good * 5);
    for (const p of first) {
      assert.notEqual(p.msg.already_pushed, true, `${p.msg.topic}: first click`);
      assert.ok(p.msg.statusCode >= 200 && p.msg.statusCode < 300, JSON.stringify(p.msg.steps));
    }
    for (const p of second) {
      assert.equal(p.msg.already_pushed, true, `${p.msg.topic}: second click`);
      assert.equal(p.msg.writeback?.action, 'unchanged', `${p.msg.topic}: write-back`);
    }
    // Each second-click message carries the candidate id the first click created, at the same vendor.
    const created = new Set(first.map((p) => `${p.msg.vendor}/${p.msg.candidate_id}`));
    for (const p of second) assert.ok(created.has(`${p.msg.vendor}/${p.msg.candidate_id}`), `${p.msg.vendor}/${p.msg.candidate_id}`);
    // The e-mails are the sample profiles' own (no per-click tag).
    const mails = state.taleez.candidates.map((c: any) => c.body.mail);
    for (const m of mails) assert.doesNotMatch(m, /\+/, m);
    // Grey "already pushed" status on every push node.
    for (const id of ['demo-push-sr', 'demo-push-rc', 'demo-push-bb', 'demo-push-fl', 'demo-push-tz']) {
      const status = statuses.get(id);
      assert.equal(status?.fill, 'grey', `${id}: ${JSON.stringify(status)}`);
      assert.match(String(status?.text), /^already pushed /, id);
    }
  });
});
