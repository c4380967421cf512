/**
 * The admin endpoints of Test connection and the pickers (nodes/lib/admin.ts), in a real Node-RED runtime
 * (node-red-node-test-helper: helper.request() hits its admin app) against the sandbox.
 *
 * The account type under test is registered here with registerAccountType, as hrflow-api.ts does: an
 * HrFlow account (API secret and user email credentials, base URL property) whose Test connection reads one
 * sandbox profile and whose "jobs" list reads it then lists 250 items (more than an answer may hold).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeAPI } from 'node-red';
import { urlPath } from '../../src/core/http';
import type { AccountDescription } from '../../src/vendors/description';
import { registerAccountType, UNCHANGED } from '../../nodes/lib/admin';
import { helper } from '../helpers/red';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';

const TYPE = 'hrflow-admin-test-config';

interface Account {
  api_secret: string;
  api_user: string;
  base_url: string;
}

const description: AccountDescription = {
  color: '#fff',
  docsUrl: 'https://developers.hrflow.ai/',
  test: { en: 'reads one profile', fr: 'lit un profil' },
  fields: [
    { name: 'api_secret', input: 'password', credential: true, required: true, icon: 'key', label: { en: 'API secret', fr: 'Clé' } },
    { name: 'api_user', input: 'text', credential: true, required: true, icon: 'user', label: { en: 'User email', fr: 'E-mail' } },
    { name: 'base_url', input: 'url', default: 'https://api.hrflow.ai/v1', icon: 'globe', label: { en: 'Base URL', fr: 'URL de base' } },
  ],
};

/** What a Test connection or a list is run with, for the assertions. */
const seen: { configs: Account[] } = { configs: [] };

function testModule(RED: NodeAPI): void {
  RED.nodes.registerType(TYPE, function (this: any, def: any) {
    RED.nodes.createNode(this, def);
  } as any, { credentials: { api_secret: { type: 'password' }, api_user: { type: 'text' } } });
  registerAccountType<Account>(RED, {
    type: TYPE,
    vendor: 'hrflow',
    label: 'HrFlow.ai',
    description,
    readAccount: (v) => ({ api_secret: v.api_secret ?? '', api_user: v.api_user ?? '', base_url: v.base_url }),
    connection: (c) => ({ baseUrl: c.base_url, headers: { 'X-API-KEY': c.api_secret, 'X-USER-EMAIL': c.api_user } }),
    secrets: (c) => [c.api_secret],
    secretHeaders: ['X-API-KEY'],
    async testConnection(ctx) {
      seen.configs.push(ctx.config);
      const res = await ctx.http.request<{ data?: { key?: string } }>({ method: 'GET', url: urlPath('profile', 'indexing'), params: { source_key: SOURCE_KEY, key: KEYS.full }, step: 'test_connection' });
      if (ctx.config.api_user === 'throw@example.com') throw new Error(`boom with ${ctx.config.api_secret}`);
      return { detail: `profile ${res.data?.data?.key?.slice(0, 6)} readable` };
    },
    lists: {
      async jobs(ctx) {
        await ctx.http.request({ method: 'GET', url: urlPath('profile', 'indexing'), params: { source_key: SOURCE_KEY, key: KEYS.full }, step: 'list' });
        return Array.from({ length: 250 }, (_, i) => ({ id: `job-${i}`, title: `Job ${i}`, status: i % 2 ? 'draft' : 'published' }));
      },
    },
  });
}

