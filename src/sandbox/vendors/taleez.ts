/**
 * Taleez API emulator, mounted at `/taleez/0` (clients use `${sandbox}/taleez/0` where they would use
 * `https://api.taleez.com/0`).
 *
 * - POST /candidates: `candidateToCreate` (spec 0.4.0) + the newer `location`, `unitId`, `properties`;
 *   unknown top-level keys (e.g. snake_case `social_links`) → 400; `mail` unique → 400 → 201 `{id: "<digits>"}`
 * - GET  /candidates?mail=… → `CandidateList`; GET /candidates/{id} → `candidate`
 * - POST /candidates/{id}: `candidateToUpdate` (specs/taleez/taleez-update.derived.openapi.yaml) → 200 (empty);
 *   a mail of another candidate → 400; unknown id → 404 (Taleez has no archive or delete: nothing else)
 * - POST /documents?candidateId=…&cv=true|false (spec 0.4.0) and POST /candidates/{id}/documents?cv=true (newer):
 *   multipart `file`, PDF only → 201 `{id}` (same content again → same id)
 * - POST /candidates/{id}/jobs|pools `{ids}`, POST /jobs/{id}/candidates, /pools/{id}/candidates `{ids}` → 200
 *   (job/pool ids >= TALEEZ_UNKNOWN_ID_FROM do not exist → 404)
 * - POST /candidates/{id}/properties `[candidatePropertyParameter]` → 200
 * - GET /jobs?page&pageSize[&status] → `JobList`, GET /pools?page&pageSize → `PoolList` (spec 0.4.0): the seeded
 *   TALEEZ_JOBS / TALEEZ_POOLS (what Test connection and the editor's pickers read); pageSize 1..100
 * Auth: `X-taleez-api-secret` on every route → 401 `{error}`. Rate limit: 100 requests/minute per secret
 * (sliding window, `rateLimits.taleez.perMinute`), 429 `{error: "Too many requests"}` (no rate headers: none documented).
 */

import { createHash } from 'node:crypto';
import Ajv from 'ajv';
import type { RequestContext, SandboxCore, VendorModule } from '../server';
import { matchRoute } from '../server';
import { errorPath } from '../spec';
import { PDF_CONTENT_TYPE, isDocx, isPdf, sniffContentType } from '../documents';
import { MultipartError, getBoundary, parseMultipart } from '../multipart';
import type { StoredCandidate } from '../state';
import type { WindowRateLimitOptions } from '../types';

export const TALEEZ_CONTENT_TYPE = 'application/json;charset=UTF-8';
/** First candidate id handed out (then +1). */
export const TALEEZ_FIRST_ID = 12785;
/** First document id handed out (then +1). */
export const TALEEZ_FIRST_DOCUMENT_ID = 46577;
/** Job and pool ids from this value up do not exist (404). */
export const TALEEZ_UNKNOWN_ID_FROM = 900000;

/**
 * Fields Taleez accepts on create beyond the 0.4.0 spec (seen in the current API / hrflow-connectors 2025).
 * `properties` items are checked against the spec's `candidatePropertyParameter`.
 */
export const TALEEZ_CREATE_EXTENSION_SCHEMA = {
  type: 'object',
  properties: {
    location: {
      type: 'object',
      additionalProperties: false,
      properties: {
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
        lat: { type: 'number', minimum: -90, maximum: 90 },
        lng: { type: 'number', minimum: -180, maximum: 180 },
        city: { type: 'string' },
        postalCode: { type: 'string' },
        street: { type: 'string' },
        streetNumber: { type: 'string' },
      },
    },
    unitId: { type: 'integer' },
    properties: { type: 'array' },
  },
} as const;

