/**
 * Factory for push nodes: `registerPushNode(RED, vendor)` is a whole vendor node. Its parameters come
 * from the vendor's description (panel values, `msg.<x>` overrides, then vendor.readParams); the push
 * itself is the shared pipeline (src/push/pipeline.ts, also behind pushProfile). What is left here is
 * Node-RED's part: the input contract, status texts (catalogue keys), cancellation on close, outputs
 * (msg.payload = the vendor's answer, msg.topic = "<vendor>/<candidate id>") and errors.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';
import type { HttpClient, WaitInfo } from '../../src/core/http';
import { isProfile, type HrflowProfile } from '../../src/hrflow/profile';
import type { FieldDescription } from '../../src/vendors/description';
import type { VendorModule } from '../../src/vendors/types';
import { cvDownloadPolicy, type CvDownloadPolicy } from '../../src/push/files';
import { createdCandidateId } from '../../src/push/create';
import { runPush, type PushInput } from '../../src/push/pipeline';
import { accountHash, duplicateMode, ledgerTarget, profileIdentity, type OutboxRecord, type PushIdentity, type Settlement, type WorkPlan } from '../../src/push/ledger';
import { deadLetter, journalJson, MAX_JOURNAL_BYTES, outboxRecord } from '../../src/push/outbox';
import { durableLedger, isDurable, ledgerFor, sweepOrphans } from './ledger';
import { report } from './push-events';
import { abortedAtClose, fromMsgOr, intSetting, onInput, Status, whichMsg, type Job, type Msg } from './runtime';
import { runtimeText, STATUS_TEXTS, statusKey, type StatusKey } from './status-text';
import type { VendorConfigNode } from './vendor-config';

/**
 * What the push node takes from a message: a formatted vendor payload (msg.format names the vendor), or
 * the HrFlow profile the pipeline maps (and, in both cases, the profile for the CV).
 */
export function inputFromMsg(vendor: VendorModule<any, any, any>, msg: Msg): PushInput {
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
  return { profile: msg.payload as HrflowProfile };
}

/** A msg property, or undefined when reading it throws (a getter, a Proxy). */
function msgValue(msg: Msg, key: string): unknown {
  try {
    return msg[key];
  } catch {
    return undefined;
  }
}

/** A panel value: strings trimmed, blank or absent → the field's default (or ''). */
function panelValue(field: FieldDescription, value: unknown): unknown {
  const blank = value === undefined || value === null || (typeof value === 'string' && !value.trim());
  if (field.input === 'checkbox') {
    if (blank) return field.default === true || field.default === 'true';
    return value === true || value === 'true';
  }
  if (blank) return field.default ?? '';
  return typeof value === 'string' ? value.trim() : value;
}

/**
 * The node's parameter values, from `description.params`: the panel's value (trimmed, blank → default),
 * overridden by the field's `msg.<x>` when the message has one. A single value from msg must be a string
 * or a number (else INVALID_INPUT, as fromMsgOr); an `ids` value may also be an array (the vendor's
 * readParams checks its items).
 */
export function paramValues(fields: FieldDescription[], def: Record<string, unknown>, msg: Msg): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const panel = panelValue(field, def[field.name]);
    if (field.msg && field.input === 'ids') {
      const v = msgValue(msg, field.msg);
      const blank = v === undefined || v === null || (typeof v === 'string' && !v.trim());
      out[field.name] = blank ? panel : v;
    } else if (field.msg) {
      out[field.name] = fromMsgOr(msg, field.msg, panel);
    } else {
      out[field.name] = panel;
    }
  }
  return out;
}

/**
 * A status text in the runtime's language (RED._, namespaced to this node set), with the English text of
 * status-text.ts when the catalogue has no such key (RED._ then answers the key itself).
 */
