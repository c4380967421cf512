'use strict';
/**
 * CV memory leg (issue 10, defect 10): peak RSS of a real Node-RED runtime (embedded, bench/lib/runtime.js)
 * while one push node receives --count concurrent profiles whose CV is a --mib MiB PDF, per vendor
 * that downloads the CV itself: SmartRecruiters (multipart), Taleez (multipart), Broadbean (base64
 * in JSON), Flatchr in document mode (base64 in JSON). The sandbox runs in its own process (what it
 * stores is not in the figure) and serves the CV from /files/large/<MiB>.pdf.
 *
 * Each vendor runs in a fresh child process of this script, so its peak is its own: the figure is
 * process.resourceUsage().maxRSS at the end, next to the RSS after start-up and one small warm-up push.
 * `--budget off` sets hrflowCvDownload.maxMemoryMiB to 1 000 000 (no effective CV memory budget):
 * what the same code costs without it.
 *
 *   node bench/cvmemory.js [--vendors smartrecruiters,taleez,broadbean,flatchr] [--mib 15] [--count 20] [--budget on|off] [--out FILE]
 */
const path = require('node:path');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const { parseArgs, machine, log, writeResult } = require('./lib/common');

const args = parseArgs(process.argv.slice(2), { vendors: 'smartrecruiters,taleez,broadbean,flatchr', mib: 15, count: 20, budget: 'on' });
const FULL = '9a8b7c6d5e4f30211203a4b5c6d7e8f9a0b1c2d3';

const TARGETS = {
  smartrecruiters: {
    account: (sb) => ({ type: 'hrflow-smartrecruiters-config', base_url: sb.urls.smartrecruiters }),
    credentials: (sb) => ({ x_smart_token: sb.credentials.smartToken }),
    push: { on_duplicate: 'push', type: 'hrflow-smartrecruiters', job_id: 'job-42', upload_cv: true },
  },
  taleez: {
    account: (sb) => ({ type: 'hrflow-taleez-config', base_url: sb.urls.taleez }),
    credentials: (sb) => ({ x_taleez_api_secret: sb.credentials.taleezSecret }),
    push: { on_duplicate: 'push', type: 'hrflow-taleez', recruiter_id: '15886' },
  },
  broadbean: {
    account: (sb) => ({ type: 'hrflow-broadbean-config', source_id: sb.credentials.broadbeanSourceId, client_id: sb.credentials.broadbeanClientId, base_url: sb.urls.broadbean }),
    credentials: (sb) => ({ secret_key: sb.credentials.broadbeanSecret }),
    push: { on_duplicate: 'push', type: 'hrflow-broadbean', job_id: 'JOB-1' },
  },
  flatchr: {
    account: (sb) => ({ type: 'hrflow-flatchr-config', company: sb.credentials.flatchrCompany, careers_url: sb.urls.flatchr, base_url: sb.urls.flatchrApi }),
    credentials: (sb) => ({ auth: sb.credentials.flatchrApiKey }),
    push: { on_duplicate: 'push', type: 'hrflow-flatchr', vacancy: 'dev-backend-h-f', lookup_id: false, test_mode: false, cv_mode: 'document' },
  },
};

const MiB = 1024 * 1024;
const rssMiB = () => process.memoryUsage.rss() / MiB;
const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;