/** Jobs the sandbox lists (ids used by the example flows and scripts/demo-flow.js: job 101, pool 201). */
export const TALEEZ_JOBS: ReadonlyArray<{ id: number; label: string | null; status: 'DRAFT' | 'PUBLISHED' | 'DONE' | 'SUSPENDED' }> = [
  { id: 101, label: 'Développeur back-end (H/F)', status: 'PUBLISHED' },
  { id: 102, label: 'Chargé de recrutement (H/F)', status: 'PUBLISHED' },
  { id: 103, label: 'Data analyst (H/F)', status: 'DONE' },
  // A draft has no label yet (the spec: "Can be null if job is in DRAFT status").
  { id: 104, label: null, status: 'DRAFT' },
];
/** Talent pools the sandbox lists. */
export const TALEEZ_POOLS: ReadonlyArray<{ id: number; name: string; sourcing: boolean }> = [
  { id: 201, name: 'Vivier développeurs', sourcing: false },
  { id: 202, name: 'Candidatures spontanées', sourcing: true },
];

/** Phone formats Taleez documents (0611223344, +33611223344, 00336112233); others are ignored, not refused. */
const PHONE_RE = /^(?:0\d{9}|\+\d{8,15}|00\d{8,15})$/;

/** Sliding-window limiter keyed by credential (requests per minute and/or per second). */
export class WindowLimiter {
  private readonly buckets = new Map<string, number[]>();

