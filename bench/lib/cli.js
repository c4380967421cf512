'use strict';
/**
 * A real Node-RED CLI (node-red/red.js in a child process) on a user directory kept across starts, with
 * this package linked in by the caller: start, inject, admin GET, what the debug sidebar shows, stop with
 * SIGKILL or SIGINT. The editor and admin API listen on 127.0.0.1 only. NODE_RED_PATH selects another
 * Node-RED install (the Node-RED 5 CI leg). Shared by the benchmark and the end-to-end tests
 * (test/e2e/sigkill.spec.ts, test/e2e/start.spec.ts require this file).
 */
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { root, sleep } = require('./common');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const nodeRedJs = () => (process.env.NODE_RED_PATH ? path.join(process.env.NODE_RED_PATH, 'red.js') : require.resolve('node-red/red.js', { paths: [root] }));

/** Resolves with fn()'s first truthy value; polls every 100 ms, rejects after `ms`. */
async function waitUntil(what, fn, ms = 30_000, stepMs = 100) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last.message || last}` : ''}`);
    await sleep(stepMs);
  }
}

class Cli {
  /** `extraSettings`: settings.js source lines added to module.exports (e.g. a functionGlobalContext). */
  constructor(userDir, env = {}, extraSettings = '') {
    this.userDir = userDir;
    this.env = env;
    this.extraSettings = extraSettings;
    this.child = undefined;
    this.out = '';
    this.url = '';
  }

  async start() {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const settings = path.join(this.userDir, 'settings.js');
    fs.writeFileSync(
      settings,
      `module.exports = {
  uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', credentialSecret: false,
  editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },
  externalModules: { palette: { allowInstall: false } },
  telemetry: { enabled: false, updateNotification: false }, diagnostics: { enabled: false, ui: false },
  logging: { console: { level: 'info', metrics: false, audit: false } }, functionExternalModules: false,
  hrflowCvDownload: { allowPrivateAddresses: true },
  ${this.extraSettings}
};\n`,
    );
    this.out = '';
    const child = spawn(process.execPath, [nodeRedJs(), '--userDir', this.userDir, '--settings', settings, '--port', String(port)], {
      cwd: this.userDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.env },
    });
    this.child = child;
    child.stdout.on('data', (d) => (this.out += d));
    child.stderr.on('data', (d) => (this.out += d));
    await waitUntil('Node-RED to start its flows', () => {
      if (child.exitCode !== null) throw Object.assign(new Error(`Node-RED exited (${child.exitCode})`), { fatal: true });
      return /Started flows/.test(this.out);
    }, 60_000, 50).catch((err) => {
      throw new Error(`${err.message}\n--- Node-RED output ---\n${this.out.slice(-4000)}`);
    });
  }

  /** Stops the process with `signal` and resolves once it has exited. */
  async stop(signal) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  }

  async inject(id) {
    const res = await fetch(`${this.url}/inject/${id}`, { method: 'POST' });
    if (res.status !== 200) throw new Error(`inject ${id}: HTTP ${res.status}`);
  }

  async get(pathname) {
    const res = await fetch(`${this.url}${pathname}`);
    if (res.status !== 200) throw new Error(`GET ${pathname}: HTTP ${res.status}`);
    return res.json();
  }

  /** What the debug sidebar of this Node-RED shows (see debugSidebar). */
  sidebar() {
    return debugSidebar(this.url);
  }
}

/**
 * What the editor's debug sidebar shows, read as the editor does (Node-RED's /comms socket, with `ws`,
 * Node-RED's own dependency): `count(id)` and `msgs(id)` per debug node id. Resolves once subscribed.
 */
async function debugSidebar(editor) {
  const WebSocket = require(require.resolve('ws', { paths: [root] }));
  const ws = new WebSocket(`${editor.replace(/^http/, 'ws')}/comms`);
  const seen = new Map();
  let subscribed;
  const ready = new Promise((r) => (subscribed = r));
  ws.on('message', (raw) => {
    const parsed = JSON.parse(String(raw));
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
      if (m && m.topic === 'debug' && m.data && m.data.id) {
        if (!seen.has(m.data.id)) seen.set(m.data.id, []);
        seen.get(m.data.id).push(m.data);
      } else if (m && typeof m.topic === 'string' && m.topic.startsWith('notification/')) subscribed();
    }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  // Subscriptions are handled in order: the retained runtime-state notification confirms "debug" is on.
  ws.send(JSON.stringify({ subscribe: 'debug' }));
  ws.send(JSON.stringify({ subscribe: 'notification/#' }));
  await ready;
  return { count: (id) => (seen.get(id) || []).length, msgs: (id) => seen.get(id) || [], close: () => ws.close() };
}

module.exports = { Cli, debugSidebar, freePort, waitUntil, nodeRedJs };
