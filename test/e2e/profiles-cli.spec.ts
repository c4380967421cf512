/**
 * hrflow-profiles in a real Node-RED CLI (NODE_RED_PATH's under the Node-RED 5 leg): the node follows its
 * messages through the RED.hooks the runtime gives it, so its backpressure holds outside the test helper.
 * inject (once) → hrflow-profiles (sync, pages of 10) → hrflow-smartrecruiters paced by the emulated ATS
 * (40/s): every profile once at the ATS, and each listing request made only once the pushes of what was
 * listed before (but less than a page) completed, compared at the sandbox.
 */
import assert from 'node:assert/strict';
import { createSandbox, type Sandbox } from '../../src/sandbox';
import { startCli, type Cli } from '../helpers/cli';
import { assertListingsPaced } from '../helpers/profiles-source';

const RATE = 40;
const TOTAL = 120;
const PAGE = 10;
const SOURCE = 'src-e2e-profiles';

describe('e2e: hrflow-profiles in a real Node-RED (backpressure through RED.hooks)', function () {
  this.timeout(90_000);
  let sb: Sandbox;
  let cli: Cli;

  before(async () => {
    sb = await createSandbox({ port: 0, quiet: true, generatedProfiles: 0, rateLimits: { smartrecruiters: { perSecond: RATE, concurrent: 8 } } });
    sb.addProfiles(TOTAL, { sourceKey: SOURCE, createdAt: '2024-11-01T08:00:00Z', prefix: 'e2e' });
    const c = sb.credentials;
    const at = { z: 't1', x: 100, y: 100 };
    const flows = [
      { id: 't1', type: 'tab', label: 'source' },
      { id: 'api', type: 'hrflow-api', name: 'HrFlow', base_url: sb.urls.hrflow },
      { id: 'sr', type: 'hrflow-smartrecruiters-config', name: 'SR', base_url: sb.urls.smartrecruiters, rate_limit: RATE },
      { id: 'go', type: 'inject', ...at, props: [{ p: 'payload' }], repeat: '', crontab: '', once: true, onceDelay: 0.5, topic: '', payload: '', payloadType: 'date', wires: [['src']] },
      { id: 'src', type: 'hrflow-profiles', ...at, api: 'api', source_keys: SOURCE, read_mode: 'sync', workflow_id: 'e2e', interval: 0, page_size: PAGE, sort_by: 'created_at', wires: [['push'], ['sum']] },
      { id: 'push', type: 'hrflow-smartrecruiters', ...at, account: 'sr', job_id: 'job-42', upload_cv: false, on_duplicate: 'skip', timeout: 30000, retries: 3, retry_delay: 100, wires: [[]] },
      { id: 'sum', type: 'debug', ...at, name: 'summary', active: true, tosidebar: false, console: true, tostatus: false, complete: 'payload', targetType: 'msg', wires: [] },
    ];
    cli = await startCli({ name: 'hrflow-profiles-e2e', flows, credentials: { api: { api_secret: c.hrflowApiKey, api_user: c.hrflowUser }, sr: { x_smart_token: c.smartToken } } });
  });

  after(async () => {
    await cli?.stop();
    await sb?.close();
  });

  it('every profile reaches the ATS once, each page read only as the pushes of the pages before complete', async () => {
    const candidates = sb.state.smartrecruiters.candidates;
    for (let i = 0; i < 600 && !/emitted['"]?:\s*120\b/.test(cli.output()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(cli.output(), /emitted['"]?:\s*120\b/, cli.output().slice(-2000));
    assert.doesNotMatch(cli.output(), /no RED\.hooks/);
    assert.equal(candidates.length, TOTAL);
    assertListingsPaced(sb, 'smartrecruiters', PAGE, TOTAL / PAGE);
  });
});
