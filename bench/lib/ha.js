'use strict';
/**
 * Several Node-RED instances on one shared store (issue 14), for bench/ha.js and test/e2e/ha-cli.spec.ts:
 * real Node-RED CLIs (bench/lib/cli.js, NODE_RED_PATH honoured) with the same flow and the same node ids,
 * one SmartRecruiters account of the sandbox (in this process: its counts are read synchronously), a real
 * redis-server (test/helpers/redis.ts, append-only file with fsync always, a password given to the
 * hrflow-store through the CLI's flows_cred.json).
 *
 * The flow of each instance, fire and forget:
 *   http in POST /push (a profile as JSON) ─┬─ change (202 "accepted") → http response
 *                                          └─ function (the profile only: no req / res) → hrflow-smartrecruiters
 *                                             (on_duplicate skip, upload_cv off unless asked, store → hrflow-store
 *                                             mode redis) → function (counts pushed / skipped)
 *   catch → function (counts errors by code);  http in GET /stats → what the counters say.
 * Push-level comparison flow (one instance): POST /sync/embedded and /sync/redis answer once the push is done.
 *
 * runScenario(): feed profiles, each to TWO instances (a seeded random pair), optionally SIGKILL one instance
 * mid-run (after sending it "solo" profiles no other instance has: only a survivor resuming its outbox after the
 * lease can push those) and restart Redis mid-run (stop + start on the same port and directory); then count at
 * the emulated ATS: candidates, lost, duplicated (same e-mail created twice), 429 answers, requests, wall time.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { dist, sleep, seeded } = require('./common');
const { Cli } = require('./cli');
const { linkPackage } = require('./runtime');

const REDIS_PASSWORD = 'ha-bench-redis-password';
const STORE_ID = 'ha-store';
const JOB_ID = 'demo-job-1';

const at = (tab, y = 100) => ({ z: tab, x: 200, y });

/** Counters kept in the global context under `ha_<lane>`: pushed, skipped, errors, codes. */
const COUNT_OK = (lane) => `const k = 'ha_${lane}'; const s = global.get(k) || { pushed: 0, skipped: 0, errors: 0, codes: {} };
if (msg.already_pushed === true) s.skipped++; else s.pushed++;
global.set(k, s);
return msg;`;
const COUNT_ERR = (lane) => `const k = 'ha_${lane}'; const s = global.get(k) || { pushed: 0, skipped: 0, errors: 0, codes: {} };
s.errors++;
const code = (msg.error && (msg.error.code || msg.error.message)) || 'unknown';
s.codes[code] = (s.codes[code] || 0) + 1;
global.set(k, s);
return msg;`;

/**
 * One lane: POST /<path> → push node → counters. `sync`: the answer waits for the push (200 with the push's
 * outcome); else 202 at once and the push runs on. `store`: the hrflow-store id ('' = embedded).
 */
function lane(tab, name, { path: url, sync, store, account, uploadCv, timeoutMs }) {
  const id = (s) => `ha-${name}-${s}`;
  const nodes = [
    { id: id('in'), type: 'http in', name: `POST ${url}`, url, method: 'post', upload: false, swaggerDoc: '', ...at(tab), wires: [sync ? [id('profile')] : [id('accept'), id('profile')]] },
    {
      id: id('profile'), type: 'function', name: 'the profile', outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...at(tab),
      // Fire and forget: a new message (the request stays with the 202 answer). Sync: the request goes along.
      func: sync ? 'return msg;' : 'return { payload: msg.payload };',
      wires: [[id('push')]],
    },
    {
      id: id('push'), type: 'hrflow-smartrecruiters', name: `SmartRecruiters (${name})`, account, job_id: JOB_ID, upload_cv: !!uploadCv,
      on_duplicate: sync ? 'push' : 'skip', store, timeout: timeoutMs, retries: 3, retry_delay: 500, ...at(tab), wires: [[id('ok')]],
    },
    { id: id('ok'), type: 'function', name: 'count', func: COUNT_OK(name), outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...at(tab), wires: [sync ? [id('done')] : []] },
    { id: id('catch'), type: 'catch', name: 'errors', scope: [id('push')], uncaught: false, ...at(tab), wires: [[id('err')]] },
    { id: id('err'), type: 'function', name: 'count errors', func: COUNT_ERR(name), outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...at(tab), wires: [sync ? [id('fail')] : []] },
  ];
  if (sync) {
    nodes.push(
      { id: id('done'), type: 'change', name: '200', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'pushed', tot: 'str' }, { t: 'set', p: 'statusCode', pt: 'msg', to: '200', tot: 'num' }], action: '', property: '', from: '', to: '', reg: false, ...at(tab), wires: [[id('res')]] },
      { id: id('fail'), type: 'change', name: '500', rules: [{ t: 'set', p: 'statusCode', pt: 'msg', to: '500', tot: 'num' }, { t: 'set', p: 'payload', pt: 'msg', to: 'error.code', tot: 'msg' }], action: '', property: '', from: '', to: '', reg: false, ...at(tab), wires: [[id('res')]] },
    );
  } else {
    nodes.push({ id: id('accept'), type: 'change', name: '202', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'accepted', tot: 'str' }, { t: 'set', p: 'statusCode', pt: 'msg', to: '202', tot: 'num' }], action: '', property: '', from: '', to: '', reg: false, ...at(tab), wires: [[id('res')]] });
  }
  nodes.push({ id: id('res'), type: 'http response', name: '', statusCode: '', headers: {}, ...at(tab), wires: [] });
  return nodes;
}

