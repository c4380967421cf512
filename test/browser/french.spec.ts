/**
 * The editor in French: a browser whose language is fr-FR gets Node-RED's French editor, and every
 * dialog of this package in French (labels from the `fr` catalogues), without errors; the help too.
 * Runs only with HRFLOW_BROWSER=1 (see test/browser/README.md).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../helpers/fixtures';
import {
  CONFIG_LABELS,
  CONFIG_TYPES,
  FLOW_IDS,
  FLOW_TYPES,
  NODE_TYPES,
  STORE,
  cancelTray,
  openConfigDialog,
  openNodeDialog,
  ourErrors,
  skipUnlessBrowser,
  tray,
  type Session,
  useEditor,
} from '../helpers/browser';

/** The `<type>.label` texts of a built catalogue (dist/nodes/locales/<lang>/<type>.json). */
function labels(lang: 'en-US' | 'fr', type: string): Record<string, string> {
  const file = path.join(repoRoot, 'dist', 'nodes', 'locales', lang, `${type}.json`);
  assert.ok(fs.existsSync(file), `no ${lang} catalogue for ${type} (${path.relative(repoRoot, file)})`);
  const cat = JSON.parse(fs.readFileSync(file, 'utf8'));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(cat[type]?.label ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The first paragraph of a help fragment, as text (contract 2: the palette summary). */
function helpSummary(type: string): string | undefined {
  const file = path.join(repoRoot, 'nodes', 'help', 'fr', `${type}.html`);
  if (!fs.existsSync(file)) return undefined;
  const m = /<p>([\s\S]*?)<\/p>/.exec(fs.readFileSync(file, 'utf8'));
  return m ? m[1].replace(/<[^>]+>/g, '').replace(/&[a-z]+;/g, ' ').replace(/\s+/g, ' ').trim() : undefined;
}

/** The open dialog shows French labels: some French-only label is shown, and no English-only one is a field label. */
async function checkFrench(page: Page, type: string): Promise<string[]> {
  const fr = labels('fr', type);
  const en = labels('en-US', type);
  const frOnly = Object.keys(fr).filter((k) => en[k] !== undefined && en[k] !== fr[k]);
  const problems: string[] = [];
  if (frOnly.length === 0) return [`${type}: the fr catalogue has no label that differs from English`];
  const body = tray(page).locator('.red-ui-tray-body');
  const text = await body.innerText();
  if (!frOnly.some((k) => text.includes(fr[k]))) problems.push(`${type}: none of its French labels is shown (${frOnly.map((k) => fr[k]).join(', ')})`);
  const shown = (await body.locator('label').filter({ visible: true }).allInnerTexts()).map((t) => t.trim());
  for (const k of frOnly) if (shown.includes(en[k].trim())) problems.push(`${type}: label "${en[k]}" is still English (fr: "${fr[k]}")`);
  return problems;
}

describe('browser: the editor in French (fr-FR browser)', function () {
  skipUnlessBrowser(this);
  this.timeout(60_000);
  const suite = useEditor(this, { locale: 'fr-FR', shots: 'fr_' });
  let s: Session;
  let page: Page;
  before(() => {
    ({ session: s, page } = suite);
  });

  it("Node-RED picks French from the browser's language", async () => {
    const lang = await page.evaluate(() => (window as any).RED.i18n.lang());
    assert.match(String(lang), /^fr/);
    assert.match(await page.locator('#red-ui-header-button-deploy').innerText(), /Déployer/);
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it('every node dialog is in French, without errors', async () => {
    const problems: string[] = [];
    for (const type of FLOW_TYPES) {
      await openNodeDialog(page, FLOW_IDS[type]);
      problems.push(...(await checkFrench(page, type)));
      await cancelTray(page);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it('every config dialog is in French, without errors', async () => {
    const problems: string[] = [];
    for (const type of CONFIG_TYPES) {
      await openConfigDialog(page, type, CONFIG_LABELS[type]);
      problems.push(...(await checkFrench(page, type)));
      await cancelTray(page);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it('the help sidebar shows the French help of each node', async () => {
    const problems: string[] = [];
    // Hand-written nodes have their whole help in nodes/locales/<lang>/<type>.html, not generated from a fragment.
    for (const type of NODE_TYPES.filter((t) => !['hrflow-profile', 'hrflow-profiles', 'hrflow-logic', 'hrflow-writeback', 'hrflow-webhook', 'hrflow-store'].includes(t))) {
      const summary = helpSummary(type);
      if (!summary) {
        problems.push(`${type}: no nodes/help/fr/${type}.html with a first <p>`);
        continue;
      }
      await page.evaluate((t) => (window as any).RED.sidebar.help.show(t), type);
      const help = page.locator('.red-ui-help-info-text, .red-ui-sidebar-help-stack').first();
      const probe = summary.slice(0, 40);
      try {
        await help.filter({ hasText: probe }).waitFor({ timeout: 5000 });
      } catch {
        problems.push(`${type}: the help sidebar does not show "${probe}…"`);
      }
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it('the hrflow-store dialog (both modes) and its hand-written help are in French', async () => {
    await openConfigDialog(page, STORE.type, STORE.label);
    const problems = await checkFrench(page, STORE.type);
    await tray(page).locator('#node-config-input-mode').selectOption('redis');
    problems.push(...(await checkFrench(page, STORE.type)));
    const text = await tray(page).locator('.red-ui-tray-body').innerText();
    for (const fr of ['URL Redis', 'Préfixe des clés', 'Mot de passe', 'Tester la connexion']) if (!text.includes(fr)) problems.push(`hrflow-store: "${fr}" not shown`);
    await cancelTray(page);
    // The help: nodes/locales/fr/hrflow-store.html, its first paragraph.
    const help = fs.readFileSync(path.join(repoRoot, 'nodes', 'locales', 'fr', 'hrflow-store.html'), 'utf8');
    const summary = (/<p>([\s\S]*?)<\/p>/.exec(help)?.[1] ?? '').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
    await page.evaluate((t) => (window as any).RED.sidebar.help.show(t), STORE.type);
    await page.locator('.red-ui-help-info-text, .red-ui-sidebar-help-stack').first().filter({ hasText: summary.slice(0, 40) }).waitFor({ timeout: 5000 })
      .catch(() => problems.push(`hrflow-store: the help sidebar does not show "${summary.slice(0, 40)}…"`));
    assert.deepEqual(problems, []);
    assert.deepEqual(ourErrors(s.errors), []);
  });
});