  constructor(
    public limits: WindowRateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** True when there is any limit at all. */
  get enabled(): boolean {
    return (this.limits.perMinute ?? 0) > 0 || (this.limits.perSecond ?? 0) > 0;
  }

  /** Records the request and returns true when it is within the limits; false (not recorded) when over. */
  acquire(key: string): boolean {
    if (!this.enabled) return true;
    const t = this.now();
    let times = this.buckets.get(key);
    if (!times) {
      times = [];
      this.buckets.set(key, times);
    }
    const perMinute = this.limits.perMinute ?? 0;
    const perSecond = this.limits.perSecond ?? 0;
    const horizon = perMinute > 0 ? 60_000 : 1000;
    while (times.length && t - times[0] >= horizon) times.shift();
    if (perMinute > 0 && times.length >= perMinute) return false;
    if (perSecond > 0) {
      let recent = 0;
      for (let i = times.length - 1; i >= 0 && t - times[i] < 1000; i--) recent++;
      if (recent >= perSecond) return false;
    }
    times.push(t);
    return true;
  }

  reset(): void {
    this.buckets.clear();
  }
}

interface TaleezCandidate {
  id: number;
  record: StoredCandidate;
  /** As GET /candidates/{id} returns it (spec `candidate`). */
  candidate: Record<string, any>;
  jobIds: number[];
  poolIds: number[];
  /** sha256 → document id. */
  documents: Map<string, number>;
}

export function createTaleez(core: SandboxCore): VendorModule & { limiter: WindowLimiter } {
  const limiter = new WindowLimiter({ ...core.options.rateLimits.taleez });
  const candidates = new Map<number, TaleezCandidate>();
  let nextId = TALEEZ_FIRST_ID;
  let nextDocId = TALEEZ_FIRST_DOCUMENT_ID;
  const state = () => core.vendorState('taleez');
  const extension = new Ajv({ strict: false, allErrors: true }).compile(TALEEZ_CREATE_EXTENSION_SCHEMA);

  const err = (ctx: RequestContext, status: number, error: string, reason?: string) =>
    ctx.sendJson(status, { error }, reason ? { reason } : {});
  /** The spec's 200 answers carry no body. */
  const okEmpty = (ctx: RequestContext) => ctx.send(200, '', 'text/plain;charset=UTF-8');

  function checkSecret(ctx: RequestContext): boolean {
    const secret = ctx.header('x-taleez-api-secret');
    if (secret !== undefined && secret === core.credentials.taleezSecret) return true;
    const reason =
      secret !== undefined
        ? 'invalid X-taleez-api-secret'
        : ctx.header('x-taleez-api-key') !== undefined
          ? 'X-taleez-api-key (public key) cannot use this route; send X-taleez-api-secret'
          : 'missing X-taleez-api-secret';
    err(ctx, 401, 'Unauthorized', reason);
    return false;
  }

  function schemaErrors(vendorSchema: string, value: unknown, prefix = ''): string[] {
    const v = core.specs.validate('taleez', vendorSchema, value);
    return v.errors.map((e) => `${prefix}${errorPath(e) || '/'} ${e.message ?? 'is invalid'}`);
  }

  /** Top-level keys `candidateToCreate` knows, plus the newer ones. */
  function allowedCreateKeys(): Set<string> {
    const spec = core.specs.load('taleez').find((s) => s.doc.components?.schemas?.candidateToCreate);
    const props = Object.keys(spec?.doc.components.schemas.candidateToCreate.properties ?? {});
    return new Set([...props, ...Object.keys(TALEEZ_CREATE_EXTENSION_SCHEMA.properties)]);
  }

  function findCandidate(ctx: RequestContext, raw: string | null | undefined): TaleezCandidate | null {
    const c = raw && /^\d+$/.test(raw) ? candidates.get(Number(raw)) : undefined;
    if (!c) {
      err(ctx, 404, 'Candidate cannot be found', `unknown candidate ${raw}`);
      return null;
    }
    return c;
  }

  async function create(ctx: RequestContext): Promise<void> {
    const parsed = await ctx.json();
    if (!parsed.ok) return err(ctx, 400, `Malformed JSON: ${parsed.error}`);
    const body = parsed.value;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return err(ctx, 400, 'The body must be a candidate object');
    const allowed = allowedCreateKeys();
    const problems: string[] = [];
    for (const k of Object.keys(body)) if (!allowed.has(k)) problems.push(`/${k} is not a known field`);
    const specPart: Record<string, unknown> = {};
    const extPart: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(body)) {
      if (k in TALEEZ_CREATE_EXTENSION_SCHEMA.properties) extPart[k] = val;
      else if (allowed.has(k)) specPart[k] = val;
    }
    problems.push(...schemaErrors('candidateToCreate', specPart));
    if (!extension(extPart)) {
      for (const e of extension.errors ?? []) problems.push(`${errorPath(e) || '/'} ${e.message ?? 'is invalid'}`);
    }
    if (Array.isArray(extPart.properties)) {
      extPart.properties.forEach((p, i) => problems.push(...schemaErrors('candidatePropertyParameter', p, `/properties/${i}`)));
    }
    if (problems.length) return err(ctx, 400, `Invalid candidate: ${problems.slice(0, 10).join('; ')}`);

    const mail = typeof body.mail === 'string' ? body.mail.trim().toLowerCase() : '';
    if (mail) {
      const dup = [...candidates.values()].find((c) => String(c.candidate.mail ?? '').toLowerCase() === mail);
      if (dup) return err(ctx, 400, `A candidate with mail ${body.mail} already exists (id ${dup.id})`, `duplicate mail (candidate ${dup.id})`);
    }
    const warnings: string[] = [];
    let phone: string | undefined;
    if (typeof body.phone === 'string' && body.phone.trim()) {
      const compact = body.phone.replace(/[\s.\-()]/g, '');
      if (PHONE_RE.test(compact)) phone = body.phone;
      else warnings.push(`phone "${body.phone}" is not in a documented format and was ignored`);
    }
    const id = nextId++;
    const candidate: Record<string, any> = {
      id,
      firstName: body.firstName,
      lastName: body.lastName,
      ...(body.mail !== undefined ? { mail: body.mail } : {}),
      ...(phone !== undefined ? { phone } : {}),
      initialReferrer: body.initialReferrer ?? 'API Taleez',
      lang: body.lang ?? 'FR',
      ...(body.socialLinks !== undefined ? { socialLinks: body.socialLinks } : {}),
    };
    const response = { id: String(id) };
    const record: StoredCandidate = {
      id,
      body,
      receivedAt: new Date().toISOString(),
      path: ctx.url.pathname,
      response,
      jobIds: [],
      poolIds: [],
      properties: Array.isArray(body.properties) ? body.properties : [],
      warnings,
    };
    candidates.set(id, { id, record, candidate, jobIds: record.jobIds as number[], poolIds: record.poolIds as number[], documents: new Map() });
    state().candidates.push(record);
    ctx.sendJson(201, response);
  }

