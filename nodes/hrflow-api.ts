/**
 * hrflow-api: the HrFlow.ai account (API secret + user email as credentials, base URL).
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { HRFLOW_DEFAULT_BASE_URL, HrflowClient } from '../src/hrflow/client';
import type { HrflowApiNode } from './lib/hrflow-api-node';

export = function (RED: NodeAPI): void {
  function HrflowApi(this: HrflowApiNode, def: NodeDef & { base_url?: string }) {
    RED.nodes.createNode(this, def);
    const node = this;
    const baseUrl = String(def.base_url || HRFLOW_DEFAULT_BASE_URL).trim();
    node.client = (options) => {
      const creds = ((node as unknown as { credentials?: Record<string, string> }).credentials ?? {});
      return new HrflowClient({ api_secret: creds.api_secret ?? '', api_user: creds.api_user ?? '', base_url: baseUrl }, options);
    };
  }
  RED.nodes.registerType('hrflow-api', HrflowApi as any, {
    credentials: { api_secret: { type: 'password' }, api_user: { type: 'text' } },
  });
};
