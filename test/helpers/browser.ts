/**
 * Browser-test harness: a real Node-RED (the CLI, as a child process) with this package installed in a
 * temporary user directory, the sandbox emulator on a free 127.0.0.1 port, flows pre-loaded that point
 * every config node at the sandbox, and Debian's chromium driven by playwright-core.
 *
 * The browser suite runs only with HRFLOW_BROWSER=1 (CI runs it in its own leg). NODE_RED_PATH selects
 * another Node-RED install (the Node-RED 5 leg), as for the flow tests; CHROMIUM_PATH another browser.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { createSandbox, type Sandbox } from '../../src/sandbox';
import { repoRoot } from './fixtures';
import { freePort } from './net';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { demoFlow, demoEnv, demoOptions } = require(path.join(repoRoot, 'scripts', 'demo-flow.js'));

export const BROWSER_ENABLED = process.env.HRFLOW_BROWSER === '1';

/** Skip the whole file (with one clear line) unless HRFLOW_BROWSER=1. Call at the top of `describe`. */
let skipNoted = false;
export function skipUnlessBrowser(ctx: Mocha.Suite): void {
  if (BROWSER_ENABLED) return;
  ctx.beforeAll(function () {
    if (!skipNoted) console.log('    (browser tests skipped: set HRFLOW_BROWSER=1 to run them; they need chromium, see test/browser/README.md)');
    skipNoted = true;
    this.skip();
  });
}

export const PACKAGE = '@hrflow-connectors/node-red';

