'use strict';
/**
 * Rate-limit saturation leg: 1 000 profiles through our flow (hrflow-profile → hrflow-logic →
 * hrflow-smartrecruiters, upload_cv off, so one SmartRecruiters request per profile) against a
 * sandbox whose SmartRecruiters emulator allows 50 requests/s (sliding 1 s window) and 8 in flight
 * per token, answering 429 above that. Ideal wall time: 1000 / 50 = 20 s.
 *
 * Counted per run: wall time, 429 answers the emulator sent (state.smartrecruiters.rateLimited),
 * retries (the push node's yellow "retry n/N" status updates), outcomes per message (lost = none,
 * extra = more than one), errors, and candidates stored twice for one email (duplicates).
 *
 *   node --expose-gc bench/saturation.js [--profiles 1000] [--rate 50] [--runs 3] [--concurrency 32] [--sandbox inprocess|process] [--out FILE]
 */
const { parseArgs, median, machine, log, writeResult, sleep, gcFunction } = require('./lib/common');
const { startRuntime, attachSinks, drive } = require('./lib/runtime');
const { startSandbox } = require('./lib/sandbox');
const { ourConfig, ourFlow, sinkIds } = require('./lib/flows');

const args = parseArgs(process.argv.slice(2), { sandbox: 'process', profiles: 1000, rate: 50, concurrent: 8, runs: 3, concurrency: 32 });
const gc = gcFunction();

async function main() {
  const t0 = Date.now();
  const sb = await startSandbox(args.sandbox, {
    generatedProfiles: args.profiles,
    rateLimits: { smartrecruiters: { perSecond: args.rate, concurrent: args.concurrent } },
  });
  const keys = await sb.keys(args.profiles);
  const runtime = await startRuntime();
  const cfg = ourConfig(sb, 'sat');
  await runtime.deploy([...cfg.nodes, ...ourFlow('sat', sb, { uploadCv: false, config: 'sat' })], cfg.credentials);

  // Count the push node's retry status updates (yellow ring "retry n/N …").
  const push = runtime.node('sat-push');
  let retries = 0;
  const status = push.status;
  push.status = function (s) {
    if (s && s.fill === 'yellow') {
      retries++;
      if (process.env.BENCH_DEBUG) log(`retry status: ${s.text}`);
    }
    return status.apply(this, arguments);
  };
  const entry = runtime.node('sat-profile');
  const ideal = args.profiles / args.rate;
  const results = [];
  // Warm-up, not measured: a few profiles, so that neither side is cold (the emulator compiles its
  // request schemas on first use, like any server after a restart; the account limiter learns the
  // announced limit from the first answer, as it does once in a long-running flow).
  await drive({
    count: 10,
    concurrency: 10,
    inject: (i, tag) => entry.receive({ bench_id: i, bench_run: tag, profile_key: keys[i % keys.length] }),
    subscribe: (onOutcome) => attachSinks(runtime, sinkIds('sat'), onOutcome),
  });
  for (let r = 0; r < args.runs; r++) {
    await sb.reset();
    retries = 0;
    await sleep(1100); // let the client limiter's window roll too: every run starts from a clean second
    gc();
    const res = await drive({
      count: args.profiles,
      concurrency: args.concurrency,
      inject: (i, tag) => entry.receive({ bench_id: i, bench_run: tag, profile_key: keys[i % keys.length] }),
      subscribe: (onOutcome) => attachSinks(runtime, sinkIds('sat'), onOutcome),
      stallMs: 90_000,
    });
    const state = await sb.summary();
    const out = {
      seconds: res.seconds,
      ratio: res.seconds / ideal,
      rateLimited: state.rateLimited,
      retries,
      lost: res.lost,
      extra: res.extra,
      ok: res.kinds.ok || 0,
      errors: res.kinds.error || 0,
      filtered: res.kinds.filtered || 0,
      duplicates: state.duplicates,
      created: state.created,
      firstErrors: res.firstErrors,
      rejectionReasons: state.reasons,
    };
    results.push(out);
    log(`run ${r + 1}/${args.runs}: ${out.seconds.toFixed(2)} s = ${out.ratio.toFixed(3)} × ideal ${ideal} s; 429 ${out.rateLimited}, retries ${out.retries}, ok ${out.ok}, errors ${out.errors}, lost ${out.lost}, extra ${out.extra}, duplicates ${out.duplicates}${out.rateLimited ? ` (429 reasons ${JSON.stringify(out.rejectionReasons)})` : ''}`);
  }
  const limits = runtime.node('sat-sr').limiter.limits;
  await runtime.stop();
  await sb.close();
  writeResult(args, {
    leg: 'saturation',
    machine: machine(),
    params: { sandbox: sb.mode, profiles: args.profiles, rate: args.rate, concurrent: args.concurrent, runs: args.runs, concurrency: args.concurrency, idealSeconds: ideal },
    adoptedLimit: limits,
    summary: {
      seconds: median(results.map((x) => x.seconds)),
      ratio: median(results.map((x) => x.ratio)),
      rateLimited: median(results.map((x) => x.rateLimited)),
      retries: median(results.map((x) => x.retries)),
      totalRateLimited: results.reduce((a, x) => a + x.rateLimited, 0),
      totalRetries: results.reduce((a, x) => a + x.retries, 0),
      lost: results.reduce((a, x) => a + x.lost, 0),
      extra: results.reduce((a, x) => a + x.extra, 0),
      errors: results.reduce((a, x) => a + x.errors, 0),
      duplicates: results.reduce((a, x) => a + x.duplicates, 0),
    },
    runs: results,
    seconds: (Date.now() - t0) / 1000,
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
