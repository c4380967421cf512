/**
 * The durable outbox (issue 12) in a real Node-RED runtime with a user directory, against the sandbox: a
 * message accepted by a push node is journaled before its first request; a stop or redeploy keeps it and
 * the next start resumes it (msg.resumed = true), exactly once at the ATS; a create whose answer was lost
 * goes through the vendor's lookup (or is an OUTCOME_UNKNOWN dead letter where the vendor has none: Broadbean);
 * failed pushes are dead letters, retried or discarded; a removed node's messages are ABORTED now.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LevelLedgerStore } from '../../src/push/ledger-store';
import { discardDeadLetter, retryDeadLetter } from '../../nodes/lib/ledger';
import { broadbean, pushProfile, recruitee, smartrecruiters } from '../../src';
import { allNodes, helper, onTab, testSettings, type FlowNode } from '../helpers/red';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('flow: the durable outbox (stop, redeploy, resume, dead letters)', function () {
  this.timeout(30_000);
  const ctx = useSandbox();
  let dir: string;
  let store: LevelLedgerStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-outbox-flow-'));
    helper.settings({ ...testSettings, userDir: dir });
    // The test's own view of the database (shares the runtime's handle: one LevelDB per directory and process).
    store = new LevelLedgerStore(path.join(dir, 'hrflow-connectors'));
  });
  afterEach(async () => {
    await helper.unload();
    await store.close();
    helper.settings(testSettings);
  });

  const sr = () => (ctx.sb.state as any).smartrecruiters;
  const rc = () => (ctx.sb.state as any).recruitee;
  const bb = () => (ctx.sb.state as any).broadbean;

  function flow(push: Record<string, unknown>): FlowNode[] {
    return onTab([
      { id: 'acc-sr', type: 'hrflow-smartrecruiters-config', base_url: ctx.sb.urls.smartrecruiters },
      { id: 'acc-rc', type: 'hrflow-recruitee-config', company_id: ctx.sb.credentials.recruiteeCompany, recruitee_endpoint: ctx.sb.urls.recruitee },
      { id: 'acc-bb', type: 'hrflow-broadbean-config', source_id: ctx.sb.credentials.broadbeanSourceId, client_id: ctx.sb.credentials.broadbeanClientId, base_url: ctx.sb.urls.broadbean },
      { id: 'push', type: 'hrflow-smartrecruiters', account: 'acc-sr', job_id: 'job-42', upload_cv: false, timeout: 30_000, retries: 3, wires: [['out']], ...push },
      { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ]);
  }
  const creds = () => ({
    'acc-sr': { x_smart_token: ctx.sb.credentials.smartToken },
    'acc-rc': { api_token: ctx.sb.credentials.recruiteeToken },
    'acc-bb': { secret_key: ctx.sb.credentials.broadbeanSecret },
  });

  /** Load the flow and collect what reaches the output and the Catch node. */
  async function start(push: Record<string, unknown> = {}) {
    const outs: any[] = [];
    const caught: any[] = [];
    await helper.load(allNodes, flow(push), creds());
    helper.getNode('out').on('input', (m: any) => outs.push(m));
    helper.getNode('caught').on('input', (m: any) => caught.push(m));
    return { outs, caught };
  }
  const profile = (key = KEYS.full) => ctx.sb.getProfile(SOURCE_KEY, key);

  it('a stop while a push waits on a 429 keeps it; the next start pushes it once, with msg.resumed', async () => {
    const first = await start();
    ctx.sb.setFault('smartrecruiters', { mode: 'status', status: 429, retryAfter: 3, method: 'POST', count: 1 });
    helper.getNode('push').receive({ payload: profile(), topic: 'waiting', extra: { kept: [1, 2] }, req: { socket: 'not kept' } });
    await until(() => sr().requests >= 1, 'the create answered 429');
    await until(async () => (await store.pending()).some((r) => r.state === 'queued'), 'the refused create journaled back to queued');
    await helper.unload();
    assert.equal(first.outs.length + first.caught.length, 0, 'no outcome at the stop: the message is kept');
    const pending = await store.pending();
    assert.equal(pending.length, 1);
    assert.equal(pending[0].node, 'push');
    assert.equal(pending[0].msg.topic, 'waiting');
    assert.deepEqual(pending[0].msg.extra, { kept: [1, 2] });
    assert.equal(pending[0].msg.req, undefined, 'msg.req is not kept');
    assert.equal(sr().candidates.length, 0);

    ctx.sb.setFault('smartrecruiters', null);
    const second = await start();
    await until(() => second.outs.length + second.caught.length > 0, 'the resumed outcome');
    assert.equal(second.caught.length, 0, JSON.stringify(second.caught[0]?.error));
    const m = second.outs[0];
    assert.equal(m.resumed, true);
    assert.equal(m.topic, 'waiting');
    assert.equal(m.candidate_id, sr().candidates[0].id);
    assert.equal(sr().candidates.length, 1);
    assert.deepEqual(await store.pending(), [], 'settled');
    const [entry] = await store.recent({ vendor: 'smartrecruiters' });
    assert.equal(entry.outcome, 'pushed');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(second.outs.length, 1, 'one outcome');
  });

  /**
   * What a crash (SIGKILL) right after a create left leaves on disk: the message journaled as `sent`, no
   * ledger entry. `arrived`: the create reached the vendor (the candidate exists, pushed here directly).
   */
  async function crashedAfterCreate(vendor: 'smartrecruiters' | 'recruitee' | 'broadbean', arrived: boolean, uploadCv = false) {
    const p = profile();
    if (arrived) {
      const direct = {
        smartrecruiters: [smartrecruiters, { x_smart_token: ctx.sb.credentials.smartToken, base_url: ctx.sb.urls.smartrecruiters }, { job_id: 'job-42', upload_cv: uploadCv }],
        recruitee: [recruitee, { api_token: ctx.sb.credentials.recruiteeToken, company_id: ctx.sb.credentials.recruiteeCompany, recruitee_endpoint: ctx.sb.urls.recruitee }, { offer_ids: [101] }],
        broadbean: [
          broadbean,
          { source_id: ctx.sb.credentials.broadbeanSourceId, client_id: ctx.sb.credentials.broadbeanClientId, base_url: ctx.sb.urls.broadbean, secret_key: ctx.sb.credentials.broadbeanSecret },
          { job_id: 'JOB-1', shortlist_id: 'SL-9' },
        ],
      };
      const [module, config, params] = direct[vendor];
      await pushProfile(module as any, config, params, p as any, { cvDownload: { allowPrivateAddresses: true } });
    }
    await store.journal({ id: '0000crash-1', node: 'push', vendor, state: 'sent', sentAt: Date.now() - 1000, msg: { _msgid: 'm1', payload: p, topic: 'crashed' }, accepted: new Date(Date.now() - 2000).toISOString() });
  }
  const recruiteePush = { type: 'hrflow-recruitee', account: 'acc-rc', offer_ids: '101', job_id: undefined };
  const broadbeanPush = { type: 'hrflow-broadbean', account: 'acc-bb', job_id: 'JOB-1', shortlist_id: 'SL-9' };

  it('a create that left before a crash and reached the vendor is found by the lookup at the next start, never sent twice (SmartRecruiters)', async () => {
    await crashedAfterCreate('smartrecruiters', true);
    assert.equal(sr().candidates.length, 1);
    const creates = sr().requests;
    const run = await start();
    await until(() => run.outs.length + run.caught.length > 0, 'the resumed outcome');
    assert.equal(run.caught.length, 0, JSON.stringify(run.caught[0]?.error));
    assert.equal(run.outs[0].resumed, true);
    assert.equal(run.outs[0].topic, 'crashed');
    assert.equal(run.outs[0].candidate_id, sr().candidates[0].id, 'the candidate found by the lookup');
    assert.equal(sr().candidates.length, 1, 'not created twice');
    assert.ok(sr().requests > creates, 'the lookup was made');
    assert.deepEqual(await store.pending(), []);
    assert.equal((await store.recent({ vendor: 'smartrecruiters' }))[0].outcome, 'pushed');
  });

  it('a crash after the create and the CV upload both arrived: found by the lookup, the CV already attached counts as done (SmartRecruiters)', async () => {
    await crashedAfterCreate('smartrecruiters', true, true);
    assert.equal(sr().attachments.length, 1);
    const run = await start({ upload_cv: true });
    await until(() => run.outs.length + run.caught.length > 0, 'the resumed outcome');
    assert.equal(run.caught.length, 0, JSON.stringify(run.caught[0]?.error));
    assert.equal(run.outs[0].resumed, true);
    assert.equal(sr().candidates.length, 1);
    assert.equal(sr().attachments.length, 1, 'not attached twice');
    const upload = run.outs[0].steps.find((st: any) => st.step === 'upload_cv');
    assert.equal(upload.status, 'done');
    assert.match(upload.detail, /already attached/);
  });

  it('a create that left before a crash but never arrived: the lookup finds nothing, the candidate is created once', async () => {
    await crashedAfterCreate('smartrecruiters', false);
    const run = await start();
    await until(() => run.outs.length + run.caught.length > 0, 'the resumed outcome');
    assert.equal(run.caught.length, 0, JSON.stringify(run.caught[0]?.error));
    assert.equal(run.outs[0].resumed, true);
    assert.equal(sr().candidates.length, 1);
    assert.equal(run.outs[0].candidate_id, sr().candidates[0].id);
  });

  it('Recruitee: a create that left before a crash and reached the vendor is found among the candidates created since, never sent twice', async () => {
    await crashedAfterCreate('recruitee', true);
    assert.equal(rc().candidates.length, 1);
    const requestsBefore = rc().requests;
    const run = await start(recruiteePush);
    await until(() => run.outs.length + run.caught.length > 0, 'the resumed outcome');
    assert.equal(run.caught.length, 0, JSON.stringify(run.caught[0]?.error));
    const m = run.outs[0];
    assert.equal(m.resumed, true);
    assert.equal(m.topic, 'crashed');
    assert.equal(m.candidate_id, rc().candidates[0].id, 'the candidate found by the lookup');
    assert.match(m.steps[0].detail, /found by email/);
    assert.equal(rc().candidates.length, 1, 'not created twice');
    assert.equal(rc().requests, requestsBefore + 1, 'one lookup, no create');
    assert.deepEqual(await store.pending(), []);
    assert.deepEqual(await store.deadLetters(), []);
    assert.equal((await store.recent({ vendor: 'recruitee' }))[0].outcome, 'pushed');
  });

  it('Recruitee: a create that left before a crash but never arrived: the lookup finds nothing, the candidate is created once', async () => {
    await crashedAfterCreate('recruitee', false);
    const run = await start(recruiteePush);
    await until(() => run.outs.length + run.caught.length > 0, 'the resumed outcome');
    assert.equal(run.caught.length, 0, JSON.stringify(run.caught[0]?.error));
    assert.equal(run.outs[0].resumed, true);
    assert.equal(rc().candidates.length, 1);
    assert.equal(run.outs[0].candidate_id, rc().candidates[0].id);
    assert.equal(rc().requests, 2, 'the lookup, then the create');
  });

  it('the same for a vendor without a lookup (Broadbean): OUTCOME_UNKNOWN, nothing sent, kept as a dead letter', async () => {
    await crashedAfterCreate('broadbean', true);
    const requestsBefore = bb().requests;
    const candidatesBefore = bb().candidates.length;
    assert.ok(candidatesBefore >= 1, 'the crashed create reached Broadbean');
    const run = await start(broadbeanPush);
    await until(() => run.outs.length + run.caught.length > 0, 'the resumed outcome');
    assert.equal(run.caught.length, 1);
    assert.equal(run.caught[0].error.code, 'OUTCOME_UNKNOWN');
    assert.equal(run.caught[0].resumed, true);
    assert.equal(bb().requests, requestsBefore, 'nothing sent');
    assert.equal(bb().candidates.length, candidatesBefore);
    const dead = await store.deadLetters();
    assert.equal(dead.length, 1);
    assert.equal(dead[0].code, 'OUTCOME_UNKNOWN');
    assert.equal(dead[0].vendor, 'broadbean');
    assert.equal(dead[0].msg.topic, 'crashed');
    assert.deepEqual(await store.pending(), []);
  });

  it('Broadbean: its OUTCOME_UNKNOWN dead letter, retried from the HrFlow tab after checking the ATS, is pushed (once)', async () => {
    await crashedAfterCreate('broadbean', false); // the create never arrived: nothing at Broadbean
    const run = await start(broadbeanPush);
    await until(() => run.caught.length > 0, 'the resumed outcome');
    assert.equal(run.caught[0].error.code, 'OUTCOME_UNKNOWN');
    assert.equal(bb().candidates.length, 0);
    const [dead] = await store.deadLetters();
    const RED = { settings: { ...testSettings, userDir: dir }, nodes: { getNode: (id: string) => helper.getNode(id) }, log: { warn: () => undefined } } as any;
    // Pushed again as is (no retry): still held back, the candidate may exist.
    helper.getNode('push').receive({ payload: profile(), topic: 'again' });
    await until(() => run.caught.length > 1, 'the second outcome');
    assert.equal(run.caught[1].error.code, 'ALREADY_PUSHED');
    assert.equal(bb().candidates.length, 0);
    // The person checked Broadbean and retries the dead letter: pushed.
    assert.equal((await retryDeadLetter(RED, dead.id)).ok, true);
    await until(() => run.outs.length > 0, 'the retried push');
    assert.equal(run.outs[0].retried, true);
    assert.equal(bb().candidates.length, 1);
    assert.equal((await store.recent({ vendor: 'broadbean' }))[0].outcome, 'pushed');
    // Now recorded as pushed: a later copy is skipped, as any.
    helper.getNode('push').receive({ payload: profile(), topic: 'later' });
    await until(() => run.outs.length > 1, 'the later copy');
    assert.equal(run.outs[1].already_pushed, true);
    assert.equal(bb().candidates.length, 1);
  });

  it('a redeploy while a create is on its way: kept, then resumed once (the lookup first)', async () => {
    const first = await start();
    ctx.sb.setFault('smartrecruiters', { mode: 'slow', delayMs: 1500, method: 'POST', count: 1 });
    helper.getNode('push').receive({ payload: profile(), topic: 'redeployed' });
    await until(() => sr().requests >= 1, 'the create arrived');
    await until(async () => (await store.pending()).some((r) => r.state === 'sent'), 'journaled as sent');
    await helper.unload();
    assert.equal(first.outs.length + first.caught.length, 0, 'no outcome at the stop');
    const second = await start();
    await until(() => second.outs.length + second.caught.length > 0, 'the resumed outcome');
    assert.equal(second.caught.length, 0, JSON.stringify(second.caught[0]?.error));
    assert.equal(second.outs[0].resumed, true);
    assert.equal(sr().candidates.length, 1);
    assert.equal(second.outs[0].candidate_id, sr().candidates[0].id);
    assert.deepEqual(await store.pending(), []);
  });

  it('a failed push is a dead letter; a retry sends it to the node again; a discard removes it', async () => {
    const run = await start();
    ctx.sb.setFault('smartrecruiters', { mode: 'status', status: 400, method: 'POST', count: 2 });
    helper.getNode('push').receive({ payload: profile(), topic: 'bad-1' });
    helper.getNode('push').receive({ payload: profile(KEYS.minimal), topic: 'bad-2' });
    await until(() => run.caught.length === 2, 'two errors');
    assert.deepEqual(run.caught.map((m) => m.error.code), ['VENDOR_REJECTED', 'VENDOR_REJECTED']);
    const dead = await store.deadLetters();
    assert.equal(dead.length, 2);
    assert.deepEqual(dead.map((d) => d.msg.topic).sort(), ['bad-1', 'bad-2']);
    assert.ok(dead.every((d) => d.code === 'VENDOR_REJECTED' && d.node === 'push' && d.vendor === 'smartrecruiters' && d.key && d.target === 'job_id=job-42'));
    assert.deepEqual(await store.pending(), []);

    const RED = { settings: { ...testSettings, userDir: dir }, nodes: { getNode: (id: string) => helper.getNode(id) }, log: { warn: () => undefined } } as any;
    const one = dead.find((d) => d.msg.topic === 'bad-1')!;
    const answer = await retryDeadLetter(RED, one.id);
    assert.equal(answer.ok, true, JSON.stringify(answer));
    await until(() => run.outs.length === 1, 'the retried push');
    assert.equal(run.outs[0].topic, 'bad-1');
    assert.equal(run.outs[0].retried, true);
    assert.equal(sr().candidates.length, 1);
    assert.equal((await store.deadLetters()).length, 1);
    assert.equal((await retryDeadLetter(RED, one.id)).ok, false, 'gone');

    const other = dead.find((d) => d.msg.topic === 'bad-2')!;
    assert.deepEqual(await discardDeadLetter(RED, other.id), { ok: true, detail: `dead letter ${other.id} discarded` });
    assert.deepEqual(await store.deadLetters(), []);
    const again = await discardDeadLetter(RED, other.id);
    assert.equal(again.ok, false);
    assert.equal(!again.ok && again.status, 404);
  });

  it('a deploy that removes the push node: its message in flight is ABORTED now, and kept as a dead letter', async () => {
    const run = await start();
    ctx.sb.setFault('smartrecruiters', { mode: 'slow', delayMs: 20_000, method: 'POST' }); // stalled well past the deploy below, however loaded the machine
    helper.getNode('push').receive({ payload: profile(), topic: 'removed' });
    await until(() => sr().requests >= 1, 'the create arrived');
    await until(async () => (await store.pending()).length === 1, 'journaled');
    const without = flow({}).filter((n) => n.id !== 'push');
    await helper.setFlows(without, 'nodes', creds());
    await until(() => run.caught.length === 1, 'the ABORTED outcome');
    assert.equal(run.caught[0].error.code, 'ABORTED');
    await until(async () => (await store.deadLetters()).length === 1, 'the dead letter');
    const [dead] = await store.deadLetters();
    assert.equal(dead.code, 'ABORTED');
    assert.equal(dead.msg.topic, 'removed');
    assert.deepEqual(await store.pending(), []);
    const RED = { settings: { ...testSettings, userDir: dir }, nodes: { getNode: (id: string) => helper.getNode(id) }, log: { warn: () => undefined } } as any;
    const answer = await retryDeadLetter(RED, dead.id);
    assert.equal(!answer.ok && answer.status, 409, 'its node is not deployed any more');
  });

  it('a message accepted as the flows start is handled once: the resume never takes it a second time', async function () {
    this.timeout(60_000);
    // The resume reads the outbox once the flows have started, while new messages are being journaled: a message
    // journaled before that read is in hand already, never resumed (before the fix it then got two outcomes, one
    // from a "resumed" copy). Whether the journal write lands before the read is a race: many rounds catch it.
    const events = (helper as any)._events as import('node:events').EventEmitter;
    const rounds = 25;
    for (let round = 0; round < rounds; round++) {
      const early = () => {
        events.off('flows:started', early);
        helper.getNode('push').receive({ payload: profile(), topic: `early-${round}` });
      };
      events.on('flows:started', early);
      const run = await start({ on_duplicate: 'push' });
      await until(() => run.outs.length + run.caught.length >= 1, 'its outcome');
      await until(async () => (await store.pending()).length === 0, 'settled');
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(run.outs.length + run.caught.length, 1, `round ${round}: one outcome`);
      assert.equal(run.outs[0].resumed, undefined, 'not resumed');
      await helper.unload();
    }
    assert.equal(sr().candidates.length, rounds, 'one candidate per message');
  });

  it('messages of a push node deleted while Node-RED was stopped become dead letters (ABORTED) at the next start', async () => {
    await store.journal({ id: '0000orphan-1', node: 'deleted-node', vendor: 'smartrecruiters', state: 'queued', msg: { payload: profile(), topic: 'orphan' }, accepted: new Date().toISOString() });
    const run = await start();
    await until(async () => (await store.deadLetters()).length === 1, 'the orphan moved to the dead letters');
    const [dead] = await store.deadLetters();
    assert.equal(dead.code, 'ABORTED');
    assert.equal(dead.node, 'deleted-node');
    assert.equal(dead.msg.topic, 'orphan');
    assert.match(dead.message, /not deployed any more/);
    assert.deepEqual(await store.pending(), []);
    assert.equal(run.outs.length + run.caught.length, 0, 'the deployed node did not take it');
    assert.equal(sr().requests, 0);
  });

  it('Flatchr: a stop during the applicant id lookup, after the create, resumes with the lookup, never a second applicant', async () => {
    const fl = () => (ctx.sb.state as any).flatchr;
    const flatchr = {
      type: 'hrflow-flatchr',
      account: 'acc-fl',
      job_id: undefined,
      vacancy: 'dev-backend-h-f',
      lookup_id: true,
      test_mode: false,
      cv_mode: 'link',
    };
    const load = async () => {
      const outs: any[] = [];
      const caught: any[] = [];
      const nodes = flow(flatchr);
      nodes.push({ id: 'acc-fl', type: 'hrflow-flatchr-config', company: ctx.sb.credentials.flatchrCompany, careers_url: ctx.sb.urls.flatchr, base_url: ctx.sb.urls.flatchrApi } as any);
      await helper.load(allNodes, nodes, { ...creds(), 'acc-fl': { auth: ctx.sb.credentials.flatchrApiKey } });
      helper.getNode('out').on('input', (m: any) => outs.push(m));
      helper.getNode('caught').on('input', (m: any) => caught.push(m));
      return { outs, caught };
    };
    const first = await load();
    ctx.sb.setFault('flatchr', { mode: 'slow', delayMs: 3000, match: 'search', count: 1 });
    helper.getNode('push').receive({ payload: profile(), topic: 'flatchr-stop' });
    await until(() => fl().candidates.length === 1 && fl().requests >= 2, 'created, and the lookup on its way');
    await helper.unload();
    assert.equal(first.outs.length + first.caught.length, 0);
    const [entry] = await store.recent({ vendor: 'flatchr' });
    assert.equal(entry.outcome, 'unknown', 'the applicant exists: never recorded as failed');
    const second = await load();
    await until(() => second.outs.length + second.caught.length > 0, 'the resumed outcome');
    assert.equal(second.caught.length, 0, JSON.stringify(second.caught[0]?.error));
    assert.equal(second.outs[0].resumed, true);
    assert.equal(fl().candidates.length, 1, 'one applicant');
    assert.ok(second.outs[0].candidate_id, 'its id, found by the lookup');
    assert.deepEqual(await store.pending(), []);
  });

  it('ten copies arriving at once, then a stop and a start: still one candidate', async () => {
    const first = await start();
    ctx.sb.setFault('smartrecruiters', { mode: 'slow', delayMs: 1000, method: 'POST' });
    for (let i = 0; i < 10; i++) helper.getNode('push').receive({ payload: profile(), topic: `copy-${i}` });
    await until(() => sr().requests >= 1, 'the create arrived');
    await until(async () => (await store.pending()).length === 10, 'ten journaled');
    await helper.unload();
    ctx.sb.setFault('smartrecruiters', null);
    const second = await start();
    await until(() => second.outs.length + second.caught.length === 10, 'ten resumed outcomes');
    assert.equal(first.outs.length + first.caught.length, 0);
    assert.equal(second.caught.length, 0, JSON.stringify(second.caught[0]?.error));
    assert.equal(sr().candidates.length, 1);
    const id = sr().candidates[0].id;
    assert.ok(second.outs.every((m) => m.resumed === true && m.candidate_id === id));
    assert.equal(second.outs.filter((m) => m.already_pushed === true).length, 9);
    assert.deepEqual(await store.pending(), []);
  });
});
