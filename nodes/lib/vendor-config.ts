/**
 * Factory for vendor config nodes: holds the account's credentials (never copied anywhere else)
 * and the rate limiter shared by every push node using this account.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';
import { RateLimiter } from '../../src/core/limiter';
import type { VendorModule } from '../../src/vendors/types';

export interface VendorConfigNode<Config> extends Node {
  /** The account as the vendor module wants it, credentials included. Never put it on a msg. */
  vendorConfig(): Config;
  limiter?: RateLimiter;
}

export interface VendorConfigSpec<Config> {
  type: string;
  vendor: VendorModule<Config, any, any>;
  credentials: Record<string, { type: 'text' | 'password' }>;
  /** Build the vendor config from the node's properties and credentials. */
  read(def: Record<string, unknown>, credentials: Record<string, string | undefined>): Config;
}

export function registerVendorConfig<Config>(RED: NodeAPI, spec: VendorConfigSpec<Config>): void {
  function VendorConfig(this: VendorConfigNode<Config>, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    const credentials = () => ((node as unknown as { credentials?: Record<string, string> }).credentials ?? {});
    node.vendorConfig = () => spec.read(def, credentials());
    if (spec.vendor.rateLimit) node.limiter = new RateLimiter(spec.vendor.rateLimit);
    node.on('close', (_removed: boolean, done: () => void) => {
      node.limiter?.close(new ConnectorError(ErrorCodes.ABORTED, 'the account was redeployed', { vendor: spec.vendor.id }));
      done();
    });
  }
  RED.nodes.registerType(spec.type, VendorConfig as any, { credentials: spec.credentials });
}
