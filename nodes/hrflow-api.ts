/**
 * hrflow-api: the HrFlow.ai account (API secret + user email as credentials, base URL).
 * Its fields, help and Test connection are described in src/hrflow/description.ts.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { HrflowClient } from '../src/hrflow/client';
import { hrflowAccount, hrflowApiDescription, readHrflowAccount } from '../src/hrflow/description';
import { registerAccountType } from './lib/admin';
import type { HrflowApiNode } from './lib/hrflow-api-node';
import { credentialTypes } from './lib/vendor-config';

export = function (RED: NodeAPI): void {
  function HrflowApi(this: HrflowApiNode, def: NodeDef & { base_url?: string }) {
    RED.nodes.createNode(this, def);
    const node = this;
    node.account = () => {
      const creds = ((node as unknown as { credentials?: Record<string, string> }).credentials ?? {});
      return readHrflowAccount({ api_secret: creds.api_secret, api_user: creds.api_user, base_url: def.base_url });
    };
    node.client = (options) => new HrflowClient(node.account(), options);
  }
  RED.nodes.registerType('hrflow-api', HrflowApi as any, { credentials: credentialTypes(hrflowApiDescription.fields) });
  // Test connection of the dialog: the deployed account is the node's own reading (environment variables resolved).
  registerAccountType(RED, {
    ...hrflowAccount,
    deployed: (n) => (typeof (n as HrflowApiNode).account === 'function' && n.type === 'hrflow-api' ? { config: (n as HrflowApiNode).account() } : undefined),
  });
};
