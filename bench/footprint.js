'use strict';
/**
 * Footprint leg.
 *
 * 1. Start-up and idle memory: the real Node-RED CLI (node_modules/node-red/red.js), started
 *    --runs times with this package installed in its user directory and --runs times without,
 *    alternately, each in a fresh user directory with an empty flow file. Start-up = from spawn
 *    to the "Started flows" log line; idle RSS = the process's VmRSS (/proc) --idle-ms after it.
 *    The package's cost is the difference of the medians (and the median of per-pair differences).
 *
 * 2. First use: axios and ajv load on the first push, not at start-up; the one-time cost of
 *    loading them, measured in fresh processes.
 *
 * 3. Heap over time: our flow (hrflow-profile → hrflow-logic → hrflow-smartrecruiters, CV upload
 *    on) embedded in this process pushes 10 batches of 1 000 profiles to the sandbox, run in its
 *    own process so that what it stores is not in the heap measured; after a 500-profile warm-up
 *    and after each batch the sandbox's stored candidates and files are cleared, two full GCs run,
 *    then heapUsed is read. Heap after 10 000 profiles vs after 1 000, and the growth per 1 000.
 *
 *   node --expose-gc bench/footprint.js [--runs 15] [--idle-ms 1500] [--batches 10] [--batch 1000] [--out FILE]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { spawn } = require('node:child_process');
const { root, parseArgs, median, machine, log, writeResult, sleep, gcFunction } = require('./lib/common');
const { startRuntime, attachSinks, drive, linkPackage } = require('./lib/runtime');
const { startSandbox } = require('./lib/sandbox');
const { ourConfig, ourFlow, sinkIds } = require('./lib/flows');

const args = parseArgs(process.argv.slice(2), { runs: 15, idleMs: 1500, batches: 10, batch: 1000, concurrency: 32 });

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function rssOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** One CLI start: resolves { startMs, rssMB, loaded } and stops the process. */
async function cliStart(withPackage) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-bench-cli-'));
  if (withPackage) linkPackage(userDir);
  fs.writeFileSync(path.join(userDir, 'flows.json'), '[]');
  const port = await freePort();
  fs.writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = {
  uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', credentialSecret: false,
  editorTheme: { projects: { enabled: false } },
  telemetry: { enabled: false, updateNotification: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
  logging: { console: { level: 'info', metrics: false, audit: false } },
};\n`,
  );
  const red = process.env.NODE_RED_PATH || path.join(root, 'node_modules', 'node-red');
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [path.join(red, 'red.js'), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_RED_ENABLE_TOURS: 'false' },
  });
  let out = '';
  try {
    const startMs = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Node-RED did not start within 60 s:\n${out.slice(-2000)}`)), 60_000);
      const onData = (d) => {
        out += d;
        if (/Started flows/.test(out)) {
          clearTimeout(timer);
          resolve(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Node-RED exited (${code}) before starting:\n${out.slice(-2000)}`));
      });
    });
    await sleep(args.idleMs);
    const rssMB = rssOf(child.pid);
    // Read after the RSS: is the package in Node-RED's palette (admin API: GET /nodes)?
    const res = await fetch(`http://127.0.0.1:${port}/nodes`, { headers: { Accept: 'application/json' } });
    const sets = await res.json();
    const loaded = sets.some((s) => s.module === '@hrflow-connectors/node-red' && s.enabled !== false && !s.err);
    if (loaded !== withPackage) throw new Error(`the package was ${loaded ? '' : 'not '}loaded in the ${withPackage ? 'with' : 'without'} run`);
    return { startMs, rssMB };
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}

async function startupLeg() {
  const rows = { with: [], without: [] };
  await cliStart(true); // warm the file system cache for both variants
  await cliStart(false);
  for (let r = 0; r < args.runs; r++) {
    const order = r % 2 ? ['without', 'with'] : ['with', 'without'];
    for (const kind of order) {
      const res = await cliStart(kind === 'with');
      rows[kind].push(res);
      log(`start ${r + 1}/${args.runs} ${kind.padEnd(7)} package: ${res.startMs.toFixed(0)} ms to "Started flows", idle RSS ${res.rssMB.toFixed(1)} MB`);
    }
  }
  const pick = (kind, key) => rows[kind].map((x) => x[key]);
  const diffs = (key) => rows.with.map((x, i) => x[key] - rows.without[i][key]).sort((a, b) => a - b);
  const pairDiff = (key) => median(diffs(key));
  // Spread of the paired differences (interquartile range): how much of the figure is noise.
  const iqr = (key) => {
    const d = diffs(key);
    return [d[Math.floor((d.length - 1) / 4)], d[Math.ceil((3 * (d.length - 1)) / 4)]];
  };
  return {
    withPackage: { startMs: median(pick('with', 'startMs')), rssMB: median(pick('with', 'rssMB')) },
    withoutPackage: { startMs: median(pick('without', 'startMs')), rssMB: median(pick('without', 'rssMB')) },
    added: { startMs: pairDiff('startMs'), rssMB: pairDiff('rssMB'), startMsIqr: iqr('startMs'), rssMBIqr: iqr('rssMB') },
    all: rows,
  };
}

/**
 * What the first push pays once: loading axios, ajv and ajv-formats (deferred until then), in a
 * fresh process each time, medians of --runs.
 */
async function firstUseLeg() {
  const code = `const r0 = process.memoryUsage().rss; const t0 = process.hrtime.bigint();
require('axios'); require('ajv'); require('ajv-formats');
const ms = Number(process.hrtime.bigint() - t0) / 1e6; global.gc(); global.gc();
process.stdout.write(JSON.stringify({ ms, rssMB: (process.memoryUsage().rss - r0) / 1048576 }));`;
  const rows = [];
  for (let r = 0; r < args.runs; r++) {
    const out = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', '-e', code], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('error', reject);
      child.on('exit', (c) => (c === 0 ? resolve(JSON.parse(text)) : reject(new Error(`first-use probe exited ${c}`))));
    });
    rows.push(out);
  }
  return { ms: median(rows.map((x) => x.ms)), rssMB: median(rows.map((x) => x.rssMB)), all: rows };
}

