'use strict';
/**
 * Redis leg (issue 14, "Throughput with the Redis store at 32 in flight on loopback >= 0.8 x the embedded
 * store"): the shared store against the embedded one, in one process, same work, interleaved rounds
 * (level, redis, redis, level, ...), the median of the per-round ratios.
 *
 *   puts     ledger entries put (each awaited until the store acknowledged it), --concurrency (32) in flight
 *   pushes   what one push costs the store: journal the message, mark its create sent, settle it with its
 *            ledger entry (three awaited writes in a row), --concurrency in flight
 * Stores: LevelLedgerStore (LevelDB, synced writes with group commit) and RedisLedgerStore on a real
 * redis-server on 127.0.0.1 (test/helpers/redis.ts), append-only file with fsync always (durable like
 * LevelDB: every acknowledged write is on disk).
 * Without redis-server (or ioredis, an optional dependency) the leg prints "skipped (no redis-server)" and reports it.
 *
 *   node bench/redis.js [--ops 3000] [--rounds 5] [--concurrency 32] [--out FILE]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { dist, parseArgs, median, machine, log, writeResult } = require('./lib/common');

const args = parseArgs(process.argv.slice(2), {});
const ops = args.ops ?? 3000;
const rounds = args.rounds ?? 5;
const concurrency = args.concurrency ?? 32;

function entry(i, tag) {
  const vendor = ['smartrecruiters', 'recruitee', 'taleez'][i % 3];
  return {
    key: `${tag}-${i}`,
    vendor,
    account: 'bench-account',
    target: `job_id=${100 + (i % 7)}`,
    profile: `hrflow:bench/${tag}-${i}`,
    outcome: 'pushed',
    candidateId: `cand-${i}`,
    steps: [{ step: 'create', status: 'done' }],
    at: new Date().toISOString(),
  };
}

function record(i, tag) {
  return {
    id: `${tag}-${i}`,
    node: 'bench-node',
    vendor: 'smartrecruiters',
    state: 'queued',
    msg: { _msgid: `${tag}-${i}`, payload: { key: `p${i}`, info: { email: `p${i}@example.com`, full_name: 'Bench Person' } }, topic: 'bench' },
    accepted: new Date().toISOString(),
  };
}

/** ops operations, `concurrency` in flight: operations per second. */
async function measure(work) {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ops) await work(next++);
    }),
  );
  return ops / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const kinds = {
  puts: (store, tag) => measure((i) => store.put(entry(i, tag))),
  pushes: (store, tag) =>
    measure(async (i) => {
      const r = record(i, tag);
      await store.journal(r);
      await store.markSent(r.id, Date.now());
      await store.settle(r.id, { entry: entry(i, tag) });
    }),
};

async function main() {
  const t0 = Date.now();
  const { redisServerInstalled, startRedis, REDIS_SERVER } = require(dist('test', 'helpers', 'redis'));
  let skipped;
  if (!redisServerInstalled()) skipped = 'no redis-server';
  else {
    try {
      require.resolve('ioredis');
    } catch {
      skipped = 'ioredis, an optional dependency, is not installed';
    }
  }
  if (skipped) {
    console.log(`redis: skipped (${skipped}${skipped === 'no redis-server' ? ` at ${REDIS_SERVER}` : ''})`);
    writeResult(args, { leg: 'redis', machine: machine(), params: args, result: { skipped }, seconds: 0 });
    return;
  }
  const { LevelLedgerStore } = require(dist('src', 'push', 'ledger-store'));
  const { RedisLedgerStore } = require(dist('src', 'push', 'redis-store'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-bench-redis-'));
  const server = await startRedis({ persist: true });
  const level = new LevelLedgerStore(dir);
  const redis = new RedisLedgerStore({ url: server.url, prefix: 'bench:' });
  const perRound = { puts: [], pushes: [] };
  try {
    // Warm-up (JIT, connections, files), not counted.
    for (const store of [level, redis]) await kinds.pushes(store, 'warm');
    for (let round = 0; round < rounds; round++) {
      for (const kind of Object.keys(kinds)) {
        const order = round % 2 ? ['redis', 'level'] : ['level', 'redis'];
        const r = {};
        for (const which of order) r[which] = await kinds[kind](which === 'level' ? level : redis, `r${round}-${kind}`);
        perRound[kind].push(r);
        log(`redis: round ${round + 1}/${rounds} ${kind}: level ${r.level.toFixed(0)}/s, redis ${r.redis.toFixed(0)}/s (ratio ${(r.redis / r.level).toFixed(2)})`);
      }
    }
    const counts = await redis.counts();
    if (counts.pending !== 0) throw new Error(`redis: ${counts.pending} outbox records left after the pushes`);
  } finally {
    await level.close();
    await redis.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const summary = {};
  for (const [kind, list] of Object.entries(perRound)) {
    const ratios = list.map((r) => r.redis / r.level);
    summary[kind] = {
      level: median(list.map((r) => r.level)),
      redis: median(list.map((r) => r.redis)),
      ratio: median(ratios),
      ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    };
  }
  writeResult(args, { leg: 'redis', machine: machine(), params: { ops, rounds, concurrency }, result: { concurrency, ops, rounds, summary, perRound }, seconds: (Date.now() - t0) / 1000 });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
