/**
 * hrflow-profiles (issue 13): a source. Lists the profiles of HrFlow sources (`GET /storing/profiles`,
 * paged) and sends one message per profile on output 1, then one summary per run on output 2.
 *
 * - `read_mode` `sync`: every profile; `incremental`: those created (sort_by created_at) or updated
 *   (sort_by updated_at) since the last run of this `workflow_id`. The cursor is kept in the push ledger's
 *   store (durable in the user directory: `c!hrflow-profiles:<workflow_id>`), written at the end of a run
 *   once every message it sent is settled downstream.
 * - HrFlow's date filters count in whole days: a run reads again from the start of the cursor's day (the
 *   overlap) and skips what it already emitted there (the cursor keeps the `source/key@date` of every
 *   profile emitted on its last day, the "edge"). created_at: `created_at_min=<cursor day>`, ascending;
 *   updated_at (HrFlow has no updated_at filter): descending, stopping at the first profile older than the
 *   cursor's day.
 * - `store` (issue 14): an `hrflow-store` in mode redis keeps the cursors in Redis (`<prefix>cur:hrflow-profiles:<workflow_id>`),
 *   shared by the instances using it: a run on one continues from where a run on another stopped. While Redis is
 *   down the node shows a red ring; a run then fails with STORE_UNAVAILABLE (the cursor does not move).
 * - A profile whose push failed (an error at a push node: it is a dead letter, retryable in the HrFlow tab)
 *   is kept in the cursor's `retry` list: the next incremental run reads it again (GET /profile/indexing)
 *   and sends it first; the push ledger makes sure a dead letter retried meanwhile is not pushed twice.
 *
 * Backpressure. Node-RED tells a sender nothing about what happens downstream, so the node follows its own
 * messages through the runtime's messaging hooks: `preDeliver` counts each delivery of one of its messages (by
 * `_msgid`, which Node-RED keeps through clones and most nodes), `onComplete` each node done with one. A
 * message is settled when every delivery of it is done (the push node is done when the push has its
 * outcome). The next page is fetched only when fewer than `page_size` messages are unsettled: at most two
 * pages are in flight, whatever the speed of the push nodes (50,000 profiles into a 10/s push node keep
 * memory bounded). A message that a node never completes (a node that never calls done) holds its place
 * until the flow stops; a node that drops it (a filter) completes it; a node whose input handler takes no
 * `done` (Node-RED never completes a message there) is not waited for.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { ConnectorError, ErrorCodes } from '../src/core/errors';
import type { HrflowProfile } from '../src/hrflow/profile';
import { vendors } from '../src/vendors';
import { intSetting, onInput, Status, type Msg } from './lib/runtime';
import { runtimeText } from './lib/status-text';
import { ledgerFor } from './lib/ledger';
import { runtimeKey } from './lib/push-events';
import type { SharedStore } from './lib/store';
import { useStoreWithStatus } from './lib/store-status';
import type { HrflowApiNode } from './lib/hrflow-api-node';

const STATUS = {
  noAccount: 'hrflow-profiles.status.no-account',
  noSource: 'hrflow-profiles.status.no-source',
  waiting: 'hrflow-profiles.status.waiting',
  page: { key: 'hrflow-profiles.status.page', en: 'page __page__/__pages__, __read__ read' },
  done: { key: 'hrflow-profiles.status.done', en: '__emitted__ sent, __read__ read' },
  failed: { key: 'hrflow-profiles.status.failed', en: '__code__' },
  storeDown: 'hrflow-profiles.status.store-down',
} as const;
const NO_HOOKS = { key: 'hrflow-profiles.warn.no-hooks', en: 'This Node-RED gives nodes no RED.hooks: the source cannot follow its messages downstream, so it reads every page without waiting for the pushes (no backpressure) and a failed push is not sent again by the next run.' };

/** The cursor of a workflow_id, as kept in the store. */
interface ProfilesCursor {
  sort_by: 'created_at' | 'updated_at';
  /** The latest sort date emitted (as HrFlow wrote it), or null. */
  at: string | null;
  /** `source/key@date` of the profiles emitted on the day of `at`. */
  edge: string[];
  /** Profiles whose push failed: sent again by the next run. */
  retry: Array<{ source_key: string; key: string }>;
}

