/**
 * The "HrFlow" sidebar tab of the editor (issue 12, the push log): a Node-RED plugin. Its editor part is
 * nodes/hrflow-push-log.html (texts: locales/<lang>/hrflow-push-log.json); the admin endpoints it reads are
 * nodes/lib/push-log.ts, mounted with the other admin endpoints (nodes/lib/admin.ts). The runtime part only
 * registers the plugin, and mounts the admin endpoints (once per admin app: the nodes mount them too).
 */
import type { NodeAPI } from 'node-red';
import { mountAdmin } from './lib/admin';

export = function (RED: NodeAPI): void {
  const plugins = (RED as unknown as { plugins?: { registerPlugin?(id: string, definition: object): void } }).plugins;
  plugins?.registerPlugin?.('hrflow-push-log', {});
  mountAdmin(RED);
};
