/**
 * Push mechanics shared by vendors (above src/core, which is transport only): the profile's CV.
 *
 * - `checkCvUrl` / `cvUrl`: only absolute http(s) URLs without credentials are ever downloaded or
 *   handed to a vendor; anything else is INVALID_PROFILE naming where the URL came from.
 * - `downloadCv`: fetches the CV before anything is created at the vendor, with its own small HTTP
 *   loop on node:http(s) (not the vendor client) so that every connection, redirect hop included, is
 *   checked against the CV download policy (allowed hosts, refused address classes) before it is
 *   made; reads the type from the bytes and refuses what the vendor does not take.
 * - A process-wide memory budget (`cvBudget`) bounds the CV bytes held at once, from the download to
 *   the end of the vendor upload (`CvFile.release()`).
 */
import { randomBytes } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { ConnectorError, ErrorCodes } from '../core/errors';
import { backoffDelay, type HttpClient, type RetryInfo } from '../core/http';
import { Redactor } from '../core/redact';
import {
  attachmentFileName,
  contentTypeFor,
  cvAttachment,
  type HrflowAttachment,
  type HrflowProfile,
} from '../hrflow/profile';

/** Largest CV we download (vendors accept far less). */
export const MAX_CV_BYTES = 20 * 1024 * 1024;
/** Redirect hops followed for one CV (storage links often redirect once or twice). */
export const MAX_CV_REDIRECTS = 5;
/** Default process-wide budget of CV bytes held at once (see `cvBudget`). */
export const DEFAULT_CV_MEMORY_MIB = 32;

/**
 * The documented Node-RED setting `hrflowCvDownload` (settings.js), also the `cvDownload` option of
 * the plain Node.js API: which hosts CVs may be downloaded from.
 */
export interface CvDownloadPolicy {
  /**
   * Hosts CVs may be downloaded from: exact host names or IP literals ("files.example.com",
   * "203.0.113.7") or "*.example.com" (any subdomain of example.com). Absent or empty: any host.
   * An IP literal listed here is allowed whatever its address class.
   */
  allowedHosts?: string[];
  /**
   * Allow loopback, private, link-local (cloud metadata), CGNAT, unspecified, multicast and
   * broadcast addresses (default false: refused before connecting, also after DNS and on redirects).
   */
  allowPrivateAddresses?: boolean;
  /**
   * Most MiB of CV bytes the whole process holds at once, from the download until the vendor upload
   * is finished (default 32). Pushes beyond it wait their turn; one CV larger than it goes alone.
   */
  maxMemoryMiB?: number;
}

/** A policy from an untrusted settings value: unknown keys and wrong types are ignored. */
export function cvDownloadPolicy(value: unknown): CvDownloadPolicy {
  if (!value || typeof value !== 'object') return {};
  const v = value as Record<string, unknown>;
  const policy: CvDownloadPolicy = {};
  if (Array.isArray(v.allowedHosts)) policy.allowedHosts = v.allowedHosts.filter((h): h is string => typeof h === 'string' && h.trim() !== '');
  if (v.allowPrivateAddresses === true) policy.allowPrivateAddresses = true;
  if (typeof v.maxMemoryMiB === 'number' && Number.isFinite(v.maxMemoryMiB) && v.maxMemoryMiB > 0) policy.maxMemoryMiB = v.maxMemoryMiB;
  return policy;
}

/** How a CV download runs: the policy plus the node's transport settings. */
export interface CvDownloadOptions extends CvDownloadPolicy {
  /** Per-attempt timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** Retries of a 5xx/408/429 answer, a timeout or a connection failure (default 3). */
  retries?: number;
  /** Base backoff delay in ms (default 1 000). */
  retryDelayMs?: number;
  /** The node's stop signal. */
  signal?: AbortSignal;
  onRetry?: (info: RetryInfo) => void;
}

/** What downloadCv needs of a push context. */
export interface CvSource {
  files: HttpClient;
  profile?: HrflowProfile;
  cv?: CvDownloadOptions;
}

/** The document types a CV can be, read from its bytes. */
export type CvKind = 'pdf' | 'doc' | 'docx' | 'odt' | 'rtf';

const KIND_EXT: Record<CvKind, string> = { pdf: '.pdf', doc: '.doc', docx: '.docx', odt: '.odt', rtf: '.rtf' };

export interface CvFile {
  fileName: string;
  contentType: string;
  kind: CvKind;
  data: Buffer;
  attachment: HrflowAttachment;
  /** Give the CV's share of the memory budget back: call once the vendor upload is finished (idempotent). */
  release(): void;
}

function invalid(message: string, vendor?: string): ConnectorError {
  return new ConnectorError(ErrorCodes.INVALID_PROFILE, message, { step: 'download_cv', vendor });
}

