#!/usr/bin/env node
/**
 * `npm start`: the sandbox (local HrFlow + ATS emulators) and Node-RED (the project's dev
 * dependency) with these nodes, the example flows and a deployed demo flow pointing at the sandbox.
 *
 *   npm start -- [--port 1880] [--sandbox-port 8790] [--reset-flows] [--user-dir DIR]   (0 = any free port)
 *
 * A port in use is one line naming its option (exit code 1); the two addresses are printed once both
 * servers answer.
 * Node-RED's user directory is .node-red-user/ (git-ignored). Ctrl-C stops both cleanly.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const net = require('node:net');
const { spawn } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const { createSandbox } = require(path.join(root, 'dist', 'src', 'sandbox'));
const { demoFlow, demoEnv, demoOptions } = require('./demo-flow');

/** One line on stderr, no stack trace, and the exit code. */
function fail(line, code = 1) {
  console.error(line);
  process.exit(code);
}

function portArg(flag, value) {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isInteger(n) || n < 0 || n > 65535) {
    fail(`${flag} needs a port number from 0 to 65535 (0 = any free port), got ${value === undefined ? 'nothing' : `"${value}"`}`, 2);
  }
  return n;
}

function parseArgs(argv) {
  const args = { port: 1880, sandboxPort: 8790, resetFlows: false, userDir: path.join(root, '.node-red-user') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') args.port = portArg(a, argv[++i]);
    else if (a === '--sandbox-port') args.sandboxPort = portArg(a, argv[++i]);
    else if (a === '--reset-flows') args.resetFlows = true;
    else if (a === '--user-dir') args.userDir = path.resolve(argv[++i]);
    else if (a === '-h' || a === '--help') {
      console.log('npm start -- [--port 1880] [--sandbox-port 8790] [--reset-flows] [--user-dir DIR]   (port 0 = any free port)');
      process.exit(0);
    } else {
      fail(`unknown option ${a} (npm start -- --help)`, 2);
    }
  }
  if (args.port !== 0 && args.port === args.sandboxPort) fail(`--port and --sandbox-port are both ${args.port}: choose two different ports`, 2);
  return args;
}

/** The line for a port we cannot listen on, naming the option that sets it; null for other errors. */
function portError(err, port, flag) {
  if (err && err.code === 'EADDRINUSE') return `port ${port} is in use: choose another with ${flag}`;
  if (err && err.code === 'EACCES') return `port ${port} is not allowed for this user: choose another with ${flag}`;
  return null;
}

/**
 * Checks that Node-RED can listen on 127.0.0.1:port (its uiHost) before starting anything, so a port in use
 * is one line here rather than Node-RED's own error lines. Port 0 picks a free port (Node-RED itself
 * reads 0 as its default 1880). Resolves the port to use.
 */
function probePort(port) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const chosen = srv.address().port;
      srv.close(() => resolve(chosen));
    });
  });
}

/** Resolves true once Node-RED answers HTTP on its port, false if it exits first. */
function nodeRedReady(child, port) {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ready) => {
      if (done) return;
      done = true;
      child.off('exit', onExit);
      resolve(ready);
    };
    const onExit = () => finish(false);
    child.once('exit', onExit);
    const poll = () => {
      if (done) return;
      const req = http.get({ host: '127.0.0.1', port, path: '/', timeout: 2000 }, (res) => {
        res.resume();
        finish(true);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => setTimeout(poll, 250));
    };
    poll();
  });
}

/** Make the package visible to Node-RED as an installed module (so its examples are listed too). */
function linkPackage(userDir) {
  const scopeDir = path.join(userDir, 'node_modules', '@hrflow-connectors');
  fs.mkdirSync(scopeDir, { recursive: true });
  const link = path.join(scopeDir, 'node-red');
  try {
    if (fs.realpathSync(link) === root) return;
    fs.rmSync(link, { recursive: true, force: true });
  } catch {
    /* no link yet */
  }
  fs.symlinkSync(root, link, 'dir');
}

function writeSettings(userDir, port) {
  const settings = `// Written by scripts/start.js for the local demo. Edit freely; it is rewritten on each start.
module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${Number(port)},
  flowFile: 'flows.json',
  flowFilePretty: true,
  // The demo credentials are \${ENV} references, so there is nothing secret to encrypt here.
  credentialSecret: false,
  editorTheme: { projects: { enabled: false }, tours: false },
  telemetry: { enabled: false, updateNotification: false },
  diagnostics: { enabled: false, ui: false },
  logging: { console: { level: 'info', metrics: false, audit: false } },
  functionExternalModules: false,
  // The sandbox serves the CVs on 127.0.0.1, an address class refused by default (see README, hrflowCvDownload).
  hrflowCvDownload: { allowPrivateAddresses: true },
};
`;
  const file = path.join(userDir, 'settings.js');
  fs.writeFileSync(file, settings);
  return file;
}

