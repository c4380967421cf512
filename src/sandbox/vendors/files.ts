/**
 * CV file host (stands in for HrFlow's document bucket), mounted at `/files`.
 *
 * - GET /files/<profile key>/<file_name><extension>: a small, valid PDF or DOCX for that profile's attachment;
 * - GET /files/sample.pdf, /files/sample.docx: fixed samples;
 * - GET /files/large/<MiB>.pdf: a PDF of that many MiB (1 to 24), for memory benchmarks of large CVs;
 * - anything else: 404.
 */

import type { SandboxCore, VendorModule } from '../server';
import type { ProfileStore } from '../profiles';
import { DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE, isDocx, isPdf, makeDocx, makePdf } from '../documents';

export { isPdf, isDocx, makePdf, makeDocx, PDF_CONTENT_TYPE, DOCX_CONTENT_TYPE };

let samples: { pdf: Buffer; docx: Buffer } | null = null;

export function sampleFiles(): { pdf: Buffer; docx: Buffer } {
  if (!samples) {
    const lines = ['Curriculum vitae (synthetic sample)', 'Sample Candidate', 'sample.candidate@example.com'];
    samples = { pdf: makePdf(lines, 'Sample CV'), docx: makeDocx(lines) };
  }
  return samples;
}

const large = new Map<number, Buffer>();

/** A valid PDF padded with a comment to `mib` MiB (cached: a benchmark asks for the same size many times). */
export function largePdf(mib: number): Buffer {
  let pdf = large.get(mib);
  if (!pdf) {
    const head = makePdf(['Curriculum vitae (large synthetic sample)'], 'Large CV');
    const size = Math.max(head.length + 16, Math.round(mib * 1024 * 1024));
    pdf = Buffer.alloc(size, 0x25);
    head.copy(pdf, 0);
    pdf[head.length] = 0x0a;
    pdf.write('\n%%EOF\n', size - 7, 'latin1');
    large.clear();
    large.set(mib, pdf);
  }
  return pdf;
}

export function createFiles(core: SandboxCore, profiles: ProfileStore): VendorModule {
  return {
    id: 'files',
    title: 'CV files',
    prefix: '/files',
    baseUrl: () => `${core.url}/files`,
    jsonContentType: 'application/json; charset=utf-8',
    errorBody: (status, message) => ({ error: message, status }),
    handle(ctx) {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
        return ctx.sendJson(405, { error: 'Method not allowed', status: 405 }, { headers: { Allow: 'GET, HEAD' } });
      }
      const segs = ctx.path.split('/').filter(Boolean);
      let decoded: string[];
      try {
        decoded = segs.map((s) => decodeURIComponent(s));
      } catch {
        return ctx.sendJson(400, { error: 'Bad path', status: 400 });
      }
      let file: { data: Buffer; kind: 'pdf' | 'docx' } | null = null;
      let name = '';
      if (decoded.length === 1 && /^sample\.(pdf|docx)$/.test(decoded[0])) {
        name = decoded[0];
        const kind = name.endsWith('.pdf') ? 'pdf' : 'docx';
        file = { data: sampleFiles()[kind], kind };
      } else if (decoded.length === 2 && decoded[0] === 'large' && /^(?:[1-9]|1\d|2[0-4])\.pdf$/.test(decoded[1])) {
        name = decoded[1];
        file = { data: largePdf(Number(name.slice(0, -4))), kind: 'pdf' };
      } else if (decoded.length === 2) {
        name = decoded[1];
        file = profiles.file(decoded[0], name);
      }
      if (!file) return ctx.sendJson(404, { error: 'File not found', status: 404 }, { reason: `no file at ${ctx.path}` });
      ctx.send(200, file.data, file.kind === 'pdf' ? PDF_CONTENT_TYPE : DOCX_CONTENT_TYPE, {
        headers: {
          'Content-Disposition': `inline; filename="${name.replace(/["\\\r\n]/g, '_')}"`,
          'Cache-Control': 'no-store',
        },
      });
    },
  };
}
