/**
 * The CV in a real Node-RED runtime against the sandbox (issue 10, defects 3, 4 and 9): only http(s)
 * CV URLs are downloaded or handed over, the CV is fetched and checked before anything is created,
 * an HTML page is not a CV, and loopback CV hosts are refused unless the hrflowCvDownload setting
 * allows them.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../src/sandbox';
import { allNodes, firstOf, helper, onTab, testSettings, type FlowNode } from '../helpers/red';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';
import { SANDBOX_VENDORS, type SandboxSetup } from './push-common';

type Target = SandboxSetup;

// Smaller targets than the sandbox defaults (one offer, no shortlist, neither job nor pools at Taleez); Flatchr without the id lookup.
const SR: Target = SANDBOX_VENDORS.smartrecruiters;
const RC: Target = { ...SANDBOX_VENDORS.recruitee, pushProps: () => ({ offer_ids: '101' }) };
const TZ: Target = { ...SANDBOX_VENDORS.taleez, pushProps: () => ({ recruiter_id: '15886' }) };
const BB: Target = { ...SANDBOX_VENDORS.broadbean, pushProps: () => ({ job_id: 'JOB-1' }) };
const FL: Target = { ...SANDBOX_VENDORS.flatchr, pushProps: () => ({ ...SANDBOX_VENDORS.flatchr.pushProps(), lookup_id: false }) };

async function loadPush(sb: Sandbox, t: Target, props: Record<string, unknown> = {}) {
  const nodes = onTab([
    t.account(sb),
    { id: 'push', type: t.pushType, account: 'acc', timeout: 2000, retries: 1, retry_delay: 10, wires: [['out']], ...t.pushProps(), ...props },
    { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'out', type: 'helper' },
    { id: 'caught', type: 'helper' },
  ]);
  await helper.load(allNodes, nodes, { acc: t.accountCredentials(sb) });
}

async function push(msg: Record<string, unknown>) {
  const outcome = firstOf(['out', 'caught'], 8000);
  helper.getNode('push').receive(msg);
  return outcome;
}

/** The full fixture profile with its resume attachment's public_url replaced. */
function profileWithCv(sb: Sandbox, url?: string): any {
  const profile = structuredClone(sb.getProfile(SOURCE_KEY, KEYS.full)) as any;
  if (url !== undefined) {
    for (const a of profile.attachments) if (a.type === 'resume' || a.type === 'original') a.public_url = url;
  }
  return profile;
}

const created = (sb: Sandbox, vendor: string) => ((sb.state as any)[vendor].candidates as unknown[]).length;

