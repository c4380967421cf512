/**
 * The push ledger of a Node-RED runtime (issue 12): one PushLedger per RED object, shared by every push
 * node of every vendor, so that the same profile pushed by two nodes to the same target of the same
 * account is one push.
 *
 * The store is durable: a LevelDB database in `<userDir>/hrflow-connectors/ledger` (src/push/ledger-store.ts,
 * classic-level loaded only then). Without a user directory (an embedding that has none), or when the
 * database cannot be opened (no prebuilt binary for this platform; locked by another Node-RED process on
 * the same user directory), the ledger is kept in memory, with a warning in the log.
 * `hrflowLedger: false` in settings.js turns the ledger off (every push is made, as before the ledger).
 */
import * as path from 'node:path';
import type { NodeAPI } from 'node-red';
import { ConnectorError, ErrorCodes } from '../../src/core/errors';
import { deadLetter } from '../../src/push/outbox';
import { runtimeKey } from './push-events';
import { sharedStoreFor, type SharedStore } from './store';
import { MemoryLedgerStore, PushLedger, type DeadLetter, type DeadLetterQuery, type LedgerEntry, type LedgerQuery, type LedgerStore, type OutboxRecord, type Settlement, type StoreCounts } from '../../src/push/ledger';

const ledgers = new WeakMap<object, PushLedger>();

/** The `hrflowLedger` setting: false turns the ledger off. Read defensively (RED.settings.get may throw). */
export function ledgerEnabled(RED: NodeAPI): boolean {
  let value: unknown;
  try {
    value = (RED.settings as unknown as Record<string, unknown>).hrflowLedger;
  } catch {
    value = undefined;
  }
  return value !== false && value !== 'false';
}

/**
 * The durable store, or memory when it cannot be opened: every call waits for the open, and a failed
 * open switches to memory once (warned), so pushes are never blocked by the ledger's own trouble.
 */
class DurableOrMemoryStore implements LedgerStore {
  private store: Promise<LedgerStore>;
  /** True once the durable store is open (false before, and for good after a failed open). */
  durable = false;

  constructor(open: () => Promise<LedgerStore>, warn: (text: string) => void) {
    this.store = open().then(
      (store) => {
        this.durable = true;
        return store;
      },
      (err: unknown) => {
        warn(`hrflow push ledger: kept in memory until Node-RED restarts (duplicates are only caught within this run, and messages in flight are not resumed after a restart): ${(err as Error)?.message ?? err}`);
        return new MemoryLedgerStore();
      },
    );
  }

  /** Resolves once the store is open (durable or memory). */
  async ready(): Promise<void> {
    await this.store;
  }

  async get(key: string): Promise<LedgerEntry | undefined> {
    return (await this.store).get(key);
  }

  async put(entry: LedgerEntry): Promise<void> {
    return (await this.store).put(entry);
  }

  async recent(query?: LedgerQuery): Promise<LedgerEntry[]> {
    return (await this.store).recent(query);
  }

  async journal(record: OutboxRecord): Promise<void> {
    return (await this.store).journal(record);
  }

  async markSent(id: string, sentAt?: number): Promise<void> {
    return (await this.store).markSent(id, sentAt);
  }

  async settle(id: string, settlement: Settlement): Promise<void> {
    return (await this.store).settle(id, settlement);
  }

  async pending(node?: string): Promise<OutboxRecord[]> {
    return (await this.store).pending(node);
  }

  async deadLetters(query?: DeadLetterQuery): Promise<DeadLetter[]> {
    return (await this.store).deadLetters(query);
  }

  async deadLetter(id: string): Promise<DeadLetter | undefined> {
    return (await this.store).deadLetter(id);
  }

  async removeDeadLetter(id: string): Promise<boolean> {
    return (await this.store).removeDeadLetter(id);
  }

  async counts(): Promise<StoreCounts> {
    return (await this.store).counts();
  }

