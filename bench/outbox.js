'use strict';
/**
 * Outbox leg (issue 12, "Numbers"): what the push ledger and its durable outbox cost, and what they keep.
 * One part per process (`npm run bench` runs each as its own leg):
 *
 *   --part throughput  profiles/s with the ledger + outbox on (LevelDB in the runtime's user directory)
 *                      against off (the `hrflowLedger: false` setting), both in ONE Node-RED runtime, at
 *                      --concurrency (32) in flight, interleaved rounds (on, off, off, on, ...); the median of
 *                      the per-round ratios on/off. The "on" store is checked: journal / settle writes
 *                      counted on LevelLedgerStore, and the store read after (ledger entries, outbox empty).
 *   --part sigkill     a real Node-RED CLI, --profiles (200) distinct profiles injected into a SmartRecruiters
 *                      push node whose account has rate_limit 10 (per second), SIGKILL once --kill-at (20)
 *                      candidates reached the emulated ATS, restart on the same user directory, wait until
 *                      every push is settled: reached before the kill / after, lost, duplicated, time to drain.
 *   --part churn       heap and LevelDB directory size after 1k and after 10k pushes of the same 1k profiles
 *                      (on_duplicate push: the ledger keeps 1k entries, the outbox churns).
 *
 *   node --expose-gc bench/outbox.js --part throughput [--profiles 2000] [--rounds 6] [--concurrency 32] [--out FILE]
 *   node --expose-gc bench/outbox.js --part sigkill [--profiles 200] [--kill-at 20] [--rate 10] [--out FILE]
 *   node --expose-gc bench/outbox.js --part churn [--distinct 1000] [--total 10000] [--out FILE]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { dist, parseArgs, median, machine, log, writeResult, gcFunction, sleep } = require('./lib/common');
const { Cli, waitUntil } = require('./lib/cli');
const { linkPackage } = require('./lib/runtime');

const args = parseArgs(process.argv.slice(2), { part: 'sigkill' });
const gc = gcFunction();

/** Bytes under a directory (files only). */
function dirSize(p) {
  let n = 0;
  for (const d of fs.readdirSync(p, { withFileTypes: true })) {
    const f = path.join(p, d.name);
    n += d.isDirectory() ? dirSize(f) : fs.statSync(f).size;
  }
  return n;
}

