/**
 * hrflow-profile: reads one profile from HrFlow.ai (source key + profile key, from the panel or
 * msg.source_key / msg.profile_key) and sends it as msg.payload.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ConnectorError, ErrorCodes } from '../src/core/errors';
import { abortedAtClose, fromMsgOr, intSetting, onInput, Status } from './lib/runtime';
import type { HrflowApiNode } from './lib/hrflow-api-node';

export = function (RED: NodeAPI): void {
  function HrflowProfileNode(this: Node, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    const api = RED.nodes.getNode(def.api as string) as HrflowApiNode | null;
    const timeoutMs = intSetting(def.timeout, 30_000) || 30_000;
    const controller = new AbortController();
    if (!api) node.status(Status.error('no HrFlow account'));

    const inputs = onInput(node, async (msg, send) => {
      if (!api) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'no HrFlow account selected in this node', { vendor: 'hrflow' });
      const source_key = fromMsgOr(msg, 'source_key', def.source_key);
      const profile_key = fromMsgOr(msg, 'profile_key', def.profile_key);
      node.status(Status.working('reading'));
      const client = api.client({
        timeoutMs,
        signal: controller.signal,
        onRetry: (info) => node.status(Status.retrying(`retry ${info.attempt}/${info.retries} ${info.reason}`)),
      });
      const profile = await client.getProfile(source_key, profile_key);
      msg.payload = profile;
      msg.hrflow = { source_key, profile_key };
      // No personal data in the status: the key only.
      node.status(Status.ok(`read ${profile_key.length > 10 ? `${profile_key.slice(0, 9)}…` : profile_key}`));
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
