/**
 * The push log's admin endpoints (issue 12, "The push log in the editor"): what the HrFlow sidebar tab
 * (nodes/hrflow-push-log.html) reads and does. Mounted once per admin app by admin.ts (mountAdmin).
 *
 *   GET    /hrflow-connectors/pushes?vendor=&outcome=&limit=        (hrflow-connectors.read)
 *          → { ok: true, items: LedgerEntry[] (newest first), vendors: [{id, label}] }
 *   GET    /hrflow-connectors/pushes.csv?vendor=&outcome=&limit=    (hrflow-connectors.read)
 *          → text/csv, attachment hrflow-pushes-<YYYY-MM-DD>.csv
 *   GET    /hrflow-connectors/dead-letters?vendor=&limit=           (hrflow-connectors.read)
 *          → { ok: true, items: DeadLetterSummary[] } (newest first; no `msg`, see below)
 *   GET    /hrflow-connectors/dead-letters/:id                      (hrflow-connectors.read)
 *          → { ok: true, item: DeadLetter } (with the message as kept) | 404
 *   POST   /hrflow-connectors/dead-letters/:id/retry                (hrflow-connectors.write)
 *   DELETE /hrflow-connectors/dead-letters/:id                      (hrflow-connectors.write)
 *          → { ok: true, detail } | <status> { ok: false, code, message } (404 none, 409 node gone, 503 ledger off)
 *
 * `limit`: an integer 1..1000 (default 100). `vendor`: a vendor id; `outcome`: pushed, updated, archived, partial,
 * unknown or failed (LEDGER_OUTCOMES); blank means no filter. Anything else: 400 `{ok: false, code: 'INVALID_INPUT', message}`.
 * Ledger off (`hrflowLedger: false`): the GETs answer `{ok: true, items: [], ledger: false}` (an empty CSV).
 *
 * The dead-letter list leaves out each letter's `msg` (it holds the whole profile: personal data, and up to
 * a thousand of them would weigh megabytes); it says which properties it has (`msgKeys`). The message itself
 * is read one letter at a time (GET .../:id) by an editor user with the read permission.
 */
import type { NodeAPI } from 'node-red';
import { LEDGER_OUTCOMES, type DeadLetter, type LedgerEntry, type LedgerOutcome } from '../../src/push/ledger';
import { vendors } from '../../src/vendors';
import { discardDeadLetter, ledgerOf, retryDeadLetter, type DeadLetterAnswer } from './ledger';
import { deployedStores } from './store';

/** At most this many items in one answer; the default. */
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;
const OUTCOMES: readonly LedgerOutcome[] = LEDGER_OUTCOMES;
/** The CSV's columns, in order. */
export const CSV_COLUMNS = ['time', 'vendor', 'target', 'profile', 'candidate_id', 'outcome', 'code', 'steps'] as const;

interface Req {
  params: Record<string, string>;
  query: Record<string, unknown>;
}
interface Res {
  headersSent: boolean;
  status(code: number): Res;
  json(body: unknown): void;
  set(field: string, value: string): Res;
  send(body: string): void;
}
type Handler = (req: Req, res: Res, next: (err?: unknown) => void) => void;
export interface PushLogApp {
  get(path: string, ...h: Handler[]): void;
  post(path: string, ...h: Handler[]): void;
  delete?(path: string, ...h: Handler[]): void;
}

/** A dead letter as the list sends it: without its message, with the names of the message's properties. */
export type DeadLetterSummary = Omit<DeadLetter, 'msg'> & { msgKeys: string[] };

class Invalid extends Error {}

/** One query parameter as a string ('' when absent); an array (`?a=1&a=2`) or an object is refused. */
function param(query: Record<string, unknown>, name: string): string {
  const v = query?.[name];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new Invalid(`${name} must be given once, as text`);
  return v.trim();
}

