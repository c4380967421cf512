/**
 * Node-RED glue shared by every node: one wrapper that turns every handler promise into exactly
 * one outcome (send + done(), or done(err)), error reporting with stable codes, and status dots.
 */
import type { Node, NodeMessageInFlow, NodeMessage } from 'node-red';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';
import { enforceBounds, makeCopyable, type CloneMessage } from './bounds';

export type Msg = NodeMessageInFlow & Record<string, unknown>;
export type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type Done = (err?: Error) => void;

/** Node-RED status shapes used by every node. */
export const Status = {
  working: (text: string) => ({ fill: 'blue', shape: 'dot', text }) as const,
  retrying: (text: string) => ({ fill: 'yellow', shape: 'ring', text }) as const,
  ok: (text: string) => ({ fill: 'green', shape: 'dot', text }) as const,
  filtered: (text: string) => ({ fill: 'grey', shape: 'dot', text }) as const,
  error: (text: string) => ({ fill: 'red', shape: 'ring', text }) as const,
  clear: () => ({}) as const,
};

/** Any thrown value as a ConnectorError (unknown errors keep their message under a generic code). */
export function asConnectorError(err: unknown, fallbackCode: ConnectorError['code'] = ErrorCodes.INVALID_INPUT): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectorError(fallbackCode, message, { cause: err });
}

/**
 * Report a failure for one message: the details go on the msg (Catch nodes receive a copy), then
 * done(err) so `msg.error.code` is set. Nothing secret is ever on the error (messages are redacted
 * by the HTTP core).
 */
export function fail(node: Node, msg: Msg, err: unknown, done: Done, fallbackCode?: ConnectorError['code']): void {
  const e = asConnectorError(err, fallbackCode);
  if (e.statusCode !== undefined) msg.statusCode = e.statusCode;
  if (e.candidateId !== undefined) msg.candidate_id = e.candidateId;
  msg.error_details = e.toJSON();
  node.status(Status.error(e.code));
  done(e);
}

