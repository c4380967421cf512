/**
 * SmartRecruiters Customer API (candidates subset) emulator, mounted at `/smartrecruiters`
 * (clients use `${sandbox}/smartrecruiters` where they would use `https://api.smartrecruiters.com`).
 *
 * - POST /jobs/{jobId}/candidates, POST /candidates: JSON validated against `CandidateInput` → 201 CandidateDetails
 * - GET  /candidates/{id}
 * - PATCH /candidates/{id}: JSON validated against `PersonalDetails` → 200 CandidateDetails (409 CANDIDATE_DATA_CONFLICT
 *   when the new email + last name are another candidate's); DELETE /candidates/{id} → 204, the candidate gone
 *   (its record says `deleted`); 404 for an unknown id
 * - GET  /candidates?q=… (search by email or name, as the real API does) → {totalFound, offset, limit, content}
 * - POST /candidates/{id}/jobs/{jobId}/attachments, POST /candidates/{id}/attachments (deprecated): multipart
 * - GET|DELETE /candidates/{id}/attachments/{attachmentId} (the download/remove actions returned on upload)
 * - GET  /jobs?limit=&offset=&q=&status= (Job API, specs/smartrecruiters/*-reads.derived.openapi.yaml): the
 *   seeded SR_JOBS → {totalFound, offset, limit, content}; limit 1..100 (default 10), else 400
 * Auth: `X-SmartToken`. Rate limit per token (default 10 req/s sliding window, 8 concurrent) with the
 * X-RateLimit-* headers on every answer; 429 `{message:"Too many requests"}` without Retry-After.
 */

import { createHash, randomUUID } from 'node:crypto';
import type { RequestContext, SandboxCore, VendorModule } from '../server';
import { matchRoute } from '../server';
import { RateLimiter } from '../ratelimit';
import { errorPath } from '../spec';
import { contentTypeForName, extensionOf, isDocx, isPdf, sniffContentType } from '../documents';
import { MultipartError, getBoundary, parseMultipart } from '../multipart';
import type { StoredCandidate } from '../state';

export const SR_CONTENT_TYPE = 'application/json;charset=UTF-8';

/** File extensions SmartRecruiters accepts for attachments (INVALID_FILE otherwise). */
export const SR_ALLOWED_EXTENSIONS = new Set([
  'pdf', 'doc', 'docx', 'odt', 'rtf', 'txt', 'html', 'htm', 'jpg', 'jpeg', 'png', 'gif', 'xls', 'xlsx', 'ppt', 'pptx', 'odp', 'ods',
]);

/** Attachments per candidate before ATTACHMENT_LIMIT_EXCEEDED. */
export const SR_ATTACHMENT_LIMIT = 50;

const INPUT_FIELDS = ['tags', 'firstName', 'lastName', 'email', 'phoneNumber', 'location', 'web', 'education', 'experience', 'internal'] as const;

/**
 * Jobs the sandbox lists (GET /jobs, for Test connection and the job picker). `demo-job-1` is the job of
 * scripts/demo-flow.js and the example flows; `job-42` the flow tests'. Creates are accepted in any job
 * (ids starting with `missing` are 404), listed or not.
 */
export const SR_JOBS: ReadonlyArray<{ id: string; name: string; refNumber: string; status: string; postingStatus: string; city: string; countryCode: string }> = [
  { id: 'demo-job-1', name: 'Full-stack developer (sandbox)', refNumber: 'REF-0001', status: 'SOURCING', postingStatus: 'PUBLIC', city: 'Paris', countryCode: 'fr' },
  { id: 'demo-job-2', name: 'Data analyst (sandbox)', refNumber: 'REF-0002', status: 'INTERVIEW', postingStatus: 'PUBLIC', city: 'Lyon', countryCode: 'fr' },
  { id: 'job-42', name: 'Sales manager (sandbox)', refNumber: 'REF-0042', status: 'SOURCING', postingStatus: 'INTERNAL', city: 'London', countryCode: 'gb' },
  { id: 'demo-job-draft', name: 'Product designer (draft)', refNumber: 'REF-0003', status: 'CREATED', postingStatus: 'NOT_PUBLISHED', city: 'Nantes', countryCode: 'fr' },
  { id: 'demo-job-closed', name: 'Office manager (filled)', refNumber: 'REF-0004', status: 'FILLED', postingStatus: 'NOT_PUBLISHED', city: 'Bordeaux', countryCode: 'fr' },
];

