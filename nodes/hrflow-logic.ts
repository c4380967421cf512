/**
 * hrflow-logic: an ordered list of logics that keep, change or drop a profile, then an optional
 * format step that builds the vendor payload (replacing or adjusting the vendor's default mapping).
 * Output 1: kept (msg.payload = profile, or the formatted payload with msg.format = vendor id).
 * Output 2: filtered (msg.filtered = which logic dropped it and why).
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ConnectorError, ErrorCodes, type ErrorCode } from '../src/core/errors';
import { isProfile, type HrflowProfile } from '../src/hrflow/profile';
import { UserFunction } from '../src/logic/sandbox';
import { vendors } from '../src/vendors';
import { enforceBounds } from './lib/bounds';
import { onInput, Status, type Msg } from './lib/runtime';
import { runtimeText } from './lib/status-text';

interface LogicDef {
  name?: string;
  type?: 'js' | 'jsonata';
  code?: string;
}

type Evaluate = (input: unknown, msg: Msg, bindings: Record<string, unknown>) => Promise<unknown>;

/** How long one JSONata logic or format may run (as JavaScript ones: 1 s). */
const JSONATA_TIMEOUT_MS = 1000;
/** A result of user code too deep or too large to be copied safely by Node-RED is that code's error. */
function tooBig(value: unknown, what: string, code: ErrorCode): void {
  if (!value || typeof value !== 'object') return;
  const report = enforceBounds({ value }, undefined, 'result');
  if (report.cuts.length) throw new ConnectorError(code, `${what} too deep or too large to hand on: ${report.summary}`);
}

/** The binding that carries one evaluation's deadline. */
const DEADLINE = '__hrflow_deadline';

/**
 * Status texts (keys of the `hrflow-logic.status` catalogue, nodes/locales/<lang>/hrflow-logic.json).
 * Static ones are shown as their key (the editor translates it); dynamic ones are filled in by the
 * runtime with RED._, in English when the catalogue has no such key.
 */
const STATUS = {
  noVendor: 'hrflow-logic.status.no-vendor',
  syntax: { key: 'hrflow-logic.status.syntax', en: '__name__: syntax error' },
  counts: { key: 'hrflow-logic.status.counts', en: '__kept__ kept, __filtered__ filtered' },
} as const;