/** How many candidates the sandbox's SmartRecruiters holds per e-mail (lower case). */
function candidatesByEmail(sb) {
  const seen = new Map();
  for (const c of sb.state.smartrecruiters.candidates) {
    const e = String((c.body && c.body.email) || '').toLowerCase();
    seen.set(e, (seen.get(e) || 0) + 1);
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------
// (b) SIGKILL with pushes waiting on a 10/s limit, a real Node-RED CLI
// ---------------------------------------------------------------------------------------------

async function sigkillPart() {
  const n = args.profiles ?? 200;
  const killAt = args.killAt ?? 20;
  const rate = args.rate ?? 10;
  const { createSandbox } = require(dist('src', 'sandbox'));
  const { ops } = require('./lib/sandbox');
  const { LevelLedgerStore } = require(dist('src', 'push', 'ledger-store'));
  const { demoEnv } = require(path.join(__dirname, '..', 'scripts', 'demo-flow.js'));
  const t0 = Date.now();
  const sb = await createSandbox({ port: 0, quiet: true, generatedProfiles: n });
  const profiles = (await ops(sb).profiles(ops(sb).keys(n)));
  const emails = profiles.map((p) => String(p.info.email).toLowerCase());
  if (new Set(emails).size !== n) throw new Error(`the generated profiles have ${new Set(emails).size} distinct e-mails, ${n} needed`);

  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-bench-outbox-kill-'));
  linkPackage(userDir);
  // The profiles reach the function node through the global context (not written into the flow).
  fs.writeFileSync(path.join(userDir, 'profiles.json'), JSON.stringify(profiles));
  const tab = 'ob-tab';
  const at = { z: tab, x: 100, y: 100 };
  const flow = [
    { id: tab, type: 'tab', label: 'outbox SIGKILL', disabled: false, info: '' },
    { id: 'ob-inject', type: 'inject', name: 'push', props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload: '', payloadType: 'date', ...at, wires: [['ob-emit']] },
    {
      id: 'ob-emit', type: 'function', name: 'profiles', outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...at, wires: [['ob-push']],
      func: "return [global.get('benchProfiles').map((p, i) => ({ payload: p, bench_id: i }))];",
    },
    {
      id: 'ob-push', type: 'hrflow-smartrecruiters', name: 'SmartRecruiters', account: 'ob-acc', job_id: 'bench-job', upload_cv: false,
      on_duplicate: 'skip', timeout: 30_000, retries: 3, retry_delay: 500, ...at, wires: [['ob-out']],
    },
    { id: 'ob-out', type: 'debug', name: 'out', active: false, tosidebar: false, console: false, tostatus: false, complete: 'false', targetType: 'msg', ...at, wires: [] },
    { id: 'ob-catch', type: 'catch', name: 'errors', scope: null, uncaught: false, ...at, wires: [['ob-err']] },
    { id: 'ob-err', type: 'debug', name: 'errors', active: true, tosidebar: false, console: true, tostatus: false, complete: 'error', targetType: 'msg', ...at, wires: [] },
    { id: 'ob-acc', type: 'hrflow-smartrecruiters-config', name: 'sr', base_url: sb.urls.smartrecruiters, rate_limit: rate },
  ];
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow, null, 2));
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify({ 'ob-acc': { x_smart_token: '${HRFLOW_SANDBOX_SMART_TOKEN}' } }, null, 2));
  const cli = new Cli(userDir, demoEnv(sb.credentials), `functionGlobalContext: { benchProfiles: require(${JSON.stringify(path.join(userDir, 'profiles.json'))}) },`);
  const sr = sb.state.smartrecruiters;
  const stored = () => sr.candidates.length;
  try {
    await cli.start();
    log(`sigkill: Node-RED CLI started on ${cli.url}, ${n} profiles, account rate_limit ${rate}/s; setup ${Date.now() - t0} ms`);
    const injected = Date.now();
    await cli.inject('ob-inject');
    await waitUntil(`${killAt} candidates at SmartRecruiters`, () => stored() >= killAt, 60_000, 5);
    const seenAtKill = stored();
    await cli.stop('SIGKILL');
    const killedAt = Date.now();
    // A create already sent when the process died still lands: counted as reached before the restart.
    await sleep(500);
    const before = stored();
    log(`sigkill: SIGKILL ${((killedAt - injected) / 1000).toFixed(1)} s after the inject with ${seenAtKill} candidates stored (${before} once the requests in flight landed)`);

    const restart = Date.now();
    await cli.start();
    const started = Date.now();
    // Settled: a `pushed` ledger entry or a dead letter for every profile.
    let settledAt = 0;
    let dead = [];
    await waitUntil('every push settled', async () => {
      const { items } = await cli.get('/hrflow-connectors/pushes?vendor=smartrecruiters&limit=1000');
      dead = (await cli.get('/hrflow-connectors/dead-letters?vendor=smartrecruiters&limit=1000')).items;
      const settled = new Set([...items.filter((e) => e.outcome === 'pushed').map((e) => e.profile), ...dead.map((d) => d.profile)]);
      if (settled.size < n) return false;
      settledAt = Date.now();
      return true;
    }, 10 * 60_000, 100);
    const resumedLine = /resuming (\d+) message/.exec(cli.out);
    await cli.stop('SIGINT');
    const store = new LevelLedgerStore(path.join(userDir, 'hrflow-connectors'));
    let pending;
    try {
      pending = (await store.pending()).length;
    } finally {
      await store.close();
    }
    const counts = candidatesByEmail(sb);
    let lost = 0;
    let duplicated = 0;
    for (const e of emails) {
      const c = counts.get(e) || 0;
      if (c === 0) lost++;
      if (c > 1) duplicated += c - 1;
    }
    const result = {
      profiles: n,
      rate,
      killAt,
      seenAtKill,
      reachedBeforeRestart: before,
      reachedAfterRestart: stored() - before,
      total: stored(),
      lost,
      duplicated,
      deadLetters: dead.length,
      deadCodes: dead.map((d) => d.code),
      outboxPendingAfter: pending,
      resumedByNode: resumedLine ? Number(resumedLine[1]) : 0,
      rateLimited429: sr.rateLimited,
      restartSeconds: (started - restart) / 1000,
      drainSeconds: (settledAt - restart) / 1000,
      idealDrainSeconds: (n - before) / rate,
    };
    log(`sigkill: reached before ${result.reachedBeforeRestart}, after ${result.reachedAfterRestart}, lost ${lost}, duplicated ${duplicated}, dead letters ${dead.length}, outbox left ${pending}, resumed ${result.resumedByNode}, 429 ${sr.rateLimited}; drain ${result.drainSeconds.toFixed(1)} s from the restart (start-up ${result.restartSeconds.toFixed(1)} s, ideal ${result.idealDrainSeconds.toFixed(1)} s at ${rate}/s)`);
    return result;
  } catch (err) {
    log(`sigkill: failed; Node-RED output:\n${cli.out.slice(-3000)}`);
    throw err;
  } finally {
    await cli.stop('SIGKILL');
    await sb.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}


