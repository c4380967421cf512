/**
 * hrflow-store (issue 14) in a real Node-RED runtime against real redis-servers on 127.0.0.1
 * (test/helpers/redis.ts): the Test connection admin route (POST /hrflow-connectors/store-test), a store
 * misconfigured, hrflow-profiles' incremental cursor shared by two Node-RED runs (two user directories: two
 * instances) through one Redis prefix, hrflow-webhook's redelivery marks shared by two webhook nodes, and
 * Redis stopped under a webhook (503, red ring, the redelivery emitted once Redis is back).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RedisLedgerStore } from '../../src/push/redis-store';
import { repoRoot } from '../helpers/fixtures';
import { useHttpNode } from '../helpers/http-node';
import { freePort } from '../helpers/net';
import { allNodes, firstOf, helper, onTab, silence, testSettings, type FlowNode } from '../helpers/red';
import { startRedis, useRedisServer, type RedisServer } from '../helpers/redis';
import { SOURCE_KEY, useSandbox } from '../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const storeModule = require(path.join(repoRoot, 'dist', 'nodes', 'hrflow-store.js'));
/** Every node module, hrflow-store included (once, whether or not allNodes lists it). */
const NODES = allNodes.includes(storeModule) ? allNodes : [...allNodes, storeModule];

const PASSWORD = 'redis-pass-Zq81-never-shown';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An hrflow-store config node (not on a tab: a config node). */
const storeNode = (id: string, props: Record<string, unknown>): FlowNode => ({ id, type: 'hrflow-store', name: '', mode: 'redis', prefix: 'hrflow:', ...props });

