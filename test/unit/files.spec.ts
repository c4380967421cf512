import assert from 'node:assert/strict';
import { multipartBody } from '../../src/core/files';
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
