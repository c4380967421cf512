/**
 * The editor in a real browser (Debian's chromium driven by playwright-core) against a real Node-RED with
 * this package installed and the sandbox emulating every vendor: dialogs open without errors, required
 * fields are flagged, deploy, inject, status dots, the debug sidebar, a caught error, Import → Examples.
 * Runs only with HRFLOW_BROWSER=1 (see test/browser/README.md).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../helpers/fixtures';
import {
  BAD,
  CONFIG_LABELS,
  CONFIG_TYPES,
  FLOW_IDS,
  FLOW_TYPES,
  NODE_TYPES,
  PACKAGE,
  VENDORS,
  cancelTray,
  closeAllTrays,
  openConfigDialog,
  openNodeDialog,
  openPushDialog,
  ourErrors,
  skipUnlessBrowser,
  tray,
  vendorDescription,
  waitUntil,
  workspaceNode,
  type Editor,
  type Session,
  useEditor,
} from '../helpers/browser';


/** Credential names (docs/INTERFACE.md: public, never renamed); a new account has none, so each is flagged. */
const REQUIRED_CREDENTIALS: Record<string, string[]> = {
  'hrflow-api': ['api_secret', 'api_user'],
  'hrflow-smartrecruiters-config': ['x_smart_token'],
  'hrflow-recruitee-config': ['api_token'],
  'hrflow-broadbean-config': ['secret_key'],
  'hrflow-flatchr-config': ['auth'],
  'hrflow-taleez-config': ['x_taleez_api_secret'],
};

const hasClass = (page: Page, selector: string, cls: string) => page.locator(selector).evaluate((el, c) => el.classList.contains(c), cls);

/** Open a dialog, check it has our fields translated (no raw catalogue key shown), close it. */
async function checkDialogText(page: Page, type: string): Promise<void> {
  const text = await tray(page).locator('.red-ui-tray-body').innerText();
  assert.ok(text.trim().length > 0, `${type}: empty dialog`);
  assert.doesNotMatch(text, new RegExp(`${type}\\.(label|placeholder|tip)\\.`), `${type}: a catalogue key is shown untranslated`);
}