/**
 * The flow every instance runs (same node ids everywhere) and its credentials (flows_cred.json: environment
 * variables, as a user would write them). `lanes`: [{name, path, sync, store: true|false}].
 */
function haFlow(sb, { redisUrl, prefix = 'hrflow-ha:', lanes, rate, uploadCv = false, timeoutMs = 60_000 }) {
  const tab = 'ha-tab';
  const flow = [
    { id: tab, type: 'tab', label: 'issue 14: several instances', disabled: false, info: '' },
    { id: 'ha-acc', type: 'hrflow-smartrecruiters-config', name: 'SmartRecruiters account', base_url: sb.urls.smartrecruiters, rate_limit: rate ?? '' },
    { id: STORE_ID, type: 'hrflow-store', name: 'shared store', mode: 'redis', url: redisUrl, prefix },
    { id: 'ha-stats-in', type: 'http in', name: 'GET /stats', url: '/stats', method: 'get', upload: false, swaggerDoc: '', ...at(tab, 400), wires: [['ha-stats']] },
    {
      id: 'ha-stats', type: 'function', name: 'counters', outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...at(tab, 400), wires: [['ha-stats-res']],
      func: `msg.payload = {};\nfor (const k of global.keys()) if (k.startsWith('ha_')) msg.payload[k.slice(3)] = global.get(k);\nreturn msg;`,
    },
    { id: 'ha-stats-res', type: 'http response', name: '', statusCode: '', headers: {}, ...at(tab, 400), wires: [] },
  ];
  for (const l of lanes) flow.push(...lane(tab, l.name, { path: l.path, sync: l.sync, store: l.store ? STORE_ID : '', account: 'ha-acc', uploadCv, timeoutMs }));
  const credentials = { 'ha-acc': { x_smart_token: '${HRFLOW_SANDBOX_SMART_TOKEN}' }, [STORE_ID]: { password: '${HA_REDIS_PASSWORD}' } };
  return { flow, credentials };
}

/** A fresh user directory with this package linked in, the flow and its credentials written. */
function userDirWith(prefix, { flow, credentials }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  linkPackage(dir);
  fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flow, null, 2));
  fs.writeFileSync(path.join(dir, 'flows_cred.json'), JSON.stringify(credentials, null, 2));
  return dir;
}

/** A Node-RED CLI of the cluster: instance id `ha-<i>`, the given store lease. */
function haCli(dir, sb, i, leaseMs) {
  const { demoEnv } = require(path.join(__dirname, '..', '..', 'scripts', 'demo-flow.js'));
  const extra = `hrflowInstanceId: 'ha-${i}',${leaseMs ? ` hrflowStoreLeaseMs: ${Number(leaseMs)},` : ''}`;
  return new Cli(dir, { ...demoEnv(sb.credentials), HA_REDIS_PASSWORD: REDIS_PASSWORD }, extra);
}

