import assert from 'node:assert/strict';
import { mayLoop, UserFunction, UserCodeError } from '../../src/logic/sandbox';

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
    // Defining the function runs under the same timeout: on a busy machine it may be the definition
    // that runs out of time; either way the error says so.
    await assert.rejects(async () => new UserFunction('loop', 'while (true) {}', ['profile'], { timeoutMs: 50 }).call({}), /timed out/);
  });

  it('arms the watchdog for code that may run for ever, and only for it', async () => {
    const straight = [
      'return profile.info && profile.info.email ? profile : null;',
      '// keep profiles with an email\nreturn profile.info.email ? profile : null; /* the ATS needs one */',
      'profile.tags = profile.tags || []; if (!profile.info.email) return null; profile.info.summary = "seen"; return profile;',
      'if (typeof (profile.info) !== "object") return null; return profile;',
    ];
    for (const code of straight) {
      assert.equal(mayLoop(code), false, code);
      assert.equal(new UserFunction('s', code, ['profile']).guarded, false, code);
    }
    const looping = [
      'while (true) {}',
      'for (;;) {}',
      'do {} while (profile)',
      'return profile.skills.some((s) => s.name === "x")',
      'function f() { return f(); } return f();',
      'return eval("1")',
      'return [].constructor.constructor("while(true){}")()',
      'return /^(a+)+$/.test(profile.summary)',
      'return profile.summary.match("(a+)+$")',
      'class A {} return profile;',
      'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); return profile;',
      // calls: a built-in can be made to run for ever
      'profile.tags = (profile.tags || []).concat({ name: "seen", value: true }); return profile;',
      'Array.prototype.lastIndexOf.call({ length: 2 ** 53 - 1 }, 1); return profile;',
      'return profile.info?.email?.toLowerCase()',
      'return 2n ** 100000000n',
      'return String.raw`x`',
    ];
    for (const code of looping) {
      assert.equal(mayLoop(code), true, code);
      assert.equal(new UserFunction('l', code, ['profile']).guarded, true, code);
    }
    // A timeout of 0 turns the watchdog off.
    assert.equal(new UserFunction('l', 'for (;;) break;', ['profile'], { timeoutMs: 0 }).guarded, false);
    // The guarded path still stops a runaway regular expression.
    const redos = new UserFunction('redos', 'return /^(a+)+$/.test(profile.summary);', ['profile'], { timeoutMs: 50 });
    await assert.rejects(redos.call({ summary: `${'a'.repeat(40)}!` }), /timed out/);
  });

  it('stops an endless chain of promise jobs', async () => {
    const jobs = new UserFunction('jobs', 'while (true) await null;', ['profile'], { timeoutMs: 50 });
    await assert.rejects(jobs.call({}), /timed out/);
  });

  it('reports a promise that never settles instead of leaving the message hanging', async () => {
    const f = new UserFunction('pending', 'return new Promise(function () {});', ['profile']);
    await assert.rejects(f.call({}), /never settles/);
    const ok = new UserFunction('later', 'await null; return Promise.resolve(profile);', ['profile']);
    assert.deepEqual(await ok.call({ a: 1 }), { a: 1 });
  });

  it('accepts any logic name, keywords included', async () => {
    for (const name of ['new', 'default', 'if', '1st check', 'délai']) {
      assert.equal(await new UserFunction(name, 'return 7;', ['profile']).call({}), 7, name);
    }
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
