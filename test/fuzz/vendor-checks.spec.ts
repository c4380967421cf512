/**
 * Issue 10, defect 11 (invalid payloads sent): what the fuzz found the emulators refuse and our
 * validation let through, each checked on its own: every such payload is an INVALID_PROFILE naming the
 * field, before sending, and the emulator's own spec check agrees where it is the one refusing.
 */
import assert from 'node:assert/strict';
import { ConnectorError } from '../../src/core/errors';
import { isBase64 } from '../../src/core/validate';
import { validateAgainstSpec } from '../../src/sandbox';
import { broadbean } from '../../src/vendors/broadbean';
import { flatchr } from '../../src/vendors/flatchr';
import { taleez } from '../../src/vendors/taleez';

function refused(validate: (p: unknown) => void, payload: unknown, field: string): void {
  assert.throws(
    () => validate(payload),
    (e: unknown) => e instanceof ConnectorError && e.code === 'INVALID_PROFILE' && (e.fields ?? []).some((f) => f.startsWith(field)),
    `${field} must be refused in ${JSON.stringify(payload).slice(0, 200)}`,
  );
}

const FLATCHR = { vacancy: 'v', firstname: 'A', lastname: 'B', type: 'link', resume: 'https://files.example.com/cv.pdf' };

describe('validation checks what the vendor checks', () => {
  it('validates the JSON that is sent: NaN and Infinity become null', () => {
    const payload = { firstName: 'A', lastName: 'B', location: { lat: NaN, lng: Infinity } };
    refused(taleez.validate, payload, 'location.lat');
    const spec = validateAgainstSpec('taleez', 'candidateToCreate', JSON.parse(JSON.stringify({ firstName: 'A', lastName: 'B' })));
    assert.equal(spec.valid, true);
  });

  it('Taleez: coordinates within their ranges', () => {
    refused(taleez.validate, { firstName: 'A', lastName: 'B', location: { lat: 91, lng: 0 } }, 'location.lat');
    refused(taleez.validate, { firstName: 'A', lastName: 'B', location: { lat: 0, lng: -181 } }, 'location.lng');
    assert.doesNotThrow(() => taleez.validate({ firstName: 'A', lastName: 'B', location: { lat: 45.7, lng: 4.8 } }));
  });

  it('Taleez: each custom property as Taleez checks it', () => {
    const base = { firstName: 'A', lastName: 'B' };
    refused(taleez.validate, { ...base, properties: [{ value: 'x' }] }, 'properties.0.id');
    refused(taleez.validate, { ...base, properties: [{ id: 'x' }] }, 'properties.0.id');
    refused(taleez.validate, { ...base, properties: ['x'] }, 'properties.0');
    refused(taleez.validate, { ...base, properties: [{ id: 1, choices: ['a'] }] }, 'properties.0.choices.0');
    assert.doesNotThrow(() => taleez.validate({ ...base, properties: [{ id: 1, value: 'v' }, { id: 2, choices: [3] }] }));
    assert.equal(validateAgainstSpec('taleez', 'candidatePropertyParameter', { id: 'x' }).valid, false, 'the emulator refuses it too');
  });

  it('Flatchr: a link resume is an absolute http(s) URL', () => {
    for (const resume of ['file:///etc/passwd', 'data:application/pdf;base64,JVBERi0=', '3', '/files/cv.pdf', '//host/cv.pdf', 'http://', 'http://[::1', 'ftp://h/cv.pdf']) {
      refused(flatchr.validate, { ...FLATCHR, resume }, 'resume');
    }
    assert.doesNotThrow(() => flatchr.validate(FLATCHR));
    assert.doesNotThrow(() => flatchr.validate({ ...FLATCHR, resume: 'HTTP://files.example.com/cv.pdf' }));
  });

  it('Flatchr: a document resume carries base64 bytes', () => {
    const doc = (data: string) => ({ ...FLATCHR, type: 'document', resume: { data, fileName: 'cv.pdf', contentType: 'application/pdf' } });
    refused(flatchr.validate, doc('not base64!'), 'resume');
    refused(flatchr.validate, { ...FLATCHR, type: 'document', resume: 'https://files.example.com/cv.pdf' }, 'resume');
    assert.doesNotThrow(() => flatchr.validate(doc(Buffer.from('%PDF-1.4').toString('base64'))));
  });

  it('Broadbean: documents are PDF or DOCX files, named so, their content base64', () => {
    const payload = (filename: string, content: string) => ({ candidate: { name: 'A B', email: 'a@example.com', documents: [{ filename, type: 'cv', content }] } });
    const pdf = Buffer.from('%PDF-1.4').toString('base64');
    refused(broadbean.validate, payload('cv', pdf), 'candidate.documents.0.filename');
    refused(broadbean.validate, payload('cv.txt', pdf), 'candidate.documents.0.filename');
    refused(broadbean.validate, payload('cv.pdf', 'a'), 'candidate.documents.0.content');
    refused(broadbean.validate, payload('cv.pdf', 'QUJD*'), 'candidate.documents.0.content');
    assert.doesNotThrow(() => broadbean.validate(payload('CV.PDF', pdf)));
    assert.doesNotThrow(() => broadbean.validate(payload('cv.docx', pdf)));
  });

  it('base64 as the vendors read it', () => {
    assert.equal(isBase64('QUJD'), true);
    assert.equal(isBase64('QUI'), true, 'unpadded');
    assert.equal(isBase64('QU JD\n'), true, 'whitespace');
    for (const bad of ['', 'Q', 'QUJD*', 'QR==', '====']) assert.equal(isBase64(bad), false, bad);
  });
});