  /** POST /candidates/{id}: the fields given replace the candidate's (socialLinks and location as a whole). */
  async function update(ctx: RequestContext, cand: TaleezCandidate): Promise<void> {
    const parsed = await ctx.json();
    if (!parsed.ok) return err(ctx, 400, `Malformed JSON: ${parsed.error}`);
    const body = parsed.value;
    const problems = schemaErrors('candidateToUpdate', body ?? null);
    if (problems.length) return err(ctx, 400, `Invalid candidate: ${problems.slice(0, 10).join('; ')}`);
    const mail = typeof body.mail === 'string' ? body.mail.trim().toLowerCase() : '';
    const dup = mail ? [...candidates.values()].find((c) => c.id !== cand.id && String(c.candidate.mail ?? '').toLowerCase() === mail) : undefined;
    if (dup) return err(ctx, 400, `A candidate with mail ${body.mail} already exists (id ${dup.id})`, `duplicate mail (candidate ${dup.id})`);
    const { phone, ...rest } = body;
    Object.assign(cand.candidate, rest);
    if (typeof phone === 'string' && PHONE_RE.test(phone.replace(/[\s.\-()]/g, ''))) cand.candidate.phone = phone;
    (cand.record.updates ??= []).push({ body, at: new Date().toISOString() });
    okEmpty(ctx);
  }

  async function upload(ctx: RequestContext, cand: TaleezCandidate, cv: boolean, route: 'documents' | 'candidate-documents'): Promise<void> {
    const boundary = getBoundary(ctx.header('content-type'));
    if (!boundary) return err(ctx, 400, 'Content type must be multipart/form-data');
    const raw = await ctx.body();
    let parts;
    try {
      parts = parseMultipart(raw, boundary);
    } catch (e) {
      return err(ctx, 400, `Malformed multipart body: ${e instanceof MultipartError ? e.message : String(e)}`);
    }
    const part = parts.find((p) => p.name === 'file');
    if (!part) return err(ctx, 400, 'Required part "file" is missing');
    const data = Buffer.from(part.data);
    if (!data.length) return err(ctx, 400, 'The file is empty');
    const pdf = isPdf(data);
    if (!pdf) {
      const kind = isDocx(data) ? 'a DOCX document' : 'not a PDF';
      return err(ctx, 400, `Only pdf files can be uploaded (the file is ${kind})`);
    }
    const sha256 = createHash('sha256').update(data).digest('hex');
    const declared = part.contentType ? part.contentType.split(';')[0].trim().toLowerCase() : null;
    const fileName = part.filename ?? null;
    let docId = cand.documents.get(sha256);
    const existing = docId !== undefined ? state().attachments.find((a) => a.id === String(docId)) : undefined;
    if (docId !== undefined && existing) {
      // Same content again: same document, name updated (documented).
      existing.fileName = fileName;
      existing.cv = (existing.cv as boolean) || cv;
      existing.uploads = ((existing.uploads as number) ?? 1) + 1;
    } else {
      docId = nextDocId++;
      cand.documents.set(sha256, docId);
      state().attachments.push({
        id: String(docId),
        candidateId: cand.id,
        type: cv ? 'cv' : 'document',
        fileName,
        contentType: declared,
        declaredContentType: declared,
        contentTypeMatches: declared === PDF_CONTENT_TYPE,
        detectedContentType: sniffContentType(data, fileName),
        size: data.length,
        sha256,
        isPdf: pdf,
        isDocx: false,
        receivedAt: new Date().toISOString(),
        source: 'upload',
        route,
        cv,
        uploads: 1,
      });
    }
    ctx.sendJson(201, { id: String(docId) });
  }