describe('browser: the editor (dialogs, deploy, inject, debug, examples)', function () {
  skipUnlessBrowser(this);
  this.timeout(60_000);
  const suite = useEditor(this, { locale: 'en-US' });
  let ed: Editor;
  let s: Session;
  let page: Page;
  before(() => {
    ({ editor: ed, session: s, page } = suite);
  });

  it('loads the editor: every node type of the package in the palette, nothing fetched off loopback', async () => {
    for (const type of FLOW_TYPES) {
      await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).waitFor({ state: 'attached' });
    }
    const registered = await page.evaluate((types) => types.filter((t: string) => !(window as any).RED.nodes.getType(t)), NODE_TYPES);
    assert.deepEqual(registered, [], 'types the editor did not register');
    assert.deepEqual(ourErrors(s.errors), []);
    assert.deepEqual(s.offHost, [], 'requests that left loopback');
  });

  it('opens the edit dialog of every node type without errors', async () => {
    for (const type of FLOW_TYPES) {
      await openNodeDialog(page, FLOW_IDS[type]);
      await checkDialogText(page, type);
      await cancelTray(page);
    }
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it('opens every config node dialog (Configuration nodes sidebar) without errors', async () => {
    for (const type of CONFIG_TYPES) {
      await openConfigDialog(page, type, CONFIG_LABELS[type]);
      await checkDialogText(page, type);
      await cancelTray(page);
    }
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it('flags the credentials of a new account (Add new … from the node dialog) as missing', async () => {
    const owners: Record<string, [string, string]> = {
      'hrflow-api': [FLOW_IDS['hrflow-profile'], 'api'],
      ...Object.fromEntries(VENDORS.map((v) => [`hrflow-${v}-config`, [FLOW_IDS[`hrflow-${v}`], 'account']])),
    };
    const missing: string[] = [];
    for (const type of CONFIG_TYPES) {
      const [owner, prop] = owners[type];
      await openNodeDialog(page, owner);
      // Node-RED 4.1+: a "+" button beside the select; earlier: select "Add new…" then the pencil.
      const add = page.locator(`#node-input-btn-${prop}-add`);
      if (await add.count()) await add.click();
      else {
        await page.locator(`#node-input-${prop}`).selectOption('_ADD_');
        await page.locator(`#node-input-lookup-${prop}`).click();
      }
      await page.locator('#node-config-dialog-edit-form').waitFor();
      for (const cred of REQUIRED_CREDENTIALS[type]) {
        const sel = `#node-config-input-${cred}`;
        await page.locator(sel).waitFor({ state: 'attached' });
        if (!(await hasClass(page, sel, 'input-error'))) missing.push(`${type}.${cred}`);
      }
      await closeAllTrays(page);
    }
    assert.deepEqual(missing, [], 'empty credentials not flagged with input-error');
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it('flags a required parameter left empty; a parameter msg.* may supply shows a hint instead', async () => {
    const problems: string[] = [];
    for (const vendor of VENDORS) {
      const d = vendorDescription(vendor);
      assert.ok(d?.params, `the ${vendor} vendor description (contract 1) is not built yet`);
      const type = `hrflow-${vendor}`;
      // Typed before oneditprepare wired the hints, a change would go unseen.
      await openPushDialog(page, FLOW_IDS[type]);
      for (const field of d.params as Array<{ name: string; input: string; required?: boolean; msg?: string }>) {
        if (!field.required && !field.msg) continue;
        if (field.input === 'checkbox' || field.input === 'select') continue;
        const sel = `#node-input-${field.name}`;
        const input = page.locator(sel);
        // The field's own hint (contract 5: `.hrflow-msg-hint[data-field]`): hidden with a value, shown when emptied.
        const hint = tray(page).locator(`.hrflow-msg-hint[data-field="${field.name}"]`);
        // Shown or hidden by the dialog's code (display), whatever its text's size (an empty box is not "visible" to Playwright).
        const shownNow = () => hint.evaluate((el) => getComputedStyle(el).display !== 'none').catch(() => false);
        const hintIs = (visible: boolean) => waitUntil(`the ${field.name} hint ${visible ? 'shown' : 'hidden'}`, async () => ((await shownNow()) === visible ? true : undefined), 3000).then(() => true, () => false);
        if ((await input.inputValue()) === '') {
          await input.fill(field.input === 'email' ? 'someone@example.com' : '1');
          await input.dispatchEvent('change');
        }
        if (field.msg && (await hint.count()) !== 1) problems.push(`${type}.${field.name}: msg.${field.msg} may supply it, yet it has ${await hint.count()} hint(s)`);
        if (field.msg && !(await hintIs(false))) problems.push(`${type}.${field.name}: with a value, its hint still shows`);
        // Emptied, and still empty (a fill made while the tray is still settling can be lost: seen once in CI).
        await waitUntil(`${field.name} emptied`, async () => {
          await input.fill('');
          await input.dispatchEvent('change');
          return (await input.inputValue()) === '' ? true : undefined;
        }, 5000).catch(() => undefined);
        if ((await input.inputValue()) !== '') problems.push(`${type}.${field.name}: could not be emptied (holds "${await input.inputValue()}")`);
        const flagged = await hasClass(page, sel, 'input-error');
        if (field.required && !flagged) problems.push(`${type}.${field.name}: required, empty, not flagged`);
        if (field.msg) {
          if (flagged) problems.push(`${type}.${field.name}: msg.${field.msg} may supply it, yet flagged`);
          if (!(await hintIs(true))) {
            const dom = await page.evaluate((name) => ({
              inputs: document.querySelectorAll(`#node-input-${name}`).length,
              hints: document.querySelectorAll(`.hrflow-msg-hint[data-field="${name}"]`).length,
              value: (document.querySelector(`#node-input-${name}`) as HTMLInputElement | null)?.value,
              display: Array.from(document.querySelectorAll(`.hrflow-msg-hint[data-field="${name}"]`)).map((e) => getComputedStyle(e).display),
              forms: document.querySelectorAll('#dialog-form').length,
            }), field.name);
            problems.push(`${type}.${field.name}: emptied, no .hrflow-msg-hint shown (${JSON.stringify(dom)})`);
          }
        }
      }
      await cancelTray(page);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it('deploys a change made in a dialog', async () => {
    await openNodeDialog(page, FLOW_IDS['hrflow-taleez']);
    await page.locator('#node-input-name').fill('Taleez (browser)');
    await page.locator('#node-dialog-ok').click();
    await waitUntil('the dialog to close', async () => ((await page.locator('.red-ui-tray').count()) === 0 ? true : undefined), 10_000);
    const deploy = page.locator('#red-ui-header-button-deploy');
    await waitUntil('the deploy button to be enabled', async () => ((await hasClass(page, '#red-ui-header-button-deploy', 'disabled')) ? undefined : true), 10_000);
    await deploy.click();
    const deployed = async () => {
      const flows = (await (await fetch(`${ed.url}/flows`)).json()) as Array<{ id: string; name?: string }>;
      return flows.find((n) => n.id === FLOW_IDS['hrflow-taleez'])?.name === 'Taleez (browser)' ? flows : undefined;
    };
    const flows = await waitUntil('the deployed flows to hold the new name', deployed, 20_000);
    await waitUntil('the deploy button to settle', async () => ((await hasClass(page, '#red-ui-header-button-deploy', 'disabled')) ? true : undefined), 20_000);
    assert.equal(flows.find((n) => n.id === FLOW_IDS['hrflow-taleez'])?.name, 'Taleez (browser)');
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it("clicking the inject button pushes to every ATS: green status dots, and the debug sidebar names vendor and candidate id", async () => {
    await page.evaluate(() => (window as any).RED.sidebar.show('debug'));
    await workspaceNode(page, 'demo-inject').locator('.red-ui-flow-node-button').click();
    const pushIds = VENDORS.map((v) => FLOW_IDS[`hrflow-${v}`]);
    await waitUntil('a green status on every push node', async () => {
      for (const id of pushIds) {
        const dot = workspaceNode(page, id).locator('.red-ui-flow-node-status-dot-green');
        if ((await dot.count()) === 0) return undefined;
      }
      return true;
    }, 30_000);
    for (const id of pushIds) {
      const label = await workspaceNode(page, id).locator('.red-ui-flow-node-status-label').textContent();
      assert.match(label ?? '', /^(created|pushed)\b/, `${id} status`);
    }
    // Every vendor's candidates reach the "pushed" debug node; each message names its vendor and id.
    const problems: string[] = [];
    await waitUntil('every vendor to have received the sample candidates', () => (VENDORS.every((v) => (ed.sandbox.state[v]?.candidates.length ?? 0) >= 3) ? true : undefined), 30_000);
    await waitUntil('15 messages in the debug sidebar', async () => ((await page.locator('.red-ui-debug-msg').filter({ hasText: 'pushed' }).count()) >= 15 ? true : undefined), 30_000);
    const texts = await page.locator('.red-ui-debug-msg').filter({ hasText: 'pushed' }).evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText));
    for (const vendor of VENDORS) {
      const ids = ed.sandbox.state[vendor].candidates.map((c) => String(c.id));
      // The demo's "pushed" debug node shows one line per push ("pushed: <vendor>/<id> (write-back: …)"), under
      // msg.topic in the message header: either must say which vendor and candidate.
      const hit = texts.some((t) => t.toLowerCase().includes(vendor) && ids.some((id) => t.includes(id.length > 12 ? id.slice(0, 8) : id)));
      if (!hit) problems.push(`${vendor}: no debug message names the vendor and one of its candidate ids (${ids.join(', ')})`);
    }
    assert.deepEqual(problems, [], `debug sidebar:\n${texts.slice(0, 5).join('\n---\n')}`);
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it('a caught error reads "CODE: message" in the debug sidebar, and the node shows a red dot', async () => {
    await page.evaluate(() => (window as any).RED.sidebar.show('debug'));
    await workspaceNode(page, BAD.inject).locator('.red-ui-flow-node-button').click();
    await workspaceNode(page, BAD.push).locator('.red-ui-flow-node-status-dot-red, .red-ui-flow-node-status-ring-red').first().waitFor({ state: 'attached', timeout: 30_000 });
    const msg = page.locator('.red-ui-debug-msg').filter({ hasText: 'AUTH_FAILED' });
    await msg.first().waitFor({ timeout: 30_000 });
    const text = await msg.first().innerText();
    assert.match(text, /AUTH_FAILED: \S/, 'the error reads CODE: message');
    assert.doesNotMatch(text, /ConnectorError/);
    assert.ok(!text.includes(BAD.secret), 'the secret is not shown');
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it('Import → Examples lists every shipped example, and importing one adds its nodes', async () => {
    const shipped = fs.readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
    await page.evaluate(() => (window as any).RED.actions.invoke('core:show-examples-import-dialog'));
    const lib = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
    await lib.locator('.red-ui-treeList-label', { hasText: PACKAGE }).first().click();
    for (const name of shipped) await lib.locator('.red-ui-treeList-label-text', { hasText: name }).first().waitFor();
    const listed = await lib.locator('.red-ui-treeList-label-text').allInnerTexts();
    assert.ok(shipped.every((n) => listed.includes(n)), `examples listed: ${listed.join(', ')}`);
    const before = await page.evaluate(() => { let n = 0; (window as any).RED.nodes.eachNode(() => void n++); return n; });
    const example = shipped.find((n) => /Taleez/.test(n)) ?? shipped[0];
    const file = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', `${example}.json`), 'utf8')) as Array<{ type: string }>;
    await lib.locator('.red-ui-treeList-label-text', { hasText: example }).first().click();
    await page.locator('#red-ui-clipboard-dialog-ok').click();
    // The imported nodes follow the mouse until a click drops them on the workspace.
    await page.locator('#red-ui-workspace-chart').click({ position: { x: 300, y: 400 } });
    await waitUntil('the example nodes in the workspace', async () => {
      const n = await page.evaluate(() => { let c = 0; (window as any).RED.nodes.eachNode(() => void c++); return c; });
      return n >= before + file.filter((x) => x.type !== 'tab' && !/config$|^hrflow-api$/.test(x.type)).length ? true : undefined;
    }, 10_000);
    const ourTypes = [...new Set(file.map((n) => n.type).filter((t) => t.startsWith('hrflow-')))];
    const registered = await page.evaluate((types) => types.every((t: string) => (window as any).RED.nodes.getType(t)), ourTypes);
    assert.ok(registered);
    assert.deepEqual(ourErrors(s.errors), []);
  });
});
