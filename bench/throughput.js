'use strict';
/**
 * Throughput leg: profiles/s for 5 000 profiles, CV upload off then on, four contenders in the
 * same process, against the same sandbox, in its own process (--sandbox process, the default: the
 * emulated ATS on the other core, like a remote server) or in this one (--sandbox inprocess, as the
 * flow tests run it). Its SmartRecruiters limit is raised to 100 000 req/s / 1 000 concurrent, which
 * the account limiter adopts from the X-RateLimit-* headers: nothing is rate limited here.
 *
 *   ours  Node-RED flow hrflow-profile → hrflow-logic → hrflow-smartrecruiters
 *   peer  the same work built by hand: function → http request → function → http request …
 *   raw   axios, no Node-RED: the same HTTP exchanges per profile with the payloads precomputed
 *         (GET profile, POST candidate [, GET CV, POST attachment as one multipart Buffer]) — "the limit"
 *   posts axios, the POSTs only (POST candidate [, POST attachment]) — the literal floor
 *
 * Every contender keeps the same number of profiles in flight (--concurrency, default 32).
 * Runs are interleaved (the order rotates each round) and each figure is the median of --runs.
 *
 *   node --expose-gc bench/throughput.js [--profiles 5000] [--runs 3] [--concurrency 32]
 *        [--sandbox inprocess|process] [--contenders ours,peer,raw,posts] [--modes off,on] [--out FILE]
 *        [--ledger on|off]
 */
const axios = require('axios');
const { dist, parseArgs, median, machine, log, writeResult, gcFunction } = require('./lib/common');
const { startRuntime, attachSinks, drive } = require('./lib/runtime');
const { startSandbox } = require('./lib/sandbox');
const { JOB_ID, ourConfig, ourFlow, peerFlow, sinkIds } = require('./lib/flows');
const { smartRecruitersPayload } = require(dist('src', 'vendors', 'smartrecruiters'));
const { cvAttachment, attachmentFileName, contentTypeFor } = require(dist('src', 'hrflow', 'profile'));
const { multipartBody } = require(dist('src', 'push', 'files'));

const args = parseArgs(process.argv.slice(2), { profiles: 5000, runs: 3, concurrency: 32, check: 300, sandbox: 'process', ledger: 'on' });
const gc = gcFunction();

/** Sorted-keys JSON, to compare payloads whatever the key order. */
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

