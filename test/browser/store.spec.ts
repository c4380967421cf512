/**
 * The shared store (issue 14) in a real browser: the hrflow-store dialog shows the Redis rows only in mode
 * redis, and its Test connection reaches a real redis-server (test/helpers/redis.ts); the optional Store field
 * of the push nodes, hrflow-profiles and hrflow-webhook stays empty (None) when an hrflow-store exists, for a
 * node already there and for one dropped from the palette, and deploys as "" unless the user picks the store.
 * Runs only with HRFLOW_BROWSER=1 (see test/browser/README.md).
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { freePort } from '../helpers/net';
import { redisOrSkip, startRedis, type RedisServer } from '../helpers/redis';
import {
  FLOW_IDS,
  STORE,
  closeAllTrays,
  openConfigDialog,
  openNodeDialog,
  ourErrors,
  skipUnlessBrowser,
  testConnection,
  tray,
  waitUntil,
  type Editor,
  type Session,
  useEditor,
} from '../helpers/browser';

/** The Redis rows of the store dialog, and whether each is shown. */
const REDIS_FIELDS = ['url', 'prefix', 'password'];
async function shown(page: Page, selector: string): Promise<boolean> {
  return tray(page).locator(selector).first().evaluate((el) => (el as HTMLElement).offsetParent !== null);
}

/** Click the dialog's Done button and wait for its tray to close. */
async function done(page: Page): Promise<void> {
  const count = await page.locator('.red-ui-tray').count();
  await tray(page).locator('#node-dialog-ok, #node-config-dialog-ok').first().click();
  await waitUntil('the dialog to close', async () => ((await page.locator('.red-ui-tray').count()) < count ? true : undefined), 10_000);
}