/** POST a profile; resolves with the HTTP status, or 0 when the instance could not be reached. */
async function post(url, body) {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/**
 * Candidates per e-mail (lower case) at the sandbox's SmartRecruiters, for the profiles `emails`: a reader that
 * goes through the candidates once (the list only grows), answering { candidates, distinct, lost, duplicated,
 * lastAt (when the last one arrived) }.
 */
function census(sb, emails) {
  const want = new Set(emails);
  const seen = new Map();
  let read = 0;
  let distinct = 0;
  let duplicated = 0;
  let lastAt = 0;
  return () => {
    const list = sb.state.smartrecruiters.candidates;
    for (; read < list.length; read++) {
      const c = list[read];
      const e = String((c.body && c.body.email) || '').toLowerCase();
      lastAt = Math.max(lastAt, Date.parse(c.receivedAt) || 0);
      if (!want.has(e)) continue;
      const n = (seen.get(e) || 0) + 1;
      seen.set(e, n);
      if (n === 1) distinct++;
      else duplicated++;
    }
    return { candidates: list.length, distinct, lost: want.size - distinct, duplicated, lastAt, has: (e) => seen.has(e) };
  };
}

/** The shared outbox seen from outside (a store without an owner: reads only): pending records, dead letters. */
function outboxReader(redis, prefix) {
  const { RedisLedgerStore } = require(dist('src', 'push', 'redis-store'));
  const store = new RedisLedgerStore({ url: redis.url, password: REDIS_PASSWORD, prefix });
  return {
    async counts() {
      const c = await store.counts();
      return { pending: c.pending, deadLetters: Object.values(c.deadLetters).reduce((a, n) => a + n, 0) };
    },
    /** The e-mails of the profiles in the outbox. */
    async emails() {
      return (await store.pending()).map((r) => String(r.msg?.payload?.info?.email ?? '').toLowerCase());
    },
    close: () => store.close(),
  };
}

/**
 * The scenario. Options: profiles (n), instances (3), rate (10/s), concurrent (8), seed, ahead (profiles fed
 * beyond the candidates created, default 15 s of work), feeders (POSTs in flight), killAt (a fraction of n:
 * SIGKILL an instance once that many candidates were created), solos (profiles sent only to that instance just
 * before the kill), redisAt (a fraction: restart Redis then), leaseMs, uploadCv, stallMs, log.
 * Resolves with the figures (see the end); cleans up everything it started.
 */
async function runScenario(options = {}) {
  const { createSandbox } = require(dist('src', 'sandbox'));
  const { startRedis } = require(dist('test', 'helpers', 'redis'));
  const { ops } = require('./sandbox');
  const n = options.profiles ?? 3000;
  const count = options.instances ?? 3;
  const rate = options.rate ?? 10;
  const solos = options.killAt !== undefined ? (options.solos ?? Math.max(3, Math.round(n / 50))) : 0;
  const ahead = options.ahead ?? rate * 15;
  const feeders = options.feeders ?? 16;
  const stallMs = options.stallMs ?? Math.max(30_000, 3 * (options.leaseMs ?? 30_000));
  const log = options.log ?? (() => undefined);
  const rand = seeded(options.seed ?? 14);
  const prefix = 'hrflow-ha:';
  const cleanup = [];
  const clis = [];
  try {
    // The emulator's request log: when each SmartRecruiters request arrived, how long it took, its status (the
    // 429s are explained from it: the arrivals of the second before each).
    const trace = [];
    const logger = (line) => {
      const m = /^\[sandbox\] (\d+) (\w+) \/smartrecruiters(\S*) (\d+)ms/.exec(line);
      if (m) trace.push({ at: Date.now() - Number(m[4]), ms: Number(m[4]), status: Number(m[1]), what: `${m[2]} ${m[3].replace(/\/candidates\/[^/]+/, '/candidates/{id}').replace(/\?.*/, '?…')}` });
    };
    const sb = await createSandbox({ port: 0, quiet: false, logger, generatedProfiles: n + solos, rateLimits: { smartrecruiters: { perSecond: rate, concurrent: options.concurrent ?? 8 } } });
    cleanup.push(() => sb.close());
    const o = ops(sb);
    const all = o.profiles(o.keys(n + solos));
    const emails = all.map((p) => String(p.info.email).toLowerCase());
    if (new Set(emails).size !== all.length) throw new Error(`the generated profiles have ${new Set(emails).size} distinct e-mails, ${all.length} needed`);
    const bodies = all.map((p) => JSON.stringify(p));
    const redis = await startRedis({ persist: true, password: REDIS_PASSWORD });
    cleanup.push(() => redis.close());
    const outbox = outboxReader(redis, prefix);
    cleanup.push(() => outbox.close());
    const flow = haFlow(sb, { redisUrl: redis.url, prefix, rate, uploadCv: options.uploadCv, lanes: [{ name: 'push', path: '/push', sync: false, store: true }] });
    for (let i = 0; i < count; i++) {
      const dir = userDirWith(`hrflow-ha-${i}-`, flow);
      cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      clis.push(haCli(dir, sb, i, options.leaseMs));
    }
    const t0Start = Date.now();
    await Promise.all(clis.map((c) => c.start()));
    log(`${count} Node-RED CLIs started in ${((Date.now() - t0Start) / 1000).toFixed(1)} s (${clis.map((c) => c.url).join(', ')}); redis ${redis.url} (appendonly, fsync always); ${n} profiles to two instances each${solos ? `, ${solos} solo profiles` : ''}, SmartRecruiters ${rate}/s`);

    const live = new Set(clis.map((_c, i) => i));
    const accepted = clis.map(() => 0);
    const refused = [];
    const events = [];
    let fed = 0;
    const sr = sb.state.smartrecruiters;
    // Profiles at the ATS (read at most every 50 ms: the feeders and the chaos poll it).
    const tally = census(sb, emails);
    const created = () => tally().distinct;

    /** POST profile i to `targets`; a target found dead is replaced by a live instance that does not have it yet. */
    async function send(i, targets) {
      const have = new Set();
      const queue = [...targets];
      while (queue.length) {
        const t = queue.shift();
        const status = live.has(t) ? await post(`${clis[t].url}/push`, bodies[i]) : 0;
        if (status === 202) {
          accepted[t]++;
          have.add(t);
          continue;
        }
        if (status !== 0) refused.push({ profile: i, instance: t, status });
        const other = [...live].find((x) => x !== t && !have.has(x) && !queue.includes(x));
        if (other !== undefined && have.size + queue.length < targets.length) queue.push(other);
      }
      return have;
    }

    const pairs = Array.from({ length: n }, () => {
      const a = Math.floor(rand() * count);
      let b = Math.floor(rand() * (count - 1));
      if (b >= a) b++;
      return [a, b];
    });

    let killed;
    let redisRestart;
    const t0 = Date.now();
    const feeding = (async () => {
      let next = 0;
      await Promise.all(Array.from({ length: feeders }, async () => {
        for (;;) {
          const i = next++;
          if (i >= n) return;
          while (i >= created() + ahead) await sleep(20);
          await send(i, pairs[i].filter((t) => live.has(t)).length === 2 ? pairs[i] : [...live].slice(0, 2));
          fed++;
        }
      }));
    })();

    // Chaos, at its thresholds of created candidates.
    const chaos = (async () => {
      if (options.killAt !== undefined) {
        while (created() < Math.floor(n * options.killAt)) await sleep(10);
        const victim = Math.floor(rand() * count);
        // Solo profiles: only the victim has them (journaled in the shared outbox, leased to it, when it dies).
        const soloIdx = Array.from({ length: solos }, (_x, k) => n + k);
        await Promise.all(soloIdx.map((i) => send(i, [victim])));
        const want = new Set(soloIdx.map((i) => emails[i]));
        const t = Date.now();
        while (Date.now() - t < 5000) {
          const inBox = await outbox.emails().catch(() => []);
          if (inBox.filter((e) => want.has(e)).length >= solos) break;
          await sleep(50);
        }
        const before = created();
        live.delete(victim);
        await clis[victim].stop('SIGKILL');
        killed = { instance: victim, at: Date.now() - t0, createdBefore: before, solosPushedBefore: soloIdx.filter((i) => tally().has(emails[i])).length };
        events.push(`SIGKILL instance ha-${victim} at ${(killed.at / 1000).toFixed(1)} s (${before} candidates; ${killed.solosPushedBefore}/${solos} of its solo profiles already pushed)`);
        log(events[events.length - 1]);
      }
      if (options.redisAt !== undefined) {
        while (created() < Math.floor(n * options.redisAt)) await sleep(10);
        const t = Date.now();
        await redis.restart();
        redisRestart = { at: t - t0, downMs: Date.now() - t, createdBefore: created() };
        events.push(`Redis restarted at ${(redisRestart.at / 1000).toFixed(1)} s (${redisRestart.createdBefore} candidates; down ${redisRestart.downMs} ms)`);
        log(events[events.length - 1]);
      }
    })();

    // Done: every profile at the ATS, every live instance has an outcome for each message it accepted, the shared
    // outbox empty. Or nothing moved for stallMs (then the figures say what is missing).
    let lastSig = '';
    let lastMove = Date.now();
    let stats = [];
    let box = { pending: -1, deadLetters: 0 };
    let progressAt = 0;
    for (;;) {
      await sleep(200);
      stats = await Promise.all(clis.map((c, i) => (live.has(i) ? c.get('/stats').then((s) => s.push || { pushed: 0, skipped: 0, errors: 0, codes: {} }) : null)).map((p) => p && p.catch(() => null)));
      box = await outbox.counts().catch(() => box);
      const c = tally();
      const outcomes = stats.map((s) => (s ? s.pushed + s.skipped + s.errors : 0));
      const sig = `${c.candidates}/${outcomes.join(',')}/${box.pending}/${fed}`;
      if (sig !== lastSig) {
        lastSig = sig;
        lastMove = Date.now();
      }
      if (Date.now() - progressAt > 15_000) {
        progressAt = Date.now();
        log(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${c.candidates} candidates (${c.distinct}/${all.length} profiles), fed ${fed}/${n}, outcomes ${outcomes.join(' / ')}, outbox ${box.pending}, 429 ${sr.rateLimited}`);
      }
      const settled = [...live].every((i) => outcomes[i] >= accepted[i]);
      if (fed >= n && c.lost === 0 && settled && box.pending === 0) break;
      if (Date.now() - lastMove > stallMs) {
        log(`no progress for ${stallMs / 1000} s: stopping (${sig})`);
        break;
      }
    }
    await feeding;
    await chaos;
    const c = tally();
    const resumed = clis.map((cli) => (cli.out.match(/resum\w* (\d+)/gi) || []).join(', ')).filter(Boolean);
    const warnings = clis.flatMap((cli, i) => cli.out.split('\n').filter((l) => /\[(warn|error)\]/.test(l)).map((l) => `ha-${i}: ${l.trim()}`));
    const requests = sr.requests - sr.rateLimited;
    // How long the account took per `rate` creates at the emulator (arrival of create k to create k + rate): 1000 ms
    // at best; what is above is what the shared limiter holds a slot beyond its window (answer latency, margin).
    const arrivals = sr.candidates.map((x) => Date.parse(x.receivedAt)).sort((a, b) => a - b);
    const cycles = arrivals.slice(rate).map((t, k) => t - arrivals[k]).sort((a, b) => a - b);
    const cycleMs = cycles.length ? { min: cycles[0], median: cycles[Math.floor(cycles.length / 2)], p90: cycles[Math.floor(cycles.length * 0.9)] } : undefined;
    const creates = n + solos;
    const perPush = options.uploadCv ? 2 : 1;
    const idealSeconds = (creates * perPush) / rate;
    const seconds = (c.lastAt - t0) / 1000;
    return {
      profiles: n,
      solos,
      instances: count,
      rate,
      uploadCv: !!options.uploadCv,
      leaseMs: options.leaseMs ?? 30_000,
      candidates: c.candidates,
      lost: c.lost,
      duplicated: c.duplicated,
      rateLimited429: sr.rateLimited,
      // Each 429: why the emulator refused (rate or concurrency), and when, from the first POST.
      rejected429: sr.rejections.filter((x) => x.status === 429).map((x) => `${x.reason} at ${((Date.parse(x.at) - t0) / 1000).toFixed(2)} s`),
      // For each 429: the requests that arrived in the second before it (ms before it, how long the emulator took).
      before429: trace.filter((x) => x.status === 429).map((x) => `429 at ${((x.at - t0) / 1000).toFixed(3)} s after ${trace.filter((y) => y !== x && y.status !== 429 && y.at <= x.at && y.at > x.at - 1000).map((y) => `${y.what} ${x.at - y.at} ms before (took ${y.ms} ms)`).join(', ')}`),
      requestKinds: trace.reduce((a, x) => ((a[`${x.status} ${x.what}`] = (a[`${x.status} ${x.what}`] || 0) + 1), a), {}),
      requests,
      requestsPerPush: perPush,
      seconds,
      idealSeconds,
      ratio: seconds / idealSeconds,
      ratioBySeenRequests: seconds / (requests / rate),
      cycleMs,
      accepted,
      refused: refused.length,
      outcomes: stats,
      errors: stats.reduce((a, s) => a + (s ? s.errors : 0), 0),
      errorCodes: stats.reduce((a, s) => {
        for (const [k, v] of Object.entries((s && s.codes) || {})) a[k] = (a[k] || 0) + v;
        return a;
      }, {}),
      outboxPending: box.pending,
      deadLetters: box.deadLetters,
      killed,
      redisRestart,
      events,
      resumed,
      warnings: warnings.slice(0, 20),
      warningCount: warnings.length,
    };
  } finally {
    for (const cli of clis) await cli.stop('SIGKILL').catch(() => undefined);
    for (const f of cleanup.reverse()) await Promise.resolve().then(f).catch(() => undefined);
  }
}

module.exports = { haFlow, haCli, userDirWith, runScenario, post, REDIS_PASSWORD, STORE_ID };