/** Every node type of the package (package.json "node-red".nodes). */
export const NODE_TYPES: string[] = Object.keys(JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'))['node-red'].nodes);
/** The accounts (config nodes with a secret and a Test connection of a vendor). */
export const CONFIG_TYPES = NODE_TYPES.filter((t) => t === 'hrflow-api' || t.endsWith('-config'));
/** The shared store (issue 14): a config node of its own kind (test/browser/store.spec.ts). */
export const STORE = { type: 'hrflow-store', id: 'b-store', label: 'Browser store' } as const;
export const FLOW_TYPES = NODE_TYPES.filter((t) => !CONFIG_TYPES.includes(t) && t !== STORE.type);
export const VENDORS = ['smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez'] as const;
export type VendorId = (typeof VENDORS)[number];

/** The id of the node of each type in the pre-loaded flow (the demo flow of `npm start`, plus a failing push). */
export const FLOW_IDS: Record<string, string> = {
  'hrflow-api': 'demo-hrflow-api',
  'hrflow-profile': 'demo-profile',
  'hrflow-logic': 'demo-logic',
  'hrflow-smartrecruiters-config': 'demo-sr-account',
  'hrflow-smartrecruiters': 'demo-push-sr',
  'hrflow-recruitee-config': 'demo-rc-account',
  'hrflow-recruitee': 'demo-push-rc',
  'hrflow-broadbean-config': 'demo-bb-account',
  'hrflow-broadbean': 'demo-push-bb',
  'hrflow-flatchr-config': 'demo-fl-account',
  'hrflow-flatchr': 'demo-push-fl',
  'hrflow-taleez-config': 'demo-tz-account',
  'hrflow-taleez': 'demo-push-tz',
  'hrflow-writeback': 'demo-writeback',
  'hrflow-webhook': 'b-webhook',
  'hrflow-profiles': 'b-profiles',
};

/** The label the demo flow gives each config node (the entry shown in the Configuration nodes sidebar). */
export const CONFIG_LABELS: Record<string, string> = {
  'hrflow-api': 'HrFlow sandbox',
  'hrflow-smartrecruiters-config': 'SmartRecruiters sandbox',
  'hrflow-recruitee-config': 'Recruitee sandbox',
  'hrflow-broadbean-config': 'Broadbean sandbox',
  'hrflow-flatchr-config': 'Flatchr sandbox',
  'hrflow-taleez-config': 'Taleez sandbox',
};

/** The failing path: an inject, a profile read, a Taleez push with a wrong secret (caught by the demo's catch). */
export const BAD = { inject: 'b-inject-bad', push: 'b-push-bad', account: 'b-tz-bad', secret: 'wrong-taleez-secret' };

export interface Editor {
  url: string;
  sandbox: Sandbox;
  userDir: string;
  /** Everything Node-RED printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** The pre-loaded flows: `npm start`'s demo flow (every config node on the sandbox) and the failing path. */
function browserFlows(sb: Sandbox): { flow: any[]; credentials: Record<string, any> } {
  const { flow, credentials } = demoFlow(sb.urls, demoOptions(sb));
  const tab = flow[0].id;
  const key = demoOptions(sb).sampleKeys[0];
  flow.push(
    {
      id: BAD.inject, type: 'inject', name: 'push with a wrong Taleez secret', props: [{ p: 'payload' }], repeat: '', crontab: '', once: false,
      onceDelay: 0.1, topic: '', payload: '', payloadType: 'date', z: tab, x: 170, y: 600, wires: [['b-profile-bad']],
    },
    { id: 'b-profile-bad', type: 'hrflow-profile', name: 'HrFlow profile (bad path)', api: 'demo-hrflow-api', source_key: sb.sourceKey, profile_key: key, timeout: 30000, z: tab, x: 420, y: 600, wires: [[BAD.push]] },
    { id: BAD.push, type: 'hrflow-taleez', name: 'Taleez (wrong secret)', account: BAD.account, recruiter_id: '1', job_id: '101', pool_ids: '', timeout: 30000, retries: 0, retry_delay: 1000, z: tab, x: 660, y: 600, wires: [[]] },
    { id: BAD.account, type: 'hrflow-taleez-config', name: 'Taleez wrong secret', base_url: sb.urls.taleez },
    // The webhook trigger (not in the demo flow): every node type is on the workspace.
    { id: 'b-webhook', type: 'hrflow-webhook', name: 'HrFlow webhook', path: '/hrflow-browser-test', events: [], z: tab, x: 170, y: 680, wires: [[]] },
    // The source (interval 0: it runs only when asked, so it lists nothing during the browser tests).
    { id: 'b-profiles', type: 'hrflow-profiles', name: 'HrFlow profiles', api: 'demo-hrflow-api', source_keys: sb.sourceKey, read_mode: 'incremental', workflow_id: 'browser', interval: 0, page_size: 30, sort_by: 'updated_at', z: tab, x: 170, y: 760, wires: [[], []] },
    // A store exists (embedded: nothing uses it): a node without one must not get it unless the user picks it.
    { id: STORE.id, type: STORE.type, name: STORE.label, mode: 'embedded', url: 'redis://127.0.0.1:6379', prefix: 'hrflow:' },
  );
  return { flow, credentials: { ...credentials, [BAD.account]: { x_taleez_api_secret: BAD.secret } } };
}

function settingsFile(userDir: string, port: number): string {
  const file = path.join(userDir, 'settings.js');
  fs.writeFileSync(
    file,
    `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  credentialSecret: false,
  editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },
  externalModules: { palette: { allowInstall: false } },
  telemetry: { enabled: false, updateNotification: false },
  diagnostics: { enabled: false, ui: false },
  logging: { console: { level: 'info', metrics: false, audit: false } },
  functionExternalModules: false,
  hrflowCvDownload: { allowPrivateAddresses: true },
};
`,
  );
  return file;
}

/** The Node-RED CLI to run: NODE_RED_PATH (a node-red package folder) or the dev dependency. */
export function nodeRedJs(): string {
  return process.env.NODE_RED_PATH ? path.join(process.env.NODE_RED_PATH, 'red.js') : require.resolve('node-red/red.js', { paths: [repoRoot] });
}

export async function waitUntil<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Sandbox + Node-RED with this package (linked into a fresh user dir) and the browser flows deployed.
 * `beforeStart` runs once the user directory and the sandbox exist, before Node-RED starts (e.g. to seed
 * the push ledger, which Node-RED locks while it runs).
 */
export async function startEditor(options: { beforeStart?(userDir: string, sandbox: Sandbox): Promise<void> | void } = {}): Promise<Editor> {
  const sandbox = await createSandbox({ port: 0, quiet: true });
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-browser-'));
  const scope = path.join(userDir, 'node_modules', '@hrflow-connectors');
  fs.mkdirSync(scope, { recursive: true });
  fs.symlinkSync(repoRoot, path.join(scope, 'node-red'), 'dir');
  const { flow, credentials } = browserFlows(sandbox);
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow, null, 2));
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(credentials, null, 2));
  await options.beforeStart?.(userDir, sandbox);
  const port = await freePort();
  const settings = settingsFile(userDir, port);
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [nodeRedJs(), '--userDir', userDir, '--settings', settings, '--port', String(port)], {
    cwd: userDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...demoEnv(sandbox.credentials) },
  });
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    await sandbox.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  try {
    await waitUntil('Node-RED to start its flows', () => {
      if (child.exitCode !== null) throw new Error(`Node-RED exited (${child.exitCode}):\n${out}`);
      return /Started flows/.test(out) || undefined;
    }, 45_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- Node-RED output ---\n${out}`);
  }
  return { url: `http://127.0.0.1:${port}`, sandbox, userDir, output: () => out, stop };
}

export interface Session {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors seen so far (cleared by the caller when it wants). */
  errors: string[];
  /** Requests refused because they left loopback. */
  offHost: string[];
  close(): Promise<void>;
}

/** Debian's chromium, headless, fresh profile, loopback only; `locale` sets navigator.language and Accept-Language. */
export async function openBrowser(locale = 'en-US'): Promise<Session> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ locale, viewport: { width: 1600, height: 1000 } });
  const offHost: string[] = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1') return route.continue();
    offHost.push(u.href);
    return route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.stack || err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()} (${msg.location().url}:${msg.location().lineNumber})`);
  });
  return { browser, context, page, errors, offHost, close: () => browser.close() };
}

/** Load the editor and wait until the palette holds our nodes and the flows are drawn. */
export async function loadEditor(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('.red-ui-palette-node[data-palette-type="hrflow-taleez"]').waitFor({ timeout: 30_000 });
  await page.locator(`g.red-ui-flow-node[id="${FLOW_IDS['hrflow-taleez']}"]`).waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => (window as any).RED?.nodes?.node?.('demo-push-tz') !== undefined);
}

/** A node drawn in the workspace, by id. */
export function workspaceNode(page: Page, id: string): Locator {
  return page.locator(`g.red-ui-flow-node[id="${id}"]`);
}

/** The edit tray currently open (the top one when config dialogs are stacked). */
export function tray(page: Page): Locator {
  return page.locator('.red-ui-tray').last();
}

/** Open the edit dialog of a flow node: double-click it in the workspace. */
export async function openNodeDialog(page: Page, id: string): Promise<Locator> {
  const node = workspaceNode(page, id);
  await node.locator('.red-ui-flow-node').first().dblclick();
  const t = page.locator('.red-ui-tray');
  await t.first().waitFor();
  await page.locator('#dialog-form').waitFor();
  return tray(page);
}

/** Open one of our push nodes' dialogs, and wait until its hints and pickers are wired (oneditprepare done). */
export async function openPushDialog(page: Page, id: string): Promise<Locator> {
  const t = await openNodeDialog(page, id);
  await page.locator('#dialog-form[data-hrflow-ready="true"]').waitFor();
  return t;
}

/** Open a config node's dialog from the Configuration nodes sidebar: the entry listed under its type. */
export async function openConfigDialog(page: Page, type: string, label: string): Promise<Locator> {
  await page.evaluate(() => (window as any).RED.sidebar.show('config'));
  const header = page.locator('li.red-ui-palette-node-config-type', { hasText: new RegExp(`^${type}$`) });
  await header.first().waitFor();
  const entry = page.locator(`xpath=//li[contains(@class,"red-ui-palette-node-config-type") and normalize-space(text())="${type}"]/following-sibling::li//div[contains(@class,"red-ui-palette-node-config")][.//div[contains(@class,"red-ui-palette-label") and normalize-space(.)="${label}"]]`);
  await entry.first().dblclick();
  await page.locator('#node-config-dialog-edit-form').waitFor();
  return tray(page);
}

