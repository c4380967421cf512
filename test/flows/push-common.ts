/**
 * Shared flow scenarios for every push node: read → logic → push in a real Node-RED runtime,
 * against the sandbox emulators over loopback HTTP. Each vendor's spec file calls
 * `pushNodeScenarios` with how to build its account and push nodes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LevelLedgerStore } from '../../src/push/ledger-store';
import type { Sandbox } from '../../src/sandbox';
import { activeFlows, allNodes, assertNoSecrets, firstOf, helper, onTab, testSettings, type FlowNode } from '../helpers/red';
import { KEYS, SOURCE_KEY, sandboxClock } from '../helpers/sandbox';

export interface VendorUnderTest {
  /** Vendor id in the sandbox state and in msg.vendor. */
  id: string;
  pushType: string;
  /** The account config node (id must be "acc"). */
  account(sb: Sandbox): FlowNode;
  /** Credentials of the account node. */
  accountCredentials(sb: Sandbox): Record<string, string>;
  /** Wrong credentials (for the 401 scenario). */
  badCredentials(): Record<string, string>;
  /** Extra properties of the push node (job id...). */
  pushProps(): Record<string, unknown>;
  /** Number of vendor requests a successful push of the full profile makes. */
  requestsPerPush: number;
  /** Can the node find a candidate by email after a lost create answer? */
  canLookup: boolean;
  /**
   * Does the vendor take the same email twice, so that the lookup after a lost answer must tell this
   * push's candidate from an older one by its creation time?
   */
  sameEmailTwice?: boolean;
  /** Path fragment of the create route, when other POSTs (lookups) share the vendor. */
  createRoute?: string;
  /** Check what the vendor received for the full profile. */
  checkStored(sb: Sandbox, msg: any): void;
}

/** What sets a vendor up against the sandbox: its account node, the account's credentials, the push node's properties. */
export type SandboxSetup = Pick<VendorUnderTest, 'id' | 'pushType' | 'account' | 'accountCredentials' | 'pushProps'>;

/**
 * Each vendor's sandbox set-up, once: the account node "acc" on the sandbox's URL with the sandbox's
 * credentials, and the push node's default target (the sample jobs, offers, vacancy and pools of the
 * emulators). Tests spread it and override what they test on purpose.
 */
export const SANDBOX_VENDORS = {
  smartrecruiters: {
    id: 'smartrecruiters',
    pushType: 'hrflow-smartrecruiters',
    account: (sb) => ({ id: 'acc', type: 'hrflow-smartrecruiters-config', name: 'sandbox', base_url: sb.urls.smartrecruiters }),
    accountCredentials: (sb) => ({ x_smart_token: sb.credentials.smartToken }),
    pushProps: () => ({ job_id: 'job-42', upload_cv: true }),
  },
  recruitee: {
    id: 'recruitee',
    pushType: 'hrflow-recruitee',
    account: (sb) => ({ id: 'acc', type: 'hrflow-recruitee-config', name: 'sandbox', company_id: sb.credentials.recruiteeCompany, recruitee_endpoint: sb.urls.recruitee }),
    accountCredentials: (sb) => ({ api_token: sb.credentials.recruiteeToken }),
    pushProps: () => ({ offer_ids: '101, 202' }),
  },
  broadbean: {
    id: 'broadbean',
    pushType: 'hrflow-broadbean',
    account: (sb) => ({
      id: 'acc',
      type: 'hrflow-broadbean-config',
      name: 'sandbox',
      source_id: sb.credentials.broadbeanSourceId,
      client_id: sb.credentials.broadbeanClientId,
      base_url: sb.urls.broadbean,
    }),
    accountCredentials: (sb) => ({ secret_key: sb.credentials.broadbeanSecret }),
    pushProps: () => ({ job_id: 'JOB-1', shortlist_id: 'SL-9' }),
  },
  flatchr: {
    id: 'flatchr',
    pushType: 'hrflow-flatchr',
    account: (sb) => ({ id: 'acc', type: 'hrflow-flatchr-config', name: 'sandbox', company: sb.credentials.flatchrCompany, careers_url: sb.urls.flatchr, base_url: sb.urls.flatchrApi }),
    accountCredentials: (sb) => ({ auth: sb.credentials.flatchrApiKey }),
    pushProps: () => ({ vacancy: 'dev-backend-h-f', lookup_id: true, test_mode: false, cv_mode: 'link' }),
  },
  taleez: {
    id: 'taleez',
    pushType: 'hrflow-taleez',
    account: (sb) => ({ id: 'acc', type: 'hrflow-taleez-config', name: 'sandbox', base_url: sb.urls.taleez }),
    accountCredentials: (sb) => ({ x_taleez_api_secret: sb.credentials.taleezSecret }),
    pushProps: () => ({ recruiter_id: '15886', job_id: '101', pool_ids: '201, 202' }),
  },
} satisfies Record<string, SandboxSetup>;

