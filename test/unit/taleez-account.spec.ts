/**
 * The Taleez account as the editor uses it: Test connection, the jobs and pools pickers, readParams and
 * the description, against the started sandbox with a real HttpClient bound via `taleez.connection`.
 */
import assert from 'node:assert/strict';
import { HttpClient } from '../../src/core/http';
import { ErrorCodes } from '../../src/core/errors';
import { validateAgainstSpec } from '../../src/sandbox';
import { TALEEZ_JOBS, TALEEZ_POOLS } from '../../src/sandbox/vendors/taleez';
import { taleez, TALEEZ_DEFAULT_BASE_URL, type TaleezConfig } from '../../src/vendors/taleez';
import { freePort, rejects } from '../helpers/net';
import { useSandbox } from '../helpers/sandbox';

describe('Taleez account (Test connection, pickers, readParams, description)', () => {
  const ctx = useSandbox();
  const account = (over: Partial<TaleezConfig> = {}): { http: HttpClient; config: TaleezConfig } => {
    const config: TaleezConfig = { x_taleez_api_secret: ctx.sb.credentials.taleezSecret, base_url: ctx.sb.urls.taleez, ...over };
    const http = new HttpClient({ vendor: taleez.id, retries: 0, timeoutMs: 5000, secretHeaders: taleez.secretHeaders, ...taleez.connection!(config) });
    return { http, config };
  };

  describe('testConnection', () => {
    it('reads one page of one job with a good secret, and creates nothing', async () => {
      const result = await taleez.testConnection!(account());
      assert.equal(result.detail, `${TALEEZ_JOBS.length} jobs readable`);
      assert.equal(result.offline, undefined);
      assert.equal(ctx.sb.state.taleez.candidates.length, 0);
      assert.equal(ctx.sb.state.taleez.requests, 1);
    });

    it('a wrong secret is AUTH_FAILED, and the secret is not in the message', async () => {
      const err = await rejects(taleez.testConnection!(account({ x_taleez_api_secret: 'not-the-secret-42' })));
      assert.equal(err.code, ErrorCodes.AUTH_FAILED);
      assert.equal(err.statusCode, 401);
      assert.equal(err.vendor, 'taleez');
      assert.doesNotMatch(`${err.message} ${JSON.stringify(err)}`, /not-the-secret-42/);
    });

    it('a base URL without the API (wrong path) is NOT_FOUND', async () => {
      const err = await rejects(taleez.testConnection!(account({ base_url: `${ctx.sb.url}/taleez/9` })));
      assert.equal(err.code, ErrorCodes.NOT_FOUND);
    });

    it('a base URL where nothing listens is NETWORK_ERROR', async () => {
      const port = await freePort();
      const err = await rejects(taleez.testConnection!(account({ base_url: `http://127.0.0.1:${port}/0` })));
      assert.equal(err.code, ErrorCodes.NETWORK_ERROR);
    });
  });

  describe('lists', () => {
    it('jobs: every seeded job with its id, label and status (a draft without label gets its id as title)', async () => {
      const items = await taleez.lists!.jobs(account());
      assert.deepEqual(
        items,
        TALEEZ_JOBS.map((j) => ({ id: String(j.id), title: j.label ?? `#${j.id}`, status: j.status })),
      );
      assert.ok(items.some((i) => i.id === '101' && i.status === 'PUBLISHED'), 'the demo flow job 101 is listed');
      assert.ok(items.some((i) => i.status === 'DRAFT'));
    });

    it('pools: every seeded pool (the demo flow pool 201 included)', async () => {
      const items = await taleez.lists!.pools(account());
      assert.deepEqual(items, TALEEZ_POOLS.map((p) => ({ id: String(p.id), title: p.name })));
      assert.ok(items.some((i) => i.id === '201'));
    });

    it('a wrong secret is AUTH_FAILED for the lists too', async () => {
      for (const list of ['jobs', 'pools']) {
        const err = await rejects(taleez.lists![list](account({ x_taleez_api_secret: 'wrong' })));
        assert.equal(err.code, ErrorCodes.AUTH_FAILED, list);
      }
    });

    it('the sandbox answers are Taleez JobList / PoolList (spec 0.4.0)', async () => {
      const { http } = account();
      const pools = await http.request({ method: 'GET', url: 'pools', params: { page: 0, pageSize: 100 } });
      assert.deepEqual(validateAgainstSpec('taleez', 'PoolList', pools.data).errors, []);
      const jobs = await http.request<{ list: Array<{ status: string }> }>({ method: 'GET', url: 'jobs', params: { page: 0, pageSize: 2 } });
      assert.equal(jobs.data.list.length, 2);
      // (A draft's label is null, which the spec allows in words only: "Can be null if job is in DRAFT status".)
      assert.deepEqual(validateAgainstSpec('taleez', 'JobList', jobs.data).errors, []);
      for (const j of jobs.data.list) assert.ok(['DRAFT', 'PUBLISHED', 'DONE', 'SUSPENDED'].includes(j.status));
    });

    it('the sandbox refuses a page size Taleez refuses', async () => {
      const err = await rejects(account().http.request({ method: 'GET', url: 'jobs', params: { pageSize: 101 } }));
      assert.equal(err.code, ErrorCodes.VENDOR_REJECTED);
    });
  });

  describe('readParams', () => {
    it('reads ids from strings and numbers, ids lists from "12, 34" or arrays', () => {
      assert.deepEqual(taleez.readParams!({ recruiter_id: ' 7 ', job_id: 101, pool_ids: '201, 202,201' }), {
        recruiter_id: 7,
        job_id: 101,
        pool_ids: [201, 202],
      });
      assert.deepEqual(taleez.readParams!({ recruiter_id: '1', job_id: '', pool_ids: [201, '202'] }), { recruiter_id: 1, job_id: undefined, pool_ids: [201, 202] });
      assert.deepEqual(taleez.readParams!({}), { recruiter_id: undefined, job_id: undefined, pool_ids: [] });
    });

    it('a value that is not a whole number > 0 is INVALID_CONFIG naming the field', () => {
      assert.throws(() => taleez.readParams!({ recruiter_id: 'abc' }), (e: any) => e.code === ErrorCodes.INVALID_CONFIG && /recruiter id/.test(e.message));
      assert.throws(() => taleez.readParams!({ recruiter_id: '1', job_id: '0' }), (e: any) => e.code === ErrorCodes.INVALID_CONFIG && /job id/.test(e.message));
      assert.throws(() => taleez.readParams!({ recruiter_id: '1', pool_ids: '12, x' }), (e: any) => e.code === ErrorCodes.INVALID_CONFIG && /pool id/.test(e.message));
    });
  });

  describe('description', () => {
    const d = taleez.description!;
    const field = (list: typeof d.params, name: string) => {
      const f = list.find((x) => x.name === name);
      assert.ok(f, name);
      return f;
    };

    it('has today\'s account fields and credential, with today\'s defaults', () => {
      assert.deepEqual(d.account.fields.map((f) => f.name).sort(), ['base_url', 'rate_limit', 'x_taleez_api_secret']);
      const secret = field(d.account.fields, 'x_taleez_api_secret');
      assert.equal(secret.credential, true);
      assert.equal(secret.input, 'password');
      assert.equal(secret.required, true);
      assert.equal(field(d.account.fields, 'base_url').default, TALEEZ_DEFAULT_BASE_URL);
      assert.equal(field(d.account.fields, 'base_url').credential, undefined);
      assert.equal(field(d.account.fields, 'rate_limit').default, '');
    });

    it('has today\'s node parameters, each overridable by its msg property, with pickers on job and pools', () => {
      assert.deepEqual(d.params.map((f) => [f.name, f.msg, f.default, f.picker]), [
        ['recruiter_id', 'recruiter_id', '', undefined],
        ['job_id', 'job_id', '', 'jobs'],
        ['pool_ids', 'pool_ids', '', 'pools'],
      ]);
      for (const f of d.params) assert.notEqual(f.required, true, `${f.name}: msg may supply it`);
      for (const name of Object.values(d.params).map((f) => f.picker).filter(Boolean)) assert.ok(taleez.lists?.[name!] && d.lists?.[name!], name);
    });

    it('the id pattern is the one readParams accepts', () => {
      const re = new RegExp(`^(?:${field(d.params, 'job_id').pattern})$`);
      for (const ok of ['1', '101', '007']) assert.ok(re.test(ok), ok);
      for (const bad of ['0', '-1', '1.5', 'x', '']) assert.ok(!re.test(bad), bad);
    });

    it('every text is in English and French', () => {
      const texts = [d.outputLabel, d.account.test, ...Object.values(d.lists ?? {})];
      for (const f of [...d.account.fields, ...d.params]) texts.push(...[f.label, f.placeholder, f.tip, f.help].filter((t): t is { en: string; fr: string } => !!t));
      for (const t of texts) {
        assert.ok(t.en.trim() && t.fr.trim(), JSON.stringify(t));
      }
    });

    it('lists exactly the errors the push can raise', () => {
      assert.ok(d.errors.includes(ErrorCodes.PARTIAL_PUSH));
      assert.ok(d.errors.includes(ErrorCodes.OUTCOME_UNKNOWN));
      for (const c of [ErrorCodes.LOGIC_ERROR, ErrorCodes.FORMAT_ERROR, ErrorCodes.HRFLOW_NOT_FOUND]) assert.ok(!d.errors.includes(c), c);
      assert.equal(new Set(d.errors).size, d.errors.length);
    });
  });
});
