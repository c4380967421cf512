/**
 * Flow-test harness: a real Node-RED runtime (node-red-node-test-helper) whose nodes talk over
 * loopback HTTP to the sandbox emulators. NODE_RED_PATH selects another Node-RED install (the
 * Node-RED 5 CI leg).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { repoRoot } from './fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper = require('node-red-node-test-helper');
const redMainPath = process.env.NODE_RED_PATH ? require.resolve(process.env.NODE_RED_PATH) : require.resolve('node-red');
helper.init(redMainPath);
/**
 * A real Node-RED gives nodes `RED.hooks` (the messaging hooks its flows trigger); the helper's mock runtime
 * has none. Give it the hooks of the @node-red/util that the loaded runtime's flows use (NODE_RED_PATH's under
 * the Node-RED 5 leg), as a real runtime does.
 */
{
  const runtimeDir = path.dirname(require.resolve('@node-red/runtime', { paths: [path.dirname(redMainPath)] }));
  const { hooks } = require(require.resolve('@node-red/util', { paths: [runtimeDir] })) as { hooks: unknown };
  const registryUtil = helper._registryUtil as { init(runtime: Record<string, unknown>): void };
  const init = registryUtil.init.bind(registryUtil);
  registryUtil.init = (runtime) => init(Object.assign(runtime, { hooks: runtime.hooks ?? hooks }));
}
/** The sandbox serves CVs on loopback, refused by default: the test runtime allows it explicitly. */
export const testSettings = { hrflowCvDownload: { allowPrivateAddresses: true } };
helper.settings(testSettings);

const nodeFile = (name: string) => require(path.join(repoRoot, 'dist', 'nodes', `${name}.js`));

/** Every node module of the package, in the order Node-RED would register them. */
export const allNodes = [
  'hrflow-api',
  'hrflow-profile',
  'hrflow-profiles',
  'hrflow-logic',
  'hrflow-smartrecruiters-config',
  'hrflow-smartrecruiters',
  'hrflow-recruitee-config',
  'hrflow-recruitee',
  'hrflow-broadbean-config',
  'hrflow-broadbean',
  'hrflow-flatchr-config',
  'hrflow-flatchr',
  'hrflow-taleez-config',
  'hrflow-taleez',
  'hrflow-writeback',
  'hrflow-webhook',
  'hrflow-store',
].map(nodeFile);

export type FlowNode = Record<string, unknown> & { id: string; type: string };

export const TAB = 'tab1';

/** Add `z` and `wires` defaults so every node sits on one tab. */
export function onTab(nodes: FlowNode[]): FlowNode[] {
  return [
    { id: TAB, type: 'tab', label: 'test' },
    ...nodes.map((n) => {
      const isConfig = /config$|^hrflow-api$/.test(n.type);
      return isConfig ? { ...n } : { z: TAB, x: 100, y: 100, wires: [], ...n };
    }),
  ];
}

/**
 * Resolve with the first message on any of the given helper nodes, tagged with the node id.
 * Uses plain listeners removed after dispatch: `once('input')` on a Node-RED node splices its
 * callback list while it is being iterated and skips the next listener.
 */
export function firstOf(ids: string[], ms = 4000): Promise<{ id: string; msg: any }> {
  return new Promise((resolve, reject) => {
    const listeners: Array<[any, (msg: unknown) => void]> = [];
    let settled = false;
    const cleanup = () => setImmediate(() => listeners.forEach(([node, fn]) => node.removeListener('input', fn)));
    const timer = setTimeout(() => {
      settled = true;
      cleanup();
      reject(new Error(`no message on ${ids.join(', ')} within ${ms} ms`));
    }, ms);
    for (const id of ids) {
      const node = helper.getNode(id);
      assert.ok(node, `no node ${id}`);
      const fn = (msg: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        cleanup();
        resolve({ id, msg });
      };
      listeners.push([node, fn]);
      node.on('input', fn);
    }
  });
}

/** Wait for the next message on a helper node (rejects after `ms`). */
export async function nextMessage(nodeId: string, ms = 4000): Promise<any> {
  return (await firstOf([nodeId], ms)).msg;
}

/** Assert nothing arrives on a helper node for `ms`. */
export function silence(nodeId: string, ms = 300): Promise<void> {
  const node = helper.getNode(nodeId);
  return new Promise((resolve, reject) => {
    const onInput = (msg: unknown) => reject(new Error(`unexpected message on ${nodeId}: ${JSON.stringify(msg).slice(0, 200)}`));
    node.on('input', onInput);
    setTimeout(() => {
      setImmediate(() => node.removeListener('input', onInput));
      resolve();
    }, ms);
  });
}

/** Fail if any of the strings appears anywhere in the value. */
export function assertNoSecrets(value: unknown, secrets: string[], where: string): void {
  const text = JSON.stringify(value) ?? '';
  for (const s of secrets) assert.ok(!text.includes(s), `a secret leaked into ${where}`);
}

/** The flows as the runtime holds them (what an export contains). */
export function activeFlows(): unknown {
  return helper._redNodes.getFlows();
}

/** A core node module of the Node-RED under test (e.g. "common/20-inject.js"). */
export function coreNode(relPath: string): unknown {
  return require(require.resolve(`@node-red/nodes/core/${relPath}`, { paths: [path.dirname(redMainPath)] }));
}
