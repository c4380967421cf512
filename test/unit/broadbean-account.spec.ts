/**
 * The Broadbean account as the editor uses it: an offline Test connection (the Candidate Hub has no
 * harmless read), readParams, the description, and the push through a client bound via
 * `broadbean.connection` (signed on every attempt), against the started sandbox.
 */
import assert from 'node:assert/strict';
import { HttpClient } from '../../src/core/http';
import { ErrorCodes } from '../../src/core/errors';
import { broadbean, broadbeanSignature, BROADBEAN_DEFAULT_BASE_URL, type BroadbeanConfig } from '../../src/vendors/broadbean';
import { rejects } from '../helpers/net';
import { useSandbox } from '../helpers/sandbox';

describe('Broadbean account (offline Test connection, readParams, description, bound client)', () => {
  const ctx = useSandbox();
  const account = (over: Partial<BroadbeanConfig> = {}, retries = 0): { http: HttpClient; config: BroadbeanConfig } => {
    const sb = ctx.sb;
    const config: BroadbeanConfig = {
      secret_key: sb.credentials.broadbeanSecret,
      source_id: sb.credentials.broadbeanSourceId,
      client_id: sb.credentials.broadbeanClientId,
      base_url: sb.urls.broadbean,
      ...over,
    };
    const http = new HttpClient({ vendor: broadbean.id, retries, retryDelayMs: 1, timeoutMs: 5000, secretHeaders: broadbean.secretHeaders, ...broadbean.connection!(config) });
    return { http, config };
  };

  describe('testConnection (offline)', () => {
    it('sends nothing and says what was checked', async () => {
      const result = await broadbean.testConnection!(account());
      assert.equal(result.offline, true);
      assert.match(result.detail, /nothing sent/);
      assert.match(result.detail, /signature computed/);
      assert.ok(result.detail.includes(new URL(ctx.sb.urls.broadbean).host));
      assert.equal(ctx.sb.state.broadbean.requests, 0);
      assert.equal(ctx.sb.state.broadbean.candidates.length, 0);
    });

    it('cannot tell a wrong secret (no request): the detail never contains the secret', async () => {
      const result = await broadbean.testConnection!(account({ secret_key: 'wrong-secret-42' }));
      assert.equal(result.offline, true);
      assert.doesNotMatch(result.detail, /wrong-secret-42/);
    });

    it('a missing field is INVALID_CONFIG naming every missing one', async () => {
      const err = await rejects(broadbean.testConnection!(account({ secret_key: '', client_id: ' ' })));
      assert.equal(err.code, ErrorCodes.INVALID_CONFIG);
      assert.match(err.message, /client id, secret key are missing/);
      const one = await rejects(broadbean.testConnection!(account({ source_id: '' })));
      assert.match(one.message, /source id is missing/);
    });

    it('a base URL that is not an http(s) URL is INVALID_CONFIG', async () => {
      for (const base_url of ['not a url', 'ftp://candidatehub.example']) {
        const err = await rejects(broadbean.testConnection!(account({ base_url })));
        assert.equal(err.code, ErrorCodes.INVALID_CONFIG, base_url);
      }
    });
  });

  describe('connection', () => {
    it('signs each attempt: source, time and the HMAC of "source|time" keyed by the secret', () => {
      const { config } = account();
      const c = broadbean.connection!(config);
      assert.equal(c.baseUrl, ctx.sb.urls.broadbean);
      assert.equal(typeof c.headers, 'function');
      const h = (c.headers as () => Record<string, string>)();
      assert.equal(h['X-CHUB-SOURCE'], config.source_id);
      assert.equal(h['X-CHUB-SIGNATURE'], broadbeanSignature(config.secret_key, config.source_id, Number(h['X-CHUB-SIGNATURE-TIME'])));
      assert.ok(Math.abs(Number(h['X-CHUB-SIGNATURE-TIME']) - Date.now() / 1000) < 5);
      assert.equal(broadbean.connection!({ ...config, base_url: '' }).baseUrl, BROADBEAN_DEFAULT_BASE_URL);
    });

    it('the push goes through the bound client: accepted with the right secret, AUTH_FAILED with a wrong one (redacted)', async () => {
      const params = broadbean.readParams!({ job_id: ' job-1 ' });
      const payload = { candidate: { name: 'Camille Durand', email: 'camille.durand@example.com' } };
      const files = new HttpClient({ vendor: 'hrflow', retries: 0 });
      const ok = await broadbean.push({ ...account(), files, params }, payload);
      assert.equal(ok.steps[0].status, 'done');
      assert.ok(ok.candidateId);
      assert.equal(ctx.sb.state.broadbean.candidates.length, 1);
      const err = await rejects(broadbean.push({ ...account({ secret_key: 'wrong-secret-42' }), files, params }, payload));
      assert.equal(err.code, ErrorCodes.AUTH_FAILED);
      assert.doesNotMatch(`${err.message} ${JSON.stringify(err)}`, /wrong-secret-42/);
    });
  });

  describe('readParams', () => {
    it('trims; optional context values are absent when blank', () => {
      assert.deepEqual(broadbean.readParams!({ job_id: ' J1 ', shortlist_id: ' S2 ', aplitrak_email_address: ' a@b.io ' }), {
        job_id: 'J1',
        shortlist_id: 'S2',
        aplitrak_email_address: 'a@b.io',
      });
      assert.deepEqual(broadbean.readParams!({ job_id: 42, shortlist_id: ' ' }), { job_id: '42', shortlist_id: undefined, aplitrak_email_address: undefined });
      assert.deepEqual(broadbean.readParams!({}), { job_id: '', shortlist_id: undefined, aplitrak_email_address: undefined });
    });
  });

  describe('description', () => {
    const d = broadbean.description!;
    const field = (list: typeof d.params, name: string) => {
      const f = list.find((x) => x.name === name);
      assert.ok(f, name);
      return f;
    };

    it('has today\'s account fields and credential, with today\'s defaults', () => {
      assert.deepEqual(d.account.fields.map((f) => f.name).sort(), ['base_url', 'client_id', 'secret_key', 'source_id']);
      const secret = field(d.account.fields, 'secret_key');
      assert.equal(secret.credential, true);
      assert.equal(secret.input, 'password');
      for (const name of ['source_id', 'client_id', 'secret_key', 'base_url']) assert.equal(field(d.account.fields, name).required, true, name);
      assert.equal(field(d.account.fields, 'base_url').default, BROADBEAN_DEFAULT_BASE_URL);
    });

    it('has today\'s node parameters, each overridable by its msg property; no picker (no readable job list)', () => {
      assert.deepEqual(d.params.map((f) => [f.name, f.input, f.default, f.msg]), [
        ['job_id', 'text', '', 'job_id'],
        ['shortlist_id', 'text', '', 'shortlist_id'],
        ['aplitrak_email_address', 'email', '', 'aplitrak_email_address'],
      ]);
      for (const f of d.params) {
        assert.equal(f.picker, undefined, f.name);
        assert.notEqual(f.required, true, f.name);
      }
      assert.equal(broadbean.lists, undefined);
      assert.equal(d.lists, undefined);
    });

    it('every text is in English and French', () => {
      const texts = [d.outputLabel, d.account.test];
      for (const f of [...d.account.fields, ...d.params]) texts.push(...[f.label, f.placeholder, f.tip, f.help].filter((t): t is { en: string; fr: string } => !!t));
      for (const t of texts) assert.ok(t.en.trim() && t.fr.trim(), JSON.stringify(t));
    });

    it('lists the errors the push can raise: OUTCOME_UNKNOWN, no PARTIAL_PUSH (one request)', () => {
      assert.ok(d.errors.includes(ErrorCodes.OUTCOME_UNKNOWN));
      assert.ok(d.errors.includes(ErrorCodes.VENDOR_REJECTED));
      for (const c of [ErrorCodes.PARTIAL_PUSH, ErrorCodes.LOGIC_ERROR, ErrorCodes.FORMAT_ERROR, ErrorCodes.HRFLOW_NOT_FOUND]) assert.ok(!d.errors.includes(c), c);
    });
  });
});