export type SandboxVendorId = keyof typeof SANDBOX_VENDORS;

/**
 * A vendor under test with nothing vendor-specific: its sandbox set-up and neutral defaults (lookup possible,
 * one request a push, nothing checked in the stored candidate, no bad credentials). `overrides` win.
 */
export function sandboxVendor(id: SandboxVendorId, overrides: Partial<VendorUnderTest> = {}): VendorUnderTest {
  return { ...SANDBOX_VENDORS[id], canLookup: true, requestsPerPush: 1, checkStored: () => undefined, badCredentials: () => ({}), ...overrides };
}

export const HRFLOW_SECRET = (sb: Sandbox) => sb.credentials.hrflowApiKey;

export function buildFlow(sb: Sandbox, v: VendorUnderTest, opts: { push?: Record<string, unknown>; logic?: Record<string, unknown>; hrflowSecret?: string } = {}) {
  const nodes: FlowNode[] = onTab([
    { id: 'api', type: 'hrflow-api', name: 'sandbox', base_url: sb.urls.hrflow },
    { id: 'prof', type: 'hrflow-profile', api: 'api', source_key: SOURCE_KEY, profile_key: '', timeout: 2000, wires: [['logic']] },
    { id: 'logic', type: 'hrflow-logic', logics: [], format_type: 'none', format: '', format_vendor: '', wires: [['push'], ['filtered']], ...opts.logic },
    v.account(sb),
    { id: 'push', type: v.pushType, account: 'acc', timeout: 1000, retries: 2, retry_delay: 10, wires: [['out']], ...v.pushProps(), ...opts.push },
    { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'out', type: 'helper' },
    { id: 'filtered', type: 'helper' },
    { id: 'caught', type: 'helper' },
  ]);
  const credentials = {
    api: { api_secret: opts.hrflowSecret ?? sb.credentials.hrflowApiKey, api_user: sb.credentials.hrflowUser },
    acc: v.accountCredentials(sb),
  };
  return { nodes, credentials };
}

export async function load(sb: Sandbox, v: VendorUnderTest, opts: Parameters<typeof buildFlow>[2] = {}, creds?: Record<string, string>) {
  const { nodes, credentials } = buildFlow(sb, v, opts);
  if (creds) credentials.acc = creds;
  await helper.load(allNodes, nodes, credentials);
  return { nodes, credentials };
}

/**
 * A Node-RED user directory per test (the durable ledger and outbox live there), with the test's own view of the
 * database (`store`, sharing the runtime's handle); the settings and the store are put back after each test.
 */
export function useDurableLedger(prefix: string): { readonly dir: string; readonly store: LevelLedgerStore } {
  const held: { dir?: string; store?: LevelLedgerStore } = {};
  beforeEach(() => {
    held.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    helper.settings({ ...testSettings, userDir: held.dir });
    held.store = new LevelLedgerStore(path.join(held.dir, 'hrflow-connectors'));
  });
  afterEach(async () => {
    await helper.unload();
    await held.store?.close();
    helper.settings(testSettings);
  });
  return {
    get dir() {
      return held.dir as string;
    },
    get store() {
      return held.store as LevelLedgerStore;
    },
  };
}

/** Wait until `cond` holds (polled every 20 ms), or fail naming `what` after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Inject a message at the profile node and wait for its one outcome. */
export async function run(msg: Record<string, unknown>, ms = 4000) {
  const outcome = firstOf(['out', 'filtered', 'caught'], ms);
  helper.getNode('prof').receive({ source_key: SOURCE_KEY, ...msg });
  return outcome;
}

