'use strict';
/**
 * Node-RED embedded in the bench process (the embedding API: require('node-red').init(settings)),
 * with this package linked into a temporary user directory exactly like scripts/start.js does, so
 * Node-RED loads it as an installed module. No editor, no admin HTTP server: only the runtime.
 *
 * Also: the driver that keeps N messages in flight and checks that every message ends in exactly
 * one outcome.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { root, sleep, waitFor, withTimeout, log } = require('./common');

/** node_modules/@hrflow-connectors/node-red -> the repository (what scripts/start.js does). */
function linkPackage(userDir) {
  const scopeDir = path.join(userDir, 'node_modules', '@hrflow-connectors');
  fs.mkdirSync(scopeDir, { recursive: true });
  fs.symlinkSync(root, path.join(scopeDir, 'node-red'), 'dir');
}

/**
 * Starts the runtime. `withPackage: false` leaves the package out (footprint baseline).
 * Returns { RED, userDir, deploy(flows, credentials), node(id), stop() }.
 */
async function startRuntime({ withPackage = true, logLevel = 'warn', settings = {} } = {}) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-bench-red-'));
  if (withPackage) linkPackage(userDir);
  fs.writeFileSync(path.join(userDir, 'flows.json'), '[]');
  const RED = require('node-red');
  // Kept: Node-RED reads settings.js values from this very object (a bench may change one, e.g. hrflowLedger,
  // between deploys; only a key given at init can be read).
  const initSettings = {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: false, // no editor / admin API: only the runtime is measured
    httpNodeRoot: false,
    uiHost: '127.0.0.1',
    functionExternalModules: false,
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    editorTheme: { projects: { enabled: false } },
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    logging: { console: { level: logLevel, metrics: false, audit: false } },
    // The sandbox serves the CVs on 127.0.0.1, an address class refused by default.
    hrflowCvDownload: { allowPrivateAddresses: true },
    ...settings,
  };
  RED.init(initSettings);
  // RED.start() resolves before the (empty) startup flows are loaded: wait for them, else their
  // late credentials load would wipe the credentials of our first deploy.
  const started = new Promise((resolve) => RED.events.once('flows:started', resolve));
  await RED.start();
  await withTimeout(started, 10_000, 'Node-RED to start its flows');
  if (withPackage) {
    const types = ['hrflow-profile', 'hrflow-logic', 'hrflow-smartrecruiters'];
    for (const t of types) if (!RED.nodes.getType(t)) throw new Error(`Node-RED did not load the package (no ${t} node type)`);
  }
  let stopped = false;
  return {
    RED,
    version: typeof RED.version === 'function' ? RED.version() : RED.version,
    userDir,
    settings: initSettings,
    /** Full deploy (or `deploymentType` "nodes": only new and changed nodes restart); resolves once every node of the new flows exists. */
    async deploy(flows, credentials = {}, deploymentType = 'full') {
      const started = new Promise((resolve) => RED.events.once('flows:started', resolve));
      // Credentials travel on the nodes, as when the editor deploys (the runtime extracts them).
      const withCreds = flows.map((n) => (credentials[n.id] ? { ...n, credentials: { ...credentials[n.id] } } : n));
      await RED.runtime.flows.setFlows({ flows: { flows: withCreds }, deploymentType });
      await withTimeout(started, 10_000, 'the deployed flows to start');
      const ids = flows.filter((n) => n.type !== 'tab').map((n) => n.id);
      await waitFor(() => ids.every((id) => RED.nodes.getNode(id)), 10_000, 'the deployed nodes');
    },
    node(id) {
      const n = RED.nodes.getNode(id);
      if (!n) throw new Error(`no node ${id} in the running flows`);
      return n;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await RED.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/**
 * Listens on sink nodes and counts outcomes per message (`msg.bench_id`, `msg.bench_run`).
 * `sinks` maps an outcome kind ("ok", "filtered", "error") to node ids.
 */
function attachSinks(runtime, sinks, onOutcome) {
  const listeners = [];
  for (const [kind, ids] of Object.entries(sinks)) {
    for (const id of ids) {
      const node = runtime.node(id);
      const fn = (msg) => onOutcome(kind, msg);
      node.on('input', fn);
      listeners.push(() => node.removeListener('input', fn));
    }
  }
  return () => listeners.forEach((off) => off());
}

let runCounter = 0;

/**
 * Keeps `concurrency` messages in flight until `count` have produced an outcome.
 * `inject(i, tag)` starts message i (it must carry `bench_id: i` and `bench_run: tag` to the sinks);
 * `subscribe(onOutcome)` attaches the outcome listener and returns an unsubscribe function.
 * Resolves with timing and the per-message outcome check (lost = no outcome, extra = more than one).
 * Bounded: gives up when no message completes for `stallMs`.
 */
async function drive({ count, concurrency, inject, subscribe, stallMs = 60_000, settleMs = 300 }) {
  const tag = ++runCounter;
  const outcomes = new Uint8Array(count);
  const kinds = {};
  let completed = 0;
  let extra = 0;
  let stray = 0;
  let next = 0;
  let lastProgress = Date.now();
  let endNs = 0n;
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const firstErrors = [];

  const launch = () => {
    while (next < count && next - completed < concurrency) {
      const i = next++;
      try {
        inject(i, tag);
      } catch (err) {
        onOutcome('error', { bench_id: i, bench_run: tag, error: { message: `inject failed: ${err.message}` } });
      }
    }
  };
  function onOutcome(kind, msg) {
    if (!msg || msg.bench_run !== tag || typeof msg.bench_id !== 'number' || msg.bench_id >= count) {
      stray++;
      return;
    }
    const i = msg.bench_id;
    outcomes[i] = Math.min(255, outcomes[i] + 1);
    if (outcomes[i] > 1) {
      extra++;
      return;
    }
    kinds[kind] = (kinds[kind] || 0) + 1;
    if (kind === 'error' && firstErrors.length < 3) {
      firstErrors.push(msg.error ? `${msg.error.code || ''} ${msg.error.message || msg.error}`.trim() : JSON.stringify(msg.payload).slice(0, 200));
    }
    completed++;
    lastProgress = Date.now();
    if (completed === count) {
      endNs = process.hrtime.bigint();
      resolveDone();
    } else launch();
  }

  const unsubscribe = subscribe(onOutcome);
  const stall = setInterval(() => {
    if (Date.now() - lastProgress > stallMs) resolveDone();
  }, 1000);
  const startNs = process.hrtime.bigint();
  launch();
  await done;
  clearInterval(stall);
  if (!endNs) endNs = process.hrtime.bigint();
  await sleep(settleMs); // late duplicates would show up here
  unsubscribe();
  let lost = 0;
  for (let i = 0; i < count; i++) if (outcomes[i] === 0) lost++;
  const seconds = Number(endNs - startNs) / 1e9;
  if (lost || extra || firstErrors.length) {
    log(`run ${tag}: ${count} messages, lost ${lost}, extra ${extra}, outcomes ${JSON.stringify(kinds)}${firstErrors.length ? `, first errors: ${firstErrors.join(' | ')}` : ''}`);
  }
  return { count, seconds, perSecond: completed / seconds, completed, lost, extra, stray, kinds, firstErrors };
}

module.exports = { startRuntime, attachSinks, drive, linkPackage };
