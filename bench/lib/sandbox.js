'use strict';
/**
 * The sandbox the throughput and saturation legs push to, behind one async interface, either
 *   - in this process (`--sandbox inprocess`, the default: what the flow tests use), or
 *   - in a child process (`--sandbox process`: the emulated ATS on its own core, as a remote
 *     server would be; the bench process then only does the client's work).
 *
 * Interface: { url, urls, credentials, sourceKey, keys(n), profiles(keys), reset(), summary(),
 *              bodies(), close() }. summary() = SmartRecruiters counts: created, attachments,
 *              rateLimited, duplicates (candidates stored twice for one email), rejection reasons.
 */
const path = require('node:path');
const { fork } = require('node:child_process');
const { dist } = require('./common');

const FIXTURE_KEYS = new Set(['9a8b7c6d5e4f30211203a4b5c6d7e8f9a0b1c2d3', '1111222233334444555566667777888899990000', 'abcdefabcdefabcdefabcdefabcdefabcdef0001']);

/** Plain functions over an in-process sandbox (also used by the child). */
function ops(sb) {
  return {
    keys(n) {
      const keys = sb.profileKeys().filter((k) => k.source_key === sb.sourceKey && !FIXTURE_KEYS.has(k.key)).map((k) => k.key);
      if (keys.length < n) throw new Error(`the sandbox has ${keys.length} generated profiles, ${n} needed`);
      return keys.slice(0, n);
    },
    profiles: (keys) => keys.map((k) => sb.getProfile(sb.sourceKey, k)),
    reset: () => sb.reset(),
    summary() {
      const s = sb.state.smartrecruiters;
      const seen = new Map();
      for (const c of s.candidates) {
        const e = String((c.body && c.body.email) || '').toLowerCase();
        seen.set(e, (seen.get(e) || 0) + 1);
      }
      let duplicates = 0;
      for (const n of seen.values()) if (n > 1) duplicates += n - 1;
      const reasons = {};
      for (const r of s.rejections) reasons[r.reason] = (reasons[r.reason] || 0) + 1;
      return { created: s.candidates.length, attachments: s.attachments.length, rateLimited: s.rateLimited, duplicates, reasons };
    },
    bodies: () => sb.state.smartrecruiters.candidates.map((c) => c.body),
    /**
     * The hrflow-profiles source's pacing seen from the sandbox: for each listing request (page k of `pageSize`),
     * how many of the profiles listed before it had not reached SmartRecruiters yet; the largest such figure.
     */
    pacing(pageSize) {
      const listings = sb.state.hrflow.listings || [];
      const arrived = sb.state.smartrecruiters.candidates.map((c) => Date.parse(c.receivedAt)).sort((a, b) => a - b);
      let i = 0;
      let maxAhead = 0;
      for (const l of listings) {
        const t = Date.parse(l.receivedAt);
        while (i < arrived.length && arrived[i] <= t) i++;
        maxAhead = Math.max(maxAhead, (l.page - 1) * pageSize - i);
      }
      return { listings: listings.length, maxAhead };
    },
  };
}

function describe(sb) {
  return { url: sb.url, urls: sb.urls, credentials: sb.credentials, sourceKey: sb.sourceKey };
}

async function inProcess(options) {
  const { createSandbox } = require(dist('src', 'sandbox'));
  const sb = await createSandbox(options);
  const o = ops(sb);
  return {
    ...describe(sb),
    mode: 'inprocess',
    keys: async (n) => o.keys(n),
    profiles: async (keys) => o.profiles(keys),
    reset: async () => o.reset(),
    summary: async () => o.summary(),
    bodies: async () => o.bodies(),
    pacing: async (pageSize) => o.pacing(pageSize),
    close: () => sb.close(),
  };
}

async function inChild(options) {
  const child = fork(path.join(__dirname, 'sandbox-child.js'), [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let seq = 0;
  let readyInfo;
  const ready = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sandbox process exited (${code}) before it was ready`)));
    child.on('message', (m) => {
      if (m.type === 'ready') {
        readyInfo = m.info;
        resolve();
      } else if (m.type === 'reply') {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (p) (m.error ? p.reject(new Error(m.error)) : p.resolve(m.value));
      }
    });
  });
  await ready;
  child.removeAllListeners('exit');
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`sandbox process exited (${code})`));
    pending.clear();
  });
  const call = (cmd, arg) =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve, reject });
      child.send({ id, cmd, arg });
    });
  return {
    ...readyInfo,
    mode: 'process',
    keys: (n) => call('keys', n),
    profiles: (keys) => call('profiles', keys),
    reset: () => call('reset'),
    summary: () => call('summary'),
    bodies: () => call('bodies'),
    pacing: (pageSize) => call('pacing', pageSize),
    close: async () => {
      if (child.exitCode !== null) return;
      await call('close').catch(() => undefined);
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

/** mode: "inprocess" (default) or "process". */
function startSandbox(mode, options) {
  if (mode === undefined || mode === 'inprocess') return inProcess(options);
  if (mode === 'process') return inChild(options);
  throw new Error(`--sandbox must be "inprocess" or "process", not ${mode}`);
}

module.exports = { startSandbox, ops, describe };