async function heapLeg() {
  const gc = gcFunction();
  // The sandbox runs in its own process here, so that its stored candidates and files are not in
  // the heap being measured.
  const sb = await startSandbox('process', { generatedProfiles: args.batch, rateLimits: { smartrecruiters: { perSecond: 100000, concurrent: 1000 } } });
  const keys = await sb.keys(args.batch);
  const runtime = await startRuntime();
  const cfg = ourConfig(sb, 'mem');
  await runtime.deploy([...cfg.nodes, ...ourFlow('mem', sb, { uploadCv: true, config: 'mem' })], cfg.credentials);
  const entry = runtime.node('mem-profile');
  const batch = (count) =>
    drive({
      count,
      concurrency: args.concurrency,
      inject: (i, tag) => entry.receive({ bench_id: i, bench_run: tag, profile_key: keys[i % keys.length] }),
      subscribe: (onOutcome) => attachSinks(runtime, sinkIds('mem'), onOutcome),
    });
  const settle = async () => {
    await sb.reset();
    await sleep(200);
    gc();
    gc();
    return process.memoryUsage().heapUsed / 1048576;
  };
  await batch(Math.min(500, args.batch)); // warm-up: JIT, sockets, caches
  const base = await settle();
  const heap = [];
  let pushed = 0;
  let problems = 0;
  for (let b = 0; b < args.batches; b++) {
    const res = await batch(args.batch);
    pushed += args.batch;
    problems += res.lost + res.extra + (res.kinds.error || 0);
    heap.push({ profiles: pushed, heapMB: await settle() });
    log(`heap after ${pushed} profiles: ${heap[heap.length - 1].heapMB.toFixed(2)} MB (lost ${res.lost}, extra ${res.extra}, errors ${res.kinds.error || 0})`);
  }
  await runtime.stop();
  await sb.close();
  // Least-squares slope over the batches after the first: MB per 1 000 profiles.
  const pts = heap.slice(1);
  const mx = pts.reduce((a, p) => a + p.profiles, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.heapMB, 0) / pts.length;
  const slope = pts.reduce((a, p) => a + (p.profiles - mx) * (p.heapMB - my), 0) / pts.reduce((a, p) => a + (p.profiles - mx) ** 2, 0);
  const first = heap[0].heapMB;
  const last = heap[heap.length - 1].heapMB;
  return {
    baselineMB: base,
    after1k: first,
    afterAll: last,
    profiles: pushed,
    growthMB: last - first,
    ratio: last / first,
    slopeKBPer1000: slope * 1000 * 1024,
    problems,
    heap,
  };
}

async function main() {
  const t0 = Date.now();
  const startup = await startupLeg();
  log(`start-up: +${startup.added.startMs.toFixed(0)} ms, +${startup.added.rssMB.toFixed(1)} MB RSS with the package`);
  const firstUse = await firstUseLeg();
  log(`first push loads axios + ajv once: ${firstUse.ms.toFixed(0)} ms, ${firstUse.rssMB.toFixed(1)} MB RSS`);
  const heap = await heapLeg();
  writeResult(args, {
    leg: 'footprint',
    machine: machine(),
    params: { runs: args.runs, idleMs: args.idleMs, batches: args.batches, batch: args.batch },
    startup,
    firstUse,
    heap,
    seconds: (Date.now() - t0) / 1000,
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
