/**
 * Recruitee ATS API emulator, mounted at `/recruitee/c` (clients use `${sandbox}/recruitee/c` as
 * `recruitee_endpoint`, where they would use `https://api.recruitee.com/c`).
 *
 * - POST /recruitee/c/{company_id}/candidates: JSON validated against `CandidateCreateRequest` → 201 envelope
 * - GET  /recruitee/c/{company_id}/candidates?limit=&offset=&created_after=&offer_id=&query=&sort=&ids=&qualified=&disqualified=
 *   (specs/recruitee/*-reads.derived.openapi.yaml): the stored candidates, newest first → {candidates}; an
 *   unreadable query value is 400
 * - GET  /recruitee/c/{company_id}/candidates/{id}
 * - PATCH /recruitee/c/{company_id}/candidates/{id}: JSON validated against `CandidateUpdateRequest` (422 otherwise)
 *   → 200 envelope, the fields given replacing the candidate's; DELETE → 200 envelope, the candidate gone (its
 *   record says `deleted`); 404 for an unknown id
 * - GET  /recruitee/c/{company_id}/offers?kind=&scope=&view_mode= (specs/recruitee/*-reads.derived.openapi.yaml):
 *   the seeded RECRUITEE_OFFERS → {offers}; an unknown query value is 400
 * Auth: `Authorization: Bearer <token>`. `remote_cv_url` is downloaded (local URLs only) and recorded;
 * a failed download is recorded, never fatal (Recruitee fetches CVs asynchronously).
 */

import { fetchRemoteCv, urlKind } from '../remote-cv';
import type { RequestContext, SandboxCore, VendorModule } from '../server';
import { matchRoute } from '../server';
import { errorPath } from '../spec';

import type { StoredAttachment, StoredCandidate } from '../state';

export const RECRUITEE_CONTENT_TYPE = 'application/json; charset=utf-8';
/** First candidate id handed out (then +1). */
export const RECRUITEE_FIRST_ID = 1000;
/** How long the create call waits for the CV download before answering anyway (it then completes in background). */
export const CV_FETCH_GRACE_MS = 500;


interface RecruiteeCandidate {
  record: StoredCandidate;
  candidate: Record<string, any>;
}

/**
 * Offers the sandbox lists (GET /offers, for Test connection and the offer picker). 101 and 202 are the
 * offers of scripts/demo-flow.js and the flow tests. Creates accept any offer id, listed or not.
 */
export const RECRUITEE_OFFERS: ReadonlyArray<{ id: number; title: string; status: string; kind: 'job' | 'talent_pool' }> = [
  { id: 101, title: 'Full-stack developer (sandbox)', status: 'published', kind: 'job' },
  { id: 202, title: 'Data analyst (sandbox)', status: 'published', kind: 'job' },
  { id: 303, title: 'Developers talent pool (sandbox)', status: 'published', kind: 'talent_pool' },
  { id: 404, title: 'Product designer (draft)', status: 'draft', kind: 'job' },
  { id: 505, title: 'Office manager (closed)', status: 'closed', kind: 'job' },
  { id: 606, title: 'Old position (archived)', status: 'archived', kind: 'job' },
];

