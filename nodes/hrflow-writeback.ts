/**
 * hrflow-writeback: placed after a push node, records on the HrFlow profile which ATS has it (vendor,
 * candidate id, target, time), in the profile's `metadatas` (default) or `tags` (property `store_as`), with
 * HrFlow's profile update (src/hrflow/writeback.ts recordPush: read, merge, `PUT /profile/indexing` of that
 * one field). Output: the msg, with `msg.writeback` saying what was recorded.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ConnectorError, ErrorCodes } from '../src/core/errors';
import { recordPush, writebackField, type WritebackInput } from '../src/hrflow/writeback';
import { ledgerTarget } from '../src/push/ledger';
import { vendors } from '../src/vendors';
import { intSetting, onInput, Status, type Msg } from './lib/runtime';
import { runtimeText } from './lib/status-text';
import type { HrflowApiNode } from './lib/hrflow-api-node';

/**
 * Status texts (keys of the `hrflow-writeback.status` catalogue, nodes/locales/<lang>/hrflow-writeback.json).
 * Static ones are shown as their key (the editor translates it); dynamic ones are filled in by the runtime
 * with RED._, in English when the catalogue has no such key.
 */
const STATUS = {
  noAccount: 'hrflow-writeback.status.no-account',
  writing: 'hrflow-writeback.status.writing',
  retry: { key: 'hrflow-writeback.status.retry', en: 'retry __attempt__/__retries__ __reason__' },
  recorded: { key: 'hrflow-writeback.status.recorded', en: 'recorded __vendor__ __id__' },
  unchanged: { key: 'hrflow-writeback.status.unchanged', en: 'already recorded __vendor__ __id__' },
} as const;

/** A property of an object, or undefined (also when reading it throws: a getter, a Proxy). */
function prop(o: unknown, key: string): unknown {
  if (!o || typeof o !== 'object') return undefined;
  try {
    return (o as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** A non-blank string (trimmed) or a finite number as a string, else undefined. */
function text(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim()) return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/**
 * Which HrFlow profile the message is about: `msg.hrflow` (what hrflow-profile sets), else `msg.profile`
 * (the profile after an hrflow-logic node: its `key` and `source.key`), else `msg.profile_key` /
 * `msg.source_key` (what the message asked hrflow-profile to read). Each key is taken from the first place
 * that has it.
 */
function profileRef(msg: Msg): { source_key?: string; profile_key?: string } {
  const hrflow = prop(msg, 'hrflow');
  const profile = prop(msg, 'profile');
  const source_key = text(prop(hrflow, 'source_key')) ?? text(prop(prop(profile, 'source'), 'key')) ?? text(prop(msg, 'source_key'));
  const profile_key = text(prop(hrflow, 'profile_key')) ?? text(prop(profile, 'key')) ?? text(prop(msg, 'profile_key'));
  return { source_key, profile_key };
}

/**
 * Where the push went: `msg.target` (set by every push node: the canonical target of its push ledger, e.g.
 * "job_id=101|pool_ids=201"), else, for a message from elsewhere, the vendor's target parameters the message
 * carries (`msg.job_id`, `msg.offer_ids`...) in the same canonical form, else "".
 */
function pushTarget(msg: Msg, vendorId: string): string {
  const given = prop(msg, 'target');
  if (typeof given === 'string') return given.trim();
  const description = vendors[vendorId]?.description;
  if (!description) return '';
  const values: Record<string, unknown> = {};
  for (const f of description.params) {
    if (!f.msg) continue;
    const v = prop(msg, f.msg);
    if (v === undefined || v === null || v === '') continue;
    values[f.name] = f.input === 'ids' && typeof v === 'string' ? v.split(',').map((x) => x.trim()) : v;
  }
  return ledgerTarget(description.params, values);
}

export = function (RED: NodeAPI): void {
  const say = (t: { key: string; en: string }, values: Record<string, string | number>): string => runtimeText(RED, t.key, t.en, values);
  const short = (id: string) => (id.length > 12 ? `${id.slice(0, 11)}…` : id);

  function HrflowWritebackNode(this: Node, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    const api = RED.nodes.getNode(def.api as string) as HrflowApiNode | null;
    const timeoutMs = intSetting(def.timeout, 30_000) || 30_000;
    const field = writebackField(def.store_as);
    const controller = new AbortController();
    if (!api) node.status(Status.error(STATUS.noAccount));

    const inputs = onInput(node, async (msg, send) => {
      if (!api) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'no HrFlow account selected in this node', { vendor: 'hrflow' });
      const vendor = text(prop(msg, 'vendor'));
      const ref = profileRef(msg);
      const input: WritebackInput = {
        source_key: ref.source_key ?? '',
        profile_key: ref.profile_key ?? '',
        vendor: vendor ?? '',
        candidate_id: text(prop(msg, 'candidate_id')) ?? '',
        target: vendor ? pushTarget(msg, vendor) : '',
        field,
      };
      node.status(Status.working(STATUS.writing));
      const client = api.client({
        timeoutMs,
        signal: controller.signal,
        onRetry: (info) => node.status(Status.retrying(say(STATUS.retry, { attempt: info.attempt, retries: info.retries, reason: info.reason }))),
      });
      const result = await recordPush(client, input);
      msg.writeback = {
        source_key: result.source_key,
        profile_key: result.profile_key,
        vendor: result.vendor,
        candidate_id: result.candidate_id,
        target: result.target,
        store_as: result.field,
        name: result.name,
        at: result.at,
        action: result.action,
      };
      // No personal data in the status: the vendor and the candidate id only.
      const values = { vendor: result.vendor, id: short(result.candidate_id) };
      node.status(Status.ok(result.action === 'unchanged' ? say(STATUS.unchanged, values) : say(STATUS.recorded, values)));
      send(msg);
    }, undefined, { output: 'cut', clone: RED.util.cloneMessage, vendor: 'hrflow' });

    node.on('close', (_removed: boolean, done: () => void) => {
      controller.abort(new ConnectorError(ErrorCodes.ABORTED, 'the flow was stopped', { vendor: 'hrflow' }));
      node.status(Status.clear());
      // A write-back is safe to repeat (the same record again changes nothing): say so, whether or not the update left.
      inputs.close(
        () => new ConnectorError(ErrorCodes.ABORTED, 'the flow was stopped during the write-back to HrFlow: the record may or may not be on the profile; send the message again (a write-back is safe to repeat)', { vendor: 'hrflow', step: 'writeback' }),
        done,
      );
    });
  }
  RED.nodes.registerType('hrflow-writeback', HrflowWritebackNode as any);
};
