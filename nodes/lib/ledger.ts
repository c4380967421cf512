/**
 * The push ledger of a Node-RED runtime (issue 12): one PushLedger per RED object, shared by every push
 * node of every vendor, so that the same profile pushed by two nodes to the same target of the same
 * account is one push.
 *
 * Today the store is a MemoryLedgerStore (lost on restart). `openStore` is THE place where the durable
 * store is plugged in: `new FileLedgerStore(path.join(RED.settings.userDir, ...))` from
 * src/push/ledger-store.ts. `hrflowLedger: false` in settings.js turns the ledger off (every push is made,
 * as before the ledger).
 */
import type { NodeAPI } from 'node-red';
import { MemoryLedgerStore, PushLedger, type LedgerStore } from '../../src/push/ledger';

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

/** The store of a runtime's ledger. Plug the durable store in here (RED.settings.userDir). */
function openStore(_RED: NodeAPI): LedgerStore {
  return new MemoryLedgerStore();
}

/** The runtime's ledger, or undefined when `hrflowLedger: false`. */
export function ledgerFor(RED: NodeAPI): PushLedger | undefined {
  if (!ledgerEnabled(RED)) return undefined;
  let ledger = ledgers.get(RED);
  if (!ledger) {
    ledger = new PushLedger(openStore(RED), {
      onStoreError: (err, entry) => RED.log.warn(`hrflow push ledger: could not record the ${entry.outcome} push of ${entry.vendor}: ${(err as Error)?.message ?? err}`),
    });
    ledgers.set(RED, ledger);
  }
  return ledger;
}
