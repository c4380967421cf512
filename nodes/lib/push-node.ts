/**
 * Factory for push nodes. A vendor node is only: its type, its config type, its vendor module,
 * and how to read its parameters from the panel and the msg. Everything else (input contract,
 * validation before sending, HTTP options, retries status, cancellation on close, outputs and
 * errors) is here, once.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';
import { HttpClient, type WaitInfo } from '../../src/core/http';
import { Redactor } from '../../src/core/redact';
import { cvAttachment, isProfile, type HrflowProfile } from '../../src/hrflow/profile';
import type { VendorModule } from '../../src/vendors/types';
import { cvDownloadPolicy, cvUrl, type CvDownloadPolicy } from '../../src/push/files';
import { createdCandidateId } from '../../src/push/create';
import { abortedAtClose, intSetting, onInput, Status, type Msg } from './runtime';
import type { VendorConfigNode } from './vendor-config';

export interface PushNodeSpec<Config, Params> {
  type: string;
  vendor: VendorModule<Config, Params, any>;
  /** Parameters from the node's panel, overridden by the msg where documented. */
  params(def: Record<string, unknown>, msg: Msg): Params;
}

/** What the push node takes from a message: the vendor payload and the profile (for the CV). */
export function payloadFromMsg<Config, Params>(
  vendor: VendorModule<Config, Params, any>,
  msg: Msg,
  params: Params,
): { payload: Record<string, unknown>; profile?: HrflowProfile } {
  if (typeof msg.format === 'string' && msg.format) {
    if (msg.format !== vendor.id) {
      throw new ConnectorError(
        ErrorCodes.INVALID_INPUT,
        `msg.payload was formatted for "${msg.format}", but this node pushes to ${vendor.label}`,
        { vendor: vendor.id },
      );
    }
    const payload = msg.payload;
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new ConnectorError(ErrorCodes.INVALID_INPUT, `the formatted ${vendor.label} payload in msg.payload is not an object`, { vendor: vendor.id });
    }
    return { payload: structuredClone(payload) as Record<string, unknown>, profile: isProfile(msg.profile) ? msg.profile : undefined };
  }
  if (!isProfile(msg.payload)) {
    throw new ConnectorError(
      ErrorCodes.INVALID_INPUT,
      'msg.payload is not an HrFlow profile (an object with "info"): wire an HrFlow profile node before this one',
      { vendor: vendor.id },
    );
  }
  // The profile's CV URL first, naming its attachment: only http(s) URLs are ever fetched or handed on.
  const cv = cvAttachment(msg.payload);
  if (cv) cvUrl(cv, vendor.id);
  return { payload: vendor.defaultPayload(msg.payload, params), profile: msg.payload };
}

/**
 * The `hrflowCvDownload` setting of settings.js (allowed CV hosts, private addresses, memory budget).
 * Read defensively: RED.settings.get throws for unknown keys on some Node-RED versions.
 */
export function cvDownloadSetting(RED: NodeAPI): CvDownloadPolicy {
  let value: unknown;
  try {
    value = (RED.settings as unknown as Record<string, unknown>).hrflowCvDownload;
  } catch {
    value = undefined;
  }
  return cvDownloadPolicy(value);
}

/** Status texts stay short: long ids (uuids) are cut. */
function shortId(id: string | number): string {
  const s = String(id);
  return s.length > 12 ? `${s.slice(0, 11)}…` : s;
}

export function registerPushNode<Config, Params>(RED: NodeAPI, spec: PushNodeSpec<Config, Params>): void {
  const { vendor } = spec;
  function PushNode(this: Node, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    const account = RED.nodes.getNode(def.account as string) as VendorConfigNode<Config> | null;
    const timeoutMs = intSetting(def.timeout, 30_000) || 30_000;
    const retries = intSetting(def.retries, 3);
    const retryDelayMs = intSetting(def.retry_delay, 1000);
    const controller = new AbortController();
    const cvPolicy = cvDownloadSetting(RED);
    let inFlight = 0;

    if (!account) node.status(Status.error('no account'));

    const inputs = onInput(node, async (msg, send, job) => {
      if (!account) {
        throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `no ${vendor.label} account selected in this node`, { vendor: vendor.id });
      }
      const config = account.vendorConfig();
      const params = spec.params(def, msg);
      vendor.checkConfig(config, params);
      const { payload, profile } = payloadFromMsg(vendor, msg, params);
      vendor.validate(payload);

      inFlight++;
      node.status(Status.working(inFlight > 1 ? `pushing (${inFlight})` : 'pushing'));
      const redactor = new Redactor(vendor.secrets(config));
      const onRetry = (info: { attempt: number; retries: number; reason: string }) =>
        node.status(Status.retrying(`retry ${info.attempt}/${info.retries} ${info.reason}`));
      // The account is paused by the vendor, or its rate slots are used up: say so, and until when.
      const onWait = (info: WaitInfo) =>
        node.status(Status.retrying(info.reason === 'paused'
          ? `paused by ${vendor.label} until ${new Date(info.until).toTimeString().slice(0, 8)}`
          : `rate limited, waiting ${Math.ceil(info.waitMs / 1000)} s`));
      const common = { timeoutMs, retries, retryDelayMs, redactor, signal: controller.signal, onRetry, onWait };
      const http = new HttpClient({ ...common, ...vendor.connection?.(config), vendor: vendor.id, limiter: account.limiter, secretHeaders: vendor.secretHeaders, rateHeaders: vendor.rateHeaders });
      // If the flow stops now: did a create leave (the candidate may exist)?
      job.progress = () => (http.unsafeDone ? 'created' : http.unsafeSent ? 'sent' : 'none');
      job.candidateId = () => createdCandidateId(http);
      try {
        const result = await vendor.push(
          {
            http,
            files: new HttpClient({ ...common, vendor: 'hrflow-files' }),
            config,
            params,
            profile,
            cv: { ...cvPolicy, timeoutMs, retries, retryDelayMs, signal: controller.signal, onRetry },
          },
          payload as never,
        );
        msg.payload = result.response;
        msg.candidate_id = result.candidateId;
        msg.statusCode = result.statusCode;
        msg.vendor = vendor.id;
        msg.steps = result.steps;
        node.status(Status.ok(result.candidateId !== undefined ? `created ${shortId(result.candidateId)}` : 'pushed'));
        send(msg);
      } finally {
        inFlight--;
      }
    }, undefined, { output: 'cut', clone: RED.util.cloneMessage });

    node.on('close', (_removed: boolean, done: () => void) => {
      controller.abort(new ConnectorError(ErrorCodes.ABORTED, 'the flow was stopped', { vendor: vendor.id }));
      node.status(Status.clear());
      // Every message in flight gets its outcome now, while the flow's Catch nodes still listen, and a log line.
      inputs.close((job) => abortedAtClose(vendor.label, vendor.id, job), done);
    });
  }
  RED.nodes.registerType(spec.type, PushNode as any);
}