/** Retry entries kept at most (the oldest go first). */
const MAX_RETRY = 10_000;
const DAY = 86_400_000;
/** Cursors when the ledger is off (hrflowLedger: false): in memory, per runtime. */
const memoryCursors = new WeakMap<object, Map<string, unknown>>();

/** HrFlow's dates (`2024-01-02T09:30:00+0000`) as ms, NaN when not a date. */
function hrflowTime(v: unknown): number {
  if (typeof v !== 'string' || !v) return NaN;
  return Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

const dayOf = (t: number) => Math.floor(t / DAY) * DAY;
const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The panel's source keys: a JSON list, or keys separated by commas, spaces or new lines. */
function parseSourceKeys(value: unknown): string[] {
  const text = typeof value === 'string' ? value.trim() : Array.isArray(value) ? JSON.stringify(value) : '';
  if (!text) return [];
  if (text.startsWith('[')) {
    try {
      const list = JSON.parse(text) as unknown;
      if (Array.isArray(list)) return [...new Set(list.map((k) => String(k).trim()).filter(Boolean))];
    } catch {
      /* not JSON: split it */
    }
  }
  return [...new Set(text.split(/[\s,;]+/).map((k) => k.replace(/^["'[]+|["'\]]+$/g, '')).filter(Boolean))];
}

/** A property among fixed values: the first one when blank, undefined when another value. */
function choice<T extends string>(value: unknown, values: readonly [T, ...T[]]): T | undefined {
  const v = typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
  if (!v) return values[0];
  return values.find((x) => x === v);
}

type Hooks = { add(name: string, fn: (ev: any) => void): void; remove(name: string): void };

/** The runtime's messaging hooks: `RED.hooks`, which Node-RED gives every node module (since 2.0). */
function runtimeHooks(RED: NodeAPI): Hooks | undefined {
  const hooks = (RED as unknown as { hooks?: Hooks }).hooks;
  return hooks && typeof hooks.add === 'function' && typeof hooks.remove === 'function' ? hooks : undefined;
}

/** Whether Node-RED will complete a message at this node (its input handlers take `done`). */
function signalsDone(node: { _inputCallback?: unknown; _inputCallbacks?: unknown; _expectedDoneCount?: number }): boolean {
  if (typeof node._inputCallback === 'function') return node._inputCallback.length >= 3;
  if (Array.isArray(node._inputCallbacks)) return typeof node._expectedDoneCount === 'number' ? node._expectedDoneCount > 0 : node._inputCallbacks.some((f) => typeof f === 'function' && f.length >= 3);
  return false;
}

interface Tracked {
  /** Deliveries not yet done. */
  count: number;
  ref: { source_key: string; key: string };
}

export = function (RED: NodeAPI): void {
  const text = (t: { key: string; en: string }, values: Record<string, string | number>): string => runtimeText(RED, t.key, t.en, values);
  const pushTypes = new Set(Object.keys(vendors).map((id) => `hrflow-${id}`));

  /** Where the cursors live: the shared store's Redis, else the push ledger's store, else this runtime's memory. */
  function cursorStore(shared: SharedStore | undefined) {
    if (shared) return { get: (id: string) => shared.store.getCursor(id), put: (id: string, v: unknown) => shared.store.putCursor(id, v) };
    const store = ledgerFor(RED)?.store;
    if (store) return { get: (id: string) => store.getCursor(id), put: (id: string, v: unknown) => store.putCursor(id, v) };
    const key = runtimeKey(RED);
    let map = memoryCursors.get(key);
    if (!map) memoryCursors.set(key, (map = new Map()));
    const m = map;
    return { get: async (id: string) => structuredClone(m.get(id)), put: async (id: string, v: unknown) => void m.set(id, structuredClone(v)) };
  }

  function HrflowProfilesNode(this: Node, def: NodeDef & Record<string, unknown>) {
    RED.nodes.createNode(this, def);
    const node = this;
    const api = RED.nodes.getNode(def.api as string) as HrflowApiNode | null;
    const sourceKeys = parseSourceKeys(def.source_keys);
    // Blank: the panel's defaults (incremental, updated_at); another value is an INVALID_CONFIG at each run.
    const readMode = choice(def.read_mode, ['incremental', 'sync'] as const);
    const incremental = readMode !== 'sync';
    const workflowId = String(def.workflow_id ?? '').trim() || node.id;
    const interval = intSetting(def.interval, 0);
    const pageSize = Math.min(1000, Math.max(1, intSetting(def.page_size, 30) || 30));
    const sortChoice = choice(def.sort_by, ['updated_at', 'created_at'] as const);
    const sortBy: ProfilesCursor['sort_by'] = sortChoice ?? 'updated_at';
    const cursorId = `hrflow-profiles:${workflowId}`;
    const controller = new AbortController();
    let closed = false;

    // The shared store; `show` sets the status, except that a red ring says so while the store is down.
    const storeUse = useStoreWithStatus(RED, node, def.store, STATUS.storeDown);
    const show = storeUse.show;
    const cursors = cursorStore(storeUse.shared);

    if (!api) show(Status.error(STATUS.noAccount));
    else if (!sourceKeys.length) show(Status.error(STATUS.noSource));
    else if (storeUse.error) show(Status.error(text(STATUS.failed, { code: storeUse.error.code })));

    // ---- following this node's messages downstream (backpressure, push failures)
    const tracked = new Map<string, Tracked>();
    /** Profiles of this run whose push failed. */
    let failed: Array<{ source_key: string; key: string }> = [];
    let wake: (() => void) | null = null;
    const settle = (id: string) => {
      tracked.delete(id);
      const w = wake;
      wake = null;
      w?.();
    };
    const label = `hrflowProfiles${node.id.replace(/[^A-Za-z0-9]/g, '_')}`;
    const hooks = runtimeHooks(RED);
    if (!hooks) node.warn(text(NO_HOOKS, {}));
    // preDeliver: the destination is known. Only a node that signals completion (an input handler taking
    // `done`) is waited for: Node-RED never completes a message at a node whose handler has no `done`.
    hooks?.add(`preDeliver.${label}`, (ev: { msg?: { _msgid?: string }; destination?: { node?: { _inputCallback?: unknown; _inputCallbacks?: unknown; _expectedDoneCount?: number } } }) => {
      const t = ev?.msg?._msgid !== undefined ? tracked.get(ev.msg._msgid) : undefined;
      const dest = ev?.destination?.node;
      if (t && dest && signalsDone(dest)) t.count++;
    });
    hooks?.add(`onComplete.${label}`, (ev: { msg?: { _msgid?: string }; error?: unknown; node?: { node?: { type?: string } } }) => {
      const id = ev?.msg?._msgid;
      const t = id !== undefined ? tracked.get(id) : undefined;
      if (!t || id === undefined) return;
      const err = ev.error as ConnectorError | undefined;
      if (err && pushTypes.has(String(ev.node?.node?.type)) && err.code !== ErrorCodes.ALREADY_PUSHED) failed.push(t.ref);
      if (--t.count <= 0) settle(id);
    });
    /** Resolves when fewer than `n` messages of this node are unsettled (rejects when the node closes). */
    const below = async (n: number) => {
      while (tracked.size >= n) {
        if (closed) throw new ConnectorError(ErrorCodes.ABORTED, 'the flow was stopped', { vendor: 'hrflow' });
        await new Promise<void>((resolve) => (wake = resolve));
      }
    };

    const emit = (profile: HrflowProfile, fallbackSource: string) => {
      const source_key = typeof profile.source?.key === 'string' && profile.source.key ? profile.source.key : fallbackSource;
      const profile_key = String(profile.key ?? '');
      const msg = { _msgid: RED.util.generateId(), payload: profile, hrflow: { source_key, profile_key }, workflow_id: workflowId } as NodeMessage;
      const entry: Tracked = { count: 0, ref: { source_key, key: profile_key } };
      tracked.set(msg._msgid!, entry);
      node.send([msg, null]);
      if (entry.count <= 0) settle(msg._msgid!);
    };

    /** The run going on, and the one run waiting for it (every trigger arriving meanwhile shares it). */
    let running: Promise<void> | null = null;
    let queued: Promise<void> | null = null;

    async function run(): Promise<void> {
      if (!api) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'no HrFlow account selected in this node', { vendor: 'hrflow' });
      if (!sourceKeys.length) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, 'no HrFlow source key in this node (source_keys)', { vendor: 'hrflow' });
      if (readMode === undefined) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `read_mode must be "incremental" or "sync", not ${JSON.stringify(String(def.read_mode)).slice(0, 40)}`, { vendor: 'hrflow' });
      if (sortChoice === undefined) throw new ConnectorError(ErrorCodes.INVALID_CONFIG, `sort_by must be "updated_at" or "created_at", not ${JSON.stringify(String(def.sort_by)).slice(0, 40)}`, { vendor: 'hrflow' });
      if (storeUse.error) throw storeUse.error;
      const started = new Date().toISOString();
      const client = api.client({ signal: controller.signal });
      const store = cursors;
      const stored = incremental ? ((await store.get(cursorId)) as ProfilesCursor | undefined) : undefined;
      const cursor = stored && stored.sort_by === sortBy && (stored.at === null || Number.isFinite(hrflowTime(stored.at))) ? stored : undefined;
      failed = [];
      let read = 0;
      let emitted = 0;
      let pages = 0;
      // The new cursor: the latest date seen and the profiles emitted on its day.
      let at = cursor?.at ?? null;
      let atT = at ? hrflowTime(at) : NaN;
      let edge = new Set(cursor?.edge ?? []);
      /** Emitted by the last run on its last day: not again. */
      const before = new Set(cursor?.edge ?? []);
      const since = Number.isFinite(atT) ? dayOf(atT) : NaN;
      const seen = new Set<string>();
      const note = (id: string, value: string, t: number) => {
        if (!Number.isFinite(t)) return;
        if (!Number.isFinite(atT) || dayOf(t) > dayOf(atT)) edge = new Set();
        if (!Number.isFinite(atT) || dayOf(t) >= dayOf(atT)) edge.add(id);
        if (!Number.isFinite(atT) || t > atT) {
          atT = t;
          at = value;
        }
      };

      // Profiles whose push failed last time: first.
      for (const ref of incremental ? (cursor?.retry ?? []) : []) {
        if (closed) break;
        await below(pageSize);
        try {
          const profile = await client.getProfile(ref.source_key, ref.key);
          seen.add(`${ref.source_key}/${ref.key}@${String(profile[sortBy] ?? '')}`);
          read++;
          emit(profile, ref.source_key);
          emitted++;
        } catch (err) {
          if ((err as ConnectorError)?.code !== ErrorCodes.HRFLOW_NOT_FOUND) throw err;
        }
      }

      const desc = sortBy === 'updated_at';
      for (let page = 1; ; page++) {
        await below(pageSize);
        const res = await client.listProfiles({
          sourceKeys,
          page,
          limit: pageSize,
          sortBy,
          orderBy: desc ? 'desc' : 'asc',
          ...(!desc && Number.isFinite(since) ? { createdAtMin: ymd(since) } : {}),
        });
        pages++;
        read += res.profiles.length;
        show(Status.working(text(STATUS.page, { page, pages: res.maxPage, read })));
        let stop = false;
        for (const profile of res.profiles) {
          const value = String(profile[sortBy] ?? '');
          const t = hrflowTime(value);
          const source = typeof profile.source?.key === 'string' ? profile.source.key : sourceKeys[0];
          const id = `${source}/${String(profile.key ?? '')}@${value}`;
          if (Number.isFinite(since) && Number.isFinite(t) && t < since) {
            if (desc) {
              stop = true;
              break;
            }
            continue;
          }
          if (seen.has(id)) continue;
          seen.add(id);
          note(id, value, t);
          if (before.has(id)) continue;
          emit(profile, source);
          emitted++;
        }
        if (stop || closed || !res.profiles.length || page >= res.maxPage) break;
      }
      // Every message settled: the cursor moves.
      await below(1);
      const retry = [...new Map([...(failed ?? [])].map((r) => [`${r.source_key}/${r.key}`, r])).values()].slice(-MAX_RETRY);
      const next: ProfilesCursor = { sort_by: sortBy, at, edge: [...edge], retry: incremental ? retry : [] };
      await store.put(cursorId, next);
      const finished = new Date().toISOString();
      show(Status.ok(text(STATUS.done, { emitted, read })));
      node.send([null, { _msgid: RED.util.generateId(), topic: 'summary', payload: { workflow_id: workflowId, read, emitted, pages, cursor: at, started, finished, retry: next.retry.length } } as NodeMessage]);
    }

    /**
     * One run at a time. A trigger while a run goes on is not lost and starts nothing in parallel: it waits
     * for that run to end, then ONE more run starts, shared by every trigger that arrived meanwhile (what was
     * created during the current run is read by the next one; ten clicks make one more run, not ten). Each
     * input message gets its outcome when the run it waited for ends. An interval tick during a run is skipped.
     */
    function start(): Promise<void> {
      if (closed) return Promise.resolve();
      if (!running) {
        const mine = run().finally(() => {
          if (running === mine) running = null;
        });
        running = mine;
        return mine;
      }
      queued ??= running.catch(() => undefined).then(() => {
        queued = null;
        return start();
      });
      return queued;
    }

    const inputs = onInput(node, async (_msg: Msg) => {
      try {
        await start();
      } catch (err) {
        show(Status.error(text(STATUS.failed, { code: (err as ConnectorError)?.code ?? 'ERROR' })));
        throw err;
      }
    }, undefined, { vendor: 'hrflow' });

    let timer: NodeJS.Timeout | null = null;
    if (interval > 0) {
      timer = setInterval(() => {
        if (running) return; // still running: this tick is skipped
        start().catch((err: unknown) => {
          if (closed) return;
          show(Status.error(text(STATUS.failed, { code: (err as ConnectorError)?.code ?? 'ERROR' })));
          node.error(err instanceof Error ? err : new Error(String(err)), { _msgid: RED.util.generateId(), topic: 'hrflow-profiles', error: (err as ConnectorError)?.toJSON?.() ?? { message: String(err) } } as NodeMessage);
        });
      }, interval * 1000);
    }
    /** For tests: whether the interval timer is set. */
    (node as unknown as { hrflowTimer: () => boolean }).hrflowTimer = () => timer !== null;

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (timer) clearInterval(timer);
      timer = null;
      controller.abort(new ConnectorError(ErrorCodes.ABORTED, 'the flow was stopped', { vendor: 'hrflow' }));
      hooks?.remove(`*.${label}`);
      tracked.clear();
      wake?.();
      node.status(Status.clear());
      inputs.close((job) => new ConnectorError(ErrorCodes.ABORTED, `the flow was stopped during the run of ${workflowId}`, { vendor: 'hrflow' }), () => {
        // The store is kept until the last run is settled (its cursor written or abandoned).
        storeUse.release();
        done();
      });
    });
  }
  RED.nodes.registerType('hrflow-profiles', HrflowProfilesNode as any);
};
