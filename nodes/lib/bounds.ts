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

export type CutReason = 'depth' | 'values' | 'bytes';

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

function replace(e: Entry, text: string): void {
  const h = e.holder;
  if (h instanceof Map) h.set(e.key, text);
  else if (h instanceof Set) {
    h.delete(e.value);
    h.add(text);
  } else if (h && typeof h === 'object') {
    try {
      (h as Record<string, unknown>)[e.key as string] = text;
    } catch {
      // A frozen holder: nothing to replace, nothing Node-RED could not already clone.
    }
  }
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
    replace(e, marker(reason, limits));
    cuts.push({ path: pathOf(e, rootName), reason });
  };
  while (stack.length) {
    const e = stack.pop() as Entry;
    const v = e.value;
    values++;
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
    const size = isBinary(v);
    if (size !== undefined) {
      bytes += size;
      if (bytes > limits.maxBytes) cut(e, 'bytes');
      continue;
    }
    let children: Entry[];
    try {
      children = childrenOf(e, v, e.parent ? undefined : NOT_CLONED);
    } catch {
      continue; // a getter that throws: nothing this walk can fix
    }
    if (e.parent && values + children.length > limits.maxValues) {
      cut(e, 'values');
      continue;
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return { cuts, summary: summarize(cuts, limits) };
}

function childrenOf(e: Entry, v: object, skip?: Set<string>): Entry[] {
  const depth = e.depth + 1;
  if (Array.isArray(v)) {
    const out: Entry[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = { parent: e, holder: v, key: i, value: v[i], depth };
    return out;
  }
  if (v instanceof Map) return [...v].map(([k, x]) => ({ parent: e, holder: v, key: k, value: x, depth }));
  if (v instanceof Set) return [...v].map((x, i) => ({ parent: e, holder: v, key: i, value: x, depth }));
  if (v instanceof Date || v instanceof RegExp) return [];
  const out: Entry[] = [];
  for (const k of Object.keys(v)) {
    if (skip?.has(k)) continue;
    out.push({ parent: e, holder: v, key: k, value: (v as Record<string, unknown>)[k], depth });
  }
  return out;
}

function summarize(cuts: Cut[], limits: Limits): string {
  if (!cuts.length) return '';
  const why = [...new Set(cuts.map((c) => c.reason))]
    .map((r) =>
      r === 'depth'
        ? `nested deeper than ${limits.maxDepth} levels`
        : r === 'values'
          ? `more than ${limits.maxValues} values in one message`
          : `more than ${Math.round(limits.maxBytes / 1024 / 1024)} MiB of text and bytes in one message`,
    )
    .join(', ');
  const shown = cuts.slice(0, 3).map((c) => c.path);
  const more = cuts.length > shown.length ? ` and ${cuts.length - shown.length} more` : '';
  return `${cuts.length} value${cuts.length > 1 ? 's' : ''} cut (${why}): ${shown.join(', ')}${more}`;
}
