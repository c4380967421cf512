/**
 * hrflow-store: where the push ledger, the outbox, the accounts' rate limits, incremental cursors and
 * webhook redelivery marks live. Mode `embedded` (the default, as without a store): this Node-RED's own
 * user directory. Mode `redis`: a Redis server several Node-RED instances share (nodes/lib/store.ts).
 */
import type { NodeAPI } from 'node-red';
import { registerStoreNode } from './lib/store';

export = function (RED: NodeAPI): void {
  registerStoreNode(RED);
};
