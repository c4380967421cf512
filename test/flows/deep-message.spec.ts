/**
 * Defect: a message nested thousands of levels deep, failed by a node of ours with a Catch node in the
 * flow, made Node-RED's message clone overflow the stack and the process exit. Every node of ours must
 * answer it with exactly one INVALID_INPUT whose msg is safe to clone, and user code that builds such a
 * value is that code's error (LOGIC_ERROR / FORMAT_ERROR), never a crash.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { enforceBounds, makeCopyable, MAX_DEPTH, MAX_VALUES } from '../../nodes/lib/bounds';
import { allNodes, helper, onTab, silence, type FlowNode } from '../helpers/red';
import { useSandbox } from '../helpers/sandbox';
import type { Sandbox } from '../../src/sandbox';

// Node-RED's own message copy, the one it makes for every Catch node (RED.util.cloneMessage).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cloneMessage: (msg: unknown) => unknown = require('@node-red/util').util.cloneMessage;

/** `levels` arrays nested in one another, built without recursion. */
export function nested(levels: number): unknown {
  let v: unknown = ['bottom'];
  for (let i = 1; i < levels; i++) v = [v];
  return v;
}

function deepProfile(levels = 5000) {
  return {
    key: 'deep',
    info: { first_name: 'Deep', last_name: 'Nest', email: 'deep@example.com' },
    tags: [{ name: 'x', value: nested(levels) }],
  };
}

/** Every node of ours that takes input, each alone in a flow with a Catch node (push nodes miss their job id). */
function nodesUnderTest(sb: Sandbox): Array<{ node: FlowNode; config?: FlowNode[]; credentials?: Record<string, unknown> }> {
  return [
    { node: { id: 'n', type: 'hrflow-profile', api: 'api', source_key: 'k', profile_key: 'p' }, config: [{ id: 'api', type: 'hrflow-api', base_url: sb.urls.hrflow }] },
    { node: { id: 'n', type: 'hrflow-logic', logics: [], format_type: 'none' } },
    { node: { id: 'n', type: 'hrflow-smartrecruiters', account: 'acc', job_id: '' }, config: [{ id: 'acc', type: 'hrflow-smartrecruiters-config', base_url: sb.urls.smartrecruiters }] },
    { node: { id: 'n', type: 'hrflow-recruitee', account: 'acc' }, config: [{ id: 'acc', type: 'hrflow-recruitee-config', company_id: 'c', recruitee_endpoint: sb.urls.recruitee }] },
    { node: { id: 'n', type: 'hrflow-broadbean', account: 'acc', job_id: '' }, config: [{ id: 'acc', type: 'hrflow-broadbean-config', source_id: 's', client_id: 'c', base_url: sb.urls.broadbean }] },
    { node: { id: 'n', type: 'hrflow-flatchr', account: 'acc', vacancy: '' }, config: [{ id: 'acc', type: 'hrflow-flatchr-config', company: 'c', careers_url: sb.urls.flatchr, base_url: sb.urls.flatchrApi }] },
    { node: { id: 'n', type: 'hrflow-taleez', account: 'acc', recruiter_id: '' }, config: [{ id: 'acc', type: 'hrflow-taleez-config', base_url: sb.urls.taleez }] },
  ];
}

async function loadWithCatch(node: FlowNode, config: FlowNode[] = []) {
  const nodes = onTab([
    ...config,
    { wires: [['out']], ...node },
    { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'out', type: 'helper' },
    { id: 'caught', type: 'helper' },
  ]);
  await helper.load(allNodes, nodes, {});
}

/** Collect what reaches the helper nodes for a while (an outcome may never come twice). */
function collect(ids: string[]): { got: Array<{ id: string; msg: any }>; stop: () => void } {
  const got: Array<{ id: string; msg: any }> = [];
  const fns = ids.map((id) => {
    const fn = (msg: unknown) => got.push({ id, msg });
    helper.getNode(id).on('input', fn);
    return [id, fn] as const;
  });
  return { got, stop: () => fns.forEach(([id, fn]) => helper.getNode(id)?.removeListener('input', fn)) };
}

