/**
 * A real Node-RED CLI with this package installed (linked into a fresh user directory), for the tests
 * node-red-node-test-helper cannot do: adminAuth permissions, plugins and catalogues, a real process.
 * NODE_RED_PATH selects another Node-RED install (the Node-RED 5 CI leg). Two users: "viewer" (read) and
 * "editor" (*), password PASSWORD.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './fixtures';
import { freePort } from './net';

export const PASSWORD = 'correct horse battery staple';

export interface CliOptions {
  /** Prefix of the temporary user directory. */
  name: string;
  /** flows.json, and flows_cred.json (plain: credentialSecret false). */
  flows: unknown[];
  credentials?: Record<string, unknown>;
  /** More settings (JSON-able). */
  settings?: Record<string, unknown>;
  /** JavaScript appended to settings.js (after `module.exports = {...}`). */
  settingsCode?: string;
  env?: NodeJS.ProcessEnv;
}

export interface Cli {
  editor: string;
  userDir: string;
  output(): string;
  /** An access token of a user for a scope (adminAuth's password grant). */
  token(username: string, scope: string): Promise<string>;
  stop(): Promise<void>;
}

/** Start Node-RED with adminAuth on; resolves once its flows started. */
export async function startCli(options: CliOptions): Promise<Cli> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), `${options.name}-`));
  const scope = path.join(userDir, 'node_modules', '@hrflow-connectors');
  fs.mkdirSync(scope, { recursive: true });
  fs.symlinkSync(repoRoot, path.join(scope, 'node-red'), 'dir');
  const redJs = process.env.NODE_RED_PATH ? path.join(process.env.NODE_RED_PATH, 'red.js') : require.resolve('node-red/red.js', { paths: [repoRoot] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bcrypt = require(require.resolve('bcryptjs', { paths: [path.dirname(redJs), repoRoot] }));
  const hash = bcrypt.hashSync(PASSWORD, 4);
  const port = await freePort();
  const editor = `http://127.0.0.1:${port}`;
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    credentialSecret: false,
    editorTheme: { projects: { enabled: false }, tours: false },
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...options.settings,
    adminAuth: {
      type: 'credentials',
      users: [
        { username: 'viewer', password: hash, permissions: 'read' },
        { username: 'editor', password: hash, permissions: '*' },
      ],
    },
  };
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n${options.settingsCode ?? ''}`);
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(options.flows));
  if (options.credentials) fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(options.credentials));
  const child: ChildProcess = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js'), '--port', String(port)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  const end = Date.now() + 45_000;
  while (!/Started flows/.test(output)) {
    if (Date.now() > end || child.exitCode !== null) {
      await stop();
      throw new Error(`Node-RED did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    editor,
    userDir,
    output: () => output,
    stop,
    async token(username, scope) {
      const res = await fetch(`${editor}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: 'node-red-editor', grant_type: 'password', scope, username, password: PASSWORD }),
      });
      assert.equal(res.status, 200, `no token for ${username}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
  };
}
