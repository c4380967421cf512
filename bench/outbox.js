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

const parts = { sigkill: sigkillPart };

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
