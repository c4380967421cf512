'use strict';
/**
 * HA leg (issue 14, "Numbers"): several real Node-RED instances on one shared store (hrflow-store mode redis,
 * a real redis-server), one SmartRecruiters account of the sandbox limited to --rate (10) requests/s and 8 in
 * flight, each profile POSTed to TWO of the instances (a seeded random pair), fire and forget (202 at once).
 * One part per process (`npm run bench` runs each as its own leg; bench/lib/ha.js holds the scenario):
 *
 *   --part saturation  --profiles (3000) profiles on 3 instances: candidates, lost, duplicated, 429 answers,
 *                      wall time against the ideal (requests needed / rate: one create per push, upload_cv off).
 *   --part chaos       --profiles (600) profiles on 3 instances, hrflowStoreLeaseMs 3000: once a quarter are
 *                      at the ATS, a few "solo" profiles are sent to one instance only and that instance is
 *                      killed (SIGKILL): a survivor must resume them after the lease; at 60 %, Redis is restarted
 *                      (SIGTERM + start, same port and directory, appendonly / fsync always). Lost, duplicated, 429.
 *   --part push        one Node-RED CLI, the same push against the embedded store and the Redis store (two lanes
 *                      answering once the push is done), --concurrency (32) POSTs in flight, no rate limit,
 *                      interleaved rounds (embedded, redis, redis, embedded, ...): median of per-round ratios.
 *
 *   node bench/ha.js --part saturation [--profiles 3000] [--rate 10] [--instances 3] [--upload-cv] [--out FILE]
 *   node bench/ha.js --part chaos [--profiles 600] [--lease-ms 3000] [--out FILE]
 *   node bench/ha.js --part push [--profiles 500] [--rounds 6] [--concurrency 32] [--out FILE]
 *   node bench/ha.js --quick          every part, small (CI smoke: 300 profiles), result printed
 * Without redis-server (or ioredis) the leg reports "skipped".
 */
const fs = require('node:fs');
const { dist, parseArgs, median, machine, log, writeResult } = require('./lib/common');

const args = parseArgs(process.argv.slice(2), {});
const quick = !!args.quick;

function skipped() {
  const { redisServerInstalled, REDIS_SERVER } = require(dist('test', 'helpers', 'redis'));
  if (!redisServerInstalled()) return `no redis-server at ${REDIS_SERVER}`;
  try {
    require.resolve('ioredis');
  } catch {
    return 'ioredis, an optional dependency, is not installed';
  }
  return undefined;
}

const say = (part) => (...a) => log(`ha ${part}:`, ...a);

function saturationPart() {
  const { runScenario } = require('./lib/ha');
  return runScenario({
    profiles: args.profiles ?? (quick ? 300 : 3000),
    instances: args.instances ?? 3,
    rate: args.rate ?? 10,
    uploadCv: !!args.uploadCv,
    seed: args.seed ?? 14,
    log: say('saturation'),
  });
}

function chaosPart() {
  const { runScenario } = require('./lib/ha');
  return runScenario({
    profiles: args.profiles ?? (quick ? 300 : 600),
    instances: args.instances ?? 3,
    rate: args.rate ?? 10,
    seed: args.seed ?? 14,
    leaseMs: args.leaseMs ?? 3000,
    killAt: 0.25,
    redisAt: 0.6,
    log: say('chaos'),
  });
}