export = function (RED: NodeAPI): void {
  const text = (t: { key: string; en: string }, values: Record<string, string | number>): string => runtimeText(RED, t.key, t.en, values);

  function HrflowLogicNode(this: Node, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    const log = (level: 'log' | 'warn' | 'error', text: string) => (level === 'log' ? node.log(text) : level === 'warn' ? node.warn(text) : node.error(text));
    const env = (name: string) => RED.util.evaluateNodeProperty(name, 'env', node, {} as never);

    /** Compile one piece of user code into an evaluator; a compile error is kept and reported per message. */
    const compile = (label: string, type: string | undefined, code: string, params: string[], code_: ErrorCode): Evaluate => {
      try {
        if (type === 'jsonata') {
          // Prepared by Node-RED (so $flowContext, $globalContext and $env work), evaluated with
          // per-call bindings: nothing shared between concurrent messages, and no "legacy mode"
          // (Node-RED's helper wraps the input as {msg} when the text mentions msg).
          const expr = RED.util.prepareJSONataExpression(code, node) as unknown as {
            evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown>;
            assign(name: string | symbol, value: unknown): void;
          };
          // JSONata runs on promise jobs, where no vm timeout reaches: an expression that recurses for
          // ever would starve the event loop. JSONata's evaluation hook (a symbol in the JSONata that
          // Node-RED bundles, a name in older ones) checks this call's deadline at every step.
          const hook = (_e: unknown, _input: unknown, env: { lookup(name: string): unknown }) => {
            const deadline = env.lookup(DEADLINE);
            if (typeof deadline === 'number' && Date.now() > deadline) throw new Error(`did not finish within ${JSONATA_TIMEOUT_MS} ms`);
          };
          expr.assign(Symbol.for('jsonata.__evaluate_entry'), hook);
          expr.assign('__evaluate_entry', hook);
          return async (input, msg, bindings) => {
            try {
              return await expr.evaluate(input, { ...bindings, msg, [DEADLINE]: Date.now() + JSONATA_TIMEOUT_MS });
            } catch (err) {
              throw new ConnectorError(code_, `${label}: ${(err as Error)?.message ?? err}`, { cause: err });
            }
          };
        }
        const fn = new UserFunction(label, code, params, { log, env });
        return async (input, msg, bindings) => {
          try {
            return await fn.call(input, ...params.slice(1).map((p) => (p === 'msg' ? msg : bindings[p])));
          } catch (err) {
            throw new ConnectorError(code_, (err as Error).message, { cause: err });
          }
        };
      } catch (err) {
        const message = `${label} does not compile: ${(err as Error).message ?? err}`;
        node.error(message);
        node.status(Status.error(text(STATUS.syntax, { name: label })));
        return () => Promise.reject(new ConnectorError(code_, message));
      }
    };

    const logicDefs: LogicDef[] = Array.isArray(def.logics) ? (def.logics as LogicDef[]) : [];
    const logics = logicDefs.map((l, i) => {
      const name = (l.name && String(l.name).trim()) || `logic ${i + 1}`;
      return { index: i, name, run: compile(name, l.type, String(l.code ?? ''), ['profile', 'msg'], ErrorCodes.LOGIC_ERROR) };
    });

    const formatType = String(def.format_type || 'none');
    const formatVendor = String(def.format_vendor || '');
    let format: Evaluate | undefined;
    let formatProblem: string | undefined;
    if (formatType !== 'none') {
      if (!vendors[formatVendor]) formatProblem = 'choose the vendor this format is for';
      else format = compile('format', formatType, String(def.format ?? ''), ['profile', 'defaults', 'msg'], ErrorCodes.FORMAT_ERROR);
    }
    if (formatProblem) node.status(Status.error(STATUS.noVendor));

    let kept = 0;
    let filtered = 0;
    const counts = () => text(STATUS.counts, { kept, filtered });

    const inputs = onInput(node, async (msg, send) => {
      if (!isProfile(msg.payload)) {
        throw new ConnectorError(ErrorCodes.INVALID_INPUT, 'msg.payload is not an HrFlow profile (an object with "info")');
      }
      let profile: HrflowProfile = msg.payload;
      for (const logic of logics) {
        const result = await logic.run(profile, msg, {});
        if (result === undefined || result === null || result === false || (Array.isArray(result) && result.length === 0)) {
          msg.payload = profile;
          msg.filtered = { index: logic.index, name: logic.name, reason: `dropped by ${logic.name}` };
          filtered++;
          node.status(Status.filtered(counts()));
          send([null, msg]);
          return;
        }
        if (result === true) continue;
        tooBig(result, `${logic.name} returned a profile`, ErrorCodes.LOGIC_ERROR);
        if (!isProfile(result)) {
          throw new ConnectorError(
            ErrorCodes.LOGIC_ERROR,
            `${logic.name} returned ${Array.isArray(result) ? 'an array' : typeof result}: return the profile to keep it, or null to drop it`,
          );
        }
        profile = result;
      }
      msg.profile = profile;
      if (formatProblem) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `format: ${formatProblem}`);
      if (format) {
        const vendor = vendors[formatVendor];
        let defaults: unknown;
        try {
          defaults = vendor.defaultPayload(profile, {});
        } catch (err) {
          throw new ConnectorError(ErrorCodes.FORMAT_ERROR, `the ${vendor.label} default mapping failed: ${(err as Error).message}`, { cause: err });
        }
        const payload = await format(profile, msg, { defaults });
        if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
          throw new ConnectorError(ErrorCodes.FORMAT_ERROR, `format returned ${payload === null ? 'null' : typeof payload}: return the ${vendor.label} payload object`);
        }
        tooBig(payload, 'format returned a payload', ErrorCodes.FORMAT_ERROR);
        try {
          // What reaches the push node must be plain data (it is copied there): say so here, not there.
          structuredClone(payload);
        } catch (err) {
          throw new ConnectorError(ErrorCodes.FORMAT_ERROR, `format returned a value that is not plain data: ${(err as Error).message}`, { cause: err });
        }
        msg.payload = payload;
        msg.format = vendor.id;
      } else {
        msg.payload = profile;
      }
      kept++;
      node.status(Status.ok(counts()));
      send([msg, null]);
    }, ErrorCodes.LOGIC_ERROR, { clone: RED.util.cloneMessage });

    node.on('close', (_removed: boolean, done: () => void) => {
      inputs.close(() => new ConnectorError(ErrorCodes.ABORTED, 'the flow was stopped while its logic ran: send the message again'), done);
    });
  }
  RED.nodes.registerType('hrflow-logic', HrflowLogicNode as any);
};