/** A URL for messages: no query or fragment (signed storage links carry tokens there). */
function shown(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/**
 * The CV URL as one that may be downloaded or handed to a vendor: an absolute http: or https: URL
 * without user name or password. Anything else (file:, ftp:, data:, javascript:, a relative path,
 * `https://user:pw@host/…`, garbage) throws INVALID_PROFILE naming `what`. Returns the normalised URL.
 */
export function checkCvUrl(value: unknown, what: string, vendor?: string): string {
  const raw = typeof value === 'string' ? value.trim() : '';
  let url: URL | undefined;
  try {
    url = raw ? new URL(raw) : undefined;
  } catch {
    url = undefined;
  }
  const fail = (why: string) =>
    new ConnectorError(ErrorCodes.INVALID_PROFILE, `${what} ${why}: only http and https URLs are downloaded or passed on`, {
      step: 'cv_url',
      vendor,
      fields: [what],
    });
  if (!url) throw fail(typeof value === 'string' ? 'is not an absolute URL' : 'is not a string');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`uses the ${url.protocol.replace(/:$/, '') || 'unknown'} scheme`);
  if (url.username || url.password) throw fail('carries a user name or password');
  if (!url.hostname) throw fail('has no host');
  return url.href;
}

/** The CV URL of an attachment, checked (see checkCvUrl). */
export function cvUrl(attachment: HrflowAttachment, vendor?: string): string {
  return checkCvUrl(attachment.public_url, `the ${String(attachment.type ?? 'CV')} attachment's public_url`, vendor);
}

/**
 * A CV URL a vendor downloads itself (Recruitee `remote_cv_url`, Flatchr link `resume`), default
 * mapping or formatted payload alike: checked as checkCvUrl, naming the profile's attachment when the
 * URL is its public_url, else the payload field; with the node's `policy`, its allowed hosts and the
 * address classes of an IP-literal host are checked too.
 */
export function checkPayloadCvUrl(value: unknown, field: string, profile?: HrflowProfile, vendor?: string, policy?: CvDownloadPolicy): string {
  const attachment = profile ? cvAttachment(profile) : undefined;
  const fromProfile = attachment !== undefined && attachment.public_url === value;
  const href = fromProfile ? cvUrl(attachment, vendor) : checkCvUrl(value, `${field} in the payload`, vendor);
  // The vendor fetches it for us: the hosts and IP-literal address classes of hrflowCvDownload hold
  // too (a name is resolved by the vendor, not here).
  if (policy) {
    try {
      checkHost(new URL(href), policy, vendor);
    } catch (err) {
      const what = fromProfile ? `the ${String(attachment.type ?? 'CV')} attachment's public_url` : `${field} in the payload`;
      throw new ConnectorError(ErrorCodes.INVALID_PROFILE, `${what}: ${(err as Error).message}`, { step: 'cv_url', vendor, fields: [what] });
    }
  }
  return href;
}

// ---------------------------------------------------------------------------------------------
// Address classes and hosts

const refused = new net.BlockList();
const V4: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'an unspecified ("this network") address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['10.0.0.0', 8, 'a private address'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.168.0.0', 16, 'a private address'],
  ['169.254.0.0', 16, 'a link-local address (cloud metadata lives there)'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved or broadcast address'],
  ['192.0.0.0', 24, 'a special-purpose (IETF protocol) address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
];
const V6: Array<[string, number, string]> = [
  ['::', 128, 'an unspecified address'],
  ['::1', 128, 'a loopback address'],
  ['fc00::', 7, 'a private (unique local) address'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local address'],
  ['64:ff9b:1::', 48, 'a local-use NAT64 address (it reaches an IPv4 address of the local network)'],
  ['ff00::', 8, 'a multicast address'],
];
const classes: Array<{ list: net.BlockList; why: string }> = [];
for (const [addr, prefix, why] of V4) {
  refused.addSubnet(addr, prefix, 'ipv4');
  const one = new net.BlockList();
  one.addSubnet(addr, prefix, 'ipv4');
  classes.push({ list: one, why });
}
for (const [addr, prefix, why] of V6) {
  refused.addSubnet(addr, prefix, 'ipv6');
  const one = new net.BlockList();
  one.addSubnet(addr, prefix, 'ipv6');
  classes.push({ list: one, why });
}

/** The 16 bytes of an IPv6 address (net.isIPv6 already checked), else undefined. */
function v6Bytes(address: string): Buffer | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return undefined;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) & 0xffff, 2 * i));
  return out;
}

/**
 * An IPv4 address embedded in an IPv6 one, else undefined: ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d
 * (translated), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64: the gateway connects to the IPv4
 * address), 2002:aabb:ccdd::/16 (6to4: the relay does).
 */