/** vendor / outcome / limit of a query, checked. */
export function parseQuery(query: Record<string, unknown>, withOutcome: boolean): { vendor?: string; outcome?: LedgerOutcome; limit: number } {
  const vendor = param(query, 'vendor');
  if (vendor && !Object.prototype.hasOwnProperty.call(vendors, vendor)) throw new Invalid(`vendor must be one of ${Object.keys(vendors).join(', ')}`);
  const outcome = withOutcome ? param(query, 'outcome') : '';
  if (outcome && !(OUTCOMES as readonly string[]).includes(outcome)) throw new Invalid(`outcome must be one of ${OUTCOMES.join(', ')}`);
  const text = param(query, 'limit');
  let limit = DEFAULT_LIMIT;
  if (text) {
    if (!/^\d{1,7}$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIMIT) throw new Invalid(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
    limit = Number(text);
  }
  return { vendor: vendor || undefined, outcome: (outcome || undefined) as LedgerOutcome | undefined, limit };
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a quote, a comma, CR or LF (quotes doubled). A cell that a
 * spreadsheet would read as a formula (starting with = + - @, a tab or CR) gets a leading single quote.
 */
export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV of ledger entries: a header line, then one line per entry, CRLF line ends. */
export function pushesCsv(items: LedgerEntry[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of items) {
    const steps = (e.steps ?? []).map((s) => `${s.step}:${s.status}`).join(' ');
    lines.push([e.at, e.vendor, e.target, e.profile, e.candidateId, e.outcome, e.code, steps].map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function deadLetterSummary(d: DeadLetter): DeadLetterSummary {
  const { msg, ...rest } = d;
  return { ...rest, msgKeys: msg && typeof msg === 'object' ? Object.keys(msg).sort() : [] };
}

/** The vendors the filter offers. */
function vendorList(): Array<{ id: string; label: string }> {
  return Object.values(vendors).map((v) => ({ id: v.id, label: v.label }));
}

/** The dead-letter id of a route (bounded). */
/**
 * `?store=<hrflow-store id>`: read that shared store (absent: the runtime's own ledger). One that is not
 * deployed is a 400 (Invalid), not a silent switch to another store.
 */
function storeParam(RED: NodeAPI, req: Req): string | undefined {
  const id = param((req.query ?? {}) as Record<string, unknown>, 'store');
  if (!id) return undefined;
  if (!deployedStores(RED).some((st) => st.id === id)) throw new Invalid(`store ${id.slice(0, 40)} is not a deployed hrflow-store`);
  return id;
}

function deadId(req: Req): string {
  const id = req.params?.id;
  if (typeof id !== 'string' || !id || id.length > 200) throw new Invalid('a dead letter id is required');
  return id;
}

/** Mount the push log's routes on this runtime's admin app (admin.ts calls it once per app). */
export function mountPushLog(RED: NodeAPI, app: PushLogApp, permission: (p: string) => Handler): void {
  const read = permission('hrflow-connectors.read');
  const write = permission('hrflow-connectors.write');

  /** Run a handler; Invalid → 400, a store failure → 500, never an unhandled rejection. */
  const route = (work: (req: Req, res: Res) => Promise<void>): Handler => (req, res) => {
    work(req, res).catch((err) => {
      try {
        if (res.headersSent) return;
        if (err instanceof Invalid) res.status(400).json({ ok: false, code: 'INVALID_INPUT', message: err.message });
        else {
          RED.log.warn(`hrflow push log: ${(err as Error)?.message ?? err}`);
          res.status(500).json({ ok: false, code: 'LEDGER_UNAVAILABLE', message: `the push ledger could not be read: ${String((err as Error)?.message ?? err).slice(0, 300)}` });
        }
      } catch {
        /* the answer could not be sent (connection gone) */
      }
    });
  };
  const answer = (res: Res, a: DeadLetterAnswer) => {
    if (a.ok) res.status(200).json(a);
    else res.status(a.status).json({ ok: false, code: a.code, message: a.message });
  };

  app.get('/hrflow-connectors/pushes', read, route(async (req, res) => {
    const q = parseQuery(req.query, true);
    const ledger = ledgerOf(RED, storeParam(RED, req));
    if (!ledger) return void res.json({ ok: true, items: [], ledger: false, vendors: vendorList() });
    const items = await ledger.store.recent(q);
    res.json({ ok: true, items, vendors: vendorList() });
  }));

  app.get('/hrflow-connectors/pushes.csv', read, route(async (req, res) => {
    const q = parseQuery(req.query, true);
    const ledger = ledgerOf(RED, storeParam(RED, req));
    const items = ledger ? await ledger.store.recent(q) : [];
    const date = new Date().toISOString().slice(0, 10);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="hrflow-pushes-${date}.csv"`);
    res.set('Cache-Control', 'no-store');
    res.status(200).send(pushesCsv(items));
  }));

  app.get('/hrflow-connectors/dead-letters', read, route(async (req, res) => {
    const { vendor, limit } = parseQuery(req.query, false);
    const ledger = ledgerOf(RED, storeParam(RED, req));
    if (!ledger) return void res.json({ ok: true, items: [], ledger: false });
    const items = await ledger.store.deadLetters({ vendor, limit });
    res.json({ ok: true, items: items.map(deadLetterSummary) });
  }));

  app.get('/hrflow-connectors/dead-letters/:id', read, route(async (req, res) => {
    const id = deadId(req);
    const ledger = ledgerOf(RED, storeParam(RED, req));
    if (!ledger) return void res.status(503).json({ ok: false, code: 'LEDGER_OFF', message: 'the push ledger is turned off (hrflowLedger: false)' });
    const item = await ledger.store.deadLetter(id);
    if (!item) return void res.status(404).json({ ok: false, code: 'NOT_FOUND', message: `no dead letter ${id}` });
    res.json({ ok: true, item });
  }));

  app.post('/hrflow-connectors/dead-letters/:id/retry', write, route(async (req, res) => answer(res, await retryDeadLetter(RED, deadId(req), storeParam(RED, req)))));
  // (an admin app without DELETE, as some test doubles: no discard)
  app.delete?.('/hrflow-connectors/dead-letters/:id', write, route(async (req, res) => answer(res, await discardDeadLetter(RED, deadId(req), storeParam(RED, req)))));

  // The stores the sidebar can show: the embedded one (no id) and the deployed hrflow-store nodes.
  app.get('/hrflow-connectors/stores', read, route(async (_req, res) => {
    res.json({ ok: true, items: deployedStores(RED) });
  }));
}
