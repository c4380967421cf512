/**
 * Issue 12, "How this is checked": a real Node-RED CLI (child process, its own user directory) pushing the
 * same profiles to all five emulated ATS (the sandbox runs in this process), killed with SIGKILL at seeded
 * random points (0, a few, many candidates arrived), started again on the same user directory until its
 * outbox is empty, then the same profiles pushed again: each ATS must hold exactly one candidate per
 * profile. The one documented exception: a Broadbean create killed in flight (its API has no lookup) is an
 * OUTCOME_UNKNOWN dead letter, and that profile is then at that ATS 0 or 1 times, never 2.
 * Also a clean stop (SIGINT) mid-push and a restart: the same counts.
 *
 * Pushes wait: SmartRecruiters through a low `rate_limit` on its account, the four others through the
 * sandbox's `slow` fault on their creates (their documented limits are too high, or per minute).
 * The seed: SIGKILL_SEED (default 12); the rounds are printed with the seed, to replay a failure.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSandbox, type Sandbox } from '../../src/sandbox';
import { LevelLedgerStore } from '../../src/push/ledger-store';
import type { DeadLetter } from '../../src/push/ledger';
import { repoRoot } from '../helpers/fixtures';
import { waitUntil } from '../helpers/browser';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { demoEnv, pickSampleKeys } = require(path.join(repoRoot, 'scripts', 'demo-flow.js'));

const VENDORS = ['smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez'] as const;
type Vendor = (typeof VENDORS)[number];
/** Vendors whose API cannot say whether a create whose answer was lost happened. */
const NO_LOOKUP: readonly Vendor[] = ['broadbean'];
const PUSH_IDS: Record<Vendor, string> = { smartrecruiters: 'k-sr', recruitee: 'k-rc', broadbean: 'k-bb', flatchr: 'k-fl', taleez: 'k-tz' };
const N = 6;
/** How long the four ATS without a low limit take to answer a create. */
const SLOW_MS = 1500;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { seeded } = require(path.join(repoRoot, 'bench', 'lib', 'common.js')) as { seeded(seed: number): () => number };

function flowFor(sb: Sandbox, profiles: unknown[]): { flow: any[]; credentials: Record<string, any> } {
  const tab = 'k-tab';
  const at = { z: tab, x: 100, y: 100 };
  const o = sb.credentials;
  const emit = `const profiles = ${JSON.stringify(profiles)};\nreturn [profiles.map((p) => ({ payload: p, topic: p.info.email }))];`;
  const push = (id: string, type: string, account: string, extra: Record<string, unknown>) => ({
    id, type, name: id, account, timeout: 30_000, retries: 3, retry_delay: 200, ...extra, ...at, wires: [['k-out']],
  });
  const flow = [
    { id: tab, type: 'tab', label: 'SIGKILL', disabled: false, info: '' },
    { id: 'k-inject', type: 'inject', name: 'push', props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload: '', payloadType: 'date', ...at, wires: [['k-emit']] },
    { id: 'k-emit', type: 'function', name: 'profiles', func: emit, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...at, wires: [Object.values(PUSH_IDS)] },
    push(PUSH_IDS.smartrecruiters, 'hrflow-smartrecruiters', 'k-sr-acc', { job_id: 'demo-job-1', upload_cv: true }),
    push(PUSH_IDS.recruitee, 'hrflow-recruitee', 'k-rc-acc', { offer_ids: '101' }),
    push(PUSH_IDS.broadbean, 'hrflow-broadbean', 'k-bb-acc', { job_id: 'DEMO-JOB-1', shortlist_id: '', aplitrak_email_address: '' }),
    push(PUSH_IDS.flatchr, 'hrflow-flatchr', 'k-fl-acc', { vacancy: 'demo-developer-h-f', test_mode: false, cv_mode: 'link', lookup_id: true }),
    push(PUSH_IDS.taleez, 'hrflow-taleez', 'k-tz-acc', { recruiter_id: '1', job_id: '101', pool_ids: '201' }),
    { id: 'k-out', type: 'debug', name: 'out', active: true, tosidebar: true, console: false, tostatus: false, complete: 'already_pushed', targetType: 'msg', ...at, wires: [] },
    { id: 'k-catch', type: 'catch', name: 'errors', scope: null, uncaught: false, ...at, wires: [['k-err']] },
    { id: 'k-err', type: 'debug', name: 'errors', active: true, tosidebar: true, console: false, tostatus: false, complete: 'error', targetType: 'msg', ...at, wires: [] },
    // SmartRecruiters: 2 creates a second (the pushes wait on the account's limiter).
    { id: 'k-sr-acc', type: 'hrflow-smartrecruiters-config', name: 'sr', base_url: sb.urls.smartrecruiters, rate_limit: 2 },
    { id: 'k-rc-acc', type: 'hrflow-recruitee-config', name: 'rc', company_id: o.recruiteeCompany, recruitee_endpoint: sb.urls.recruitee },
    { id: 'k-bb-acc', type: 'hrflow-broadbean-config', name: 'bb', source_id: o.broadbeanSourceId, client_id: o.broadbeanClientId, base_url: sb.urls.broadbean },
    { id: 'k-fl-acc', type: 'hrflow-flatchr-config', name: 'fl', company: o.flatchrCompany, careers_url: sb.urls.flatchr, base_url: sb.urls.flatchrApi },
    { id: 'k-tz-acc', type: 'hrflow-taleez-config', name: 'tz', base_url: sb.urls.taleez },
  ];
  const credentials = {
    'k-sr-acc': { x_smart_token: '${HRFLOW_SANDBOX_SMART_TOKEN}' },
    'k-rc-acc': { api_token: '${HRFLOW_SANDBOX_RECRUITEE_TOKEN}' },
    'k-bb-acc': { secret_key: '${HRFLOW_SANDBOX_BROADBEAN_SECRET}' },
    'k-fl-acc': { auth: '${HRFLOW_SANDBOX_FLATCHR_KEY}' },
    'k-tz-acc': { x_taleez_api_secret: '${HRFLOW_SANDBOX_TALEEZ_SECRET}' },
  };
  return { flow, credentials };
}