  /** `cv` query parameter as Spring reads booleans (case-insensitive). Answers 400 and returns null when invalid. */
  function cvParam(ctx: RequestContext, required: boolean): boolean | null {
    const raw = ctx.url.searchParams.get('cv');
    if (raw === null) {
      if (!required) return false;
      err(ctx, 400, "Required parameter 'cv' is not present");
      return null;
    }
    const v = raw.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    err(ctx, 400, `Parameter 'cv' must be true or false (got "${raw}")`);
    return null;
  }

  /** Reads `{ids: [int]}`; answers 400 and returns null when invalid. */
  async function readIds(ctx: RequestContext): Promise<number[] | null> {
    const parsed = await ctx.json();
    if (!parsed.ok) {
      err(ctx, 400, `Malformed JSON: ${parsed.error}`);
      return null;
    }
    const problems = schemaErrors('listOfIds', parsed.value ?? null);
    if (!problems.length && !Array.isArray(parsed.value?.ids)) problems.push('/ids is required');
    if (problems.length) {
      err(ctx, 400, `Invalid ids: ${problems.slice(0, 10).join('; ')}`);
      return null;
    }
    return parsed.value.ids as number[];
  }

  function addUnique(list: number[], ids: number[]): void {
    for (const id of ids) if (!list.includes(id)) list.push(id);
  }

  async function assignFromCandidate(ctx: RequestContext, cand: TaleezCandidate, kind: 'job' | 'pool'): Promise<void> {
    const ids = await readIds(ctx);
    if (!ids) return;
    const unknown = ids.filter((i) => i >= TALEEZ_UNKNOWN_ID_FROM || i <= 0);
    if (unknown.length) return err(ctx, 404, `Unknown ${kind}${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
    addUnique(kind === 'job' ? cand.jobIds : cand.poolIds, ids);
    okEmpty(ctx);
  }

  async function assignToTarget(ctx: RequestContext, rawTarget: string, kind: 'job' | 'pool'): Promise<void> {
    const target = /^\d+$/.test(rawTarget) ? Number(rawTarget) : NaN;
    if (!Number.isSafeInteger(target)) return err(ctx, 400, `Invalid ${kind} id "${rawTarget}"`);
    if (target >= TALEEZ_UNKNOWN_ID_FROM || target <= 0) return err(ctx, 404, `Unknown ${kind}: ${target}`);
    const ids = await readIds(ctx);
    if (!ids) return;
    const missing = ids.filter((i) => !candidates.has(i));
    if (missing.length) return err(ctx, 404, `Unknown candidate${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
    for (const id of ids) {
      const c = candidates.get(id)!;
      addUnique(kind === 'job' ? c.jobIds : c.poolIds, [target]);
    }
    okEmpty(ctx);
  }

  async function setProperties(ctx: RequestContext, cand: TaleezCandidate): Promise<void> {
    const parsed = await ctx.json();
    if (!parsed.ok) return err(ctx, 400, `Malformed JSON: ${parsed.error}`);
    const body = parsed.value;
    if (!Array.isArray(body)) return err(ctx, 400, 'The body must be a list of properties');
    const problems = body.flatMap((p, i) => schemaErrors('candidatePropertyParameter', p, `/${i}`));
    if (problems.length) return err(ctx, 400, `Invalid properties: ${problems.slice(0, 10).join('; ')}`);
    const props = cand.record.properties as unknown[];
    for (const p of body) {
      const i = props.findIndex((q: any) => q && q.id === p.id);
      if (i >= 0) props[i] = p;
      else props.push(p);
    }
    okEmpty(ctx);
  }

  function search(ctx: RequestContext): void {
    const mail = ctx.url.searchParams.get('mail');
    if (mail === null) return err(ctx, 400, "Required parameter 'mail' is not present");
    const page = Number(ctx.url.searchParams.get('page') ?? 0);
    const pageSize = Number(ctx.url.searchParams.get('pageSize') ?? 100);
    if (!Number.isInteger(page) || page < 0) return err(ctx, 400, 'page must be an integer >= 0');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) return err(ctx, 400, 'pageSize must be an integer in [1, 100]');
    const wanted = mail.trim().toLowerCase();
    const all = [...candidates.values()].filter((c) => String(c.candidate.mail ?? '').toLowerCase() === wanted);
    const list = all.slice(page * pageSize, (page + 1) * pageSize).map((c) => c.candidate);
    ctx.sendJson(200, { page, pageSize, listSize: list.length, list });
  }

  /** `page` and `pageSize` as the spec reads them; answers 400 and returns null when invalid. */
  function paging(ctx: RequestContext): { page: number; pageSize: number } | null {
    const page = Number(ctx.url.searchParams.get('page') ?? 0);
    const pageSize = Number(ctx.url.searchParams.get('pageSize') ?? 100);
    if (!Number.isInteger(page) || page < 0) {
      err(ctx, 400, 'page must be an integer >= 0');
      return null;
    }
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      err(ctx, 400, 'pageSize must be an integer in [1, 100]');
      return null;
    }
    return { page, pageSize };
  }