// ---------------------------------------------------------------------------------------------
// (a) Throughput, ledger + outbox on against off, one runtime, interleaved rounds
// ---------------------------------------------------------------------------------------------

/** Counts the calls of the durable store's methods (LevelLedgerStore, the class the runtime's ledger opens). */
function countStoreCalls() {
  const { LevelLedgerStore } = require(dist('src', 'push', 'ledger-store'));
  const calls = { journal: 0, markSent: 0, settle: 0, put: 0, get: 0 };
  for (const name of Object.keys(calls)) {
    const original = LevelLedgerStore.prototype[name];
    LevelLedgerStore.prototype[name] = function counted(...a) {
      calls[name]++;
      return original.apply(this, a);
    };
  }
  return { calls, LevelLedgerStore };
}

async function throughputPart() {
  const { startRuntime, attachSinks, drive } = require('./lib/runtime');
  const { startSandbox } = require('./lib/sandbox');
  const { ourConfig, ourFlow, sinkIds } = require('./lib/flows');
  const profiles = args.profiles ?? 2000;
  const rounds = args.rounds ?? 6;
  const concurrency = args.concurrency ?? 32;
  const uploadCv = args.uploadCv === 'on';
  const t0 = Date.now();
  const { calls, LevelLedgerStore } = countStoreCalls();
  const sb = await startSandbox(args.sandbox ?? 'process', {
    generatedProfiles: profiles,
    rateLimits: { smartrecruiters: { perSecond: 100000, concurrent: 1000 } },
  });
  const keys = await sb.keys(profiles);
  // One runtime, with a user directory (the ledger's LevelDB goes to <userDir>/hrflow-connectors).
  // The "on" tab is deployed while hrflowLedger is true; then the setting is turned off and the "off" tab
  // added (a "nodes" deploy: the "on" nodes keep running, with their ledger): a push node reads the
  // setting when it is created.
  const runtime = await startRuntime({ settings: { hrflowLedger: true } });
  const cfg = ourConfig(sb);
  const onTab = ourFlow('ledger-on', sb, { uploadCv });
  const offTab = ourFlow('ledger-off', sb, { uploadCv });
  await runtime.deploy([...cfg.nodes, ...onTab], cfg.credentials);
  runtime.settings.hrflowLedger = false;
  // No credentials again: the config nodes stay unchanged, so the "on" nodes are not restarted.
  await runtime.deploy([...cfg.nodes, ...onTab, ...offTab], {}, 'nodes');
  runtime.settings.hrflowLedger = true;
  log(`throughput: sandbox ${sb.mode}, ${profiles} profiles per run, ${concurrency} in flight, upload_cv ${uploadCv ? 'on' : 'off'}, ${rounds} rounds; setup ${Date.now() - t0} ms`);

  function run(mode, count) {
    const tab = `ledger-${mode}`;
    const node = runtime.node(`${tab}-profile`);
    return drive({
      count,
      concurrency,
      inject: (i, tag) => node.receive({ bench_id: i, bench_run: tag, profile_key: keys[i % keys.length] }),
      subscribe: (onOutcome) => attachSinks(runtime, sinkIds(tab), onOutcome),
    });
  }
  const snapshot = () => ({ ...calls });
  const delta = (a) => Object.fromEntries(Object.keys(calls).map((k) => [k, calls[k] - a[k]]));

  // Warm-up (JIT, sockets, the LevelDB open) and the check that "on" writes the outbox and "off" does not.
  const check = {};
  for (const mode of ['on', 'off']) {
    await sb.reset();
    const c0 = snapshot();
    const r = await run(mode, Math.min(500, profiles));
    check[mode] = delta(c0);
    if (r.lost || r.extra || (r.kinds.ok || 0) !== r.count) throw new Error(`warm-up ${mode} failed: ${JSON.stringify(r)}`);
  }
  log(`throughput: store calls in the warm-up (500 messages): on ${JSON.stringify(check.on)}, off ${JSON.stringify(check.off)}`);
  if (check.on.journal < Math.min(500, profiles) || check.on.settle < Math.min(500, profiles)) throw new Error('the "on" flow did not journal and settle every message in the LevelDB store');
  if (check.off.journal || check.off.settle || check.off.put) throw new Error('the "off" flow wrote to the ledger store');

  const runs = { on: [], off: [] };
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    // on, off, off, on, on, off, ...: each mode goes first in half of the rounds.
    const order = r % 2 ? ['off', 'on'] : ['on', 'off'];
    const round = {};
    for (const mode of order) {
      await sb.reset();
      gc();
      const c0 = snapshot();
      const cpu0 = process.cpuUsage();
      const res = await run(mode, profiles);
      const cpu = process.cpuUsage(cpu0);
      res.cpuMsPerProfile = (cpu.user + cpu.system) / 1000 / profiles;
      res.storeCalls = delta(c0);
      const state = await sb.summary();
      res.created = state.created;
      res.duplicates = state.duplicates;
      round[mode] = res;
      runs[mode].push(res);
      log(`round ${r + 1}/${rounds} ledger ${mode.padEnd(3)}: ${res.perSecond.toFixed(0)} profiles/s (${res.seconds.toFixed(2)} s, cpu ${res.cpuMsPerProfile.toFixed(2)} ms/profile, ok ${res.kinds.ok || 0}, lost ${res.lost}, extra ${res.extra}, created ${res.created}, journal ${res.storeCalls.journal}, markSent ${res.storeCalls.markSent}, settle ${res.storeCalls.settle})`);
    }
    ratios.push(round.on.perSecond / round.off.perSecond);
  }

  // The store, read after: one ledger entry per profile, the outbox empty (shares the runtime's LevelDB handle).
  const dir = path.join(runtime.userDir, 'hrflow-connectors');
  const store = new LevelLedgerStore(dir);
  let stored;
  try {
    const entries = await store.recent({ limit: 1000 });
    const counts = await store.counts();
    stored = { ledgerEntriesRead: entries.length, outboxPending: counts.pending, deadLetters: counts.deadLetters, levelDbBytes: dirSize(dir) };
  } finally {
    await store.close();
  }
  log(`throughput: store after: ${JSON.stringify(stored)}`);
  await runtime.stop();
  await sb.close();

  const sum = (list, k) => list.reduce((a, x) => a + (x[k] || 0), 0);
  const summary = {};
  for (const mode of ['on', 'off']) {
    const list = runs[mode];
    summary[mode] = {
      perSecond: median(list.map((x) => x.perSecond)),
      cpuMsPerProfile: median(list.map((x) => x.cpuMsPerProfile)),
      all: list.map((x) => Math.round(x.perSecond)),
      lost: sum(list, 'lost'),
      extra: sum(list, 'extra'),
      errors: list.reduce((a, x) => a + (x.kinds.error || 0), 0),
      duplicates: sum(list, 'duplicates'),
      journalWrites: list.reduce((a, x) => a + x.storeCalls.journal, 0),
      settleWrites: list.reduce((a, x) => a + x.storeCalls.settle, 0),
    };
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  return {
    profiles, rounds, concurrency, uploadCv, sandbox: sb.mode,
    ratio: median(ratios),
    ratios,
    ratioRange: [sorted[0], sorted[sorted.length - 1]],
    summary,
    warmupStoreCalls: check,
    store: stored,
  };
}

