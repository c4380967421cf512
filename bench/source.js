'use strict';
/**
 * Source leg (issue 13, backpressure): the `hrflow-profiles` source lists --profiles (50 000) sandbox profiles,
 * in pages of --page-size (100), into a `hrflow-smartrecruiters` push node whose account (and the emulated
 * SmartRecruiters) allows --rate (100) creates per second, in a Node-RED runtime embedded in this process
 * (ledger on, in the runtime's user directory). The sandbox runs in its own process: what it stores is not in
 * the memory measured. Measured: idle RSS (flows deployed, two full GCs, before the run) and the peak RSS while
 * the source runs (sampled every 25 ms), the peak heap; the pacing seen from the sandbox (for each listing
 * request, how many of the profiles listed before it had not reached the ATS yet: below 2 pages when the source
 * waits for the pushes); candidates stored, lost, duplicated. The figure is 50 000 profiles into a
 * 10/s push node (83 minutes): the point checked here is that memory follows the page size, not the total, so
 * the pushes are faster and --profiles can be varied (memory must not grow with it).
 *
 *   node --expose-gc bench/source.js [--profiles 50000] [--page-size 100] [--rate 100] [--out FILE]
 */
const { parseArgs, machine, log, writeResult, gcFunction, sleep, waitFor } = require('./lib/common');
const { startRuntime } = require('./lib/runtime');
const { startSandbox } = require('./lib/sandbox');

const args = parseArgs(process.argv.slice(2), { profiles: 50_000, pageSize: 100, rate: 100 });
const gc = gcFunction();
const MiB = 1024 * 1024;

async function main() {
  const t0 = Date.now();
  const n = args.profiles;
  const pageSize = args.pageSize;
  const rate = args.rate;
  const sb = await startSandbox('process', { port: 0, quiet: true, generatedProfiles: n, rateLimits: { smartrecruiters: { perSecond: rate, concurrent: 16 } } });
  // The sandbox's source also holds its three fixture profiles.
  const total = n + 3;
  const runtime = await startRuntime();
  try {
    const at = { z: 'src-tab', x: 100, y: 100 };
    const flows = [
      { id: 'src-tab', type: 'tab', label: 'source bench' },
      { id: 'src-api', type: 'hrflow-api', name: 'sandbox', base_url: sb.urls.hrflow },
      { id: 'src-acc', type: 'hrflow-smartrecruiters-config', name: 'sr', base_url: sb.urls.smartrecruiters, rate_limit: rate },
      { id: 'src-src', type: 'hrflow-profiles', ...at, api: 'src-api', source_keys: sb.sourceKey, read_mode: 'sync', workflow_id: 'bench', interval: 0, page_size: pageSize, sort_by: 'created_at', wires: [['src-push'], ['src-sum']] },
      { id: 'src-push', type: 'hrflow-smartrecruiters', ...at, account: 'src-acc', job_id: 'bench-job', upload_cv: false, on_duplicate: 'skip', timeout: 30_000, retries: 3, retry_delay: 200, wires: [['src-ok']] },
      { id: 'src-ok', type: 'debug', ...at, active: false, tosidebar: false, console: false, tostatus: false, complete: 'false', targetType: 'msg', wires: [] },
      { id: 'src-sum', type: 'debug', ...at, active: false, tosidebar: false, console: false, tostatus: false, complete: 'false', targetType: 'msg', wires: [] },
      { id: 'src-catch', type: 'catch', ...at, scope: null, uncaught: false, wires: [['src-err']] },
      { id: 'src-err', type: 'debug', ...at, active: false, tosidebar: false, console: false, tostatus: false, complete: 'false', targetType: 'msg', wires: [] },
    ];
    await runtime.deploy(flows, { 'src-api': { api_secret: sb.credentials.hrflowApiKey, api_user: sb.credentials.hrflowUser }, 'src-acc': { x_smart_token: sb.credentials.smartToken } });
    let summary = null;
    let errors = 0;
    const firstErrors = [];
    runtime.node('src-sum').on('input', (m) => (summary = m.payload));
    runtime.node('src-err').on('input', (m) => {
      errors++;
      if (firstErrors.length < 3) firstErrors.push(`${m.error && m.error.message}`.slice(0, 200));
    });
    gc();
    gc();
    await sleep(1000);
    const idle = process.memoryUsage();
    let peakRss = idle.rss;
    let peakHeap = idle.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 25);
    // The live heap (after full GCs) every 5 s: the peak RSS counts garbage not yet collected too.
    let peakLiveHeap = idle.heapUsed;
    const live = setInterval(() => {
      gc();
      peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed);
    }, 5000);
    const started = Date.now();
    log(`source: ${total} profiles listed in pages of ${pageSize} into SmartRecruiters at ${rate}/s; idle RSS ${(idle.rss / MiB).toFixed(1)} MiB; setup ${started - t0} ms`);
    const progress = setInterval(async () => log(`source: ${(await sb.summary()).created} candidates after ${((Date.now() - started) / 1000).toFixed(0)} s, RSS now ${(process.memoryUsage().rss / MiB).toFixed(1)} MiB, peak ${(peakRss / MiB).toFixed(1)} MiB`), 15_000);
    try {
      runtime.node('src-src').receive({ payload: 'go' });
      await waitFor(() => summary !== null, 30 * 60_000, 'the source summary', 50);
    } finally {
      clearInterval(progress);
      clearInterval(sampler);
      clearInterval(live);
    }
    const seconds = (Date.now() - started) / 1000;
    gc();
    gc();
    const after = process.memoryUsage();
    const created = await sb.summary();
    const pacing = await sb.pacing(pageSize);
    const result = {
      profiles: total,
      pageSize,
      rate,
      seconds,
      perSecond: created.created / seconds,
      idleRssMiB: idle.rss / MiB,
      peakRssMiB: peakRss / MiB,
      rssGrowthMiB: (peakRss - idle.rss) / MiB,
      idleHeapMiB: idle.heapUsed / MiB,
      peakHeapMiB: peakHeap / MiB,
      peakLiveHeapMiB: peakLiveHeap / MiB,
      afterRssMiB: after.rss / MiB,
      afterHeapMiB: after.heapUsed / MiB,
      emitted: summary.emitted,
      pages: summary.pages,
      listings: pacing.listings,
      maxAhead: pacing.maxAhead,
      created: created.created,
      duplicates: created.duplicates,
      // The sandbox's edge-case fixture has no e-mail: an INVALID_PROFILE error (caught), not a loss.
      lost: total - (created.created - created.duplicates) - errors,
      errors,
      firstErrors,
      rateLimited: created.rateLimited,
    };
    log(`source: ${result.created} candidates in ${seconds.toFixed(1)} s (${result.perSecond.toFixed(0)}/s), RSS idle ${result.idleRssMiB.toFixed(1)} → peak ${result.peakRssMiB.toFixed(1)} MiB (+${result.rssGrowthMiB.toFixed(1)}), heap peak ${result.peakHeapMiB.toFixed(1)} MiB (live: idle ${result.idleHeapMiB.toFixed(1)}, peak ${result.peakLiveHeapMiB.toFixed(1)}, after ${result.afterHeapMiB.toFixed(1)} MiB); at most ${pacing.maxAhead} listed profiles not yet at the ATS when a page was read (${pacing.listings} listings); lost ${result.lost}, duplicated ${result.duplicates}, errors ${errors}`);
    writeResult(args, { leg: 'source', machine: machine(), params: args, result, seconds: (Date.now() - t0) / 1000 });
  } finally {
    await runtime.stop();
    await sb.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
