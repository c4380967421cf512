/**
 * A node that uses a shared store (hrflow-store, issue 14) and shows its own statuses: while the store's
 * connection is down the node shows a red ring (`downText`, a catalogue key the editor translates), and
 * once it is back, the last status the node set. Used by hrflow-profiles and hrflow-webhook.
 */
import type { Node, NodeAPI } from 'node-red';
import { Status } from './runtime';
import { useStore } from './store';

export function useStoreWithStatus(RED: NodeAPI, node: Node, id: unknown, downText: string): ReturnType<typeof useStore> & { show(status: object): void } {
  let shown: object = Status.clear();
  let down = false;
  const store = useStore(RED, node, id, (state) => {
    down = state === 'down';
    node.status(down ? Status.error(downText) : shown);
  });
  return {
    ...store,
    show(status: object) {
      shown = status;
      if (!down) node.status(status);
    },
  };
}