function embeddedV4(address: string): string | undefined {
  const b = v6Bytes(address);
  if (!b) return undefined;
  const v4 = (at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  const zero = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  if (zero(0, 10) && b.readUInt16BE(10) === 0xffff) return v4(12);
  if (zero(0, 8) && b.readUInt16BE(8) === 0xffff && b.readUInt16BE(10) === 0) return v4(12);
  if (zero(0, 12) && !zero(12, 14)) return v4(12); // ::a.b.c.d, not :: or ::1
  if (b.readUInt16BE(0) === 0x64 && b.readUInt16BE(2) === 0xff9b && zero(4, 12)) return v4(12);
  if (b.readUInt16BE(0) === 0x2002) return v4(2);
  return undefined;
}

/** Why an IP address may not be connected to by default, or undefined when it may. */
export function refusedAddressClass(address: string): string | undefined {
  const family = net.isIP(address);
  if (!family) return undefined;
  const v4 = family === 6 ? embeddedV4(address) : address;
  const [addr, type] = v4 ? [v4, 'ipv4' as const] : [address, 'ipv6' as const];
  if (!refused.check(addr, type)) return undefined;
  return classes.find((c) => c.list.check(addr, type))?.why ?? 'a refused address';
}

function hostAllowed(host: string, allowed: string[]): boolean {
  return allowed.some((entry) => {
    const e = entry.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
    if (!e) return false;
    if (e.startsWith('*.')) return host.endsWith(e.slice(1)) && host.length > e.length - 1;
    return host === e;
  });
}

const SETTING = 'hrflowCvDownload';

/** Throws INVALID_PROFILE when the policy refuses this URL's host, before anything connects. */
function checkHost(url: URL, policy: CvDownloadPolicy, vendor?: string): { literal: boolean; listed: boolean } {
  // "cv.example.com." (fully qualified) is the host "cv.example.com".
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const allowed = (policy.allowedHosts ?? []).filter((h) => typeof h === 'string' && h.trim());
  const listed = allowed.length > 0 && hostAllowed(host, allowed);
  if (allowed.length && !listed) {
    throw invalid(
      `the CV host ${host} is not an allowed host: add it to ${SETTING}.allowedHosts in Node-RED's settings.js to download CVs from it`,
      vendor,
    );
  }
  const literal = net.isIP(host) !== 0;
  if (literal && !listed && !policy.allowPrivateAddresses) {
    const why = refusedAddressClass(host);
    if (why) {
      throw invalid(
        `the CV host ${host} is ${why}, refused by default: set ${SETTING}.allowPrivateAddresses (or list the host in ${SETTING}.allowedHosts) in Node-RED's settings.js to allow it`,
        vendor,
      );
    }
  }
  return { literal, listed };
}

/** Marks a refusal raised inside a socket lookup, so it is reported as INVALID_PROFILE and never retried. */
class RefusedError extends Error {
  readonly refusal: ConnectorError;
  constructor(refusal: ConnectorError) {
    super(refusal.message);
    this.refusal = refusal;
  }
}

type LookupCb = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A socket `lookup` that refuses names resolving to a refused address class (checked after DNS, before connecting). */
function guardedLookup(host: string, vendor?: string) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCb): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, options.all ? [] : '', undefined);
      const list = addresses as dns.LookupAddress[];
      for (const a of list) {
        const why = refusedAddressClass(a.address);
        if (why) {
          const refusal = invalid(
            `the CV host ${host} resolves to ${a.address}, ${why}, refused by default: set ${SETTING}.allowPrivateAddresses in Node-RED's settings.js to allow it`,
            vendor,
          );
          return callback(new RefusedError(refusal) as unknown as NodeJS.ErrnoException, options.all ? [] : '', undefined);
        }
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', undefined);
      callback(null, first.address, first.family);
    });
  };
}

// ---------------------------------------------------------------------------------------------
// Memory budget

interface Waiter {
  bytes: number;
  grant: (lease: CvLease) => void;
}

/** A share of the CV memory budget. */
export interface CvLease {
  /** Give the share back (idempotent). */
  release(): void;
  /** Lower the share to what is really held (a CV of unknown length, once read). */
  shrink(bytes: number): void;
}

/**
 * Process-wide budget of CV bytes held at once (download start → vendor upload finished), shared by
 * every node: N concurrent large CVs cannot hold more than the limit (plus one CV when a single CV is
 * larger than the limit). Waiters are served first come, first served, and leave the queue when their
 * node's stop signal fires.
 */
export class CvBudget {
  private limit: number;
  private held = 0;
  private readonly queue: Waiter[] = [];

  constructor(limitMiB = DEFAULT_CV_MEMORY_MIB) {
    this.limit = Math.max(1, limitMiB) * 1024 * 1024;
  }

  /** Change the limit (the `maxMemoryMiB` setting); a non-positive or non-finite value is ignored. */
  setLimitMiB(mib: number | undefined): void {
    if (typeof mib === 'number' && Number.isFinite(mib) && mib > 0) {
      this.limit = mib * 1024 * 1024;
      this.pump();
    }
  }