  function listJobs(ctx: RequestContext): void {
    const paged = paging(ctx);
    if (!paged) return;
    const statuses = ctx.url.searchParams.getAll('status');
    const known = ['DRAFT', 'PUBLISHED', 'DONE', 'SUSPENDED'];
    const bad = statuses.find((st) => !known.includes(st));
    if (bad !== undefined) return err(ctx, 400, `status must be one of ${known.join(', ')} (got "${bad}")`);
    const all = TALEEZ_JOBS.filter((j) => !statuses.length || statuses.includes(j.status));
    const list = all
      .slice(paged.page * paged.pageSize, (paged.page + 1) * paged.pageSize)
      .map((j) => ({ id: j.id, token: `tz${j.id}`, label: j.label, status: j.status, dateCreation: 1767225600 }));
    ctx.sendJson(200, { page: paged.page, pageSize: paged.pageSize, listSize: list.length, totalSize: all.length, list });
  }

  function listPools(ctx: RequestContext): void {
    const paged = paging(ctx);
    if (!paged) return;
    const list = TALEEZ_POOLS.slice(paged.page * paged.pageSize, (paged.page + 1) * paged.pageSize).map((p) => ({ ...p }));
    ctx.sendJson(200, { page: paged.page, pageSize: paged.pageSize, listSize: list.length, list });
  }

