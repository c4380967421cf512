/**
 * hrflow-webhook (issue 13) in a real Node-RED runtime: real HTTP on 127.0.0.1 to its route on httpNode,
 * signed as HrFlow signs (hex HMAC-SHA256 of the raw body), and signed webhooks sent by the sandbox
 * (POST /__admin/webhooks) with the sandbox's sample profiles.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { NodeAPI } from 'node-red';
import { allNodes, firstOf, helper, onTab, silence, type FlowNode } from '../helpers/red';
import { useHttpNode } from '../helpers/http-node';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';

const SECRET = 'whsec-test-1';
const PATH = '/hrflow/webhook';

/** A downstream node that finishes only when the test says so. */
const gate = { started: 0, finished: 0, release: () => {}, released: Promise.resolve() };
function resetGate() {
  gate.started = 0;
  gate.finished = 0;
  gate.released = new Promise<void>((r) => (gate.release = r));
}
function gateModule(RED: NodeAPI) {
  RED.nodes.registerType('test-gate', function (this: any, n: any) {
    RED.nodes.createNode(this, n);
    this.on('input', async (_msg: unknown, _send: unknown, done: () => void) => {
      gate.started++;
      await gate.released;
      gate.finished++;
      done();
    });
  } as any);
}

const event = (type: string, key: string, extra: Record<string, unknown> = {}) => ({
  type,
  origin: 'api',
  message: `${type} of ${key}`,
  profile: { key, source: { key: SOURCE_KEY }, updated_at: '2026-11-30T10:00:00+0000', info: { email: `${key}@example.com` } },
  ...extra,
});

const hex = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