  get limitBytes(): number {
    return this.limit;
  }

  get heldBytes(): number {
    return this.held;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves with a lease once `bytes` fit; rejects with `signal.reason` when the signal fires first. */
  acquire(bytes: number, signal?: AbortSignal): Promise<CvLease> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal?.reason);
        this.pump();
      };
      const waiter: Waiter = {
        bytes,
        grant: (lease) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(lease);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      const next = this.queue[0];
      if (this.held > 0 && this.held + next.bytes > this.limit) return;
      this.queue.shift();
      this.held += next.bytes;
      let share = next.bytes;
      next.grant({
        release: () => {
          this.held -= share;
          share = 0;
          this.pump();
        },
        shrink: (bytes: number) => {
          if (bytes >= share) return;
          this.held -= share - Math.max(0, bytes);
          share = Math.max(0, bytes);
          this.pump();
        },
      });
    }
  }
}

/** The one budget of the process. */
export const cvBudget = new CvBudget();

// ---------------------------------------------------------------------------------------------
// Download

const agents = {
  guarded: { http: new http.Agent({ keepAlive: true, timeout: 5000 }), https: new https.Agent({ keepAlive: true, timeout: 5000 }) },
  open: { http: new http.Agent({ keepAlive: true, timeout: 5000 }), https: new https.Agent({ keepAlive: true, timeout: 5000 }) },
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A non-2xx answer (after redirects). */
class StatusError extends Error {
  constructor(readonly status: number) {
    super(`answered ${status}`);
  }
}

class TimeoutError extends Error {
  readonly code = 'HRFLOW_TIMEOUT';
}

interface Run {
  policy: CvDownloadPolicy;
  timeoutMs: number;
  signal?: AbortSignal;
  vendor: string;
  accepts: readonly CvKind[];
}

function aborted(run: Run): ConnectorError {
  return new ConnectorError(ErrorCodes.ABORTED, 'CV download cancelled: the flow was stopped', { vendor: run.vendor, step: 'download_cv' });
}

/**
 * The proxy for a CV URL from the environment, as axios reads it for the API calls: `https_proxy` /
 * `HTTPS_PROXY` (https URLs), `http_proxy` / `HTTP_PROXY` (http URLs), then `all_proxy` / `ALL_PROXY`;
 * none when `no_proxy` / `NO_PROXY` names the host ("example.com" exactly, ".example.com" or
 * "*.example.com" its subdomains, optionally ":port"; "*" every host). Undefined: connect directly.
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const noProxy = (env.no_proxy ?? env.NO_PROXY ?? '').trim().toLowerCase();
  if (noProxy === '*') return undefined;
  for (const entry of noProxy.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\](?=:|$)/g, '')) as RegExpExecArray;
    if (m[2] && m[2] !== port) continue;
    const h = m[1].replace(/^\*/, '');
    if (h.startsWith('.') ? host.endsWith(h) || host === h.slice(1) : host === h) return undefined;
  }
  const raw = (url.protocol === 'https:' ? env.https_proxy || env.HTTPS_PROXY : env.http_proxy || env.HTTP_PROXY) || env.all_proxy || env.ALL_PROXY;
  if (!raw) return undefined;
  try {
    const proxy = new URL(raw.includes('://') ? raw : `http://${raw}`);
    return proxy.protocol === 'http:' || proxy.protocol === 'https:' ? proxy : undefined;
  } catch {
    return undefined;
  }
}

