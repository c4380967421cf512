import assert from 'node:assert/strict';
import * as http from 'node:http';
import { createHash, createHmac } from 'node:crypto';
import {
  createSandbox,
  validateAgainstSpec,
  makePdf,
  makeDocx,
  broadbeanSignature,
  type Sandbox,
  type FlatchrState,
} from '../../src/sandbox';

const FULL_KEY = '9a8b7c6d5e4f30211203a4b5c6d7e8f9a0b1c2d3';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const PDF = makePdf(['Camille Durand', 'Senior Backend Engineer']);
const DOCX = makeDocx(['Camille Durand']);

describe('sandbox vendors (Broadbean, Flatchr, Taleez)', function () {
  let sb: Sandbox;
  /** Broadbean checks signatures against this clock (ms). */
  let clock = Date.now();

  before(async () => {
    sb = await createSandbox({ quiet: true, generatedProfiles: 0, now: () => clock });
  });
  after(async () => {
    await sb.close();
  });
  beforeEach(() => {
    sb.reset();
    clock = Date.now();
  });

  it('exposes the new base URLs and default credentials', () => {
    assert.equal(sb.urls.broadbean, `${sb.url}/broadbean`);
    assert.equal(sb.urls.flatchr, `${sb.url}/flatchr/careers`);
    assert.equal(sb.urls.flatchrApi, `${sb.url}/flatchr/api`);
    assert.equal(sb.urls.taleez, `${sb.url}/taleez/0`);
    const c = sb.credentials;
    assert.equal(c.broadbeanSecret, 'sandbox-broadbean-secret');
    assert.equal(c.broadbeanSourceId, 'sandbox-source');
    assert.equal(c.broadbeanClientId, 'sandbox-client');
    assert.equal(c.flatchrApiKey, 'sandbox-flatchr-key');
    assert.equal(c.flatchrCompany, 'sandbox-company');
    assert.equal(c.taleezSecret, 'sandbox-taleez-secret');
    for (const v of ['broadbean', 'flatchr', 'taleez']) assert.ok(sb.state[v], v);
  });

  // ------------------------------------------------------------------------------------------------------------
  describe('Broadbean', () => {
    const bbBody = (over: Record<string, any> = {}, candidate: Record<string, any> = {}) => ({
      transaction: { client_id: sb.credentials.broadbeanClientId, source_id: sb.credentials.broadbeanSourceId },
      candidate: {
        name: 'Camille Durand',
        first_name: 'Camille',
        last_name: 'Durand',
        email: 'camille.durand@example.com',
        location_city: 'Lyon',
        location_country: 'FR',
        location_latitude: '45.7578',
        documents: [{ filename: 'camille-durand.pdf', type: 'cv', content: PDF.toString('base64') }],
        ...candidate,
      },
      context: { id: 'job-42', aplitrak_email_address: 'job42.abc@aplitrak.com' },
      ...over,
    });
    const signedHeaders = (o: { time?: number; source?: string; secret?: string; sig?: string } = {}) => {
      const time = o.time ?? Math.floor(clock / 1000);
      const source = o.source ?? sb.credentials.broadbeanSourceId;
      return {
        'Content-Type': 'application/json',
        'X-CHUB-SIGNATURE-TIME': String(time),
        'X-CHUB-SOURCE': source,
        'X-CHUB-SIGNATURE': o.sig ?? broadbeanSignature(o.secret ?? sb.credentials.broadbeanSecret, source, time),
      };
    };
    const bbPost = (body: unknown, headers: Record<string, string> = signedHeaders()) =>
      fetch(`${sb.urls.broadbean}/candidate`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

    it('the doc test vector verifies', () => {
      assert.equal(broadbeanSignature('secret', 'board1', 1577965016), 'c57ed8130b75a69458416e9e91ac0baef604f8fce3bf1d7cf5bcb03d13af2765');
    });

    it('accepts the doc test vector over HTTP when the clock is pinned to its time, and expires it 5 minutes later', async () => {
      const t = 1577965016;
      const bb = await createSandbox({
        quiet: true,
        generatedProfiles: 0,
        credentials: { broadbeanSecret: 'secret', broadbeanSourceId: 'board1' },
        now: () => t * 1000 + 299_000,
      });
      try {
        const headers = {
          'Content-Type': 'application/json',
          'X-CHUB-SIGNATURE-TIME': String(t),
          'X-CHUB-SOURCE': 'board1',
          'X-CHUB-SIGNATURE': 'c57ed8130b75a69458416e9e91ac0baef604f8fce3bf1d7cf5bcb03d13af2765',
        };
        const body = { transaction: { client_id: bb.credentials.broadbeanClientId, source_id: 'board1' }, candidate: { name: 'A B', email: 'a@b.example' } };
        const ok = await fetch(`${bb.urls.broadbean}/candidate`, { method: 'POST', headers, body: JSON.stringify(body) });
        assert.equal(ok.status, 200);
        assert.equal(((await ok.json()) as any).success, 1);
      } finally {
        await bb.close();
      }
      const late = await createSandbox({
        quiet: true,
        generatedProfiles: 0,
        credentials: { broadbeanSecret: 'secret', broadbeanSourceId: 'board1' },
        now: () => (t + 301) * 1000,
      });
      try {
        const res = await fetch(`${late.urls.broadbean}/candidate`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-CHUB-SIGNATURE-TIME': String(t),
            'X-CHUB-SOURCE': 'board1',
            'X-CHUB-SIGNATURE': 'c57ed8130b75a69458416e9e91ac0baef604f8fce3bf1d7cf5bcb03d13af2765',
          },
          body: '{}',
        });
        assert.equal(res.status, 401);
        assert.deepEqual(await res.json(), { success: 0, error: 'Signature expired' });
      } finally {
        await late.close();
      }
    });

    it('accepts a signed candidate: 200 {success: 1, transaction_id}, documents stored as attachments', async () => {
      const res = await bbPost(bbBody());
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      const body = (await res.json()) as any;
      assert.deepEqual(Object.keys(body).sort(), ['success', 'transaction_id']);
      assert.equal(body.success, 1);
      assert.match(body.transaction_id, UUID_RE);
      assert.ok(validateAgainstSpec('broadbean', 'SendCandidateResponse', body).valid);
      const st = sb.state.broadbean;
      assert.equal(st.candidates.length, 1);
      const c = st.candidates[0];
      assert.equal(c.id, body.transaction_id);
      assert.equal(c.jobId, 'job-42');
      assert.deepEqual(c.warnings, []);
      assert.equal(st.attachments.length, 1);
      const a = st.attachments[0];
      assert.equal(a.candidateId, body.transaction_id);
      assert.equal(a.type, 'cv');
      assert.equal(a.fileName, 'camille-durand.pdf');
      assert.equal(a.kind, 'pdf');
      assert.equal(a.isPdf, true);
      assert.equal(a.size, PDF.length);
      assert.equal(a.sha256, sha256(PDF));
      assert.equal(a.source, 'inline');
    });

    it('accepts a signature made within ±5 minutes of the server clock', async () => {
      const now = Math.floor(clock / 1000);
      for (const time of [now - 290, now + 290]) {
        const res = await bbPost(bbBody(), signedHeaders({ time }));
        assert.equal(res.status, 200, String(time - now));
      }
    });

    const authCases: Array<[string, () => Record<string, string>, string, RegExp]> = [
      ['a wrong secret', () => signedHeaders({ secret: 'nope' }), 'Invalid signature', /signature mismatch/],
      [
        'the v1 bug: no "|" in the signed text',
        () => {
          const h = signedHeaders();
          const t = h['X-CHUB-SIGNATURE-TIME'];
          h['X-CHUB-SIGNATURE'] = createHmac('sha256', sb.credentials.broadbeanSecret).update(`${sb.credentials.broadbeanSourceId}${t}`).digest('hex');
          return h;
        },
        'Invalid signature',
        /without the "\|" separator/,
      ],
      [
        'the v1 bug: header X-X-CHUB-SIGNATURE-TIME',
        () => {
          const { 'X-CHUB-SIGNATURE-TIME': t, ...rest } = signedHeaders();
          return { ...rest, 'X-X-CHUB-SIGNATURE-TIME': t };
        },
        'Missing X-CHUB-SIGNATURE-TIME header',
        /X-X-CHUB-SIGNATURE-TIME \(typo\)/,
      ],
      ['an expired time (6 minutes old)', () => signedHeaders({ time: Math.floor(clock / 1000) - 360 }), 'Signature expired', /from the server clock/],
      ['a time 6 minutes ahead', () => signedHeaders({ time: Math.floor(clock / 1000) + 360 }), 'Signature expired', /from the server clock/],
      ['an unknown source', () => signedHeaders({ source: 'other-board' }), 'Unknown source', /unknown X-CHUB-SOURCE/],
      [
        'a missing signature header',
        () => {
          const { 'X-CHUB-SIGNATURE': _s, ...rest } = signedHeaders();
          return rest;
        },
        'Missing X-CHUB-SIGNATURE header',
        /missing X-CHUB-SIGNATURE/,
      ],
      ['uppercase hex', () => {
        const h = signedHeaders();
        h['X-CHUB-SIGNATURE'] = h['X-CHUB-SIGNATURE'].toUpperCase();
        return h;
      }, 'Invalid signature', /lowercase/],
    ];
    for (const [name, headers, error, reason] of authCases) {
      it(`answers 401 {success: 0, error} for ${name}`, async () => {
        const res = await bbPost(bbBody(), headers());
        assert.equal(res.status, 401);
        assert.deepEqual(await res.json(), { success: 0, error });
        assert.equal(sb.state.broadbean.candidates.length, 0);
        const r = sb.state.broadbean.rejections.at(-1)!;
        assert.equal(r.status, 401);
        assert.match(r.reason, reason);
      });
    }

    const badBodies: Array<[string, () => unknown, RegExp]> = [
      ['a body that is not JSON', () => '{nope', /Invalid JSON/],
      ['the v1 flat body (no transaction)', () => ({ name: 'A', email: 'a@b.example' }), /\/transaction must have required property|\/transaction/],
      ['a candidate without email', () => bbBody({}, { email: undefined }), /\/candidate\/email/],
      ['numeric latitude (strings expected)', () => bbBody({}, { location_latitude: 0 }), /\/candidate\/location_latitude must be string/],
      ['transaction.source_id other than the header source', () => bbBody({ transaction: { client_id: 'sandbox-client', source_id: 'native' } }), /does not match X-CHUB-SOURCE/],
      ['an unknown client_id', () => bbBody({ transaction: { client_id: 'x', source_id: 'sandbox-source' } }), /Unknown client_id/],
      ['documents[].content that is not base64', () => bbBody({}, { documents: [{ filename: 'cv.pdf', type: 'cv', content: 'not base64!' }] }), /content must match format "byte"/],
      [
        'documents[].content = base64 of a URL (the v1 bug)',
        () => bbBody({}, { documents: [{ filename: 'cv.pdf', type: 'cv', content: Buffer.from('https://x.example/cv.pdf').toString('base64') }] }),
        /not a PDF or DOCX/,
      ],
      ['a filename without extension', () => bbBody({}, { documents: [{ filename: 'CV', type: 'cv', content: PDF.toString('base64') }] }), /has no file extension/],
      ['a .pdf filename holding DOCX bytes', () => bbBody({}, { documents: [{ filename: 'cv.pdf', type: 'cv', content: DOCX.toString('base64') }] }), /does not match its content/],
      ['a document without content', () => bbBody({}, { documents: [{ filename: 'cv.pdf', type: 'cv' }] }), /\/candidate\/documents\/0\/content/],
      ['an empty document', () => bbBody({}, { documents: [{ filename: 'cv.pdf', type: 'cv', content: '' }] }), /content is empty|not valid base64/],
    ];
    for (const [name, body, msg] of badBodies) {
      it(`answers 400 {success: 0, error} for ${name}`, async () => {
        const res = await bbPost(body());
        assert.equal(res.status, 400);
        const b = (await res.json()) as any;
        assert.deepEqual(Object.keys(b).sort(), ['error', 'success']);
        assert.equal(b.success, 0);
        assert.match(b.error, msg);
        assert.equal(sb.state.broadbean.candidates.length, 0);
        assert.ok(validateAgainstSpec('broadbean', 'SendCandidateResponse', b).valid);
      });
    }

    it('accepts placeholders and a non-"cv" document type, but lists them as warnings', async () => {
      const res = await bbPost(
        bbBody({}, {
          contact_telephone: 'Udefined',
          mobile_telephone: 'Undefiend',
          location_city: 'Undefined',
          documents: [{ filename: 'cv.docx', type: 'resume', content: DOCX.toString('base64') }],
        }),
      );
      assert.equal(res.status, 200);
      const c = sb.state.broadbean.candidates[0];
      const w = c.warnings as string[];
      assert.equal(w.length, 4);
      assert.ok(w.some((x) => /contact_telephone.*"Udefined"/.test(x)));
      assert.ok(w.some((x) => /mobile_telephone.*"Undefiend"/.test(x)));
      assert.ok(w.some((x) => /location_city.*"Undefined"/.test(x)));
      assert.ok(w.some((x) => /no document has type "cv"/.test(x)));
      assert.equal(sb.state.broadbean.attachments[0].kind, 'docx');
    });

    it('a status fault can emulate "200 with success 0"', async () => {
      sb.setFault('broadbean', { mode: 'status', status: 200, body: { success: 0, error: 'Temporary failure' }, count: 1 });
      const res = await bbPost(bbBody());
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { success: 0, error: 'Temporary failure' });
      assert.equal(sb.state.broadbean.candidates.length, 0);
      assert.equal(sb.state.broadbean.faultsInjected, 1);
      assert.equal((await bbPost(bbBody())).status, 200);
      assert.equal(sb.state.broadbean.candidates.length, 1);
    });
  });

  // ------------------------------------------------------------------------------------------------------------
  describe('Flatchr', () => {
    const cvUrl = () => `${sb.url}/files/${FULL_KEY}/resume.pdf`;
    const fcBody = (over: Record<string, any> = {}) => ({
      vacancy: 'vyja3k5rrnlnqwe-technicien-h-f',
      firstname: 'Camille',
      lastname: 'Durand',
      email: 'camille.durand@example.com',
      phone: '+33600000001',
      type: 'link',
      resume: cvUrl(),
      urls: { linkedin: 'https://www.linkedin.com/in/camille' },
      token: sb.credentials.flatchrApiKey,
      ...over,
    });
    const fcPost = (route: 'json' | 'test' | 'custom', body: unknown, bearer: string | null = sb.credentials.flatchrApiKey) =>
      fetch(`${sb.urls.flatchr}/vacancy/candidate/${route}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(bearer !== null ? { Authorization: `Bearer ${bearer}` } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const search = (q: unknown, company = sb.credentials.flatchrCompany, bearer: string | null = sb.credentials.flatchrApiKey) =>
      fetch(`${sb.urls.flatchrApi}/company/${company}/search/applicants`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(bearer !== null ? { Authorization: `Bearer ${bearer}` } : {}) },
        body: JSON.stringify(q),
      });

    it('creates an applicant from a link: 200 {response: "applicant created"} with no id, CV downloaded', async () => {
      const res = await fcPost('json', fcBody());
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.deepEqual(body, { response: 'applicant created' });
      assert.ok(validateAgainstSpec('flatchr', 'CreateResponse', body).valid);
      const st = sb.state.flatchr;
      assert.equal(st.candidates.length, 1);
      const c = st.candidates[0];
      assert.match(String(c.applicantId), /^[A-Za-z0-9]{16}$/);
      assert.match(String(c.candidateId), /^[A-Za-z0-9]{16}$/);
      assert.match(String(c.vacancyId), /^[A-Za-z0-9]{16}$/);
      assert.equal(c.id, c.applicantId);
      assert.equal(c.jobId, 'vyja3k5rrnlnqwe-technicien-h-f');
      assert.equal(c.email, 'camille.durand@example.com');
      assert.equal(c.cvFetch, 'ok');
      assert.deepEqual(c.warnings, []);
      const a = st.attachments[0];
      assert.equal(a.fetch, 'ok');
      assert.equal(a.isPdf, true);
      assert.equal(a.url, cvUrl());
      assert.equal(a.source, 'link');
    });

    it('creates an applicant from a base64 document', async () => {
      const res = await fcPost(
        'json',
        fcBody({ type: 'document', resume: { data: DOCX.toString('base64'), fileName: 'cv.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' } }),
      );
      assert.equal(res.status, 200);
      const a = sb.state.flatchr.attachments[0];
      assert.equal(a.isDocx, true);
      assert.equal(a.sha256, sha256(DOCX));
      assert.equal(a.source, 'inline');
      assert.deepEqual(sb.state.flatchr.candidates[0].warnings, []);
    });

    it('accepts the key as Bearer only or as body token only; refuses none or any wrong one', async () => {
      const { token: _t, ...noToken } = fcBody();
      assert.equal((await fcPost('json', noToken)).status, 200, 'bearer only');
      assert.equal((await fcPost('json', fcBody({ email: 'other@example.com' }), null)).status, 200, 'body token only');
      for (const [name, body, bearer] of [
        ['neither', noToken, null],
        ['wrong bearer, right token', fcBody(), 'wrong'],
        ['right bearer, wrong token', fcBody({ token: 'wrong' }), sb.credentials.flatchrApiKey],
        ['wrong token only', fcBody({ token: 'wrong' }), null],
      ] as const) {
        const res = await fcPost('json', body, bearer);
        assert.equal(res.status, 401, name);
        assert.deepEqual(await res.json(), { statusCode: 401, message: 'Unauthorized' }, name);
      }
      assert.equal(sb.state.flatchr.candidates.length, 2);
    });

    const invalid: Array<[string, () => unknown, number, RegExp]> = [
      ['urls as a list (the reference bug)', () => fcBody({ urls: [{ linkedin: 'https://l.example' }, { twitter: null }] }), 400, /\/urls must be object/],
      ['a missing lastname', () => fcBody({ lastname: undefined }), 400, /\/lastname/],
      ['type "link" with a null resume', () => fcBody({ resume: null }), 400, /\/resume/],
      ['an unknown type', () => fcBody({ type: 'url' }), 400, /\/type must be equal to one of the allowed values/],
      ['type "document" with a URL', () => fcBody({ type: 'document' }), 400, /resume must be \{data, fileName, contentType\}/],
      ['type "link" with a document', () => fcBody({ resume: { data: PDF.toString('base64'), fileName: 'cv.pdf', contentType: 'application/pdf' } }), 400, /resume must be a URL/],
      ['a document that is not PDF/DOCX', () => fcBody({ type: 'document', resume: { data: Buffer.from('hello world, plain text').toString('base64'), fileName: 'cv.pdf', contentType: 'application/pdf' } }), 400, /not a PDF or DOCX/],
      ['an invalid email', () => fcBody({ email: 'nope' }), 400, /\/email must match format "email"/],
      ['an unknown vacancy', () => fcBody({ vacancy: 'missing-vacancy' }), 404, /Vacancy not found/],
    ];
    for (const [name, body, status, msg] of invalid) {
      it(`answers ${status} {statusCode, message} for ${name}`, async () => {
        const res = await fcPost('json', body());
        assert.equal(res.status, status);
        const b = (await res.json()) as any;
        assert.deepEqual(Object.keys(b).sort(), ['message', 'statusCode']);
        assert.equal(b.statusCode, status);
        assert.match(b.message, msg);
        assert.equal(sb.state.flatchr.candidates.length, 0);
      });
    }

    it('the /test dry run validates like /json and stores nothing', async () => {
      const res = await fcPost('test', fcBody());
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { response: 'test ok' });
      assert.equal(sb.state.flatchr.candidates.length, 0);
      assert.equal(sb.state.flatchr.attachments.length, 0);
      assert.equal((sb.state.flatchr as FlatchrState).tests, 1);
      const bad = await fcPost('test', fcBody({ urls: ['https://l.example'] }));
      assert.equal(bad.status, 400);
      assert.equal((await fcPost('test', fcBody(), 'wrong')).status, 401);
      assert.equal((sb.state.flatchr as FlatchrState).tests, 1);
      const s = (await (await search({})).json()) as any[];
      assert.deepEqual(s, []);
      sb.reset();
      assert.equal((sb.state.flatchr as FlatchrState).tests, 0);
    });

    it('search/applicants finds the created applicant by email (case-insensitive) with its ids', async () => {
      assert.equal((await fcPost('json', fcBody())).status, 200);
      assert.equal((await fcPost('json', fcBody({ email: 'someone.else@example.com', firstname: 'Alex' }))).status, 200);
      assert.equal((await fcPost('json', fcBody({ vacancy: 'other-vacancy' }))).status, 200);
      const res = await search({ email: 'Camille.Durand@EXAMPLE.com' });
      assert.equal(res.status, 200);
      const list = (await res.json()) as any[];
      assert.equal(list.length, 2);
      const stored = sb.state.flatchr.candidates;
      assert.deepEqual(
        list.map((a) => a.applicant),
        [stored[0].applicantId, stored[2].applicantId],
      );
      assert.equal(list[0].candidate, list[1].candidate, 'same person, same candidate id');
      assert.notEqual(list[0].vacancy_id, list[1].vacancy_id);
      for (const a of list) {
        assert.deepEqual(Object.keys(a).sort(), ['applicant', 'candidate', 'created_at', 'email', 'firstname', 'lastname', 'phone', 'vacancy', 'vacancy_id']);
        assert.equal(a.email, 'camille.durand@example.com');
      }
      const byVacancy = (await (await search({ email: 'camille.durand@example.com', vacancy: 'other-vacancy' })).json()) as any[];
      assert.equal(byVacancy.length, 1);
      assert.equal(byVacancy[0].vacancy, 'other-vacancy');
      assert.deepEqual(await (await search({ email: 'nobody@example.com' })).json(), []);
      const unknown = await search({ email: 'x@example.com' }, 'other-company');
      assert.equal(unknown.status, 404);
      assert.deepEqual(await unknown.json(), { statusCode: 404, message: 'Company not found' });
      assert.equal((await search({}, undefined, 'wrong')).status, 401);
    });

    it('faults can target one route (match)', async () => {
      sb.setFault('flatchr', { mode: 'status', status: 502, match: '/search/applicants' });
      assert.equal((await fcPost('json', fcBody())).status, 200);
      const res = await search({ email: 'camille.durand@example.com' });
      assert.equal(res.status, 502);
      assert.deepEqual(await res.json(), { statusCode: 502, message: 'Bad Gateway' });
      assert.equal(sb.state.flatchr.rejections.at(-1)!.fault, true);
    });
  });

  // ------------------------------------------------------------------------------------------------------------
  describe('Taleez', () => {
    const secretHeader = () => ({ 'X-taleez-api-secret': sb.credentials.taleezSecret });
    const tzBody = (over: Record<string, any> = {}) => ({
      firstName: 'Camille',
      lastName: 'Durand',
      mail: 'camille.durand@example.com',
      phone: '+33600000001',
      initialReferrer: 'HrFlow',
      lang: 'FR',
      socialLinks: { linkedin: 'https://www.linkedin.com/in/camille', github: 'https://github.com/camille' },
      location: { country: 'FR', lat: 45.7578, lng: 4.832, city: 'Lyon', postalCode: '69001', street: 'Rue de la République', streetNumber: '12' },
      unitId: 7,
      properties: [{ id: 51940, value: 'HrFlow' }],
      ...over,
    });
    const tzPost = (p: string, body: unknown, headers: Record<string, string> = secretHeader()) =>
      fetch(`${sb.urls.taleez}${p}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const tzCreate = async (over: Record<string, any> = {}) => {
      const res = await tzPost('/candidates', tzBody(over));
      assert.equal(res.status, 201, await res.clone().text());
      return ((await res.json()) as any).id as string;
    };
    const tzUpload = (p: string, file: { data: Buffer; name: string; type?: string }, headers: Record<string, string> = secretHeader()) => {
      const fd = new FormData();
      fd.append('file', new Blob([new Uint8Array(file.data)], { type: file.type ?? 'application/pdf' }), file.name);
      return fetch(`${sb.urls.taleez}${p}`, { method: 'POST', headers, body: fd });
    };

    it('creates a candidate (spec fields + location/unitId/properties): 201 {id: "<digits>"}', async () => {
      const res = await tzPost('/candidates', tzBody());
      assert.equal(res.status, 201);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json;charset=UTF-8/);
      const body = (await res.json()) as any;
      assert.deepEqual(body, { id: '12785' });
      assert.ok(validateAgainstSpec('taleez', 'createdResourceResult', body).valid);
      const c = sb.state.taleez.candidates[0];
      assert.equal(c.id, 12785);
      assert.deepEqual(c.properties, [{ id: 51940, value: 'HrFlow' }]);
      assert.deepEqual(c.warnings, []);
      const back = await fetch(`${sb.urls.taleez}/candidates/12785`, { headers: secretHeader() });
      assert.equal(back.status, 200);
      const cand = (await back.json()) as any;
      assert.ok(validateAgainstSpec('taleez', 'candidate', cand).valid);
      assert.equal(cand.mail, 'camille.durand@example.com');
      assert.equal((await tzCreate({ mail: 'b@example.com' })), '12786');
    });

    it('accepts the minimal body and records an undocumented phone format as ignored', async () => {
      const res = await tzPost('/candidates', { firstName: 'A', lastName: 'B', phone: 'call me' });
      assert.equal(res.status, 201);
      const w = sb.state.taleez.candidates[0].warnings as string[];
      assert.match(w[0], /phone "call me"/);
    });

    const invalid: Array<[string, () => unknown, RegExp]> = [
      ['snake_case social_links (the reference bug)', () => tzBody({ social_links: { linkedin: 'https://l.example' } }), /\/social_links is not a known field/],
      ['lang "DE"', () => tzBody({ lang: 'DE' }), /\/lang must be equal to one of the allowed values/],
      ['lang "NONE"', () => tzBody({ lang: 'NONE' }), /\/lang/],
      ['a 3-letter country', () => tzBody({ location: { country: 'FRA' } }), /\/location\/country must match pattern/],
      ['a lower-case country', () => tzBody({ location: { country: 'fr' } }), /\/location\/country/],
      ['an unknown location key', () => tzBody({ location: { country: 'FR', zip: '1' } }), /\/location must NOT have additional properties/],
      ['a missing lastName', () => tzBody({ lastName: undefined }), /\/lastName/],
      ['a string recruiterId', () => tzBody({ recruiterId: 'x' }), /\/recruiterId must be integer/],
      ['properties without id', () => tzBody({ properties: [{ value: 'x' }] }), /\/properties\/0\/id/],
      ['a body that is not JSON', () => '{nope', /Malformed JSON/],
    ];
    for (const [name, body, msg] of invalid) {
      it(`answers 400 {error} for ${name}`, async () => {
        const res = await tzPost('/candidates', body());
        assert.equal(res.status, 400);
        const b = (await res.json()) as any;
        assert.deepEqual(Object.keys(b), ['error']);
        assert.match(b.error, msg);
        assert.equal(sb.state.taleez.candidates.length, 0);
      });
    }

    it('refuses a second candidate with the same mail (400) and finds it with GET ?mail=', async () => {
      const id = await tzCreate();
      const dup = await tzPost('/candidates', tzBody({ mail: 'CAMILLE.durand@example.com' }));
      assert.equal(dup.status, 400);
      assert.match(((await dup.json()) as any).error, /already exists \(id 12785\)/);
      const res = await fetch(`${sb.urls.taleez}/candidates?mail=${encodeURIComponent('camille.durand@example.com')}`, { headers: secretHeader() });
      assert.equal(res.status, 200);
      const list = (await res.json()) as any;
      assert.ok(validateAgainstSpec('taleez', 'CandidateList', list).valid);
      assert.equal(list.listSize, 1);
      assert.equal(list.list[0].id, Number(id));
      const none = (await (await fetch(`${sb.urls.taleez}/candidates?mail=nobody@example.com`, { headers: secretHeader() })).json()) as any;
      assert.deepEqual(none, { page: 0, pageSize: 100, listSize: 0, list: [] });
      assert.equal((await fetch(`${sb.urls.taleez}/candidates`, { headers: secretHeader() })).status, 400);
    });

    it('checks X-taleez-api-secret (any case) on every route: 401 {error: "Unauthorized"}', async () => {
      const variants: Array<Record<string, string>> = [{}, { 'X-taleez-api-secret': 'wrong' }, { 'X-taleez-api-key': sb.credentials.taleezSecret }];
      for (const headers of variants) {
        const res = await tzPost('/candidates', tzBody(), headers);
        assert.equal(res.status, 401);
        assert.deepEqual(await res.json(), { error: 'Unauthorized' });
      }
      assert.equal((await fetch(`${sb.urls.taleez}/candidates?mail=a@b.c`)).status, 401);
      assert.equal((await tzUpload('/candidates/12785/documents?cv=true', { data: PDF, name: 'cv.pdf' }, {})).status, 401);
      assert.equal((await tzPost('/candidates', tzBody(), { 'x-TALEEZ-API-SECRET': sb.credentials.taleezSecret })).status, 201);
    });

    it('uploads a PDF on both document routes (0.4.0 /documents and newer /candidates/{id}/documents)', async () => {
      const id = await tzCreate();
      const oldRoute = await tzUpload(`/documents?candidateId=${id}&cv=true`, { data: PDF, name: 'cv.pdf' });
      assert.equal(oldRoute.status, 201);
      const a = (await oldRoute.json()) as any;
      assert.ok(validateAgainstSpec('taleez', 'createdResourceResult', a).valid);
      assert.match(a.id, /^\d+$/);
      const other = makePdf(['Cover letter']);
      const newRoute = await tzUpload(`/candidates/${id}/documents?cv=True`, { data: other, name: 'letter.pdf', type: 'application/octet-stream' });
      assert.equal(newRoute.status, 201);
      const b = (await newRoute.json()) as any;
      assert.notEqual(b.id, a.id);
      // Same content again → same document id (documented), name updated.
      const again = await tzUpload(`/candidates/${id}/documents?cv=true`, { data: PDF, name: 'resume_Camille_Durand' });
      assert.deepEqual(await again.json(), { id: a.id });
      const atts = sb.state.taleez.attachments;
      assert.equal(atts.length, 2);
      assert.equal(atts[0].route, 'documents');
      assert.equal(atts[0].cv, true);
      assert.equal(atts[0].fileName, 'resume_Camille_Durand');
      assert.equal(atts[0].contentType, 'application/pdf');
      assert.equal(atts[0].contentTypeMatches, true);
      assert.equal(atts[0].uploads, 2);
      assert.equal(atts[0].sha256, sha256(PDF));
      assert.equal(atts[1].route, 'candidate-documents');
      assert.equal(atts[1].contentType, 'application/octet-stream');
      assert.equal(atts[1].contentTypeMatches, false);
      assert.equal(atts[1].candidateId, Number(id));
    });

    it('refuses non-PDF documents (400), unknown candidates (404) and a missing cv flag on /documents (400)', async () => {
      const id = await tzCreate();
      const docx = await tzUpload(`/candidates/${id}/documents?cv=true`, { data: DOCX, name: 'cv.pdf', type: 'application/pdf' });
      assert.equal(docx.status, 400);
      assert.match(((await docx.json()) as any).error, /Only pdf files.*DOCX/);
      const txt = await tzUpload(`/documents?candidateId=${id}&cv=false`, { data: Buffer.from('plain text'), name: 'cv.txt' });
      assert.equal(txt.status, 400);
      const unknownNew = await tzUpload('/candidates/99999/documents?cv=true', { data: PDF, name: 'cv.pdf' });
      assert.equal(unknownNew.status, 404);
      assert.deepEqual(await unknownNew.json(), { error: 'Candidate cannot be found' });
      assert.equal((await tzUpload('/documents?candidateId=99999&cv=true', { data: PDF, name: 'cv.pdf' })).status, 404);
      assert.equal((await tzUpload(`/documents?candidateId=${id}`, { data: PDF, name: 'cv.pdf' })).status, 400);
      assert.equal(sb.state.taleez.attachments.length, 0);
    });

    it('assigns jobs and pools both ways and refuses unknown ids (404)', async () => {
      const id = await tzCreate();
      const id2 = await tzCreate({ mail: 'second@example.com' });
      assert.equal((await tzPost(`/candidates/${id}/jobs`, { ids: [101, 102] })).status, 200);
      assert.equal((await tzPost(`/candidates/${id}/pools`, { ids: [7] })).status, 200);
      assert.equal((await tzPost('/jobs/103/candidates', { ids: [Number(id), Number(id2)] })).status, 200);
      assert.equal((await tzPost('/pools/8/candidates', { ids: [Number(id2)] })).status, 200);
      const [c1, c2] = sb.state.taleez.candidates;
      assert.deepEqual(c1.jobIds, [101, 102, 103]);
      assert.deepEqual(c1.poolIds, [7]);
      assert.deepEqual(c2.jobIds, [103]);
      assert.deepEqual(c2.poolIds, [8]);

      const badJob = await tzPost(`/candidates/${id}/jobs`, { ids: [101, 900001] });
      assert.equal(badJob.status, 404);
      assert.match(((await badJob.json()) as any).error, /Unknown job: 900001/);
      assert.equal((await tzPost(`/candidates/${id}/pools`, { ids: [950000] })).status, 404);
      assert.equal((await tzPost('/jobs/900000/candidates', { ids: [Number(id)] })).status, 404);
      assert.equal((await tzPost('/pools/5/candidates', { ids: [424242] })).status, 404);
      assert.equal((await tzPost('/candidates/424242/jobs', { ids: [1] })).status, 404);
      assert.equal((await tzPost(`/candidates/${id}/jobs`, { ids: ['x'] })).status, 400);
      assert.equal((await tzPost(`/candidates/${id}/jobs`, [1])).status, 400);
      assert.deepEqual(c1.jobIds, [101, 102, 103]);
    });

    it('faults can target the documents route only', async () => {
      const id = await tzCreate();
      sb.setFault('taleez', { mode: 'status', status: 503, match: '/documents', count: 1 });
      assert.equal((await tzPost(`/candidates/${id}/jobs`, { ids: [1] })).status, 200);
      const res = await tzUpload(`/candidates/${id}/documents?cv=true`, { data: PDF, name: 'cv.pdf' });
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { error: 'Service Unavailable' });
      assert.equal((await tzUpload(`/candidates/${id}/documents?cv=true`, { data: PDF, name: 'cv.pdf' })).status, 201);
      assert.equal(sb.state.taleez.faultsInjected, 1);
    });
  });

  // ------------------------------------------------------------------------------------------------------------
  describe('rate limits', () => {
    it('Taleez: 429 {error} above rateLimits.taleez.perMinute per secret; Flatchr create limit is opt-in', async () => {
      const rl = await createSandbox({ quiet: true, generatedProfiles: 0, rateLimits: { taleez: { perMinute: 5 }, flatchr: { perSecond: 2 } } });
      try {
        const get = (secret: string) => fetch(`${rl.urls.taleez}/candidates?mail=a@b.example`, { headers: { 'X-taleez-api-secret': secret } });
        const statuses: number[] = [];
        for (let i = 0; i < 7; i++) statuses.push((await get(rl.credentials.taleezSecret)).status);
        assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
        const res = await get(rl.credentials.taleezSecret);
        assert.equal(res.status, 429);
        assert.deepEqual(await res.json(), { error: 'Too many requests' });
        assert.equal(res.headers.get('retry-after'), null);
        assert.equal((await get('another-secret')).status, 401, 'other secrets have their own window');
        assert.equal(rl.state.taleez.rateLimited, 3);

        const fc = () =>
          fetch(`${rl.urls.flatchr}/vacancy/candidate/test`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${rl.credentials.flatchrApiKey}` },
            body: JSON.stringify({ vacancy: 'v', firstname: 'A', lastname: 'B', type: 'link', resume: 'https://cv.example/cv.pdf' }),
          });
        const fs = [(await fc()).status, (await fc()).status, (await fc()).status];
        assert.deepEqual(fs, [200, 200, 429]);
        rl.reset();
        assert.equal((await get(rl.credentials.taleezSecret)).status, 200, 'reset clears the windows');
      } finally {
        await rl.close();
      }
    });

    it('defaults: Taleez 100/min, Flatchr none', async () => {
      const statuses = await Promise.all(
        Array.from({ length: 30 }, () =>
          fetch(`${sb.urls.flatchr}/vacancy/candidate/test`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sb.credentials.flatchrApiKey}` },
            body: JSON.stringify({ vacancy: 'v', firstname: 'A', lastname: 'B', type: 'link', resume: 'https://cv.example/cv.pdf' }),
          }).then((r) => r.status),
        ),
      );
      assert.ok(statuses.every((s) => s === 200));
      const taleez = await Promise.all(
        Array.from({ length: 101 }, () =>
          fetch(`${sb.urls.taleez}/candidates?mail=x@y.example`, { headers: { 'X-taleez-api-secret': sb.credentials.taleezSecret } }).then((r) => r.status),
        ),
      );
      assert.equal(taleez.filter((s) => s === 200).length, 100);
      assert.equal(taleez.filter((s) => s === 429).length, 1);
    });
  });

  it('close() resolves promptly while a Flatchr CV download hangs', async () => {
    const hanging = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const port = (hanging.address() as { port: number }).port;
    const local = await createSandbox({ quiet: true, generatedProfiles: 0 });
    try {
      const res = await fetch(`${local.urls.flatchr}/vacancy/candidate/json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${local.credentials.flatchrApiKey}` },
        body: JSON.stringify({ vacancy: 'v', firstname: 'A', lastname: 'B', type: 'link', resume: `http://127.0.0.1:${port}/cv.pdf` }),
      });
      assert.equal(res.status, 200, 'answers after the grace period even if the download is still running');
      assert.equal(local.state.flatchr.candidates[0].cvFetch, 'none');
      const t0 = Date.now();
      await local.close();
      assert.ok(Date.now() - t0 < 1000, `close took ${Date.now() - t0}ms`);
    } finally {
      await local.close();
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    }
  });
});