describe('admin endpoints: Test connection and pickers', function () {
  this.timeout(10_000);
  const ctx = useSandbox();
  const good = () => ({ api_secret: ctx.sb.credentials.hrflowApiKey, api_user: ctx.sb.credentials.hrflowUser });

  beforeEach(async () => {
    seen.configs = [];
    await helper.load(
      [testModule],
      [
        { id: 'acc', type: TYPE, name: 'sandbox', base_url: ctx.sb.urls.hrflow },
        { id: 'tab1', type: 'tab', label: 'test' },
      ],
      { acc: good() },
    );
  });
  afterEach(async () => {
    await helper.unload();
  });

  const test = (body: unknown, type = TYPE) => helper.request().post(`/hrflow-connectors/test/${type}`).send(body as object);

  it('answers ok with the values typed in the dialog (good token), and AUTH_FAILED without the token for a bad one', async () => {
    let res = await test({ values: { ...good(), base_url: ctx.sb.urls.hrflow } }).expect(200);
    assert.deepEqual(res.body, { ok: true, detail: `profile ${KEYS.full.slice(0, 6)} readable` });

    const bad = 'ask_bad_but_secret_0123456789abcdef';
    res = await test({ values: { api_secret: bad, api_user: ctx.sb.credentials.hrflowUser, base_url: ctx.sb.urls.hrflow } }).expect(200);
    assert.equal(res.body.ok, false);
    assert.equal(res.body.code, 'AUTH_FAILED');
    assert.ok(!JSON.stringify(res.body).includes(bad), JSON.stringify(res.body));
  });

  it('uses the deployed secret for __PWRD__ when nothing else changed (blank base URL = its default compares as such)', async () => {
    const res = await test({ id: 'acc', values: { api_secret: UNCHANGED, api_user: ctx.sb.credentials.hrflowUser, base_url: ` ${ctx.sb.urls.hrflow} ` } }).expect(200);
    assert.equal(res.body.ok, true, JSON.stringify(res.body));
    assert.equal(seen.configs[0].api_secret, ctx.sb.credentials.hrflowApiKey);
    // A credential left out of the values is the deployed one too.
    const again = await test({ id: 'acc', values: { base_url: ctx.sb.urls.hrflow } }).expect(200);
    assert.equal(again.body.ok, true, JSON.stringify(again.body));
  });

  it('never sends a deployed secret to a base URL typed in the dialog: INVALID_CONFIG, and no request leaves', async () => {
    let hits = 0;
    const trap = http.createServer((_req, res) => {
      hits++;
      res.end('{}');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/v1`;
      const res = await test({ id: 'acc', values: { api_secret: UNCHANGED, api_user: ctx.sb.credentials.hrflowUser, base_url: url } }).expect(200);
      assert.equal(res.body.ok, false);
      assert.equal(res.body.code, 'INVALID_CONFIG');
      assert.match(res.body.message, /type the API secret again/);
      assert.match(res.body.message, /Base URL changed/);
      assert.equal(hits, 0);
      assert.equal(seen.configs.length, 0);
    } finally {
      await new Promise((resolve) => trap.close(resolve));
    }
  });

  it('asks for the secret again when the config node is not deployed or is of another type', async () => {
    for (const id of [undefined, 'nope', 'tab1']) {
      const res = await test({ id, values: { api_secret: UNCHANGED, api_user: 'x@example.com', base_url: ctx.sb.urls.hrflow } }).expect(200);
      assert.equal(res.body.ok, false);
      assert.equal(res.body.code, 'INVALID_CONFIG', JSON.stringify(res.body));
    }
    assert.equal(seen.configs.length, 0);
  });

  it('answers 404 for an unknown type, 400 for a malformed body', async () => {
    await test({ values: good() }, 'hrflow-nope-config').expect(404);
    await test({ values: good() }, '__proto__').expect(404);
    await test({ values: good() }, 'constructor').expect(404);
    for (const body of [[], { values: 'x' }, { values: { api_secret: 42 } }, { values: { api_secret: { a: 1 } } }, { id: 7, values: {} }, {}]) {
      const res = await test(body).expect(400);
      assert.equal(res.body.ok, false);
    }
    await helper.request().post(`/hrflow-connectors/test/${TYPE}`).set('content-type', 'application/json').send('{"values": ').expect(400);
    assert.equal(seen.configs.length, 0);
  });

  it('turns any other failure into a redacted VENDOR_UNAVAILABLE answer, and Node-RED keeps running', async () => {
    const secret = 'ask_typed_secret_that_must_not_show';
    // The sandbox refuses this secret first: AUTH_FAILED. Then a code bug (a plain Error quoting the secret).
    const res = await test({ values: { api_secret: ctx.sb.credentials.hrflowApiKey, api_user: 'throw@example.com', base_url: ctx.sb.urls.hrflow } }).expect(200);
    assert.equal(res.body.ok, false);
    assert.ok(!JSON.stringify(res.body).includes(ctx.sb.credentials.hrflowApiKey), JSON.stringify(res.body));
    const other = await test({ values: { api_secret: secret, api_user: 'throw@example.com', base_url: 'not a url' } }).expect(200);
    assert.equal(other.body.ok, false);
    assert.ok(!JSON.stringify(other.body).includes(secret), JSON.stringify(other.body));
    await test({ values: { ...good(), base_url: ctx.sb.urls.hrflow } }).expect(200);
  });

  it('lists at most 200 items, for the deployed account (GET) and for dialog values (POST)', async () => {
    let res = await helper.request().get(`/hrflow-connectors/jobs/${TYPE}`).query({ account: 'acc' }).expect(200);
    assert.equal(res.body.ok, true, JSON.stringify(res.body));
    assert.equal(res.body.items.length, 200);
    assert.deepEqual(res.body.items[1], { id: 'job-1', title: 'Job 1', status: 'draft' });

    res = await helper.request().post(`/hrflow-connectors/jobs/${TYPE}`).send({ values: { ...good(), base_url: ctx.sb.urls.hrflow }, list: 'jobs' }).expect(200);
    assert.equal(res.body.items.length, 200);

    res = await helper.request().post(`/hrflow-connectors/jobs/${TYPE}`).send({ values: { api_secret: 'wrong', api_user: 'x@example.com', base_url: ctx.sb.urls.hrflow } }).expect(200);
    assert.equal(res.body.code, 'AUTH_FAILED');

    await helper.request().get(`/hrflow-connectors/jobs/${TYPE}`).query({ account: 'acc', list: 'pools' }).expect(404);
    await helper.request().get(`/hrflow-connectors/jobs/${TYPE}`).expect(400);
    res = await helper.request().get(`/hrflow-connectors/jobs/${TYPE}`).query({ account: 'tab1' }).expect(200);
    assert.equal(res.body.code, 'INVALID_CONFIG');
  });
});

describe('admin endpoints: a described vendor account (SmartRecruiters, registered by its config node)', function () {
  this.timeout(10_000);
  const ctx = useSandbox();
  const SR = 'hrflow-smartrecruiters-config';

  beforeEach(async () => {
    await helper.load(
      [require('../../nodes/hrflow-smartrecruiters-config')],
      [{ id: 'acc', type: SR, name: 'sandbox', base_url: ctx.sb.urls.smartrecruiters }],
      { acc: { x_smart_token: ctx.sb.credentials.smartToken } },
    );
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('tests typed and deployed tokens, refuses a deployed token for a changed base URL, and lists the jobs', async () => {
    const post = (body: unknown) => helper.request().post(`/hrflow-connectors/test/${SR}`).send(body as object).expect(200);
    let res = await post({ values: { x_smart_token: ctx.sb.credentials.smartToken, base_url: ctx.sb.urls.smartrecruiters } });
    assert.equal(res.body.ok, true, JSON.stringify(res.body));

    res = await post({ values: { x_smart_token: 'wrong-smart-token-value', base_url: ctx.sb.urls.smartrecruiters } });
    assert.equal(res.body.code, 'AUTH_FAILED');
    assert.ok(!JSON.stringify(res.body).includes('wrong-smart-token-value'));

    res = await post({ id: 'acc', values: { x_smart_token: UNCHANGED, base_url: ctx.sb.urls.smartrecruiters } });
    assert.equal(res.body.ok, true, JSON.stringify(res.body));

    res = await post({ id: 'acc', values: { x_smart_token: UNCHANGED, base_url: 'http://127.0.0.1:9/elsewhere' } });
    assert.equal(res.body.code, 'INVALID_CONFIG');

    res = await helper.request().get(`/hrflow-connectors/jobs/${SR}`).query({ account: 'acc' }).expect(200);
    assert.equal(res.body.ok, true, JSON.stringify(res.body));
    assert.ok(res.body.items.length > 0 && res.body.items.length <= 200);
    for (const item of res.body.items) assert.ok(typeof item.id === 'string' && typeof item.title === 'string');
  });
});

describe('admin endpoints: the hrflow-api account', function () {
  this.timeout(10_000);
  const ctx = useSandbox();

  beforeEach(async () => {
    await helper.load(
      [require('../../nodes/hrflow-api')],
      [{ id: 'api', type: 'hrflow-api', name: 'sandbox', base_url: ctx.sb.urls.hrflow }],
      { api: { api_secret: ctx.sb.credentials.hrflowApiKey, api_user: ctx.sb.credentials.hrflowUser } },
    );
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('tests the deployed key, a typed wrong key, and never sends the deployed key to a typed URL', async () => {
    const post = (body: unknown) => helper.request().post('/hrflow-connectors/test/hrflow-api').send(body as object).expect(200);
    let res = await post({ id: 'api', values: { api_secret: UNCHANGED, api_user: ctx.sb.credentials.hrflowUser, base_url: ctx.sb.urls.hrflow } });
    assert.equal(res.body.ok, true, JSON.stringify(res.body));
    assert.match(res.body.detail, /team/i);

    res = await post({ values: { api_secret: 'a-wrong-hrflow-key', api_user: ctx.sb.credentials.hrflowUser, base_url: ctx.sb.urls.hrflow } });
    assert.equal(res.body.ok, false);
    assert.equal(res.body.code, 'AUTH_FAILED');
    assert.ok(!JSON.stringify(res.body).includes('a-wrong-hrflow-key'));

    // A text credential is sent back by the dialog as it is stored: still the deployed account.
    res = await post({ id: 'api', values: { api_secret: UNCHANGED, api_user: ctx.sb.credentials.hrflowUser, base_url: ctx.sb.urls.hrflow } });
    assert.equal(res.body.ok, true, JSON.stringify(res.body));

    res = await post({ id: 'api', values: { api_secret: UNCHANGED, api_user: ctx.sb.credentials.hrflowUser, base_url: 'http://127.0.0.1:9/v1' } });
    assert.equal(res.body.code, 'INVALID_CONFIG');

    // hrflow-api has no picker.
    await helper.request().get('/hrflow-connectors/jobs/hrflow-api').query({ account: 'api' }).expect(404);
  });
});

describe('admin endpoints: an account whose deployed credentials read environment variables', function () {
  this.timeout(10_000);
  const ctx = useSandbox();
  const VAR = 'HRFLOW_ADMIN_SPEC_USER';

  beforeEach(async () => {
    process.env[VAR] = ctx.sb.credentials.hrflowUser;
    await helper.load(
      [require('../../nodes/hrflow-api')],
      [{ id: 'api', type: 'hrflow-api', name: 'sandbox', base_url: ctx.sb.urls.hrflow }],
      { api: { api_secret: ctx.sb.credentials.hrflowApiKey, api_user: `\${${VAR}}` } },
    );
  });
  afterEach(async () => {
    delete process.env[VAR];
    await helper.unload();
  });

  it('resolves the deployed ${ENV} credential, also beside a typed secret; a typed ${ENV} waits for the deploy', async () => {
    const post = (body: unknown) => helper.request().post('/hrflow-connectors/test/hrflow-api').send(body as object).expect(200);
    const user = `\${${VAR}}`;
    let res = await post({ id: 'api', values: { api_secret: UNCHANGED, api_user: user, base_url: ctx.sb.urls.hrflow } });
    assert.equal(res.body.ok, true, JSON.stringify(res.body));

    res = await post({ id: 'api', values: { api_secret: 'a-wrong-hrflow-key', api_user: user, base_url: ctx.sb.urls.hrflow } });
    assert.equal(res.body.code, 'AUTH_FAILED', JSON.stringify(res.body));

    res = await post({ id: 'api', values: { api_secret: ctx.sb.credentials.hrflowApiKey, api_user: user, base_url: ctx.sb.urls.hrflow } });
    assert.equal(res.body.ok, true, JSON.stringify(res.body));

    // Not deployed: a typed ${…} is not resolved here (it could read any of the server's variables).
    res = await post({ values: { api_secret: ctx.sb.credentials.hrflowApiKey, api_user: user, base_url: ctx.sb.urls.hrflow } });
    assert.equal(res.body.code, 'INVALID_CONFIG');
  });
});
