/**
 * `GET /hrflow-connectors/metrics` (issue 12): what the push nodes of a runtime did, in Prometheus' text
 * exposition format, for a scraper (hrflow-connectors.read permission: with adminAuth on, a bearer token).
 *
 * One prom-client Registry per runtime (never prom-client's global default registry: another package's
 * metrics do not mix with ours, and each test runtime starts from zero), fed ONLY by the push events bus
 * (push-events.ts), subscribed once per runtime. Only our metrics: no process metrics.
 *
 *   hrflow_pushes_total{vendor,outcome}        counter   outcome = pushed | updated | archived | skipped | error
 *   hrflow_push_errors_total{vendor,code}      counter   outcome error, by error code
 *   hrflow_retries_total{vendor,reason}        counter   a request retried, by the code of the retried attempt
 *   hrflow_rate_limited_total{vendor}          counter   answers 429: a retry after a 429, or an outcome RATE_LIMITED
 *   hrflow_duplicates_skipped_total{vendor}    counter   outcome skipped (already pushed, nothing sent)
 *   hrflow_resumed_total{vendor}               counter   messages taken back from the outbox at a start
 *   hrflow_push_duration_seconds{vendor}       histogram arrival at the node → outcome, outcomes pushed, updated, archived and error
 *   hrflow_dead_letters{vendor}                gauge     dead letters kept (read from the ledger at scrape time)
 *   hrflow_outbox_pending                      gauge     unsettled outbox messages (read at scrape time)
 *
 * Labels are low-cardinality: a vendor id, an outcome, an error code (a value outside the known ones is
 * counted as `other`); never a profile, a candidate or a message.
 */
import type { NodeAPI } from 'node-red';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ErrorCodes } from '../../src/core/errors';
import { ledgerEnabled, ledgerFor } from './ledger';
import { pushEvents, runtimeKey, type PushOutcomeEvent, type PushResumeEvent, type PushRetryEvent } from './push-events';

/** Buckets of hrflow_push_duration_seconds: HTTP pushes, from a fast answer to the longest waits on a rate limit. */
export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];
/** A scrape waits at most this long for the ledger's gauges (a store that hangs leaves them out, never the scrape). */
export const GAUGE_TIMEOUT_MS = 5_000;

const CODES = new Set<string>(Object.values(ErrorCodes));
const OUTCOMES = new Set(['pushed', 'updated', 'archived', 'skipped', 'error']);

/** A vendor id as a label: ours are short lowercase ids; anything else is `other`. */
export function vendorLabel(v: unknown): string {
  return typeof v === 'string' && /^[a-z0-9][a-z0-9_-]{0,39}$/.test(v) ? v : 'other';
}

/** An error code as a label: one of ErrorCodes, else `other`. */
export function codeLabel(c: unknown): string {
  return typeof c === 'string' && CODES.has(c) ? c : 'other';
}

/** The metrics of one runtime. */
export class PushMetrics {
  readonly registry = new Registry();
  readonly pushes: Counter<'vendor' | 'outcome'>;
  readonly errors: Counter<'vendor' | 'code'>;
  readonly retries: Counter<'vendor' | 'reason'>;
  readonly rateLimited: Counter<'vendor'>;
  readonly duplicates: Counter<'vendor'>;
  readonly resumed: Counter<'vendor'>;
  readonly duration: Histogram<'vendor'>;

  /**
   * `gauges`: what the store holds now (dead letters by vendor, pending outbox messages), read at each
   * scrape (no answer within GAUGE_TIMEOUT_MS: the last values stay); none given (the ledger is off): the
   * two gauges are left out.
   */
  constructor(gauges?: () => Promise<{ deadLetters: Record<string, number>; pending: number } | undefined>) {
    const registers = [this.registry];
    this.pushes = new Counter({ name: 'hrflow_pushes_total', help: 'Messages handled by push nodes, by vendor and outcome (pushed, updated, archived, skipped as already pushed or archived, error).', labelNames: ['vendor', 'outcome'], registers });
    this.errors = new Counter({ name: 'hrflow_push_errors_total', help: 'Pushes that ended in an error, by vendor and error code.', labelNames: ['vendor', 'code'], registers });
    this.retries = new Counter({ name: 'hrflow_retries_total', help: 'Requests retried by push nodes, by vendor and the error code of the retried attempt.', labelNames: ['vendor', 'reason'], registers });
    this.rateLimited = new Counter({ name: 'hrflow_rate_limited_total', help: 'Rate-limit answers (429) met by push nodes: retried, or ending the push as RATE_LIMITED.', labelNames: ['vendor'], registers });
    this.duplicates = new Counter({ name: 'hrflow_duplicates_skipped_total', help: 'Messages not pushed because the ledger says the profile was already pushed there (on_duplicate skip).', labelNames: ['vendor'], registers });
    this.resumed = new Counter({ name: 'hrflow_resumed_total', help: 'Messages taken back from the durable outbox when their push node started again.', labelNames: ['vendor'], registers });
    this.duration = new Histogram({ name: 'hrflow_push_duration_seconds', help: 'Time from a message reaching a push node to its outcome (pushed, updated, archived or error), retries and waits included.', labelNames: ['vendor'], buckets: DURATION_BUCKETS, registers });
    if (gauges) {
      // Both gauges come from one read of the store per scrape (shared by their two collect calls).
      let reading: Promise<{ deadLetters: Record<string, number>; pending: number } | undefined> | undefined;
      const read = () => {
        if (!reading) {
          reading = withTimeout(gauges(), GAUGE_TIMEOUT_MS).catch(() => undefined);
          const done = () => {
            reading = undefined;
          };
          reading.then(done, done);
        }
        return reading;
      };
      new Gauge({
        name: 'hrflow_dead_letters',
        help: 'Dead letters kept in the push ledger (pushes that ended in an error, until retried or discarded), by vendor.',
        labelNames: ['vendor'],
        registers,
        async collect() {
          const now = await read();
          if (!now) return;
          this.reset();
          for (const [vendor, n] of Object.entries(now?.deadLetters ?? {})) this.set({ vendor }, n);
        },
      });
      new Gauge({
        name: 'hrflow_outbox_pending',
        help: 'Messages accepted by push nodes and not settled yet (waiting, in flight or retrying).',
        registers,
        async collect() {
          const now = await read();
          // A store that did not answer in time: the last value read stays.
          if (now) this.set(now.pending);
        },
      });
    }
  }

