/**
 * GET /hrflow-connectors/metrics in the real Node-RED CLI with adminAuth on (node-red-node-test-helper has
 * no adminAuth): anonymous scrapes are refused (401), a bearer token with the read permission gets the text
 * format. A push made by a flow (inject → hrflow-profile → hrflow-smartrecruiters, against the sandbox) is
 * counted: Node-RED gives each node file its own RED object, and the metrics of the runtime (mounted by a
 * config node's file) still hear the push node's events.
 */
import assert from 'node:assert/strict';
import { startCli, type Cli } from '../helpers/cli';
import { parseExposition, sampleValue } from '../helpers/prometheus';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';

const PROMETHEUS_TOKEN = 'prometheus-scrape-token-0123456789abcdef';

describe('GET /hrflow-connectors/metrics behind adminAuth (real Node-RED)', function () {
  this.timeout(60_000);
  const ctx = useSandbox();
  let cli: Cli;
  let editor = '';

  before(async () => {
    const sb = ctx.sb;
    cli = await startCli({
      name: 'hrflow-nr-metrics',
      settings: { hrflowCvDownload: { allowPrivateAddresses: true } },
      // The README's recipe for Prometheus: a long-lived token read from the environment, with the read permission.
      settingsCode:
        `module.exports.adminAuth.tokens = function (token) {\n` +
        `  return Promise.resolve(token === process.env.PROMETHEUS_TOKEN ? { username: 'prometheus', permissions: 'read' } : null);\n` +
        `};\n`,
      env: { PROMETHEUS_TOKEN },
      flows: [
        { id: 'tab1', type: 'tab', label: 'metrics' },
        { id: 'api', type: 'hrflow-api', name: 'sandbox', base_url: sb.urls.hrflow },
        { id: 'acc', type: 'hrflow-smartrecruiters-config', name: 'sandbox', base_url: sb.urls.smartrecruiters },
        { id: 'inj', type: 'inject', z: 'tab1', props: [{ p: 'profile_key', v: KEYS.full, vt: 'str' }], repeat: '', once: false, wires: [['prof']] },
        { id: 'prof', type: 'hrflow-profile', z: 'tab1', api: 'api', source_key: SOURCE_KEY, profile_key: '', timeout: 5000, wires: [['push']] },
        { id: 'push', type: 'hrflow-smartrecruiters', z: 'tab1', account: 'acc', job_id: 'job-42', timeout: 5000, retries: 2, retry_delay: 10, wires: [[]] },
      ],
      credentials: { api: { api_secret: sb.credentials.hrflowApiKey, api_user: sb.credentials.hrflowUser }, acc: { x_smart_token: sb.credentials.smartToken } },
    });
    editor = cli.editor;
  });

  after(() => cli?.stop());

  const token = (username: string, scope: string) => cli.token(username, scope);

  const scrape = (bearer?: string) => fetch(`${editor}/hrflow-connectors/metrics`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

  it('refuses anonymous scrapes (401), answers a read token, and counts a push made by the flow', async () => {
    assert.equal((await scrape()).status, 401);
    assert.equal((await scrape('not-a-token')).status, 401);
    const viewer = await token('viewer', 'read');
    const before = await scrape(viewer);
    assert.equal(before.status, 200);
    assert.match(String(before.headers.get('content-type')), /^text\/plain/);
    assert.match(String(before.headers.get('content-type')), /version=0\.0\.4/);
    const empty = parseExposition(await before.text());
    assert.equal(empty.types.get('hrflow_pushes_total'), 'counter');
    assert.equal(sampleValue(empty, 'hrflow_pushes_total', { vendor: 'smartrecruiters', outcome: 'pushed' }), undefined);

    // Press the inject button (a write permission), then wait for the candidate at the sandbox.
    const editorToken = await token('editor', '*');
    const pressed = await fetch(`${editor}/inject/inj`, { method: 'POST', headers: { authorization: `Bearer ${editorToken}` } });
    assert.equal(pressed.status, 200);
    const state = (ctx.sb.state as any).smartrecruiters;
    const end = Date.now() + 20_000;
    let pushed: number | undefined;
    for (;;) {
      const e = parseExposition(await (await scrape(viewer)).text());
      pushed = sampleValue(e, 'hrflow_pushes_total', { vendor: 'smartrecruiters', outcome: 'pushed' });
      if (pushed !== undefined || Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state.candidates.length, 1, `the flow pushed one candidate:\n${cli.output().slice(-2000)}`);
    assert.equal(pushed, 1, 'the push node\'s outcome reached the runtime\'s metrics');
    // The scraper's own token (adminAuth.tokens), as Prometheus sends it: `authorization: Bearer <token>`.
    const scraped = await scrape(PROMETHEUS_TOKEN);
    assert.equal(scraped.status, 200);
    const e = parseExposition(await scraped.text());
    assert.equal(sampleValue(e, 'hrflow_pushes_total', { vendor: 'smartrecruiters', outcome: 'pushed' }), 1);
    assert.equal(sampleValue(e, 'hrflow_push_duration_seconds_count', { vendor: 'smartrecruiters' }), 1);
    assert.equal(sampleValue(e, 'hrflow_outbox_pending'), 0);
  });
});