describe('hrflow-webhook', function () {
  this.timeout(15_000);
  const http = useHttpNode();
  const ctx = useSandbox();

  async function load(props: Record<string, unknown> = {}, secret: string | undefined = SECRET, extra: FlowNode[] = []) {
    const nodes = onTab([{ id: 'wh', type: 'hrflow-webhook', path: PATH, events: [], wires: [['out']], ...props }, { id: 'out', type: 'helper' }, ...extra]);
    await helper.load([...allNodes, gateModule], nodes, secret === undefined ? {} : { wh: { webhook_secret: secret } });
  }

  /** POST a body to the node, with the given headers. */
  async function post(body: string, headers: Record<string, string>, path = PATH) {
    const res = await fetch(`${http.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  }

  /** Collect every message on `out` until `count` arrived. */
  function collect(count: number, ms = 4000): Promise<any[]> {
    const out: any[] = [];
    const node = helper.getNode('out');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${out.length} of ${count} messages`)), ms);
      const fn = (msg: any) => {
        out.push(msg);
        if (out.length === count) {
          clearTimeout(timer);
          setImmediate(() => node.removeListener('input', fn));
          resolve(out);
        }
      };
      node.on('input', fn);
    });
  }

  afterEach(async () => {
    gate.release();
    await helper.unload();
  });

  it('a good signature: 200 at once, one msg with topic, source_key, profile_key and hrflow_event', async () => {
    await load();
    const e = event('profile.parsing.success', KEYS.full);
    const body = JSON.stringify(e);
    const got = collect(1);
    const res = await post(body, { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, body) });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { ok: true, events: 1, emitted: 1, filtered: 0, duplicates: 0 });
    const [msg] = await got;
    assert.equal(msg.topic, 'profile.parsing.success');
    assert.equal(msg.source_key, SOURCE_KEY);
    assert.equal(msg.profile_key, KEYS.full);
    assert.deepEqual(msg.hrflow_event, e);
  });

  it('the older header HTTP-RIMINDER-SIGNATURE and the legacy signed-request form are accepted', async () => {
    await load();
    const got = collect(2);
    const b1 = JSON.stringify(event('profile.storing.success', 'k-riminder'));
    assert.equal((await post(b1, { 'HTTP-RIMINDER-SIGNATURE': hex(SECRET, b1) })).status, 200);
    const b2 = JSON.stringify(event('profile.storing.success', 'k-legacy'));
    const b64url = (s: string) => Buffer.from(s).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    assert.equal((await post(b2, { 'HTTP-HRFLOW-SIGNATURE': `${b64url(hex(SECRET, b2))}.${b64url(b2)}` })).status, 200);
    assert.deepEqual((await got).map((m) => m.profile_key), ['k-riminder', 'k-legacy']);
  });

  it('a bad, missing or foreign signature gets 401 and nothing is emitted; the status says so', async () => {
    await load();
    const statuses: any[] = [];
    const onStatus = (e: { id: string; status: any }) => e.id === 'wh' && statuses.push(e.status);
    helper._events.on('node-status', onStatus);
    try {
      const body = JSON.stringify(event('profile.parsing.success', 'k-bad'));
      const quiet = silence('out', 400);
      for (const headers of <Array<Record<string, string>>>[
        {},
        { 'HTTP-HRFLOW-SIGNATURE': hex('another-secret', body) },
        { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, `${body} `) },
        { 'HTTP-HRFLOW-SIGNATURE': 'garbage' },
        { 'X-Hub-Signature-256': `sha256=${hex(SECRET, body)}` },
      ]) {
        const res = await post(body, headers);
        assert.equal(res.status, 401, JSON.stringify(headers));
        assert.match(res.body.error, /signature/);
      }
      await quiet;
    } finally {
      helper._events.off('node-status', onStatus);
    }
    assert.equal(statuses.at(-1)?.fill, 'red');
    assert.match(String(statuses.at(-1)?.text), /5/);
  });

  it('without a webhook secret every request gets 401', async () => {
    await load({}, undefined);
    const body = JSON.stringify(event('profile.parsing.success', 'k'));
    const quiet = silence('out', 300);
    assert.equal((await post(body, { 'HTTP-HRFLOW-SIGNATURE': hex('', body) })).status, 401);
    await quiet;
  });

  it('a signed body that is not events gets 400', async () => {
    await load();
    for (const body of ['not json', '[1,2]', '"x"']) assert.equal((await post(body, { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, body) })).status, 400, body);
  });

  it('an array of events: one msg per event, in order', async () => {
    await load();
    const events = [event('profile.parsing.success', 'a1'), event('profile.storing.success', 'a2'), event('profile.storing.update', 'a3')];
    const body = JSON.stringify(events);
    const got = collect(3);
    const res = await post(body, { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, body) });
    assert.deepEqual(res.body, { ok: true, events: 3, emitted: 3, filtered: 0, duplicates: 0 });
    const msgs = await got;
    assert.deepEqual(msgs.map((m) => [m.topic, m.profile_key]), events.map((e) => [e.type, e.profile.key]));
    assert.equal(new Set(msgs.map((m) => m._msgid)).size, 3);
  });

  it('a redelivered event is emitted once (same content; same id), a later update of the profile again', async () => {
    await load();
    const e = event('profile.storing.update', 'r1');
    const body = JSON.stringify(e);
    const got = collect(1);
    assert.equal((await post(body, { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, body) })).body.emitted, 1);
    // The same event again, alone and inside an array with another one.
    const again = await post(body, { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, body) });
    assert.deepEqual(again.body, { ok: true, events: 1, emitted: 0, filtered: 0, duplicates: 1 });
    await got;
    const later = event('profile.storing.update', 'r1', {});
    (later.profile as any).updated_at = '2026-11-30T12:00:00+0000';
    const both = JSON.stringify([e, later]);
    const next = collect(1);
    const res = await post(both, { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, both) });
    assert.deepEqual(res.body, { ok: true, events: 2, emitted: 1, filtered: 0, duplicates: 1 });
    assert.equal((await next)[0].hrflow_event.profile.updated_at, '2026-11-30T12:00:00+0000');
    // An event id makes two bodies the same event.
    const withId = (n: string) => JSON.stringify(event('profile.parsing.success', 'r2', { id: 'evt-7', message: n }));
    const one = collect(1);
    for (const b of [withId('first'), withId('second')]) await post(b, { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, b) });
    assert.equal((await one)[0].hrflow_event.message, 'first');
    await silence('out', 200);
  });

  it('the events filter lets only the listed types through (filtered ones are not remembered)', async () => {
    await load({ events: ['profile.storing.update'] });
    const events = [event('profile.parsing.success', 'f1'), event('profile.storing.update', 'f2'), event('profile.parsing.error', 'f3')];
    const body = JSON.stringify(events);
    const got = collect(1);
    const res = await post(body, { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, body) });
    assert.deepEqual(res.body, { ok: true, events: 3, emitted: 1, filtered: 2, duplicates: 0 });
    assert.equal((await got)[0].profile_key, 'f2');
    await silence('out', 200);
  });

  it('answers before a slow downstream node has finished', async () => {
    resetGate();
    await load({ wires: [['gate']] }, SECRET, [{ id: 'gate', type: 'test-gate' }]);
    const body = JSON.stringify([event('profile.parsing.success', 's1'), event('profile.parsing.success', 's2')]);
    const res = await post(body, { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, body) });
    assert.equal(res.status, 200);
    assert.equal(gate.finished, 0, 'the answer came while the downstream node was still working');
    for (let i = 0; i < 200 && gate.started < 2; i++) await new Promise((r) => setImmediate(r));
    assert.equal(gate.started, 2);
    gate.release();
    for (let i = 0; i < 200 && gate.finished < 2; i++) await new Promise((r) => setImmediate(r));
    assert.equal(gate.finished, 2);
  });

  it('a stopped node removes its route (404), a redeployed one answers again', async () => {
    await load();
    const body = JSON.stringify(event('profile.parsing.success', 'c1'));
    await helper.unload();
    assert.equal((await post(body, { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, body) })).status, 404);
    await load({ path: 'other/path' });
    assert.equal((await post(body, { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, body) })).status, 404, 'the old path is gone');
    const got = collect(1);
    assert.equal((await post(body, { 'HTTP-HRFLOW-SIGNATURE': hex(SECRET, body) }, '/other/path')).status, 200);
    await got;
  });

  it("the sandbox's POST /__admin/webhooks sends signed events shaped like HrFlow's; a redelivery is emitted once", async () => {
    await load();
    const got = collect(3);
    const res = await fetch(`${ctx.sb.url}/__admin/webhooks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: `${http.url}${PATH}`, secret: SECRET, events: ['profile.storing.success'], repeat: 2 }),
    });
    const answer = (await res.json()) as any;
    assert.equal(res.status, 200, JSON.stringify(answer));
    assert.deepEqual(
      answer.deliveries.map((d: any) => [d.status, d.body.emitted, d.body.duplicates]),
      [
        [200, 3, 0],
        [200, 0, 3],
      ],
    );
    const msgs = await got;
    assert.deepEqual(msgs.map((m) => m.profile_key).sort(), [KEYS.full, KEYS.minimal, KEYS.edge].sort());
    for (const m of msgs) {
      assert.equal(m.topic, 'profile.storing.success');
      assert.equal(m.source_key, SOURCE_KEY);
      assert.equal(m.hrflow_event.origin, 'api');
      assert.equal(m.hrflow_event.profile.key, m.profile_key);
    }
    // The older header, one delivery per event, one profile; a wrong secret gets 401 from the node.
    const older = await fetch(`${ctx.sb.url}/__admin/webhooks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: `${http.url}${PATH}`, secret: 'wrong', profile_keys: ['sample-full'], header: 'riminder', batch: false }),
    });
    assert.deepEqual(((await older.json()) as any).deliveries.map((d: any) => d.status), [401]);
    // A bad order is refused by the sandbox.
    const bad = await fetch(`${ctx.sb.url}/__admin/webhooks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ url: 'ftp://x', secret: 's' }) });
    assert.equal(bad.status, 400);
    await silence('out', 200);
  });

  it("the sandbox's page links to a webhook form that sends (form POST)", async () => {
    await load();
    assert.match(await (await fetch(`${ctx.sb.url}/`)).text(), /action="\/webhooks"/);
    const page = await (await fetch(`${ctx.sb.url}/webhooks`)).text();
    assert.match(page, /<form method="post" action="\/__admin\/webhooks">/);
    const got = collect(1);
    const form = new URLSearchParams({ url: `${http.url}${PATH}`, secret: SECRET, events: 'profile.parsing.success', profile: 'sample-minimal', batch: 'batch', header: 'hrflow', repeat: '1' });
    const res = await fetch(`${ctx.sb.url}/__admin/webhooks`, { method: 'POST', body: form });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /&quot;emitted&quot;: 1/);
    assert.equal((await got)[0].profile_key, KEYS.minimal);
    // A form from another site is refused.
    const foreign = await fetch(`${ctx.sb.url}/__admin/webhooks`, { method: 'POST', headers: { Origin: 'http://evil.example' }, body: form });
    assert.equal(foreign.status, 403);
  });
});
