/**
 * Node-RED glue shared by every node: one wrapper that turns every handler promise into exactly
 * one outcome (send + done(), or done(err)), error reporting with stable codes, and status dots.
 */
import type { Node, NodeMessageInFlow, NodeMessage } from 'node-red';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';

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

/**
 * Register an input handler whose work is a promise. Every message ends in exactly one
 * done() or done(err); a rejection can never escape as an unhandled one.
 */
export function onInput(node: Node, handler: (msg: Msg, send: Send) => Promise<void>, fallbackCode?: ConnectorError['code']): void {
  node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
    const m = msg as Msg;
    let settled = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      if (err === undefined) done();
      else fail(node, m, err, done, fallbackCode);
    };
    try {
      handler(m, send).then(() => finish(), (err) => finish(err ?? new Error('unknown error')));
    } catch (err) {
      finish(err);
    }
  });
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