export function statusText(RED: NodeAPI, type: string, key: StatusKey, values: Record<string, string | number> = {}): string {
  return runtimeText(RED, statusKey(type, key), STATUS_TEXTS[key].en, values);
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

/** The short summary of a push on msg.topic: `<vendor id>/<candidate id>` (`taleez/12345`), or the vendor id. */
export function pushTopic(vendorId: string, candidateId: unknown): string {
  return candidateId !== undefined && candidateId !== null && candidateId !== '' ? `${vendorId}/${String(candidateId)}` : vendorId;
}

/**
 * Register the push node of a vendor (`hrflow-<id>`). Its parameters are read from the vendor's
 * description (`paramValues`, then `vendor.readParams`).
 */
export function registerPushNode<Config, Params>(RED: NodeAPI, vendor: VendorModule<Config, Params, any>): void {
  const type = `hrflow-${vendor.id}`;
  if (!vendor.description) throw new Error(`${vendor.label} has no description: its push node cannot be registered`);
  const fields = vendor.description.params;
  const readParams = (def: Record<string, unknown>, msg: Msg): Params => {
    const values = paramValues(fields, def, msg);
    return vendor.readParams ? vendor.readParams(values) : (values as Params);
  };
  const say = (key: StatusKey, values?: Record<string, string | number>) => statusText(RED, type, key, values);
  function PushNode(this: Node, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    const found = RED.nodes.getNode(def.account as string) as VendorConfigNode<Config> | null;
    // Only an account of this vendor (a flow file may name another vendor's config node).
    const account = found && typeof found.vendorConfig === 'function' && (found.vendorId === undefined || found.vendorId === vendor.id) ? found : null;
    const timeoutMs = intSetting(def.timeout, 30_000) || 30_000;
    const retries = intSetting(def.retries, 3);
    const retryDelayMs = intSetting(def.retry_delay, 1000);
    const controller = new AbortController();
    const cvPolicy = cvDownloadSetting(RED);
    const ledger = ledgerFor(RED);
    const onDuplicate = duplicateMode(def.on_duplicate);
    let inFlight = 0;
    /** The account's hash in the ledger (its config node is recreated when it changes, and this node with it). */
    let accountId: string | undefined;
    // The durable outbox: each message's journal record (a resumed message comes with its own).
    const records = new WeakMap<object, OutboxRecord>();
    /** How this node was closed: `keep` (stopped or redeployed: journaled messages resume at the next start), `remove`. */
    let closing: 'keep' | 'remove' | undefined;
    const warnStore = (what: string) => (err: unknown) => node.warn(`hrflow push outbox: could not ${what}: ${(err as Error)?.message ?? err}`);
    /** Records whose settlement is the ledger's (or the plain push's) from now on. */
    const settledByLedger = new WeakSet<OutboxRecord>();
    const keep = () => closing === 'keep';
    /**
     * Ids of the records this node journaled before its resume read the outbox: those are in hand here, never
     * resumed a second time (a message accepted right after the start would otherwise be handled twice). Set to
     * undefined once the resume has read the outbox, so it stays small.
     */
    let journaledHere: Set<string> | undefined = new Set<string>();
    /** A journaled message that failed: its dead letter (not when kept for the next start, nor for ALREADY_PUSHED). */
    const settleFailure = async (msg: Msg, err: unknown) => {
      const rec = records.get(msg);
      if (!rec || !ledger || keep() || (err as ConnectorError)?.code === ErrorCodes.ALREADY_PUSHED) return;
      await ledger.store.settle(rec.id, { dead: deadLetter(rec, err) }).catch(warnStore('keep the dead letter'));
    };

    // Static texts are catalogue keys: the editor shows them in the user's language.
    if (!account) node.status(Status.error(statusKey(type, 'no-account')));

    const inputs = onInput(node, async (msg, send, job) => {
      const started = performance.now();
      const resumed = msg.resumed === true;
      const seconds = () => (performance.now() - started) / 1000;
      try {
        await handle(msg, send, job);
      } catch (err) {
        // A journaled message that failed before the ledger took it (a resumed one whose account is gone...).
        const rec = records.get(msg);
        if (rec && !settledByLedger.has(rec)) await settleFailure(msg, err);
        report(RED, 'outcome', { vendor: vendor.id, node: node.id, outcome: 'error', code: (err as ConnectorError)?.code ?? ErrorCodes.INVALID_INPUT, seconds: seconds(), resumed });
        throw err;
      }
      report(RED, 'outcome', { vendor: vendor.id, node: node.id, outcome: msg.already_pushed === true ? 'skipped' : 'pushed', seconds: seconds(), resumed });
    }, undefined, { output: 'cut', clone: RED.util.cloneMessage, vendor: vendor.id });

    async function handle(msg: Msg, send: (m: Msg) => void, job: Job): Promise<void> {
      if (!account) {
        throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `no ${vendor.label} account selected in this node`, { vendor: vendor.id });
      }
      const config = account.vendorConfig();
      const params = readParams(def, msg);
      // What is pushed, read once (after the account and parameters are checked: INVALID_CONFIG first).
      let input: PushInput | undefined;
      const given = () => (input ??= inputFromMsg(vendor, msg));
      let identity: PushIdentity | undefined;
      // A dry run (Flatchr's test mode) creates nothing: not looked up, not recorded.
      const dryRun = fields.some((f) => f.dryRun && (params as Record<string, unknown>)[f.name] === true);
      if (ledger && !dryRun) {
        vendor.checkConfig(config, params);
        const read = given();
        const profile = profileIdentity(read.profile, read.payload);
        // No HrFlow key and no e-mail: nothing to know the profile by, pushed as without the ledger.
        if (profile) identity = { vendor: vendor.id, account: (accountId ??= accountHash(`${type}-config`, config)), target: ledgerTarget(fields, params), profile };
      }
      // Journaled before the first request (durable in the user directory: resumed after a stop, a redeploy or a crash;
      // in memory: its dead letter if it fails).
      let record = records.get(msg);
      const resumedFrom = record;
      if (!record && ledger && !dryRun) {
        const kept = journalJson(msg);
        if (!kept) {
          node.warn(`${whichMsg(msg)}: larger than ${MAX_JOURNAL_BYTES / 1024 / 1024} MiB as JSON, not kept in the outbox: pushed, but not resumed after a crash`);
        } else {
          record = outboxRecord(node.id, vendor.id, kept);
          // Known before the write ends: a stop meanwhile keeps the message for the next start.
          records.set(msg, record);
          journaledHere?.add(record.id);
          try {
            await ledger.store.journal(record);
          } catch (err) {
            warnStore('journal this message (pushed, but not resumed after a crash)')(err);
            records.delete(msg);
            record = undefined;
          }
        }
      }
      const rec = record;
      const settle = rec && ledger ? (s: Settlement) => ledger.store.settle(rec.id, s) : undefined;
      const resumed = resumedFrom ? { sentAt: resumedFrom.state === 'sent' ? resumedFrom.sentAt : undefined, accepted: resumedFrom.accepted } : undefined;
      // Durable before the create leaves: a resume then looks the candidate up before any create.
      const beforeUnsafe = rec && ledger ? () => ledger.store.markSent(rec.id, Date.now()).catch(warnStore('note that the create left')) : undefined;
      // The create was answered with an error: nothing created, the journal says so again (not awaited: "sent" is the safe side).
      const onUnsafeRefused = rec && ledger
        ? () => {
            ledger.store.markSent(rec.id).catch(warnStore('note that the create was refused'));
          }
        : undefined;

      inFlight++;
      try {
        let http: HttpClient | undefined;
        // If the flow stops now: did a create leave (the candidate may exist)?
        job.progress = () => (http?.unsafeDone ? 'created' : http?.unsafeSent ? 'sent' : 'none');
        job.candidateId = () => (http ? createdCandidateId(http) : undefined);
        const push = (plan: WorkPlan) => runPush(vendor, config, params, given, {
          finishFrom: plan.finishFrom,
          priorSentAt: plan.priorSentAt,
          priorChecked: plan.checked,
          beforeUnsafe,
          onUnsafeRefused,
          timeoutMs,
          retries,
          retryDelayMs,
          signal: controller.signal,
          limiter: account.limiter,
          cvDownload: cvPolicy,
          onRetry: (info) => {
            report(RED, 'retry', { vendor: vendor.id, node: node.id, reason: info.reason, statusCode: info.statusCode });
            node.status(Status.retrying(say('retry', { attempt: info.attempt, retries: info.retries, reason: info.reason })));
          },
          // The account is paused by the vendor, or its rate slots are used up: say so, and until when.
          onWait: (info: WaitInfo) =>
            node.status(Status.retrying(info.reason === 'paused'
              ? say('paused', { vendor: vendor.label, time: new Date(info.until).toTimeString().slice(0, 8) })
              : say('rate-waiting', { seconds: Math.ceil(info.waitMs / 1000) }))),
          onClient: (client) => {
            http = client;
            // Checked and mapped: the push starts.
            node.status(Status.working(inFlight > 1 ? say('pushing-n', { count: inFlight }) : statusKey(type, 'pushing')));
          },
        });
        let outcome;
        if (identity && ledger) {
          // From here the ledger settles the record (its entry, or the dead letter of a failure).
          if (rec) settledByLedger.add(rec);
          outcome = await ledger.once(identity, onDuplicate, push, vendor.label, {
            finishable: !!vendor.finish,
            resumed,
            // Sent again from the HrFlow tab after a person checked the ATS (retryDeadLetter sets it).
            retried: msg.retried === true,
            settle,
            keep,
            dead: rec ? (err, entry) => ((err as ConnectorError)?.code === ErrorCodes.ALREADY_PUSHED ? undefined : deadLetter(rec, err, entry)) : undefined,
          });
        } else {
          try {
            outcome = { pushed: true as const, result: await push({ priorSentAt: resumed?.sentAt }) };
          } catch (err) {
            if (rec) settledByLedger.add(rec);
            await settleFailure(msg, err);
            throw err;
          }
          if (rec) settledByLedger.add(rec);
          // Durable before the message leaves.
          if (settle && !keep()) await settle({}).catch(warnStore('settle this message'));
        }
        if (!outcome.pushed) {
          // Already pushed here (on_duplicate `skip`): nothing sent, the recorded candidate on the output.
          const entry = outcome.entry;
          msg.already_pushed = true;
          msg.candidate_id = entry.candidateId;
          msg.vendor = vendor.id;
          msg.target = identity?.target ?? ledgerTarget(fields, params);
          if (msg.topic === undefined || msg.topic === null || msg.topic === '') msg.topic = pushTopic(vendor.id, entry.candidateId);
          node.status(Status.filtered(say('already-pushed', { id: entry.candidateId !== undefined ? shortId(entry.candidateId) : '' })));
          send(msg);
          return;
        }
        const result = outcome.result;
        msg.payload = result.response;
        msg.candidate_id = result.candidateId;
        msg.statusCode = result.statusCode;
        msg.vendor = vendor.id;
        // Where it was pushed, canonical (ledgerTarget): the write-back node records it on the HrFlow profile.
        msg.target = identity?.target ?? ledgerTarget(fields, params);
        msg.steps = result.steps;
        // What the debug sidebar shows first: vendor and candidate id (a topic set upstream is kept: flows route on it).
        if (msg.topic === undefined || msg.topic === null || msg.topic === '') msg.topic = pushTopic(vendor.id, result.candidateId);
        node.status(Status.ok(result.candidateId !== undefined ? say('created', { id: shortId(result.candidateId) }) : statusKey(type, 'pushed')));
        send(msg);
      } finally {
        inFlight--;
      }
    }

    // Messages journaled and not settled when this node last stopped (or crashed): resumed once the flows
    // have started (their downstream nodes listen), each with msg.resumed = true.
    const resume = async () => {
      try {
        const durable = await durableLedger(RED);
        if (!durable || closing) return;
        const mine = journaledHere;
        const pending = (await durable.store.pending(node.id)).filter((r) => !mine?.has(r.id));
        if (pending.length) node.log(`resuming ${pending.length} message(s) from the outbox`);
        for (const r of pending) {
          if (closing) return;
          const msg = { ...structuredClone(r.msg), resumed: true } as Record<string, unknown>;
          records.set(msg, r);
          report(RED, 'resume', { vendor: vendor.id, node: node.id });
          node.receive(msg as any);
        }
        // Messages of push nodes deleted while Node-RED was down: dead letters (the sidebar shows them).
        await sweepOrphans(RED);
      } catch (err) {
        warnStore('resume the messages of the outbox')(err);
      }
    };
    const onStarted = () => {
      RED.events.off('flows:started', onStarted);
      void resume().finally(() => {
        journaledHere = undefined;
      });
    };
    if (ledger && account) RED.events.on('flows:started', onStarted);
    else journaledHere = undefined;

    node.on('close', (removed: boolean, done: () => void) => {
      RED.events.off('flows:started', onStarted);
      journaledHere = undefined;
      // Stopped or redeployed with a durable outbox: journaled messages get their outcome when the node starts
      // again. Removed (or no durable outbox): every message in flight gets its ABORTED outcome now.
      closing = !removed && isDurable(ledger) ? 'keep' : 'remove';
      controller.abort(new ConnectorError(ErrorCodes.ABORTED, 'the flow was stopped', { vendor: vendor.id }));
      node.status(Status.clear());
      // Every other message in flight gets its outcome now, while the flow's Catch nodes still listen, and a log line.
      inputs.close((job) => abortedAtClose(vendor.label, vendor.id, job), done, closing === 'keep' ? (job) => records.has(job.msg) : undefined);
    });
  }
  RED.nodes.registerType(type, PushNode as any);
}
