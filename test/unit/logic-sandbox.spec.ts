import assert from 'node:assert/strict';
import { UserFunction, UserCodeError } from '../../src/logic/sandbox';

describe('user code sandbox', () => {
  it('runs a function body with named parameters, sync or async', async () => {
    const f = new UserFunction('keep', 'return profile.info.email ? profile : null;', ['profile', 'msg']);
    assert.deepEqual(await f.call({ info: { email: 'a@b.c' } }, {}), { info: { email: 'a@b.c' } });
    assert.equal(await f.call({ info: {} }, {}), null);
    const g = new UserFunction('later', 'await null; return defaults.x + 1;', ['profile', 'defaults', 'msg']);
    assert.equal(await g.call({}, { x: 1 }, {}), 2);
  });

  it('reports syntax errors at compile time and thrown errors at call time', async () => {
    assert.throws(() => new UserFunction('broken', 'return {', ['profile']), UserCodeError);
    const f = new UserFunction('thrower', 'throw new Error("nope")', ['profile']);
    await assert.rejects(f.call({}), /thrower: nope/);
  });

  it('stops an endless loop with the timeout', async () => {
    const f = new UserFunction('loop', 'while (true) {}', ['profile'], { timeoutMs: 50 });
    await assert.rejects(f.call({}), /timed out/);
  });

  it('has no access to require or process', async () => {
    const f = new UserFunction('escape', 'return [typeof require, typeof process];', ['profile']);
    assert.deepEqual(JSON.parse(JSON.stringify(await f.call({}))), ['undefined', 'undefined']);
  });

  it('routes console and env to the host', async () => {
    const logs: string[] = [];
    const f = new UserFunction('log', 'console.warn("hi", {a:1}); return env.get("X");', ['profile'], {
      log: (level, m) => logs.push(`${level}:${m}`),
      env: (n) => `env-${n}`,
    });
    assert.equal(await f.call({}), 'env-X');
    assert.deepEqual(logs, ['warn:hi {"a":1}']);
  });
});
