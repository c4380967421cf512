/**
 * Broadbean / Veritone Hire Candidate Hub "Sending a Candidate In" emulator, mounted at `/broadbean`
 * (clients use `${sandbox}/broadbean` where they would use `https://candidatehub.adcourier.com`).
 *
 * - POST /candidate: JSON validated against `SendCandidateRequest` → 200 `{success: 1, transaction_id}`
 * Auth: `X-CHUB-SIGNATURE-TIME` (epoch seconds, ±5 minutes), `X-CHUB-SOURCE` (source id), `X-CHUB-SIGNATURE`
 * = lowercase hex HMAC-SHA256(secret, "{source_id}|{epoch}") → 401 `{success: 0, error}` otherwise; the
 * rejection reason names the known client mistakes (no `|`, `X-X-CHUB-SIGNATURE-TIME`).
 * Extra checks: `transaction.source_id` = the header source, `client_id` known, documents are base64 of real
 * PDF/DOCX bytes with a file extension (stored as attachments). Placeholder values ("Undefined", "Udefined",
 * "Undefiend"…) and a CV not typed `cv` are accepted, as Broadbean would, but listed in `warnings` on the
 * stored candidate. Broadbean returns no candidate id: the transaction id is the handle (and the stored id).
 */

import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { RequestContext, SandboxCore, VendorModule } from '../server';
import { matchRoute } from '../server';
import { errorPath } from '../spec';
import { extensionOf, isDocx, isPdf, sniffContentType } from '../documents';
import type { StoredCandidate } from '../state';

export const BROADBEAN_CONTENT_TYPE = 'application/json';
/** Signatures are valid this many seconds either side of the server clock. */
export const BROADBEAN_SIGNATURE_WINDOW_S = 300;
/** Candidate values hrflow-connectors sends when a field is unknown (typos included). */
export const BROADBEAN_PLACEHOLDERS = new Set(['undefined', 'udefined', 'undefiend', 'n/a', 'null']);

/** Lowercase hex HMAC-SHA256 keyed by `secret` over `"{sourceId}|{epoch}"` (Broadbean's recipe). */
export function broadbeanSignature(secret: string, sourceId: string, epoch: number | string): string {
  return createHmac('sha256', secret).update(`${sourceId}|${epoch}`, 'utf8').digest('hex');
}

