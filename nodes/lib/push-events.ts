/**
 * What push nodes report about their work, for whoever watches a runtime (the metrics endpoint, the
 * push log): one EventEmitter per RED object. Listeners must not throw (a throwing listener is caught
 * and logged; the push is never affected).
 */
import { EventEmitter } from 'node:events';
import type { NodeAPI } from 'node-red';

/** A message's outcome at a push node. */
export interface PushOutcomeEvent {
  vendor: string;
  /** The push node's id. */
  node: string;
  /** `pushed`: sent to the ATS; `skipped`: already pushed (on_duplicate skip), nothing sent; `error`: a catchable error. */
  /** `updated`: on_duplicate `update` updated the recorded candidate; `archived`: msg.action "archive"; `skipped`: nothing sent (already pushed, or already archived). */
  outcome: 'pushed' | 'updated' | 'archived' | 'skipped' | 'error';
  /** The error code (outcome `error`). */
  code?: string;
  /** From the message's arrival at the node to its outcome. */
  seconds: number;
  /** The message was resumed from the outbox after a restart or redeploy. */
  resumed: boolean;
  /** Only the missing steps of an earlier partial push were done. */
  finished?: boolean;
}

/** A request of a push retried (after a 429, a 5xx, a network error...). */
export interface PushRetryEvent {
  vendor: string;
  node: string;
  /** The error code of the attempt that is retried (RATE_LIMITED, VENDOR_UNAVAILABLE...). */
  reason: string;
  /** Its HTTP status, when it had an answer (429...). */
  statusCode?: number;
}

/** A message taken back from the outbox when its node started again. */
export interface PushResumeEvent {
  vendor: string;
  node: string;
}

export interface PushEventMap {
  outcome: [PushOutcomeEvent];
  retry: [PushRetryEvent];
  resume: [PushResumeEvent];
}

const buses = new WeakMap<object, EventEmitter<PushEventMap>>();

/**
 * What identifies a runtime: Node-RED gives each node file (each entry of package.json's `node-red.nodes`)
 * its own RED object, all sharing the runtime's admin app (`RED.httpAdmin`, created by every runtime, also
 * with httpAdminRoot false); without one (an embedding, a stub), the RED object itself.
 */
export function runtimeKey(RED: NodeAPI): object {
  let app: unknown;
  try {
    app = (RED as unknown as { httpAdmin?: unknown }).httpAdmin;
  } catch {
    app = undefined;
  }
  return app && (typeof app === 'object' || typeof app === 'function') ? (app as object) : RED;
}

/** The push events of a runtime (the same bus for every node file of a runtime). */
export function pushEvents(RED: NodeAPI): EventEmitter<PushEventMap> {
  const key = runtimeKey(RED);
  let bus = buses.get(key);
  if (!bus) {
    bus = new EventEmitter<PushEventMap>();
    bus.setMaxListeners(0);
    buses.set(key, bus);
  }
  return bus;
}

/** Emit without ever letting a listener's exception reach the push. */
export function report<K extends keyof PushEventMap>(RED: NodeAPI, name: K, ...args: PushEventMap[K]): void {
  try {
    (pushEvents(RED).emit as (n: K, ...a: PushEventMap[K]) => boolean)(name, ...args);
  } catch (err) {
    try {
      RED.log.warn(`hrflow push events: a listener of "${name}" failed: ${(err as Error)?.message ?? err}`);
    } catch {
      /* nothing more to do */
    }
  }
}
