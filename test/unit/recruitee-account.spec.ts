/**
 * Recruitee account: description, connection, readParams, Test connection and the offer list,
 * against the sandbox over real HTTP (127.0.0.1).
 */
import assert from 'node:assert/strict';
import { HttpClient } from '../../src/core/http';
import { validateAgainstSpec } from '../../src/sandbox';
import { RECRUITEE_OFFERS } from '../../src/sandbox/vendors/recruitee';
import { recruitee, RECRUITEE_ENDPOINTS, type RecruiteeConfig } from '../../src/vendors/recruitee';
import { freePort, rejects } from '../helpers/net';
import { useSandbox } from '../helpers/sandbox';

const ctx = useSandbox();

function account(config: RecruiteeConfig) {
  const http = new HttpClient({
    vendor: recruitee.id,
    ...recruitee.connection!(config),
    secretHeaders: recruitee.secretHeaders,
    timeoutMs: 2000,
    retries: 0,
  });
  return { http, config };
}

const config = (over: Partial<RecruiteeConfig> = {}): RecruiteeConfig => ({
  api_token: ctx.sb.credentials.recruiteeToken,
  company_id: ctx.sb.credentials.recruiteeCompany,
  recruitee_endpoint: ctx.sb.urls.recruitee,
  ...over,
});

/** The offers a picker shows: every one but the archived one. */
const NOT_ARCHIVED = RECRUITEE_OFFERS.filter((o) => o.status !== 'archived');