async function until(cond: () => boolean, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('bounds: a message too deep or too large for Node-RED to copy', () => {
  it('cuts what is nested deeper than the limit, without recursion, and says where', () => {
    const msg: any = { _msgid: '1', payload: deepProfile(5000) };
    const report = enforceBounds(msg);
    assert.equal(report.cuts.length, 1);
    assert.equal(report.cuts[0].reason, 'depth');
    assert.match(report.cuts[0].path, /^msg\.payload\.tags\.0\.value\.0\.0/);
    assert.match(report.summary, new RegExp(`nested deeper than ${MAX_DEPTH} levels`));
    assert.doesNotThrow(() => structuredClone(msg));
    assert.equal(enforceBounds(msg).cuts.length, 0, 'what is left is within bounds');
  });

  it('follows the clone through shared objects (depth as the clone meets them) and cycles', () => {
    // Each chain is shallow from the root but the clone reaches it through the one before.
    const chains = Array.from({ length: 60 }, () => ({ next: undefined as unknown, pad: nested(40) }));
    for (let i = 0; i < chains.length - 1; i++) ((chains[i].pad as any[])[0] as any[]).push(chains[i + 1]);
    const msg: any = { payload: chains[0], all: chains };
    msg.self = msg;
    const report = enforceBounds(msg);
    assert.ok(report.cuts.length > 0);
  });

  it('cuts past the value budget', () => {
    const msg: any = { payload: { many: Array.from({ length: MAX_VALUES + 10 }, (_, i) => i) } };
    const report = enforceBounds(msg);
    assert.deepEqual(report.cuts.map((c) => c.reason), ['values']);
    assert.match(msg.payload.many, /^\[cut: the message holds more than/);
  });

  it('cuts what cannot be read (a getter or Proxy that throws, a revoked Proxy): Node-RED could not copy it', () => {
    const profile = () => ({ key: 'k', info: { first_name: 'A', last_name: 'B', email: 'a@example.com' }, tags: [] as unknown[] });
    const getter: any = profile();
    Object.defineProperty(getter.info, 'email', { enumerable: true, configurable: true, get: () => { throw new Error('boom'); } });
    const trap: any = new Proxy(profile(), { get: (t, k) => { if (k === 'info') throw new Error('boom'); return (t as any)[k]; } });
    const everyTrap: any = new Proxy(profile(), Object.fromEntries(['get', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'has'].map((t) => [t, () => { throw new Error(t); }])));
    const revoked = Proxy.revocable(profile(), {});
    revoked.revoke();
    const symbolGetter: any = profile();
    Object.defineProperty(symbolGetter, Symbol('s'), { enumerable: true, configurable: true, get: () => { throw new Error('boom'); } });
    for (const [payload, where] of [[getter, 'msg.payload.info.email'], [trap, 'msg.payload'], [everyTrap, 'msg.payload'], [revoked.proxy, 'msg.payload'], [symbolGetter, 'msg.payload.Symbol(s)']]) {
      assert.throws(() => cloneMessage({ payload }), Error, 'Node-RED cannot copy it');
      const msg: any = { _msgid: '1', payload };
      const report = enforceBounds(msg);
      assert.deepEqual(report.cuts, [{ path: where, reason: 'unreadable' }]);
      assert.match(report.summary, /reading it threw an error/);
      assert.doesNotThrow(() => cloneMessage(msg), where);
    }
  });

  it('where the holder will not take the marker (frozen, a non-configurable getter), cuts the holder', () => {
    let deep: unknown = ['bottom'];
    for (let i = 0; i < 5000; i++) deep = Object.freeze([deep]);
    const msg: any = { payload: { key: 'k', info: { first_name: 'A' }, tags: deep } };
    assert.equal(enforceBounds(msg).cuts.length, 1);
    assert.doesNotThrow(() => cloneMessage(msg));
    const fixed: any = { payload: { info: { first_name: 'A' } } };
    Object.defineProperty(fixed.payload, 'tags', { enumerable: true, configurable: false, get: () => { throw new Error('boom'); } });
    assert.deepEqual(enforceBounds(fixed).cuts, [{ path: 'msg.payload', reason: 'unreadable' }]);
    assert.doesNotThrow(() => cloneMessage(fixed));
  });

  it('past the value budget, the small fields of the msg are kept (candidate_id is never what is cut)', () => {
    const msg: any = { payload: { many: Array.from({ length: MAX_VALUES + 10 }, (_, i) => i) }, candidate_id: 'c-1', steps: [{ step: 'create' }], statusCode: 201 };
    const report = enforceBounds(msg);
    assert.ok(report.cuts.length > 0);
    assert.equal(msg.candidate_id, 'c-1');
    assert.equal(msg.statusCode, 201);
    assert.deepEqual(msg.steps, [{ step: 'create' }]);
    assert.ok(report.cuts.every((c) => c.path.startsWith('msg.payload.')));
  });

  it('makeCopyable: what the walk cannot fix (a getter answering a new deep value at each read) is found with Node-RED\'s copy and cut', () => {
    const msg: any = { _msgid: '1', topic: 't', payload: { key: 'k', info: { first_name: 'A' } } };
    Object.defineProperty(msg.payload.info, 'extra', { enumerable: true, configurable: true, get: () => nested(5000) });
    enforceBounds(msg); // cuts a copy it was handed, not what the next read answers
    assert.throws(() => cloneMessage(msg), RangeError);
    const result = makeCopyable(msg, cloneMessage);
    assert.deepEqual(result, { replaced: ['msg.payload.info.extra'], copyable: true });
    assert.equal(msg.payload.info.first_name, 'A');
    assert.doesNotThrow(() => cloneMessage(msg));

    const stuck: any = { _msgid: '2' };
    Object.defineProperty(stuck, 'evil', { enumerable: true, configurable: false, get: () => { throw new Error('boom'); } });
    assert.equal(makeCopyable(stuck, cloneMessage).copyable, false);
  });

  it('leaves a real profile alone', () => {
    const msg = { payload: { info: { first_name: 'A', skills: [{ name: 'x', value: null }] }, tags: [{ name: 't', value: 'v' }] } };
    assert.equal(enforceBounds(msg).cuts.length, 0);
  });
});

describe('flow: a 5,000-deep message through every node of ours', function () {
  this.timeout(20_000);
  const ctx = useSandbox();
  let exits = 0;
  const onUncaught = () => exits++;
  before(() => process.on('uncaughtException', onUncaught));
  after(() => process.removeListener('uncaughtException', onUncaught));
  afterEach(async () => {
    await helper.unload();
  });

  for (const i of [0, 1, 2, 3, 4, 5, 6]) {
    it(`node ${i}: exactly one INVALID_INPUT, caught, with a msg safe to clone`, async function () {
      const { node, config } = nodesUnderTest(ctx.sb)[i];
      this.test!.title = `${node.type}: exactly one INVALID_INPUT, caught, with a msg safe to clone`;
      await loadWithCatch(node, config);
      const seen = collect(['out', 'caught']);
      const msg = { payload: deepProfile(), topic: 'deep' };
      helper.getNode('n').receive(msg);
      await until(() => seen.got.length > 0);
      await silence('caught', 100);
      seen.stop();
      assert.equal(seen.got.length, 1, 'one outcome');
      const { id, msg: caught } = seen.got[0];
      assert.equal(id, 'caught');
      assert.equal(caught.error.code, 'INVALID_INPUT');
      assert.match(caught.error.message, /too deep or too large.*nested deeper than 100 levels.*msg\.payload\.tags\.0\.value/);
      assert.equal(caught.error_details.code, 'INVALID_INPUT');
      assert.ok(caught.error_details.fields[0].startsWith('msg.payload.tags.0.value'));
      assert.equal(caught.topic, 'deep');
      assert.doesNotThrow(() => JSON.stringify(caught));
      assert.equal(exits, 0);
    });
  }

  it('a deep answer: from HrFlow an INVALID_PROFILE, from a vendor a success with the deep part cut', async () => {
    // JSON.parse reads any depth: a hostile or broken server can hand a node a value Node-RED cannot copy.
    const deepJson = (levels: number) => `${'['.repeat(levels)}"bottom"${']'.repeat(levels)}`;
    const server = http.createServer((req, res) => {
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      if (req.url?.startsWith('/v1/profile')) {
        res.end(`{"code":200,"message":"ok","data":{"key":"k","info":{"first_name":"A"},"tags":[{"name":"x","value":${deepJson(5000)}}]}}`);
      } else res.end(`{"candidate":{"id":7,"extra":${deepJson(5000)}}}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await helper.load(
        allNodes,
        onTab([
          { id: 'api', type: 'hrflow-api', base_url: `${base}/v1` },
          { id: 'n', type: 'hrflow-profile', api: 'api', source_key: 's', profile_key: 'p', wires: [['out']] },
          { id: 'acc', type: 'hrflow-recruitee-config', company_id: 'c', recruitee_endpoint: `${base}/c` },
          { id: 'push', type: 'hrflow-recruitee', account: 'acc', wires: [['out']] },
          { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
          { id: 'out', type: 'helper' },
          { id: 'caught', type: 'helper' },
        ]),
        { api: { api_secret: 'ask_x', api_user: 'u@example.com' }, acc: { api_token: 'token' } },
      );
      let seen = collect(['out', 'caught']);
      helper.getNode('n').receive({});
      await until(() => seen.got.length > 0);
      await silence('caught', 100);
      seen.stop();
      assert.equal(seen.got.length, 1);
      assert.equal(seen.got[0].id, 'caught');
      assert.equal(seen.got[0].msg.error.code, 'INVALID_PROFILE');
      assert.match(seen.got[0].msg.error.message, /too deep or too large/);

      seen = collect(['out', 'caught']);
      helper.getNode('push').receive({ payload: { key: 'k', info: { first_name: 'A', last_name: 'B', email: 'a@example.com' } } });
      await until(() => seen.got.length > 0);
      await silence('out', 100);
      seen.stop();
      assert.equal(seen.got.length, 1);
      assert.equal(seen.got[0].id, 'out', JSON.stringify(seen.got[0].msg.error ?? {}));
      assert.equal(seen.got[0].msg.candidate_id, 7, 'the candidate was created: a success, not lost');
      assert.match(JSON.stringify(seen.got[0].msg.payload), /\[cut: nested deeper than 100 levels\]/);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    assert.equal(exits, 0);
  });

  it('a logic that builds a deep profile is a LOGIC_ERROR, a deep format a FORMAT_ERROR, user code deepening msg its error too', async () => {
    const deepCode = 'let v = [1]; for (let i = 0; i < 5000; i++) v = [v];';
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ logics: [{ name: 'deepen', type: 'js', code: `${deepCode} profile.tags = [{ name: 'x', value: v }]; return profile;` }] }, 'LOGIC_ERROR'],
      [{ logics: [], format_type: 'js', format_vendor: 'recruitee', format: `${deepCode} return { candidate: { name: 'x', deep: v } };` }, 'FORMAT_ERROR'],
      [{ logics: [{ name: 'deepen msg', type: 'js', code: `${deepCode} msg.extra = v; return profile;` }] }, 'LOGIC_ERROR'],
    ];
    for (const [def, code] of cases) {
      await loadWithCatch({ id: 'n', type: 'hrflow-logic', format_type: 'none', ...def });
      const seen = collect(['out', 'caught']);
      helper.getNode('n').receive({ payload: { key: 'k', info: { first_name: 'A' } } });
      await until(() => seen.got.length > 0);
      await silence('caught', 100);
      seen.stop();
      assert.equal(seen.got.length, 1, 'one outcome');
      assert.equal(seen.got[0].id, 'caught', JSON.stringify(seen.got[0].msg).slice(0, 300));
      assert.equal(seen.got[0].msg.error.code, code);
      assert.match(seen.got[0].msg.error.message, /too deep/);
      assert.doesNotThrow(() => JSON.stringify(seen.got[0].msg));
      await helper.unload();
    }
    assert.equal(exits, 0);
  });
});

describe('flow: a msg Node-RED cannot copy (getters, Proxies) through every node of ours', function () {
  this.timeout(30_000);
  const ctx = useSandbox();
  afterEach(async () => {
    await helper.unload();
  });

  const base = () => ({ key: 'k', info: { first_name: 'Ada', last_name: 'Love', email: 'ada@example.com' }, tags: [] as unknown[] });
  const hostile: Array<[string, () => Record<string, unknown>]> = [
    ['a payload getter that throws', () => {
      const p = base();
      Object.defineProperty(p, 'tags', { enumerable: true, get: () => { throw new Error('getter boom'); } });
      return { payload: p };
    }],
    ['a Proxy payload whose get trap throws', () => ({ payload: new Proxy(base(), { get: (t, k) => { if (k === 'info') throw new Error('proxy boom'); return (t as any)[k]; } }) })],
    ['a revoked Proxy payload', () => {
      const r = Proxy.revocable(base(), {});
      r.revoke();
      return { payload: r.proxy };
    }],
    ['a non-configurable getter on the msg that throws', () => {
      const m: Record<string, unknown> = { payload: base() };
      Object.defineProperty(m, 'evil', { enumerable: true, get: () => { throw new Error('msg getter boom'); } });
      return m;
    }],
    ['a getter answering a new 5,000-deep value at each read', () => {
      const p = base();
      Object.defineProperty(p, 'tags', { enumerable: true, configurable: true, get: () => [{ name: 'x', value: nested(5000) }] });
      return { payload: p };
    }],
  ];

  for (const i of [0, 1, 2, 3, 4, 5, 6]) {
    it(`node ${i}: each such message has exactly one outcome, caught, INVALID_INPUT`, async function () {
      const { node, config } = nodesUnderTest(ctx.sb)[i];
      this.test!.title = `${node.type}: each such message has exactly one outcome, caught, INVALID_INPUT`;
      await loadWithCatch(node, config);
      for (const [what, build] of hostile) {
        const seen = collect(['out', 'caught']);
        const msg = build();
        msg.topic = 'hostile';
        helper.getNode('n').receive(msg);
        await until(() => seen.got.length > 0).catch(() => assert.fail(`${what}: no outcome`));
        await silence('caught', 100);
        seen.stop();
        assert.equal(seen.got.length, 1, `${what}: one outcome`);
        assert.equal(seen.got[0].id, 'caught', what);
        assert.equal(seen.got[0].msg.error.code, 'INVALID_INPUT', `${what}: ${seen.got[0].msg.error.message}`);
        assert.equal(seen.got[0].msg.topic, 'hostile', what);
      }
    });
  }
});