interface SrCandidate {
  record: StoredCandidate;
  details: Record<string, any>;
  jobIds: Set<string>;
  files: Map<string, { name: string; contentType: string; data: Buffer; sha256: string; type: string }>;
}

export function createSmartRecruiters(core: SandboxCore): VendorModule & { limiter: RateLimiter } {
  const limiter = new RateLimiter({ ...core.options.rateLimits.smartrecruiters });
  const candidates = new Map<string, SrCandidate>();
  /** First candidate id per "email\0lastname": a later create for the same person is flagged as a duplicate. */
  const byPerson = new Map<string, string>();
  const base = () => `${core.url}/smartrecruiters`;
  const state = () => core.vendorState('smartrecruiters');

  const err = (message: string, errors: Array<Record<string, string>> = []) => ({ message, errors });

  function checkToken(ctx: RequestContext): boolean {
    const token = ctx.header('x-smarttoken');
    if (token && token === core.credentials.smartToken) return true;
    ctx.sendJson(
      401,
      err('Invalid token', [{ code: 'PERMISSION_DENIED', message: token ? 'The provided X-SmartToken is not valid' : 'Missing X-SmartToken header' }]),
      { reason: token ? 'invalid X-SmartToken' : 'missing X-SmartToken' },
    );
    return false;
  }

  async function create(ctx: RequestContext, jobId: string | null): Promise<void> {
    const parsed = await ctx.json();
    if (!parsed.ok) {
      return ctx.sendJson(400, err('Malformed JSON', [{ code: 'INVALID_JSON', message: parsed.error }]));
    }
    const body = parsed.value;
    const v = core.specs.validate('smartrecruiters', 'CandidateInput', body ?? null);
    if (!v.valid) {
      return ctx.sendJson(
        400,
        err(
          'validation failure',
          v.errors.map((e) => ({ dataPath: errorPath(e), message: e.message ?? 'is invalid' })),
        ),
      );
    }
    if (jobId !== null && jobId.startsWith('missing')) {
      return ctx.sendJson(404, err('Job not found', [{ code: 'JOB_NOT_FOUND', message: `Job ${jobId} does not exist` }]));
    }
    const id = randomUUID();
    const now = new Date(core.options.now()).toISOString();
    const details: Record<string, any> = { id, internal: false };
    for (const f of INPUT_FIELDS) if (body[f] !== undefined) details[f] = body[f];
    details.education ??= [];
    details.experience ??= [];
    details.tags ??= [];
    details.createdOn = now;
    details.updatedOn = now;
    if (jobId !== null) details.primaryAssignment = { job: { id: jobId }, status: 'NEW', source: 'API' };
    details.secondaryAssignments = [];
    details.actions = {
      properties: { url: `${base()}/candidates/${id}/properties`, method: 'GET' },
      attachments: { url: `${base()}/candidates/${id}/attachments`, method: 'GET' },
      consents: { url: `${base()}/candidates/${id}/consents`, method: 'GET' },
    };

    const email = String(body.email).toLowerCase();
    const lastName = String(body.lastName).trim().toLowerCase();
    const personKey = `${email}\u0000${lastName}`;
    const dupId = byPerson.get(personKey);
    const dup = dupId !== undefined ? candidates.get(dupId) : undefined;
    if (dupId === undefined) byPerson.set(personKey, id);
    const record: StoredCandidate = {
      id,
      body,
      receivedAt: now,
      path: ctx.url.pathname,
      ...(jobId !== null ? { jobId } : {}),
      response: details,
      ...(dup ? { duplicateOf: dup.details.id } : {}),
    };
    candidates.set(id, { record, details, jobIds: new Set(jobId !== null ? [jobId] : []), files: new Map() });
    state().candidates.push(record);
    ctx.sendJson(201, details, { headers: { Location: `${base()}/candidates/${id}` } });
  }

  async function attach(ctx: RequestContext, id: string, jobId: string | null): Promise<void> {
    const cand = candidates.get(id);
    if (!cand) {
      return ctx.sendJson(404, err('Candidate not found', [{ code: 'CANDIDATE_NOT_FOUND', message: `Candidate ${id} does not exist` }]));
    }
    if (jobId !== null && !cand.jobIds.has(jobId)) {
      return ctx.sendJson(
        404,
        err('Job not found', [{ code: 'JOB_NOT_FOUND', message: `Candidate ${id} is not assigned to job ${jobId}` }]),
      );
    }
    const boundary = getBoundary(ctx.header('content-type'));
    if (!boundary) {
      return ctx.sendJson(415, err('Unsupported Media Type', [{ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content type must be multipart/form-data' }]));
    }
    const raw = await ctx.body();
    let parts;
    try {
      parts = parseMultipart(raw, boundary);
    } catch (e) {
      const m = e instanceof MultipartError ? e.message : String(e);
      return ctx.sendJson(400, err('Malformed multipart body', [{ code: 'INVALID_REQUEST', message: m }]));
    }
    const typePart = parts.find((p) => p.name === 'attachmentType' && p.filename === null);
    const filePart = parts.find((p) => p.name === 'file' && p.filename !== null);
    const fields: Record<string, unknown> = {};
    if (typePart) fields.attachmentType = typePart.data.toString('utf8').trim();
    if (filePart) fields.file = `<binary ${filePart.data.length} bytes>`;
    const schema = jobId !== null ? 'CandidatesAttachFileToJobCandidateRequest' : 'CandidatesAttachFilesRequest';
    const v = core.specs.validate('smartrecruiters', schema, fields);
    if (!v.valid) {
      return ctx.sendJson(
        400,
        err('validation failure', v.errors.map((e) => ({ dataPath: errorPath(e), message: e.message ?? 'is invalid' }))),
      );
    }
    const invalid = (message: string) => ctx.sendJson(400, err('Invalid file', [{ code: 'INVALID_FILE', message }]));
    if (!filePart) return invalid('The "file" part is required');
    const fileName = filePart.filename ?? '';
    if (!fileName.trim()) return invalid('The file has no name');
    if (!filePart.data.length) return invalid('The file is empty');
    const ext = extensionOf(fileName);
    if (!ext || !SR_ALLOWED_EXTENSIONS.has(ext)) return invalid(`File extension not allowed: "${fileName}"`);
    const data = Buffer.from(filePart.data);
    const pdf = isPdf(data);
    const docx = isDocx(data);
    if ((ext === 'pdf' && !pdf) || (ext === 'docx' && !docx)) return invalid(`Corrupted file or wrong file type: "${fileName}"`);
    const sha256 = createHash('sha256').update(data).digest('hex');
    for (const f of cand.files.values()) {
      if (f.name === fileName && f.sha256 === sha256) {
        return ctx.sendJson(400, err('File already exists', [{ code: 'FILE_ALREADY_EXIST', message: `"${fileName}" is already attached` }]));
      }
    }
    if (cand.files.size >= SR_ATTACHMENT_LIMIT) {
      return ctx.sendJson(422, err('Attachment limit exceeded', [{ code: 'ATTACHMENT_LIMIT_EXCEEDED', message: 'No more files can be added' }]));
    }
    const attId = randomUUID();
    const type = String(fields.attachmentType);
    const declared = filePart.contentType && filePart.contentType !== 'application/octet-stream' ? filePart.contentType : null;
    const contentType = declared ?? contentTypeForName(fileName) ?? sniffContentType(data, fileName);
    cand.files.set(attId, { name: fileName, contentType, data, sha256, type });
    state().attachments.push({
      id: attId,
      candidateId: id,
      type,
      fileName,
      contentType,
      size: data.length,
      sha256,
      isPdf: pdf,
      isDocx: docx,
      receivedAt: new Date().toISOString(),
      source: 'upload',
      ...(jobId !== null ? { jobId } : {}),
    });
    const url = `${base()}/candidates/${id}/attachments/${attId}`;
    ctx.sendJson(201, {
      id: attId,
      name: fileName,
      type,
      contentType,
      actions: { download: { url, method: 'GET' }, remove: { url, method: 'DELETE' } },
    });
  }

  const notFound = (ctx: RequestContext, id: string) => ctx.sendJson(404, err('Candidate not found', [{ code: 'CANDIDATE_NOT_FOUND', message: `Candidate ${id} does not exist` }]));
  const personOf = (d: Record<string, any>) => `${String(d.email).toLowerCase()}\u0000${String(d.lastName).trim().toLowerCase()}`;

  /** PATCH /candidates/{id}: the personal details given replace the candidate's. */
  async function update(ctx: RequestContext, id: string): Promise<void> {
    const cand = candidates.get(id);
    if (!cand) return notFound(ctx, id);
    const parsed = await ctx.json();
    if (!parsed.ok) return ctx.sendJson(400, err('Malformed JSON', [{ code: 'INVALID_JSON', message: parsed.error }]));
    const body = parsed.value;
    const v = core.specs.validate('smartrecruiters', 'PersonalDetails', body ?? null);
    if (!v.valid) return ctx.sendJson(400, err('validation failure', v.errors.map((e) => ({ dataPath: errorPath(e), message: e.message ?? 'is invalid' }))));
    const next = { ...cand.details, ...body };
    const owner = byPerson.get(personOf(next));
    if (owner !== undefined && owner !== id && candidates.has(owner)) {
      return ctx.sendJson(409, err('Candidate data conflict', [{ code: 'CANDIDATE_DATA_CONFLICT', message: 'Another candidate has this email and last name' }]));
    }
    if (byPerson.get(personOf(cand.details)) === id) byPerson.delete(personOf(cand.details));
    byPerson.set(personOf(next), id);
    const now = new Date(core.options.now()).toISOString();
    Object.assign(cand.details, body, { updatedOn: now });
    (cand.record.updates ??= []).push({ body, at: now });
    ctx.sendJson(200, cand.details);
  }

  /** DELETE /candidates/{id}: the candidate is gone (GET answers 404); its record stays in the state, `deleted`. */
  function remove(ctx: RequestContext, id: string): void {
    const cand = candidates.get(id);
    if (!cand) return notFound(ctx, id);
    candidates.delete(id);
    if (byPerson.get(personOf(cand.details)) === id) byPerson.delete(personOf(cand.details));
    cand.record.deleted = true;
    cand.record.archivedAt = new Date(core.options.now()).toISOString();
    ctx.send(204, '', 'text/plain');
  }

  /** GET /jobs: query checked against the derived Job API description, the seeded jobs paged. */
  function listJobs(ctx: RequestContext): void {
    const q = ctx.url.searchParams;
    const query: Record<string, unknown> = {};
    const problems: Array<Record<string, string>> = [];
    for (const [index, name, integer] of [[0, 'q', false], [1, 'limit', true], [2, 'offset', true], [3, 'status', false], [4, 'postingStatus', false]] as const) {
      const raw = q.get(name);
      if (raw === null) continue;
      const value = integer && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      const v = core.specs.validate('smartrecruiters', `#/paths/~1jobs/get/parameters/${index}/schema`, value);
      if (!v.valid) problems.push({ code: 'INVALID_PARAMETER', message: `${name}: ${v.errors.map((e) => e.message).join(', ')}` });
      query[name] = value;
    }
    if (problems.length) return ctx.sendJson(400, err('validation failure', problems), { reason: problems[0].message });
    const limit = (query.limit as number | undefined) ?? 10;
    const offset = (query.offset as number | undefined) ?? 0;
    const text = typeof query.q === 'string' ? query.q.toLowerCase() : '';
    const found = SR_JOBS.filter(
      (j) => (!text || j.name.toLowerCase().includes(text)) && (!query.status || j.status === query.status) && (!query.postingStatus || j.postingStatus === query.postingStatus),
    );
    const created = new Date(Date.UTC(2026, 0, 5)).toISOString();
    const content = found.slice(offset, offset + limit).map((j) => ({
      id: j.id,
      name: j.name,
      refNumber: j.refNumber,
      createdOn: created,
      updatedOn: created,
      status: j.status,
      postingStatus: j.postingStatus,
      location: { country: j.countryCode === 'gb' ? 'United Kingdom' : 'France', countryCode: j.countryCode, city: j.city, remote: false },
      department: { id: 'sandbox', label: 'Sandbox' },
    }));
    ctx.sendJson(200, { totalFound: found.length, offset, limit, content });
  }

  const mod: VendorModule & { limiter: RateLimiter } = {
    id: 'smartrecruiters',
    title: 'SmartRecruiters',
    prefix: '/smartrecruiters',
    baseUrl: base,
    jsonContentType: SR_CONTENT_TYPE,
    limiter,
    errorBody(status, message) {
      if (status === 429) return { message: 'Too many requests' };
      const code = message.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '') || 'ERROR';
      return err(message, [{ code, message }]);
    },
    admit(ctx) {
      const decision = limiter.acquire(ctx.header('x-smarttoken') ?? '');
      ctx.extraHeaders = { ...ctx.extraHeaders, ...decision.headers };
      if (!decision.ok) {
        ctx.sendJson(429, { message: 'Too many requests' }, { reason: `rate limit exceeded (${decision.exceeded})` });
        return true;
      }
      // 'close' fires once the answer is sent or the connection is gone (reset / lost-answer faults).
      ctx.res.once('close', decision.release);
      return false;
    },
    async handle(ctx) {
      if (!checkToken(ctx)) return;
      const p = ctx.path;
      const m = ctx.method;
      let params: Record<string, string> | null;
      if (m === 'POST' && (params = matchRoute('/jobs/:jobId/candidates', p))) return create(ctx, params.jobId);
      if (m === 'POST' && matchRoute('/candidates', p)) return create(ctx, null);
      if (m === 'GET' && matchRoute('/jobs', p)) return listJobs(ctx);
      if (m === 'GET' && matchRoute('/candidates', p)) {
        const q = (ctx.url.searchParams.get('q') ?? '').trim().toLowerCase();
        const content = [...candidates.values()]
          .map((c) => c.details)
          .filter((d) => !q || [d.email, d.firstName, d.lastName].some((v) => typeof v === 'string' && v.toLowerCase().includes(q)))
          .map((d) => ({ id: d.id, firstName: d.firstName, lastName: d.lastName, email: d.email, createdOn: d.createdOn }));
        return ctx.sendJson(200, { totalFound: content.length, offset: 0, limit: 100, content });
      }
      if (m === 'POST' && (params = matchRoute('/candidates/:id/jobs/:jobId/attachments', p))) return attach(ctx, params.id, params.jobId);
      if (m === 'POST' && (params = matchRoute('/candidates/:id/attachments', p))) return attach(ctx, params.id, null);
      if ((m === 'GET' || m === 'HEAD') && (params = matchRoute('/candidates/:id', p))) {
        const c = candidates.get(params.id);
        if (!c) return notFound(ctx, params.id);
        return ctx.sendJson(200, c.details);
      }
      if (m === 'PATCH' && (params = matchRoute('/candidates/:id', p))) return update(ctx, params.id);
      if (m === 'DELETE' && (params = matchRoute('/candidates/:id', p))) return remove(ctx, params.id);
      if ((params = matchRoute('/candidates/:id/attachments/:attId', p))) {
        const c = candidates.get(params.id);
        const f = c?.files.get(params.attId);
        if (!c || !f) return ctx.sendJson(404, err('Attachment not found', [{ code: 'ATTACHMENT_NOT_FOUND', message: 'No such attachment' }]));
        if (m === 'GET' || m === 'HEAD') return ctx.send(200, f.data, f.contentType);
        if (m === 'DELETE') {
          c.files.delete(params.attId);
          return ctx.send(204, '', 'text/plain');
        }
      }
      if (m === 'POST' && (matchRoute('/candidates/cv', p) || matchRoute('/jobs/:jobId/candidates/cv', p))) {
        return ctx.sendJson(501, err('Not emulated', [{ code: 'NOT_IMPLEMENTED', message: 'Resume parsing is not emulated by the sandbox' }]));
      }
      ctx.sendJson(404, err('Not found', [{ code: 'NOT_FOUND', message: `No route for ${m} ${p}` }]));
    },
    reset() {
      candidates.clear();
      byPerson.clear();
      limiter.reset();
    },
    page() {
      const l = limiter.limits;
      return { lines: [`Rate limit per token: ${l.perSecond} requests/s, ${l.concurrent} concurrent. Auth header X-SmartToken.`] };
    },
  };
  return mod;
}