describe('Recruitee account (description, Test connection, offer picker)', () => {
  describe('description', () => {
    const d = recruitee.description!;

    it('has today\'s account fields, credential and defaults', () => {
      const byName = Object.fromEntries(d.account.fields.map((f) => [f.name, f]));
      assert.deepEqual(Object.keys(byName).sort(), ['api_token', 'company_id', 'recruitee_endpoint']);
      assert.equal(byName.api_token.credential, true);
      assert.equal(byName.api_token.input, 'password');
      assert.equal(byName.company_id.required, true);
      assert.equal(byName.company_id.credential, undefined);
      assert.equal(byName.recruitee_endpoint.default, RECRUITEE_ENDPOINTS.production);
      assert.equal(RECRUITEE_ENDPOINTS.production, 'https://api.recruitee.com/c');
      assert.deepEqual(byName.recruitee_endpoint.options?.map((o) => o.value), [RECRUITEE_ENDPOINTS.production, RECRUITEE_ENDPOINTS.staging]);
    });

    it('has today\'s offer_ids: an ids field with msg.offer_ids, the picker and today\'s check', () => {
      assert.deepEqual(d.params.map((f) => f.name), ['offer_ids']);
      const f = d.params[0];
      assert.equal(f.input, 'ids');
      assert.equal(f.msg, 'offer_ids');
      assert.equal(f.required, undefined);
      assert.equal(f.default, '');
      assert.equal(f.picker, 'jobs');
      const one = new RegExp(`^(?:${f.pattern})$`);
      assert.ok(one.test('123') && !one.test('abc') && !one.test('-1') && !one.test('1.5'));
      assert.ok(d.lists?.jobs && recruitee.lists?.jobs);
    });

    it('lists the error codes the push can raise: no PARTIAL_PUSH (one request), no other nodes\' codes', () => {
      for (const code of ['AUTH_FAILED', 'NOT_FOUND', 'INVALID_PROFILE', 'INVALID_CONFIG', 'VENDOR_REJECTED', 'OUTCOME_UNKNOWN', 'TIMEOUT'] as const) {
        assert.ok(d.errors.includes(code), code);
      }
      for (const code of ['PARTIAL_PUSH', 'HRFLOW_NOT_FOUND', 'LOGIC_ERROR', 'FORMAT_ERROR'] as const) assert.ok(!d.errors.includes(code), code);
    });

    it('has every text in English and French', () => {
      const texts = [d.outputLabel, d.account.test, ...Object.values(d.lists ?? {})];
      for (const f of [...d.account.fields, ...d.params]) {
        texts.push(...[f.label, f.placeholder, f.tip, f.help].filter((t) => t !== undefined), ...(f.options ?? []).map((o) => o.label));
      }
      for (const t of texts) assert.ok(t.en.trim() && t.fr.trim(), JSON.stringify(t));
    });
  });

  describe('connection and readParams', () => {
    it('binds the endpoint (production when blank) and the bearer token', () => {
      assert.deepEqual(recruitee.connection!({ api_token: 'tk', company_id: '1', recruitee_endpoint: RECRUITEE_ENDPOINTS.staging }), {
        baseUrl: RECRUITEE_ENDPOINTS.staging,
        headers: { Authorization: 'Bearer tk' },
      });
      assert.equal(recruitee.connection!({ api_token: 'tk', company_id: '1', recruitee_endpoint: '' }).baseUrl, RECRUITEE_ENDPOINTS.production);
    });

    it('reads offer_ids as today (string or array, deduplicated; non-numbers are INVALID_CONFIG)', () => {
      assert.deepEqual(recruitee.readParams!({ offer_ids: ' 101, 202 ,101' }), { offer_ids: [101, 202] });
      assert.deepEqual(recruitee.readParams!({ offer_ids: [303, '404'] }), { offer_ids: [303, 404] });
      assert.deepEqual(recruitee.readParams!({ offer_ids: '' }), { offer_ids: [] });
      assert.deepEqual(recruitee.readParams!({}), { offer_ids: [] });
      assert.throws(() => recruitee.readParams!({ offer_ids: 'abc' }), (e: any) => e.code === 'INVALID_CONFIG');
    });
  });

  describe('Test connection', () => {
    it('a good token reads the company\'s offers, nothing created', async () => {
      const res = await recruitee.testConnection!(account(config()));
      assert.equal(res.detail, `company ${ctx.sb.credentials.recruiteeCompany}: ${NOT_ARCHIVED.length} offers readable`);
      assert.equal(ctx.sb.state.recruitee.candidates.length, 0);
      assert.equal(ctx.sb.state.recruitee.requests, 1);
    });

    it('a wrong token is AUTH_FAILED, with the token masked', async () => {
      const err = await rejects(recruitee.testConnection!(account(config({ api_token: 'wrong-token-456' }))));
      assert.equal(err.code, 'AUTH_FAILED');
      assert.equal(err.vendor, 'recruitee');
      assert.ok(!JSON.stringify({ m: err.message, v: err.vendorMessage }).includes('wrong-token-456'));
    });

    it('an unknown company is NOT_FOUND', async () => {
      const err = await rejects(recruitee.testConnection!(account(config({ company_id: 'other-company' }))));
      assert.equal(err.code, 'NOT_FOUND');
      assert.equal(err.statusCode, 404);
    });

    it('a wrong endpoint is NOT_FOUND, NETWORK_ERROR where nothing listens, VENDOR_UNAVAILABLE for a page that is not Recruitee', async () => {
      let err = await rejects(recruitee.testConnection!(account(config({ recruitee_endpoint: `${ctx.sb.url}/nowhere` }))));
      assert.equal(err.code, 'NOT_FOUND');
      const port = await freePort();
      err = await rejects(recruitee.testConnection!(account(config({ recruitee_endpoint: `http://127.0.0.1:${port}/c` }))));
      assert.equal(err.code, 'NETWORK_ERROR');
      ctx.sb.setFault('recruitee', { mode: 'non-json', count: 1 });
      err = await rejects(recruitee.testConnection!(account(config())));
      assert.equal(err.code, 'VENDOR_UNAVAILABLE');
      assert.match(err.message, /not an offer list/);
    });

    it('a blank company id or token is INVALID_CONFIG before any request', async () => {
      for (const over of [{ company_id: ' ' }, { api_token: '' }]) {
        const err = await rejects(recruitee.testConnection!(account(config(over))));
        assert.equal(err.code, 'INVALID_CONFIG');
      }
      assert.equal(ctx.sb.state.recruitee.requests, 0);
    });
  });

  describe('lists.jobs', () => {
    it('lists jobs and talent pools, not archived, with numeric ids, title and status', async () => {
      const items = await recruitee.lists!.jobs(account(config()));
      assert.deepEqual(
        items,
        NOT_ARCHIVED.map((o) => ({ id: String(o.id), title: o.title, status: o.kind === 'talent_pool' ? `${o.status}, talent pool` : o.status })),
      );
      for (const i of items) assert.match(i.id, /^\d+$/);
      assert.ok(items.some((i) => i.id === '101') && items.some((i) => i.status === 'draft') && items.some((i) => i.status === 'closed'));
      // What the picker fills in is what the node reads.
      assert.deepEqual(recruitee.readParams!({ offer_ids: items.map((i) => i.id).join(', ') }).offer_ids, NOT_ARCHIVED.map((o) => o.id));
    });

    it('a wrong token is AUTH_FAILED', async () => {
      const err = await rejects(recruitee.lists!.jobs(account(config({ api_token: 'nope' }))));
      assert.equal(err.code, 'AUTH_FAILED');
    });
  });

  describe('sandbox GET /c/{company}/offers', () => {
    const get = (q: string, token = ctx.sb.credentials.recruiteeToken, company = ctx.sb.credentials.recruiteeCompany) =>
      fetch(`${ctx.sb.urls.recruitee}/${company}/offers${q}`, { headers: { Authorization: `Bearer ${token}` } });

    it('answers what the derived description says, filtered by scope and kind', async () => {
      let res = await get('');
      assert.equal(res.status, 200);
      let body = await res.json();
      const v = validateAgainstSpec('recruitee', 'OfferList', body);
      assert.ok(v.valid, JSON.stringify(v.errors));
      assert.equal(body.offers.length, RECRUITEE_OFFERS.length);
      res = await get('?scope=active&kind=job&view_mode=brief');
      body = await res.json();
      assert.deepEqual(body.offers.map((o: { id: number }) => o.id), [101, 202, 505]);
      assert.deepEqual(Object.keys(body.offers[0]).sort(), ['id', 'kind', 'status', 'title']);
    });

    it('refuses a bad token (401), an unknown company (404) and an unknown scope (400)', async () => {
      assert.equal((await get('', 'bad')).status, 401);
      assert.equal((await get('', undefined, 'nope')).status, 404);
      assert.equal((await get('?scope=everything')).status, 400);
    });
  });
});
