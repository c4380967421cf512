/**
 * Factory for vendor config nodes: holds the account's credentials (never copied anywhere else)
 * and the rate limiter shared by every push node using this account.
 */
import { createHash } from 'node:crypto';
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';
import { RateLimiter, type RateLimit } from '../../src/core/limiter';
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

/**
 * Limiters of config nodes that closed, by account, while their window still matters: the config
 * node a redeploy builds for the same account takes their budget over, so a redeploy does not let
 * the flow send a second full window to the vendor (Taleez: 100 requests per minute).
 */
const handover = new Map<string, RateLimiter>();

/** The account's identity: node type, URLs and credentials, as a hash (no secret is kept). */
function accountKey(type: string, config: unknown): string {
  return createHash('sha256').update(JSON.stringify([type, config])).digest('hex');
}

function takeOver(key: string, limiter: RateLimiter): void {
  const now = Date.now();
  for (const [k, old] of handover) if (old.busyUntil <= now) handover.delete(k);
  const previous = handover.get(key);
  if (!previous) return;
  handover.delete(key);
  limiter.carryFrom(previous);
}

/**
 * The account's own limit, when its contract allows more (or less) than the vendor's documented one:
 * `rate_limit` requests per window of the vendor's limit (Taleez: per minute). Blank: the documented one.
 */
function contractLimit(documented: RateLimit, value: unknown): RateLimit {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 ? { ...documented, perWindow: n } : documented;
}

export function registerVendorConfig<Config>(RED: NodeAPI, spec: VendorConfigSpec<Config>): void {
  function VendorConfig(this: VendorConfigNode<Config>, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    const credentials = () => ((node as unknown as { credentials?: Record<string, string> }).credentials ?? {});
    node.vendorConfig = () => spec.read(def, credentials());
    const key = spec.vendor.rateLimit ? accountKey(spec.type, node.vendorConfig()) : '';
    if (spec.vendor.rateLimit) {
      node.limiter = new RateLimiter(contractLimit(spec.vendor.rateLimit, def.rate_limit));
      takeOver(key, node.limiter);
    }
    node.on('close', (_removed: boolean, done: () => void) => {
      const limiter = node.limiter;
      limiter?.close(new ConnectorError(ErrorCodes.ABORTED, 'the account was redeployed', { vendor: spec.vendor.id }));
      if (limiter && limiter.busyUntil > Date.now()) handover.set(key, limiter);
      done();
    });
  }
  RED.nodes.registerType(spec.type, VendorConfig as any, { credentials: spec.credentials });
}