/** A string property of a msg, or undefined (also when reading it throws: a getter, a Proxy). */
function readString(m: object, key: string): string | undefined {
  try {
    const v = (m as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which message a log line is about, without personal data: its msg._msgid and the HrFlow profile key
 * (msg.hrflow.profile_key from the profile node, else the key of msg.profile or msg.payload).
 */
export function whichMsg(m: object): string {
  const id = readString(m, '_msgid');
  let key: string | undefined;
  for (const holder of ['hrflow', 'profile', 'payload']) {
    try {
      const h = (m as Record<string, unknown>)[holder];
      const v = h && typeof h === 'object' ? (h as Record<string, unknown>)[holder === 'hrflow' ? 'profile_key' : 'key'] : undefined;
      if (typeof v === 'string' && v) {
        key = v.length > 64 ? `${v.slice(0, 63)}…` : v;
        break;
      }
    } catch {
      /* a getter that throws: no key */
    }
  }
  return `[msg ${id ?? '?'}${key !== undefined ? `, profile ${key}` : ''}]`;
}

/** One message being handled by a node (see onInput). */
export interface Job {
  readonly msg: Msg;
  /**
   * Set by the handler: how far the message went when the flow stops: nothing changed yet ('none'), a
   * create request left and may have been received ('sent'), or a create was answered ('created').
   */
  progress?: () => 'none' | 'sent' | 'created';
  /** Set by the handler: the id of the candidate created so far, once known. */
  candidateId?: () => string | undefined;
  /**
   * Set at close: the message was kept for later (journaled in a durable outbox, resumed when the node
   * starts again): it gets no outcome from this run, and what its handler does after is not sent.
   */
  kept?: boolean;
}

/** The messages a node is handling, for its 'close' handler. */
export interface InputTracker {
  /** Messages without an outcome yet. */
  readonly pending: number;
  /**
   * The flow stops: give every message without an outcome its ABORTED outcome now, synchronously (Node-RED
   * stops every node of a flow in one synchronous pass: a later done(err) finds the Catch nodes stopped and
   * is dropped), and log each one (a record even when nothing catches it).
   */
  abortAll(makeError: (job: Job) => ConnectorError): void;
  /** Resolves when every handler has returned, or after `ms` (the close waits for the work to end, bounded). */
  settled(ms: number): Promise<void>;  /**
   * The node's 'close': abortAll (except the jobs `keep` says are kept for later: they get no outcome now,
   * see Job.kept), then call `done` once the cancelled work has ended (at most CLOSE_WAIT_MS later), so
   * nothing of this node outlives its flow.
   */
  close(makeError: (job: Job) => ConnectorError, done: () => void, keep?: (job: Job) => boolean): void;
}

export interface InputOptions {
  /** What an output too deep or too large becomes: an error with this code, or 'cut' (sent with the marker, and a warning). */
  output?: ConnectorError['code'] | 'cut';
  /**
   * Node-RED's message copy (RED.util.cloneMessage): a message is failed only once this copy of it works (see
   * makeCopyable), else its Catch nodes would never get it. Every node passes it.
   */
  clone?: CloneMessage;
  /** The vendor id every error of this node carries (`error.vendor`), whatever raised it. */
  vendor?: string;
}

/** How long a closing node waits for its handlers to end after aborting them (Node-RED gives up after 15 s). */
export const CLOSE_WAIT_MS = 3000;

/**
 * Register an input handler whose work is a promise. Every message ends in exactly one
 * done() or done(err); a rejection can never escape as an unhandled one. A message too deep or too
 * large to be copied safely (see bounds.ts) is an INVALID_INPUT with the offending parts cut, and so
 * is never handled; what the handler sends is bounded the same way.
 */
export function onInput(
  node: Node,
  handler: (msg: Msg, send: Send, job: Job) => Promise<void>,
  fallbackCode?: ConnectorError['code'],
  options: InputOptions = {},
): InputTracker {
  const jobs = new Map<Job, (err?: unknown) => void>();
  const running = new Set<Promise<void>>();
  node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
    const m = msg as Msg;
    const job: Job = { msg: m };
    let settled = false;
    const finish = (err?: unknown) => {
      if (job.kept) {
        settled = true;
        jobs.delete(job);
        return;
      }
      if (settled) {
        // After the outcome given at close, the handler's own end: log what it knows more (a candidate id).
        if (err instanceof ConnectorError && err.candidateId !== undefined) node.warn(`${err.code} ${whichMsg(m)}: ${err.message} (candidate ${err.candidateId})`);
        return;
      }
      settled = true;
      jobs.delete(job);
      if (err === undefined) return done();
      // The handler may have put something unbounded on the msg (user code): cut it before Node-RED copies it.
      const report = enforceBounds(m);
      const e = asConnectorError(err, fallbackCode);
      if (options.vendor) e.vendor = options.vendor;
      if (report.cuts.length) e.message += ` (before reporting this error, ${report.summary})`;
      const copy = options.clone ? makeCopyable(m, options.clone) : { replaced: [], copyable: true };
      if (copy.replaced.length) e.message += ` (${copy.replaced.slice(0, 3).join(', ')}${copy.replaced.length > 3 ? ` and ${copy.replaced.length - 3} more` : ''} could not be copied for the Catch nodes: replaced by a marker)`;
      if (!copy.copyable) {
        // Node-RED would throw copying this msg for the Catch nodes, and drop it: report on a plain copy instead.
        e.message += ' (the message itself could not be copied for the Catch nodes: they get a plain message with msg._msgid, msg.topic and msg.error_details)';
        const plain: Msg = { _msgid: readString(m, '_msgid') ?? '' } as Msg;
        const topic = readString(m, 'topic');
        if (topic !== undefined) plain.topic = topic;
        plain.error_details = e.toJSON();
        node.status(Status.error(e.code));
        node.error(e, plain);
        return;
      }
      fail(node, m, e, done, fallbackCode);
    };
    const input = enforceBounds(m);
    if (input.cuts.length) {
      finish(new ConnectorError(ErrorCodes.INVALID_INPUT, `the message is too deep or too large (or unreadable) to handle, so it was not: ${input.summary}`, {
        fields: input.cuts.slice(0, 10).map((c) => c.path),
      }));
      return;
    }
    const guardedSend: Send = (out) => {
      if (settled) {
        // Kept for later: it is resumed, and its outcome given, when the node starts again.
        if (job.kept) return;
        // The message already has its outcome (the flow stopped): never a second one.
        const id = m.candidate_id !== undefined && m.candidate_id !== null ? ` (candidate ${String(m.candidate_id)})` : '';
        node.warn(`${whichMsg(m)}: the work finished${id} after this message was reported ABORTED (the flow was stopped); the result was not sent`);
        return;
      }
      const outs = (Array.isArray(out) ? out.flat() : [out]).filter((x): x is NodeMessage => !!x && typeof x === 'object');
      const problems = outs.map((o) => enforceBounds(o).summary).filter(Boolean);
      if (problems.length) {
        const text = `the result is too deep or too large to send: ${problems.join('; ')}`;
        if (options.output !== 'cut') throw new ConnectorError(options.output ?? fallbackCode ?? ErrorCodes.INVALID_INPUT, text);
        node.warn(text);
      }
      send(out);
    };
    let ended: Promise<void>;
    try {
      ended = handler(m, guardedSend, job)
        .then(() => finish(), (err) => finish(err ?? new Error('unknown error')))
        .catch((err) => node.error(`could not report this message's outcome: ${(err as Error)?.message ?? err}`));
    } catch (err) {
      finish(err);
      return;
    }
    if (settled) return;
    jobs.set(job, finish);
    running.add(ended);
    void ended.then(() => running.delete(ended));
  });
  return {
    get pending() {
      return jobs.size;
    },
    abortAll(makeError) {
      for (const [job, finish] of [...jobs]) {
        const err = makeError(job);
        // The log line is the record when nothing catches it: which message, and whether the candidate may exist.
        node.warn(`${err.code}${err.outcomeUnknown ? ' outcomeUnknown' : ''} ${whichMsg(job.msg)}: ${err.message}`);
        finish(err);
      }
    },
    close(makeError, done, keep) {
      if (keep) {
        for (const [job, finish] of [...jobs]) {
          if (!keep(job)) continue;
          job.kept = true;
          node.log(`${whichMsg(job.msg)}: kept in the outbox, resumed when this node starts again`);
          finish();
        }
      }
      this.abortAll(makeError);
      void this.settled(CLOSE_WAIT_MS).then(() => done());
    },
    settled(ms) {
      const all = [...running];
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        Promise.all(all).then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/**
 * The ABORTED error of a message still in flight when its flow stops (redeploy, stop, shutdown). When a
 * create may have left (job.abortDetails says so), it says the candidate may exist (outcomeUnknown).
 */
export function abortedAtClose(label: string, vendor: string, job: Job): ConnectorError {
  const progress = job.progress?.() ?? 'none';
  const candidateId = job.candidateId?.();
  const text =
    progress === 'created'
      ? `the candidate${candidateId !== undefined ? ` ${candidateId}` : ''} was created in ${label}, but the flow was stopped before the push finished (a later step did not run): check it in ${label}, do not push this profile again blindly`
      : progress === 'sent'
        ? `the flow was stopped with a create request on its way to ${label}: the candidate may or may not exist there; check it before pushing this profile again`
        : `the flow was stopped before the message was done with ${label}: nothing was changed there; send the message again`;
  // outcomeUnknown: a create may have reached the vendor, so the message must not be re-sent blindly.
  // candidateId: msg.candidate_id of the outcome, so a Catch node knows which candidate to check.
  return new ConnectorError(ErrorCodes.ABORTED, text, { vendor, candidateId, outcomeUnknown: progress !== 'none' || undefined });
}

/** A non-negative integer setting from the editor (strings allowed), or the default. */
export function intSetting(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
}

/**
 * A string from msg when present (non-blank), else from the node's panel. A msg value of another
 * kind (an object, a boolean...) is a mistake upstream: an INVALID_INPUT error, not the panel's value.
 */
export function fromMsgOr(msg: Msg, key: string, panel: unknown): string {
  const v = msg[key];
  if (typeof v === 'string' && v.trim()) return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (v !== undefined && v !== null && typeof v !== 'string') {
    throw new ConnectorError(ErrorCodes.INVALID_INPUT, `msg.${key} must be a string or a number, not ${Array.isArray(v) ? 'an array' : typeof v === 'number' ? String(v) : typeof v}`);
  }
  return typeof panel === 'string' ? panel.trim() : panel === undefined || panel === null ? '' : String(panel);
}