/** Send `msgs` to the profile node at once and collect `expected` outcomes (out, filtered or caught), in arrival order. */
export function runAll(msgs: Record<string, unknown>[], ms = 8000, expected = msgs.length): Promise<Array<{ id: string; msg: any }>> {
  return new Promise((resolve, reject) => {
    const got: Array<{ id: string; msg: any }> = [];
    const nodes = ['out', 'filtered', 'caught'].map((id) => [id, helper.getNode(id)] as const);
    const fns: Array<[any, (m: unknown) => void]> = [];
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${got.length} of ${expected} outcomes within ${ms} ms`));
    }, ms);
    const cleanup = () => setImmediate(() => fns.forEach(([n, fn]) => n.removeListener('input', fn)));
    for (const [id, node] of nodes) {
      const fn = (msg: unknown) => {
        got.push({ id, msg });
        if (got.length === expected) {
          clearTimeout(timer);
          cleanup();
          resolve(got);
        }
      };
      fns.push([node, fn]);
      node.on('input', fn);
    }
    for (const m of msgs) helper.getNode('prof').receive({ source_key: SOURCE_KEY, ...m });
  });
}
export function pushNodeScenarios(getSb: () => Sandbox, v: VendorUnderTest): void {
  const state = () => (getSb().state as any)[v.id];
  const secrets = () => [...Object.values(v.accountCredentials(getSb())), getSb().credentials.hrflowApiKey];

  afterEach(async () => {
    await helper.unload();
  });

  it('reads, keeps and pushes the full profile end to end', async () => {
    const sb = getSb();
    await load(sb, v);
    const { id, msg } = await run({ profile_key: KEYS.full, topic: 'keep-me' });
    assert.equal(id, 'out', `expected a pushed message, got ${id}: ${JSON.stringify(msg.error ?? msg).slice(0, 300)}`);
    assert.equal(msg.topic, 'keep-me', 'upstream properties survive');
    assert.equal(msg.vendor, v.id);
    assert.ok(msg.candidate_id !== undefined && msg.candidate_id !== null, 'candidate id on msg.candidate_id');
    assert.ok(msg.statusCode >= 200 && msg.statusCode < 300);
    assert.equal(state().candidates.length, 1, 'exactly one candidate created');
    v.checkStored(sb, msg);
    assertNoSecrets(msg, secrets(), 'the output msg');
    assertNoSecrets(activeFlows(), secrets(), 'the exported flow');
  });

  it('names vendor and candidate id in msg.topic when the message has no topic', async () => {
    const sb = getSb();
    await load(sb, v);
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? '').slice(0, 300));
    assert.equal(msg.topic, `${v.id}/${msg.candidate_id}`);
    assert.ok(msg.payload && typeof msg.payload === 'object', 'msg.payload keeps the vendor answer');
  });

  it('sends a profile dropped by a logic to the second output with its reason, and pushes nothing', async () => {
    const sb = getSb();
    await load(sb, v, {
      logic: { logics: [{ name: 'has phone', type: 'js', code: 'return profile.info.phone ? profile : null;' }] },
    });
    const { id, msg } = await run({ profile_key: KEYS.minimal });
    assert.equal(id, 'filtered');
    assert.deepEqual(msg.filtered, { index: 0, name: 'has phone', reason: 'dropped by has phone' });
    assert.equal(msg.payload.key, KEYS.minimal);
    assert.equal(state().requests, 0);
  });

  it('reports a profile HrFlow cannot find as HRFLOW_NOT_FOUND, with the original message', async () => {
    const sb = getSb();
    await load(sb, v);
    const { id, msg } = await run({ profile_key: 'f'.repeat(40), topic: 'original' });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'HRFLOW_NOT_FOUND');
    assert.equal(msg.error.source.id, 'prof');
    assert.equal(msg.topic, 'original');
    assert.equal(msg.profile_key, 'f'.repeat(40));
    assert.equal(state().requests, 0);
  });

  it('reports a bad HrFlow key as AUTH_FAILED without leaking it', async () => {
    const sb = getSb();
    await load(sb, v, { hrflowSecret: 'ask_wrong_but_secret_0123456789' });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'AUTH_FAILED');
    assert.equal(msg.statusCode, 401);
    assertNoSecrets(msg, ['ask_wrong_but_secret_0123456789'], 'the error msg');
  });

  it('reports bad vendor credentials as AUTH_FAILED (401) without retrying or leaking them', async () => {
    const sb = getSb();
    await load(sb, v, {}, v.badCredentials());
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'AUTH_FAILED');
    // What Catch and the debug sidebar show: the code first, not "ConnectorError: …".
    assert.match(msg.error.message, /^AUTH_FAILED: /);
    assert.equal(msg.error.source.id, 'push');
    assert.ok([401, 403].includes(msg.statusCode));
    assert.equal(state().candidates.length, 0);
    assertNoSecrets(msg, Object.values(v.badCredentials()), 'the error msg');
  });

  it('reports a 400 with the vendor error body as VENDOR_REJECTED, not retried', async () => {
    const sb = getSb();
    await load(sb, v);
    sb.setFault(v.id, { mode: 'status', status: 400, body: { message: 'validation failure', errors: [{ code: 'SOURCE_NOT_FOUND', message: 'no such source' }] } });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'VENDOR_REJECTED');
    assert.equal(msg.statusCode, 400);
    assert.match(msg.error.message, /SOURCE_NOT_FOUND/);
    assert.equal(state().requests, 1);
  });

  it('retries a 429 and then succeeds, creating one candidate', async () => {
    const sb = getSb();
    await load(sb, v);
    sb.setFault(v.id, { mode: 'status', status: 429, count: 1 });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.equal(state().candidates.length, 1);
    assert.equal(state().requests, v.requestsPerPush + 1);
  });

  it('gives up after the retries on a 503 with VENDOR_UNAVAILABLE', async () => {
    const sb = getSb();
    await load(sb, v);
    sb.setFault(v.id, { mode: 'status', status: 503 });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'VENDOR_UNAVAILABLE');
    assert.equal(msg.statusCode, 503);
    assert.equal(state().requests, 3, 'one try and two retries');
    assert.equal(state().candidates.length, 0);
  });

  it('never re-sends a create that timed out: OUTCOME_UNKNOWN, caused by TIMEOUT', async () => {
    const sb = getSb();
    await load(sb, v, { push: { timeout: 200 } });
    sb.setFault(v.id, { mode: 'slow', delayMs: 1500, method: 'POST', match: v.createRoute });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'OUTCOME_UNKNOWN');
    assert.equal(msg.error.cause.code, 'TIMEOUT');
    assert.match(msg.error.message, /not sent again/);
    assert.equal(state().faultsInjected, 1, 'the create was sent exactly once');
  });

  it('never duplicates a candidate whose create answer was lost', async () => {
    const sb = getSb();
    await load(sb, v);
    sb.setFault(v.id, { mode: 'lost-answer', count: 1, method: 'POST', match: v.createRoute });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(state().candidates.length, 1, 'stored once, never re-sent');
    if (v.canLookup) {
      assert.equal(id, 'out', `expected the lookup to recover the candidate: ${JSON.stringify(msg.error ?? {})}`);
      assert.equal(String(msg.candidate_id), String(state().candidates[0].id));
      assert.match(msg.steps[0].detail, /found by email/);
    } else {
      assert.equal(id, 'caught');
      assert.equal(msg.error.code, 'OUTCOME_UNKNOWN');
    }
  });

  if (v.sameEmailTwice) {
    it('after a lost answer, an older candidate with the same email is not taken for this push\'s: OUTCOME_UNKNOWN', async () => {
      const sb = getSb();
      // Pushed again on purpose (the ledger would skip it): what is checked is the lookup after a lost answer.
      await load(sb, v, { push: { on_duplicate: 'push' } });
      sandboxClock.offsetMs = -10 * 60_000; // the vendor stored the first push ten minutes ago
      const first = await run({ profile_key: KEYS.full });
      assert.equal(first.id, 'out', JSON.stringify(first.msg.error ?? {}));
      sandboxClock.offsetMs = 0;
      sb.setFault(v.id, { mode: 'reset', count: 1, method: 'POST', match: v.createRoute });
      const { id, msg } = await run({ profile_key: KEYS.full });
      assert.equal(id, 'caught', 'the older candidate was taken for this push\'s');
      assert.equal(msg.error.code, 'OUTCOME_UNKNOWN');
      assert.match(msg.error.message, /found no such candidate/);
      assert.equal(state().candidates.length, 1);
    });
  }

  it('a connection reset on the create is never re-sent: OUTCOME_UNKNOWN, no candidate', async () => {
    const sb = getSb();
    await load(sb, v);
    sb.setFault(v.id, { mode: 'reset', count: 1, method: 'POST', match: v.createRoute });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'OUTCOME_UNKNOWN');
    assert.equal(msg.error.cause.code, 'NETWORK_ERROR');
    assert.equal(state().candidates.length, 0);
    assert.equal(state().faultsInjected, 1, 'sent once');
  });

  it('an answer that is not the vendor\'s (HTML) is never taken for a success: OUTCOME_UNKNOWN', async () => {
    const sb = getSb();
    await load(sb, v);
    sb.setFault(v.id, { mode: 'non-json', count: 1, method: 'POST', match: v.createRoute });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught', `expected an error, got ${JSON.stringify(msg.payload)}`);
    assert.equal(msg.error.code, 'OUTCOME_UNKNOWN');
    assert.equal(state().candidates.length, 0);
  });

  it('waits the Retry-After of a 429 and then succeeds with one candidate', async () => {
    const sb = getSb();
    await load(sb, v, { push: { retry_delay: 1 } });
    sb.setFault(v.id, { mode: 'status', status: 429, retryAfter: 1, count: 1 });
    const started = Date.now();
    const { id, msg } = await run({ profile_key: KEYS.full }, 6000);
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.ok(Date.now() - started >= 950, 'Retry-After: 1 was honoured');
    assert.equal(state().candidates.length, 1);
  });

  it('refuses a profile that cannot make a valid payload with INVALID_PROFILE, sending nothing', async () => {
    const sb = getSb();
    await load(sb, v, {
      logic: { logics: [{ name: 'strip', type: 'js', code: 'profile.info = {}; return profile;' }] },
    });
    const { id, msg } = await run({ profile_key: KEYS.full });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_PROFILE');
    assert.match(msg.error.message, /required/);
    assert.equal(state().requests, 0);
  });

  it('aborts an in-flight request when the flow is redeployed, and closes promptly', async () => {
    const sb = getSb();
    await load(sb, v);
    sb.setFault(v.id, { mode: 'slow', delayMs: 5000 });
    const push = helper.getNode('push');
    const errors: any[] = [];
    push.on('call:error', (call: any) => errors.push(call.args[0]));
    helper.getNode('prof').receive({ source_key: SOURCE_KEY, profile_key: KEYS.full });
    // wait until the vendor request is in flight
    for (let i = 0; i < 100 && state().requests === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(state().requests, 1, 'the push request reached the vendor');
    const started = Date.now();
    await helper.clearFlows();
    assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(errors.length, 1, 'the message left the node as one error');
    assert.equal(errors[0].code, 'ABORTED');
  });

  it('rejects a message whose payload is not a profile with INVALID_INPUT', async () => {
    const sb = getSb();
    await load(sb, v);
    const outcome = firstOf(['out', 'caught']);
    helper.getNode('push').receive({ payload: 'hello' });
    const { id, msg } = await outcome;
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_INPUT');
    assert.equal(msg.payload, 'hello');
  });

  it('reports a logic that throws as LOGIC_ERROR carrying the message', async () => {
    const sb = getSb();
    await load(sb, v, { logic: { logics: [{ name: 'boom', type: 'js', code: 'throw new Error("bad logic")' }] } });
    const { id, msg } = await run({ profile_key: KEYS.full, topic: 't' });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'LOGIC_ERROR');
    assert.match(msg.error.message, /boom: bad logic/);
    assert.equal(msg.topic, 't');
  });
}