export function createRecruitee(core: SandboxCore): VendorModule {
  const candidates = new Map<number, RecruiteeCandidate>();
  let nextId = RECRUITEE_FIRST_ID;
  let nextPlacementId = 5000;
  const state = () => core.vendorState('recruitee');

  function checkAuth(ctx: RequestContext): boolean {
    const h = ctx.header('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(h.trim());
    if (m && m[1].trim() === core.credentials.recruiteeToken) return true;
    ctx.sendJson(401, { error: 'Unauthorized' }, { reason: h ? 'invalid bearer token' : 'missing Authorization header' });
    return false;
  }

  function checkCompany(ctx: RequestContext, company: string): boolean {
    if (company === core.credentials.recruiteeCompany) return true;
    ctx.sendJson(404, { error: 'Company not found' }, { reason: `unknown company ${company}` });
    return false;
  }

  /** Downloads the CV and records it on the candidate + attachments. Never throws. */
  async function fetchCv(record: StoredCandidate, id: number, url: string): Promise<void> {
    const att: StoredAttachment = {
      candidateId: id,
      type: 'cv',
      fileName: null,
      contentType: null,
      size: 0,
      sha256: null,
      isPdf: false,
      isDocx: false,
      receivedAt: new Date().toISOString(),
      source: 'remote_cv_url',
      url,
    };
    await fetchRemoteCv(core, state, record, att, url);
    const c = candidates.get(id);
    if (c) c.candidate.cv_original_url = record.cvFetch === 'ok' ? url : null;
  }


  async function create(ctx: RequestContext): Promise<void> {
    const parsed = await ctx.json();
    if (!parsed.ok) return ctx.sendJson(400, { error: 'Bad Request', message: `Invalid JSON: ${parsed.error}` });
    const body = parsed.value;
    if (refused(ctx, 'CandidateCreateRequest', body)) return;
    const c = body.candidate as Record<string, any>;
    const offers: number[] = Array.isArray(body.offers) ? body.offers : [];
    const id = nextId++;
    const now = new Date(core.options.now()).toISOString();
    const candidate: Record<string, any> = {
      id,
      name: c.name,
      emails: c.emails ?? [],
      phones: c.phones ?? [],
      social_links: c.social_links ?? [],
      links: c.links ?? [],
      sources: c.sources ?? [],
      cover_letter: c.cover_letter ?? null,
      photo_url: null,
      cv_original_url: null,
      created_at: now,
      updated_at: now,
      placements: offers.map((offerId) => ({ id: nextPlacementId++, offer_id: offerId, candidate_id: id, stage_id: null })),
    };
    const record: StoredCandidate = {
      id,
      body,
      receivedAt: now,
      path: ctx.url.pathname,
      offerIds: offers,
      response: { candidate },
      cvFetch: 'none',
    };
    candidates.set(id, { record, candidate });
    state().candidates.push(record);

    const cvUrl = typeof c.remote_cv_url === 'string' ? c.remote_cv_url.trim() : '';
    if (cvUrl) {
      const kind = urlKind(cvUrl);
      if (kind === 'external') record.cvFetch = 'skipped-external';
      else if (kind === 'invalid') {
        record.cvFetch = 'failed';
        state().attachments.push({
          candidateId: id,
          type: 'cv',
          fileName: null,
          contentType: null,
          size: 0,
          sha256: null,
          isPdf: false,
          isDocx: false,
          receivedAt: now,
          source: 'remote_cv_url',
          url: cvUrl,
          fetch: 'failed',
          error: 'invalid URL',
        });
      } else {
        const job = core.track(fetchCv(record, id, cvUrl));
        // Wait a little so the state is complete when the answer arrives in the usual (fast, local) case.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([job, new Promise((r) => (timer = setTimeout(r, CV_FETCH_GRACE_MS)))]);
        clearTimeout(timer);
      }
    }
    if (core.closed) return ctx.destroy();
    ctx.sendJson(201, { candidate });
  }

  /** 422 with Recruitee's error body (as the create answers it) for a body that does not fit `schema`; false when it fits. */
  function refused(ctx: RequestContext, schema: string, body: unknown): boolean {
    const v = core.specs.validate('recruitee', schema, body ?? null);
    if (v.valid) return false;
    const errors: string[] = [];
    const fields: Record<string, string[]> = {};
    for (const e of v.errors) {
      const field = errorPath(e).split('/').filter(Boolean).join('.') || 'base';
      const msg = e.message ?? 'is invalid';
      errors.push(`${field} ${msg}`);
      (fields[field] ??= []).push(msg);
    }
    ctx.sendJson(422, { errors, error_fields: fields });
    return true;
  }

  /** PATCH /candidates/{id}: each field given replaces the candidate's (lists too). */
  async function update(ctx: RequestContext, found: RecruiteeCandidate): Promise<void> {
    const parsed = await ctx.json();
    if (!parsed.ok) return ctx.sendJson(400, { error: 'Bad Request', message: `Invalid JSON: ${parsed.error}` });
    if (refused(ctx, 'CandidateUpdateRequest', parsed.value)) return;
    const now = new Date(core.options.now()).toISOString();
    Object.assign(found.candidate, parsed.value.candidate, { updated_at: now });
    (found.record.updates ??= []).push({ body: parsed.value, at: now });
    ctx.sendJson(200, { candidate: found.candidate });
  }

  /** The query parameters of GET /candidates, in the order of the derived description's `parameters`. */
  const LIST_PARAMS = [
    ['limit', true],
    ['offset', true],
    ['created_after', false],
    ['disqualified', false],
    ['qualified', false],
    ['ids', false],
    ['offer_id', false],
    ['query', false],
    ['sort', false],
  ] as const;

  /**
   * GET /candidates: query checked against the derived description; the stored candidates, newest first,
   * filtered as Recruitee documents it (created_after read as UTC), then offset and limit (none: all).
   */
  function listCandidates(ctx: RequestContext): void {
    const q = ctx.url.searchParams;
    const query: Record<string, string | number> = {};
    for (const [index, [name, integer]] of LIST_PARAMS.entries()) {
      const raw = q.get(name);
      if (raw === null) continue;
      const value = integer && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      const v = core.specs.validate('recruitee', `#/paths/~1candidates/get/parameters/${index}/schema`, value);
      if (!v.valid) return ctx.sendJson(400, { error: `${name}: ${v.errors.map((e) => e.message).join(', ')}` }, { reason: `bad ${name}` });
      query[name] = value;
    }
    const after = typeof query.created_after === 'string' ? Date.parse(`${query.created_after.length === 16 ? `${query.created_after}:00` : query.created_after}Z`) : undefined;
    const ids = typeof query.ids === 'string' ? new Set(query.ids.split(',').map(Number)) : undefined;
    const offer = query.offer_id !== undefined ? Number(query.offer_id) : undefined;
    const text = typeof query.query === 'string' ? query.query.trim().toLowerCase() : '';
    const yes = (v: unknown) => v === 'true' || v === '1';
    const offerTitle = (id: number) => RECRUITEE_OFFERS.find((o) => o.id === id)?.title.toLowerCase() ?? '';
    const found = [...candidates.values()]
      .map((c) => c.candidate)
      .filter((c) =>
        (after === undefined || Date.parse(c.created_at) > after) &&
        (!ids || ids.has(c.id)) &&
        (offer === undefined || c.placements.some((p: { offer_id: number }) => p.offer_id === offer)) &&
        // No candidate is ever disqualified here: qualified = placed in at least one offer.
        (!yes(query.qualified) || c.placements.length > 0) &&
        !yes(query.disqualified) &&
        (!text || String(c.name).toLowerCase().includes(text) || c.placements.some((p: { offer_id: number }) => offerTitle(p.offer_id).includes(text))),
      )
      // by_date: the newest first (the same for by_last_message: no candidate has messages here).
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
    const offset = (query.offset as number | undefined) ?? 0;
    const page = query.limit === undefined ? found.slice(offset) : found.slice(offset, offset + (query.limit as number));
    ctx.sendJson(200, { candidates: page });
  }

  /** GET /offers: query checked against the derived description; the seeded offers, filtered as Recruitee does. */
  function listOffers(ctx: RequestContext): void {
    const q = ctx.url.searchParams;
    const query: Record<string, string> = {};
    for (const [index, name] of [[0, 'kind'], [1, 'scope'], [2, 'view_mode']] as const) {
      const raw = q.get(name);
      if (raw === null) continue;
      const v = core.specs.validate('recruitee', `#/paths/~1offers/get/parameters/${index}/schema`, raw);
      if (!v.valid) return ctx.sendJson(400, { error: `${name}: ${v.errors.map((e) => e.message).join(', ')}` }, { reason: `bad ${name}` });
      query[name] = raw;
    }
    const inScope = (status: string) =>
      query.scope === 'archived' ? status === 'archived'
        : query.scope === 'active' ? ['published', 'internal', 'closed'].includes(status)
          : query.scope === 'not_archived' ? status !== 'archived' : true;
    const created = new Date(Date.UTC(2026, 0, 5)).toISOString();
    const offers = RECRUITEE_OFFERS.filter((o) => inScope(o.status) && (!query.kind || o.kind === query.kind)).map((o) =>
      query.view_mode === 'brief'
        ? { id: o.id, title: o.title, status: o.status, kind: o.kind }
        : { id: o.id, title: o.title, status: o.status, kind: o.kind, slug: o.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''), created_at: created, updated_at: created },
    );
    ctx.sendJson(200, { offers });
  }

  return {
    id: 'recruitee',
    title: 'Recruitee',
    prefix: '/recruitee/c',
    baseUrl: () => `${core.url}/recruitee/c`,
    jsonContentType: RECRUITEE_CONTENT_TYPE,
    errorBody: (_status, message) => ({ error: message }),
    async handle(ctx) {
      if (!checkAuth(ctx)) return;
      let params: Record<string, string> | null;
      if ((params = matchRoute('/:company/candidates', ctx.path))) {
        if (!checkCompany(ctx, params.company)) return;
        if (ctx.method === 'POST') return create(ctx);
        if (ctx.method === 'GET' || ctx.method === 'HEAD') return listCandidates(ctx);
        return ctx.sendJson(405, { error: 'Method not allowed' }, { headers: { Allow: 'GET, POST' } });
      }
      if ((params = matchRoute('/:company/offers', ctx.path))) {
        if (!checkCompany(ctx, params.company)) return;
        if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return ctx.sendJson(405, { error: 'Method not allowed' }, { headers: { Allow: 'GET' } });
        return listOffers(ctx);
      }
      if ((params = matchRoute('/:company/candidates/:id', ctx.path))) {
        if (!checkCompany(ctx, params.company)) return;
        if (!['GET', 'HEAD', 'PATCH', 'DELETE'].includes(ctx.method)) return ctx.sendJson(405, { error: 'Method not allowed' }, { headers: { Allow: 'GET, PATCH, DELETE' } });
        const found = /^\d+$/.test(params.id) ? candidates.get(Number(params.id)) : undefined;
        if (!found) return ctx.sendJson(404, { error: 'Not found' });
        if (ctx.method === 'PATCH') return update(ctx, found);
        if (ctx.method === 'DELETE') {
          candidates.delete(found.candidate.id);
          found.record.deleted = true;
          found.record.archivedAt = new Date(core.options.now()).toISOString();
          return ctx.sendJson(200, { candidate: found.candidate });
        }
        return ctx.sendJson(200, { candidate: found.candidate });
      }
      ctx.sendJson(404, { error: 'Not found' });
    },
    reset() {
      candidates.clear();
      nextId = RECRUITEE_FIRST_ID;
      nextPlacementId = 5000;
    },
    page() {
      return {
        lines: [
          `Company id "${core.credentials.recruiteeCompany}", Authorization: Bearer <token>. remote_cv_url is downloaded when it points at 127.0.0.1/localhost.`,
          'GET /candidates lists the stored candidates newest first (created_after read as UTC, offer_id, ids, limit, offset).',
        ],
      };
    },
  };
}