describe('browser: the hrflow-store dialog and the Store field', function () {
  skipUnlessBrowser(this);
  this.timeout(60_000);
  const suite = useEditor(this, { locale: 'en-US', shots: 'store_' });
  let ed: Editor;
  let s: Session;
  let page: Page;
  let redis: RedisServer | undefined;
  before(async function () {
    redisOrSkip(this);
    ({ editor: ed, session: s, page } = suite);
    redis = await startRedis();
  });
  after(async () => redis?.close());

  it('the store dialog shows the URL, prefix, password and Test connection only in mode redis; Test connection reaches a real redis-server', async () => {
    await openConfigDialog(page, STORE.type, STORE.label);
    const mode = tray(page).locator('#node-config-input-mode');
    assert.equal(await mode.inputValue(), 'embedded');
    for (const f of REDIS_FIELDS) assert.equal(await shown(page, `#node-config-input-${f}`), false, `${f} hidden in mode embedded`);
    assert.equal(await shown(page, '#hrflow-test-connection'), false);
    assert.equal(await tray(page).locator('#node-config-input-url').inputValue(), 'redis://127.0.0.1:6379', 'the default URL');
    assert.equal(await tray(page).locator('#node-config-input-prefix').inputValue(), 'hrflow:', 'the default prefix');

    await mode.selectOption('redis');
    for (const f of REDIS_FIELDS) assert.equal(await shown(page, `#node-config-input-${f}`), true, `${f} shown in mode redis`);
    assert.equal(await tray(page).locator('#node-config-input-password').getAttribute('type'), 'password');
    const text = await tray(page).locator('.red-ui-tray-body').innerText();
    assert.doesNotMatch(text, /hrflow-store\.(label|tip|option|test)\./, 'a catalogue key shown untranslated');

    await tray(page).locator('#node-config-input-url').fill(redis!.url);
    await tray(page).locator('#node-config-input-prefix').fill('browser:');
    const ok = await testConnection(page, 'ok');
    assert.match(ok, new RegExp(`^Connected: connected to redis://127\\.0\\.0\\.1:${redis!.port}\\S* \\(Redis \\d`), ok);
    assert.match(ok, /browser:/);
    assert.match(ok, /Warning: appendonly is off/, 'the test server runs without appendonly: the dialog warns');

    await tray(page).locator('#node-config-input-url').fill(`redis://127.0.0.1:${await freePort()}`);
    assert.match(await testConnection(page, 'error'), /^STORE_UNAVAILABLE: \S/);

    await mode.selectOption('embedded');
    for (const f of REDIS_FIELDS) assert.equal(await shown(page, `#node-config-input-${f}`), false, `${f} hidden again`);
    await closeAllTrays(page);
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it('with an hrflow-store in the workspace, a node without one keeps Store empty (None) and deploys store "", also one dropped from the palette; picking the store sets it', async () => {
    const owners = [FLOW_IDS['hrflow-taleez'], FLOW_IDS['hrflow-smartrecruiters'], FLOW_IDS['hrflow-profiles'], FLOW_IDS['hrflow-webhook']];
    for (const id of owners) {
      await openNodeDialog(page, id);
      const select = tray(page).locator('#node-input-store');
      await select.waitFor({ state: 'attached' });
      const options = await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      assert.ok(options.includes(STORE.id), `${id}: the store is offered (${options.join(', ')})`);
      assert.equal(await select.inputValue(), '_ADD_', `${id}: None is selected, not the store`);
      await done(page);
      assert.equal(await page.evaluate((n) => (window as any).RED.nodes.node(n).store, id), '', `${id}: store "" after Done`);
    }

    // A Taleez node dropped from the palette, as a user adds one.
    const before = await page.evaluate(() => (window as any).RED.nodes.filterNodes({ type: 'hrflow-taleez' }).map((n: any) => n.id));
    const item = page.locator('.red-ui-palette-node[data-palette-type="hrflow-taleez"]');
    await item.scrollIntoViewIfNeeded();
    const from = (await item.boundingBox())!;
    const chart = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(chart.x + chart.width * 0.6, chart.y + chart.height * 0.5, { steps: 15 });
    await page.mouse.up();
    const added = await waitUntil('the dropped node', async () => {
      const ids: string[] = await page.evaluate(() => (window as any).RED.nodes.filterNodes({ type: 'hrflow-taleez' }).map((n: any) => n.id));
      return ids.find((i) => !before.includes(i));
    }, 10_000);
    assert.equal(await page.evaluate((n) => (window as any).RED.nodes.node(n).store, added), '', 'a new node: store ""');
    await openNodeDialog(page, added);
    assert.equal(await tray(page).locator('#node-input-store').inputValue(), '_ADD_', 'a new node: None is selected, not the store');
    // Valid, so that the deploy asks nothing: an account and a recruiter.
    await tray(page).locator('#node-input-account').selectOption('demo-tz-account');
    await tray(page).locator('#node-input-recruiter_id').fill('1');
    await done(page);
    assert.equal(await page.evaluate((n) => (window as any).RED.nodes.node(n).store, added), '');

    await page.locator('#red-ui-header-button-deploy').click();
    const flows = await waitUntil('the new node deployed', async () => {
      const f = (await (await fetch(`${ed.url}/flows`)).json()) as Array<Record<string, unknown>>;
      return f.some((n) => n.id === added) ? f : undefined;
    }, 20_000);
    for (const id of [...owners, added]) {
      const n = flows.find((x) => x.id === id);
      assert.ok(n, id);
      assert.equal(n.store, '', `${id} (${String(n.type)}) deployed with store ""`);
    }

    // Picking the store sets it.
    await openNodeDialog(page, FLOW_IDS['hrflow-taleez']);
    await tray(page).locator('#node-input-store').selectOption(STORE.id);
    await done(page);
    assert.equal(await page.evaluate((n) => (window as any).RED.nodes.node(n).store, FLOW_IDS['hrflow-taleez']), STORE.id);
    assert.deepEqual(ourErrors(s.errors), []);
  });

  it('the store label: its name, else "Redis <host>" or "embedded store"', async () => {
    const labels = await page.evaluate(() => {
      const def = (window as any).RED.nodes.getType('hrflow-store');
      const label = (n: Record<string, unknown>) => def.label.call({ _: def._, ...n });
      return [
        label({ name: 'Mine', mode: 'redis', url: 'redis://db:6379' }),
        label({ mode: 'redis', url: 'redis://user:secret@redis.example:6380/2' }),
        label({ mode: 'embedded' }),
      ];
    });
    assert.deepEqual(labels, ['Mine', 'Redis redis.example:6380', 'embedded store']);
  });
});
