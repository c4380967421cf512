/**
 * Bounds on what a message may hold before a node of ours handles it or hands it on.
 *
 * Node-RED copies a message with a recursive deep clone (lodash cloneDeep) on the way to a Catch node
 * and to every extra wire: a message nested a few thousand levels deep overflows the stack there, and
 * the exception takes the whole Node-RED process down. So every node of ours measures a message before
 * handling it (and what it sends), without recursion, and replaces what is too deep or too large by a
 * short marker string: the message it then carries (with an INVALID_INPUT error) is safe to clone.
 *
 * The limits are far above any real HrFlow profile (nested less than 10 levels, a few thousand values,
 * a few hundred KB of text) and far below what breaks Node-RED's clone (a few thousand levels).
 */
import { types } from 'node:util';

/** Deepest nesting kept: msg is level 0, msg.payload level 1. */
export const MAX_DEPTH = 100;
/** Most values (objects, arrays, strings, numbers...) kept in one message. */
export const MAX_VALUES = 200_000;
/** Most characters of text plus bytes of buffers kept in one message (64 MiB). */
export const MAX_BYTES = 64 * 1024 * 1024;

export interface Limits {
  maxDepth: number;
  maxValues: number;
  maxBytes: number;
}

export const DEFAULT_LIMITS: Limits = { maxDepth: MAX_DEPTH, maxValues: MAX_VALUES, maxBytes: MAX_BYTES };

/** 'unreadable': reading it threw (a getter or a Proxy that throws, a revoked Proxy): Node-RED's copy would throw too. */
export type CutReason = 'depth' | 'values' | 'bytes' | 'unreadable';

export interface Cut {
  /** Where the value was, as "msg.payload.tags.0.0…". */
  path: string;
  reason: CutReason;
}

export interface BoundsReport {
  /** Every value replaced by a marker (empty when the message is within bounds). */
  cuts: Cut[];
  /** A one-line description of what was cut and why (empty when nothing was). */
  summary: string;
}

export function marker(reason: CutReason, limits: Limits = DEFAULT_LIMITS): string {
  if (reason === 'depth') return `[cut: nested deeper than ${limits.maxDepth} levels]`;
  if (reason === 'unreadable') return '[cut: reading it threw an error]';
  if (reason === 'values') return `[cut: the message holds more than ${limits.maxValues} values]`;
  return `[cut: the message holds more than ${Math.round(limits.maxBytes / 1024 / 1024)} MiB of text and bytes]`;
}

interface Entry {
  /** The container holding the value (undefined for the root). */
  parent?: Entry;
  holder?: unknown;
  key?: unknown;
  value: unknown;
  depth: number;
  /** Reading the value threw (a getter or a Proxy trap). */
  unreadable?: boolean;
}

/** Node-RED leaves these out of its message clone (HTTP request and response objects). */
const NOT_CLONED = new Set(['req', 'res']);

function pathOf(e: Entry, root: string): string {
  const keys: string[] = [];
  for (let x: Entry | undefined = e; x && x.parent; x = x.parent) keys.push(String(x.key));
  keys.reverse();
  if (keys.length > 12) return `${root}.${keys.slice(0, 6).join('.')}.….${keys.slice(-2).join('.')} (${keys.length} levels)`;
  return [root, ...keys].join('.');
}

/** Put the marker where the value was; false when the holder does not let it (frozen, a non-configurable getter). */
function replace(e: Entry, text: string): boolean {
  const h = e.holder;
  // A Proxy answers its reads through its traps whatever is defined on it: the Proxy itself is cut instead.
  if (types.isProxy(h)) return false;
  try {
    if (h instanceof Map) {
      h.set(e.key, text);
      return true;
    }
    if (h instanceof Set) {
      h.delete(e.value);
      h.add(text);
      return true;
    }
    if (h && typeof h === 'object') {
      // defineProperty, not assignment: it also replaces a getter (and an assignment to a frozen holder is lost silently).
      return Reflect.defineProperty(h, e.key as PropertyKey, { value: text, writable: true, enumerable: true, configurable: true });
    }
  } catch {
    // A Proxy trap that throws: not replaceable here.
  }
  return false;
}