function proxyHeaders(proxy: URL): Record<string, string> {
  if (!proxy.username && !proxy.password) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/**
 * One GET (no redirect): resolves with the answer's head, the body not read yet. The host is checked
 * against the policy before anything connects; a name is checked again after DNS (socket lookup).
 * Through a proxy (HTTP(S)_PROXY), the proxy resolves names: allowedHosts and IP literals are still
 * checked here, the address a name resolves to cannot be.
 */
function open(url: URL, run: Run): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const { literal } = checkHost(url, run.policy, run.vendor);
    // A listed name is still checked after DNS (a listed IP literal is trusted as it stands).
    const guarded = !literal && !run.policy.allowPrivateAddresses;
    const pool = guarded ? agents.guarded : agents.open;
    const https_ = url.protocol === 'https:';
    const headers = { Accept: '*/*', 'User-Agent': 'hrflow-connectors-node-red' };
    const proxy = proxyFor(url);
    let current: http.ClientRequest | undefined;
    let done = false;
    const finish = (err: unknown, res?: http.IncomingMessage) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      if (err) {
        current?.destroy();
        reject(err);
      } else resolve(res as http.IncomingMessage);
    };
    const onAbort = () => finish(aborted(run));
    const timer = setTimeout(() => finish(new TimeoutError(`no answer within ${run.timeoutMs} ms`)), run.timeoutMs);
    const watch = (req: http.ClientRequest) => {
      current = req;
      req.on('error', (err) => finish(err instanceof RefusedError ? err.refusal : err));
      req.end();
    };
    run.signal?.addEventListener('abort', onAbort, { once: true });
    if (run.signal?.aborted) return onAbort();
    const proxyModule = proxy?.protocol === 'https:' ? https : http;
    if (!proxy) {
      const options: http.RequestOptions = {
        method: 'GET',
        headers,
        agent: https_ ? pool.https : pool.http,
        lookup: guarded ? (guardedLookup(host, run.vendor) as unknown as net.LookupFunction) : undefined,
      };
      watch((https_ ? https : http).request(url, options, (res) => finish(null, res)));
    } else if (!https_) {
      // Plain http through the proxy: the absolute URL as the request target.
      watch(proxyModule.request({ host: proxy.hostname, port: proxy.port || undefined, method: 'GET', path: url.href, agent: false, headers: { ...headers, Host: url.host, ...proxyHeaders(proxy) } }, (res) => finish(null, res)));
    } else {
      // https through the proxy: a CONNECT tunnel, then TLS to the CV host inside it.
      const target = `${url.hostname}:${url.port || 443}`;
      const connect = proxyModule.request({ host: proxy.hostname, port: proxy.port || undefined, method: 'CONNECT', path: target, agent: false, headers: { Host: target, ...proxyHeaders(proxy) } });
      connect.on('connect', (answer: http.IncomingMessage, socket: net.Socket) => {
        if (done) return void socket.destroy();
        if (answer.statusCode !== 200) {
          socket.destroy();
          return finish(Object.assign(new Error(`the proxy answered ${answer.statusCode} to CONNECT ${target}`), { code: 'EPROXY' }));
        }
        const tlsSocket = tls.connect({ socket, servername: net.isIP(host) ? undefined : host });
        watch(https.request(url, { method: 'GET', headers, agent: false, createConnection: () => tlsSocket }, (res) => finish(null, res)));
      });
      watch(connect);
    }
  });
}

/** Could these first bytes start a document of a known kind? (Lets an HTML page be refused early.) */
function plausibleStart(head: Buffer): boolean {
  if (head.subarray(0, 1024).includes('%PDF-')) return true;
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return true;
  if (head.length >= 8 && head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1) return true;
  return /^(?:\xef\xbb\xbf)?\{\\rtf/.test(head.subarray(0, 8).toString('latin1'));
}

/** Cuts a stream into slices of at most 1 KiB (views, no copy). */
class Slicer extends Transform {
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (let i = 0; i < chunk.length; i += 1024) this.push(chunk.subarray(i, i + 1024));
    callback();
  }
}