/** Polls until `fn` is truthy (fails after `ms`). */
async function until<T>(what: string, fn: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Records the statuses a node shows from now on. */
function statuses(id: string): Array<{ fill?: string; shape?: string; text?: string }> {
  const node = helper.getNode(id);
  const seen: Array<{ fill?: string; shape?: string; text?: string }> = [];
  const status = node.status.bind(node);
  node.status = (s: any) => {
    seen.push({ ...s });
    return status(s);
  };
  return seen;
}

describe('hrflow-store: Test connection (POST /hrflow-connectors/store-test) and a misconfigured store', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let secured: RedisServer | undefined;
  let other: RedisServer | undefined;

  before(async function () {
    if (!redis()) return;
    // Two servers that take the same password: the deployed password sent to the wrong one would be accepted.
    secured = await startRedis({ password: PASSWORD });
    other = await startRedis({ password: PASSWORD });
  });
  after(async () => {
    await secured?.close();
    await other?.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  const test = (body: unknown) => helper.request().post('/hrflow-connectors/store-test').send(body as object);

  async function loadStore() {
    await helper.load(NODES, [storeNode('st', { url: secured!.url })], { st: { password: PASSWORD } });
  }

  it('connected: the server, its version and the prefix, and a warning when appendonly is off', async () => {
    await loadStore();
    const res = await test({ values: { url: redis().url, prefix: 'team-a:' } }).expect(200);
    assert.equal(res.body.ok, true, JSON.stringify(res.body));
    assert.match(res.body.detail, new RegExp(`127\\.0\\.0\\.1:${redis().port}`));
    assert.match(res.body.detail, /Redis \d+\.\d+/);
    assert.match(res.body.detail, /team-a:/);
    assert.ok(res.body.warnings.some((w: string) => /appendonly/.test(w)), JSON.stringify(res.body.warnings));
    // With the password typed in the dialog, the server that requires it.
    const typed = await test({ values: { url: secured!.url, password: PASSWORD } }).expect(200);
    assert.equal(typed.body.ok, true, JSON.stringify(typed.body));
    assert.ok(!JSON.stringify(typed.body).includes(PASSWORD), 'the password is not in the answer');
  });

  it('a wrong password: ok false, STORE_UNAVAILABLE, and neither password in the answer', async () => {
    await loadStore();
    const typed = 'wrong-typed-Pw-7731';
    const t0 = Date.now();
    const res = await test({ id: 'st', values: { url: secured!.url, password: typed } }).expect(200);
    assert.ok(Date.now() - t0 < 2500, `a refused password is said at once, not after the wait (${Date.now() - t0} ms)`);
    assert.match(res.body.message, /WRONGPASS|password/i);
    assert.equal(res.body.ok, false);
    assert.equal(res.body.code, 'STORE_UNAVAILABLE', JSON.stringify(res.body));
    assert.ok(res.body.message);
    const text = JSON.stringify(res.body);
    assert.ok(!text.includes(typed) && !text.includes(PASSWORD), `a password in the answer: ${text}`);
    // No password at all for a server that requires one.
    const none = await test({ values: { url: secured!.url } }).expect(200);
    assert.equal(none.body.ok, false);
    assert.equal(none.body.code, 'STORE_UNAVAILABLE');
  });

  it('a port where nothing listens: ok false, STORE_UNAVAILABLE', async () => {
    await loadStore();
    const res = await test({ values: { url: `redis://127.0.0.1:${await freePort()}` } }).expect(200);
    assert.equal(res.body.ok, false);
    assert.equal(res.body.code, 'STORE_UNAVAILABLE', JSON.stringify(res.body));
  });

  it('"__PWRD__" (or no password) uses the deployed password, for the deployed URL only', async () => {
    await loadStore();
    for (const values of [{ url: secured!.url, password: '__PWRD__' }, { url: secured!.url }]) {
      const res = await test({ id: 'st', values }).expect(200);
      assert.equal(res.body.ok, true, `${JSON.stringify(values)}: ${JSON.stringify(res.body)}`);
      assert.ok(!JSON.stringify(res.body).includes(PASSWORD));
    }
    // Another URL (a server that would accept the deployed password): it is not sent there.
    const elsewhere = await test({ id: 'st', values: { url: other!.url, password: '__PWRD__' } }).expect(200);
    assert.equal(elsewhere.body.ok, false, JSON.stringify(elsewhere.body));
    assert.equal(elsewhere.body.code, 'STORE_UNAVAILABLE');
    // No id: no deployed password.
    const noId = await test({ values: { url: secured!.url, password: '__PWRD__' } }).expect(200);
    assert.equal(noId.body.ok, false);
  });

  it('400 for a body without values', async () => {
    await loadStore();
    for (const body of [{}, { id: 'st' }, { values: 'redis://127.0.0.1:6379' }]) {
      const res = await test(body).expect(400);
      assert.equal(res.body.ok, false);
    }
    await helper.request().post('/hrflow-connectors/store-test').set('content-type', 'application/json').send('{"values": ').expect(400);
  });

  it('a store with a bad URL or a bad mode logs what is wrong; a node naming it (or a store not deployed) fails its messages with INVALID_CONFIG', async () => {
    const nodes: FlowNode[] = [
      ...onTab([
        { id: 'src-url', type: 'hrflow-profiles', api: 'api', source_keys: 'src', read_mode: 'sync', interval: 0, store: 'bad-url', wires: [[], []] },
        { id: 'src-mode', type: 'hrflow-profiles', api: 'api', source_keys: 'src', read_mode: 'sync', interval: 0, store: 'bad-mode', wires: [[], []] },
        { id: 'src-none', type: 'hrflow-profiles', api: 'api', source_keys: 'src', read_mode: 'sync', interval: 0, store: 'not-deployed', wires: [[], []] },
        { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
        { id: 'api', type: 'hrflow-api', name: 'nowhere', base_url: 'http://127.0.0.1:9' },
      ]),
      storeNode('bad-url', { url: 'http://127.0.0.1:6379' }),
      storeNode('bad-mode', { mode: 'mongodb', url: redis().url }),
    ];
    await helper.load(NODES, nodes, { api: { api_secret: 'x', api_user: 'x@example.com' } });
    const errors = () => helper.log().args.map((a: any[]) => a[0]).filter((e: any) => e?.level === 20);
    await until('the store errors in the log', () => errors().filter((e: any) => e.type === 'hrflow-store').length >= 2);
    const storeErrors = errors().filter((e: any) => e.type === 'hrflow-store');
    assert.ok(storeErrors.some((e: any) => e.id === 'bad-url' && /URL must be redis:\/\//.test(String(e.msg))), JSON.stringify(storeErrors));
    assert.ok(storeErrors.some((e: any) => e.id === 'bad-mode' && /mode "mongodb"/.test(String(e.msg))), JSON.stringify(storeErrors));
    assert.ok(errors().some((e: any) => e.id === 'src-none' && /not-deployed|not deployed/.test(String(e.msg))), 'the node naming a missing store says so at deploy');
    for (const id of ['src-url', 'src-mode', 'src-none']) {
      const caught = firstOf(['caught'], 5000);
      helper.getNode(id).receive({ payload: 'go' });
      const { msg } = await caught;
      assert.equal(msg.error.code, 'INVALID_CONFIG', `${id}: ${msg.error.message}`);
      assert.equal(msg.error.source.id, id);
    }
  });
});

describe('hrflow-profiles with a Redis store: two instances continue from the same cursor', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  const ctx = useSandbox();
  const dirs: string[] = [];
  let source = '';
  let prefix = '';
  let n = 0;

  beforeEach(() => {
    source = `src-store-${++n}-${Date.now()}`;
    prefix = `profiles-${n}-${Date.now()}:`;
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings(testSettings);
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  /** One Node-RED "instance": its own user directory (its own embedded ledger), the flow with node `id`. */
  async function instance(id: string, store: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-store-profiles-'));
    dirs.push(dir);
    helper.settings({ ...testSettings, userDir: dir });
    const sb = ctx.sb;
    const nodes: FlowNode[] = [
      ...onTab([
        { id: 'api', type: 'hrflow-api', name: 'sandbox', base_url: sb.urls.hrflow },
        { id, type: 'hrflow-profiles', api: 'api', source_keys: source, read_mode: 'incremental', workflow_id: 'wf-shared', interval: 0, page_size: 3, sort_by: 'created_at', store, wires: [['out'], ['sum']] },
        { id: 'out', type: 'helper' },
        { id: 'sum', type: 'helper' },
        { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ]),
      storeNode('st', { url: redis().url, prefix }),
    ];
    await helper.load(NODES, nodes, { api: { api_secret: sb.credentials.hrflowApiKey, api_user: sb.credentials.hrflowUser } });
  }

  /** One run of node `id`: its summary and the profile keys it emitted. */
  async function run(id: string): Promise<{ summary: any; keys: string[] }> {
    const keys: string[] = [];
    const out = helper.getNode('out');
    const onOut = (m: any) => keys.push(m.hrflow.profile_key);
    out.on('input', onOut);
    try {
      const done = firstOf(['sum', 'caught'], 20_000);
      helper.getNode(id).receive({ payload: 'go' });
      const first = await done;
      assert.equal(first.id, 'sum', `the run failed: ${JSON.stringify(first.msg.error)}`);
      return { summary: first.msg.payload, keys: keys.sort() };
    } finally {
      setImmediate(() => out.removeListener('input', onOut));
    }
  }

  it('a run on a second instance (another node, another user directory) sends only what the first did not', async () => {
    const sb = ctx.sb;
    const day1 = sb.addProfiles(4, { sourceKey: source, createdAt: '2024-05-01T10:00:00Z', stepSeconds: 60, prefix: 'a' });
    await instance('src-a', 'st');
    const first = await run('src-a');
    assert.deepEqual(first.keys, [...day1].sort());
    await helper.unload();

    const day2 = sb.addProfiles(2, { sourceKey: source, createdAt: '2024-05-02T08:00:00Z', prefix: 'b' });
    await instance('src-b', 'st');
    const second = await run('src-b');
    assert.deepEqual(second.keys, [...day2].sort(), 'the second instance continued from the first one\'s cursor');
    assert.equal(second.summary.cursor, '2024-05-02T08:01:00+0000');
    await helper.unload();

    // The cursor is in Redis, under the store's prefix.
    const direct = new RedisLedgerStore({ url: redis().url, prefix });
    try {
      const cursor = await direct.getCursor<{ at: string }>('hrflow-profiles:wf-shared');
      assert.equal(cursor?.at, second.summary.cursor);
    } finally {
      await direct.close();
    }

    // Control: an instance without the store has no cursor (its own user directory): it sends everything.
    await instance('src-c', '');
    const alone = await run('src-c');
    assert.deepEqual(alone.keys, [...day1, ...day2].sort());
  });
});

describe('hrflow-webhook with a Redis store: a delivery is emitted once; Redis down answers 503', function () {
  this.timeout(40_000);
  const redis = useRedisServer();
  const http = useHttpNode();
  const SECRET = 'whsec-store-test';
  let prefix = '';
  let n = 0;

  beforeEach(() => {
    prefix = `webhook-${++n}-${Date.now()}:`;
  });
  afterEach(async () => {
    await helper.unload();
  });

  const event = (type: string, key: string) => ({
    type,
    origin: 'api',
    message: `${type} of ${key}`,
    profile: { key, source: { key: SOURCE_KEY }, updated_at: '2026-11-30T10:00:00+0000', info: { email: `${key}@example.com` } },
  });

  async function post(pathname: string, body: string) {
    const res = await fetch(`${http.url}${pathname}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'HTTP-HRFLOW-SIGNATURE': createHmac('sha256', SECRET).update(body).digest('hex') },
      body,
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  /** Two webhook nodes on two tabs (two flows), one Redis store. */
  async function load() {
    const nodes: FlowNode[] = [
      { id: 'tab-a', type: 'tab', label: 'a' },
      { id: 'tab-b', type: 'tab', label: 'b' },
      { id: 'wh-a', type: 'hrflow-webhook', z: 'tab-a', path: '/hook-a', events: [], store: 'st', x: 100, y: 100, wires: [['out']] },
      { id: 'wh-b', type: 'hrflow-webhook', z: 'tab-b', path: '/hook-b', events: [], store: 'st', x: 100, y: 100, wires: [['out']] },
      { id: 'out', type: 'helper', z: 'tab-a', x: 300, y: 100, wires: [] },
      storeNode('st', { url: redis().url, prefix }),
    ];
    await helper.load(NODES, nodes, { 'wh-a': { webhook_secret: SECRET }, 'wh-b': { webhook_secret: SECRET } });
    // Connected before the first delivery (the status leaves nothing to chance).
    const shared = (helper.getNode('st') as any).shared;
    await until('the store connected', () => shared?.state === 'up');
  }

  it('the same signed delivery POSTed to two flows on one store (and again after a redeploy): emitted once', async () => {
    await load();
    const body = JSON.stringify([event('profile.storing.success', 'k-once-1'), event('profile.parsing.success', 'k-once-2')]);
    const outs: any[] = [];
    helper.getNode('out').on('input', (m: any) => outs.push(m));
    const a = await post('/hook-a', body);
    assert.equal(a.status, 200);
    assert.deepEqual({ emitted: a.body.emitted, duplicates: a.body.duplicates }, { emitted: 2, duplicates: 0 });
    const b = await post('/hook-b', body);
    assert.equal(b.status, 200);
    assert.deepEqual({ emitted: b.body.emitted, duplicates: b.body.duplicates }, { emitted: 0, duplicates: 2 });
    await until('the two messages', () => outs.length >= 2);
    await silence('out', 300);
    assert.deepEqual(outs.map((m) => m.profile_key).sort(), ['k-once-1', 'k-once-2']);

    // Another Node-RED start (the in-memory marks gone): Redis still knows the delivery.
    await helper.unload();
    await load();
    const again = await post('/hook-b', body);
    assert.deepEqual({ status: again.status, emitted: again.body.emitted, duplicates: again.body.duplicates }, { status: 200, emitted: 0, duplicates: 2 });
    // A new event in the same kind of delivery is emitted.
    const fresh = await post('/hook-a', JSON.stringify(event('profile.storing.success', 'k-once-3')));
    assert.equal(fresh.body.emitted, 1);
  });

  it('Redis stopped: 503 STORE_UNAVAILABLE and a red ring; the redelivery once Redis is back is emitted', async () => {
    await load();
    const seen = statuses('wh-a');
    const body = JSON.stringify(event('profile.storing.success', 'k-down-1'));
    await redis().stop();
    await until('the red ring', () => seen.some((s) => s.fill === 'red' && s.shape === 'ring' && /store-down/.test(String(s.text))));
    const down = await post('/hook-a', body);
    assert.equal(down.status, 503);
    assert.equal(down.body.code, 'STORE_UNAVAILABLE', JSON.stringify(down.body));
    await silence('out', 200);

    await redis().start();
    const shared = (helper.getNode('st') as any).shared;
    await until('the store back up', () => shared.state === 'up', 20_000);
    assert.notEqual(seen[seen.length - 1].fill, 'red', `the red ring is gone: ${JSON.stringify(seen[seen.length - 1])}`);
    const got = firstOf(['out'], 5000);
    const redelivered = await post('/hook-a', body);
    assert.equal(redelivered.status, 200);
    assert.equal(redelivered.body.emitted, 1, JSON.stringify(redelivered.body));
    assert.equal((await got).msg.profile_key, 'k-down-1');
  });
});
