/**
 * Issue 14, "How this is checked": three real Node-RED CLIs (NODE_RED_PATH's under the Node-RED 5 leg) with the
 * same flow on one hrflow-store in mode redis (a real redis-server, append-only, fsync always, password through
 * flows_cred.json), one SmartRecruiters account of the sandbox limited to 5 requests/s. Each profile is POSTed to
 * two of the instances (seeded random pairs; each answers 202 at once and pushes on). Mid-run one instance is
 * killed (SIGKILL) right after it accepted a few profiles no other instance has (only a survivor resuming its
 * outbox after the lease, hrflowStoreLeaseMs 3000, can push those), then Redis is restarted (same port and
 * directory). At the end the emulated ATS holds one candidate per profile: none lost, none twice, no 429 answer,
 * no error, the shared outbox empty. The scenario is bench/lib/ha.js's (the bench's HA leg runs it at 3 000).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { repoRoot } from '../helpers/fixtures';
import { redisOrSkip } from '../helpers/redis';

interface HaResult {
  profiles: number;
  solos: number;
  candidates: number;
  lost: number;
  duplicated: number;
  rateLimited429: number;
  rejected429: string[];
  errors: number;
  errorCodes: Record<string, number>;
  outboxPending: number;
  deadLetters: number;
  refused: number;
  seconds: number;
  killed?: { instance: number; at: number; createdBefore: number; solosPushedBefore: number };
  redisRestart?: { at: number; downMs: number; createdBefore: number };
  events: string[];
  warnings: string[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runScenario } = require(path.join(repoRoot, 'bench', 'lib', 'ha.js')) as { runScenario(options: Record<string, unknown>): Promise<HaResult> };

const PROFILES = 60;
const SOLOS = 6;

describe('e2e: three real Node-RED CLIs on one Redis store (issue 14): SIGKILL of one, Redis restarted', function () {
  this.timeout(120_000);

  before(function () {
    redisOrSkip(this);
  });

  it('each profile sent to two instances: one candidate per profile, 0 lost, 0 duplicated, 0 answers 429', async () => {
    const lines: string[] = [];
    const r = await runScenario({
      profiles: PROFILES,
      solos: SOLOS,
      instances: 3,
      rate: 5,
      seed: Number(process.env.HA_SEED ?? 14),
      leaseMs: 3000,
      killAt: 0.25,
      redisAt: 0.6,
      stallMs: 20_000,
      log: (...a: unknown[]) => lines.push(a.join(' ')),
    });
    const said = `\n${lines.join('\n')}\nevents: ${r.events.join('; ')}\n429: ${r.rejected429.join(', ')}\nwarnings: ${r.warnings.join('\n')}`;
    assert.ok(r.killed, `an instance was killed${said}`);
    assert.ok(r.redisRestart, `Redis was restarted${said}`);
    assert.ok(r.killed.solosPushedBefore < SOLOS, `some of the killed instance's solo profiles were still waiting when it died${said}`);
    assert.deepEqual(
      { candidates: r.candidates, lost: r.lost, duplicated: r.duplicated, rateLimited429: r.rateLimited429, errors: r.errorCodes, outboxLeft: r.outboxPending, deadLetters: r.deadLetters, refused: r.refused },
      { candidates: PROFILES + SOLOS, lost: 0, duplicated: 0, rateLimited429: 0, errors: {}, outboxLeft: 0, deadLetters: 0, refused: 0 },
      said,
    );
  });
});
