// Peak RSS of 60 concurrent gzip-encoded CV downloads (15 MiB PDFs, every sixth a gzip bomb of 200 MiB),
// straight through downloadCv with the default budget. Run: npm run build && node --expose-gc bench/cvgzip.js
const http = require('http'); const zlib = require('zlib');
const D = require('node:path').join(__dirname, '..', 'dist', 'src');
const { HttpClient } = require(D + '/core/http');
const { downloadCv, cvBudget } = require(D + '/push/files');
const { largePdf } = require(D + '/sandbox/vendors/files');
(async () => {
  const gz = zlib.gzipSync(largePdf(15), { level: 1 });
  const bomb = (() => { const b = Buffer.alloc(200 * 1024 * 1024); b.write('%PDF-1.4\n'); return zlib.gzipSync(b, { level: 1 }); })();
  global.gc(); 
  const srv = http.createServer((req, res) => { res.writeHead(200, { 'content-encoding': 'gzip' }); res.end(req.url === '/bomb' ? bomb : gz); });
  await new Promise(r => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${srv.address().port}`;
  global.gc(); const idle = process.memoryUsage().rss; let peak = idle;
  const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  const hold = async (path) => { const cv = await downloadCv({ files: new HttpClient({ vendor: 'x' }), profile: { attachments: [{ type: 'resume', file_name: 'cv', public_url: url + path }] }, cv: { allowPrivateAddresses: true, retries: 0, timeoutMs: 120000 } }, ['pdf']); await new Promise(r => setTimeout(r, 200)); cv.release(); return cv.data.length; };
  const res = await Promise.allSettled([...Array(60)].map((_, i) => hold(i % 6 === 0 ? '/bomb' : '/cv')));
  clearInterval(t);
  const ok = res.filter(r => r.status === 'fulfilled').length; const errs = res.filter(r => r.status === 'rejected').map(r => r.reason.code + ' ' + r.reason.message.slice(0, 60));
  console.log('idle MiB', (idle / 2**20).toFixed(0), 'peak MiB', (peak / 2**20).toFixed(0), 'ok', ok, 'errors', errs.length, errs[0], 'held', cvBudget.heldBytes);
  srv.close(); srv.closeAllConnections();
})();