  const mod: VendorModule & { limiter: WindowLimiter } = {
    id: 'taleez',
    title: 'Taleez',
    prefix: '/taleez/0',
    baseUrl: () => `${core.url}/taleez/0`,
    jsonContentType: TALEEZ_CONTENT_TYPE,
    limiter,
    errorBody: (_status, message) => ({ error: message }),
    admit(ctx) {
      if (limiter.acquire(ctx.header('x-taleez-api-secret') ?? '')) return false;
      const l = limiter.limits;
      const what = (l.perMinute ?? 0) > 0 ? `${l.perMinute} requests/minute` : `${l.perSecond} requests/second`;
      err(ctx, 429, 'Too many requests', `rate limit exceeded (${what})`);
      return true;
    },
    async handle(ctx) {
      if (!checkSecret(ctx)) return;
      const p = ctx.path;
      const m = ctx.method;
      let params: Record<string, string> | null;
      if (matchRoute('/candidates', p)) {
        if (m === 'POST') return create(ctx);
        if (m === 'GET' || m === 'HEAD') return search(ctx);
        return err(ctx, 405, 'Method not allowed');
      }
      if ((params = matchRoute('/candidates/:id', p))) {
        if (m !== 'GET' && m !== 'HEAD' && m !== 'POST') return err(ctx, 405, 'Method not allowed');
        const c = findCandidate(ctx, params.id);
        if (c && m === 'POST') return update(ctx, c);
        if (c) ctx.sendJson(200, c.candidate);
        return;
      }
      if (m === 'POST' && matchRoute('/documents', p)) {
        const raw = ctx.url.searchParams.get('candidateId');
        if (raw === null) return err(ctx, 400, "Required parameter 'candidateId' is not present");
        const cv = cvParam(ctx, true);
        if (cv === null) return;
        const c = findCandidate(ctx, raw.trim());
        if (c) await upload(ctx, c, cv, 'documents');
        return;
      }
      if (m === 'POST' && (params = matchRoute('/candidates/:id/documents', p))) {
        const cv = cvParam(ctx, false);
        if (cv === null) return;
        const c = findCandidate(ctx, params.id);
        if (c) await upload(ctx, c, cv, 'candidate-documents');
        return;
      }
      if (m === 'POST' && (params = matchRoute('/candidates/:id/jobs', p))) {
        const c = findCandidate(ctx, params.id);
        if (c) await assignFromCandidate(ctx, c, 'job');
        return;
      }
      if ((params = matchRoute('/candidates/:id/pools', p))) {
        const c = findCandidate(ctx, params.id);
        if (!c) return;
        if (m === 'POST') return assignFromCandidate(ctx, c, 'pool');
        if (m === 'GET' || m === 'HEAD') return ctx.sendJson(200, c.poolIds.map((id) => ({ id, name: `Pool ${id}` })));
        return err(ctx, 405, 'Method not allowed');
      }
      if ((params = matchRoute('/candidates/:id/properties', p))) {
        const c = findCandidate(ctx, params.id);
        if (!c) return;
        if (m === 'POST') return setProperties(ctx, c);
        if (m === 'GET' || m === 'HEAD') return ctx.sendJson(200, c.record.properties);
        return err(ctx, 405, 'Method not allowed');
      }
      if (matchRoute('/jobs', p)) return m === 'GET' || m === 'HEAD' ? listJobs(ctx) : err(ctx, 405, 'Method not allowed');
      if (matchRoute('/pools', p)) return m === 'GET' || m === 'HEAD' ? listPools(ctx) : err(ctx, 405, 'Method not allowed');
      if (m === 'POST' && (params = matchRoute('/jobs/:id/candidates', p))) return assignToTarget(ctx, params.id, 'job');
      if (m === 'POST' && (params = matchRoute('/pools/:id/candidates', p))) return assignToTarget(ctx, params.id, 'pool');
      if (m === 'POST' && (matchRoute('/documents/tmp', p) || matchRoute('/jobs/:id/applications', p))) {
        return err(ctx, 501, 'Not emulated by the sandbox');
      }
      err(ctx, 404, `No route for ${m} ${ctx.url.pathname}`);
    },
    reset() {
      candidates.clear();
      nextId = TALEEZ_FIRST_ID;
      nextDocId = TALEEZ_FIRST_DOCUMENT_ID;
      limiter.reset();
    },
    page() {
      const l = limiter.limits;
      const rate = (l.perMinute ?? 0) > 0 ? `${l.perMinute} requests/minute` : (l.perSecond ?? 0) > 0 ? `${l.perSecond} requests/second` : 'none';
      return {
        lines: [
          `Header X-taleez-api-secret. Rate limit per secret: ${rate} (sliding window). Documents: PDF only. ` +
            `Job/pool ids >= ${TALEEZ_UNKNOWN_ID_FROM} do not exist.`,
        ],
      };
    },
  };
  return mod;
}
