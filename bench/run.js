'use strict';
/**
 * `npm run bench`: runs each leg in its own Node.js process (so one leg's heap, JIT state and
 * sockets cannot colour another's), then prints one table of medians and ratios, with the
 * targets of issue #4 and whether this run met them. Raw results: bench/results/latest.json.
 *
 *   node bench/run.js [--legs throughput,saturation,footprint,cvmemory,outbox-throughput,outbox-sigkill,outbox-churn,redis,source,ha-saturation,ha-chaos,ha-push]
 *                     [--quick] [--runs N] [--profiles N]
 *
 * --quick: smaller figures for a smoke run (not for BENCHMARKS.md).
 * Exits 1 when a correctness row fails (a profile lost or duplicated, a 429 not handled, the payload
 * check); a performance target missed is reported in the table, not as a failure.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { parseArgs, machine, log } = require('./lib/common');

const args = parseArgs(process.argv.slice(2), {});
const OUTBOX_LEGS = 'outbox-throughput,outbox-sigkill,outbox-churn';
const HA_LEGS = 'ha-saturation,ha-chaos,ha-push';
const legs = String(args.legs ?? (args.quick ? `throughput,saturation,footprint,cvmemory,${OUTBOX_LEGS},redis,source,${HA_LEGS}` : `throughput,throughput-inprocess,saturation,footprint,cvmemory,${OUTBOX_LEGS},redis,source,${HA_LEGS}`)).split(',');

/**
 * Leg name → its script (throughput-inprocess is the throughput leg with the sandbox in-process;
 * outbox-<part> is bench/outbox.js --part <part>, ha-<part> bench/ha.js --part <part>).
 */
const script = (leg) => (leg.startsWith('throughput') ? 'throughput' : leg.startsWith('outbox-') ? 'outbox' : leg.startsWith('ha-') ? 'ha' : leg);

function legArgs(leg) {
  const a = [];
  const set = (k, v) => v !== undefined && a.push(`--${k}`, String(v));
  if (leg === 'throughput-inprocess') set('sandbox', 'inprocess');
  if (leg.startsWith('throughput')) {
    set('profiles', args.profiles ?? (args.quick ? 1000 : 5000));
    set('runs', args.runs ?? (args.quick ? 1 : 3));
  }
  if (leg === 'saturation') {
    set('runs', args.runs ?? (args.quick ? 1 : 3));
    if (args.quick) set('profiles', 200);
  }
  if (leg === 'cvmemory') {
    set('mib', args.quick ? 2 : 15);
    set('count', args.quick ? 4 : 20);
  }
  if (leg.startsWith('outbox-')) set('part', leg.slice('outbox-'.length));
  if (leg === 'outbox-throughput') {
    set('profiles', args.quick ? 500 : 2000);
    set('rounds', args.quick ? 2 : 8);
  }
  if (leg === 'outbox-churn' && args.quick) {
    set('distinct', 200);
    set('total', 1000);
  }
  if (leg === 'outbox-sigkill' && args.quick) {
    set('profiles', 60);
    set('kill-at', 10);
  }
  if (leg === 'redis') {
    set('ops', args.quick ? 1000 : 5000);
    set('rounds', args.quick ? 2 : 7);
  }
  if (leg === 'source' && args.quick) set('profiles', 3000);
  if (leg.startsWith('ha-')) {
    set('part', leg.slice('ha-'.length));
    if (args.quick) a.push('--quick');
    if (leg === 'ha-saturation') set('profiles', args.profiles);
  }
  if (leg === 'footprint') {
    set('runs', args.quick ? 3 : Math.max(15, args.runs ?? 15));
    if (args.quick) set('batches', 3);
  }
  return a;
}

function runLeg(leg) {
  const out = path.join(os.tmpdir(), `hrflow-bench-${leg}-${process.pid}.json`);
  const argv = ['--expose-gc', path.join(__dirname, `${script(leg)}.js`), ...legArgs(leg), '--out', out];
  log(`leg ${leg}: node ${argv.slice(1).map((x) => path.relative(process.cwd(), x) || x).join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench leg ${leg} failed (exit ${code})`));
      const result = JSON.parse(fs.readFileSync(out, 'utf8'));
      fs.rmSync(out, { force: true });
      resolve(result);
    });
  });
}

const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const met = (ok) => (ok ? 'met' : '**missed**');

