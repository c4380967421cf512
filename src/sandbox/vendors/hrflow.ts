/**
 * HrFlow.ai API v1 emulator, mounted at `/v1`.
 *
 * - GET /v1/profile/indexing?source_key=…&key=… (or reference= / email=)
 * - GET /v1/auth (Try your API keys: the team of the key; Test connection uses it)
 * - GET /v1/storing/profiles?source_keys=["…"]&page=1&limit=30&sort_by=created_at|updated_at&order_by=asc|desc
 *   &created_at_min=YYYY-MM-DD&created_at_max=YYYY-MM-DD&return_profile=true: paged, sorted, filtered on
 *   created_at by whole UTC days (as HrFlow's filters count: `2024-03-05` keeps the whole day).
 * - POST /__admin/hrflow/profiles `{count, created_at?, step_seconds?, source_key?, prefix?}`: adds `count`
 *   small generated profiles (created_at from `created_at`, each `step_seconds` after the previous);
 *   POST /__admin/hrflow/touch `{source_key?, keys: [...], updated_at?}`: sets their updated_at.
 * - PUT /v1/profile/indexing `{source_key, key | reference, <fields>}` (the write-back): the body is checked
 *   against `ProfileUpdate` of the spec, each field given replaces the stored one (a later GET shows it), and
 *   the request is logged in `state.hrflow.updates`. sandbox.reset() undoes the updates.
 * Every answer is the HrFlow envelope `{code, message, data?, meta?}` with the HTTP status repeated in `code`.
 */

import type { RequestContext, SandboxCore, VendorModule } from '../server';
import { SANDBOX_PROFILE_ALIASES, SANDBOX_SOURCE_KEY, type ProfileStore } from '../profiles';
import { describeError } from '../spec';
import type { VendorState } from '../state';

/** One accepted PUT /v1/profile/indexing, as the sandbox logs it. */
export interface HrflowUpdate {
  /** The stored keys the update was applied to (aliases resolved). */
  source_key: string;
  key: string;
  /** The profile fields the body replaced (`metadatas`, `tags`...). */
  fields: string[];
  /** The request body exactly as received (parsed JSON). */
  body: unknown;
  receivedAt: string;
  path: string;
}

/** One GET /v1/storing/profiles, as the sandbox logs it (a test compares it with what reached an ATS meanwhile). */
export interface HrflowListing {
  page: number;
  limit: number;
  sort_by: string;
  /** ISO date-time the request was handled (the sandbox's clock, as the ATS emulators stamp candidates). */
  receivedAt: string;
}

/** `state.hrflow`: the common counters plus the logs of profile updates and listings. */
export type HrflowState = VendorState & { updates: HrflowUpdate[]; listings: HrflowListing[] };

/** Keep memory bounded in long benchmarks. */
export const MAX_HRFLOW_UPDATES = 5000;
export const MAX_HRFLOW_LISTINGS = 5000;

export const HRFLOW_CONTENT_TYPE = 'application/json; charset=utf-8';