/** Strict base64 (standard alphabet, optional padding, whitespace tolerated) → bytes, or null. */
export function decodeBase64Strict(s: unknown): Buffer | null {
  if (typeof s !== 'string') return null;
  const compact = s.replace(/\s+/g, '');
  if (!compact || compact.length % 4 === 1) return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  const buf = Buffer.from(compact, 'base64');
  // Round trip (padding aside) to reject non-canonical input.
  if (buf.toString('base64').replace(/=+$/, '') !== compact.replace(/=+$/, '')) return null;
  return buf;
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createBroadbean(core: SandboxCore): VendorModule {
  const state = () => core.vendorState('broadbean');
  const fail = (ctx: RequestContext, status: number, error: string, reason?: string) =>
    ctx.sendJson(status, { success: 0, error }, reason ? { reason } : {});

  /** Checks the three signature headers. Answers 401 and returns false when they do not verify. */
  function checkSignature(ctx: RequestContext): boolean {
    const time = ctx.header('x-chub-signature-time');
    const source = ctx.header('x-chub-source');
    const signature = ctx.header('x-chub-signature');
    if (time === undefined) {
      const typo = ctx.header('x-x-chub-signature-time') !== undefined;
      fail(
        ctx,
        401,
        'Missing X-CHUB-SIGNATURE-TIME header',
        typo ? 'header X-X-CHUB-SIGNATURE-TIME (typo) sent instead of X-CHUB-SIGNATURE-TIME' : 'missing X-CHUB-SIGNATURE-TIME',
      );
      return false;
    }
    if (source === undefined) {
      fail(ctx, 401, 'Missing X-CHUB-SOURCE header', 'missing X-CHUB-SOURCE');
      return false;
    }
    if (signature === undefined) {
      fail(ctx, 401, 'Missing X-CHUB-SIGNATURE header', 'missing X-CHUB-SIGNATURE');
      return false;
    }
    const { broadbeanSecret: secret, broadbeanSourceId: knownSource } = core.credentials;
    if (source !== knownSource) {
      fail(ctx, 401, 'Unknown source', `unknown X-CHUB-SOURCE "${source}"`);
      return false;
    }
    if (!/^[0-9]{9,11}$/.test(time.trim())) {
      fail(ctx, 401, 'Invalid signature time', `X-CHUB-SIGNATURE-TIME "${time}" is not epoch seconds`);
      return false;
    }
    const epoch = Number(time.trim());
    const now = Math.floor(core.options.now() / 1000);
    if (Math.abs(now - epoch) > BROADBEAN_SIGNATURE_WINDOW_S) {
      fail(ctx, 401, 'Signature expired', `signature time ${epoch} is ${now - epoch}s from the server clock (±${BROADBEAN_SIGNATURE_WINDOW_S}s allowed)`);
      return false;
    }
    const given = signature.trim();
    const expected = broadbeanSignature(secret, source, time.trim());
    if (safeEqualHex(given, expected)) return true;
    let reason = 'signature mismatch';
    const noPipe = createHmac('sha256', secret).update(`${source}${time.trim()}`, 'utf8').digest('hex');
    if (given.toLowerCase() === noPipe) reason = 'signature computed over source_id + epoch without the "|" separator';
    else if (given.toLowerCase() === expected) reason = 'signature must be lowercase hex';
    else if (!/^[0-9a-f]{64}$/.test(given)) reason = 'signature is not 64 lowercase hex characters';
    fail(ctx, 401, 'Invalid signature', reason);
    return false;
  }

  /** Candidate string values that look like placeholders ("Undefined"…), as `candidate.<field>` paths. */
  function placeholderWarnings(candidate: Record<string, unknown>): string[] {
    const out: string[] = [];
    for (const [k, v] of Object.entries(candidate)) {
      if (k === 'documents') continue;
      if (typeof v === 'string' && BROADBEAN_PLACEHOLDERS.has(v.trim().toLowerCase())) {
        out.push(`candidate.${k} is the placeholder "${v}"`);
      }
    }
    return out;
  }

  async function send(ctx: RequestContext): Promise<void> {
    if (!checkSignature(ctx)) return;
    const parsed = await ctx.json();
    if (!parsed.ok) return fail(ctx, 400, `Invalid JSON: ${parsed.error}`);
    const body = parsed.value;
    const v = core.specs.validate('broadbean', 'SendCandidateRequest', body ?? null);
    if (!v.valid) {
      const details = v.errors.map((e) => `${errorPath(e) || '/'} ${e.message ?? 'is invalid'}`);
      return fail(ctx, 400, `Invalid request: ${details.slice(0, 10).join('; ')}`);
    }
    const source = ctx.header('x-chub-source') ?? '';
    if (body.transaction.source_id !== source) {
      return fail(ctx, 400, `transaction.source_id "${body.transaction.source_id}" does not match X-CHUB-SOURCE "${source}"`);
    }
    if (body.transaction.client_id !== core.credentials.broadbeanClientId) {
      return fail(ctx, 400, `Unknown client_id "${body.transaction.client_id}"`);
    }
    const candidate = body.candidate as Record<string, any>;
    const warnings = placeholderWarnings(candidate);
    const docs: any[] = Array.isArray(candidate.documents) ? candidate.documents : [];
    const files: Array<{ doc: any; data: Buffer; pdf: boolean; docx: boolean }> = [];
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i];
      const where = `candidate.documents[${i}]`;
      const ext = extensionOf(doc.filename);
      if (!ext) return fail(ctx, 400, `${where}.filename "${doc.filename}" has no file extension`);
      const data = decodeBase64Strict(doc.content);
      if (!data) return fail(ctx, 400, `${where}.content is not valid base64`);
      if (!data.length) return fail(ctx, 400, `${where}.content is empty`);
      const pdf = isPdf(data);
      const docx = isDocx(data);
      if (!pdf && !docx) return fail(ctx, 400, `${where}.content is not a PDF or DOCX document`);
      if ((ext === 'pdf' && !pdf) || (ext === 'docx' && !docx) || (ext !== 'pdf' && ext !== 'docx')) {
        return fail(ctx, 400, `${where}.filename "${doc.filename}" does not match its content (${pdf ? 'PDF' : 'DOCX'})`);
      }
      files.push({ doc, data, pdf, docx });
    }
    if (files.length && !files.some((f) => f.doc.type === 'cv')) {
      warnings.push(`no document has type "cv" (types sent: ${files.map((f) => JSON.stringify(f.doc.type)).join(', ')})`);
    }

    const transactionId = randomUUID();
    const now = new Date().toISOString();
    const response = { success: 1, transaction_id: transactionId };
    const record: StoredCandidate = {
      id: transactionId,
      body,
      receivedAt: now,
      path: ctx.url.pathname,
      ...(typeof body.context?.id === 'string' ? { jobId: body.context.id } : {}),
      response,
      transactionId,
      clientId: body.transaction.client_id,
      sourceId: body.transaction.source_id,
      warnings,
    };
    state().candidates.push(record);
    files.forEach((f, i) => {
      state().attachments.push({
        id: `${transactionId}-${i}`,
        candidateId: transactionId,
        type: String(f.doc.type),
        fileName: f.doc.filename,
        contentType: sniffContentType(f.data, f.doc.filename),
        size: f.data.length,
        sha256: createHash('sha256').update(f.data).digest('hex'),
        isPdf: f.pdf,
        isDocx: f.docx,
        kind: f.pdf ? 'pdf' : 'docx',
        receivedAt: now,
        source: 'inline',
        ...(record.jobId !== undefined ? { jobId: record.jobId } : {}),
      });
    });
    ctx.sendJson(200, response);
  }

  return {
    id: 'broadbean',
    title: 'Broadbean (Candidate Hub)',
    prefix: '/broadbean',
    baseUrl: () => `${core.url}/broadbean`,
    jsonContentType: BROADBEAN_CONTENT_TYPE,
    errorBody: (_status, message) => ({ success: 0, error: message }),
    async handle(ctx) {
      if (matchRoute('/candidate', ctx.path)) {
        if (ctx.method !== 'POST') return ctx.sendJson(405, { success: 0, error: 'Method not allowed' }, { headers: { Allow: 'POST' } });
        return send(ctx);
      }
      ctx.sendJson(404, { success: 0, error: `No route for ${ctx.method} ${ctx.url.pathname}` });
    },
    page() {
      const c = core.credentials;
      return {
        lines: [
          `POST /candidate. Headers X-CHUB-SIGNATURE-TIME (epoch s, ±${BROADBEAN_SIGNATURE_WINDOW_S}s), X-CHUB-SOURCE "${c.broadbeanSourceId}", ` +
            `X-CHUB-SIGNATURE = hex HMAC-SHA256(secret, "source|epoch"). client_id "${c.broadbeanClientId}". Placeholder values are listed as warnings.`,
        ],
      };
    },
  };
}
