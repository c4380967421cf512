/**
 * SmartRecruiters account: description, connection, readParams, Test connection and the job list,
 * against the sandbox over real HTTP (127.0.0.1).
 */
import assert from 'node:assert/strict';
import { HttpClient } from '../../src/core/http';
import { validateAgainstSpec } from '../../src/sandbox';
import { SR_JOBS } from '../../src/sandbox/vendors/smartrecruiters';
import {
  smartrecruiters,
  SMARTRECRUITERS_DEFAULT_BASE_URL,
  type SmartRecruitersConfig,
} from '../../src/vendors/smartrecruiters';
import { freePort, rejects } from '../helpers/net';
import { useSandbox } from '../helpers/sandbox';

const ctx = useSandbox();

function account(config: SmartRecruitersConfig) {
  const http = new HttpClient({
    vendor: smartrecruiters.id,
    ...smartrecruiters.connection!(config),
    secretHeaders: smartrecruiters.secretHeaders,
    timeoutMs: 2000,
    retries: 0,
  });
  return { http, config };
}

const good = () => account({ x_smart_token: ctx.sb.credentials.smartToken, base_url: ctx.sb.urls.smartrecruiters });

describe('SmartRecruiters account (description, Test connection, job picker)', () => {
  describe('description', () => {
    const d = smartrecruiters.description!;

    it('has today\'s account fields, credential and defaults', () => {
      const byName = Object.fromEntries(d.account.fields.map((f) => [f.name, f]));
      assert.deepEqual(Object.keys(byName).sort(), ['base_url', 'x_smart_token']);
      assert.equal(byName.x_smart_token.credential, true);
      assert.equal(byName.x_smart_token.input, 'password');
      assert.equal(byName.base_url.credential, undefined);
      assert.equal(byName.base_url.default, SMARTRECRUITERS_DEFAULT_BASE_URL);
      assert.equal(SMARTRECRUITERS_DEFAULT_BASE_URL, 'https://api.smartrecruiters.com');
      assert.equal(byName.base_url.required, true);
    });

    it('has today\'s node parameters: job_id (msg.job_id, picker) and upload_cv (default true)', () => {
      const byName = Object.fromEntries(d.params.map((f) => [f.name, f]));
      assert.deepEqual(Object.keys(byName).sort(), ['job_id', 'upload_cv']);
      assert.equal(byName.job_id.msg, 'job_id');
      assert.equal(byName.job_id.required, undefined, 'msg.job_id may supply it: a hint, not an error');
      assert.equal(byName.job_id.picker, 'jobs');
      assert.equal(byName.job_id.default, '');
      assert.equal(byName.upload_cv.input, 'checkbox');
      assert.equal(byName.upload_cv.default, true);
      assert.ok(d.lists?.jobs, 'the picker list has a title');
      assert.ok(smartrecruiters.lists?.jobs, 'and the module reads it');
    });

    it('lists the error codes the push can raise, not the other nodes\' ones', () => {
      for (const code of ['AUTH_FAILED', 'NOT_FOUND', 'INVALID_PROFILE', 'INVALID_CONFIG', 'PARTIAL_PUSH', 'OUTCOME_UNKNOWN', 'TIMEOUT'] as const) {
        assert.ok(d.errors.includes(code), code);
      }
      for (const code of ['HRFLOW_NOT_FOUND', 'LOGIC_ERROR', 'FORMAT_ERROR'] as const) assert.ok(!d.errors.includes(code), code);
      assert.equal(new Set(d.errors).size, d.errors.length);
    });

    it('has every text in English and French', () => {
      const texts = [d.outputLabel, d.account.test, ...Object.values(d.lists ?? {})];
      for (const f of [...d.account.fields, ...d.params]) texts.push(...[f.label, f.placeholder, f.tip, f.help].filter((t) => t !== undefined));
      for (const t of texts) {
        assert.ok(t.en.trim() && t.fr.trim(), JSON.stringify(t));
      }
      assert.equal(d.color, '#8FB5E3');
    });
  });

  describe('connection and readParams', () => {
    it('binds the base URL (default when blank) and the X-SmartToken', () => {
      assert.deepEqual(smartrecruiters.connection!({ x_smart_token: 't0k', base_url: 'http://127.0.0.1:1/sr' }), {
        baseUrl: 'http://127.0.0.1:1/sr',
        headers: { 'X-SmartToken': 't0k' },
      });
      assert.equal(smartrecruiters.connection!({ x_smart_token: 't0k', base_url: '  ' }).baseUrl, SMARTRECRUITERS_DEFAULT_BASE_URL);
      assert.equal(smartrecruiters.connection!({ x_smart_token: 't0k' }).baseUrl, SMARTRECRUITERS_DEFAULT_BASE_URL);
    });

    it('reads job_id (trimmed, numbers as strings) and upload_cv as today', () => {
      assert.deepEqual(smartrecruiters.readParams!({ job_id: ' job-1 ', upload_cv: true }), { job_id: 'job-1', upload_cv: true });
      assert.deepEqual(smartrecruiters.readParams!({ job_id: 42, upload_cv: 'false' }), { job_id: '42', upload_cv: false });
      assert.deepEqual(smartrecruiters.readParams!({ job_id: undefined, upload_cv: undefined }), { job_id: '', upload_cv: true });
      assert.deepEqual(smartrecruiters.readParams!({ job_id: '', upload_cv: false }), { job_id: '', upload_cv: false });
    });
  });

  describe('Test connection', () => {
    it('a good token reads one job: the count of jobs', async () => {
      const before = ctx.sb.state.smartrecruiters.requests;
      const res = await smartrecruiters.testConnection!(good());
      assert.equal(res.detail, `${SR_JOBS.length} jobs readable`);
      assert.equal(res.offline, undefined);
      assert.equal(ctx.sb.state.smartrecruiters.requests, before + 1, 'one request');
      assert.equal(ctx.sb.state.smartrecruiters.candidates.length, 0, 'nothing created');
    });

    it('a wrong token is AUTH_FAILED, with the token masked', async () => {
      const err = await rejects(smartrecruiters.testConnection!(account({ x_smart_token: 'wrong-token-123', base_url: ctx.sb.urls.smartrecruiters })));
      assert.equal(err.code, 'AUTH_FAILED');
      assert.equal(err.statusCode, 401);
      assert.equal(err.vendor, 'smartrecruiters');
      assert.ok(!JSON.stringify({ m: err.message, v: err.vendorMessage }).includes('wrong-token-123'));
    });

    it('a base URL that is not the SmartRecruiters API is NOT_FOUND, never "connected"', async () => {
      // The sandbox itself, without the /smartrecruiters prefix: not a SmartRecruiters route.
      const err = await rejects(smartrecruiters.testConnection!(account({ x_smart_token: ctx.sb.credentials.smartToken, base_url: `${ctx.sb.url}/nowhere` })));
      assert.equal(err.code, 'NOT_FOUND');
    });

    it('a 200 answer that is not a job list (a portal page) is VENDOR_UNAVAILABLE, not "connected"', async () => {
      ctx.sb.setFault('smartrecruiters', { mode: 'non-json', count: 1 });
      const err = await rejects(smartrecruiters.testConnection!(good()));
      assert.equal(err.code, 'VENDOR_UNAVAILABLE');
      assert.match(err.message, /not a job list/);
    });

    it('a base URL where nothing listens is NETWORK_ERROR', async () => {
      const port = await freePort();
      const err = await rejects(smartrecruiters.testConnection!(account({ x_smart_token: 'x', base_url: `http://127.0.0.1:${port}` })));
      assert.equal(err.code, 'NETWORK_ERROR');
    });
  });

  describe('lists.jobs', () => {
    it('lists the seeded jobs with title and status (the draft and the filled one too)', async () => {
      const items = await smartrecruiters.lists!.jobs(good());
      assert.deepEqual(
        items,
        SR_JOBS.map((j) => ({ id: j.id, title: j.name, status: j.status })),
      );
      assert.ok(items.some((i) => i.id === 'demo-job-1'), 'the demo flow\'s job');
      assert.ok(items.some((i) => i.status === 'CREATED') && items.some((i) => i.status === 'FILLED'));
    });

    it('follows the pages and stops at 200 items', async () => {
      // A fake SmartRecruiters that holds 450 jobs, paged as the real one (limit at most 100).
      const http = await import('node:http');
      const seen: string[] = [];
      const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        seen.push(`${req.headers['x-smarttoken']} ${url.search}`);
        const limit = Math.min(100, Number(url.searchParams.get('limit')));
        const offset = Number(url.searchParams.get('offset'));
        const content = [];
        for (let i = offset; i < Math.min(450, offset + limit); i++) content.push({ id: `job-${i}`, name: `Job ${i}`, status: 'SOURCING' });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ totalFound: 450, offset, limit, content }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as { port: number }).port;
        const items = await smartrecruiters.lists!.jobs(account({ x_smart_token: 'tok', base_url: `http://127.0.0.1:${port}` }));
        assert.equal(items.length, 200);
        assert.equal(items[199].id, 'job-199');
        assert.deepEqual(seen, ['tok ?limit=100&offset=0', 'tok ?limit=100&offset=100']);
      } finally {
        await new Promise((r) => server.close(r));
      }
    });

    it('a wrong token is AUTH_FAILED', async () => {
      const err = await rejects(smartrecruiters.lists!.jobs(account({ x_smart_token: 'nope', base_url: ctx.sb.urls.smartrecruiters })));
      assert.equal(err.code, 'AUTH_FAILED');
    });
  });

  describe('sandbox GET /jobs', () => {
    it('answers what the derived Job API description says, and refuses a limit above 100', async () => {
      const get = (q: string, token = ctx.sb.credentials.smartToken) =>
        fetch(`${ctx.sb.urls.smartrecruiters}/jobs${q}`, { headers: { 'X-SmartToken': token } });
      let res = await get('?limit=2&offset=1');
      assert.equal(res.status, 200);
      const body = await res.json();
      const v = validateAgainstSpec('smartrecruiters', 'JobSummaryList', body);
      assert.ok(v.valid, JSON.stringify(v.errors));
      assert.deepEqual(body.content.map((j: { id: string }) => j.id), SR_JOBS.slice(1, 3).map((j) => j.id));
      assert.equal(body.totalFound, SR_JOBS.length);
      res = await get('?limit=101');
      assert.equal(res.status, 400);
      res = await get('?limit=1', 'bad');
      assert.equal(res.status, 401);
      res = await get('?status=FILLED');
      assert.deepEqual((await res.json()).content.map((j: { id: string }) => j.id), ['demo-job-closed']);
    });
  });
});
