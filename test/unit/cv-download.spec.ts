/**
 * CV downloads (issue 10, defects 3, 9, 10): URL schemes, address classes and allowed hosts checked
 * before connecting (redirect hops included), answers of the CV host, document sniffing, the memory
 * budget and the base64-in-JSON body.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { HttpClient } from '../../src/core/http';
import type { HrflowProfile } from '../../src/hrflow/profile';
import {
  CvBudget,
  checkCvUrl,
  cvBudget,
  downloadCv,
  jsonWithBase64,
  proxyFor,
  refusedAddressClass,
  sniffDocument,
  type CvDownloadOptions,
  type CvKind,
} from '../../src/push/files';
import { isPdf, makeDocx, makePdf } from '../../src/sandbox/documents';
import { largePdf } from '../../src/sandbox/vendors/files';

const PDF = makePdf(['Curriculum vitae']);
const ALL: CvKind[] = ['pdf', 'doc', 'docx', 'odt', 'rtf'];

describe('checkCvUrl: only http(s) without credentials', () => {
  for (const bad of ['file:///etc/passwd', 'ftp://files.example.com/cv.pdf', 'data:application/pdf;base64,JVBERi0=', 'javascript:alert(1)', '/files/cv.pdf', 'cv.pdf', 'https://user:pw@cv.example.com/cv.pdf', 'https://user@cv.example.com/cv.pdf', 'http://', '%%%', '']) {
    it(`refuses ${JSON.stringify(bad)} as INVALID_PROFILE naming the attachment`, () => {
      assert.throws(() => checkCvUrl(bad, "the resume attachment's public_url"), (err: any) => {
        assert.equal(err.code, 'INVALID_PROFILE');
        assert.match(err.message, /^the resume attachment's public_url /);
        return true;
      });
    });
  }
  it('refuses a value that is not a string', () => {
    assert.throws(() => checkCvUrl({ href: 'https://x' }, 'resume'), /is not a string/);
  });
  it('takes http and https URLs', () => {
    assert.equal(checkCvUrl(' https://cv.example.com/a b.pdf?sig=1 ', 'x'), 'https://cv.example.com/a%20b.pdf?sig=1');
    assert.equal(checkCvUrl('http://203.0.113.7:8080/cv', 'x'), 'http://203.0.113.7:8080/cv');
  });
});

describe('refusedAddressClass', () => {
  const refused = ['127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fc00::1', 'fd12::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:10.0.0.1'];
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address they embed; site-local, local-use NAT64, special IPv4.
  refused.push('64:ff9b::7f00:1', '64:ff9b::169.254.169.254', '64:ff9b::a00:1', '2002:7f00:1::', '2002:a9fe:a9fe::1', '::ffff:0:7f00:1', 'fec0::1', '64:ff9b:1::1', '192.0.0.1', '198.18.0.1');
  const allowed = ['203.0.113.7', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2001:db8::1', '::ffff:8.8.8.8', 'files.example.com', '64:ff9b::808:808', '2002:808:808::1', '2606:4700::1111'];
  for (const a of refused) it(`refuses ${a}`, () => assert.ok(refusedAddressClass(a)));
  for (const a of allowed) it(`allows ${a}`, () => assert.equal(refusedAddressClass(a), undefined));
  it('names the class', () => {
    assert.match(refusedAddressClass('169.254.169.254') as string, /link-local/);
    assert.match(refusedAddressClass('::ffff:127.0.0.1') as string, /loopback/);
  });
});

describe('sniffDocument', () => {
  it('reads PDF, DOCX, ODT, DOC and RTF from the bytes, and nothing else', () => {
    assert.equal(sniffDocument(PDF)?.kind, 'pdf');
    assert.equal(sniffDocument(makeDocx(['x']))?.kind, 'docx');
    const odt = Buffer.alloc(120);
    odt.writeUInt32BE(0x504b0304, 0);
    odt.write('mimetypeapplication/vnd.oasis.opendocument.text', 30, 'latin1');
    assert.equal(sniffDocument(odt)?.kind, 'odt');
    const doc = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(100), Buffer.from('WordDocument', 'utf16le')]);
    assert.equal(sniffDocument(doc)?.kind, 'doc');
    assert.equal(sniffDocument(Buffer.from('{\\rtf1\\ansi CV}'))?.kind, 'rtf');
    assert.equal(sniffDocument(Buffer.from('<!doctype html><html>')), undefined);
    assert.equal(sniffDocument(Buffer.from('PK\u0003\u0004 a zip of something')), undefined);
    assert.equal(sniffDocument(Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(100)])), undefined, 'an OLE file without a Word stream');
    assert.equal(sniffDocument(Buffer.from([0x89, 0x50, 0x4e, 0x47])), undefined);
  });
});

describe('downloadCv against a CV host', () => {
  let server: http.Server;
  let base = '';
  const hits: Record<string, number> = {};
  type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
  const routes: Record<string, Handler> = {
    '/cv.pdf': (_q, r) => void r.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': PDF.length }).end(PDF),
    '/chunked.pdf': (_q, r) => {
      r.writeHead(200, { 'Content-Type': 'application/pdf' });
      r.write(PDF.subarray(0, 10));
      r.end(PDF.subarray(10));
    },
    '/page': (_q, r) => void r.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>Sign in</body></html>'.padEnd(5000, ' ')),
    '/octet': (_q, r) => void r.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(Buffer.alloc(3000, 7)),
    '/missing': (_q, r) => void r.writeHead(404).end('no such file'),
    '/down': (_q, r) => void r.writeHead(503).end('down'),
    '/loop': (_q, r) => void r.writeHead(302, { Location: '/loop' }).end(),
    '/to-file': (_q, r) => void r.writeHead(302, { Location: 'file:///etc/passwd' }).end(),
    '/to-localhost': (_q, r) => void r.writeHead(302, { Location: `http://localhost:${(server.address() as AddressInfo).port}/cv.pdf` }).end(),
    '/to-cv': (_q, r) => void r.writeHead(301, { Location: '/cv.pdf' }).end(),
    '/empty': (_q, r) => void r.writeHead(200, { 'Content-Type': 'application/pdf' }).end(),
    // Announces fewer bytes than the file has: the client reads a cut PDF.
    '/short-length': (_q, r) => void r.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': 200 }).end(PDF),
    // No length, closed early: the end of the body is the end of the connection.
    '/closed-early': (_q, r) => {
      r.writeHead(200, { 'Content-Type': 'application/pdf', Connection: 'close' });
      r.end(PDF.subarray(0, PDF.length - 40));
    },
    '/gzip.pdf': (_q, r) => void r.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Encoding': 'gzip' }).end(zlib.gzipSync(PDF)),
    '/br.pdf': (_q, r) => void r.writeHead(200, { 'Content-Encoding': 'br' }).end(zlib.brotliCompressSync(PDF)),
    // 24 MiB of "PDF" in about 24 KiB: the cap counts the decompressed bytes.
    '/bomb.pdf': (_q, r) => {
      const big = Buffer.alloc(24 * 1024 * 1024);
      big.write('%PDF-1.4\n');
      r.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Encoding': 'gzip' }).end(zlib.gzipSync(big, { level: 1 }));
    },
    '/bad-gzip.pdf': (_q, r) => void r.writeHead(200, { 'Content-Encoding': 'gzip' }).end(Buffer.concat([PDF, PDF])),
    '/compress.pdf': (_q, r) => void r.writeHead(200, { 'Content-Encoding': 'compress' }).end(PDF),
    '/cut.docx': (_q, r) => {
      const docx = makeDocx(['x']);
      r.writeHead(200).end(docx.subarray(0, docx.length - 30));
    },
  };

  before(async () => {
    server = http.createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      hits[path] = (hits[path] ?? 0) + 1;
      (routes[path] ?? ((_q, r) => void r.writeHead(404).end()))(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    for (const k of Object.keys(hits)) delete hits[k];
  });

  const profile = (url: string): HrflowProfile => ({ attachments: [{ type: 'resume', file_name: 'cv', public_url: url }] }) as unknown as HrflowProfile;
  const get = (path: string, cv: CvDownloadOptions = { allowPrivateAddresses: true }, accepts = ALL, url = `${base}${path}`) =>
    downloadCv({ files: new HttpClient({ vendor: 'hrflow-files' }), profile: profile(url), cv: { retries: 2, retryDelayMs: 1, ...cv } }, accepts, 'TestVendor');
  const invalid = (pattern: RegExp) => (err: any) => {
    assert.equal(err.code, 'INVALID_PROFILE', err.message);
    assert.equal(err.step, 'download_cv');
    assert.match(err.message, pattern);
    return true;
  };

  it('downloads a PDF (known length or chunked) and names it by its type', async () => {
    for (const path of ['/cv.pdf', '/chunked.pdf', '/to-cv']) {
      const cv = await get(path);
      assert.ok(cv);
      assert.deepEqual(cv.data, PDF);
      assert.equal(cv.fileName, 'cv.pdf');
      assert.equal(cv.kind, 'pdf');
      cv.release();
    }
    assert.equal(cvBudget.heldBytes, 0, 'every lease given back');
  });

  it('refuses a loopback host by default, before connecting (IP literal)', async () => {
    await assert.rejects(get('/cv.pdf', {}), invalid(/127\.0\.0\.1 is a loopback address, refused by default: set hrflowCvDownload\.allowPrivateAddresses/));
    assert.equal(hits['/cv.pdf'], undefined, 'no connection made');
  });

  it('refuses a name that resolves to loopback, before connecting (DNS lookup)', async () => {
    const port = (server.address() as AddressInfo).port;
    await assert.rejects(get('/cv.pdf', {}, ALL, `http://localhost:${port}/cv.pdf`), invalid(/localhost resolves to .*loopback/));
    assert.equal(hits['/cv.pdf'], undefined, 'no connection made');
  });

  it('reads a fully qualified host (trailing dot) as the host, in the URL and in allowedHosts', async () => {
    const cv = await get('/cv.pdf', { allowedHosts: ['127.0.0.1.'] });
    cv?.release();
    // Whatever the network says of this name, it is not refused as a host left out of the list.
    const err = await get('/cv', { allowedHosts: ['CV.example.com'], retries: 0, timeoutMs: 2000 }, ALL, 'http://cv.example.com./cv').then(
      (got) => (got?.release(), undefined),
      (e: Error) => e,
    );
    assert.doesNotMatch(err?.message ?? '', /not an allowed host/);
  });

  it('allows a host listed in allowedHosts, and refuses the others', async () => {
    const cv = await get('/cv.pdf', { allowedHosts: ['127.0.0.1'] });
    cv?.release();
    await assert.rejects(get('/cv.pdf', { allowedHosts: ['files.example.com', '*.example.org'], allowPrivateAddresses: true }), invalid(/127\.0\.0\.1 is not an allowed host.*hrflowCvDownload\.allowedHosts/));
  });

  it('still checks the address of a listed host name after DNS (only a listed IP literal is trusted as it stands)', async () => {
    const port = (server.address() as AddressInfo).port;
    await assert.rejects(get('/cv.pdf', { allowedHosts: ['localhost'] }, ALL, `http://localhost:${port}/cv.pdf`), invalid(/localhost resolves to .*loopback/));
    assert.equal(hits['/cv.pdf'], undefined);
    const cv = await get('/cv.pdf', { allowedHosts: ['localhost'], allowPrivateAddresses: true }, ALL, `http://localhost:${port}/cv.pdf`);
    cv?.release();
  });

  it('checks every redirect hop: a redirect to a refused host is refused before connecting', async () => {
    await assert.rejects(get('/to-localhost', { allowedHosts: ['127.0.0.1'] }), invalid(/localhost is not an allowed host/));
    assert.equal(hits['/cv.pdf'], undefined);
  });

  it('a redirect to another scheme, or a redirect loop, is INVALID_PROFILE, not retried', async () => {
    await assert.rejects(get('/to-file'), invalid(/redirects to the file scheme/));
    assert.equal(hits['/to-file'], 1);
    await assert.rejects(get('/loop'), invalid(/redirects more than 5 times/));
    assert.equal(hits['/loop'], 6, 'one attempt: the first request and 5 redirects');
  });

  it('a 404 from the CV host is INVALID_PROFILE (not the vendor\'s NOT_FOUND), not retried', async () => {
    await assert.rejects(get('/missing'), (err: any) => {
      assert.equal(err.code, 'INVALID_PROFILE');
      assert.equal(err.statusCode, 404);
      assert.match(err.message, /the CV at http:\/\/127\.0\.0\.1:\d+\/missing answered 404/);
      return true;
    });
    assert.equal(hits['/missing'], 1);
  });

  it('a 503 from the CV host is retried, then VENDOR_UNAVAILABLE at step download_cv', async () => {
    await assert.rejects(get('/down'), (err: any) => {
      assert.equal(err.code, 'VENDOR_UNAVAILABLE');
      assert.equal(err.step, 'download_cv');
      return true;
    });
    assert.equal(hits['/down'], 3);
  });

  it('an HTML page, octet-stream bytes that are no document, or an empty body are INVALID_PROFILE', async () => {
    await assert.rejects(get('/page'), invalid(/not a document \(text\/html/));
    await assert.rejects(get('/octet'), invalid(/not a document \(application\/octet-stream/));
    await assert.rejects(get('/empty'), invalid(/is empty/));
    assert.equal(cvBudget.heldBytes, 0);
  });

  it('a cut document (fewer bytes announced than sent, a body closed early, a ZIP without its directory) is INVALID_PROFILE', async () => {
    for (const path of ['/short-length', '/closed-early', '/cut.docx']) {
      // A CV wrongly accepted gives its budget share back, so that a failure here fails only this test.
      await assert.rejects(get(path).then((cv) => cv?.release()), invalid(/is incomplete/), path);
    }
    assert.equal(cvBudget.heldBytes, 0);
  });

  it('reads a body the server compressed unasked; the size cap counts decompressed bytes (gzip bomb); a bad or unknown encoding is INVALID_PROFILE', async () => {
    for (const path of ['/gzip.pdf', '/br.pdf']) {
      const cv = await get(path);
      cv?.release();
      assert.deepEqual(cv?.data, PDF, path);
    }
    await assert.rejects(get('/bomb.pdf').then((cv) => cv?.release()), invalid(/larger than 20971520 bytes/));
    await assert.rejects(get('/bad-gzip.pdf').then((cv) => cv?.release()), invalid(/not valid gzip data/));
    await assert.rejects(get('/compress.pdf').then((cv) => cv?.release()), invalid(/Content-Encoding "compress"/));
    assert.equal(hits['/bomb.pdf'], 1, 'not retried');
    assert.equal(cvBudget.heldBytes, 0);
  });

  it('names the file once when the attachment file_name already has the extension', async () => {
    const p = { attachments: [{ type: 'resume', file_name: 'cv.PDF', public_url: `${base}/cv.pdf` }] } as unknown as HrflowProfile;
    const cv = await downloadCv({ files: new HttpClient({ vendor: 'hrflow-files' }), profile: p, cv: { allowPrivateAddresses: true } }, ALL);
    cv?.release();
    assert.equal(cv?.fileName, 'cv.PDF');
  });

  it('a document the vendor does not take is INVALID_PROFILE naming what it takes', async () => {
    await assert.rejects(get('/cv.pdf', { allowPrivateAddresses: true }, ['docx']), invalid(/is a PDF file; TestVendor accepts DOCX only/));
  });

  it('a URL of another scheme is refused before anything', async () => {
    await assert.rejects(get('', {}, ALL, 'file:///etc/passwd'), (err: any) => err.code === 'INVALID_PROFILE' && /public_url uses the file scheme/.test(err.message));
  });

  it('waits for the memory budget and leaves the queue on the stop signal', async () => {
    const small = new CvBudget(1);
    const held = await small.acquire(800 * 1024);
    let second = false;
    const next = small.acquire(800 * 1024).then((lease) => {
      second = true;
      return lease;
    });
    const controller = new AbortController();
    const third = small.acquire(10, controller.signal);
    await new Promise((r) => setImmediate(r));
    assert.equal(second, false, 'over the budget: waits');
    controller.abort(new Error('stopped'));
    await assert.rejects(third, /stopped/);
    assert.equal(small.waiting, 1);
    held.release();
    held.release();
    const lease = await next;
    assert.equal(small.heldBytes, 800 * 1024, 'a double release gives back once');
    lease.shrink(100);
    assert.equal(small.heldBytes, 100);
    lease.release();
    assert.equal(small.heldBytes, 0);
  });

  it('a download waiting for the process budget ends ABORTED on the stop signal, leaving nothing held or queued', async () => {
    const full = await cvBudget.acquire(cvBudget.limitBytes);
    const controller = new AbortController();
    const pending = get('/cv.pdf', { allowPrivateAddresses: true, signal: controller.signal });
    while (cvBudget.waiting === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error('stopped'));
    await assert.rejects(pending, (err: any) => err.code === 'ABORTED' && err.step === 'download_cv');
    assert.equal(cvBudget.waiting, 0);
    full.release();
    assert.equal(cvBudget.heldBytes, 0);
  });

  it('lets a CV larger than the budget through alone', async () => {
    const small = new CvBudget(1);
    const lease = await small.acquire(5 * 1024 * 1024);
    assert.equal(small.heldBytes, 5 * 1024 * 1024);
    lease.release();
  });
});

describe('CV downloads through a proxy (HTTP_PROXY / HTTPS_PROXY / NO_PROXY, as axios for the API calls)', () => {
  it('picks the proxy by scheme and honours no_proxy', () => {
    const env = { https_proxy: 'http://proxy.corp:3128', http_proxy: 'proxy.corp:8080', no_proxy: 'internal.example.com, .corp.example.org, cv.example.net:8443' };
    assert.equal(proxyFor(new URL('https://cv.example.com/a.pdf'), env)?.href, 'http://proxy.corp:3128/');
    assert.equal(proxyFor(new URL('http://cv.example.com/a.pdf'), env)?.href, 'http://proxy.corp:8080/');
    assert.equal(proxyFor(new URL('https://internal.example.com/a.pdf'), env), undefined);
    assert.ok(proxyFor(new URL('https://sub.internal.example.com/a.pdf'), env), 'an entry without a leading dot is that host only');
    assert.equal(proxyFor(new URL('https://files.corp.example.org/a.pdf'), env), undefined);
    assert.equal(proxyFor(new URL('https://cv.example.net:8443/a.pdf'), env), undefined);
    assert.ok(proxyFor(new URL('https://cv.example.net/a.pdf'), env), 'another port goes through the proxy');
    assert.equal(proxyFor(new URL('https://cv.example.com/a.pdf'), { ...env, NO_PROXY: '*', no_proxy: undefined }), undefined);
    assert.equal(proxyFor(new URL('https://cv.example.com/a.pdf'), {}), undefined);
  });

  it('sends an http CV request to the proxy (absolute URL, proxy credentials), with the host rules still applied', async () => {
    const PDF2 = makePdf(['via proxy']);
    const seen: Array<{ url?: string; auth?: string; host?: string }> = [];
    const proxy = http.createServer((req, res) => {
      seen.push({ url: req.url, auth: req.headers['proxy-authorization'], host: req.headers.host });
      res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': PDF2.length }).end(PDF2);
    });
    proxy.on('connect', (_req, socket: import('node:net').Socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const saved = { http_proxy: process.env.http_proxy, https_proxy: process.env.https_proxy, no_proxy: process.env.no_proxy, NO_PROXY: process.env.NO_PROXY };
    const port = (proxy.address() as AddressInfo).port;
    process.env.http_proxy = `http://me:s%40cret@127.0.0.1:${port}`;
    process.env.https_proxy = `http://127.0.0.1:${port}`;
    delete process.env.no_proxy;
    delete process.env.NO_PROXY;
    try {
      const source = (url: string, cv: CvDownloadOptions = {}) => ({
        files: new HttpClient({ vendor: 'hrflow-files' }),
        profile: { attachments: [{ type: 'resume', file_name: 'cv', public_url: url }] } as unknown as HrflowProfile,
        cv: { retries: 0, ...cv },
      });
      const cv = await downloadCv(source('http://cv.example.com/files/cv.pdf?sig=1'), ALL);
      assert.deepEqual(cv?.data, PDF2);
      cv?.release();
      assert.deepEqual(seen, [{ url: 'http://cv.example.com/files/cv.pdf?sig=1', auth: `Basic ${Buffer.from('me:s@cret').toString('base64')}`, host: 'cv.example.com' }]);
      await assert.rejects(downloadCv(source('http://cv.example.com/cv.pdf', { allowedHosts: ['files.example.org'] }), ALL), /not an allowed host/);
      await assert.rejects(downloadCv(source('http://169.254.169.254/latest/meta-data'), ALL), /link-local/);
      assert.equal(seen.length, 1, 'refused hosts never reach the proxy');
      await assert.rejects(downloadCv(source('https://cv.example.com/cv.pdf'), ALL), (err: any) => err.code === 'NETWORK_ERROR' && /403 to CONNECT cv\.example\.com:443/.test(err.message));
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});

describe('sandbox /files/large/<MiB>.pdf (CV memory benchmark)', () => {
  it('is a valid PDF of exactly that many MiB', () => {
    const pdf = largePdf(3);
    assert.equal(pdf.length, 3 * 1024 * 1024);
    assert.ok(isPdf(pdf));
    assert.equal(sniffDocument(pdf)?.kind, 'pdf');
  });
});

describe('jsonWithBase64', () => {
  it('builds the same bytes as JSON.stringify with the base64 string', () => {
    for (const size of [0, 1, 2, 3, 196607, 196608, 196609, 400000]) {
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i++) data[i] = (i * 31) & 255;
      const value = { candidate: { name: 'Zoé "Q"', documents: [{ filename: 'cv.pdf', content: 'MARK' }] }, after: [1, 2] };
      const expected = JSON.stringify({ ...value, candidate: { ...value.candidate, documents: [{ filename: 'cv.pdf', content: data.toString('base64') }] } });
      assert.equal(jsonWithBase64(value, 'MARK', data).toString('utf8'), expected);
    }
  });
});
