import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createSandbox,
  validateAgainstSpec,
  isPdf,
  isDocx,
  makePdf,
  makeDocx,
  crc32,
  parseMultipart,
  getBoundary,
  openApiToJsonSchema,
  SANDBOX_SOURCE_KEY,
  type Sandbox,
} from '../../src/sandbox';
import { DEFAULT_SPECS_DIR } from '../../src/sandbox/spec';
import { RateLimiter } from '../../src/sandbox/ratelimit';
import { FaultRegistry } from '../../src/sandbox/faults';

const FIXTURE_KEYS = {
  full: '9a8b7c6d5e4f30211203a4b5c6d7e8f9a0b1c2d3',
  minimal: '1111222233334444555566667777888899990000',
  edge: 'abcdefabcdefabcdefabcdefabcdefabcdef0001',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const VALID_SR = {
  firstName: 'Camille',
  lastName: 'Durand-Exemple',
  email: 'camille.durand@example.com',
  phoneNumber: '+33600000001',
  location: { country: 'France', countryCode: 'FR', city: 'Lyon', lat: 45.7578, lng: 4.832 },
  web: { linkedin: 'https://www.linkedin.com/in/camille-durand-example' },
  tags: ['hrflow'],
  education: [{ institution: 'Université Exemple', degree: 'Master', major: 'Informatique', startDate: '2014-09', endDate: '2016' }],
  experience: [{ title: 'Senior Backend Engineer', company: 'Exemple Data SAS', current: true, startDate: '2021-09-01' }],
  sourceDetails: { sourceTypeId: 'API', sourceId: 'hrflow' },
};

describe('sandbox', function () {
  let sb: Sandbox;

  // Generous limits for the shared sandbox: the default limits (10/s, 8 concurrent) are tested on their own.
  before(async () => {
    sb = await createSandbox({ quiet: true, rateLimits: { smartrecruiters: { perSecond: 1000, concurrent: 100 } } });
  });
  after(async () => {
    await sb.close();
  });
  beforeEach(() => sb.reset());

  const hrflowHeaders = () => ({ 'X-API-KEY': sb.credentials.hrflowApiKey, 'X-USER-EMAIL': sb.credentials.hrflowUser });
  const profileUrl = (q: Record<string, string>) => `${sb.urls.hrflow}/profile/indexing?${new URLSearchParams(q)}`;
  const srPost = (p: string, body: unknown, token: string | null = sb.credentials.smartToken) =>
    fetch(`${sb.urls.smartrecruiters}${p}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token !== null ? { 'X-SmartToken': token } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const srUpload = (p: string, fields: { attachmentType?: string; file?: { data: Buffer; name: string; type?: string } }) => {
    const fd = new FormData();
    if (fields.attachmentType !== undefined) fd.append('attachmentType', fields.attachmentType);
    if (fields.file) fd.append('file', new Blob([new Uint8Array(fields.file.data)], { type: fields.file.type ?? 'application/octet-stream' }), fields.file.name);
    return fetch(`${sb.urls.smartrecruiters}${p}`, { method: 'POST', headers: { 'x-smarttoken': sb.credentials.smartToken }, body: fd });
  };
  const rcPost = (body: unknown, opts: { token?: string | null; company?: string } = {}) => {
    const token = opts.token === undefined ? sb.credentials.recruiteeToken : opts.token;
    return fetch(`${sb.urls.recruitee}/${opts.company ?? sb.credentials.recruiteeCompany}/candidates`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token !== null ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  };
  const srCreate = async (jobId = 'job-1', body: Record<string, unknown> = VALID_SR) => {
    const res = await srPost(`/jobs/${jobId}/candidates`, body);
    assert.equal(res.status, 201);
    return (await res.json()) as any;
  };

  describe('layout', () => {
    it('exposes URLs and default credentials', () => {
      assert.match(sb.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(sb.urls.hrflow, `${sb.url}/v1`);
      assert.equal(sb.urls.smartrecruiters, `${sb.url}/smartrecruiters`);
      assert.equal(sb.urls.recruitee, `${sb.url}/recruitee/c`);
      assert.deepEqual(
        { ...sb.credentials },
        {
          hrflowApiKey: 'ask_sandbox_0000000000000000000000000000',
          hrflowUser: 'sandbox@example.com',
          smartToken: 'sandbox-smart-token',
          recruiteeToken: 'sandbox-recruitee-token',
          recruiteeCompany: 'sandbox',
          broadbeanSecret: 'sandbox-broadbean-secret', broadbeanSourceId: 'sandbox-source', broadbeanClientId: 'sandbox-client',
          flatchrApiKey: 'sandbox-flatchr-key', flatchrCompany: 'sandbox-company', taleezSecret: 'sandbox-taleez-secret',
        },
      );
      assert.equal(sb.profileKeys().length, 23);
    });

    it('serves a readable HTML page that refreshes', async () => {
      await srCreate();
      const res = await fetch(`${sb.url}/`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      const html = await res.text();
      assert.match(html, /http-equiv="refresh" content="2"/);
      assert.match(html, /SmartRecruiters/);
      assert.match(html, /Camille Durand-Exemple/);
      assert.doesNotMatch(html, /<script|<link /);
    });
  });

  describe('HrFlow', () => {
    for (const [name, key] of Object.entries(FIXTURE_KEYS)) {
      it(`returns the ${name} fixture`, async () => {
        const res = await fetch(profileUrl({ source_key: SANDBOX_SOURCE_KEY, key }), { headers: hrflowHeaders() });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
        const body = (await res.json()) as any;
        assert.equal(body.code, 200);
        assert.equal(body.message, 'Profile successfully fetched');
        assert.equal(body.data.key, key);
        for (const a of body.data.attachments) {
          assert.equal(a.public_url, `${sb.url}/files/${key}/${a.file_name}${a.extension}`);
        }
      });
    }

    it('answers 401 without echoing a wrong key, and 401 without a key', async () => {
      const secret = 'ask_0123456789abcdef0123456789abcdef';
      const res = await fetch(profileUrl({ source_key: SANDBOX_SOURCE_KEY, key: FIXTURE_KEYS.full }), {
        headers: { 'X-API-KEY': secret, 'X-USER-EMAIL': sb.credentials.hrflowUser },
      });
      assert.equal(res.status, 401);
      const text = await res.text();
      assert.ok(!text.includes(secret) && !text.includes('0123456789abcdef'));
      const body = JSON.parse(text);
      assert.equal(body.code, 401);
      assert.match(body.message, /^Unauthorized\. Invalid secret key: .*\(redacted\)$/);

      const res2 = await fetch(profileUrl({ source_key: SANDBOX_SOURCE_KEY, key: FIXTURE_KEYS.full }));
      assert.equal(res2.status, 401);
      assert.equal(sb.state.hrflow.rejections.length, 2);
    });

    it('answers 400 for missing parameters and unknown profiles', async () => {
      let res = await fetch(profileUrl({ source_key: SANDBOX_SOURCE_KEY }), { headers: hrflowHeaders() });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as any).message, /^Invalid parameters\./);
      res = await fetch(profileUrl({ key: FIXTURE_KEYS.full }), { headers: hrflowHeaders() });
      assert.equal(res.status, 400);
      res = await fetch(profileUrl({ source_key: SANDBOX_SOURCE_KEY, key: 'f'.repeat(40) }), { headers: hrflowHeaders() });
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { code: 400, message: 'Invalid parameters. Unable to find object: profile' });
    });

    it('generates deterministic, varied, spec-valid profiles with unique emails', async () => {
      const keys = sb.profileKeys().filter((k) => !Object.values(FIXTURE_KEYS).includes(k.key));
      assert.equal(keys.length, 20);
      const emails = new Set<string>();
      const kinds = new Set<string>();
      for (const k of keys) {
        const p = sb.getProfile(k.source_key, k.key)!;
        const v = validateAgainstSpec('hrflow', 'Profile', p);
        assert.ok(v.valid, JSON.stringify(v.errors));
        emails.add(p.info.email);
        kinds.add(p.attachments.map((a: any) => `${a.type}${a.extension}`).join('+') || 'none');
      }
      assert.equal(emails.size, 20);
      assert.deepEqual([...kinds].sort(), ['none', 'original.docx', 'original.pdf+resume.pdf']);
      const again = await createSandbox({ quiet: true, generatedProfiles: 2 });
      try {
        assert.deepEqual(
          again.profileKeys().map((k) => k.key),
          sb.profileKeys().slice(0, 5).map((k) => k.key),
        );
      } finally {
        await again.close();
      }
    });

    it('supports addProfile (lookup by key and reference) and keeps profiles across reset()', async () => {
      const src = 'a'.repeat(40);
      sb.addProfile(src, {
        key: 'b'.repeat(40),
        reference: 'ref-1',
        info: { full_name: 'Added Person', email: 'added@example.com' },
        attachments: [{ type: 'resume', file_name: 'resume', extension: '.pdf', public_url: 'https://elsewhere.invalid/x.pdf' }],
      });
      sb.reset();
      const res = await fetch(profileUrl({ source_key: src, reference: 'ref-1' }), { headers: hrflowHeaders() });
      assert.equal(res.status, 200);
      const p = ((await res.json()) as any).data;
      assert.equal(p.attachments[0].public_url, `${sb.url}/files/${'b'.repeat(40)}/resume.pdf`);
      const file = await fetch(p.attachments[0].public_url);
      assert.equal(file.status, 200);
      assert.ok(isPdf(Buffer.from(await file.arrayBuffer())));
    });
  });

  describe('files', () => {
    it('serves a valid PDF with a correct xref table', async () => {
      const res = await fetch(`${sb.url}/files/${FIXTURE_KEYS.full}/resume.pdf`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/pdf');
      const buf = Buffer.from(await res.arrayBuffer());
      assert.ok(isPdf(buf));
      assert.ok(!isDocx(buf));
      const text = buf.toString('latin1');
      const startxref = Number(/startxref\n(\d+)\n%%EOF/.exec(text)![1]);
      assert.ok(text.slice(startxref).startsWith('xref\n0 '));
      const entries = [...text.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
      assert.ok(entries.length >= 5);
      entries.forEach((off, i) => assert.ok(text.slice(off).startsWith(`${i + 1} 0 obj`), `object ${i + 1} at ${off}`));
      assert.match(text, /Camille Durand-Exemple/);
    });

    it('serves a valid DOCX (stored zip, CRCs right)', async () => {
      const res = await fetch(`${sb.url}/files/${FIXTURE_KEYS.edge}/original.docx`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      const buf = Buffer.from(await res.arrayBuffer());
      assert.ok(isDocx(buf));
      assert.ok(!isPdf(buf));
      // Walk local headers and check each CRC.
      let off = 0;
      const names: string[] = [];
      while (buf.readUInt32LE(off) === 0x04034b50) {
        const crc = buf.readUInt32LE(off + 14);
        const size = buf.readUInt32LE(off + 18);
        const nameLen = buf.readUInt16LE(off + 26);
        const name = buf.subarray(off + 30, off + 30 + nameLen).toString('utf8');
        const data = buf.subarray(off + 30 + nameLen, off + 30 + nameLen + size);
        assert.equal(crc32(data), crc, name);
        names.push(name);
        off += 30 + nameLen + size;
      }
      assert.deepEqual(names, ['[Content_Types].xml', '_rels/.rels', 'word/document.xml']);
      assert.equal(buf.readUInt32LE(buf.length - 22), 0x06054b50);
      assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    });

    it('answers 404 for unknown files', async () => {
      for (const p of [`/files/${FIXTURE_KEYS.minimal}/resume.pdf`, `/files/${FIXTURE_KEYS.full}/resume.docx`, '/files/nope']) {
        const res = await fetch(`${sb.url}${p}`);
        assert.equal(res.status, 404, p);
        await res.arrayBuffer();
      }
      assert.equal((await fetch(`${sb.url}/files/sample.pdf`)).status, 200);
    });

    it('sniffs PDF and DOCX bytes', () => {
      assert.ok(isPdf(makePdf(['x'])));
      assert.ok(isDocx(makeDocx(['x'])));
      assert.ok(!isPdf(Buffer.from('<html>not a pdf</html>')));
      assert.ok(!isDocx(Buffer.from('PK not really a zip at all, sorry')));
      assert.ok(!isPdf(null) && !isDocx(undefined));
    });
  });

  describe('SmartRecruiters', () => {
    it('creates a candidate in a job: 201 CandidateDetails, rate headers, readable back', async () => {
      const res = await srPost('/jobs/job-42/candidates', VALID_SR);
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('x-ratelimit-limit'), '1000');
      assert.ok(res.headers.get('x-ratelimit-remaining'));
      assert.equal(res.headers.get('x-ratelimit-concurrent-limit'), '100');
      assert.ok(res.headers.get('x-ratelimit-concurrent-remaining'));
      const body = (await res.json()) as any;
      assert.match(body.id, /^[0-9a-f-]{36}$/);
      assert.equal(body.firstName, 'Camille');
      assert.deepEqual(body.location, VALID_SR.location);
      assert.deepEqual(body.primaryAssignment.job, { id: 'job-42' });
      assert.equal(body.primaryAssignment.status, 'NEW');
      const v = validateAgainstSpec('smartrecruiters', 'CandidateDetails', body);
      assert.ok(v.valid, JSON.stringify(v.errors));
      assert.equal(sb.state.smartrecruiters.candidates.length, 1);
      assert.deepEqual(sb.state.smartrecruiters.candidates[0].body, VALID_SR);

      const back = await fetch(`${sb.urls.smartrecruiters}/candidates/${body.id}`, { headers: { 'X-SmartToken': sb.credentials.smartToken } });
      assert.equal(back.status, 200);
      assert.deepEqual(await back.json(), body);
      const missing = await fetch(`${sb.urls.smartrecruiters}/candidates/nope`, { headers: { 'X-SmartToken': sb.credentials.smartToken } });
      assert.equal(missing.status, 404);
    });

    it('creates a talent-pool candidate (POST /candidates) and records duplicates', async () => {
      const a = await srPost('/candidates', VALID_SR);
      assert.equal(a.status, 201);
      const first = (await a.json()) as any;
      assert.equal(first.primaryAssignment, undefined);
      const b = await srPost('/candidates', { ...VALID_SR, email: 'CAMILLE.DURAND@example.com' });
      assert.equal(b.status, 201);
      assert.equal(sb.state.smartrecruiters.candidates[1].duplicateOf, first.id);
    });

    it('rejects bodies the spec forbids with 400 "validation failure" and dataPath', async () => {
      const cases: Array<[unknown, string]> = [
        [{ ...VALID_SR, location: { countryCode: 'FRA' } }, '/location/countryCode'],
        [{ lastName: 'B', email: 'a@example.com' }, '/firstName'],
        [{ ...VALID_SR, firstName: '' }, '/firstName'],
        [{ ...VALID_SR, email: 'not-an-email' }, '/email'],
        [{ ...VALID_SR, experience: [{ title: 'Dev', company: 'X', startDate: '2020-01-01', endDate: 'XXXX' }] }, '/experience/0/endDate'],
        [{ ...VALID_SR, education: [{ institution: 'U', degree: 'D', major: '' }] }, '/education/0/major'],
        [{ ...VALID_SR, phoneNumber: null }, '/phoneNumber'],
        [{ ...VALID_SR, sourceDetails: { sourceTypeId: 'x' } }, '/sourceDetails/sourceId'],
      ];
      for (const [body, dataPath] of cases) {
        const res = await srPost('/jobs/job-1/candidates', body);
        assert.equal(res.status, 400, dataPath);
        const err = (await res.json()) as any;
        assert.equal(err.message, 'validation failure');
        assert.ok(
          err.errors.some((e: any) => e.dataPath === dataPath && typeof e.message === 'string'),
          `${dataPath} in ${JSON.stringify(err.errors)}`,
        );
      }
      // What the spec does not forbid: plural keys (no additionalProperties: false).
      const plural = await srPost('/candidates', { ...VALID_SR, experiences: [{ endDate: 'XXXX' }] });
      assert.equal(plural.status, 201);
      assert.equal(sb.state.smartrecruiters.candidates.length, 1);
      assert.equal(sb.state.smartrecruiters.rejections.length, cases.length);
    });

    it('answers 400 for malformed JSON, 401 for a bad/missing token, 404 for a missing job', async () => {
      let res = await srPost('/candidates', '{nope');
      assert.equal(res.status, 400);
      await res.arrayBuffer();
      res = await srPost('/candidates', VALID_SR, 'wrong');
      assert.equal(res.status, 401);
      const body = (await res.json()) as any;
      assert.equal(body.message, 'Invalid token');
      assert.equal(body.errors[0].code, 'PERMISSION_DENIED');
      res = await srPost('/candidates', VALID_SR, null);
      assert.equal(res.status, 401);
      await res.arrayBuffer();
      res = await srPost('/jobs/missing-123/candidates', VALID_SR);
      assert.equal(res.status, 404);
      assert.deepEqual(((await res.json()) as any).errors[0].code, 'JOB_NOT_FOUND');
      assert.equal(sb.state.smartrecruiters.candidates.length, 0);
    });

    it('accepts a multipart CV upload for a job candidate and records it as PDF', async () => {
      const cand = await srCreate('job-7');
      const pdf = makePdf(['CV']);
      const res = await srUpload(`/candidates/${cand.id}/jobs/job-7/attachments`, {
        attachmentType: 'RESUME',
        file: { data: pdf, name: 'CV Camille.pdf', type: 'application/pdf' },
      });
      assert.equal(res.status, 201);
      const att = (await res.json()) as any;
      assert.equal(att.name, 'CV Camille.pdf');
      assert.equal(att.type, 'RESUME');
      assert.equal(att.contentType, 'application/pdf');
      assert.equal(att.actions.remove.method, 'DELETE');
      const v = validateAgainstSpec('smartrecruiters', 'CandidateAttachmentForJob', att);
      assert.ok(v.valid, JSON.stringify(v.errors));
      const rec = sb.state.smartrecruiters.attachments[0];
      assert.equal(rec.candidateId, cand.id);
      assert.equal(rec.type, 'RESUME');
      assert.equal(rec.size, pdf.length);
      assert.equal(rec.isPdf, true);
      assert.equal(rec.isDocx, false);
      assert.match(rec.sha256!, /^[0-9a-f]{64}$/);
      const dl = await fetch(att.actions.download.url, { headers: { 'X-SmartToken': sb.credentials.smartToken } });
      assert.deepEqual(Buffer.from(await dl.arrayBuffer()), pdf);

      // Same file again → FILE_ALREADY_EXIST.
      const again = await srUpload(`/candidates/${cand.id}/jobs/job-7/attachments`, {
        attachmentType: 'RESUME',
        file: { data: pdf, name: 'CV Camille.pdf', type: 'application/pdf' },
      });
      assert.equal(again.status, 400);
      assert.equal(((await again.json()) as any).errors[0].code, 'FILE_ALREADY_EXIST');
    });

    it('accepts the deprecated attachments route with a DOCX', async () => {
      const cand = await srCreate();
      const res = await srUpload(`/candidates/${cand.id}/attachments`, { attachmentType: 'GENERIC_FILE', file: { data: makeDocx(['x']), name: 'cv.docx' } });
      assert.equal(res.status, 201);
      const att = (await res.json()) as any;
      assert.equal(att.contentType, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      assert.ok(validateAgainstSpec('smartrecruiters', 'Attachment', att).valid);
      assert.equal(sb.state.smartrecruiters.attachments[0].isDocx, true);
    });

    it('rejects bad uploads', async () => {
      const cand = await srCreate('job-1');
      const pdf = makePdf(['CV']);
      const up = (p: string, f: Parameters<typeof srUpload>[1]) => srUpload(p, f);
      const expect = async (res: Response, status: number, check: (b: any) => boolean) => {
        assert.equal(res.status, status);
        const b = await res.json();
        assert.ok(check(b), JSON.stringify(b));
      };
      const base = `/candidates/${cand.id}/jobs/job-1/attachments`;
      await expect(await up(`/candidates/unknown/jobs/job-1/attachments`, { attachmentType: 'RESUME', file: { data: pdf, name: 'a.pdf' } }), 404, () => true);
      await expect(await up(`/candidates/${cand.id}/jobs/other-job/attachments`, { attachmentType: 'RESUME', file: { data: pdf, name: 'a.pdf' } }), 404, (b) => b.errors[0].code === 'JOB_NOT_FOUND');
      await expect(await up(base, { file: { data: pdf, name: 'a.pdf' } }), 400, (b) => b.errors.some((e: any) => e.dataPath === '/attachmentType'));
      await expect(await up(base, { attachmentType: 'CV', file: { data: pdf, name: 'a.pdf' } }), 400, (b) => b.errors.some((e: any) => e.dataPath === '/attachmentType'));
      await expect(await up(base, { attachmentType: 'RESUME' }), 400, (b) => b.errors[0].code === 'INVALID_FILE');
      await expect(await up(base, { attachmentType: 'RESUME', file: { data: Buffer.alloc(0), name: 'a.pdf' } }), 400, (b) => b.errors[0].code === 'INVALID_FILE');
      await expect(await up(base, { attachmentType: 'RESUME', file: { data: pdf, name: 'noextension' } }), 400, (b) => b.errors[0].code === 'INVALID_FILE');
      await expect(await up(base, { attachmentType: 'RESUME', file: { data: pdf, name: 'virus.exe' } }), 400, (b) => b.errors[0].code === 'INVALID_FILE');
      await expect(
        await up(base, { attachmentType: 'RESUME', file: { data: Buffer.from('https://example.com/cv.pdf'), name: 'cv.pdf' } }),
        400,
        (b) => b.errors[0].code === 'INVALID_FILE' && /Corrupted/.test(b.errors[0].message),
      );
      const json = await fetch(`${sb.urls.smartrecruiters}${base}`, {
        method: 'POST',
        headers: { 'X-SmartToken': sb.credentials.smartToken, 'Content-Type': 'application/json' },
        body: '{}',
      });
      assert.equal(json.status, 415);
      await json.arrayBuffer();
      assert.equal(sb.state.smartrecruiters.attachments.length, 0);
    });

    it('rate limits by default at 10/s and 8 concurrent: some 429 among 30 parallel requests, without Retry-After', async () => {
      const d = await createSandbox({ quiet: true, generatedProfiles: 0 });
      try {
        const post = () =>
          fetch(`${d.urls.smartrecruiters}/candidates`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-SmartToken': d.credentials.smartToken },
            body: JSON.stringify(VALID_SR),
          });
        const results = await Promise.all(Array.from({ length: 30 }, post));
        const statuses = results.map((r) => r.status);
        const limited = results.filter((r) => r.status === 429);
        assert.ok(limited.length >= 20, statuses.join(','));
        assert.ok(statuses.filter((s) => s === 201).length <= 10);
        for (const r of results) {
          assert.equal(r.headers.get('retry-after'), null);
          assert.equal(r.headers.get('x-ratelimit-limit'), '10');
          assert.equal(r.headers.get('x-ratelimit-concurrent-limit'), '8');
          assert.ok(r.headers.get('x-ratelimit-remaining') !== null);
          assert.ok(r.headers.get('x-ratelimit-concurrent-remaining') !== null);
        }
        assert.deepEqual(await limited[0].json(), { message: 'Too many requests' });
        await Promise.all(results.map((r) => r.arrayBuffer().catch(() => undefined)));
        assert.equal(d.state.smartrecruiters.rateLimited, limited.length);
        assert.equal(d.state.smartrecruiters.requests, 30);
        assert.equal(d.state.smartrecruiters.candidates.length, 30 - limited.length);
      } finally {
        await d.close();
      }
    });
  });

  describe('Recruitee', () => {
    const valid = {
      candidate: {
        name: 'Camille Durand-Exemple',
        emails: ['camille.durand@example.com'],
        phones: ['+33600000001'],
        social_links: ['https://www.linkedin.com/in/camille'],
        links: [],
        cover_letter: '',
        sources: ['HrFlow'],
      },
      offers: [123, 456],
    };

    it('creates candidates: 201 envelope, incrementing ids, placements', async () => {
      const res = await rcPost(valid);
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      const body = (await res.json()) as any;
      assert.ok(validateAgainstSpec('recruitee', 'CandidateEnvelope', body).valid);
      assert.equal(body.candidate.id, 1000);
      assert.equal(body.candidate.name, valid.candidate.name);
      assert.deepEqual(body.candidate.emails, valid.candidate.emails);
      assert.equal(body.candidate.cv_original_url, null);
      assert.deepEqual(
        body.candidate.placements.map((p: any) => [p.offer_id, p.candidate_id]),
        [
          [123, 1000],
          [456, 1000],
        ],
      );
      const second = (await (await rcPost({ candidate: { name: 'Only Name' } })).json()) as any;
      assert.equal(second.candidate.id, 1001);
      assert.deepEqual(second.candidate.placements, []);
      const back = await fetch(`${sb.urls.recruitee}/sandbox/candidates/1000`, { headers: { Authorization: `Bearer ${sb.credentials.recruiteeToken}` } });
      assert.equal(back.status, 200);
      assert.equal(((await back.json()) as any).candidate.id, 1000);
      const none = await fetch(`${sb.urls.recruitee}/sandbox/candidates/999`, { headers: { Authorization: `Bearer ${sb.credentials.recruiteeToken}` } });
      assert.equal(none.status, 404);
      assert.equal(sb.state.recruitee.candidates.length, 2);
      sb.reset();
      assert.equal(((await (await rcPost(valid)).json()) as any).candidate.id, 1000);
    });

    it('answers 422 for [null] entries, offers: null, missing name', async () => {
      for (const [body, field] of [
        [{ candidate: { ...valid.candidate, phones: [null] } }, 'candidate.phones.0'],
        [{ ...valid, offers: null }, 'offers'],
        [{ candidate: { emails: ['x@example.com'] } }, 'candidate.name'],
        [{ candidate: { ...valid.candidate, remote_cv_url: null } }, 'candidate.remote_cv_url'],
      ] as const) {
        const res = await rcPost(body);
        assert.equal(res.status, 422, field);
        const err = (await res.json()) as any;
        assert.ok(Array.isArray(err.errors) && err.errors.length > 0);
        assert.ok(err.error_fields[field], JSON.stringify(err));
      }
      assert.equal(sb.state.recruitee.candidates.length, 0);
      assert.equal(sb.state.recruitee.rejections.length, 4);
    });

    it('answers 401 for a bad or missing token and 404 for an unknown company', async () => {
      let res = await rcPost(valid, { token: 'nope' });
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: 'Unauthorized' });
      res = await rcPost(valid, { token: null });
      assert.equal(res.status, 401);
      await res.arrayBuffer();
      res = await rcPost(valid, { company: 'other' });
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { error: 'Company not found' });
    });

    it('downloads remote_cv_url from the sandbox and records it; records failures and external URLs', async () => {
      const cvUrl = `${sb.url}/files/${FIXTURE_KEYS.full}/resume.pdf`;
      const ok = (await (await rcPost({ candidate: { ...valid.candidate, remote_cv_url: cvUrl } })).json()) as any;
      await sb.settled();
      assert.equal(ok.candidate.cv_original_url, cvUrl);
      const att = sb.state.recruitee.attachments.find((a) => a.candidateId === ok.candidate.id)!;
      assert.equal(att.fetch, 'ok');
      assert.equal(att.isPdf, true);
      assert.equal(att.contentType, 'application/pdf');
      assert.ok(att.size > 100);
      assert.equal(sb.state.recruitee.candidates[0].cvFetch, 'ok');

      const docx = (await (await rcPost({ candidate: { name: 'D', remote_cv_url: `${sb.url}/files/${FIXTURE_KEYS.edge}/original.docx` } })).json()) as any;
      const broken = await rcPost({ candidate: { name: 'B', remote_cv_url: `${sb.url}/files/nope/cv.pdf` } });
      assert.equal(broken.status, 201);
      const ext = await rcPost({ candidate: { name: 'E', remote_cv_url: 'https://cdn.example.com/cv.pdf' } });
      assert.equal(ext.status, 201);
      await sb.settled();
      assert.equal(sb.state.recruitee.attachments.find((a) => a.candidateId === docx.candidate.id)!.isDocx, true);
      const failed = sb.state.recruitee.attachments.find((a) => a.fetch === 'failed')!;
      assert.equal(failed.fetchStatus, 404);
      assert.equal(sb.state.recruitee.candidates[2].cvFetch, 'failed');
      assert.equal(sb.state.recruitee.candidates[3].cvFetch, 'skipped-external');
      assert.equal(sb.state.recruitee.attachments.length, 3);
    });
  });

  describe('faults', () => {
    it('status: vendor-shaped body, Retry-After only when set, count decrements', async () => {
      sb.setFault('smartrecruiters', { mode: 'status', status: 503, retryAfter: 2, count: 2 });
      for (let i = 0; i < 2; i++) {
        const res = await srPost('/candidates', VALID_SR);
        assert.equal(res.status, 503);
        assert.equal(res.headers.get('retry-after'), '2');
        const body = (await res.json()) as any;
        assert.equal(typeof body.message, 'string');
        assert.ok(Array.isArray(body.errors));
      }
      assert.equal((await srPost('/candidates', VALID_SR)).status, 201);
      assert.equal(sb.state.smartrecruiters.faultsInjected, 2);
      assert.equal(sb.state.smartrecruiters.candidates.length, 1);

      sb.setFault('recruitee', { mode: 'status', status: 500 });
      const res = await rcPost({ candidate: { name: 'x' } });
      assert.equal(res.status, 500);
      assert.equal(res.headers.get('retry-after'), null);
      assert.deepEqual(await res.json(), { error: 'Internal Server Error' });

      sb.setFault('hrflow', { mode: 'status', status: 429, count: 1 });
      const h = await fetch(profileUrl({ source_key: SANDBOX_SOURCE_KEY, key: FIXTURE_KEYS.full }), { headers: hrflowHeaders() });
      assert.equal(h.status, 429);
      assert.deepEqual(await h.json(), { code: 429, message: 'Too Many Requests' });
      assert.equal(sb.state.hrflow.rateLimited, 1);
    });

    it('slow: waits delayMs then answers normally', async () => {
      sb.setFault('hrflow', { mode: 'slow', delayMs: 300, count: 1 });
      const t0 = Date.now();
      const res = await fetch(profileUrl({ source_key: SANDBOX_SOURCE_KEY, key: FIXTURE_KEYS.full }), { headers: hrflowHeaders() });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      assert.ok(Date.now() - t0 >= 280);
    });

    it('reset: the connection drops without an answer', async () => {
      sb.setFault('files', { mode: 'reset', count: 1 });
      await assert.rejects(fetch(`${sb.url}/files/${FIXTURE_KEYS.full}/resume.pdf`));
      assert.equal(sb.state.files.faultsInjected, 1);
      assert.equal((await fetch(`${sb.url}/files/${FIXTURE_KEYS.full}/resume.pdf`)).status, 200);
    });

    it('non-json: 200 text/html', async () => {
      sb.setFault('recruitee', { mode: 'non-json' });
      const res = await rcPost({ candidate: { name: 'x' } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(await res.text(), '<html>oops</html>');
      assert.equal(sb.state.recruitee.candidates.length, 0);
    });

    it('lost-answer: the candidate is stored but no answer comes back', async () => {
      sb.setFault('smartrecruiters', { mode: 'lost-answer', count: 1 });
      await assert.rejects(srPost('/candidates', VALID_SR));
      assert.equal(sb.state.smartrecruiters.candidates.length, 1);
      sb.setFault('recruitee', { mode: 'lost-answer', count: 1 });
      await assert.rejects(rcPost({ candidate: { name: 'x' } }));
      assert.equal(sb.state.recruitee.candidates.length, 1);
      assert.equal((await rcPost({ candidate: { name: 'y' } })).status, 201);
    });

    it('rate 0 never applies; match/method narrow the fault; admin routes and / are never faulted', async () => {
      sb.setFault('recruitee', { mode: 'status', status: 500, rate: 0 });
      assert.equal((await rcPost({ candidate: { name: 'x' } })).status, 201);
      const cand = await srCreate('job-1');
      sb.setFault('smartrecruiters', { mode: 'status', status: 500, match: '/attachments' });
      assert.equal((await srPost('/candidates', VALID_SR)).status, 201);
      const up = await srUpload(`/candidates/${cand.id}/jobs/job-1/attachments`, { attachmentType: 'RESUME', file: { data: makePdf(['x']), name: 'a.pdf' } });
      assert.equal(up.status, 500);
      for (const v of ['hrflow', 'files', 'smartrecruiters', 'recruitee']) sb.setFault(v, { mode: 'reset' });
      assert.equal((await fetch(`${sb.url}/`)).status, 200);
      assert.equal((await fetch(`${sb.url}/__admin/state`)).status, 200);
      assert.throws(() => sb.setFault('nobody', { mode: 'reset' }));
      assert.throws(() => sb.setFault('hrflow', { mode: 'bogus' as any }));
    });

    it('admin routes: set and clear faults, read state, reset', async () => {
      const post = (p: string, body?: unknown) =>
        fetch(`${sb.url}/__admin/${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      let res = await post('faults', { vendor: 'recruitee', mode: 'status', status: 502, count: 1 });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      assert.equal((await rcPost({ candidate: { name: 'x' } })).status, 502);
      assert.equal((await post('faults', { vendor: 'recruitee', fault: { mode: 'non-json' } })).status, 200);
      assert.equal((await post('faults', { vendor: 'recruitee', fault: null })).status, 200);
      assert.equal((await rcPost({ candidate: { name: 'x' } })).status, 201);
      assert.equal((await post('faults', { vendor: 'nobody', mode: 'reset' })).status, 400);
      assert.equal((await post('faults', { vendor: 'recruitee', mode: 'explode' })).status, 400);
      const state = (await (await fetch(`${sb.url}/__admin/state`)).json()) as any;
      assert.equal(state.recruitee.candidates.length, 1);
      assert.equal(state.recruitee.faultsInjected, 1);
      assert.equal((await post('reset')).status, 200);
      assert.equal(sb.state.recruitee.candidates.length, 0);
      assert.equal(sb.state.recruitee.requests, 0);
    });
  });

  describe('spec validation', () => {
    it('validateAgainstSpec validates any vendor schema and handles nullable', () => {
      assert.equal(validateAgainstSpec('smartrecruiters', 'CandidateInput', VALID_SR).valid, true);
      const bad = validateAgainstSpec('smartrecruiters', 'CandidateInput', { ...VALID_SR, location: { countryCode: 'FRA' } });
      assert.equal(bad.valid, false);
      assert.equal(bad.errors[0].instancePath, '/location/countryCode');
      assert.equal(validateAgainstSpec('smartrecruiters', 'When', '2016-11-29').valid, true);
      assert.equal(validateAgainstSpec('smartrecruiters', 'When', 'XXXX').valid, false);
      // nullable: Location.fields may be null, an object of nullable strings, or []
      for (const fields of [null, [], { city: null, country: 'FRA' }]) {
        assert.ok(validateAgainstSpec('hrflow', 'Location', { text: null, lat: null, lng: null, fields }).valid, JSON.stringify(fields));
      }
      assert.equal(validateAgainstSpec('hrflow', 'Location', { fields: [1] }).valid, false);
      assert.equal(validateAgainstSpec('recruitee', 'Candidate', { id: 1, cv_original_url: null }).valid, true);
      assert.throws(() => validateAgainstSpec('smartrecruiters', 'NoSuchSchema', {}));
    });

    it('compiles every schema of every vendor spec', function () {
      const specs = DEFAULT_SPECS_DIR;
      const { getSpecRegistry } = require('../../src/sandbox/spec') as typeof import('../../src/sandbox/spec');
      const reg = getSpecRegistry(specs);
      for (const vendor of fs.readdirSync(specs).filter((d) => fs.statSync(path.join(specs, d)).isDirectory())) {
        for (const name of reg.schemaNames(vendor)) assert.doesNotThrow(() => reg.validator(vendor, name), `${vendor}.${name}`);
      }
    });

    it('openApiToJsonSchema rewrites nullable and boolean exclusive bounds', () => {
      const s = openApiToJsonSchema({
        type: 'object',
        properties: {
          a: { type: 'string', nullable: true, enum: ['x'] },
          b: { $ref: '#/x', nullable: true, description: 'd' },
          n: { type: 'number', minimum: 0, exclusiveMinimum: true },
        },
      });
      assert.deepEqual(s.properties.a, { type: ['string', 'null'], enum: ['x', null] });
      assert.deepEqual(s.properties.b, { description: 'd', anyOf: [{ type: 'null' }, { $ref: '#/x' }] });
      assert.deepEqual(s.properties.n, { type: 'number', exclusiveMinimum: 0 });
    });
  });

  describe('building blocks', () => {
    it('parses multipart bodies (quoted names, filename*, CRLF in data)', () => {
      const b = 'XyZ';
      const body = Buffer.concat([
        Buffer.from(`preamble\r\n--${b}\r\nContent-Disposition: form-data; name="attachmentType"\r\n\r\nRESUME\r\n`),
        Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="a \\"q\\".pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
        Buffer.from('%PDF-\r\n\r\nbytes\r\n'),
        Buffer.from(`\r\n--${b}\r\nContent-Disposition: form-data; name="f2"; filename="x.txt"; filename*=UTF-8''%C3%A9t%C3%A9.txt\r\n\r\nhi\r\n--${b}--\r\n`),
      ]);
      assert.equal(getBoundary(`multipart/form-data; boundary="${b}"`), b);
      assert.equal(getBoundary('application/json'), null);
      const parts = parseMultipart(body, b);
      assert.equal(parts.length, 3);
      assert.equal(parts[0].name, 'attachmentType');
      assert.equal(parts[0].filename, null);
      assert.equal(parts[0].data.toString(), 'RESUME');
      assert.equal(parts[1].filename, 'a "q".pdf');
      assert.equal(parts[1].contentType, 'application/pdf');
      assert.equal(parts[1].data.toString(), '%PDF-\r\n\r\nbytes\r\n');
      assert.equal(parts[2].filename, 'été.txt');
      assert.throws(() => parseMultipart(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="x"\r\n\r\nno end`), b));
    });

    it('RateLimiter enforces the window and concurrency', () => {
      let now = 0;
      const rl = new RateLimiter({ perSecond: 3, concurrent: 2 }, () => now);
      const a = rl.acquire('t');
      const b = rl.acquire('t');
      assert.ok(a.ok && b.ok);
      const c = rl.acquire('t');
      assert.equal(c.exceeded, 'concurrency');
      assert.equal(c.headers['X-RateLimit-Concurrent-Remaining'], '0');
      a.release();
      a.release();
      assert.ok(rl.acquire('t').ok);
      assert.equal(rl.acquire('t').exceeded, 'rate');
      assert.ok(rl.acquire('other').ok);
      now = 1000;
      b.release();
      assert.ok(rl.acquire('t').ok);
    });

    it('FaultRegistry honours count, rate and clearing', () => {
      let r = 0.5;
      const f = new FaultRegistry(() => r);
      f.set('x', { mode: 'reset', count: 2, rate: 0.6 });
      assert.ok(f.take('x', 'GET', '/'));
      r = 0.9;
      assert.equal(f.take('x', 'GET', '/'), null);
      r = 0.1;
      assert.ok(f.take('x', 'GET', '/'));
      assert.equal(f.get('x'), null);
      f.set('x', { mode: 'slow', method: 'POST' });
      assert.equal(f.take('x', 'GET', '/'), null);
      assert.ok(f.take('x', 'post', '/'));
      f.set('x', null);
      assert.equal(f.get('x'), null);
    });
  });

  describe('lifecycle', () => {
    it('honours custom credentials and rate limits (concurrency)', async () => {
      const other = await createSandbox({
        quiet: true,
        generatedProfiles: 0,
        credentials: { smartToken: 'tok' },
        rateLimits: { smartrecruiters: { perSecond: 50, concurrent: 2 } },
      });
      try {
        assert.equal(other.credentials.smartToken, 'tok');
        assert.equal(other.credentials.recruiteeToken, 'sandbox-recruitee-token');
        assert.equal(other.profileKeys().length, 3);
        other.setFault('smartrecruiters', { mode: 'slow', delayMs: 200 });
        const post = () =>
          fetch(`${other.urls.smartrecruiters}/candidates`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-SmartToken': 'tok' },
            body: JSON.stringify(VALID_SR),
          });
        const res = await Promise.all([post(), post(), post(), post()]);
        const statuses = res.map((r) => r.status).sort();
        assert.deepEqual(statuses, [201, 201, 429, 429]);
        assert.equal(res.find((r) => r.status === 201)!.headers.get('x-ratelimit-limit'), '50');
        await Promise.all(res.map((r) => r.arrayBuffer()));
      } finally {
        await other.close();
      }
    });

    it('close() resolves with keep-alive sockets and in-flight slow requests, and is idempotent', async () => {
      const other = await createSandbox({ quiet: true, generatedProfiles: 0 });
      const agent = new http.Agent({ keepAlive: true });
      await new Promise<void>((resolve, reject) => {
        http
          .get(`${other.url}/__admin/state`, { agent }, (r) => {
            r.resume();
            r.on('end', () => resolve());
          })
          .on('error', reject);
      });
      const f = await fetch(`${other.urls.hrflow}/auth`, {
        headers: { 'X-API-KEY': other.credentials.hrflowApiKey, 'X-USER-EMAIL': other.credentials.hrflowUser },
      });
      assert.equal(f.status, 200);
      await f.arrayBuffer();
      other.setFault('hrflow', { mode: 'slow', delayMs: 60_000 });
      const pending = fetch(`${other.urls.hrflow}/auth`, {
        headers: { 'X-API-KEY': other.credentials.hrflowApiKey, 'X-USER-EMAIL': other.credentials.hrflowUser },
      }).then(
        () => 'answered',
        () => 'failed',
      );
      await sleep(50);
      const t0 = Date.now();
      await other.close();
      await other.close();
      assert.ok(Date.now() - t0 < 1000, `close took ${Date.now() - t0} ms`);
      assert.equal(await pending, 'failed');
      agent.destroy();
      await assert.rejects(fetch(`${other.url}/`));
    });
  });
});