/** A Node-RED CLI on a user directory (kept across starts): bench/lib/cli.js, shared with the benchmark. */
type Cli = {
  userDir: string;
  url: string;
  out: string;
  start(): Promise<void>;
  stop(signal: 'SIGKILL' | 'SIGINT'): Promise<void>;
  inject(id: string): Promise<void>;
  get(pathname: string): Promise<any>;
  sidebar(): Promise<{ count: (id: string) => number; msgs: (id: string) => any[]; close: () => void }>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Cli: CliProcess } = require(path.join(repoRoot, 'bench', 'lib', 'cli.js')) as { Cli: new (userDir: string, env: Record<string, string>) => Cli };
const newCli = (userDir: string, sb: Sandbox): Cli => new CliProcess(userDir, demoEnv(sb.credentials));

describe('e2e: SIGKILL and restart of a real Node-RED CLI mid-push (durable outbox, exactly once)', function () {
  this.timeout(600_000);
  const seed = Number(process.env.SIGKILL_SEED ?? 12);
  const rand = seeded(seed);
  let sb: Sandbox;
  let profiles: any[];
  let emails: string[];
  const dirs: string[] = [];
  const clis: Cli[] = [];
  /** Per round: the dead letters found, for the report. */
  const unknowns: string[] = [];

  before(async () => {
    sb = await createSandbox({ port: 0, quiet: true });
    profiles = pickSampleKeys(sb, N).slice(0, N).map((k: string) => sb.getProfile(sb.sourceKey, k));
    assert.equal(profiles.length, N);
    emails = profiles.map((p) => String(p.info.email).toLowerCase());
    assert.equal(new Set(emails).size, N);
  });
  after(async () => {
    for (const c of clis) await c.stop('SIGKILL');
    await sb?.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    if (unknowns.length) console.log(`      OUTCOME_UNKNOWN dead letters (seed ${seed}): ${unknowns.join('; ')}`);
  });

  /** A fresh user directory with this package linked in and the flow written. */
  function userDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-sigkill-'));
    dirs.push(dir);
    const scope = path.join(dir, 'node_modules', '@hrflow-connectors');
    fs.mkdirSync(scope, { recursive: true });
    fs.symlinkSync(repoRoot, path.join(scope, 'node-red'), 'dir');
    const { flow, credentials } = flowFor(sb, profiles);
    fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flow, null, 2));
    fs.writeFileSync(path.join(dir, 'flows_cred.json'), JSON.stringify(credentials, null, 2));
    return dir;
  }

  const state = () => sb.state as unknown as Record<Vendor, { candidates: Array<{ body: unknown }>; requests: number }>;
  const stored = () => VENDORS.reduce((n, v) => n + state()[v].candidates.length, 0);
  /** How many candidates each ATS holds for each profile (by e-mail). */
  function counts(): Record<Vendor, number[]> {
    const out = {} as Record<Vendor, number[]>;
    for (const v of VENDORS) {
      const bodies = state()[v].candidates.map((c) => JSON.stringify(c.body).toLowerCase());
      out[v] = emails.map((e) => bodies.filter((b) => b.includes(`"${e}"`)).length);
    }
    return out;
  }

  /** Slow creates at the four ATS without a low limit: the pushes are in flight when the process dies. */
  function slowCreates(on: boolean): void {
    for (const v of ['recruitee', 'broadbean', 'flatchr', 'taleez'] as const) sb.setFault(v, on ? { mode: 'slow', delayMs: SLOW_MS, method: 'POST' } : null);
  }

  /**
   * Wait until every push node has settled every profile (a ledger entry per profile and vendor, read from
   * the admin API), then stop Node-RED (SIGINT) and check its outbox in the LevelDB: empty. Resolves the
   * dead letters.
   */
  async function drain(cli: Cli): Promise<DeadLetter[]> {
    // Settled: a `pushed` ledger entry or a dead letter for each profile at each vendor (an `unknown` entry
    // written at a stop is not settled: its message waits in the outbox).
    let seen = '';
    await waitUntil('every push settled (pushed, or a dead letter, per profile and vendor)', async () => {
      seen = '';
      for (const v of VENDORS) {
        const { items } = await cli.get(`/hrflow-connectors/pushes?vendor=${v}&limit=1000`);
        const dead = (await cli.get(`/hrflow-connectors/dead-letters?vendor=${v}&limit=1000`)).items;
        const settled = new Set([...items.filter((e: any) => e.outcome === 'pushed').map((e: any) => e.profile), ...dead.map((d: any) => d.profile)]);
        seen += `${v}: ${settled.size} settled (${items.map((e: any) => e.outcome).join(' ')}); `;
        if (settled.size < N) return undefined;
      }
      return true;
    }, 60_000).catch(async (err) => {
      await cli.stop('SIGINT');
      const store = new LevelLedgerStore(path.join(cli.userDir, 'hrflow-connectors'));
      const pending = await store.pending().finally(() => store.close());
      const log = cli.out.split('\n').filter((l) => /\[(warn|error)\]|resuming/.test(l)).join('\n');
      throw new Error(`${err.message}: ${seen}\noutbox: ${pending.map((r) => `${r.vendor} ${r.state}`).join(', ')}\n--- Node-RED warnings ---\n${log.slice(-3000)}`);
    });
    await cli.stop('SIGINT');
    const store = new LevelLedgerStore(path.join(cli.userDir, 'hrflow-connectors'));
    try {
      const pending = await store.pending();
      assert.deepEqual(pending.map((r) => `${r.vendor} ${r.state}`), [], 'the outbox is empty once every push settled');
      return await store.deadLetters({ limit: 1000 });
    } finally {
      await store.close();
    }
  }

  /** Push the same profiles again and wait for every outcome (output or Catch) in the debug sidebar. */
  async function pushAgain(cli: Cli): Promise<{ outs: any[]; errs: any[] }> {
    const side = await cli.sidebar();
    try {
      await cli.inject('k-inject');
      await waitUntil('every outcome of the second push', () => (side.count('k-out') + side.count('k-err') >= N * VENDORS.length ? true : undefined), 120_000);
      return { outs: side.msgs('k-out'), errs: side.msgs('k-err') };
    } finally {
      side.close();
    }
  }

  /**
   * The counts: one candidate per profile per ATS; a profile with an OUTCOME_UNKNOWN dead letter at a
   * vendor without lookup: 0 or 1. Anything else is lost or duplicated.
   */
  function checkCounts(dead: DeadLetter[], label: string): void {
    const c = counts();
    const unknownAt = new Set<string>();
    for (const d of dead) {
      assert.equal(d.code, 'OUTCOME_UNKNOWN', `${label}: only OUTCOME_UNKNOWN dead letters are expected (${d.vendor}: ${d.code} ${d.message})`);
      assert.ok((NO_LOOKUP as readonly string[]).includes(d.vendor), `${label}: an OUTCOME_UNKNOWN dead letter at ${d.vendor}, which can look up`);
      const email = String((d.msg as any)?.payload?.info?.email ?? '').toLowerCase();
      assert.ok(emails.includes(email), `${label}: the dead letter keeps the profile`);
      unknownAt.add(`${d.vendor} ${email}`);
    }
    const problems: string[] = [];
    for (const v of VENDORS) {
      emails.forEach((e, i) => {
        const n = c[v][i];
        const ok = unknownAt.has(`${v} ${e}`) ? n <= 1 : n === 1;
        if (!ok) problems.push(`${v} ${e}: ${n}`);
      });
    }
    assert.deepEqual(problems, [], `${label}: candidates per profile per ATS (lost: 0, duplicated: >1)`);
  }

  /**
   * One round: push, stop with `signal` once `threshold` candidates arrived (plus up to 300 ms), start again
   * (as many kills as thresholds), drain, count; then push the same profiles again and count again.
   */
  async function round(label: string, signal: 'SIGKILL' | 'SIGINT', thresholds: number[]): Promise<void> {
    sb.reset();
    slowCreates(true);
    const cli = newCli(userDir(), sb);
    clis.push(cli);
    await cli.start();
    await cli.inject('k-inject');
    for (const threshold of thresholds) {
      // SmartRecruiters saw a request first (the messages were accepted and journaled): then the threshold.
      await waitUntil('a request at SmartRecruiters', () => (state().smartrecruiters.requests > 0 ? true : undefined), 30_000).catch((err) => {
        throw new Error(`${err.message}: ${VENDORS.map((v) => `${v} ${state()[v].requests}`).join(', ')}\n--- Node-RED output ---\n${cli.out.slice(-4000)}`);
      });
      await waitUntil(`${threshold} candidates stored`, () => (stored() >= threshold ? true : undefined), 60_000);
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 300)));
      const at = stored();
      await cli.stop(signal);
      console.log(`      ${label}: ${signal} with ${at} of ${N * VENDORS.length} candidates stored`);
      await cli.start();
    }
    const dead = await drain(cli);
    checkCounts(dead, `${label}, after the restarts`);
    const c = counts();
    for (const d of dead) {
      const i = emails.indexOf(String((d.msg as any)?.payload?.info?.email ?? '').toLowerCase());
      unknowns.push(`${label}: ${d.vendor} (${c[d.vendor as Vendor]?.[i]} stored)`);
    }
    // The same profiles again (on_duplicate skip): nothing new anywhere.
    slowCreates(false);
    await cli.start();
    const { outs, errs } = await pushAgain(cli);
    await cli.stop('SIGINT');
    checkCounts(dead, `${label}, after the same profiles again`);
    const skipped = outs.filter((m) => String(m.msg) === 'true');
    assert.ok(skipped.length >= outs.length - dead.length, `${label}: the second push skips what was pushed`);
    for (const e of errs) assert.match(JSON.stringify(e.msg ?? ''), /ALREADY_PUSHED|OUTCOME_UNKNOWN/, `${label}: an unexpected error on the second push`);
  }

  it('SIGKILL right after the first requests (0 candidates stored), restart: each profile once at each ATS, again after the same push', async () => {
    await round('kill at 0', 'SIGKILL', [0]);
  });

  it('SIGKILL after a few candidates arrived, restart: exactly once', async () => {
    await round('kill at a few', 'SIGKILL', [1 + Math.floor(rand() * 4)]);
  });

  it('SIGKILL after many candidates arrived, restart: exactly once', async () => {
    await round('kill at many', 'SIGKILL', [Math.floor(N * VENDORS.length * (0.5 + rand() * 0.3))]);
  });

  it('SIGKILL twice in one round (a few, then more), restart: exactly once', async () => {
    const a = 1 + Math.floor(rand() * 5);
    await round('kill twice', 'SIGKILL', [a, a + 5 + Math.floor(rand() * 8)]);
  });

  it('a clean stop (SIGINT) mid-push and a restart: exactly once', async () => {
    await round('SIGINT', 'SIGINT', [1 + Math.floor(rand() * 6)]);
  });
});
