/**
 * Defect: with requests in flight, a full redeploy or stop closed the node at once; the later done(err)
 * reached the stopped flow's Catch node and was dropped: no outcome, no log line.
 *
 * What Node-RED 4.1 does (flows/Flow.js stop, nodes/Node.js close): it closes every node of a flow in one
 * synchronous pass, and a node's close removes its input listeners at once (a Catch node has no close
 * callback). A done(err) after that pass finds every Catch node deaf. So our nodes give each message in
 * flight its ABORTED outcome inside their close handler (a Catch node not yet stopped receives it), log it
 * (a record even when nothing catches it), and only then wait, bounded, for the cancelled work to end.
 */
import assert from 'node:assert/strict';
import { allNodes, helper, onTab, type FlowNode } from '../helpers/red';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';

async function until(cond: () => boolean, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Record what a node logs as a warning (and still log it). */
function spyWarn(id: string, into: string[]): void {
  const node = helper.getNode(id);
  const warn = node.warn.bind(node);
  node.warn = (text: unknown) => {
    into.push(String(text));
    warn(text);
  };
}

describe('flow: messages in flight when the flow stops', function () {
  this.timeout(15_000);
  const ctx = useSandbox();

  afterEach(async () => {
    await helper.unload();
  });

  function srFlow(catchFirst = false): FlowNode[] {
    const push: FlowNode = { id: 'push', type: 'hrflow-smartrecruiters', account: 'acc', job_id: 'job-42', upload_cv: false, timeout: 10_000, wires: [['out']] };
    const katch: FlowNode = { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] };
    return onTab([
      { id: 'acc', type: 'hrflow-smartrecruiters-config', base_url: ctx.sb.urls.smartrecruiters },
      ...(catchFirst ? [katch, push] : [push, katch]),
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ]);
  }

  /** Load, push the full profile with its create stalled at the vendor, and wait until the create arrived. */
  async function stalledCreate(nodes: FlowNode[]) {
    await helper.load(allNodes, nodes, { acc: { x_smart_token: ctx.sb.credentials.smartToken } });
    ctx.sb.setFault('smartrecruiters', { mode: 'slow', delayMs: 5000, method: 'POST' });
    const caught: any[] = [];
    const warnings: string[] = [];
    const outs: any[] = [];
    helper.getNode('catch').on('input', (m: any) => caught.push(m));
    helper.getNode('out').on('input', (m: any) => outs.push(m));
    spyWarn('push', warnings);
    const profile = ctx.sb.getProfile(SOURCE_KEY, KEYS.full);
    helper.getNode('push').receive({ payload: profile, topic: 'in-flight' });
    await until(() => (ctx.sb.state as any).smartrecruiters.requests >= 1);
    await new Promise((r) => setTimeout(r, 50)); // the request is on its way
    return { caught, warnings, outs };
  }

  it('a stop gives the message in flight one ABORTED outcome, caught and logged, saying the candidate may exist', async () => {
    const { caught, warnings, outs } = await stalledCreate(srFlow());
    await helper.clearFlows(); // resolves: the close waited for the cancelled work, not for the stalled vendor
    assert.equal(caught.length, 1, 'the Catch node of the stopped flow received the outcome');
    const m = caught[0];
    assert.equal(m.error.code, 'ABORTED');
    assert.equal(m.topic, 'in-flight');
    assert.equal(m.error_details.outcomeUnknown, true, 'a create was sent: the candidate may exist');
    assert.match(m.error.message, /may or may not exist/);
    // The log line says which message (its id) and that the candidate may exist (outcomeUnknown).
    assert.ok(warnings.some((w) => /^ABORTED outcomeUnknown \[msg [^\]]+, profile [^\]]+\]: .*may or may not exist/.test(w)), `logged: ${warnings.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(caught.length, 1, 'never a second outcome');
    assert.equal(outs.length, 0);
  });

  it('a stop after the create was answered: the outcome carries the candidate id (msg.candidate_id), to check that candidate', async () => {
    const nodes = srFlow().map((n) => (n.id === 'push' ? { ...n, upload_cv: true } : n));
    await helper.load(allNodes, nodes, { acc: { x_smart_token: ctx.sb.credentials.smartToken } });
    ctx.sb.setFault('smartrecruiters', { mode: 'slow', delayMs: 5000, match: '/attachments' });
    const caught: any[] = [];
    const warnings: string[] = [];
    helper.getNode('catch').on('input', (m: any) => caught.push(m));
    spyWarn('push', warnings);
    helper.getNode('push').receive({ payload: ctx.sb.getProfile(SOURCE_KEY, KEYS.full), topic: 'created' });
    const sr = () => (ctx.sb.state as any).smartrecruiters;
    await until(() => sr().candidates.length >= 1 && sr().requests >= 2); // created, and the CV upload is on its way
    const id = String(sr().candidates[0].id);
    await helper.clearFlows();
    assert.equal(caught.length, 1);
    assert.equal(caught[0].error.code, 'ABORTED');
    assert.equal(caught[0].error_details.outcomeUnknown, true);
    assert.equal(caught[0].candidate_id, id, 'the Catch node knows which candidate to check');
    assert.equal(caught[0].error_details.candidateId, id);
    assert.ok(warnings.some((w) => w.startsWith('ABORTED outcomeUnknown [msg ') && w.includes(`candidate ${id} was created`)), warnings.join(' | '));
  });

  it('a redeploy of the push node alone: the running Catch node and what follows it get the outcome', async () => {
    const nodes = srFlow();
    const { warnings } = await stalledCreate(nodes);
    const caughtDownstream: any[] = [];
    helper.getNode('caught').on('input', (m: any) => caughtDownstream.push(m));
    // A "modified nodes" deploy stops only the changed push node: the Catch node and its wires keep running.
    const changed = nodes.map((n) => (n.id === 'push' ? { ...n, timeout: 9000 } : n));
    await helper.setFlows(changed, 'nodes', { acc: { x_smart_token: ctx.sb.credentials.smartToken } });
    await until(() => caughtDownstream.length > 0);
    assert.equal(caughtDownstream.length, 1);
    assert.equal(caughtDownstream[0].error.code, 'ABORTED');
    assert.equal(caughtDownstream[0].error_details.outcomeUnknown, true);
    assert.ok(warnings.some((w) => /^ABORTED outcomeUnknown \[msg /.test(w)));
  });

  it('with the Catch node stopped first, the outcome is still logged', async () => {
    const { caught, warnings } = await stalledCreate(srFlow(true));
    await helper.clearFlows();
    assert.equal(caught.length, 0, 'Node-RED stopped the Catch node before the push node');
    assert.ok(warnings.some((w) => /^ABORTED outcomeUnknown \[msg /.test(w)), 'a logged record of the message');
  });

  it('an HrFlow read in flight is ABORTED (nothing changed), caught and logged', async () => {
    await helper.load(
      allNodes,
      onTab([
        { id: 'api', type: 'hrflow-api', base_url: ctx.sb.urls.hrflow },
        { id: 'prof', type: 'hrflow-profile', api: 'api', source_key: SOURCE_KEY, profile_key: KEYS.full, timeout: 10_000, wires: [['out']] },
        { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'out', type: 'helper' },
        { id: 'caught', type: 'helper' },
      ]),
      { api: { api_secret: ctx.sb.credentials.hrflowApiKey, api_user: ctx.sb.credentials.hrflowUser } },
    );
    ctx.sb.setFault('hrflow', { mode: 'slow', delayMs: 5000 });
    const caught: any[] = [];
    const warnings: string[] = [];
    helper.getNode('catch').on('input', (m: any) => caught.push(m));
    spyWarn('prof', warnings);
    helper.getNode('prof').receive({});
    await until(() => (ctx.sb.state as any).hrflow.requests >= 1);
    await helper.clearFlows();
    assert.equal(caught.length, 1);
    assert.equal(caught[0].error.code, 'ABORTED');
    assert.equal(caught[0].error_details.outcomeUnknown, undefined, 'a read changes nothing');
    assert.ok(warnings.some((w) => /^ABORTED \[msg /.test(w)), `logged: ${warnings.join(' | ')}`);
  });
});
