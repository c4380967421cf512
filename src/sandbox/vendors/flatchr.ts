/**
 * Flatchr emulator, mounted at `/flatchr`, with its two hosts side by side:
 * - careers host `${sandbox}/flatchr/careers` (where clients use `https://careers.flatchr.io`):
 *   - POST /vacancy/candidate/json: JSON validated against `CandidateCreate` → 200 `{response: "applicant created"}`,
 *     NO id in the answer (documented); the applicant is stored with generated ids
 *   - POST /vacancy/candidate/test: the documented dry run, same checks → 200 `{response: "test ok"}`, stores nothing
 *     (counted in `state.flatchr.tests`)
 * - API host `${sandbox}/flatchr/api` (where clients use `https://api.flatchr.io`):
 *   - POST /company/{companyId}/search/applicants `{email?, vacancy?, firstname?, lastname?, phone?}` → 200 array
 *   - GET /company/{companyId}/vacancies → 200 array of `Vacancy` (specs/flatchr/flatchr-reads.derived.openapi.yaml):
 *     the seeded FLATCHR_VACANCIES (what Test connection and the editor's vacancy picker read); unknown company → 404
 *   - DELETE /company/{companyId}/vacancy/{vacancyId}/applicant/{applicantId} (specs/flatchr/flatchr-update-archive.derived.openapi.yaml):
 *     the applicant archived (its record says `archived`) → 200 the applicant; unknown vacancy id or applicant → 404
 *   - POST /company/{companyId}/search/candidate `CandidateMetaInformation` (the documented meta information, by the
 *     candidate's mail) → 200 `{statusCode, message}`, recorded as an update of that candidate's applicants; unknown mail → 404
 * A vacancy listed in FLATCHR_VACANCIES keeps its `id` for the applicants created in it (other slugs get a generated one).
 * Auth: `Authorization: Bearer <key>`, body `token` (careers routes) or query `?token=`; any one given must be right,
 * at least one is needed → 401 `{statusCode: 401, message: "Unauthorized"}`. Errors are `{statusCode, message}`.
 * Vacancy slugs starting with `missing` do not exist (404). `type: link` resumes on 127.0.0.1/localhost are
 * downloaded (like Recruitee's remote_cv_url); `type: document` resumes must be base64 PDF/DOCX.
 * Rate limit: none documented for creation; `rateLimits.flatchr` adds one (per API key) to the create routes.
 */

import { createHash, randomBytes } from 'node:crypto';
import { fetchRemoteCv, urlKind } from '../remote-cv';
import type { RequestContext, SandboxCore, VendorModule } from '../server';
import { matchRoute } from '../server';
import { errorPath } from '../spec';
import { DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE, extensionOf, isDocx, isPdf } from '../documents';
import type { StoredAttachment, StoredCandidate, VendorState } from '../state';
import { decodeBase64Strict } from './broadbean';
import { WindowLimiter } from './taleez';

export const FLATCHR_CONTENT_TYPE = 'application/json; charset=utf-8';
/** How long the create call waits for a `link` resume download before answering anyway. */
export const FLATCHR_CV_FETCH_GRACE_MS = 500;

/** `state.flatchr` with the dry-run counter. */
export type FlatchrState = VendorState & {
  /** Accepted POST /vacancy/candidate/test calls (nothing stored). */
  tests: number;
};

interface Applicant {
  applicant: string;
  candidate: string;
  vacancy: string;
  vacancy_id: string;
  email: string | null;
  firstname: string;
  lastname: string;
  phone: string | null;
  created_at: string;
  record: StoredCandidate;
}

/**
 * Vacancies the sandbox lists (the demo flow's slug `demo-developer-h-f` among them). Flatchr's `status` is an
 * integer whose values it does not document; its examples show 1 for an active vacancy, 0 is used here for a closed one.
 */
