/**
 * The HrFlow sidebar tab (the push log, issue 12) in a real browser against a real Node-RED with this
 * package and the sandbox: the tab shows the pushes a flow made (all five ATS, and the failed push with a
 * wrong Taleez secret), filters by ATS and outcome, Retry of a dead letter (the push node pushes it again and
 * it leaves the list), Discard after a confirmation, French texts. Runs only with HRFLOW_BROWSER=1.
 *
 * Two dead letters are seeded in the ledger before Node-RED starts (the message of a sample profile for the
 * SmartRecruiters node; one of a node that is gone); the end-to-end test has the push node keep the dead
 * letter of a real failed push.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { LevelLedgerStore } from '../../src/push/ledger-store';
import type { DeadLetter } from '../../src/push/ledger';
import { repoRoot } from '../helpers/fixtures';
import { BAD, FLOW_IDS, VENDORS, loadEditor, ourErrors, skipUnlessBrowser, useEditor, waitUntil, workspaceNode, type Editor, type Session } from '../helpers/browser';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { demoOptions } = require(path.join(repoRoot, 'scripts', 'demo-flow.js'));

const RETRY_ID = 'seeded-retry';
const GONE_ID = 'seeded-gone';

async function seed(userDir: string, sandbox: Editor['sandbox']): Promise<void> {
  // Not one of the demo's sample profiles: the demo pushes those first, and the push ledger would then skip the
  // retried message (already pushed to that account and job) instead of pushing it.
  const demo = new Set<string>(demoOptions(sandbox).sampleKeys);
  const k = sandbox.profileKeys().find((x) => sandbox.getProfile(x.source_key, x.key)?.info?.email && !demo.has(x.key) && x.key !== '1111222233334444555566667777888899990000');
  assert.ok(k, 'a sample profile with an e-mail');
  const profile = sandbox.getProfile(k.source_key, k.key);
  const store = new LevelLedgerStore(path.join(userDir, 'hrflow-connectors'));
  try {
    const at = new Date().toISOString();
    const dead: DeadLetter[] = [
      { id: RETRY_ID, node: FLOW_IDS['hrflow-smartrecruiters'], vendor: 'smartrecruiters', code: 'VENDOR_UNAVAILABLE', message: 'VENDOR_UNAVAILABLE: seeded', msg: JSON.parse(JSON.stringify({ _msgid: 'seed1', payload: profile, topic: 'seeded' })), at },
      { id: GONE_ID, node: 'a-node-that-is-gone', vendor: 'recruitee', code: 'TIMEOUT', message: 'TIMEOUT: seeded', msg: { payload: {} }, at },
    ];
    for (const d of dead) await store.settle(`q-${d.id}`, { dead: d });
  } finally {
    await store.close();
  }
}

const tab = (page: Page) => page.locator('#hrflow-push-log');
const pushRows = (page: Page) => tab(page).locator('tr.hrflow-pl-push');
const deadRow = (page: Page, id: string) => tab(page).locator(`tr.hrflow-pl-dead[data-id="${id}"]`);

async function showTab(page: Page): Promise<void> {
  await page.evaluate(() => (window as any).RED.actions.invoke('hrflow-connectors:show-push-log'));
  await tab(page).waitFor({ state: 'visible' });
}

async function refresh(page: Page): Promise<void> {
  await page.locator('.hrflow-pl-refresh').click();
  await page.locator('#hrflow-push-log .hrflow-pl-status[data-state="ok"]').waitFor();
}

/** The rows' [vendor, outcome] pairs. */
async function rowPairs(page: Page): Promise<string[][]> {
  return pushRows(page).evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-vendor') ?? '', r.getAttribute('data-outcome') ?? '']));
}