export function createHrflow(core: SandboxCore, profiles: ProfileStore): VendorModule {
  const env = (code: number, message: string, extra: Record<string, unknown> = {}) => ({ code, message, ...extra });

  function authorized(ctx: RequestContext): boolean {
    const key = ctx.header('x-api-key');
    const user = ctx.header('x-user-email');
    if (!key || key !== core.credentials.hrflowApiKey) {
      // Never echo the key, not even partly.
      ctx.sendJson(401, env(401, 'Unauthorized. Invalid secret key: …(redacted)'), {
        reason: key ? 'invalid X-API-KEY' : 'missing X-API-KEY',
      });
      return false;
    }
    if (!user || user.toLowerCase() !== core.credentials.hrflowUser.toLowerCase()) {
      ctx.sendJson(401, env(401, 'Unauthorized. Invalid user email: …(redacted)'), {
        reason: user ? 'invalid X-USER-EMAIL' : 'missing X-USER-EMAIL',
      });
      return false;
    }
    return true;
  }

  function getProfile(ctx: RequestContext): void {
    const q = ctx.url.searchParams;
    const sourceKey = q.get('source_key');
    const key = q.get('key');
    const reference = q.get('reference');
    const email = q.get('email');
    if (!sourceKey) return ctx.sendJson(400, env(400, 'Invalid parameters. source_key is required'));
    if (!key && !reference && !email) {
      return ctx.sendJson(400, env(400, 'Invalid parameters. One of key, reference or email is required'));
    }
    if (!profiles.hasSource(sourceKey)) return ctx.sendJson(400, env(400, 'Invalid parameters. Unable to find object: source'));
    const profile = profiles.find(sourceKey, { key, reference, email });
    if (!profile) return ctx.sendJson(400, env(400, 'Invalid parameters. Unable to find object: profile'));
    ctx.sendJson(200, env(200, 'Profile successfully fetched', { data: profile }));
  }

  const state = (): HrflowState => {
    const st = core.vendorState('hrflow') as HrflowState;
    if (!Array.isArray(st.updates)) st.updates = [];
    if (!Array.isArray(st.listings)) st.listings = [];
    return st;
  };

  /** The body with the sandbox aliases (`sandbox`, `sample-full`...) replaced by the keys they stand for. */
  function unalias(body: Record<string, unknown>): Record<string, unknown> {
    const out = { ...body };
    if (typeof out.source_key === 'string') out.source_key = profiles.source(out.source_key);
    if (typeof out.key === 'string' && Object.hasOwn(SANDBOX_PROFILE_ALIASES, out.key)) out.key = SANDBOX_PROFILE_ALIASES[out.key];
    return out;
  }

  async function updateProfile(ctx: RequestContext): Promise<void> {
    const parsed = await ctx.json();
    if (!parsed.ok) return ctx.sendJson(400, env(400, `Invalid parameters. The body is not JSON: ${parsed.error}`));
    const raw = parsed.value;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return ctx.sendJson(400, env(400, 'Invalid parameters. The body must be a profile object'));
    const body = unalias(raw as Record<string, unknown>);
    const v = core.specs.validate('hrflow', 'ProfileUpdate', body);
    if (!v.valid) {
      const errors = v.errors.slice(0, 10).map(describeError);
      return ctx.sendJson(400, env(400, `Invalid parameters. ${errors.join('; ')}`, { errors }));
    }
    const sourceKey = String(body.source_key);
    if (!profiles.hasSource(sourceKey)) return ctx.sendJson(400, env(400, 'Invalid parameters. Unable to find object: source'));
    const ref = profiles.resolve(sourceKey, { key: body.key as string | undefined, reference: body.reference as string | undefined });
    if (!ref) return ctx.sendJson(400, env(400, 'Invalid parameters. Unable to find object: profile'));
    const { source_key: _s, key: _k, reference: _r, ...fields } = body;
    const updated = profiles.update(ref.source_key, ref.key, fields, new Date(core.options.now()));
    const log = state().updates;
    if (log.length >= MAX_HRFLOW_UPDATES) log.shift();
    log.push({ source_key: ref.source_key, key: ref.key, fields: Object.keys(fields), body: raw, receivedAt: new Date().toISOString(), path: ctx.url.pathname });
    ctx.sendJson(200, env(200, 'Profile edited', { data: updated }));
  }

  function listProfiles(ctx: RequestContext): void {
    const q = ctx.url.searchParams;
    const raw = q.get('source_keys');
    let keys: unknown;
    try {
      keys = raw ? JSON.parse(raw) : null;
    } catch {
      keys = null;
    }
    if (!Array.isArray(keys) || !keys.length || !keys.every((k) => typeof k === 'string')) {
      return ctx.sendJson(400, env(400, 'Invalid parameters. source_keys must be a JSON-encoded list of source keys'));
    }
    for (const k of keys as string[]) {
      if (!profiles.hasSource(k)) return ctx.sendJson(400, env(400, 'Invalid parameters. Unable to find object: source'));
    }
    const page = Math.max(1, parseInt(q.get('page') ?? '1', 10) || 1);
    const limit = Math.min(1000, Math.max(1, parseInt(q.get('limit') ?? '30', 10) || 30));
    const order = q.get('order_by') === 'asc' ? 1 : -1;
    const sortBy = q.get('sort_by') ?? 'created_at';
    if (sortBy !== 'created_at' && sortBy !== 'updated_at') return ctx.sendJson(400, env(400, 'Invalid parameters. sort_by must be created_at or updated_at'));
    const day = (name: string, end: boolean): number | undefined | null => {
      const v = q.get(name);
      if (v === null || v === '') return undefined;
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
      if (!m) return null;
      const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      return end ? t + 86_400_000 : t;
    };
    const min = day('created_at_min', false);
    const max = day('created_at_max', true);
    if (min === null || max === null) return ctx.sendJson(400, env(400, 'Invalid parameters. created_at_min and created_at_max are dates YYYY-MM-DD'));
    const listings = state().listings;
    if (listings.length >= MAX_HRFLOW_LISTINGS) listings.shift();
    listings.push({ page, limit, sort_by: sortBy, receivedAt: new Date(core.options.now()).toISOString() });
    const refs = (keys as string[]).flatMap((k) => profiles.refs(profiles.source(k)));
    const at = (v: unknown) => Date.parse(String(v ?? '').replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) || 0;
    const picked = refs
      .map((r) => ({ r, created: at(r.created_at), sort: at(sortBy === 'updated_at' ? r.updated_at : r.created_at) }))
      .filter((x) => (min === undefined || x.created >= min) && (max === undefined || x.created < max))
      .sort((a, b) => order * (a.sort - b.sort) || (a.r.key < b.r.key ? -1 : a.r.key > b.r.key ? 1 : 0));
    const total = picked.length;
    const maxPage = Math.max(1, Math.ceil(total / limit));
    const all = picked.slice((page - 1) * limit, page * limit).map((x) => profiles.find(x.r.source_key, { key: x.r.key }) ?? {});
    const slice = all;
    const full = q.get('return_profile') === 'true';
    const data = full
      ? slice
      : slice.map((p) => ({ key: p.key, reference: p.reference ?? null, created_at: p.created_at, updated_at: p.updated_at, info: p.info }));
    ctx.sendJson(200, env(200, 'List of profiles', { meta: { page, maxPage, count: slice.length, total }, data }));
  }

  async function admin(ctx: RequestContext, p: string): Promise<boolean> {
    const json = (status: number, v: unknown) => ctx.send(status, JSON.stringify(v), 'application/json; charset=utf-8');
    if (ctx.method !== 'POST' || (p !== '/__admin/hrflow/profiles' && p !== '/__admin/hrflow/touch')) return false;
    const parsed = await ctx.json();
    const b = parsed.ok && parsed.value && typeof parsed.value === 'object' ? (parsed.value as Record<string, unknown>) : null;
    if (!b) {
      json(400, { error: 'body must be a JSON object' });
      return true;
    }
    const source = profiles.source(typeof b.source_key === 'string' && b.source_key ? b.source_key : SANDBOX_SOURCE_KEY);
    if (p === '/__admin/hrflow/profiles') {
      const count = Number(b.count);
      const start = b.created_at === undefined ? core.options.now() : Date.parse(String(b.created_at));
      const step = b.step_seconds === undefined ? 60 : Number(b.step_seconds);
      if (!Number.isInteger(count) || count < 1 || count > 200_000 || !Number.isFinite(start) || !Number.isFinite(step)) {
        json(400, { error: 'body: {count: 1..200000, created_at?: ISO date, step_seconds?: number, source_key?, prefix?}' });
        return true;
      }
      const keys = profiles.addMany(source, count, { start, stepMs: step * 1000, prefix: typeof b.prefix === 'string' ? b.prefix : undefined });
      json(200, { ok: true, source_key: source, count: keys.length, first: keys[0], last: keys[keys.length - 1] });
      return true;
    }
    const when = b.updated_at === undefined ? core.options.now() : Date.parse(String(b.updated_at));
    if (!Array.isArray(b.keys) || !Number.isFinite(when)) {
      json(400, { error: 'body: {keys: [profile keys], updated_at?: ISO date, source_key?}' });
      return true;
    }
    let touched = 0;
    for (const k of b.keys) if (typeof k === 'string' && profiles.touch(source, k, new Date(when))) touched++;
    json(200, { ok: true, touched });
    return true;
  }

  return {
    id: 'hrflow',
    admin,
    title: 'HrFlow.ai',
    prefix: '/v1',
    baseUrl: () => `${core.url}/v1`,
    jsonContentType: HRFLOW_CONTENT_TYPE,
    errorBody: (status, message) => env(status, message),
    handle(ctx) {
      if (!authorized(ctx)) return;
      const p = ctx.path.replace(/\/+$/, '') || '/';
      const get = ctx.method === 'GET' || ctx.method === 'HEAD';
      if (p === '/profile/indexing' && get) return getProfile(ctx);
      if (p === '/profile/indexing' && ctx.method === 'PUT') return updateProfile(ctx);
      if (p === '/auth' && get) return ctx.sendJson(200, env(200, 'API Key is valid', { data: { team_name: 'Sandbox team', team_subdomain: 'sandbox' } }));
      if (p === '/storing/profiles' && get) return listProfiles(ctx);
      ctx.sendJson(404, env(404, `Not found: ${ctx.method} /v1${p} is not emulated`));
    },
    reset() {
      state().updates.length = 0;
      state().listings.length = 0;
      profiles.restoreEdits();
    },
    page() {
      const refs = profiles.keys();
      const updates = state().updates;
      const last = updates[updates.length - 1];
      return {
        lines: [
          `${refs.length} profiles. Fetch one: GET ${core.url}/v1/profile/indexing?source_key=<source>&key=<key> with X-API-KEY / X-USER-EMAIL.`,
          `${updates.length} profile updates (PUT /v1/profile/indexing, the write-back)${last ? `; last: ${last.key} (${last.fields.join(', ')})` : ''}. Reset undoes them.`,
        ],
        table: {
          title: 'Profiles',
          columns: ['source_key', 'key', 'name', 'email', 'attachments'],
          rows: refs.slice(0, 50).map((r) => {
            const p = profiles.find(r.source_key, { key: r.key }) ?? {};
            const atts = Array.isArray(p.attachments) ? p.attachments : [];
            return [
              r.source_key,
              r.key,
              String(p.info?.full_name ?? ''),
              String(p.info?.email ?? '—'),
              atts.length
                ? { text: atts.map((a: any) => `${a.type}${a.extension ?? ''}`).join(', '), href: String(atts[0].public_url ?? '#') }
                : 'none',
            ];
          }),
        },
      };
    },
  };
}