/**
 * Close the top edit tray with its Cancel button and wait until it is gone. A tray that is still sliding in
 * (or back, when a config dialog above it closed) ignores clicks, so the click is repeated until it closes.
 */
export async function cancelTray(page: Page): Promise<void> {
  const count = await page.locator('.red-ui-tray').count();
  await waitUntil('the edit tray to close', async () => {
    if ((await page.locator('.red-ui-tray').count()) < count) return true;
    await tray(page).locator('#node-dialog-cancel, #node-config-dialog-cancel').first().click({ timeout: 2000 }).catch(() => undefined);
    await page.waitForFunction((n) => document.querySelectorAll('.red-ui-tray').length < n, count, { timeout: 1000 }).catch(() => undefined);
    return (await page.locator('.red-ui-tray').count()) < count ? true : undefined;
  }, 15_000);
}

/** Click Test connection and wait for the result to leave "busy" and reach `state`. */
export async function testConnection(page: Page, state: 'ok' | 'error'): Promise<string> {
  const result = tray(page).locator('#hrflow-test-result');
  const button = tray(page).locator('#hrflow-test-connection');
  await button.waitFor({ timeout: 3000 }).catch(() => assert.fail('no #hrflow-test-connection button in the config dialog (contract 5)'));
  await button.click();
  const final = await waitUntil('the Test connection result', async () => {
    const s = await result.getAttribute('data-state');
    return s === 'ok' || s === 'error' ? s : undefined;
  }, 20_000);
  const text = (await result.innerText()).trim();
  assert.equal(final, state, `Test connection: ${text}`);
  return text;
}

