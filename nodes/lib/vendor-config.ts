/**
 * Factory for vendor config nodes: holds the account's credentials (never copied anywhere else)
 * and the rate limiter shared by every push node using this account.
 */
import { createHash } from 'node:crypto';
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';
import { RateLimiter, type RateLimit } from '../../src/core/limiter';
import type { FieldDescription } from '../../src/vendors/description';
import type { VendorModule } from '../../src/vendors/types';
import { registerAccountType } from './admin';

export interface VendorConfigNode<Config> extends Node {
  /** The account as the vendor module wants it, credentials included. Never put it on a msg. */
  vendorConfig(): Config;
  /** The vendor this account is for. */
  vendorId?: string;
  limiter?: RateLimiter;
  /** The account's limit (the vendor's documented one, or the contract's `rate_limit`): what a shared limiter applies. */
  rateLimit?: RateLimit;
  /** The account's identity (a hash of its type, URLs and credentials): the key of its shared limit in a Redis store. */
  accountKey?: string;
}

/**
 * The generic reading of an account's fields (config node properties and credentials, or the values
 * typed in its dialog): credentials as they are (absent: ''), properties trimmed, blank ones replaced by
 * their default.
 */
export function accountValues(fields: FieldDescription[], values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.credential) {
      out[f.name] = typeof v === 'string' ? v : '';
      continue;
    }
    const text = v === undefined || v === null ? '' : String(v).trim();
    out[f.name] = text !== '' ? text : f.default === undefined ? '' : String(f.default);
  }
  return out;
}

/** The account a vendor module wants from field values: `vendor.readAccount`, else the values themselves. */
export function readVendorAccount<Config>(vendor: VendorModule<Config, any, any>, values: Record<string, unknown>): Config {
  const fields = vendor.description?.account.fields ?? [];
  const read = accountValues(fields, values);
  return vendor.readAccount ? vendor.readAccount(read) : (read as unknown as Config);
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

/**
 * Register a vendor's account config node (`hrflow-<id>-config`): its credentials and properties are
 * those of `vendor.description.account.fields`, read generically (then `vendor.readAccount`). The type is
 * also registered with the admin endpoints (Test connection, pickers).
 */
/** The `credentials` option of registerType, from an account's fields (password inputs are password credentials). */
export function credentialTypes(fields: FieldDescription[]): Record<string, { type: 'password' | 'text' }> {
  return Object.fromEntries(fields.filter((f) => f.credential).map((f) => [f.name, { type: f.input === 'password' ? 'password' : 'text' } as const]));
}

export function registerVendorConfig<Config>(RED: NodeAPI, vendor: VendorModule<Config, any, any>): void {
  const type = `hrflow-${vendor.id}-config`;
  if (!vendor.description) throw new Error(`${vendor.label} has no description: its config node cannot be registered`);
  const description = vendor.description;
  const fields = description.account.fields;
  const credentials = credentialTypes(fields);

  function VendorConfig(this: VendorConfigNode<Config>, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    const nodeCredentials = () => ((node as unknown as { credentials?: Record<string, string> }).credentials ?? {});
    // Only the fields of the account: never a stray property of the flow file named like a credential.
    const properties: Record<string, unknown> = {};
    for (const f of fields) if (!f.credential) properties[f.name] = def[f.name];
    node.vendorConfig = () => readVendorAccount(vendor, { ...properties, ...pickCredentials(nodeCredentials(), Object.keys(credentials)) });
    node.vendorId = vendor.id;
    const key = vendor.rateLimit ? accountKey(type, node.vendorConfig()) : '';
    if (vendor.rateLimit) {
      node.rateLimit = contractLimit(vendor.rateLimit, def.rate_limit);
      node.accountKey = key;
      node.limiter = new RateLimiter(node.rateLimit);
      takeOver(key, node.limiter);
    }
    node.on('close', (_removed: boolean, done: () => void) => {
      const limiter = node.limiter;
      limiter?.close(new ConnectorError(ErrorCodes.ABORTED, 'the account was redeployed', { vendor: vendor.id }));
      if (limiter && limiter.busyUntil > Date.now()) handover.set(key, limiter);
      done();
    });
  }
  RED.nodes.registerType(type, VendorConfig as any, { credentials });
  registerAccountType<Config>(RED, {
    type,
    vendor: vendor.id,
    label: vendor.label,
    description: description.account,
    readAccount: (values) => readVendorAccount(vendor, values),
    connection: vendor.connection ? (config) => vendor.connection!(config) : undefined,
    secrets: (config) => vendor.secrets(config),
    secretHeaders: vendor.secretHeaders,
    testConnection: vendor.testConnection ? (ctx) => vendor.testConnection!(ctx) : undefined,
    lists: vendor.lists,
    deployed: (n) => {
      const c = n as VendorConfigNode<Config>;
      return typeof c.vendorConfig === 'function' && c.vendorId === vendor.id ? { config: c.vendorConfig(), limiter: c.limiter } : undefined;
    },
  });
}

function pickCredentials(creds: Record<string, string>, names: string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const n of names) out[n] = typeof creds[n] === 'string' ? creds[n] : undefined;
  return out;
}
