import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { downloadCv, multipartBody } from '../../src/push/files';
import { HttpClient } from '../../src/core/http';
import type { HrflowProfile } from '../../src/hrflow/profile';
import { getBoundary, parseMultipart } from '../../src/sandbox/multipart';

/** Reads a body back with the platform's own multipart parser (undici, as fetch's Response does). */
async function platformParse(data: Buffer, contentType: string): Promise<FormData> {
  return new Response(new Blob([new Uint8Array(data)]), { headers: { 'content-type': contentType } }).formData();
}

describe('multipartBody (CV uploads)', () => {
  // Bytes that look like multipart syntax: CRLF, "--", NUL and a non-UTF-8 byte.
  const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x0d, 0x0a, 0x2d, 0x2d, 0x0d, 0x0a, 0x00, 0xff, 0x2d, 0x2d]);

  it('encodes text fields and a file that a standard parser reads back byte for byte', async () => {
    const { data, contentType } = multipartBody([
      { name: 'attachmentType', value: 'RESUME' },
      { name: 'file', value: bytes, fileName: 'Zoé Durand.pdf', contentType: 'application/pdf' },
    ]);
    assert.match(contentType, /^multipart\/form-data; boundary=----hrflow-[0-9a-f]{32}$/);
    const form = await platformParse(data, contentType);
    assert.equal(form.get('attachmentType'), 'RESUME');
    const file = form.get('file') as File;
    assert.equal(file.name, 'Zoé Durand.pdf');
    assert.equal(file.type, 'application/pdf');
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes);
    const names: string[] = [];
    form.forEach((_value, name) => names.push(name));
    assert.deepEqual(names, ['attachmentType', 'file']);
  });

  it('escapes quotes and line breaks in names so they cannot break the part header', async () => {
    const { data, contentType } = multipartBody([
      { name: 'file', value: bytes, fileName: 'a"b\r\nContent-Type: text/html.pdf', contentType: 'application/pdf' },
    ]);
    const parts = parseMultipart(data, getBoundary(contentType) as string);
    assert.equal(parts.length, 1);
    assert.equal(parts[0].filename, 'a%22b%0D%0AContent-Type: text/html.pdf');
    assert.equal(parts[0].contentType, 'application/pdf');
    assert.deepEqual(parts[0].data, bytes);
  });

  it('uses a new boundary per body and application/octet-stream for a file of unknown type', async () => {
    const a = multipartBody([{ name: 'file', value: bytes, fileName: 'cv.bin' }]);
    const b = multipartBody([{ name: 'file', value: bytes, fileName: 'cv.bin' }]);
    assert.notEqual(a.contentType, b.contentType);
    const file = (await platformParse(a.data, a.contentType)).get('file') as File;
    assert.equal(file.type, 'application/octet-stream');
    assert.equal(a.data.subarray(-2).toString(), '\r\n');
  });
});

describe('downloadCv: the CV\'s real type', () => {
  const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
  let server: http.Server;
  let base = '';
  const served: Record<string, { type: string; body: Buffer }> = {};

  before(async () => {
    server = http.createServer((req, res) => {
      const file = served[req.url ?? ''];
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': file.type }).end(file.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const profileWith = (path: string, fileName: string): HrflowProfile =>
    ({ attachments: [{ type: 'resume', file_name: fileName, original_file_name: fileName, public_url: `${base}${path}` }] }) as unknown as HrflowProfile;
  const files = () => ({ files: new HttpClient({ vendor: 'hrflow-files', retries: 0 }), cv: { retries: 0, allowPrivateAddresses: true } });
  const ALL = ['pdf', 'doc', 'docx', 'odt', 'rtf'] as const;

  it('names a PDF without extension, served as octet-stream, resume.pdf (application/pdf)', async () => {
    served['/files/abc'] = { type: 'application/octet-stream', body: PDF };
    const cv = await downloadCv({ ...files(), profile: profileWith('/files/abc', 'resume') }, ALL);
    assert.equal(cv?.contentType, 'application/pdf');
    assert.equal(cv?.fileName, 'resume.pdf');
    cv?.release();
  });

  it('trusts the bytes over a wrong extension', async () => {
    served['/files/cv.docx'] = { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', body: PDF };
    const cv = await downloadCv({ ...files(), profile: profileWith('/files/cv.docx', 'Camille CV.docx') }, ALL);
    assert.equal(cv?.contentType, 'application/pdf');
    assert.equal(cv?.fileName, 'Camille CV.pdf');
    cv?.release();
  });

  it('refuses bytes it cannot recognise as a document, whatever the name and the server type say', async () => {
    served['/files/notes'] = { type: 'text/plain; charset=utf-8', body: Buffer.from('my CV as text') };
    await assert.rejects(downloadCv({ ...files(), profile: profileWith('/files/notes', 'J. Smith') }, ALL), (err: any) => {
      assert.equal(err.code, 'INVALID_PROFILE');
      assert.equal(err.step, 'download_cv');
      return true;
    });
    served['/files/cv.odt'] = { type: 'application/octet-stream', body: Buffer.from('PK\u0003\u0004 not a docx') };
    await assert.rejects(downloadCv({ ...files(), profile: profileWith('/files/cv.odt', 'cv.odt') }, ALL), /not a document/);
  });
});

describe('HttpClient maxBytes (CV downloads)', () => {
  it('stops an endless download at the limit, as INVALID_PROFILE, without retrying', async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'Content-Type': 'application/pdf' });
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const pump = () => {
        while (res.write(chunk)) {
          /* fill the socket buffer */
        }
      };
      res.on('drain', pump);
      res.on('close', () => res.off('drain', pump));
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cv.pdf`;
    try {
      const started = Date.now();
      const client = new HttpClient({ vendor: 'hrflow-files', retries: 2, retryDelayMs: 1, timeoutMs: 10_000 });
      await assert.rejects(client.request({ method: 'GET', url, responseType: 'buffer', maxBytes: 1024 * 1024, step: 'download_cv' }), (err: any) => {
        assert.equal(err.code, 'INVALID_PROFILE');
        assert.match(err.message, /larger than 1048576 bytes/);
        return true;
      });
      assert.equal(hits, 1, 'not retried');
      assert.ok(Date.now() - started < 5000, 'stopped while streaming, not at the timeout');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
