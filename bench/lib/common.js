'use strict';
/**
 * Small helpers shared by the benchmark legs: arguments, medians, machine facts, result files.
 * Plain CommonJS, no dependencies beyond the package's own.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const dist = (...p) => path.join(root, 'dist', ...p);

/** `--name value` / `--flag` arguments into an object (numbers parsed). */
function parseArgs(argv, defaults = {}) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2).replace(/-([a-z])/g, (_m, c) => c.toUpperCase());
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[key] = true;
    else {
      out[key] = /^-?\d+(\.\d+)?$/.test(next) ? Number(next) : next;
      i++;
    }
  }
  return out;
}

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}

function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    nodeRed: require(path.join(root, 'node_modules', 'node-red', 'package.json')).version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0] ? cpus[0].model.trim() : 'unknown',
    availableParallelism: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    totalMemMB: Math.round(os.totalmem() / 1048576),
  };
}

/** Progress lines go to stderr so a leg's stdout stays clean. */
function log(...parts) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${parts.join(' ')}\n`);
}

/** A leg writes its result as JSON to `--out FILE` (run.js reads it), else prints it. */
function writeResult(args, result) {
  const text = JSON.stringify(result, null, 2);
  if (args.out) fs.writeFileSync(String(args.out), text);
  else process.stdout.write(`${text}\n`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `fn()` is truthy; polls every `stepMs`, gives up (rejects) after `timeoutMs`. */
async function waitFor(fn, timeoutMs, what, stepMs = 20) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await fn()) return;
    await sleep(stepMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The promise, or a rejection after `ms` (the timer is cleared either way). */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** mulberry32: a small seeded generator of numbers in [0, 1) (bench/lib/ha.js, test/e2e/sigkill.spec.ts). */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Forces a full GC (the legs run with --expose-gc; the flag is set here too as a fallback). */
function gcFunction() {
  if (typeof global.gc === 'function') return global.gc;
  require('node:v8').setFlagsFromString('--expose-gc');
  return require('node:vm').runInNewContext('gc');
}

module.exports = { root, dist, parseArgs, median, sum, machine, log, writeResult, sleep, waitFor, withTimeout, gcFunction, seeded };
