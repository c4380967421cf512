/**
 * What the emulators that take a CV by URL (Recruitee's remote_cv_url, Flatchr's type "link") do
 * with it: download it like the vendor would, and record what came back.
 */
import { createHash } from 'node:crypto';
import type { SandboxCore } from './server';
import { isDocx, isPdf, sniffContentType } from './documents';
import type { StoredAttachment, StoredCandidate } from './state';

const CV_FETCH_TIMEOUT_MS = 10_000;
const CV_MAX_BYTES = 20 * 1024 * 1024;

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The sandbox only downloads from this machine: a URL is local, external (recorded, not fetched) or invalid. */
export function urlKind(url: string): 'local' | 'external' | 'invalid' {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'invalid';
    return LOCAL_HOSTS.has(u.hostname) ? 'local' : 'external';
  } catch {
    return 'invalid';
  }
}

/** Downloads the CV at `url` into `att` (file name, type, size, hash, PDF/DOCX check) and records it. Never throws. */
export async function fetchRemoteCv(
  core: SandboxCore,
  state: () => { attachments: StoredAttachment[] },
  record: StoredCandidate,
  att: StoredAttachment,
  url: string,
): Promise<void> {
  const ac = new AbortController();
  const onClose = () => ac.abort();
  core.signal.addEventListener('abort', onClose, { once: true });
  const timer = setTimeout(() => ac.abort(), CV_FETCH_TIMEOUT_MS);
  try {
    const res = await fetch(url, { signal: ac.signal, redirect: 'follow' });
    att.fetchStatus = res.status;
    const data = Buffer.from(await res.arrayBuffer());
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    if (data.length > CV_MAX_BYTES) throw new Error('file too large');
    if (!data.length) throw new Error('empty file');
    const disp = res.headers.get('content-disposition') ?? '';
    const fm = /filename="?([^";]+)"?/i.exec(disp);
    att.fileName = fm ? fm[1] : decodeURIComponent(new URL(url).pathname.split('/').pop() || '') || null;
    att.contentType = res.headers.get('content-type')?.split(';')[0].trim() || sniffContentType(data, att.fileName);
    att.size = data.length;
    att.sha256 = createHash('sha256').update(data).digest('hex');
    att.isPdf = isPdf(data);
    att.isDocx = isDocx(data);
    att.fetch = 'ok';
    record.cvFetch = 'ok';
  } catch (e) {
    att.fetch = 'failed';
    att.error = ac.signal.aborted ? (core.closed ? 'sandbox closed' : 'timeout') : (e as Error).message || String(e);
    const cause = (e as any)?.cause;
    if (cause?.code) att.error += ` (${cause.code})`;
    record.cvFetch = 'failed';
  } finally {
    clearTimeout(timer);
    core.signal.removeEventListener('abort', onClose);
  }
  if (!core.closed) state().attachments.push(att);
}