/** Close every open tray. */
export async function closeAllTrays(page: Page): Promise<void> {
  while ((await page.locator('.red-ui-tray').count()) > 0) await cancelTray(page);
}

/** The `description` export of a vendor module (contract 1), or undefined while it is not built yet. */
export function vendorDescription(vendor: VendorId): any {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(repoRoot, 'dist', 'src', 'vendors', `${vendor}.js`));
    // The vendor module object (`export const taleez = { description, ... }`), or a top-level export.
    return mod[vendor]?.description ?? mod.description;
  } catch {
    return undefined;
  }
}

/** Errors that come from our nodes' editor code (generated or hand-written), or any uncaught page error. */
export function ourErrors(errors: string[]): string[] {
  return errors.filter((e) => e.startsWith('pageerror') || /hrflow/i.test(e));
}

/** What useEditor gives a suite: its editor, its browser session and page (set once the suite's `before` ran). */
export interface EditorSuite {
  editor: Editor;
  session: Session;
  page: Page;
}

/**
 * A suite's Node-RED editor in a browser: started (startEditor, openBrowser in `locale`, loadEditor) before its
 * tests, closed after. After each test, a failed one leaves a screenshot in HRFLOW_BROWSER_SHOTS (names
 * prefixed by `shots`), and the trays left open are closed.
 */
export function useEditor(suite: Mocha.Suite, options: { locale?: string; shots?: string; beforeStart?(userDir: string, sandbox: Sandbox): Promise<void> | void } = {}): EditorSuite {
  const ctx = {} as EditorSuite;
  suite.beforeAll(async function () {
    this.timeout(120_000);
    ctx.editor = await startEditor({ beforeStart: options.beforeStart });
    ctx.session = await openBrowser(options.locale ?? 'en-US');
    ctx.page = ctx.session.page;
    await loadEditor(ctx.page, ctx.editor.url);
  });
  suite.afterAll(async () => {
    await ctx.session?.close();
    await ctx.editor?.stop();
  });
  suite.afterEach(async function () {
    const page = ctx.page;
    if (this.currentTest?.state === 'failed' && page && process.env.HRFLOW_BROWSER_SHOTS) {
      fs.mkdirSync(process.env.HRFLOW_BROWSER_SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(process.env.HRFLOW_BROWSER_SHOTS, `${options.shots ?? ''}${this.currentTest.title.replace(/\W+/g, '_')}.png`) });
    }
    if (page) await closeAllTrays(page).catch(() => undefined);
  });
  return ctx;
}