// ---------------------------------------------------------------------------------------------
// (c) Heap and LevelDB size after 1k and after 10k pushes of the same 1k profiles
// ---------------------------------------------------------------------------------------------

async function churnPart() {
  const { startRuntime, attachSinks, drive } = require('./lib/runtime');
  const { startSandbox } = require('./lib/sandbox');
  const { ourConfig, ourFlow, sinkIds } = require('./lib/flows');
  const { LevelLedgerStore } = require(dist('src', 'push', 'ledger-store'));
  const distinct = args.distinct ?? 1000;
  const total = args.total ?? 10 * distinct;
  const concurrency = args.concurrency ?? 32;
  const t0 = Date.now();
  // The sandbox in its own process: the candidates it stores are not in this heap.
  const sb = await startSandbox(args.sandbox ?? 'process', {
    generatedProfiles: distinct,
    rateLimits: { smartrecruiters: { perSecond: 100000, concurrent: 1000 } },
  });
  const keys = await sb.keys(distinct);
  const runtime = await startRuntime();
  const cfg = ourConfig(sb);
  // on_duplicate push (ourFlow's setting): every message is a push, journaled and settled; the ledger
  // keeps one entry per profile.
  await runtime.deploy([...cfg.nodes, ...ourFlow('churn', sb, { uploadCv: false })], cfg.credentials);
  const dir = path.join(runtime.userDir, 'hrflow-connectors');
  const node = runtime.node('churn-profile');
  log(`churn: ${distinct} distinct profiles, ${total} pushes in batches of ${distinct}, ${concurrency} in flight; setup ${Date.now() - t0} ms`);

  const store = new LevelLedgerStore(dir); // shares the runtime's handle: reads only
  const measure = async (pushes) => {
    for (let i = 0; i < 3; i++) {
      gc();
      await sleep(20);
    }
    const m = process.memoryUsage();
    const files = fs.readdirSync(path.join(dir, 'ledger'));
    const bytes = dirSize(dir);
    const counts = await store.counts();
    const entries = (await store.recent({ limit: 1000 })).length;
    const point = {
      pushes,
      heapMB: m.heapUsed / 2 ** 20,
      rssMB: m.rss / 2 ** 20,
      levelDbKB: bytes / 1024,
      logKB: files.filter((f) => f.endsWith('.log')).reduce((a, f) => a + fs.statSync(path.join(dir, 'ledger', f)).size, 0) / 1024,
      tables: files.filter((f) => f.endsWith('.ldb')).length,
      outboxPending: counts.pending,
      ledgerEntriesRead: entries,
    };
    log(`churn: after ${pushes} pushes: heap ${point.heapMB.toFixed(2)} MB, rss ${point.rssMB.toFixed(0)} MB, LevelDB ${point.levelDbKB.toFixed(0)} KiB (log ${point.logKB.toFixed(0)} KiB, ${point.tables} tables), outbox ${point.outboxPending}, ledger entries read ${entries}`);
    return point;
  };

  const points = [];
  let pushed = 0;
  let lost = 0;
  let extra = 0;
  let errors = 0;
  try {
    while (pushed < total) {
      const count = Math.min(distinct, total - pushed);
      await sb.reset();
      const r = await drive({
        count,
        concurrency,
        inject: (i, tag) => node.receive({ bench_id: i, bench_run: tag, profile_key: keys[i % distinct] }),
        subscribe: (onOutcome) => attachSinks(runtime, sinkIds('churn'), onOutcome),
      });
      lost += r.lost;
      extra += r.extra;
      errors += r.kinds.error || 0;
      pushed += count;
      points.push(await measure(pushed));
    }
  } finally {
    await store.close();
    await runtime.stop();
    await sb.close();
  }
  const first = points[0];
  const last = points[points.length - 1];
  return {
    distinct, total, concurrency,
    heapFirstMB: first.heapMB,
    heapLastMB: last.heapMB,
    heapRatio: last.heapMB / first.heapMB,
    heapMaxMB: Math.max(...points.map((p) => p.heapMB)),
    levelDbFirstKB: first.levelDbKB,
    levelDbLastKB: last.levelDbKB,
    levelDbRatio: last.levelDbKB / first.levelDbKB,
    levelDbMaxKB: Math.max(...points.map((p) => p.levelDbKB)),
    outboxPendingLast: last.outboxPending,
    ledgerEntriesLast: last.ledgerEntriesRead,
    lost, extra, errors,
    points,
  };
}

const parts = { sigkill: sigkillPart, throughput: throughputPart, churn: churnPart };

async function main() {
  const part = String(args.part);
  if (!parts[part]) throw new Error(`--part must be one of ${Object.keys(parts).join(', ')}`);
  const t0 = Date.now();
  const result = await parts[part]();
  writeResult(args, { leg: `outbox-${part}`, part, machine: machine(), params: args, result, seconds: (Date.now() - t0) / 1000 });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