async function pushPart() {
  const { createSandbox } = require(dist('src', 'sandbox'));
  const { startRedis } = require(dist('test', 'helpers', 'redis'));
  const { ops } = require('./lib/sandbox');
  const { haFlow, haCli, userDirWith, post, REDIS_PASSWORD } = require('./lib/ha');
  const profiles = args.profiles ?? (quick ? 300 : 500);
  const rounds = args.rounds ?? (quick ? 2 : 6);
  const concurrency = args.concurrency ?? 32;
  const sb = await createSandbox({ port: 0, quiet: true, generatedProfiles: profiles, rateLimits: { smartrecruiters: { perSecond: 1_000_000, concurrent: 10_000 } } });
  const redis = await startRedis({ persist: true, password: REDIS_PASSWORD });
  const o = ops(sb);
  const bodies = o.profiles(o.keys(profiles)).map((p) => JSON.stringify(p));
  const flow = haFlow(sb, {
    redisUrl: redis.url,
    rate: 1_000_000,
    lanes: [
      { name: 'embedded', path: '/sync/embedded', sync: true, store: false },
      { name: 'redis', path: '/sync/redis', sync: true, store: true },
    ],
  });
  const dir = userDirWith('hrflow-ha-push-', flow);
  const cli = haCli(dir, sb, 0);
  const run = async (which) => {
    sb.reset();
    let next = 0;
    const statuses = {};
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < profiles) {
        const s = await post(`${cli.url}/sync/${which}`, bodies[next++]);
        statuses[s] = (statuses[s] || 0) + 1;
      }
    }));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const s = sb.state.smartrecruiters;
    if ((statuses[200] || 0) !== profiles || s.candidates.length !== profiles) {
      throw new Error(`push ${which}: ${JSON.stringify(statuses)} answers, ${s.candidates.length} candidates for ${profiles} profiles\n${cli.out.slice(-3000)}`);
    }
    return profiles / seconds;
  };
  const perRound = [];
  /** Redis commands run so far, by name (INFO commandstats): what the Redis lane's pushes cost the server. */
  const commandStats = async () => {
    const Redis = require('ioredis');
    const r = new Redis(redis.url, { password: REDIS_PASSWORD, lazyConnect: true });
    try {
      await r.connect();
      const info = String(await r.info('commandstats'));
      return Object.fromEntries([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
    } finally {
      r.disconnect();
    }
  };
  let perPush;
  try {
    await cli.start();
    say('push')(`one Node-RED CLI on ${cli.url}, ${profiles} profiles per run, ${concurrency} in flight, ${rounds} rounds; redis ${redis.url} (appendonly, fsync always)`);
    // Warm-up: JIT, sockets, the LevelDB open, the Redis connection and scripts.
    for (const which of ['embedded', 'redis']) await run(which);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? ['redis', 'embedded'] : ['embedded', 'redis'];
      const round = {};
      for (const which of order) {
        const before = which === 'redis' && r === 0 ? await commandStats() : undefined;
        round[which] = await run(which);
        if (before) {
          // One round's Redis lane, per push: the commands this instance sent (scripts by EVALSHA).
          const after = await commandStats();
          perPush = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, (v - (before[k] || 0)) / profiles]).filter(([k, v]) => v >= 0.05 && k !== 'info'));
          say('push')(`Redis commands per push: ${Object.entries(perPush).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
        }
      }
      perRound.push(round);
      say('push')(`round ${r + 1}/${rounds}: embedded ${round.embedded.toFixed(0)}/s, redis ${round.redis.toFixed(0)}/s (ratio ${(round.redis / round.embedded).toFixed(2)})`);
    }
  } finally {
    await cli.stop('SIGKILL');
    await redis.close();
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ratios = perRound.map((r) => r.redis / r.embedded);
  return {
    profiles, rounds, concurrency,
    embedded: median(perRound.map((r) => r.embedded)),
    redis: median(perRound.map((r) => r.redis)),
    ratio: median(ratios),
    ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    redisCommandsPerPush: perPush,
    perRound,
  };
}

const parts = { saturation: saturationPart, chaos: chaosPart, push: pushPart };

/** One line per part for a --quick run printed without run.js. */
function summary(part, r) {
  if (r.skipped) return `${part}: skipped (${r.skipped})`;
  if (part === 'push') return `push: embedded ${r.embedded.toFixed(0)}/s, redis ${r.redis.toFixed(0)}/s, ratio ${r.ratio.toFixed(2)}`;
  return `${part}: ${r.candidates} candidates for ${r.profiles + r.solos} profiles, lost ${r.lost}, duplicated ${r.duplicated}, 429 ${r.rateLimited429}, errors ${r.errors}, outbox left ${r.outboxPending}, ${r.seconds.toFixed(1)} s = ${r.ratio.toFixed(3)} x ideal ${r.idealSeconds} s`;
}

async function main() {
  const names = args.part ? [String(args.part)] : quick ? Object.keys(parts) : ['saturation'];
  for (const p of names) if (!parts[p]) throw new Error(`--part must be one of ${Object.keys(parts).join(', ')}`);
  const why = skipped();
  const results = {};
  const t0 = Date.now();
  for (const p of names) {
    if (why) log(`ha ${p}: skipped (${why})`);
    results[p] = why ? { skipped: why } : await parts[p]();
    log(summary(p, results[p]));
  }
  const one = names.length === 1;
  writeResult(args, { leg: one ? `ha-${names[0]}` : 'ha', part: one ? names[0] : names, machine: machine(), params: args, result: one ? results[names[0]] : results, seconds: (Date.now() - t0) / 1000 });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
