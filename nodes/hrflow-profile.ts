/**
 * hrflow-profile: reads one profile from HrFlow.ai (source key + profile key, from the panel or
 * msg.source_key / msg.profile_key) and sends it as msg.payload.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ConnectorError, ErrorCodes } from '../src/core/errors';
import { abortedAtClose, fromMsgOr, intSetting, onInput, Status } from './lib/runtime';
import { runtimeText } from './lib/status-text';
import type { HrflowApiNode } from './lib/hrflow-api-node';

/**
 * Status texts (keys of the `hrflow-profile.status` catalogue, nodes/locales/<lang>/hrflow-profile.json).
 * Static ones are shown as their key (the editor translates it in the user's language); dynamic ones
 * are filled in by the runtime with RED._, in English when the catalogue has no such key.
 */
const STATUS = {
  noAccount: 'hrflow-profile.status.no-account',
  reading: 'hrflow-profile.status.reading',
  retry: { key: 'hrflow-profile.status.retry', en: 'retry __attempt__/__retries__ __reason__' },
  read: { key: 'hrflow-profile.status.read', en: 'read __key__' },
} as const;

export = function (RED: NodeAPI): void {
  const text = (t: { key: string; en: string }, values: Record<string, string | number>): string => runtimeText(RED, t.key, t.en, values);

  function HrflowProfileNode(this: Node, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    const api = RED.nodes.getNode(def.api as string) as HrflowApiNode | null;
    const timeoutMs = intSetting(def.timeout, 30_000) || 30_000;
    const controller = new AbortController();
    if (!api) node.status(Status.error(STATUS.noAccount));

    const inputs = onInput(node, async (msg, send) => {
      if (!api) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'no HrFlow account selected in this node', { vendor: 'hrflow' });
      const source_key = fromMsgOr(msg, 'source_key', def.source_key);
      const profile_key = fromMsgOr(msg, 'profile_key', def.profile_key);
      node.status(Status.working(STATUS.reading));
      const client = api.client({
        timeoutMs,
        signal: controller.signal,
        onRetry: (info) => node.status(Status.retrying(text(STATUS.retry, { attempt: info.attempt, retries: info.retries, reason: info.reason }))),
      });
      const profile = await client.getProfile(source_key, profile_key);
      msg.payload = profile;
      msg.hrflow = { source_key, profile_key };
      // No personal data in the status: the key only.
      node.status(Status.ok(text(STATUS.read, { key: profile_key.length > 10 ? `${profile_key.slice(0, 9)}…` : profile_key })));
      send(msg);
    }, undefined, { output: ErrorCodes.INVALID_PROFILE, clone: RED.util.cloneMessage });

    node.on('close', (_removed: boolean, done: () => void) => {
      controller.abort(new ConnectorError(ErrorCodes.ABORTED, 'the flow was stopped', { vendor: 'hrflow' }));
      node.status(Status.clear());
      inputs.close((job) => abortedAtClose('HrFlow', 'hrflow', job), done);
    });
  }
  RED.nodes.registerType('hrflow-profile', HrflowProfileNode as any);
};
