/**
 * Node-RED settings of each instance of deploy (mounted read-only as /data/settings.js).
 * Everything not set here is Node-RED's default.
 */
module.exports = {
  uiPort: 1880,

  // The same flows file in every instance (mounted read-only): the same node ids, which is what lets an
  // instance resume the unfinished pushes of one that died.
  flowFile: 'flows.json',
  // flows_cred.json holds only ${NAME} references to environment variables (secrets.env), no secret:
  // nothing to encrypt, and Node-RED never rewrites the read-only file.
  credentialSecret: false,

  // No editor: the flow is the file (change it, then `docker compose restart`). The admin API stays on for
  // /hrflow-connectors/metrics, on the compose network only (nginx publishes the webhook path alone).
  disableEditor: true,
  httpNodeRoot: '/',

  // This instance's stable owner id in the shared store: its unfinished pushes are leased to it. Stable
  // across restarts (a restarted instance resumes its own pushes at once) and different in every instance.
  hrflowInstanceId: process.env.HRFLOW_INSTANCE_ID,
  // How long an instance's leases and claims live without renewal: another instance resumes a dead one's
  // unfinished pushes after this (default 30000).
  hrflowStoreLeaseMs: 30000,

  telemetry: { enabled: false, updateNotification: false },
  logging: {
    console: { level: 'info', metrics: false, audit: false },
  },
  functionExternalModules: false,
  exportGlobalContextKeys: false,
};