export const FLATCHR_VACANCIES: ReadonlyArray<{ id: string; vacancy_id: number; slug: string; reference: string; title: string; status: number }> = [
  { id: 'Wy3EOp2NP3p1KMq8', vacancy_id: 84512, slug: 'demo-developer-h-f', reference: 'DEV-2026-01', title: 'Développeur (H/F)', status: 1 },
  { id: 'z7gXQnjq6gdJRakA', vacancy_id: 84513, slug: 'z7gxqnjq6gdjraka-account-executive-h-f', reference: 'SALES-2026-02', title: 'Account Executive (H/F)', status: 1 },
  { id: 'eoLm5NdD0dAGbZQJ', vacancy_id: 84514, slug: 'eolm5ndd0dagbzqj-stage-marketing-h-f', reference: 'MKT-2025-07', title: 'Stage marketing (H/F)', status: 0 },
];

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Flatchr-looking key (16 alphanumerics, e.g. `Wy3EOp2NP3p1KMq8`). */
export function flatchrId(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

export function createFlatchr(core: SandboxCore): VendorModule & { limiter: WindowLimiter } {
  const limiter = new WindowLimiter({ ...(core.options.rateLimits.flatchr ?? {}) });
  const applicants: Applicant[] = [];
  const vacancyIds = new Map<string, string>();
  const candidateIds = new Map<string, string>();
  const state = (): FlatchrState => {
    const s = core.vendorState('flatchr') as FlatchrState;
    if (typeof s.tests !== 'number') s.tests = 0;
    return s;
  };
  state();

  const fail = (ctx: RequestContext, status: number, message: string, reason?: string) =>
    ctx.sendJson(status, { statusCode: status, message }, reason ? { reason } : {});

  function bearer(ctx: RequestContext): string | undefined {
    const h = ctx.header('authorization');
    if (h === undefined) return undefined;
    const m = /^Bearer\s+(.+)$/i.exec(h.trim());
    return m ? m[1].trim() : h.trim();
  }

  /**
   * Every key the client gave (Bearer header, query `token`, body `token`) must be the API key, and at least one
   * must be given. Answers 401 and returns false otherwise.
   */
  function checkKeys(ctx: RequestContext, bodyToken: unknown): boolean {
    const given: Array<[string, unknown]> = [];
    const h = bearer(ctx);
    if (h !== undefined) given.push(['Authorization header', h]);
    const q = ctx.url.searchParams.get('token');
    if (q !== null) given.push(['query token', q]);
    if (bodyToken !== undefined) given.push(['body token', bodyToken]);
    if (!given.length) {
      fail(ctx, 401, 'Unauthorized', 'no API key (Authorization: Bearer, ?token= or body token)');
      return false;
    }
    const wrong = given.filter(([, v]) => v !== core.credentials.flatchrApiKey);
    if (wrong.length) {
      fail(ctx, 401, 'Unauthorized', `invalid API key in ${wrong.map(([w]) => w).join(' and ')}`);
      return false;
    }
    return true;
  }


  /** Downloads a `link` resume and records it. Never throws. */
  function fetchResume(record: StoredCandidate, att: StoredAttachment, url: string): Promise<void> {
    return fetchRemoteCv(core, state, record, att, url);
  }

  type Checked = { body: Record<string, any>; document: { data: Buffer; pdf: boolean; docx: boolean } | null; warnings: string[] };

  /** Auth + spec validation + documented rules shared by /json and /test. Answers and returns null on failure. */
  async function check(ctx: RequestContext): Promise<Checked | null> {
    const parsed = await ctx.json();
    if (!parsed.ok) {
      if (!checkKeys(ctx, undefined)) return null;
      fail(ctx, 400, `Invalid JSON: ${parsed.error}`);
      return null;
    }
    const body = parsed.value;
    const isObject = body && typeof body === 'object' && !Array.isArray(body);
    if (!checkKeys(ctx, isObject ? body.token : undefined)) return null;
    const v = core.specs.validate('flatchr', 'CandidateCreate', body ?? null);
    if (!v.valid) {
      const details = v.errors.map((e) => `${errorPath(e) || '/'} ${e.message ?? 'is invalid'}`);
      fail(ctx, 400, `Invalid candidate: ${details.slice(0, 10).join('; ')}`);
      return null;
    }
    const warnings: string[] = [];
    for (const [k, val] of Object.entries((body.urls ?? {}) as Record<string, unknown>)) {
      if (typeof val === 'string' && !val.trim()) warnings.push(`urls.${k} is an empty string (Flatchr asks to leave empty links out)`);
    }
    let document: Checked['document'] = null;
    if (body.type === 'link') {
      if (typeof body.resume !== 'string') {
        fail(ctx, 400, 'resume must be a URL when type is "link"');
        return null;
      }
      if (urlKind(body.resume.trim()) === 'invalid') {
        fail(ctx, 400, `resume "${body.resume}" is not an http(s) URL`);
        return null;
      }
    } else {
      if (typeof body.resume !== 'object' || body.resume === null) {
        fail(ctx, 400, 'resume must be {data, fileName, contentType} when type is "document"');
        return null;
      }
      const data = decodeBase64Strict(body.resume.data);
      if (!data || !data.length) {
        fail(ctx, 400, 'resume.data is not valid base64');
        return null;
      }
      const pdf = isPdf(data);
      const docx = isDocx(data);
      if (!pdf && !docx) {
        fail(ctx, 400, 'resume.data is not a PDF or DOCX document');
        return null;
      }
      const declared = String(body.resume.contentType).split(';')[0].trim().toLowerCase();
      const actual = pdf ? PDF_CONTENT_TYPE : DOCX_CONTENT_TYPE;
      if (declared !== actual) warnings.push(`resume.contentType "${body.resume.contentType}" does not match the bytes (${actual})`);
      const ext = extensionOf(body.resume.fileName);
      if (!ext) warnings.push(`resume.fileName "${body.resume.fileName}" has no extension`);
      else if ((ext === 'pdf') !== pdf || (ext === 'docx') !== docx) {
        warnings.push(`resume.fileName "${body.resume.fileName}" does not match the bytes (${pdf ? 'PDF' : 'DOCX'})`);
      }
      document = { data, pdf, docx };
    }
    if (String(body.vacancy).startsWith('missing')) {
      fail(ctx, 404, 'Vacancy not found', `unknown vacancy ${body.vacancy}`);
      return null;
    }
    return { body, document, warnings };
  }

  async function create(ctx: RequestContext): Promise<void> {
    const checked = await check(ctx);
    if (!checked) return;
    const { body, document, warnings } = checked;
    const now = new Date(core.options.now()).toISOString();
    const slug = String(body.vacancy);
    let vacancyId = vacancyIds.get(slug);
    if (!vacancyId) vacancyIds.set(slug, (vacancyId = FLATCHR_VACANCIES.find((v) => v.slug === slug)?.id ?? flatchrId()));
    const email = typeof body.email === 'string' ? body.email : null;
    const emailKey = email?.trim().toLowerCase() ?? '';
    let candidateId = emailKey ? candidateIds.get(emailKey) : undefined;
    if (!candidateId) {
      candidateId = flatchrId();
      if (emailKey) candidateIds.set(emailKey, candidateId);
    }
    const applicantId = flatchrId();
    const dup = emailKey ? applicants.find((a) => a.vacancy === slug && (a.email ?? '').toLowerCase() === emailKey) : undefined;
    const response = { response: 'applicant created' };
    const record: StoredCandidate = {
      id: applicantId,
      body,
      receivedAt: now,
      path: ctx.url.pathname,
      jobId: slug,
      response,
      applicantId,
      candidateId,
      vacancyId,
      email,
      cvFetch: 'none',
      warnings,
      ...(dup ? { duplicateOf: dup.applicant } : {}),
    };
    applicants.push({
      applicant: applicantId,
      candidate: candidateId,
      vacancy: slug,
      vacancy_id: vacancyId,
      email,
      firstname: body.firstname,
      lastname: body.lastname,
      phone: body.phone !== undefined ? String(body.phone) : null,
      created_at: now,
      record,
    });
    state().candidates.push(record);

    if (document) {
      const fileName = typeof body.resume.fileName === 'string' ? body.resume.fileName : null;
      state().attachments.push({
        candidateId: applicantId,
        type: 'cv',
        fileName,
        contentType: typeof body.resume.contentType === 'string' ? body.resume.contentType : null,
        size: document.data.length,
        sha256: createHash('sha256').update(document.data).digest('hex'),
        isPdf: document.pdf,
        isDocx: document.docx,
        receivedAt: now,
        source: 'inline',
        jobId: slug,
      });
    } else {
      const url = String(body.resume).trim();
      if (urlKind(url) === 'external') record.cvFetch = 'skipped-external';
      else {
        const att: StoredAttachment = {
          candidateId: applicantId,
          type: 'cv',
          fileName: null,
          contentType: null,
          size: 0,
          sha256: null,
          isPdf: false,
          isDocx: false,
          receivedAt: now,
          source: 'link',
          jobId: slug,
          url,
        };
        const job = core.track(fetchResume(record, att, url));
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([job, new Promise((r) => (timer = setTimeout(r, FLATCHR_CV_FETCH_GRACE_MS)))]);
        clearTimeout(timer);
      }
    }
    if (core.closed) return ctx.destroy();
    ctx.sendJson(200, response);
  }

  async function dryRun(ctx: RequestContext): Promise<void> {
    const checked = await check(ctx);
    if (!checked) return;
    state().tests++;
    ctx.sendJson(200, { response: 'test ok' });
  }

  async function searchApplicants(ctx: RequestContext, company: string): Promise<void> {
    if (!checkKeys(ctx, undefined)) return;
    if (company !== core.credentials.flatchrCompany) return fail(ctx, 404, 'Company not found', `unknown company ${company}`);
    const parsed = await ctx.json();
    if (!parsed.ok) return fail(ctx, 400, `Invalid JSON: ${parsed.error}`);
    const q = parsed.value ?? {};
    if (typeof q !== 'object' || Array.isArray(q)) return fail(ctx, 400, 'The body must be an object');
    const eq = (a: unknown, b: unknown) => String(a ?? '').trim().toLowerCase() === String(b ?? '').trim().toLowerCase();
    const matches = applicants.filter(
      (a) =>
        (q.email === undefined || eq(a.email, q.email)) &&
        (q.vacancy === undefined || a.vacancy === q.vacancy || a.vacancy_id === q.vacancy) &&
        (q.firstname === undefined || eq(a.firstname, q.firstname)) &&
        (q.lastname === undefined || eq(a.lastname, q.lastname)) &&
        (q.phone === undefined || String(a.phone ?? '').replace(/\s+/g, '') === String(q.phone).replace(/\s+/g, '')),
    );
    ctx.sendJson(
      200,
      matches.map(({ record: _r, ...a }) => a),
    );
  }

  /** DELETE …/vacancy/{vacancyId}/applicant/{applicantId}: the applicant archived (still listed by the search). */
  function archive(ctx: RequestContext, company: string, vacancyId: string, applicantId: string): void {
    if (!checkKeys(ctx, undefined)) return;
    if (company !== core.credentials.flatchrCompany) return fail(ctx, 404, 'Company not found', `unknown company ${company}`);
    const a = applicants.find((x) => x.applicant === applicantId && x.vacancy_id === vacancyId);
    if (!a) return fail(ctx, 404, 'Applicant not found', `no applicant ${applicantId} in vacancy ${vacancyId}`);
    a.record.archived = true;
    a.record.archivedAt = new Date(core.options.now()).toISOString();
    ctx.sendJson(200, {
      id: a.applicant,
      vacancy_id: a.vacancy_id,
      column_id: 1,
      status: 0,
      candidate: { id: a.candidate, email: a.email, firstname: a.firstname, lastname: a.lastname, phone: a.phone },
    });
  }

  /** POST …/search/candidate: meta information added to the candidate of `reference` (a mail), recorded on its applicants. */
  async function metaInformation(ctx: RequestContext, company: string): Promise<void> {
    if (!checkKeys(ctx, undefined)) return;
    if (company !== core.credentials.flatchrCompany) return fail(ctx, 404, 'Company not found', `unknown company ${company}`);
    const parsed = await ctx.json();
    if (!parsed.ok) return fail(ctx, 400, `Invalid JSON: ${parsed.error}`);
    const v = core.specs.validate('flatchr', 'CandidateMetaInformation', parsed.value ?? null);
    if (!v.valid) return fail(ctx, 400, `Invalid body: ${v.errors.slice(0, 5).map((e) => `${errorPath(e) || '/'} ${e.message ?? 'is invalid'}`).join('; ')}`);
    const mail = String(parsed.value.reference).trim().toLowerCase();
    const mine = applicants.filter((a) => (a.email ?? '').toLowerCase() === mail);
    if (!mine.length) return fail(ctx, 404, 'Candidate not found', `no candidate with mail ${mail}`);
    const at = new Date(core.options.now()).toISOString();
    for (const a of mine) (a.record.updates ??= []).push({ body: parsed.value, at });
    ctx.sendJson(200, { statusCode: 200, message: { resource_type: 'attribute', action: 'created' } });
  }

  function listVacancies(ctx: RequestContext, company: string): void {
    if (!checkKeys(ctx, undefined)) return;
    if (company !== core.credentials.flatchrCompany) return fail(ctx, 404, 'Company not found', `unknown company ${company}`);
    ctx.sendJson(
      200,
      FLATCHR_VACANCIES.map((v) => ({ ...v, company_id: 29, language: 'fr_FR', created_at: '2026-01-05T09:00:00.000Z' })),
    );
  }

  const createRoute = (p: string) => p === '/careers/vacancy/candidate/json' || p === '/careers/vacancy/candidate/test';

  const mod: VendorModule & { limiter: WindowLimiter } = {
    id: 'flatchr',
    title: 'Flatchr',
    prefix: '/flatchr',
    baseUrl: () => `${core.url}/flatchr/careers`,
    jsonContentType: FLATCHR_CONTENT_TYPE,
    limiter,
    errorBody: (status, message) => ({ statusCode: status, message }),
    async admit(ctx) {
      if (!limiter.enabled || ctx.method !== 'POST' || !createRoute(ctx.path)) return false;
      let key = bearer(ctx) ?? ctx.url.searchParams.get('token') ?? undefined;
      if (key === undefined) {
        const parsed = await ctx.json();
        key = parsed.ok && parsed.value && typeof parsed.value.token === 'string' ? parsed.value.token : '';
      }
      if (limiter.acquire(key ?? '')) return false;
      fail(ctx, 429, 'Too Many Requests', 'rate limit exceeded');
      return true;
    },
    async handle(ctx) {
      const p = ctx.path;
      const m = ctx.method;
      let params: Record<string, string> | null;
      if (createRoute(p) || p === '/careers/vacancy/candidate/custom') {
        if (m !== 'POST') return fail(ctx, 405, 'Method Not Allowed');
        if (p.endsWith('/json')) return create(ctx);
        if (p.endsWith('/test')) return dryRun(ctx);
        return fail(ctx, 501, 'Not emulated by the sandbox (use /vacancy/candidate/json)');
      }
      if ((params = matchRoute('/api/company/:company/search/applicants', p))) {
        if (m !== 'POST') return fail(ctx, 405, 'Method Not Allowed');
        return searchApplicants(ctx, params.company);
      }
      if ((params = matchRoute('/api/company/:company/vacancy/:vacancyId/applicant/:applicantId', p))) {
        if (m !== 'DELETE') return fail(ctx, 405, 'Method Not Allowed');
        return archive(ctx, params.company, params.vacancyId, params.applicantId);
      }
      if ((params = matchRoute('/api/company/:company/search/candidate', p))) {
        if (m !== 'POST') return fail(ctx, 405, 'Method Not Allowed');
        return metaInformation(ctx, params.company);
      }
      if ((params = matchRoute('/api/company/:company/vacancies', p))) {
        if (m !== 'GET' && m !== 'HEAD') return fail(ctx, 405, 'Method Not Allowed');
        return listVacancies(ctx, params.company);
      }
      fail(ctx, 404, 'Not Found', `no route for ${m} ${ctx.url.pathname}`);
    },
    reset() {
      applicants.length = 0;
      vacancyIds.clear();
      candidateIds.clear();
      limiter.reset();
      state().tests = 0;
    },
    page() {
      const l = limiter.limits;
      const rate = (l.perMinute ?? 0) > 0 ? `${l.perMinute}/min` : (l.perSecond ?? 0) > 0 ? `${l.perSecond}/s` : 'none';
      return {
        lines: [
          `Careers host ${core.url}/flatchr/careers, API host ${core.url}/flatchr/api, company "${core.credentials.flatchrCompany}". ` +
            `Bearer key and/or body token. Dry runs (/vacancy/candidate/test): ${state().tests}. Create rate limit: ${rate}.`,
        ],
      };
    },
  };
  return mod;
}