/** Read the body of a 2xx answer within the budget; resolves with the bytes and the budget lease. */
async function readBody(res: http.IncomingMessage, url: URL, run: Run): Promise<{ data: Buffer; release: () => void }> {
  const declared = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
  // A body the server compressed unasked (storage objects saved with Content-Encoding: gzip) is
  // decompressed as it streams: the size cap and the budget count the decompressed bytes (a gzip
  // bomb stops at MAX_CV_BYTES), and its Content-Length (compressed) says nothing of them.
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const coded = encoding !== '' && encoding !== 'identity';
  const decoder = !coded
    ? undefined
    : encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : null;
  if (decoder === null) {
    res.destroy();
    throw invalid(`the CV at ${shown(url)} is sent with Content-Encoding "${encoding}", which is not read (gzip, deflate and br are)`, run.vendor);
  }
  const sizeOk = declared !== undefined && Number.isSafeInteger(declared) && declared >= 0;
  if (sizeOk && coded && declared > MAX_CV_BYTES) {
    res.destroy();
    throw invalid(`the CV at ${shown(url)} is too large (${declared} compressed bytes; at most ${MAX_CV_BYTES} are downloaded)`, run.vendor);
  }
  const known = sizeOk && !coded ? declared : undefined;
  if (known !== undefined && known > MAX_CV_BYTES) {
    res.destroy();
    throw invalid(`the CV at ${shown(url)} is too large (${known} bytes; at most ${MAX_CV_BYTES} are downloaded)`, run.vendor);
  }
  if (known === 0) {
    res.destroy();
    throw invalid(`the CV at ${shown(url)} is empty`, run.vendor);
  }
  let lease: CvLease;
  try {
    // The answer stays paused (the socket applies back-pressure) while the budget is full.
    lease = await cvBudget.acquire(known ?? MAX_CV_BYTES, run.signal);
  } catch {
    res.destroy();
    throw aborted(run);
  }
  try {
    const data = await new Promise<Buffer>((resolve, reject) => {
      // A known length is read straight into one buffer: no list of chunks copied again at the end.
      const whole = known !== undefined ? Buffer.allocUnsafe(known) : undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      let checked = false;
      let settled = false;
      const settle = (err: unknown, value?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        run.signal?.removeEventListener('abort', onAbort);
        if (err) {
          res.destroy();
          decoder?.destroy();
          chunks.length = 0;
          reject(err);
        } else resolve(value as Buffer);
      };
      const head = () => (whole ? whole.subarray(0, Math.min(size, 1024)) : Buffer.concat(chunks).subarray(0, 1024));
      const notDocument = () => {
        const type = String(res.headers['content-type'] ?? 'no content type').split(';')[0].trim();
        return invalid(`the CV at ${shown(url)} is not a document (${type}, the bytes are not a PDF, DOC, DOCX, ODT or RTF file)`, run.vendor);
      };
      const onAbort = () => settle(aborted(run));
      const timer = setTimeout(() => settle(new TimeoutError(`the CV did not arrive within ${run.timeoutMs} ms`)), run.timeoutMs);
      run.signal?.addEventListener('abort', onAbort, { once: true });
      // zlib inflates a whole input chunk before anything reads its output: fed in 1 KiB slices, one
      // slice of a bomb gives at most about 1 MiB past the cap, not the 64 MiB of one socket read.
      const body: NodeJS.ReadableStream = decoder ? res.pipe(new Slicer()).pipe(decoder) : res;
      if (decoder) {
        decoder.on('error', () =>
          settle(invalid(`the CV at ${shown(url)} is not valid ${encoding} data (Content-Encoding: ${encoding})`, run.vendor)),
        );
      }
      body.on('data', (chunk: Buffer) => {
        if (settled) return;
        if (size + chunk.length > (known ?? MAX_CV_BYTES)) {
          return settle(
            known !== undefined
              ? Object.assign(new Error('more bytes than announced'), { code: 'ECONNRESET' })
              : invalid(`the CV at ${shown(url)} is larger than ${MAX_CV_BYTES} bytes: not downloaded further`, run.vendor),
          );
        }
        if (whole) chunk.copy(whole, size);
        else chunks.push(chunk);
        size += chunk.length;
        if (!checked && size >= 1024) {
          checked = true;
          if (!plausibleStart(head())) settle(notDocument());
        }
      });
      body.on('end', () => {
        if (known !== undefined && size !== known) return settle(Object.assign(new Error('the answer ended early'), { code: 'ECONNRESET' }));
        if (size === 0) return settle(invalid(`the CV at ${shown(url)} is empty`, run.vendor));
        const data = whole ?? (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
        chunks.length = 0;
        if (!checked && !plausibleStart(data)) return settle(notDocument());
        settle(null, data);
      });
      res.on('error', (err) => settle(err));
      res.on('aborted', () => settle(Object.assign(new Error('the answer was cut'), { code: 'ECONNRESET' })));
      if (run.signal?.aborted) onAbort();
    });
    lease.shrink(data.length);
    return { data, release: lease.release };
  } catch (err) {
    lease.release();
    throw err;
  }
}

/** One attempt: follow redirects (each hop checked before connecting), read the 2xx body. */
async function attempt(start: URL, run: Run): Promise<{ data: Buffer; release: () => void; url: URL; type?: string }> {
  let url = start;
  for (let hop = 0; ; hop++) {
    const res = await open(url, run);
    if (REDIRECTS.has(res.statusCode ?? 0) && res.headers.location) {
      res.destroy();
      if (hop >= MAX_CV_REDIRECTS) {
        throw invalid(`the CV at ${shown(start)} redirects more than ${MAX_CV_REDIRECTS} times (a redirect loop?)`, run.vendor);
      }
      let next: URL;
      try {
        next = new URL(res.headers.location, url);
      } catch {
        throw invalid(`the CV at ${shown(url)} redirects to an invalid URL`, run.vendor);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw invalid(`the CV at ${shown(url)} redirects to the ${next.protocol.replace(/:$/, '')} scheme: only http and https are followed`, run.vendor);
      }
      if (next.username || next.password) throw invalid(`the CV at ${shown(url)} redirects to a URL carrying a user name or password`, run.vendor);
      url = next;
      continue;
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      res.destroy();
      throw new StatusError(status);
    }
    const { data, release } = await readBody(res, url, run);
    return { data, release, url, type: res.headers['content-type'] };
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * Download the profile's `resume` attachment, else its `original` one, before anything is created
 * at the vendor. Resolves undefined when the profile has no attachment with a public URL.
 *
 * Outcomes (step `download_cv`): a URL that is not http(s) without credentials, a host or address the
 * policy refuses, a redirect loop or a redirect to another scheme, a 4xx answer, an empty, too large
 * or non-document body, or a document type the vendor does not take (`accepts`) → INVALID_PROFILE,
 * never retried. A 5xx/408/429 answer, a timeout or a connection failure is retried like any GET
 * (the node's retries), then reported as VENDOR_UNAVAILABLE, TIMEOUT or NETWORK_ERROR (vendor: the
 * `files` client's, i.e. the push's vendor id): the CV host may come back, the profile is not at fault. Stop → ABORTED.
 *
 * The returned CV holds a share of the process-wide memory budget: call `release()` once the
 * vendor upload is finished (try/finally). `label` names the vendor in messages.
 */
export async function downloadCv(source: CvSource, accepts: readonly CvKind[], label?: string): Promise<CvFile | undefined> {
  const attachment = source.profile ? cvAttachment(source.profile) : undefined;
  if (!attachment) return undefined;
  const opts = source.cv ?? {};
  const vendor = source.files.vendor;
  const start = new URL(cvUrl(attachment, vendor));
  const redactor = source.files.redact ?? new Redactor();
  cvBudget.setLimitMiB(opts.maxMemoryMiB);
  const run: Run = {
    policy: opts,
    timeoutMs: opts.timeoutMs ?? 30_000,
    signal: opts.signal,
    vendor,
    accepts,
  };
  const retries = Math.max(0, opts.retries ?? 3);
  const baseDelay = Math.max(0, opts.retryDelayMs ?? 1000);
  for (let n = 0; ; n++) {
    let failure: ConnectorError;
    try {
      if (opts.signal?.aborted) throw aborted(run);
      const got = await attempt(start, run);
      try {
        return toCvFile(got.data, got.release, attachment, accepts, got.url, vendor, label);
      } catch (err) {
        got.release();
        throw err;
      }
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      if (opts.signal?.aborted) throw aborted(run);
      if (err instanceof StatusError) {
        const message = `the CV at ${redactor.text(shown(start))} answered ${err.status}`;
        if (!(err.status >= 500 || err.status === 408 || err.status === 429)) {
          throw new ConnectorError(ErrorCodes.INVALID_PROFILE, `${message}: check the ${attachment.type} attachment of the profile`, {
            step: 'download_cv',
            vendor,
            statusCode: err.status,
          });
        }
        failure = new ConnectorError(ErrorCodes.VENDOR_UNAVAILABLE, `${message} (the CV host is unavailable; nothing was created)`, {
          step: 'download_cv',
          vendor,
          statusCode: err.status,
        });
      } else if (err instanceof TimeoutError) {
        failure = new ConnectorError(ErrorCodes.TIMEOUT, `the CV host ${start.host} did not answer in time (nothing was created)`, { step: 'download_cv', vendor });
      } else {
        const code = (err as NodeJS.ErrnoException)?.code;
        failure = new ConnectorError(
          ErrorCodes.NETWORK_ERROR,
          `could not download the CV from ${start.host} (${code ?? 'network error'}${NOT_SENT.has(code ?? '') ? '' : `: ${redactor.excerpt((err as Error)?.message ?? String(err), 200)}`}; nothing was created)`,
          { step: 'download_cv', vendor },
        );
      }
    }
    if (n >= retries) throw failure;
    const delay = backoffDelay(n, baseDelay, 30_000);
    opts.onRetry?.({ attempt: n + 1, retries, delayMs: delay, reason: failure.code, step: 'download_cv' });
    try {
      await sleep(delay, opts.signal);
    } catch {
      throw aborted(run);
    }
  }
}

function toCvFile(data: Buffer, release: () => void, attachment: HrflowAttachment, accepts: readonly CvKind[], url: URL, vendor: string, label?: string): CvFile {
  const sniffed = sniffDocument(data);
  if (!sniffed) {
    throw invalid(`the CV at ${shown(url)} is not a document (the bytes are not a PDF, DOC, DOCX, ODT or RTF file)`, vendor);
  }
  if (!accepts.includes(sniffed.kind)) {
    throw invalid(
      `the CV at ${shown(url)} is a ${sniffed.kind.toUpperCase()} file; ${label ?? 'the vendor'} accepts ${accepts.map((k) => k.toUpperCase()).join(', ')} only`,
      vendor,
    );
  }
  const cut = incomplete(data, sniffed.kind);
  if (cut) throw invalid(`the CV at ${shown(url)} is incomplete (${cut}): the file at the URL, or its download, was cut`, vendor);
  const named = attachmentFileName(attachment);
  const byName = contentTypeFor(named, '');
  // A name without extension, or one that says another type than the bytes: give it the right one.
  const fileName = byName === sniffed.contentType ? named : `${byName ? named.replace(/\.[A-Za-z0-9]+$/, '') : named}${sniffed.ext}`;
  return { fileName, contentType: sniffed.contentType, kind: sniffed.kind, data, attachment, release };
}

/**
 * Why a document of this kind is visibly cut, else undefined: a PDF ends with %%EOF (in its last KiB,
 * as readers look for it), a ZIP (DOCX, ODT) with its end-of-central-directory record. A server that
 * announces fewer bytes than it has, or closes a body without a length early, gives such a file.
 */
export function incomplete(data: Buffer, kind: CvKind): string | undefined {
  if (kind === 'pdf') return data.subarray(Math.max(0, data.length - 1024)).includes('%%EOF') ? undefined : 'a PDF without its %%EOF end marker';
  if (kind === 'docx' || kind === 'odt') {
    const tail = data.subarray(Math.max(0, data.length - (0xffff + 22)));
    return tail.includes(ZIP_END) ? undefined : `a ${kind.toUpperCase()} (ZIP) without its central directory`;
  }
  return undefined;
}

const ZIP_END = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const WORD_STREAM = Buffer.from('WordDocument', 'utf16le');
const ODT_MIMETYPE = 'mimetypeapplication/vnd.oasis.opendocument.text';

/**
 * The document kind of a CV by its bytes: PDF, DOCX (a ZIP holding word/document.xml), ODT (a ZIP
 * whose first entry is its mimetype), legacy Word (an OLE2 file with a WordDocument stream), RTF.
 */
export function sniffDocument(data: Buffer): { kind: CvKind; contentType: string; ext: string } | undefined {
  let kind: CvKind | undefined;
  if (data.subarray(0, 1024).includes('%PDF-')) kind = 'pdf';
  else if (data.length >= 4 && data.readUInt32BE(0) === 0x504b0304) {
    if (data.subarray(30, 30 + ODT_MIMETYPE.length).toString('latin1') === ODT_MIMETYPE) kind = 'odt';
    else if (data.includes('word/document.xml')) kind = 'docx';
  } else if (data.length >= 8 && data.readUInt32BE(0) === 0xd0cf11e0 && data.readUInt32BE(4) === 0xa1b11ae1) {
    if (data.includes(WORD_STREAM)) kind = 'doc';
  } else if (/^(?:\xef\xbb\xbf)?\{\\rtf/.test(data.subarray(0, 8).toString('latin1'))) kind = 'rtf';
  if (!kind) return undefined;
  const ext = KIND_EXT[kind];
  return { kind, ext, contentType: contentTypeFor(ext) };
}

/**
 * A JSON body as one Buffer where the string `marker` (placed once in `value`) becomes the base64 of
 * `data`, encoded straight into the body: no full-size base64 string, no JSON string of it, no
 * second Buffer (Broadbean documents, Flatchr document mode).
 */
export function jsonWithBase64(value: unknown, marker: string, data: Buffer): Buffer {
  const json = JSON.stringify(value);
  const quoted = JSON.stringify(marker);
  const at = json.indexOf(quoted);
  if (at < 0) throw new Error('jsonWithBase64: the marker is not in the value');
  const head = Buffer.from(json.slice(0, at + 1));
  const tail = Buffer.from(json.slice(at + quoted.length - 1));
  const b64Length = 4 * Math.ceil(data.length / 3);
  const out = Buffer.allocUnsafe(head.length + b64Length + tail.length);
  head.copy(out, 0);
  let pos = head.length;
  const step = 3 * 64 * 1024;
  for (let i = 0; i < data.length; i += step) pos += out.write(data.subarray(i, i + step).toString('base64'), pos, 'latin1');
  tail.copy(out, pos);
  return out;
}

/** A marker for jsonWithBase64 that no profile text can contain by chance. */
export function base64Marker(): string {
  return `hrflow-cv-base64-${randomBytes(12).toString('hex')}`;
}

/** One part of a multipart/form-data body: a text field, or a file when `fileName` is set. */
export interface MultipartPart {
  name: string;
  value: string | Buffer;
  fileName?: string;
  contentType?: string;
}

const CRLF = Buffer.from('\r\n');

/** Field names and file names in a part header: `"`, CR and LF escaped as the HTML form encoding does. */
function headerValue(s: string): string {
  return s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * A multipart/form-data body as one Buffer (RFC 7578). The upload is then a single write of a known
 * length: no stream of small chunks per part as FormData → axios produces, which cost CPU per upload.
 */
export function multipartBody(parts: MultipartPart[]): { data: Buffer; contentType: string } {
  const boundary = `----hrflow-${randomBytes(16).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${headerValue(part.name)}"`;
    if (part.fileName !== undefined) {
      head += `; filename="${headerValue(part.fileName)}"\r\nContent-Type: ${part.contentType || 'application/octet-stream'}`;
    }
    chunks.push(Buffer.from(`${head}\r\n\r\n`), typeof part.value === 'string' ? Buffer.from(part.value) : part.value, CRLF);
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { data: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