describe('browser: the HrFlow sidebar tab (push log, dead letters)', function () {
  skipUnlessBrowser(this);
  this.timeout(90_000);
  const suite = useEditor(this, { beforeStart: seed });
  let editor: Editor;
  let session: Session;
  let page: Page;
  before(() => {
    ({ editor, session, page } = suite);
  });

  it('has an HrFlow tab (named in the sidebar menu), opened by its action, that says when nothing was pushed yet', async () => {
    const menuItem = await page.evaluate(() => document.getElementById('menu-item-view-menu-hrflow-push-log')?.textContent ?? null);
    assert.match(menuItem ?? '', /HrFlow/, 'View menu: the HrFlow tab');
    await showTab(page);
    await page.locator('#hrflow-push-log .hrflow-pl-status[data-state="ok"]').waitFor();
    assert.match(await tab(page).innerText(), /No push recorded yet\./);
    assert.ok(await deadRow(page, RETRY_ID).isVisible(), 'the seeded dead letter is listed');
    assert.deepEqual(ourErrors(session.errors), []);
  });

  it('lists the pushes a flow made: every ATS pushed, the wrong Taleez secret failed with AUTH_FAILED', async () => {
    await workspaceNode(page, 'demo-inject').locator('.red-ui-flow-node-button').click();
    await workspaceNode(page, BAD.inject).locator('.red-ui-flow-node-button').click();
    const sb = editor.sandbox.state as any;
    await waitUntil('a candidate at every ATS', () => VENDORS.every((v) => sb[v].candidates.length > 0) || undefined, 30_000);
    let pairs: string[][] = [];
    await waitUntil('the pushes in the tab', async () => {
      await refresh(page);
      pairs = await rowPairs(page);
      return VENDORS.every((v) => pairs.some(([vendor, outcome]) => vendor === v && outcome === 'pushed')) && pairs.some(([v, o]) => v === 'taleez' && o === 'failed') ? true : undefined;
    }, 30_000);
    const failed = pushRows(page).filter({ has: page.locator('.hrflow-pl-failed') });
    assert.match(await failed.first().innerText(), /AUTH_FAILED/);
    const pushed = pushRows(page).filter({ has: page.locator('.hrflow-pl-pushed') }).first();
    // Colored label, the candidate id, the time in the browser's locale (the ISO time in the tooltip).
    assert.equal(await pushed.locator('.hrflow-pl-label').innerText(), 'pushed');
    assert.notEqual((await pushed.locator('.hrflow-pl-candidate').innerText()).trim(), '');
    const iso = await pushed.locator('.hrflow-pl-time').getAttribute('title');
    assert.equal(await pushed.locator('.hrflow-pl-time').innerText(), await page.evaluate((at) => new Date(at!).toLocaleString(), iso));
    assert.deepEqual(ourErrors(session.errors), []);
  });

  it('filters by ATS and by outcome', async () => {
    await showTab(page);
    await page.locator('.hrflow-pl-vendor').selectOption('recruitee');
    await waitUntil('only Recruitee rows', async () => {
      const p = await rowPairs(page);
      return p.length > 0 && p.every(([v]) => v === 'recruitee') ? true : undefined;
    });
    await page.locator('.hrflow-pl-vendor').selectOption('');
    await page.locator('.hrflow-pl-outcome').selectOption('failed');
    await waitUntil('only failed rows', async () => {
      const p = await rowPairs(page);
      return p.length > 0 && p.every(([, o]) => o === 'failed') ? true : undefined;
    });
    await page.locator('.hrflow-pl-outcome').selectOption('');
    await waitUntil('every row again', async () => ((await rowPairs(page)).some(([, o]) => o === 'pushed') ? true : undefined));
  });

  it('Retry of a dead letter: its push node pushes the message again, and it leaves the list', async () => {
    await showTab(page);
    const before = (editor.sandbox.state as any).smartrecruiters.candidates.length;
    await deadRow(page, RETRY_ID).locator('.hrflow-pl-retry').click();
    await deadRow(page, RETRY_ID).waitFor({ state: 'detached' });
    await waitUntil('the retried push at SmartRecruiters', () => ((editor.sandbox.state as any).smartrecruiters.candidates.length === before + 1 ? true : undefined));
    const res = await page.evaluate(async () => (await fetch('hrflow-connectors/dead-letters')).json());
    assert.ok(!res.items.some((d: any) => d.id === 'seeded-retry'));
  });

  it('Retry of a dead letter whose node is gone says why and keeps it; Discard asks first, then removes it', async () => {
    await showTab(page);
    const row = deadRow(page, GONE_ID);
    await row.locator('.hrflow-pl-retry').click();
    await page.locator('.red-ui-notification', { hasText: 'NOT_DEPLOYED' }).first().waitFor();
    await page.locator('#hrflow-push-log .hrflow-pl-status[data-state="ok"]').waitFor();
    assert.ok(await row.isVisible(), 'kept');
    await row.locator('.hrflow-pl-discard').click();
    // Asked first: Cancel keeps it.
    await row.locator('.hrflow-pl-cancel').click();
    assert.ok(await row.locator('.hrflow-pl-discard').isVisible());
    await row.locator('.hrflow-pl-discard').click();
    assert.match(await row.innerText(), /Discard this dead letter for good\?/);
    await row.locator('.hrflow-pl-confirm').click();
    await row.waitFor({ state: 'detached' });
    const res = await page.evaluate(async () => (await fetch('hrflow-connectors/dead-letters')).json());
    assert.ok(!res.items.some((d: any) => d.id === 'seeded-gone'));
    // The browser logs the 409 answer itself (expected); nothing else.
    assert.deepEqual(ourErrors(session.errors).filter((e) => !/status of 409 .*dead-letters\/seeded-gone\/retry/.test(e)), []);
  });

  it('speaks French to a fr-FR browser', async () => {
    const context = await session.browser.newContext({ locale: 'fr-FR', viewport: { width: 1600, height: 1000 } });
    await context.route('**/*', (route) => (['127.0.0.1', ''].includes(new URL(route.request().url()).hostname) ? route.continue() : route.abort()));
    try {
      const fr = await context.newPage();
      await loadEditor(fr, editor.url);
      await showTab(fr);
      await fr.locator('#hrflow-push-log .hrflow-pl-status[data-state="ok"]').waitFor();
      const text = await tab(fr).innerText();
      assert.match(text, /Envois en échec/);
      assert.match(text, /Envois récents/);
      assert.match(text, /envoyé/);
      assert.doesNotMatch(text, /hrflow-push-log\./, 'no raw catalogue key');
    } finally {
      await context.close();
    }
  });

  it('end to end: the failed Taleez push is a dead letter in the tab', async () => {
    await showTab(page);
    await waitUntil('the dead letter of the wrong Taleez secret', async () => {
      await refresh(page);
      return (await tab(page).locator(`tr.hrflow-pl-dead[data-vendor="taleez"]`).count()) > 0 ? true : undefined;
    }, 10_000);
    assert.match(await tab(page).locator('tr.hrflow-pl-dead[data-vendor="taleez"]').first().innerText(), /AUTH_FAILED/);
  });
});