  async getCursor(id: string): Promise<unknown> {
    return (await this.store).getCursor(id);
  }

  async putCursor(id: string, value: unknown): Promise<void> {
    return (await this.store).putCursor(id, value);
  }

  async close(): Promise<void> {
    return (await this.store).close();
  }
}

/** The user directory of this runtime (undefined in embeddings without one). */
function userDir(RED: NodeAPI): string | undefined {
  try {
    const dir = (RED.settings as unknown as Record<string, unknown>).userDir;
    return typeof dir === 'string' && dir ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The store of a runtime's ledger: durable in the user directory, else memory. */
function openStore(RED: NodeAPI): LedgerStore {
  const dir = userDir(RED);
  if (!dir) return new MemoryLedgerStore();
  return new DurableOrMemoryStore(async () => {
    // Loaded only now: the native LevelDB binding is needed only by a runtime with push nodes.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { LevelLedgerStore } = require('../../src/push/ledger-store') as typeof import('../../src/push/ledger-store');
    const store = new LevelLedgerStore(path.join(dir, 'hrflow-connectors'));
    await store.open();
    return store;
  }, (text) => RED.log.warn(text));
}

/**
 * The runtime's durable outbox: its ledger when the store in the user directory is open (a memory store
 * does not outlive the process: messages in flight then get their ABORTED outcome at a stop, as without
 * the outbox). Waits for the store to open.
 */
export async function durableLedger(RED: NodeAPI): Promise<PushLedger | undefined> {
  const ledger = ledgerFor(RED);
  const store = ledger?.store;
  if (!(store instanceof DurableOrMemoryStore)) return undefined;
  await store.ready();
  return store.durable ? ledger : undefined;
}

/** Whether the runtime's ledger is durable now (false while it opens: a stop then aborts as without the outbox). */
export function isDurable(ledger: PushLedger | undefined): boolean {
  return ledger?.store instanceof DurableOrMemoryStore && ledger.store.durable;
}

/** The runtime's ledger, or undefined when `hrflowLedger: false`. */
export function ledgerFor(RED: NodeAPI): PushLedger | undefined {
  if (!ledgerEnabled(RED)) return undefined;
  // One per runtime (each node file gets its own RED object: keyed by what they share).
  const key = runtimeKey(RED);
  let ledger = ledgers.get(key);
  if (!ledger) {
    ledger = new PushLedger(openStore(RED), {
      onStoreError: (err, entry) => RED.log.warn(`hrflow push ledger: could not record the ${entry.outcome} push of ${entry.vendor}: ${(err as Error)?.message ?? err}`),
    });
    ledgers.set(key, ledger);
  }
  return ledger;
}

/**
 * The ledger the HrFlow sidebar reads: the shared store `storeId` names (an hrflow-store in mode redis), else the
 * runtime's own. INVALID_CONFIG (thrown) when `storeId` names no deployed hrflow-store.
 */
export function ledgerOf(RED: NodeAPI, storeId?: string): PushLedger | undefined {
  const shared = storeId ? sharedStoreFor(RED, storeId) : undefined;
  return shared ? shared.ledger : ledgerFor(RED);
}

/** What a dead-letter retry or discard answers (the admin endpoints send it as JSON). */
export type DeadLetterAnswer = { ok: true; detail: string } | { ok: false; status: 404 | 409 | 503; code: string; message: string };

/**
 * Send a dead letter's message to its push node again (the node journals it anew), then remove the dead
 * letter. 404: no such dead letter; 409: its push node is not deployed any more; 503: the ledger is off.
 */
export async function retryDeadLetter(RED: NodeAPI, id: string, storeId?: string): Promise<DeadLetterAnswer> {
  const ledger = ledgerOf(RED, storeId);
  if (!ledger) return { ok: false, status: 503, code: 'LEDGER_OFF', message: 'the push ledger is turned off (hrflowLedger: false)' };
  const dead = await ledger.store.deadLetter(id);
  if (!dead) return { ok: false, status: 404, code: 'NOT_FOUND', message: `no dead letter ${id}` };
  const node = RED.nodes.getNode(dead.node) as (import('node-red').Node & { receive(msg: object): void }) | null;
  if (!node || typeof node.receive !== 'function') {
    return { ok: false, status: 409, code: 'NOT_DEPLOYED', message: `the push node ${dead.node} that failed this push is not deployed any more: discard it, or send the message to another node` };
  }
  // The node has it before the dead letter goes: a stop in between leaves both, never neither.
  node.receive({ ...structuredClone(dead.msg), retried: true });
  await ledger.store.removeDeadLetter(id);
  return { ok: true, detail: `sent again to ${dead.vendor} node ${dead.node}` };
}

/** Remove a dead letter for good. */
export async function discardDeadLetter(RED: NodeAPI, id: string, storeId?: string): Promise<DeadLetterAnswer> {
  const ledger = ledgerOf(RED, storeId);
  if (!ledger) return { ok: false, status: 503, code: 'LEDGER_OFF', message: 'the push ledger is turned off (hrflowLedger: false)' };
  if (!(await ledger.store.removeDeadLetter(id))) return { ok: false, status: 404, code: 'NOT_FOUND', message: `no dead letter ${id}` };
  return { ok: true, detail: `dead letter ${id} discarded` };
}

const sweeps = new WeakMap<object, Promise<number>>();

/** Records whose push node is not deployed here (not a push node of their vendor): dead letters with code ABORTED. */
async function moveOrphans(RED: NodeAPI, ledger: PushLedger, records: OutboxRecord[], where: string): Promise<number> {
  let moved = 0;
  for (const r of records) {
    const node = RED.nodes.getNode(r.node) as { type?: string } | null;
    if (node && typeof node.type === 'string' && node.type === `hrflow-${r.vendor}`) continue;
    const err = new ConnectorError(ErrorCodes.ABORTED, `the ${r.vendor} push node ${r.node} that accepted this message is not deployed any more: it was not pushed`, { vendor: r.vendor });
    await ledger.store.settle(r.id, { dead: deadLetter(r, err) });
    moved++;
  }
  if (moved) RED.log.warn(`hrflow push outbox${where}: ${moved} message(s) of push nodes that are not deployed any more kept as dead letters (HrFlow sidebar tab)`);
  return moved;
}

/**
 * Outbox records whose push node is not deployed any more (deleted while Node-RED was stopped, or a crash
 * between a deploy and its journal): dead letters with code ABORTED, for the user to see, retry elsewhere or
 * discard. Run by the push nodes when the flows have started (one sweep at a time per runtime); resolves
 * with how many were moved.
 */
export function sweepOrphans(RED: NodeAPI): Promise<number> {
  return once(runtimeKey(RED), async () => {
    const ledger = await durableLedger(RED);
    return ledger ? moveOrphans(RED, ledger, await ledger.store.pending(), '') : 0;
  });
}

/**
 * The same on a shared store, for this instance's own records only (leased to its owner id): another
 * instance may run other flows, and its records are its own business until its lease lapses.
 */
export function sweepShared(RED: NodeAPI, shared: SharedStore): Promise<number> {
  return once(shared, async () => moveOrphans(RED, shared.ledger, await shared.store.owned(shared.owner), ` (${shared.where})`)).catch((err: unknown) => {
    RED.log.warn(`hrflow push outbox (${shared.where}): could not look for messages of push nodes not deployed any more: ${(err as Error)?.message ?? err}`);
    return 0;
  });
}

/** One sweep at a time per key. */
function once(key: object, sweep: () => Promise<number>): Promise<number> {
  const running = sweeps.get(key);
  if (running) return running;
  const p = sweep().finally(() => sweeps.delete(key));
  sweeps.set(key, p);
  return p;
}