  /** Count a message's outcome at a push node. */
  outcome(e: PushOutcomeEvent): void {
    const vendor = vendorLabel(e?.vendor);
    const outcome = OUTCOMES.has(e?.outcome) ? e.outcome : 'error';
    this.pushes.inc({ vendor, outcome });
    if (outcome === 'skipped') {
      this.duplicates.inc({ vendor });
      return;
    }
    if (outcome === 'error') {
      const code = codeLabel(e.code);
      this.errors.inc({ vendor, code });
      if (code === ErrorCodes.RATE_LIMITED) this.rateLimited.inc({ vendor });
    }
    if (typeof e.seconds === 'number' && Number.isFinite(e.seconds) && e.seconds >= 0) this.duration.observe({ vendor }, e.seconds);
  }

  /** Count a retried request. */
  retry(e: PushRetryEvent): void {
    const vendor = vendorLabel(e?.vendor);
    this.retries.inc({ vendor, reason: codeLabel(e?.reason) });
    if (e?.statusCode === 429) this.rateLimited.inc({ vendor });
  }

  /** Count a message resumed from the outbox. */
  resume(e: PushResumeEvent): void {
    this.resumed.inc({ vendor: vendorLabel(e?.vendor) });
  }

  /** The text exposition of every metric. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  p.catch(() => undefined); // its late rejection, after the timeout, is nobody's
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** What the store of this runtime's ledger holds now; undefined when the ledger is off. */
async function storeGauges(RED: NodeAPI): Promise<{ deadLetters: Record<string, number>; pending: number } | undefined> {
  const ledger = ledgerFor(RED);
  if (!ledger) return undefined;
  // Counted from the store's indexes: no record is read (a scrape stays cheap with thousands of dead letters).
  const counts = await ledger.store.counts();
  const deadLetters: Record<string, number> = {};
  for (const [id, n] of Object.entries(counts.deadLetters)) {
    const vendor = vendorLabel(id);
    deadLetters[vendor] = (deadLetters[vendor] ?? 0) + n;
  }
  return { deadLetters, pending: counts.pending };
}

const runtimes = new WeakMap<object, PushMetrics>();

/** The metrics of this runtime, subscribed to its push events on first use (once per runtime). */
export function metricsFor(RED: NodeAPI): PushMetrics {
  const key = runtimeKey(RED);
  let metrics = runtimes.get(key);
  if (!metrics) {
    // The ledger turned off (hrflowLedger: false, a startup setting): no gauges.
    const m = new PushMetrics(ledgerEnabled(RED) ? () => storeGauges(RED) : undefined);
    const bus = pushEvents(RED);
    bus.on('outcome', (e) => m.outcome(e));
    bus.on('retry', (e) => m.retry(e));
    bus.on('resume', (e) => m.resume(e));
    runtimes.set(key, m);
    metrics = m;
  }
  return metrics;
}

interface Res {
  headersSent: boolean;
  status(code: number): Res;
  set(name: string, value: string): Res;
  send(body: string): void;
  end(): void;
}

/** The handler of GET /hrflow-connectors/metrics (mounted by admin.ts behind hrflow-connectors.read). */
export function metricsRoute(RED: NodeAPI): (req: unknown, res: Res) => void {
  const metrics = metricsFor(RED);
  return (_req, res) => {
    metrics.text().then(
      (text) => {
        if (!res.headersSent) res.status(200).set('Content-Type', metrics.registry.contentType).send(text);
      },
      (err: unknown) => {
        try {
          RED.log.warn(`hrflow metrics: ${(err as Error)?.message ?? err}`);
          if (!res.headersSent) res.status(500).set('Content-Type', 'text/plain; charset=utf-8').send('metrics unavailable\n');
        } catch {
          /* the answer could not be sent (connection gone): nothing else to do */
        }
      },
    );
  };
}
