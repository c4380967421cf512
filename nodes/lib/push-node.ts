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
import { accountHash, duplicateMode, ledgerTarget, profileIdentity, unsupported, type OutboxRecord, type PushIdentity, type Settlement, type WorkPlan } from '../../src/push/ledger';
import { deadLetter, journalJson, MAX_JOURNAL_BYTES, outboxRecord } from '../../src/push/outbox';
import { durableLedger, isDurable, ledgerFor, sweepOrphans, sweepShared } from './ledger';
import { useStore } from './store';
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

/** The actions a message may ask of a push node (msg.action): absent or empty is a push. */
export const PUSH_ACTIONS = ['archive'] as const;

/** msg.action, checked: undefined (a push) or `archive`; anything else is INVALID_INPUT. */
export function msgAction(vendor: VendorModule<any, any, any>, msg: Msg): 'archive' | undefined {
  const value = msgValue(msg, 'action');
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) return undefined;
  if (typeof value === 'string' && (PUSH_ACTIONS as readonly string[]).includes(value.trim())) return value.trim() as 'archive';
  const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value;
  throw new ConnectorError(ErrorCodes.INVALID_INPUT, `msg.action is ${shown}: a push node takes "archive" (archive the recorded candidate) or no msg.action (a push)`, { vendor: vendor.id });
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
    // The store (property `store`): a shared Redis store, or none (the runtime's own ledger).
    const store = useStore(RED, node, def.store, (state) => {
      node.status(state === 'down' ? Status.error(ErrorCodes.STORE_UNAVAILABLE) : Status.clear());
      // Back: what waited in the shared outbox is resumed now.
      if (state === 'up' && adoptTimer) void adopt(false);
    });
    const shared = store.shared;
    const ledger = shared ? shared.ledger : ledgerFor(RED);
    /** The account's rate limit: shared by every instance on a Redis store, else this runtime's. */
    const limiterOf = (a: VendorConfigNode<Config>) => (shared && a.rateLimit && a.accountKey ? shared.limiter(a.accountKey, a.rateLimit) : a.limiter);
    /** Whether messages in flight at a stop are kept for the next start (a durable outbox). */
    const durableNow = () => (shared ? true : isDurable(ledger));
    /** Outbox records in hand here (journaled or resumed, outcome not given yet), and when the others got theirs. */
    const inHand = new Set<string>();
    const doneAt = new Map<string, number>();
    /** Shared store: settlements that could not be written (Redis down too long), written again by adopt. */
    const unsettled = new Map<string, Settlement>();
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
      const dead = { dead: deadLetter(rec, err) };
      await ledger.store.settle(rec.id, dead).catch((e: unknown) => {
        if (shared) unsettled.set(rec.id, dead);
        warnStore('keep the dead letter')(e);
      });
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
        const rec = records.get(msg);
        if (shared && rec && inHand.has(rec.id) && (err as ConnectorError)?.code === ErrorCodes.STORE_UNAVAILABLE && !closing) {
          // Journaled in Redis, then Redis went away before anything was sent: the message waits in the shared
          // outbox and is resumed (its one outcome) once Redis is back, here or by another instance.
          job.kept = true;
          inHand.delete(rec.id);
          node.warn(`${whichMsg(msg)}: ${(err as Error).message}; kept in the shared outbox, resumed when the store is back`);
          node.status(Status.error(ErrorCodes.STORE_UNAVAILABLE));
          throw err;
        }
        letGo(msg);
        // A journaled message that failed before the ledger took it (a resumed one whose account is gone...).
        if (rec && !settledByLedger.has(rec)) await settleFailure(msg, err);
        report(RED, 'outcome', { vendor: vendor.id, node: node.id, outcome: 'error', code: (err as ConnectorError)?.code ?? ErrorCodes.INVALID_INPUT, seconds: seconds(), resumed });
        throw err;
      }
      letGo(msg);
      const outcome = msg.already_pushed === true || msg.already_archived === true ? 'skipped' : msg.archived === true ? 'archived' : msg.updated === true ? 'updated' : 'pushed';
      report(RED, 'outcome', { vendor: vendor.id, node: node.id, outcome, seconds: seconds(), resumed });
    }, undefined, { output: 'cut', clone: RED.util.cloneMessage, vendor: vendor.id });

    /** The message got its outcome: its record is not in hand any more. */
    function letGo(msg: Msg): void {
      const rec = records.get(msg);
      if (!rec || !inHand.delete(rec.id)) return;
      doneAt.set(rec.id, Date.now());
    }

    async function handle(msg: Msg, send: (m: Msg) => void, job: Job): Promise<void> {
      if (store.error) throw store.error;
      if (!account) {
        throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `no ${vendor.label} account selected in this node`, { vendor: vendor.id });
      }
      const config = account.vendorConfig();
      // msg.action first: an unknown one, or an archive this vendor cannot do, is refused before anything is journaled.
      const action = msgAction(vendor, msg);
      if (action === 'archive' && !vendor.archive) throw unsupported(vendor.id, vendor.label, 'archive');
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
      if (action === 'archive' && !identity) {
        // The candidate to archive is the one the ledger recorded for this profile: without the ledger, nothing names it.
        throw new ConnectorError(
          ErrorCodes.NOT_PUSHED,
          !ledger ? 'msg.action "archive" needs the push ledger (hrflowLedger is off in settings.js): nothing records which candidate to archive' : 'msg.action "archive": the profile has no HrFlow key and no e-mail, so the push ledger cannot know its candidate. Nothing was sent',
          { vendor: vendor.id },
        );
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
          inHand.add(record.id);
          try {
            await ledger.store.journal(record);
          } catch (err) {
            records.delete(msg);
            inHand.delete(record.id);
            // A shared store that cannot journal cannot claim either: nothing is sent (STORE_UNAVAILABLE).
            if (shared) throw err;
            warnStore('journal this message (pushed, but not resumed after a crash)')(err);
            record = undefined;
          }
        }
      }
      const rec = record;
      const settle = rec && ledger
        ? (s: Settlement) =>
            ledger.store.settle(rec.id, s).catch((err: unknown) => {
              // Its outcome stands; on a shared store the settlement is written later (adopt), never resumed again.
              if (shared) unsettled.set(rec.id, s);
              throw err;
            })
        : undefined;
      const resumed = resumedFrom ? { sentAt: resumedFrom.state === 'sent' ? resumedFrom.sentAt : undefined, accepted: resumedFrom.accepted } : undefined;
      // Durable before the create leaves: a resume then looks the candidate up before any create.
      // On a shared store a failure stops the create (STORE_UNAVAILABLE, the message kept for its resume): an instance
      // that takes the record over must know whether to look the candidate up first.
      const beforeUnsafe = rec && ledger ? () => (shared ? ledger.store.markSent(rec.id, Date.now()) : ledger.store.markSent(rec.id, Date.now()).catch(warnStore('note that the create left'))) : undefined;
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
          update: plan.update,
          archive: plan.archive,
          priorSentAt: plan.priorSentAt,
          priorChecked: plan.checked,
          beforeUnsafe,
          onUnsafeRefused,
          timeoutMs,
          retries,
          retryDelayMs,
          signal: controller.signal,
          limiter: limiterOf(account),
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
            updatable: !!vendor.update,
            action,
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
        if (!outcome.pushed && outcome.entry.outcome === 'archived') {
          // Archived already (msg.action "archive" again): nothing sent.
          const entry = outcome.entry;
          msg.archived = true;
          msg.already_archived = true;
          msg.candidate_id = entry.candidateId;
          msg.vendor = vendor.id;
          msg.target = entry.target;
          if (msg.topic === undefined || msg.topic === null || msg.topic === '') msg.topic = pushTopic(vendor.id, entry.candidateId);
          node.status(Status.filtered(say('already-archived', { id: entry.candidateId !== undefined ? shortId(entry.candidateId) : '' })));
          send(msg);
          return;
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
        if (outcome.updated) msg.updated = true;
        if (outcome.archived) msg.archived = true;
        // What the debug sidebar shows first: vendor and candidate id (a topic set upstream is kept: flows route on it).
        if (msg.topic === undefined || msg.topic === null || msg.topic === '') msg.topic = pushTopic(vendor.id, result.candidateId);
        const done = outcome.archived ? 'archived' : outcome.updated ? 'updated' : 'created';
        node.status(Status.ok(result.candidateId !== undefined ? say(done, { id: shortId(result.candidateId) }) : statusKey(type, 'pushed')));
        send(msg);
      } finally {
        inFlight--;
      }
    }

    // Messages journaled and not settled when this node last stopped (or crashed): resumed once the flows
    // have started (their downstream nodes listen), each with msg.resumed = true.
    /** Send a record of the outbox to this node again (msg.resumed = true). */
    const resumeRecord = (r: OutboxRecord) => {
      const msg = { ...structuredClone(r.msg), resumed: true } as Record<string, unknown>;
      records.set(msg, r);
      inHand.add(r.id);
      report(RED, 'resume', { vendor: vendor.id, node: node.id });
      node.receive(msg as any);
    };
    const resume = async () => {
      try {
        const durable = await durableLedger(RED);
        if (!durable || closing) return;
        const mine = journaledHere;
        const pending = (await durable.store.pending(node.id)).filter((r) => !mine?.has(r.id));
        if (pending.length) node.log(`resuming ${pending.length} message(s) from the outbox`);
        for (const r of pending) {
          if (closing) return;
          resumeRecord(r);
        }
        // Messages of push nodes deleted while Node-RED was down: dead letters (the sidebar shows them).
        await sweepOrphans(RED);
      } catch (err) {
        warnStore('resume the messages of the outbox')(err);
      }
    };
    /**
     * A shared store: this instance's records of this node (leased to its owner id: a redeploy, or a restart with
     * the same hrflowInstanceId), and, every third of a lease, those of an instance whose lease lapsed (it died),
     * taken over atomically. A record in hand here, or whose outcome was given after the read began, is skipped.
     */
    let adopting: Promise<void> | undefined;
    const adopt = (takeOver: boolean) => {
      if (!shared || adopting) return adopting;
      adopting = (async () => {
        for (const [id, s] of unsettled) {
          await shared.store.settle(id, s);
          unsettled.delete(id);
        }
        const since = Date.now();
        const taken = takeOver ? await shared.store.takeOver(shared.owner, shared.leaseMs, node.id) : [];
        const own = await shared.store.owned(shared.owner, node.id);
        const found = new Map<string, OutboxRecord>();
        for (const r of [...taken, ...own]) found.set(r.id, r);
        let n = 0;
        for (const r of found.values()) {
          if (closing) return;
          if (inHand.has(r.id) || unsettled.has(r.id) || (doneAt.get(r.id) ?? -Infinity) >= since) continue;
          resumeRecord(r);
          n++;
        }
        if (n) node.log(`resuming ${n} message(s) from the shared outbox${taken.length ? ` (${taken.length} taken over from an instance that stopped)` : ''}`);
        for (const [id, at] of doneAt) if (at < since - 120_000) doneAt.delete(id);
      })()
        .catch((err: unknown) => {
          // While the store is down the status says so; the next tick tries again.
          if (shared.state !== 'down') warnStore('resume the messages of the shared outbox')(err);
        })
        .finally(() => {
          adopting = undefined;
        });
      return adopting;
    };
    let adoptTimer: NodeJS.Timeout | undefined;
    const onStarted = () => {
      RED.events.off('flows:started', onStarted);
      if (shared) {
        journaledHere = undefined;
        if (closing) return;
        void adopt(false)?.then(() => sweepShared(RED, shared));
        adoptTimer = setInterval(() => void adopt(true), Math.max(500, Math.floor(shared.leaseMs / 3)));
        adoptTimer.unref();
        return;
      }
      void resume().finally(() => {
        journaledHere = undefined;
      });
    };
    if (ledger && account && !store.error) RED.events.on('flows:started', onStarted);
    else journaledHere = undefined;

    node.on('close', (removed: boolean, done: () => void) => {
      RED.events.off('flows:started', onStarted);
      if (adoptTimer) clearInterval(adoptTimer);
      journaledHere = undefined;
      // Stopped or redeployed with a durable outbox: journaled messages get their outcome when the node starts
      // again. Removed (or no durable outbox): every message in flight gets its ABORTED outcome now.
      closing = !removed && durableNow() ? 'keep' : 'remove';
      controller.abort(new ConnectorError(ErrorCodes.ABORTED, 'the flow was stopped', { vendor: vendor.id }));
      node.status(Status.clear());
      // Every other message in flight gets its outcome now, while the flow's Catch nodes still listen, and a log line.
      // The store is let go once every message has its outcome (a redeploy closes the store node too).
      const closed = () => {
        store.release();
        done();
      };
      inputs.close((job) => abortedAtClose(vendor.label, vendor.id, job), closed, closing === 'keep' ? (job) => records.has(job.msg) : undefined);
    });
  }
  RED.nodes.registerType(type, PushNode as any);
}
