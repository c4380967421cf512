/**
 * Test connection of the hrflow-api account (src/hrflow/description.ts) against the sandbox: one
 * `GET /auth` with the account, AUTH_FAILED for a refused key or email, and readable errors for a base
 * URL that is not the HrFlow API. The sandbox's answers are checked against specs/hrflow.
 */
import assert from 'node:assert/strict';
import { HrflowClient, hrflowConnection, hrflowHttp, type HrflowCredentials } from '../../src/hrflow/client';
import { hrflowAccount, hrflowApiDescription, readHrflowAccount, testHrflowConnection } from '../../src/hrflow/description';
import { DEFAULT_SPECS_DIR, SpecRegistry } from '../../src/sandbox/spec';
import { freePort, rejects } from '../helpers/net';
import { useSandbox } from '../helpers/sandbox';

describe('hrflow-api: Test connection', () => {
  const ctx = useSandbox();
  const specs = new SpecRegistry(DEFAULT_SPECS_DIR);
  const good = (): HrflowCredentials => ({ api_secret: ctx.sb.credentials.hrflowApiKey, api_user: ctx.sb.credentials.hrflowUser, base_url: ctx.sb.urls.hrflow });
  const test = (config: HrflowCredentials) => testHrflowConnection({ http: hrflowHttp(config, { retries: 0, timeoutMs: 5000 }), config });

  it('a good key and email: connected, with the team HrFlow names, after one GET /auth', async () => {
    const res = await test(good());
    assert.deepEqual(res, { detail: 'API key accepted (team "Sandbox team")' });
    assert.equal(ctx.sb.state.hrflow.requests, 1);
  });

  it('the sandbox answers GET /auth as specs/hrflow describes it (200 and 401)', async () => {
    const ok = await fetch(`${ctx.sb.urls.hrflow}/auth`, { headers: { 'X-API-KEY': ctx.sb.credentials.hrflowApiKey, 'X-USER-EMAIL': ctx.sb.credentials.hrflowUser } });
    assert.equal(ok.status, 200);
    const v200 = specs.validate('hrflow', '#/paths/~1auth/get/responses/200/content/application~1json/schema', await ok.json());
    assert.ok(v200.valid, JSON.stringify(v200.errors));
    const bad = await fetch(`${ctx.sb.urls.hrflow}/auth`, { headers: { 'X-API-KEY': 'askr_0000', 'X-USER-EMAIL': ctx.sb.credentials.hrflowUser } });
    assert.equal(bad.status, 401);
    const v401 = specs.validate('hrflow', '#/components/responses/Unauthorized/content/application~1json/schema', await bad.json());
    assert.ok(v401.valid, JSON.stringify(v401.errors));
  });

  it('a wrong key: AUTH_FAILED, and the key is not in the message', async () => {
    const key = 'askr_0123456789abcdef0123456789abcdef';
    const e = await rejects(test({ ...good(), api_secret: key }));
    assert.equal(e.code, 'AUTH_FAILED');
    assert.equal(e.statusCode, 401);
    assert.equal(e.vendor, 'hrflow');
    assert.ok(!e.message.includes(key), e.message);
    assert.ok(!JSON.stringify(e.toJSON()).includes(key));
    assert.deepEqual(ctx.sb.state.hrflow.rejections.map((r) => `${r.status} ${r.method} ${r.reason}`), ['401 GET invalid X-API-KEY']);
  });

  it('a wrong user email: AUTH_FAILED', async () => {
    const e = await rejects(test({ ...good(), api_user: 'someone.else@example.com' }));
    assert.equal(e.code, 'AUTH_FAILED');
  });

  it('a base URL that is not the HrFlow API (the sandbox root, no /v1): NOT_FOUND, not "connected"', async () => {
    const e = await rejects(test({ ...good(), base_url: ctx.sb.url }));
    assert.equal(e.code, 'NOT_FOUND');
    assert.equal(e.statusCode, 404);
  });

  it('a base URL nothing listens on: NETWORK_ERROR', async () => {
    const port = await freePort();
    const e = await rejects(test({ ...good(), base_url: `http://127.0.0.1:${port}/v1` }));
    assert.equal(e.code, 'NETWORK_ERROR');
  });

  it('a base URL that is not http(s), a missing secret or email: INVALID_CONFIG before any request', async () => {
    for (const config of [{ ...good(), base_url: 'ftp://127.0.0.1/v1' }, { ...good(), api_secret: '' }, { ...good(), api_user: '' }]) {
      const e = await rejects((async () => test(config))());
      assert.equal(e.code, 'INVALID_CONFIG', JSON.stringify(config.base_url));
    }
    assert.equal(ctx.sb.state.hrflow.requests, 0);
  });

  it('the client reads profiles through the same bound connection (relative path, headers once)', async () => {
    const conn = hrflowConnection(good());
    assert.equal(conn.baseUrl, ctx.sb.urls.hrflow);
    assert.deepEqual(Object.keys(conn.headers).sort(), ['X-API-KEY', 'X-USER-EMAIL']);
    const [first] = ctx.sb.profileKeys();
    const profile = await new HrflowClient(good(), { retries: 0 }).getProfile(first.source_key, first.key);
    assert.equal(profile.key, first.key);
  });

  it('the description: today\'s field names, credentials, the base URL default; readAccount fills the default', () => {
    const names = hrflowApiDescription.fields.map((f) => `${f.name}:${f.input}:${f.credential ? 'cred' : 'prop'}`);
    assert.deepEqual(names, ['api_secret:password:cred', 'api_user:text:cred', 'base_url:url:prop']);
    assert.equal(hrflowApiDescription.fields[2].default, 'https://api.hrflow.ai/v1');
    for (const f of hrflowApiDescription.fields) {
      assert.ok(f.label.en && f.label.fr && f.label.en !== f.label.fr, f.name);
      if (f.help) assert.ok(f.help.fr && f.help.fr !== f.help.en, f.name);
    }
    assert.equal(readHrflowAccount({ api_secret: 's', api_user: 'u', base_url: '  ' }).base_url, 'https://api.hrflow.ai/v1');
    assert.equal(hrflowAccount.type, 'hrflow-api');
    assert.deepEqual([...hrflowAccount.secretHeaders], ['X-API-KEY']);
  });
});
