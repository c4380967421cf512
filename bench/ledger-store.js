'use strict';
/**
 * Compares embedded stores for the push ledger (issue 12), same measures for each:
 * durable put latency (awaited until on disk), throughput at 32 concurrent puts, get latency,
 * file size and heap after 1k and 10k entries, open time with 10k entries, and whether an entry
 * survives a SIGKILL right after its awaited put (a real child process, a real kill -9, a reopen).
 *
 *   node bench/ledger-store.js [--only name,name] [--quick] [--dir /tmp/x] [--json out.json]
 *
 * Candidates that are not installed (require fails) are skipped, so this runs with the project's
 * own dependency (classic-level) alone. To compare all of them, install the others in a scratch
 * directory and point NODE_PATH at its node_modules (see docs/LEDGER-STORE.md).
 * Each candidate runs in its own process (node --expose-gc), so one cannot colour another's heap.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const CANDIDATES = ['ledger-store', 'classic-level', 'lmdb', 'nedb', 'sql.js', 'better-sqlite3', 'node:sqlite', 'jsonl'];

// ---------------------------------------------------------------------------------------------
// Adapters: open(dir) → { put(entry) (resolves when durable), get(key), close(), files }
// ---------------------------------------------------------------------------------------------

function fsyncPath(p) {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Group commit: puts arriving while a flush runs share the next flush. */
function groupCommit(flush) {
  let pending = [];
  let running = null;
  const run = async () => {
    while (pending.length) {
      const batch = pending;
      pending = [];
      try {
        await flush(batch.map((b) => b.item));
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    running = null;
  };
  return (item) =>
    new Promise((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (!running) running = run();
    });
}

const adapters = {
  'ledger-store': {
    fsync: "this project's LevelLedgerStore (dist/, after npm run build): classic-level + 4 index records per entry, one synced batch per group of waiting puts",
    load: () => require(path.join(__dirname, '..', 'dist', 'src', 'push', 'ledger-store.js')),
    async open(dir) {
      const { LevelLedgerStore } = this.load();
      const store = new LevelLedgerStore(dir);
      await store.open();
      return store;
    },
  },
  'classic-level': {
    fsync: 'LevelDB write with {sync:true}: fdatasync of the write-ahead log per write (batched puts share one)',
    load: () => require('classic-level'),
    async open(dir) {
      const { ClassicLevel } = this.load();
      const db = new ClassicLevel(path.join(dir, 'ledger'), { valueEncoding: 'json' });
      await db.open();
      return {
        put: (e) => db.put(e.key, e, { sync: true }),
        get: (k) => db.get(k),
        close: () => db.close(),
      };
    },
  },
  lmdb: {
    fsync: 'LMDB commit then `await db.flushed` (overlappingSync: msync/fdatasync after commit; concurrent puts share one transaction)',
    load: () => require('lmdb'),
    async open(dir) {
      const { open } = this.load();
      const db = open({ path: path.join(dir, 'ledger.mdb'), encoding: 'json' });
      return {
        put: async (e) => {
          await db.put(e.key, e);
          await db.flushed;
        },
        get: async (k) => db.get(k),
        close: () => db.close(),
      };
    },
  },
  nedb: {
    fsync: 'none on a put: fs.appendFile of one line (fsync only when it compacts)',
    load: () => require('@seald-io/nedb'),
    async open(dir) {
      const Datastore = this.load();
      const db = new Datastore({ filename: path.join(dir, 'ledger.db') });
      await db.loadDatabaseAsync();
      return {
        put: (e) => db.updateAsync({ _id: e.key }, { _id: e.key, ...e }, { upsert: true }),
        get: async (k) => {
          const d = await db.findOneAsync({ _id: k });
          return d || undefined;
        },
        close: () => db.compactDatafileAsync(),
      };
    },
  },
  'sql.js': {
    fsync: 'whole database exported and rewritten (tmp file, fsync, rename) per commit; concurrent puts share one rewrite',
    load: () => require('sql.js'),
    async open(dir) {
      const initSqlJs = this.load();
      const SQL = await initSqlJs();
      const file = path.join(dir, 'ledger.sqlite');
      const db = fs.existsSync(file) ? new SQL.Database(fs.readFileSync(file)) : new SQL.Database();
      db.run('CREATE TABLE IF NOT EXISTS ledger (key TEXT PRIMARY KEY, v TEXT)');
      const ins = db.prepare('INSERT OR REPLACE INTO ledger VALUES (?, ?)');
      const sel = db.prepare('SELECT v FROM ledger WHERE key = ?');
      const commit = groupCommit(async (entries) => {
        for (const e of entries) ins.run([e.key, JSON.stringify(e)]);
        const tmp = `${file}.tmp`;
        fs.writeFileSync(tmp, db.export());
        fsyncPath(tmp);
        fs.renameSync(tmp, file);
        fsyncPath(dir);
      });
      return {
        put: commit,
        get: async (k) => {
          sel.bind([k]);
          const v = sel.step() ? JSON.parse(sel.get()[0]) : undefined;
          sel.reset();
          return v;
        },
        close: async () => db.close(),
      };
    },
  },
  'better-sqlite3': {
    fsync: 'SQLite WAL, synchronous=FULL: fsync of the WAL per transaction (synchronous API: one put at a time)',
    load: () => require('better-sqlite3'),
    async open(dir) {
      const Database = this.load();
      const db = new Database(path.join(dir, 'ledger.sqlite'));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE IF NOT EXISTS ledger (key TEXT PRIMARY KEY, v TEXT)');
      const ins = db.prepare('INSERT OR REPLACE INTO ledger VALUES (?, ?)');
      const sel = db.prepare('SELECT v FROM ledger WHERE key = ?');
      return {
        put: async (e) => void ins.run(e.key, JSON.stringify(e)),
        get: async (k) => {
          const r = sel.get(k);
          return r ? JSON.parse(r.v) : undefined;
        },
        close: async () => db.close(),
      };
    },
  },
  'node:sqlite': {
    fsync: 'SQLite WAL, synchronous=FULL (built into Node >= 22.5 only)',
    load: () => require('node:sqlite'),
    async open(dir) {
      const { DatabaseSync } = this.load();
      const db = new DatabaseSync(path.join(dir, 'ledger.sqlite'));
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
      db.exec('CREATE TABLE IF NOT EXISTS ledger (key TEXT PRIMARY KEY, v TEXT)');
      const ins = db.prepare('INSERT OR REPLACE INTO ledger VALUES (?, ?)');
      const sel = db.prepare('SELECT v FROM ledger WHERE key = ?');
      return {
        put: async (e) => void ins.run(e.key, JSON.stringify(e)),
        get: async (k) => {
          const r = sel.get(k);
          return r ? JSON.parse(r.v) : undefined;
        },
        close: async () => db.close(),
      };
    },
  },
  jsonl: {
    fsync: 'hand-written: append lines, fdatasync per group commit; in-memory index key → file offset',
    load: () => true,
    async open(dir) {
      const file = path.join(dir, 'ledger.jsonl');
      const index = new Map();
      let size = 0;
      if (fs.existsSync(file)) {
        const buf = fs.readFileSync(file);
        let start = 0;
        for (let i = 0; i < buf.length; i++) {
          if (buf[i] !== 10) continue;
          try {
            const e = JSON.parse(buf.toString('utf8', start, i));
            index.set(e.key, [start, i - start]);
          } catch {
            /* a torn line: skipped */
          }
          start = i + 1;
        }
        size = start;
        if (start < buf.length) fs.truncateSync(file, start);
      }
      const fd = fs.openSync(file, 'a+');
      const append = groupCommit(async (entries) => {
        let chunk = '';
        const at = [];
        for (const e of entries) {
          const line = JSON.stringify(e);
          at.push([e.key, size + Buffer.byteLength(chunk), Buffer.byteLength(line)]);
          chunk += line + '\n';
        }
        const b = Buffer.from(chunk);
        await new Promise((res, rej) => fs.write(fd, b, 0, b.length, null, (err) => (err ? rej(err) : res())));
        await new Promise((res, rej) => fs.fdatasync(fd, (err) => (err ? rej(err) : res())));
        size += b.length;
        for (const [k, p, l] of at) index.set(k, [p, l]);
      });
      return {
        put: append,
        get: async (k) => {
          const at = index.get(k);
          if (!at) return undefined;
          const b = Buffer.alloc(at[1]);
          fs.readSync(fd, b, 0, at[1], at[0]);
          return JSON.parse(b.toString());
        },
        close: async () => fs.closeSync(fd),
      };
    },
  },
};

// ---------------------------------------------------------------------------------------------

const VENDORS = ['smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez'];
const OUTCOMES = ['pushed', 'pushed', 'pushed', 'partial', 'failed', 'unknown'];

function entry(i) {
  const key = require('node:crypto').createHash('sha256').update(`k${i}`).digest('hex');
  return {
    key,
    vendor: VENDORS[i % 5],
    account: key.slice(0, 32),
    target: `job:${1000 + (i % 17)}|pools:${200 + (i % 3)},${300 + (i % 7)}`,
    profile: `hrflow:source-key-${i % 11}/profile-key-${i}-0123456789abcdef`,
    outcome: OUTCOMES[i % OUTCOMES.length],
    candidateId: `cand-${i}-${key.slice(0, 12)}`,
    steps: [
      { step: 'create', status: 'done' },
      { step: 'cv', status: 'done' },
      { step: 'assign', status: i % 6 === 3 ? 'failed' : 'done' },
    ],
    code: i % 6 === 3 ? 'PARTIAL_PUSH' : undefined,
    at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  };
}

function dirSize(p) {
  let n = 0;
  for (const d of fs.readdirSync(p, { withFileTypes: true })) {
    const f = path.join(p, d.name);
    n += d.isDirectory() ? dirSize(f) : fs.statSync(f).size;
  }
  return n;
}

const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function heapMiB() {
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  // heapUsed + external: a WASM memory (sql.js) or Buffers are external; native memory (LevelDB's
  // memtable and block cache, LMDB's map) is in neither, see rss.
  return { heap: (m.heapUsed + m.external) / 2 ** 20, rss: m.rss / 2 ** 20 };
}

async function putConcurrent(db, from, to, concurrency) {
  let next = from;
  const worker = async () => {
    while (next < to) await db.put(entry(next++));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** One candidate, in this process (run with --expose-gc). */
async function measure(name, base, quick) {
  const a = adapters[name];
  const dir = fs.mkdtempSync(path.join(base, `${name.replace(/[^a-z0-9]/gi, '_')}-`));
  const r = { name, fsync: a.fsync };
  const heap0 = await heapMiB();
  let db = await a.open(dir);

  // Durable put latency: one at a time.
  const nSeq = quick ? 50 : 200;
  const lat = [];
  for (let i = 0; i < nSeq; i++) {
    const t0 = process.hrtime.bigint();
    await db.put(entry(i));
    lat.push(ms(t0));
  }
  r.putP50 = pct(lat, 0.5);
  r.putP99 = pct(lat, 0.99);

  // Throughput: 32 puts in flight.
  const nConc = quick ? 300 : 1000 - nSeq;
  const t1 = process.hrtime.bigint();
  await putConcurrent(db, nSeq, nSeq + nConc, 32);
  r.putsPerSec32 = Math.round(nConc / (ms(t1) / 1000));

  // 1k entries now.
  r.size1k = dirSize(dir);
  ({ heap: r.heap1k, rss: r.rss1k } = await heapMiB());
  r.heap1k -= heap0.heap;
  r.rss1k -= heap0.rss;

  // 10k entries (filled with 32 in flight).
  const total = quick ? 3000 : 10_000;
  const t2 = process.hrtime.bigint();
  await putConcurrent(db, nSeq + nConc, total, 32);
  r.fillSec = ms(t2) / 1000;
  r.size10k = dirSize(dir);
  ({ heap: r.heap10k, rss: r.rss10k } = await heapMiB());
  r.heap10k -= heap0.heap;
  r.rss10k -= heap0.rss;
  r.total = total;

  // Get latency (random keys).
  const glat = [];
  for (let i = 0; i < 1000; i++) {
    const k = entry((i * 7919) % total).key;
    const t0 = process.hrtime.bigint();
    const e = await db.get(k);
    glat.push(ms(t0));
    if (!e || e.key !== k) throw new Error(`${name}: get lost ${k}`);
  }
  r.getP50 = pct(glat, 0.5);

  // Open time with 10k entries.
  await db.close();
  db = null;
  const t3 = process.hrtime.bigint();
  db = await a.open(dir);
  r.openMs = ms(t3);
  ({ heap: r.heapOpen10k, rss: r.rssOpen10k } = await heapMiB());
  r.heapOpen10k -= heap0.heap;
  r.rssOpen10k -= heap0.rss;
  if (!(await db.get(entry(total - 1).key))) throw new Error(`${name}: reopen lost the last entry`);
  await db.close();

  // SIGKILL right after an awaited put, in a child process.
  r.sigkill = await sigkill(name, fs.mkdtempSync(path.join(base, `kill-${name.replace(/[^a-z0-9]/gi, '_')}-`)));
  fs.rmSync(dir, { recursive: true, force: true });
  return r;
}

/** Child: open, put 5 entries, say "put <i>" after each awaited put; the parent kills it after the 5th. */
async function child(name, dir) {
  const db = await adapters[name].open(dir);
  for (let i = 0; i < 5; i++) {
    await db.put(entry(i));
    process.stdout.write(`put ${i}\n`);
  }
  setInterval(() => {}, 1000); // wait to be killed
}

async function sigkill(name, dir) {
  const kid = spawn(process.execPath, [__filename, '--child', name, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    kid.stdout.on('data', (b) => {
      out += b;
      if (out.includes('put 4\n')) {
        kid.kill('SIGKILL');
        resolve();
      }
    });
    kid.on('exit', (code, sig) => (sig === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}`))));
  });
  await new Promise((r) => (kid.exitCode !== null || kid.signalCode ? r() : kid.on('exit', r)));
  const db = await adapters[name].open(dir);
  let kept = 0;
  for (let i = 0; i < 5; i++) if (await db.get(entry(i).key)) kept++;
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return `${kept}/5 kept`;
}

function available(name) {
  try {
    adapters[name].load();
    return true;
  } catch (err) {
    return String(err.code || err.message).split('\n')[0];
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const arg = (k) => {
    const i = argv.indexOf(`--${k}`);
    return i < 0 ? undefined : argv[i + 1];
  };
  if (argv[0] === '--child') return child(argv[1], argv[2]);
  if (argv[0] === '--measure') {
    const r = await measure(argv[1], argv[2], argv.includes('--quick'));
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
    return;
  }
  const quick = argv.includes('--quick');
  const base = fs.mkdtempSync(path.join(arg('dir') || os.tmpdir(), 'ledger-bench-'));
  const names = arg('only') ? arg('only').split(',') : CANDIDATES;
  const results = [];
  console.log(`node ${process.version} ${process.platform}-${process.arch}, ${os.cpus()[0]?.model}, dir ${base}`);
  for (const name of names) {
    const ok = available(name);
    if (ok !== true) {
      console.log(`${name}: skipped (${ok})`);
      results.push({ name, skipped: ok });
      continue;
    }
    const out = await new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ['--expose-gc', __filename, '--measure', name, base, ...(quick ? ['--quick'] : [])], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let s = '';
      p.stdout.on('data', (b) => (s += b));
      p.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`${name}: exit ${code}\n${s}`))));
    }).catch((err) => `ERROR ${err.message}`);
    const line = out.split('\n').find((l) => l.startsWith('RESULT '));
    const r = line ? JSON.parse(line.slice(7)) : { name, error: out.trim() };
    results.push(r);
    console.log(JSON.stringify(r));
  }
  const f = (x, d = 2) => (typeof x === 'number' ? x.toFixed(d) : '–');
  const kib = (x) => (typeof x === 'number' ? `${Math.round(x / 1024)} KiB` : '–');
  console.log('\n| store | put p50 / p99 ms (durable, 1 at a time) | puts/s at 32 in flight | get p50 ms | size 1k / 10k | heap+external MiB 1k / 10k / reopened 10k | rss MiB 10k / reopened | open 10k ms | SIGKILL after awaited put |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    if (r.skipped || r.error) {
      console.log(`| ${r.name} | ${r.skipped ? `skipped: ${r.skipped}` : `error: ${r.error.slice(0, 80)}`} ||||||||`);
      continue;
    }
    console.log(
      `| ${r.name} | ${f(r.putP50)} / ${f(r.putP99)} | ${r.putsPerSec32} | ${f(r.getP50, 3)} | ${kib(r.size1k)} / ${kib(r.size10k)}${r.total !== 10000 ? ` (${r.total})` : ''} | ${f(r.heap1k, 1)} / ${f(r.heap10k, 1)} / ${f(r.heapOpen10k, 1)} | ${f(r.rss10k, 0)} / ${f(r.rssOpen10k, 0)} | ${f(r.openMs, 0)} | ${r.sigkill} |`,
    );
  }
  if (arg('json')) fs.writeFileSync(arg('json'), JSON.stringify(results, null, 2));
  fs.rmSync(base, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