function isBinary(v: object): number | undefined {
  if (Buffer.isBuffer(v) || ArrayBuffer.isView(v)) return (v as ArrayBufferView).byteLength;
  if (v instanceof ArrayBuffer) return v.byteLength;
  return undefined;
}

/**
 * Walk a message the way Node-RED's clone does (depth first, keys in order, each object once) with an
 * explicit stack, and replace by a marker every value nested deeper than `maxDepth`, and what goes
 * past `maxValues` values or `maxBytes` of text and bytes. Returns what was cut.
 */
export function enforceBounds(root: object, limits: Limits = DEFAULT_LIMITS, rootName = 'msg'): BoundsReport {
  const cuts: Cut[] = [];
  const seen = new Set<object>();
  const stack: Entry[] = [{ value: root, depth: 0 }];
  let values = 0;
  let bytes = 0;
  const cut = (e: Entry, reason: CutReason) => {
    if (!e.parent) return;
    // Where the holder does not take the marker (frozen, a non-configurable getter), cut the holder itself.
    for (let x: Entry | undefined = e; x && x.parent; x = x.parent) {
      if (replace(x, marker(reason, limits))) {
        cuts.push({ path: pathOf(x, rootName), reason });
        return;
      }
    }
    cuts.push({ path: pathOf(e, rootName), reason });
  };
  while (stack.length) {
    const e = stack.pop() as Entry;
    const v = e.value;
    values++;
    if (e.unreadable) {
      cut(e, 'unreadable');
      continue;
    }
    if (typeof v === 'string') {
      bytes += v.length;
      if (bytes > limits.maxBytes) cut(e, 'bytes');
      continue;
    }
    if (v === null || typeof v !== 'object') {
      if (values > limits.maxValues) cut(e, 'values');
      continue;
    }
    if (seen.has(v)) continue;
    seen.add(v);
    if (e.depth > limits.maxDepth) {
      cut(e, 'depth');
      continue;
    }
    // Everything below reads the object: a Proxy's traps (even instanceof and Array.isArray) may throw.
    let children: Entry[];
    try {
      const size = isBinary(v);
      if (size !== undefined) {
        bytes += size;
        if (bytes > limits.maxBytes) cut(e, 'bytes');
        continue;
      }
      children = childrenOf(e, v, e.parent ? undefined : NOT_CLONED);
    } catch {
      cut(e, 'unreadable');
      continue;
    }
    if (e.parent && values + children.length > limits.maxValues) {
      cut(e, 'values');
      continue;
    }
    // The message's own small fields (candidate_id, statusCode, topic...) are never what gets cut: the budget
    // goes to them first, then to its other objects, and msg.payload last.
    if (!e.parent) children = rootOrder(children);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return { cuts, summary: summarize(cuts, limits) };
}

function rootOrder(children: Entry[]): Entry[] {
  const rank = (c: Entry) => (c.key === 'payload' ? 2 : c.value !== null && typeof c.value === 'object' ? 1 : 0);
  return children.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map((x) => x.c);
}

/** One child of `holder`, read now: a read that throws (getter, Proxy) makes an unreadable entry. */
function child(e: Entry, holder: object, key: PropertyKey, depth: number): Entry {
  try {
    return { parent: e, holder, key, value: (holder as Record<PropertyKey, unknown>)[key], depth };
  } catch {
    return { parent: e, holder, key, value: undefined, depth, unreadable: true };
  }
}

function childrenOf(e: Entry, v: object, skip?: Set<string>): Entry[] {
  const depth = e.depth + 1;
  if (Array.isArray(v)) {
    const out: Entry[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = child(e, v, i, depth);
    return out;
  }
  if (v instanceof Map) return [...v].map(([k, x]) => ({ parent: e, holder: v, key: k, value: x, depth }));
  if (v instanceof Set) return [...v].map((x, i) => ({ parent: e, holder: v, key: i, value: x, depth }));
  if (v instanceof Date || v instanceof RegExp) return [];
  const out: Entry[] = [];
  for (const k of Object.keys(v)) {
    if (skip?.has(k)) continue;
    out.push(child(e, v, k, depth));
  }
  // Node-RED's copy (lodash cloneDeep) also copies an object's own enumerable symbol keys.
  for (const k of Object.getOwnPropertySymbols(v)) {
    if (Object.prototype.propertyIsEnumerable.call(v, k)) out.push(child(e, v, k, depth));
  }
  return out;
}

function summarize(cuts: Cut[], limits: Limits): string {
  if (!cuts.length) return '';
  const why = [...new Set(cuts.map((c) => c.reason))]
    .map((r) =>
      r === 'depth'
        ? `nested deeper than ${limits.maxDepth} levels`
        : r === 'unreadable'
          ? 'reading it threw an error (a getter or a Proxy that throws)'
          : r === 'values'
            ? `more than ${limits.maxValues} values in one message`
            : `more than ${Math.round(limits.maxBytes / 1024 / 1024)} MiB of text and bytes in one message`,
    )
    .join(', ');
  const shown = cuts.slice(0, 3).map((c) => c.path);
  const more = cuts.length > shown.length ? ` and ${cuts.length - shown.length} more` : '';
  return `${cuts.length} value${cuts.length > 1 ? 's' : ''} cut (${why}): ${shown.join(', ')}${more}`;
}

/** Node-RED's message copy (RED.util.cloneMessage). */
export type CloneMessage = (msg: any) => unknown;

/** How many levels below the message makeCopyable looks for the part that cannot be copied before cutting higher. */
const COPY_SEARCH_DEPTH = 8;

function copyProblem(clone: CloneMessage, value: unknown): string | undefined {
  try {
    clone(value);
    return undefined;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return text.length > 100 ? `${text.slice(0, 99)}…` : text;
  }
}

/**
 * Node-RED gives every Catch node its own copy of a failed message, made with RED.util.cloneMessage; when that
 * copy throws, the message is lost (no Catch node gets it). enforceBounds cuts what it can see; this is the last
 * check before a message is failed: make the copy, and when it throws (a getter answering a new deep value at
 * every read, a Proxy whose traps throw on a read the walk did not make, a frozen deep structure), find the
 * parts whose copy throws (a few levels down) and replace each by a marker.
 * Returns the paths replaced, and whether the message can now be copied (false: a part could not be replaced,
 * e.g. a non-configurable getter on the msg itself).
 */
export function makeCopyable(msg: object, clone: CloneMessage, rootName = 'msg'): { replaced: string[]; copyable: boolean } {
  if (copyProblem(clone, msg) === undefined) return { replaced: [], copyable: true };
  /** Fix what under `holder` cannot be copied; returns the paths replaced. */
  const fix = (holder: object, path: string, level: number): string[] => {
    const replaced: string[] = [];
    let keys: PropertyKey[];
    try {
      keys = Array.isArray(holder) ? [...holder.keys()] : Object.keys(holder);
    } catch {
      return replaced;
    }
    // Read again at each check: a getter may answer a new value at each read.
    const problemAt = (key: PropertyKey): string | undefined => {
      try {
        return copyProblem(clone, { value: (holder as Record<PropertyKey, unknown>)[key] });
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    };
    for (const key of keys) {
      if (level === 0 && (key === 'req' || key === 'res')) continue; // not copied by Node-RED
      const problem = problemAt(key);
      if (problem === undefined) continue;
      const where = `${path}.${String(key)}`;
      let value: unknown;
      try {
        value = (holder as Record<PropertyKey, unknown>)[key];
      } catch {
        value = undefined;
      }
      if (value && typeof value === 'object' && level < COPY_SEARCH_DEPTH) {
        const inner = fix(value, where, level + 1);
        if (problemAt(key) === undefined) {
          replaced.push(...inner);
          continue;
        }
      }
      try {
        const text = `[cut: it could not be copied (${problem})]`;
        if (!types.isProxy(holder) && Reflect.defineProperty(holder, key, { value: text, writable: true, enumerable: true, configurable: true })) replaced.push(where);
      } catch {
        // A Proxy trap that throws: the level above is cut instead.
      }
    }
    return replaced;
  };
  const replaced = fix(msg, rootName, 0);
  return { replaced, copyable: copyProblem(clone, msg) === undefined };
}