/** Rows that check correctness (nothing lost or duplicated): a miss there fails the command. */
const broken = [];

function table(results) {
  const rows = [];
  const must = (figure, ok) => {
    if (!ok) broken.push(figure);
    return met(ok);
  };
  const row = (figure, value, target = '', status = '') => rows.push(`| ${figure} | ${value} | ${target} | ${status} |`);
  for (const leg of Object.keys(results).filter((l) => l.startsWith('throughput'))) {
    const tp = results[leg];
    const where = tp.params.sandbox === 'inprocess' ? 'sandbox in-process' : 'sandbox in its own process';
    for (const mode of Object.keys(tp.summary)) {
      const s = tp.summary[mode];
      const label = `upload_cv ${mode}, ${where}`;
      const cpu = (k) => (s[k] && Number.isFinite(s[k].cpuMsPerProfile) ? `, ${f2(s[k].cpuMsPerProfile)} ms CPU/profile` : '');
      row(`throughput, ${label}: our flow`, `${f0(s.ours?.perSecond)} profiles/s${cpu('ours')}`);
      row(`throughput, ${label}: hand-built peer (function + http request)`, `${f0(s.peer?.perSecond)} profiles/s${cpu('peer')}`);
      row(`throughput, ${label}: raw axios, same requests (the limit)`, `${f0(s.raw?.perSecond)} profiles/s${cpu('raw')}`);
      row(`throughput, ${label}: raw axios, the POSTs only`, `${f0(s.posts?.perSecond)} profiles/s${cpu('posts')}`);
      const r = s.ratios;
      row(`ratio ours / raw limit, ${label}`, f2(r.oursVsRaw), '≥ 0.80', met(r.oursVsRaw >= 0.8));
      row(`ratio ours / hand-built peer, ${label}`, f2(r.oursVsPeer), '≥ 1.10 ("well ahead")', met(r.oursVsPeer >= 1.1));
      row(`ratio ours / POSTs only, ${label}`, f2(r.oursVsPosts), '(reference)');
      const lost = (s.ours?.lost ?? 0) + (s.ours?.extra ?? 0) + (s.ours?.errors ?? 0) + (s.ours?.duplicates ?? 0);
      row(`our flow, ${label}: lost + duplicated + errors (all runs)`, String(lost), '0', must(`our flow, ${label}: lost/duplicated`, lost === 0));
    }
    row(`payload check (${where}): identical SmartRecruiters bodies, ours vs peer`, `${tp.payloadCheck.identical}/${tp.payloadCheck.of}`, 'all', must('payload check', tp.payloadCheck.identical === tp.payloadCheck.of));
  }
  const sat = results.saturation;
  if (sat) {
    const s = sat.summary;
    row(`saturation: ${sat.params.profiles} profiles at ${sat.params.rate} req/s, wall time`, `${f2(s.seconds)} s (ideal ${sat.params.idealSeconds} s)`);
    row('saturation: wall time / ideal', f3(s.ratio), '≤ 1.05', met(s.ratio <= 1.05));
    row('saturation: 429 answers seen / retries (median per run)', `${f0(s.rateLimited)} / ${f0(s.retries)}`, 'every 429 retried', must('saturation: 429 not handled', s.errors === 0));
    row('saturation: profiles lost / duplicated (all runs)', `${s.lost + s.extra + s.errors} / ${s.duplicates}`, '0 / 0', must('saturation: lost/duplicated', s.lost + s.extra + s.errors === 0 && s.duplicates === 0));
  }
  const fp = results.footprint;
  if (fp) {
    const st = fp.startup;
    row('Node-RED start-up, without / with the package', `${f0(st.withoutPackage.startMs)} / ${f0(st.withPackage.startMs)} ms`);
    const q = (r, f) => (r ? ` (IQR ${f(r[0])} … ${f(r[1])})` : '');
    row('start-up added by the package (median of paired differences)', `${f0(st.added.startMs)} ms${q(st.added.startMsIqr, f0)}`, '< 150 ms', met(st.added.startMs < 150));
    row('idle RSS, without / with the package', `${f1(st.withoutPackage.rssMB)} / ${f1(st.withPackage.rssMB)} MB`);
    row('idle RSS added by the package (median of paired differences)', `${f1(st.added.rssMB)} MB${q(st.added.rssMBIqr, f1)}`, '< 10 MB', met(st.added.rssMB < 10));
    if (fp.firstUse) row('one-time load on the first push (axios, ajv): time / RSS', `${f0(fp.firstUse.ms)} ms / ${f1(fp.firstUse.rssMB)} MB`, '(reference)');
    const h = fp.heap;
    row(`heap after 1 000 / after ${h.profiles.toLocaleString('en')} profiles (CV upload on)`, `${f2(h.after1k)} / ${f2(h.afterAll)} MB`);
    row('heap growth from 1 000 to the end / slope', `${f2(h.growthMB)} MB / ${f0(h.slopeKBPer1000)} KB per 1 000 profiles`, 'no growth beyond noise (< 1 MB)', met(h.growthMB < 1));
  }
  const cvm = results.cvmemory;
  if (cvm) {
    const { mib, count } = cvm.params;
    for (const [vendor, r] of Object.entries(cvm.results)) {
      const label = vendor === 'flatchr' ? 'flatchr (document mode)' : vendor;
      row(`CV memory, ${label}: peak RSS with ${count} concurrent ${mib} MiB CVs (idle after warm-up)`, `${f0(r.peakRssMiB)} MiB (${f0(r.rssBeforeMiB)} MiB)`, '< 300 MiB', met(r.peakRssMiB < 300));
      row(`CV memory, ${label}: pushed / errors / lost`, `${r.ok} / ${r.errors} / ${r.lost}`, `${count} / 0 / 0`, must(`CV memory ${vendor}: lost or failed`, r.ok === count && r.errors === 0 && r.lost === 0));
    }
  }
  const obt = results['outbox-throughput'];
  if (obt) {
    const t = obt.result;
    const label = `outbox, ledger + outbox on / off (hrflowLedger: false), ${t.concurrency} in flight, upload_cv ${t.uploadCv ? 'on' : 'off'}, one runtime, ${t.rounds} interleaved rounds`;
    row(`${label}: profiles/s on / off (medians)`, `${f0(t.summary.on.perSecond)} / ${f0(t.summary.off.perSecond)} (CPU ${f2(t.summary.on.cpuMsPerProfile)} / ${f2(t.summary.off.cpuMsPerProfile)} ms/profile)`);
    row(`${label}: ratio on / off (median of per-round ratios, range)`, `${f2(t.ratio)} (${f2(t.ratioRange[0])} … ${f2(t.ratioRange[1])})`, '≥ 0.90', met(t.ratio >= 0.9));
    const wrote = t.summary.on.journalWrites > 0 && t.summary.off.journalWrites === 0 && t.store.outboxPending === 0;
    row(`${label}: LevelDB journal / settle writes on, off; outbox left`, `${t.summary.on.journalWrites} / ${t.summary.on.settleWrites}, ${t.summary.off.journalWrites}; ${t.store.outboxPending}`, 'on writes, off none, 0 left', must('outbox throughput: the "on" flow did not use the LevelDB outbox', wrote));
    const lost = ['on', 'off'].reduce((a, m) => a + t.summary[m].lost + t.summary[m].extra + t.summary[m].errors + t.summary[m].duplicates, 0);
    row(`${label}: lost + duplicated + errors (all runs)`, String(lost), '0', must('outbox throughput: lost/duplicated', lost === 0));
  }
  const churn = results['outbox-churn'];
  if (churn) {
    const c = churn.result;
    const k = (n) => (n >= 1000 ? `${n / 1000}k` : String(n));
    const label = `outbox churn, the same ${k(c.distinct)} profiles pushed ${c.total / c.distinct} times (on_duplicate push)`;
    // The targets are read on the figures (1k then 10k); a --quick run's smaller figures are a smoke test.
    const full = c.distinct >= 1000 && c.total >= 10 * c.distinct;
    row(`${label}: heap after ${k(c.distinct)} / after ${k(c.total)} pushes (ratio)`, `${f2(c.heapFirstMB)} / ${f2(c.heapLastMB)} MB (${f2(c.heapRatio)})`, full ? 'flat: growth < 1 MB' : '(smoke)', full ? met(c.heapLastMB - c.heapFirstMB < 1) : '');
    row(`${label}: LevelDB directory after ${k(c.distinct)} / after ${k(c.total)} pushes (ratio; largest seen)`, `${f0(c.levelDbFirstKB)} / ${f0(c.levelDbLastKB)} KiB (${f2(c.levelDbRatio)}; ${f0(c.levelDbMaxKB)} KiB)`, full ? 'bounded: largest < first + 4 MiB (LevelDB log)' : '(smoke)', full ? met(c.levelDbMaxKB < c.levelDbFirstKB + 4096) : '');
    row(`${label}: outbox records left / ledger entries / lost + duplicated + errors`, `${c.outboxPendingLast} / ${c.ledgerEntriesLast} / ${c.lost + c.extra + c.errors}`, `0 / ${c.distinct} / 0`, must('outbox churn: outbox left, ledger entries or lost', c.outboxPendingLast === 0 && c.ledgerEntriesLast === Math.min(1000, c.distinct) && c.lost + c.extra + c.errors === 0));
  }
  const kill = results['outbox-sigkill'];
  if (kill) {
    const k = kill.result;
    const label = `outbox, SIGKILL with ${k.profiles} pushes waiting on a ${k.rate}/s limit (real Node-RED CLI)`;
    row(`${label}: reached the ATS before the kill / after the restart`, `${k.reachedBeforeRestart} / ${k.reachedAfterRestart}`, `${k.profiles} in all`);
    row(`${label}: lost / duplicated`, `${k.lost} / ${k.duplicated}`, '0 / 0', must('outbox SIGKILL: lost/duplicated', k.lost === 0 && k.duplicated === 0 && k.total === k.profiles));
    row(`${label}: dead letters / outbox records left`, `${k.deadLetters} / ${k.outboxPendingAfter}`, '0 / 0', must('outbox SIGKILL: dead letters or outbox left', k.deadLetters === 0 && k.outboxPendingAfter === 0));
    row(`${label}: time to drain from the restart (CLI start-up included)`, `${f1(k.drainSeconds)} s (start-up ${f1(k.restartSeconds)} s; ${k.profiles - k.reachedBeforeRestart} at ${k.rate}/s = ${f1(k.idealDrainSeconds)} s)`, '(reference)');
  }
  const redis = results.redis;
  if (redis) {
    const r = redis.result;
    if (r.skipped) row('Redis store (issue 14)', `skipped (${r.skipped})`);
    else {
      const label = (what) => `Redis store / embedded LevelDB store, ${what}, ${r.concurrency} in flight, loopback, both durable (appendfsync always / synced batches), ${r.rounds} interleaved rounds`;
      const s = r.summary;
      row(`${label('ledger puts')}: puts/s Redis / LevelDB (medians)`, `${f0(s.puts.redis)} / ${f0(s.puts.level)}`);
      row(`${label('ledger puts')}: ratio (median of per-round ratios, range)`, `${f2(s.puts.ratio)} (${f2(s.puts.ratioRange[0])} … ${f2(s.puts.ratioRange[1])})`, '≥ 0.80', met(s.puts.ratio >= 0.8));
      row(`${label("a push's writes: journal, mark sent, settle with its entry")}: pushes/s Redis / LevelDB (medians)`, `${f0(s.pushes.redis)} / ${f0(s.pushes.level)}`);
      row(`${label("a push's writes")}: ratio (median of per-round ratios, range)`, `${f2(s.pushes.ratio)} (${f2(s.pushes.ratioRange[0])} … ${f2(s.pushes.ratioRange[1])})`, '≥ 0.80', met(s.pushes.ratio >= 0.8));
    }
  }
  const src = results.source;
  if (src) {
    const r = src.result;
    const label = `source, hrflow-profiles listing ${r.profiles.toLocaleString('en')} profiles in pages of ${r.pageSize} into SmartRecruiters (${r.rate}/s allowed)`;
    // The figure is for 50 000 profiles; a --quick run's smaller one is a smoke test.
    const full = r.profiles >= 50_000;
    row(`${label}: RSS idle / peak (peak − idle)`, `${f1(r.idleRssMiB)} / ${f1(r.peakRssMiB)} MiB (+${f1(r.rssGrowthMiB)})`, full ? 'peak − idle ≤ 150 MiB' : '(smoke)', full ? met(r.rssGrowthMiB <= 150) : '');
    row(`${label}: live heap idle / peak / after (full GCs every 5 s)`, `${f1(r.idleHeapMiB)} / ${f1(r.peakLiveHeapMiB)} / ${f1(r.afterHeapMiB)} MiB`, '(reference)');
    row(`${label}: listed profiles not yet at the ATS when a page was read, at most`, `${r.maxAhead} (${r.listings} listings)`, `< 2 pages (${2 * r.pageSize})`, must('source: read ahead of the pushes', r.maxAhead < 2 * r.pageSize && r.listings === r.pages));
    row(`${label}: time, pushes/s`, `${f1(r.seconds)} s, ${f0(r.perSecond)}/s`, '(reference)');
    row(`${label}: lost / duplicated / errors (the fixture without e-mail)`, `${r.lost} / ${r.duplicates} / ${r.errors}`, '0 / 0 / 1', must('source: lost/duplicated', r.lost === 0 && r.duplicates === 0 && r.errors <= 1));
  }
  for (const part of ['saturation', 'chaos']) {
    const leg = results[`ha-${part}`];
    if (!leg) continue;
    const r = leg.result;
    if (r.skipped) {
      row(`HA ${part} (issue 14)`, `skipped (${r.skipped})`);
      continue;
    }
    const chaos = part === 'chaos' ? `, SIGKILL of one at 25 % (+ ${r.solos} profiles sent to it alone), Redis restarted at 60 %, lease ${r.leaseMs} ms` : '';
    const label = `HA ${part}, ${r.instances} Node-RED CLIs on one Redis store, one SmartRecruiters account at ${r.rate}/s, ${r.profiles.toLocaleString('en')} profiles each sent to two instances${chaos}`;
    row(`${label}: candidates / lost / duplicated / errors`, `${r.candidates} / ${r.lost} / ${r.duplicated} / ${r.errors}`, `${r.profiles + r.solos} / 0 / 0 / 0`, must(`HA ${part}: lost/duplicated`, r.lost === 0 && r.duplicated === 0 && r.errors === 0 && r.outboxPending === 0));
    row(`${label}: 429 answers`, String(r.rateLimited429), '0', met(r.rateLimited429 === 0));
    const ideal = `ideal ${f1(r.idealSeconds)} s = ${r.profiles + r.solos} × ${r.requestsPerPush} request / ${r.rate} per s; ${r.requests} requests seen`;
    if (part === 'saturation') row(`${label}: wall time / ideal`, `${f1(r.seconds)} s / ${f3(r.ratio)} (${ideal})`, '≤ 1.05', met(r.ratio <= 1.05));
    else row(`${label}: wall time (reference)`, `${f1(r.seconds)} s (${ideal})`, '(reference)');
  }
  const haPush = results['ha-push'];
  if (haPush) {
    const r = haPush.result;
    if (r.skipped) row('HA push-level, Redis store / embedded store (issue 14)', `skipped (${r.skipped})`);
    else {
      const label = `HA push-level, one Node-RED CLI, POST → push → answer, ${r.concurrency} in flight, no rate limit, ${r.rounds} interleaved rounds`;
      row(`${label}: profiles/s embedded / Redis store (medians)`, `${f0(r.embedded)} / ${f0(r.redis)}`);
      row(`${label}: ratio Redis / embedded (median of per-round ratios, range)`, `${f2(r.ratio)} (${f2(r.ratioRange[0])} … ${f2(r.ratioRange[1])})`, '≥ 0.80', met(r.ratio >= 0.8));
    }
  }
  return ['| figure | this run | target | status |', '|---|---|---|---|', ...rows].join('\n');
}

async function main() {
  const t0 = Date.now();
  const results = {};
  for (const leg of legs) results[leg] = await runLeg(leg);
  const m = machine();
  const text = table(results);
  const header = `Node ${m.node}, Node-RED ${m.nodeRed}, ${m.cpus} × ${m.cpuModel}, ${Math.round(m.totalMemMB / 1024)} GiB; ${((Date.now() - t0) / 1000).toFixed(0)} s${args.quick ? ' (--quick: smoke figures)' : ''}`;
  process.stdout.write(`\n${header}\n\n${text}\n\n`);
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify({ machine: m, when: new Date().toISOString(), args, results }, null, 2));
  fs.writeFileSync(path.join(dir, 'latest.md'), `${header}\n\n${text}\n`);
  log(`raw results: ${path.relative(process.cwd(), path.join(dir, 'latest.json'))}`);
  if (broken.length) {
    console.error(`bench: correctness check failed: ${broken.join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