async function main() {
  const t0 = Date.now();
  const sb = await startSandbox(args.sandbox, {
    generatedProfiles: args.profiles,
    rateLimits: { smartrecruiters: { perSecond: 100000, concurrent: 1000 } },
  });
  const keys = await sb.keys(args.profiles);
  // --ledger off: the push ledger turned off (hrflowLedger: false), to see what it costs.
  const runtime = await startRuntime({ settings: args.ledger === 'off' ? { hrflowLedger: false } : {} });
  const cfg = ourConfig(sb);
  const flows = [
    ...cfg.nodes,
    ...ourFlow('ours-off', sb, { uploadCv: false }),
    ...ourFlow('ours-on', sb, { uploadCv: true }),
    ...peerFlow('peer-off', sb, { uploadCv: false }),
    ...peerFlow('peer-on', sb, { uploadCv: true }),
  ];
  await runtime.deploy(flows, cfg.credentials);
  log(`sandbox ${sb.url} (${sb.mode}) with ${keys.length} generated profiles; Node-RED ${runtime.version} embedded; setup ${Date.now() - t0} ms`);

  // Precomputed inputs for the raw contenders (not timed): payloads and CV bytes.
  const srBase = sb.urls.smartrecruiters;
  const hrflowHeaders = { 'X-API-KEY': sb.credentials.hrflowApiKey, 'X-USER-EMAIL': sb.credentials.hrflowUser };
  const srHeaders = { 'X-SmartToken': sb.credentials.smartToken };
  const pre = [];
  const profiles = await sb.profiles(keys);
  for (const [i, key] of keys.entries()) {
    const profile = profiles[i];
    const att = cvAttachment(profile);
    pre.push({ key, payload: smartRecruitersPayload(profile), cvUrl: att && att.public_url, cvName: att && attachmentFileName(att) });
  }
  // Download every CV once: warms the sandbox's file cache for every contender alike.
  await pool(pre.length, args.concurrency, async (i) => {
    const p = pre[i];
    if (!p.cvUrl) return;
    const res = await axios.get(p.cvUrl, { responseType: 'arraybuffer' });
    p.cv = Buffer.from(res.data);
    p.cvType = contentTypeFor(p.cvName);
  });

  const entry = { ours: (mode) => `ours-${mode}-profile`, peer: (mode) => `peer-${mode}-read` };
  function runFlow(kind, mode, count) {
    const tab = `${kind}-${mode}`;
    const node = runtime.node(entry[kind](mode));
    return drive({
      count,
      concurrency: args.concurrency,
      inject: (i, tag) => node.receive({ bench_id: i, bench_run: tag, profile_key: keys[i % keys.length] }),
      subscribe: (onOutcome) => attachSinks(runtime, sinkIds(tab), onOutcome),
    });
  }

  // The raw client: axios without the redirect layer for API calls (as our HTTP core does; with it,
  // axios is slower than our flow and would not be a limit), and with it for the CV download (as ours).
  const api = axios.create({ maxRedirects: 0 });

  async function runRaw(mode, count, postsOnly) {
    const kinds = {};
    const firstErrors = [];
    const outcome = new Uint8Array(count);
    const start = process.hrtime.bigint();
    await pool(count, args.concurrency, async (i) => {
      const p = pre[i % pre.length];
      try {
        if (!postsOnly) {
          const r = await api.get(`${sb.urls.hrflow}/profile/indexing`, { params: { source_key: sb.sourceKey, key: p.key }, headers: hrflowHeaders });
          if (r.status !== 200 || !r.data || !r.data.data || !r.data.data.info.email) throw new Error(`read ${r.status}`);
        }
        const c = await api.post(`${srBase}/jobs/${JOB_ID}/candidates`, p.payload, { headers: srHeaders });
        if (c.status !== 201 || !c.data.id) throw new Error(`create ${c.status}`);
        if (mode === 'on' && p.cvUrl) {
          let cv = p.cv;
          if (!postsOnly) cv = Buffer.from((await axios.get(p.cvUrl, { responseType: 'arraybuffer' })).data);
          // The body as one Buffer, the cheapest way to send it (the encoder our nodes use).
          const form = multipartBody([
            { name: 'attachmentType', value: 'RESUME' },
            { name: 'file', value: cv, fileName: p.cvName, contentType: p.cvType },
          ]);
          const u = await api.post(`${srBase}/candidates/${c.data.id}/jobs/${JOB_ID}/attachments`, form.data, {
            headers: { ...srHeaders, 'Content-Type': form.contentType },
          });
          if (u.status !== 201) throw new Error(`upload ${u.status}`);
        }
        kinds.ok = (kinds.ok || 0) + 1;
      } catch (err) {
        kinds.error = (kinds.error || 0) + 1;
        if (firstErrors.length < 3) firstErrors.push(err.response ? `${err.response.status} ${JSON.stringify(err.response.data).slice(0, 200)}` : err.message);
      }
      outcome[i]++;
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    let lost = 0;
    let extra = 0;
    for (const n of outcome) {
      if (n === 0) lost++;
      if (n > 1) extra += n - 1;
    }
    if (firstErrors.length) log(`raw ${mode}: ${JSON.stringify(kinds)} first errors: ${firstErrors.join(' | ')}`);
    return { count, seconds, perSecond: count / seconds, completed: count - lost, lost, extra, kinds, firstErrors };
  }

  const contenders = {
    ours: (mode, n) => runFlow('ours', mode, n),
    peer: (mode, n) => runFlow('peer', mode, n),
    raw: (mode, n) => runRaw(mode, n, false),
    posts: (mode, n) => runRaw(mode, n, true),
  };

  const order = args.contenders ? String(args.contenders).split(',') : Object.keys(contenders);
  for (const kind of order) if (!contenders[kind]) throw new Error(`unknown contender ${kind}`);
  const modes = args.modes ? String(args.modes).split(',') : ['off', 'on'];

  // Fairness check + warm-up: ours and the peer must send the same SmartRecruiters payloads.
  const bodies = {};
  for (const kind of ['ours', 'peer']) {
    await sb.reset();
    const r = await contenders[kind]('off', args.check);
    if (r.lost || r.extra || (r.kinds.ok || 0) !== args.check) throw new Error(`${kind} check run failed: ${JSON.stringify(r)}`);
    bodies[kind] = new Map((await sb.bodies()).map((b) => [b.email, canonical(b)]));
  }
  let samePayload = 0;
  for (const [email, body] of bodies.ours) if (bodies.peer.get(email) === body) samePayload++;
  log(`payload check: ${samePayload}/${bodies.ours.size} SmartRecruiters payloads identical between ours and the hand-built peer`);
  for (const kind of order) {
    for (const mode of modes) {
      await sb.reset();
      await contenders[kind](mode, Math.min(500, args.profiles));
    }
  }
  const limiter = runtime.node('bench-sr').limiter;
  const adopted = limiter ? limiter.limits : null;
  log(`account limiter after warm-up: ${JSON.stringify(adopted)}`);

  const runs = { off: {}, on: {} };
  for (let r = 0; r < args.runs; r++) {
    for (const mode of modes) {
      const rotated = order.slice(r % order.length).concat(order.slice(0, r % order.length));
      for (const kind of rotated) {
        await sb.reset();
        gc();
        const cpu0 = process.cpuUsage();
        const res = await contenders[kind](mode, args.profiles);
        const cpu = process.cpuUsage(cpu0);
        // CPU of the whole process (Node-RED or the raw client, plus the in-process sandbox) per profile.
        res.cpuMsPerProfile = (cpu.user + cpu.system) / 1000 / args.profiles;
        const state = await sb.summary();
        res.duplicates = state.duplicates;
        res.created = state.created;
        res.attachments = state.attachments;
        res.rateLimited = state.rateLimited;
        (runs[mode][kind] ||= []).push(res);
        log(`round ${r + 1}/${args.runs} upload_cv ${mode} ${kind.padEnd(5)}: ${res.perSecond.toFixed(0)} profiles/s (${res.seconds.toFixed(2)} s, cpu ${res.cpuMsPerProfile.toFixed(2)} ms/profile, ok ${res.kinds.ok || 0}, lost ${res.lost}, extra ${res.extra}, duplicates ${res.duplicates}, 429 ${res.rateLimited})`);
      }
    }
  }

  const summary = {};
  for (const mode of modes) {
    summary[mode] = {};
    for (const kind of order) {
      const list = runs[mode][kind];
      summary[mode][kind] = {
        perSecond: median(list.map((x) => x.perSecond)),
        cpuMsPerProfile: median(list.map((x) => x.cpuMsPerProfile)),
        all: list.map((x) => Math.round(x.perSecond)),
        lost: list.reduce((a, x) => a + x.lost, 0),
        extra: list.reduce((a, x) => a + x.extra, 0),
        errors: list.reduce((a, x) => a + (x.kinds.error || 0), 0),
        duplicates: list.reduce((a, x) => a + x.duplicates, 0),
        rateLimited: list.reduce((a, x) => a + x.rateLimited, 0),
      };
    }
    // Ratios per round (same round = same conditions), then the median.
    const ratio = (a, b) => (runs[mode][a] && runs[mode][b] ? median(runs[mode][a].map((x, i) => x.perSecond / runs[mode][b][i].perSecond)) : null);
    summary[mode].ratios = { oursVsRaw: ratio('ours', 'raw'), oursVsPosts: ratio('ours', 'posts'), oursVsPeer: ratio('ours', 'peer'), peerVsRaw: ratio('peer', 'raw') };
  }

  await runtime.stop();
  await sb.close();
  writeResult(args, {
    leg: 'throughput',
    machine: machine(),
    params: { profiles: args.profiles, runs: args.runs, concurrency: args.concurrency, sandbox: sb.mode, sandboxLimit: { perSecond: 100000, concurrent: 1000 } },
    adoptedLimit: adopted,
    payloadCheck: { identical: samePayload, of: bodies.ours.size },
    summary,
    runs,
    seconds: (Date.now() - t0) / 1000,
  });
}

/** Runs task(i) for i in [0, count) with at most `concurrency` at once. */
async function pool(count, concurrency, task) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
