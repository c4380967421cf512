/**
 * hrflow-api: the HrFlow.ai account (API secret + user email as credentials, base URL).
 * Its fields, help and Test connection are described in src/hrflow/description.ts.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { HrflowClient } from '../src/hrflow/client';
import { readHrflowAccount } from '../src/hrflow/description';
import type { HrflowApiNode } from './lib/hrflow-api-node';

export = function (RED: NodeAPI): void {
  function HrflowApi(this: HrflowApiNode, def: NodeDef & { base_url?: string }) {
    RED.nodes.createNode(this, def);
    const node = this;
    node.client = (options) => {
      const creds = ((node as unknown as { credentials?: Record<string, string> }).credentials ?? {});
      return new HrflowClient(readHrflowAccount({ ...creds, base_url: def.base_url }), options);
    };
  }
  RED.nodes.registerType('hrflow-api', HrflowApi as any, {
    credentials: { api_secret: { type: 'password' }, api_user: { type: 'text' } },
  });
};
