/**
 * The Flatchr account as the editor uses it: Test connection, the vacancy picker, readParams and the
 * description, against the started sandbox with a real HttpClient bound via `flatchr.connection`.
 */
import assert from 'node:assert/strict';
import { HttpClient } from '../../src/core/http';
import { ErrorCodes } from '../../src/core/errors';
import { validateAgainstSpec, type FlatchrState } from '../../src/sandbox';
import { FLATCHR_VACANCIES } from '../../src/sandbox/vendors/flatchr';
import { flatchr, FLATCHR_DEFAULT_BASE_URL, FLATCHR_DEFAULT_CAREERS_URL, type FlatchrConfig } from '../../src/vendors/flatchr';
import { freePort, rejects } from '../helpers/net';
import { useSandbox } from '../helpers/sandbox';

describe('Flatchr account (Test connection, vacancy picker, readParams, description)', () => {
  const ctx = useSandbox();
  const account = (over: Partial<FlatchrConfig> = {}): { http: HttpClient; config: FlatchrConfig } => {
    const sb = ctx.sb;
    const config: FlatchrConfig = {
      auth: sb.credentials.flatchrApiKey,
      company: sb.credentials.flatchrCompany,
      careers_url: sb.urls.flatchr,
      base_url: sb.urls.flatchrApi,
      ...over,
    };
    const http = new HttpClient({ vendor: flatchr.id, retries: 0, timeoutMs: 5000, secretHeaders: flatchr.secretHeaders, ...flatchr.connection!(config) });
    return { http, config };
  };
  const nothingCreated = () => {
    const st = ctx.sb.state.flatchr as FlatchrState;
    assert.equal(st.candidates.length, 0);
    assert.equal(st.tests, 0);
  };

  describe('testConnection', () => {
    it('reads the company\'s vacancies with a good key, and creates nothing', async () => {
      const result = await flatchr.testConnection!(account());
      assert.equal(result.detail, `${FLATCHR_VACANCIES.length} vacancies readable (company ${ctx.sb.credentials.flatchrCompany})`);
      assert.equal(result.offline, undefined);
      assert.equal(ctx.sb.state.flatchr.requests, 1);
      nothingCreated();
    });

    it('a wrong key is AUTH_FAILED, and the key is not in the message', async () => {
      const err = await rejects(flatchr.testConnection!(account({ auth: 'not-the-key-42' })));
      assert.equal(err.code, ErrorCodes.AUTH_FAILED);
      assert.equal(err.statusCode, 401);
      assert.equal(err.vendor, 'flatchr');
      assert.doesNotMatch(`${err.message} ${JSON.stringify(err)}`, /not-the-key-42/);
    });

    it('an unknown company is NOT_FOUND', async () => {
      const err = await rejects(flatchr.testConnection!(account({ company: 'NoSuchCompany000' })));
      assert.equal(err.code, ErrorCodes.NOT_FOUND);
    });

    it('an API URL where nothing listens is NETWORK_ERROR', async () => {
      const port = await freePort();
      const err = await rejects(flatchr.testConnection!(account({ base_url: `http://127.0.0.1:${port}` })));
      assert.equal(err.code, ErrorCodes.NETWORK_ERROR);
    });

    it('without a company id: sends nothing, says the key was not checked (offline), creates nothing', async () => {
      const result = await flatchr.testConnection!(account({ company: '' }));
      assert.equal(result.offline, true);
      assert.match(result.detail, /not checked/);
      assert.match(result.detail, /company id/);
      assert.equal(ctx.sb.state.flatchr.requests, 0);
      nothingCreated();
    });

    it('without a company id nor a key: INVALID_CONFIG', async () => {
      const err = await rejects(flatchr.testConnection!(account({ company: '', auth: '' })));
      assert.equal(err.code, ErrorCodes.INVALID_CONFIG);
    });
  });

  describe('lists.jobs', () => {
    it('offers each vacancy with its slug as id (what the Vacancy field takes), title and status', async () => {
      const items = await flatchr.lists!.jobs(account());
      assert.deepEqual(items, FLATCHR_VACANCIES.map((v) => ({ id: v.slug, title: v.title, status: String(v.status) })));
      assert.ok(items.some((i) => i.id === 'demo-developer-h-f'), 'the demo flow vacancy is listed');
      nothingCreated();
    });

    it('needs the company id (INVALID_CONFIG, nothing sent) and a good key (AUTH_FAILED)', async () => {
      const noCompany = await rejects(flatchr.lists!.jobs(account({ company: ' ' })));
      assert.equal(noCompany.code, ErrorCodes.INVALID_CONFIG);
      assert.equal(ctx.sb.state.flatchr.requests, 0);
      const badKey = await rejects(flatchr.lists!.jobs(account({ auth: 'wrong' })));
      assert.equal(badKey.code, ErrorCodes.AUTH_FAILED);
    });

    it('the sandbox answer is a VacancyList (specs/flatchr/flatchr-reads.derived.openapi.yaml)', async () => {
      const res = await account().http.request({ method: 'GET', url: `company/${ctx.sb.credentials.flatchrCompany}/vacancies` });
      assert.deepEqual(validateAgainstSpec('flatchr', 'VacancyList', res.data).errors, []);
      assert.notDeepEqual(validateAgainstSpec('flatchr', 'VacancyList', [{ id: 1 }]).errors, []);
    });
  });

  describe('push through the bound client', () => {
    it('creates on the careers host and looks the applicant up on the API host, the key sent by the binding', async () => {
      const { http, config } = account();
      const params = flatchr.readParams!({ vacancy: ' demo-developer-h-f ', lookup_id: 'true' });
      const payload = { vacancy: params.vacancy, firstname: 'Camille', lastname: 'Durand', email: 'camille@example.com', type: 'link' as const, resume: 'https://files.example.com/cv.pdf' };
      const files = new HttpClient({ vendor: 'hrflow', retries: 0 });
      const result = await flatchr.push({ http, files, config, params }, payload);
      assert.equal(result.steps[0].step, 'create');
      assert.equal(result.steps[1].step, 'lookup_id');
      assert.equal(result.steps[1].status, 'done');
      assert.ok(result.candidateId);
    });
  });

  describe('readParams', () => {
    it('trims the vacancy and reads booleans and the CV mode as the editor stores them', () => {
      assert.deepEqual(flatchr.readParams!({ vacancy: ' a1-dev-h-f ', test_mode: 'true', cv_mode: 'document', lookup_id: true }), {
        vacancy: 'a1-dev-h-f',
        test_mode: true,
        cv_mode: 'document',
        lookup_id: true,
      });
      assert.deepEqual(flatchr.readParams!({}), { vacancy: '', test_mode: false, cv_mode: 'link', lookup_id: false });
      assert.deepEqual(flatchr.readParams!({ vacancy: 12, test_mode: 'false', cv_mode: 'other', lookup_id: 'yes' }), {
        vacancy: '12',
        test_mode: false,
        cv_mode: 'link',
        lookup_id: false,
      });
    });
  });

  describe('description', () => {
    const d = flatchr.description!;
    const field = (list: typeof d.params, name: string) => {
      const f = list.find((x) => x.name === name);
      assert.ok(f, name);
      return f;
    };

    it('has today\'s account fields and credential, with today\'s defaults', () => {
      assert.deepEqual(d.account.fields.map((f) => f.name).sort(), ['auth', 'base_url', 'careers_url', 'company']);
      const key = field(d.account.fields, 'auth');
      assert.equal(key.credential, true);
      assert.equal(key.input, 'password');
      assert.equal(key.required, true);
      assert.equal(field(d.account.fields, 'company').default, '');
      assert.notEqual(field(d.account.fields, 'company').required, true);
      assert.equal(field(d.account.fields, 'careers_url').default, FLATCHR_DEFAULT_CAREERS_URL);
      assert.equal(field(d.account.fields, 'base_url').default, FLATCHR_DEFAULT_BASE_URL);
    });

    it('has today\'s node parameters and defaults; the vacancy (msg.vacancy) has the picker', () => {
      assert.deepEqual(d.params.map((f) => [f.name, f.input, f.default, f.msg, f.picker]), [
        ['vacancy', 'text', '', 'vacancy', 'jobs'],
        ['cv_mode', 'select', 'link', undefined, undefined],
        ['test_mode', 'checkbox', false, undefined, undefined],
        ['lookup_id', 'checkbox', false, undefined, undefined],
      ]);
      assert.deepEqual(field(d.params, 'cv_mode').options?.map((o) => o.value), ['link', 'document']);
      assert.equal(field(d.params, 'lookup_id').requiresAccountField, 'company');
      assert.ok(d.lists?.jobs && flatchr.lists?.jobs);
    });

    it('every text is in English and French', () => {
      const texts = [d.outputLabel, d.account.test, ...Object.values(d.lists ?? {})];
      for (const f of [...d.account.fields, ...d.params]) {
        texts.push(...[f.label, f.placeholder, f.tip, f.help, ...(f.options ?? []).map((o) => o.label)].filter((t): t is { en: string; fr: string } => !!t));
      }
      for (const t of texts) assert.ok(t.en.trim() && t.fr.trim(), JSON.stringify(t));
    });

    it('lists the errors the push can raise: no PARTIAL_PUSH (the lookup never fails a push)', () => {
      assert.ok(!d.errors.includes(ErrorCodes.PARTIAL_PUSH));
      assert.ok(d.errors.includes(ErrorCodes.OUTCOME_UNKNOWN));
      for (const c of [ErrorCodes.LOGIC_ERROR, ErrorCodes.FORMAT_ERROR, ErrorCodes.HRFLOW_NOT_FOUND]) assert.ok(!d.errors.includes(c), c);
    });
  });
});
