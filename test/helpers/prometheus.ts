/**
 * A parser of Prometheus' text exposition format (version 0.0.4), for the metrics tests: `# HELP` and
 * `# TYPE` lines, and samples `name{label="value",...} value`. Strict: a line it cannot read throws.
 */
import assert from 'node:assert/strict';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** `# TYPE` of each metric family. */
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

function number(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n)) throw new Error(`not a sample value: ${JSON.stringify(text)}`);
  return n;
}

/** Labels `{a="x",b="y\"z"}` from position `i` (at `{`): the labels and the position after `}`. */
function labelsAt(line: string, i: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let at = i + 1;
  for (;;) {
    if (line[at] === '}') return { labels, end: at + 1 };
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(at));
    if (!name) throw new Error(`bad label name at ${at}: ${line}`);
    at += name[0].length;
    if (line.slice(at, at + 2) !== '="') throw new Error(`bad label at ${at}: ${line}`);
    at += 2;
    let value = '';
    for (;;) {
      const c = line[at];
      if (c === undefined) throw new Error(`unterminated label value: ${line}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = line[at + 1];
        value += next === 'n' ? '\n' : next;
        at += 2;
        continue;
      }
      value += c;
      at++;
    }
    at++;
    if (Object.prototype.hasOwnProperty.call(labels, name[0])) throw new Error(`label ${name[0]} twice: ${line}`);
    labels[name[0]] = value;
    if (line[at] === ',') at++;
  }
}

export function parseExposition(text: string): Exposition {
  const out: Exposition = { types: new Map(), help: new Map(), samples: [] };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (TYPE|HELP) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (!m) continue; // a plain comment
      if (m[1] === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]), `bad TYPE line: ${line}`);
        assert.ok(!out.types.has(m[2]), `TYPE of ${m[2]} twice`);
        out.types.set(m[2], m[3]);
      } else out.help.set(m[2], m[3]);
      continue;
    }
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!name) throw new Error(`bad sample line: ${line}`);
    let at = name[0].length;
    let labels: Record<string, string> = {};
    if (line[at] === '{') ({ labels, end: at } = labelsAt(line, at));
    if (line[at] !== ' ') throw new Error(`bad sample line: ${line}`);
    const [value, timestamp, ...rest] = line.slice(at + 1).split(' ');
    if (rest.length || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) throw new Error(`bad sample line: ${line}`);
    out.samples.push({ name: name[0], labels, value: number(value) });
  }
  return out;
}

const same = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
};

/** The value of the sample `name` with exactly these labels, or undefined when there is none. */
export function sampleValue(e: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = e.samples.filter((s) => s.name === name && same(s.labels, labels));
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} twice`);
  return found[0]?.value;
}

/** The samples named `name` (any labels). */
export function samplesOf(e: Exposition, name: string): Sample[] {
  return e.samples.filter((s) => s.name === name);
}

/** The metric families nodes/lib/metrics.ts exposes from push events, with their `# TYPE`. */
export const PUSH_METRIC_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['hrflow_pushes_total', 'counter'],
  ['hrflow_push_errors_total', 'counter'],
  ['hrflow_retries_total', 'counter'],
  ['hrflow_rate_limited_total', 'counter'],
  ['hrflow_duplicates_skipped_total', 'counter'],
  ['hrflow_resumed_total', 'counter'],
  ['hrflow_push_duration_seconds', 'histogram'],
];

/** The gauges read from the ledger's store at scrape time (only when a runtime has the ledger on). */
export const LEDGER_METRIC_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['hrflow_dead_letters', 'gauge'],
  ['hrflow_outbox_pending', 'gauge'],
];