describe('flow: the CV (URL scheme, fetched before the create, content, hosts)', function () {
  this.timeout(20_000);
  const ctx = useSandbox();
  let html: http.Server;
  let htmlUrl = '';

  before(async () => {
    html = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><html><body>Sign in</body></html>'.padEnd(4000, ' ')));
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
    htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}/cv.pdf`;
  });
  after(() => new Promise<void>((r) => html.close(() => r())));
  afterEach(async () => {
    await helper.unload();
    helper.settings(testSettings);
  });

  for (const t of [RC, SR]) {
    it(`${t.id}: a file:// CV is INVALID_PROFILE naming the attachment, and nothing is created`, async () => {
      await loadPush(ctx.sb, t);
      const { id, msg } = await push({ payload: profileWithCv(ctx.sb, 'file:///etc/passwd') });
      assert.equal(id, 'caught', JSON.stringify(msg.payload ?? {}).slice(0, 200));
      assert.equal(msg.error.code, 'INVALID_PROFILE');
      assert.match(msg.error.message, /resume attachment's public_url uses the file scheme/);
      assert.equal(created(ctx.sb, t.id), 0);
    });
  }

  it('recruitee: a formatted payload with a javascript: or credential-carrying remote_cv_url is INVALID_PROFILE', async () => {
    await loadPush(ctx.sb, RC);
    for (const url of ['javascript:alert(1)', 'https://user:pw@cv.example.com/cv.pdf', '/files/cv.pdf']) {
      const { id, msg } = await push({ format: 'recruitee', payload: { candidate: { name: 'Camille Durand', remote_cv_url: url } } });
      assert.equal(id, 'caught');
      assert.equal(msg.error.code, 'INVALID_PROFILE');
      assert.match(msg.error.message, /candidate\.remote_cv_url in the payload/);
    }
    assert.equal(created(ctx.sb, 'recruitee'), 0);
  });

  it('smartrecruiters: an HTML page answering 200 is not a CV: INVALID_PROFILE, nothing created', async () => {
    await loadPush(ctx.sb, SR);
    const { id, msg } = await push({ payload: profileWithCv(ctx.sb, htmlUrl) });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_PROFILE');
    assert.match(msg.error.message, /not a document \(text\/html/);
    assert.equal(created(ctx.sb, 'smartrecruiters'), 0);
    assert.equal((ctx.sb.state as any).smartrecruiters.attachments.length, 0);
  });

  it('taleez: an HTML CV is INVALID_PROFILE before the create', async () => {
    await loadPush(ctx.sb, TZ);
    const { id, msg } = await push({ payload: profileWithCv(ctx.sb, htmlUrl) });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_PROFILE');
    assert.equal(created(ctx.sb, 'taleez'), 0);
  });

  it('flatchr (link mode): a file:// or ftp:// CV link is INVALID_PROFILE, nothing created', async () => {
    await loadPush(ctx.sb, FL);
    for (const url of ['file:///etc/passwd', 'ftp://cv.example.com/cv.pdf']) {
      const { id, msg } = await push({ payload: profileWithCv(ctx.sb, url) });
      assert.equal(id, 'caught');
      assert.equal(msg.error.code, 'INVALID_PROFILE');
      assert.match(msg.error.message, /public_url uses the (file|ftp) scheme/);
    }
    assert.equal(created(ctx.sb, 'flatchr'), 0);
  });

  it('broadbean and flatchr (document mode): an HTML CV is INVALID_PROFILE, nothing created', async () => {
    for (const [t, props] of [[BB, {}], [FL, { cv_mode: 'document' }]] as const) {
      await loadPush(ctx.sb, t, props);
      const { id, msg } = await push({ payload: profileWithCv(ctx.sb, htmlUrl) });
      assert.equal(id, 'caught');
      assert.equal(msg.error.code, 'INVALID_PROFILE');
      assert.match(msg.error.message, /not a document/);
      assert.equal(created(ctx.sb, t.id), 0);
      await helper.unload();
    }
  });

  it('broadbean: a legacy Word (.doc) CV is INVALID_PROFILE before anything is sent (Candidate Hub takes PDF and DOCX)', async () => {
    const doc = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600), Buffer.from('WordDocument', 'utf16le'), Buffer.alloc(2000)]);
    const server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/msword' }).end(doc));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await loadPush(ctx.sb, BB);
      const { id, msg } = await push({ payload: profileWithCv(ctx.sb, `http://127.0.0.1:${(server.address() as AddressInfo).port}/cv.doc`) });
      assert.equal(id, 'caught');
      assert.equal(msg.error.code, 'INVALID_PROFILE');
      assert.equal(created(ctx.sb, 'broadbean'), 0);
      assert.equal(ctx.sb.state.broadbean.rejections.length, 0, 'nothing reached Candidate Hub');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('smartrecruiters with upload_cv off neither downloads nor checks the CV', async () => {
    await loadPush(ctx.sb, SR, { upload_cv: false });
    const { id, msg } = await push({ payload: profileWithCv(ctx.sb, htmlUrl) });
    assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
    assert.equal(created(ctx.sb, 'smartrecruiters'), 1);
  });

  it('refuses a loopback CV host by default, naming the setting, and creates nothing', async () => {
    helper.settings({});
    await loadPush(ctx.sb, SR);
    const { id, msg } = await push({ payload: profileWithCv(ctx.sb) });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_PROFILE');
    assert.match(msg.error.message, /127\.0\.0\.1 is a loopback address.*hrflowCvDownload\.allowPrivateAddresses/);
    assert.equal(created(ctx.sb, 'smartrecruiters'), 0);
  });

  it('allows the loopback CV host by setting (allowPrivateAddresses, or the host listed in allowedHosts)', async () => {
    for (const setting of [{ allowPrivateAddresses: true }, { allowedHosts: ['127.0.0.1'] }]) {
      helper.settings({ hrflowCvDownload: setting });
      await loadPush(ctx.sb, SR);
      const { id, msg } = await push({ payload: profileWithCv(ctx.sb) });
      assert.equal(id, 'out', JSON.stringify(msg.error ?? {}));
      assert.deepEqual(msg.steps.map((s: any) => [s.step, s.status]), [['create', 'done'], ['upload_cv', 'done']]);
      await helper.unload();
    }
    assert.equal((ctx.sb.state as any).smartrecruiters.attachments.length, 2);
  });

  it('recruitee and flatchr (link mode): a CV URL handed to the vendor obeys hrflowCvDownload too (allowed hosts, IP-literal classes)', async () => {
    for (const t of [RC, FL]) {
      for (const [setting, url, why] of [
        [{ allowedHosts: ['*.example.com'] }, 'https://cv.evil.test/cv.pdf', /cv\.evil\.test is not an allowed host.*hrflowCvDownload\.allowedHosts/],
        [{}, 'http://169.254.169.254/latest/meta-data/cv.pdf', /169\.254\.169\.254 is a link-local address.*allowPrivateAddresses/],
        [{}, 'http://[::ffff:10.0.0.1]/cv.pdf', /is a private address/],
      ] as const) {
        helper.settings({ hrflowCvDownload: setting });
        await loadPush(ctx.sb, t);
        const { id, msg } = await push({ payload: profileWithCv(ctx.sb, url) });
        assert.equal(id, 'caught', `${t.id} ${url}`);
        assert.equal(msg.error.code, 'INVALID_PROFILE');
        assert.match(msg.error.message, /resume attachment's public_url/);
        assert.match(msg.error.message, why);
        await helper.unload();
      }
      assert.equal(created(ctx.sb, t.id), 0, t.id);
    }
  });

  it('refuses a CV host missing from allowedHosts', async () => {
    helper.settings({ hrflowCvDownload: { allowedHosts: ['*.example.com'], allowPrivateAddresses: true } });
    await loadPush(ctx.sb, SR);
    const { id, msg } = await push({ payload: profileWithCv(ctx.sb) });
    assert.equal(id, 'caught');
    assert.equal(msg.error.code, 'INVALID_PROFILE');
    assert.match(msg.error.message, /not an allowed host.*hrflowCvDownload\.allowedHosts/);
    assert.equal(created(ctx.sb, 'smartrecruiters'), 0);
  });
});