/** One vendor, in this (child) process. */
async function child(vendor) {
  const { startRuntime, attachSinks, drive } = require('./lib/runtime');
  const { startSandbox } = require('./lib/sandbox');
  const t = TARGETS[vendor];
  const sb = await startSandbox('process', {
    generatedProfiles: 0,
    rateLimits: { smartrecruiters: { perSecond: 100000, concurrent: 1000 }, taleez: { perMinute: 0 }, flatchr: { perMinute: 0 } },
  });
  const settings = args.budget === 'off' ? { hrflowCvDownload: { allowPrivateAddresses: true, maxMemoryMiB: 1e6 } } : undefined;
  const runtime = await startRuntime({ settings });
  try {
    const z = 'cvmem';
    await runtime.deploy(
      [
        { id: z, type: 'tab', label: 'cv memory' },
        { id: 'acc', name: 'sandbox', ...t.account(sb) },
        { id: 'push', z, name: vendor, account: 'acc', timeout: 120000, retries: 3, retry_delay: 200, wires: [['ok']], x: 100, y: 100, ...t.push },
        { id: 'catch', type: 'catch', z, scope: ['push'], uncaught: false, x: 100, y: 200, wires: [['err']] },
        { id: 'ok', type: 'debug', z, active: false, x: 300, y: 100, wires: [] },
        { id: 'err', type: 'debug', z, active: false, x: 300, y: 200, wires: [] },
      ],
      { acc: t.credentials(sb) },
    );
    const [template] = await sb.profiles([FULL]);
    if (!template) throw new Error('the sandbox has no fixture profile');
    const profileFor = (i, tag, mib) => {
      const p = structuredClone(template);
      p.info.email = `cv-${tag}-${i}-${Date.now()}@example.com`;
      for (const a of p.attachments) a.public_url = `${sb.url}/files/large/${mib}.pdf`;
      return p;
    };
    const run = (count, mib) =>
      drive({
        count,
        concurrency: count,
        stallMs: 120_000,
        inject: (i, tag) => runtime.node('push').receive({ payload: profileFor(i, tag, mib), bench_id: i, bench_run: tag }),
        subscribe: (onOutcome) => attachSinks(runtime, { ok: ['ok'], error: ['err'] }, onOutcome),
      });
    // Warm-up: one small CV (loads axios, ajv, the schemas).
    const warm = await run(1, 1);
    await sb.reset();
    if (global.gc) global.gc();
    const before = { rss: rssMiB(), maxRss: maxRssMiB() };
    let sampled = 0;
    const sampler = setInterval(() => (sampled = Math.max(sampled, rssMiB())), 10);
    const res = await run(args.count, args.mib);
    clearInterval(sampler);
    const result = {
      vendor,
      mib: args.mib,
      count: args.count,
      budget: args.budget,
      rssBeforeMiB: before.rss,
      peakRssMiB: Math.max(maxRssMiB(), sampled),
      sampledPeakMiB: sampled,
      seconds: res.seconds,
      ok: res.kinds.ok || 0,
      errors: res.kinds.error || 0,
      lost: res.lost + res.extra,
      firstErrors: [...warm.firstErrors, ...res.firstErrors],
    };
    return result;
  } finally {
    await runtime.stop();
    await sb.close();
  }
}

function runChild(vendor) {
  const out = path.join(os.tmpdir(), `hrflow-bench-cvmem-${vendor}-${process.pid}.json`);
  const argv = ['--expose-gc', __filename, '--child', vendor, '--mib', String(args.mib), '--count', String(args.count), '--budget', String(args.budget), '--out', out];
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, argv, { stdio: ['ignore', 'inherit', 'inherit'] });
    c.on('error', reject);
    c.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`cv memory leg for ${vendor} failed (exit ${code})`));
      const r = JSON.parse(fs.readFileSync(out, 'utf8'));
      fs.rmSync(out, { force: true });
      resolve(r);
    });
  });
}

async function main() {
  if (args.child) {
    const r = await child(String(args.child));
    fs.writeFileSync(args.out, JSON.stringify(r));
    return;
  }
  const results = {};
  for (const vendor of String(args.vendors).split(',')) {
    const r = await runChild(vendor);
    log(`cv memory ${vendor}: ${r.count} × ${r.mib} MiB CVs (budget ${r.budget}): peak RSS ${r.peakRssMiB.toFixed(0)} MiB (idle ${r.rssBeforeMiB.toFixed(0)} MiB), ok ${r.ok}, errors ${r.errors}, lost ${r.lost}, ${r.seconds.toFixed(1)} s${r.firstErrors.length ? `; ${r.firstErrors.join(' | ')}` : ''}`);
    results[vendor] = r;
  }
  writeResult(args, { leg: 'cvmemory', machine: machine(), params: { mib: args.mib, count: args.count, budget: args.budget }, results });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