/** The sandbox's routes, as the demo's config nodes use them. */
const SANDBOX_URL = /^http:\/\/(?:127\.0\.0\.1|localhost):\d+(\/(?:v1|smartrecruiters|recruitee|broadbean|flatchr|taleez)(?:\/.*)?)$/;

/**
 * Saved flows keep the sandbox port of the run that wrote them: on a start with another
 * --sandbox-port, the config-node URLs that point at a local sandbox route are moved to this run's
 * sandbox, and nothing else is touched. Returns how many URLs changed.
 */
function repointAtSandbox(flowsFile, sandboxUrl) {
  let flows;
  try {
    flows = JSON.parse(fs.readFileSync(flowsFile, 'utf8'));
  } catch {
    return 0; // not ours to repair: Node-RED reports an unreadable flow file itself
  }
  const list = Array.isArray(flows) ? flows : Array.isArray(flows && flows.flows) ? flows.flows : [];
  let changed = 0;
  for (const node of list) {
    if (!node || typeof node.type !== 'string' || !node.type.startsWith('hrflow-')) continue;
    for (const prop of ['base_url', 'recruitee_endpoint', 'careers_url']) {
      const m = typeof node[prop] === 'string' ? SANDBOX_URL.exec(node[prop]) : null;
      if (m && node[prop] !== sandboxUrl + m[1]) {
        node[prop] = sandboxUrl + m[1];
        changed++;
      }
    }
  }
  if (changed) fs.writeFileSync(flowsFile, JSON.stringify(flows, null, 2));
  return changed;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));

  // 1. Node-RED's port must be free before anything starts.
  let port;
  try {
    port = await probePort(args.port);
  } catch (err) {
    const line = portError(err, args.port, '--port');
    if (line) fail(line);
    throw err;
  }

  // 2. The sandbox.
  let sandbox;
  try {
    sandbox = await createSandbox({ port: args.sandboxPort, quiet: true });
  } catch (err) {
    const line = portError(err, args.sandboxPort, '--sandbox-port');
    if (line) fail(line);
    throw err;
  }

  fs.mkdirSync(args.userDir, { recursive: true });
  linkPackage(args.userDir);
  const settingsFile = writeSettings(args.userDir, port);

  const flowsFile = path.join(args.userDir, 'flows.json');
  const credsFile = path.join(args.userDir, 'flows_cred.json');
  if (args.resetFlows || !fs.existsSync(flowsFile)) {
    const { flow, credentials } = demoFlow(sandbox.urls, demoOptions(sandbox));
    fs.writeFileSync(flowsFile, JSON.stringify(flow, null, 2));
    fs.writeFileSync(credsFile, JSON.stringify(credentials, null, 2));
  } else {
    const moved = repointAtSandbox(flowsFile, sandbox.url);
    if (moved) console.log(`  ${moved} config node URL(s) of the saved flows re-pointed at the sandbox on ${sandbox.url}`);
  }

  // 3. Node-RED. NODE_RED_PATH selects another Node-RED install (CI runs this on Node-RED 5 too).
  const redJs = process.env.NODE_RED_PATH
    ? path.join(process.env.NODE_RED_PATH, 'red.js')
    : require.resolve('node-red/red.js', { paths: [root] });
  const child = spawn(process.execPath, [redJs, '--userDir', args.userDir, '--settings', settingsFile, '--port', String(port)], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...demoEnv(sandbox.credentials) },
  });

  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve)));
    await sandbox.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  // 4. The addresses, once both servers answer.
  if (!(await nodeRedReady(child, port))) {
    if (!stopping) {
      console.error(`Node-RED stopped before it was ready (exit code ${child.exitCode ?? child.signalCode}); see its messages above`);
      await stop(child.exitCode || 1);
    }
    return;
  }
  child.on('exit', (code) => void stop(code ?? 0));
  if (stopping) return;
  console.log('');
  console.log(`  Node-RED editor : http://127.0.0.1:${port}/  (demo flow "HrFlow demo (sandbox)"; examples under Import → Examples)`);
  console.log(`  Sandbox page    : ${sandbox.url}/  (what each emulated ATS received; Reset clears it, not the push ledger)`);
  console.log('  Stop with Ctrl-C.');
  console.log('');
}

main().catch((err) => {
  console.error(`npm start: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
