/**
 * Push mechanics shared by vendors (above src/core, which is transport only). Download of the profile's CV from its public URL, for vendors that take the file itself
 * (multipart upload or base64).
 */
import { randomBytes } from 'node:crypto';
import { ConnectorError, ErrorCodes } from '../core/errors';
import type { HttpClient } from '../core/http';
import {
  attachmentFileName,
  contentTypeFor,
  extensionFor,
  cvAttachment,
  type HrflowAttachment,
  type HrflowProfile,
} from '../hrflow/profile';

export interface CvFile {
  fileName: string;
  contentType: string;
  data: Buffer;
  attachment: HrflowAttachment;
}

/** Largest CV we download (vendors accept far less). */
export const MAX_CV_BYTES = 20 * 1024 * 1024;

/**
 * Download the profile's `resume` attachment, else its `original` one.
 * Resolves undefined when the profile has no attachment with a public URL.
 */
export async function downloadCv(files: HttpClient, profile: HrflowProfile): Promise<CvFile | undefined> {
  const attachment = cvAttachment(profile);
  if (!attachment) return undefined;
  const res = await files.request<Buffer>({
    method: 'GET',
    url: attachment.public_url as string,
    headers: { Accept: '*/*' },
    responseType: 'buffer',
    step: 'download_cv',
    followRedirects: true,
    maxBytes: MAX_CV_BYTES,
  });
  const data = res.data;
  if (!Buffer.isBuffer(data) || data.length === 0) {
    throw new ConnectorError(ErrorCodes.INVALID_PROFILE, `the CV at the profile's ${attachment.type} attachment is empty`, {
      step: 'download_cv',
      vendor: files.vendor,
    });
  }
  if (data.length > MAX_CV_BYTES) {
    throw new ConnectorError(ErrorCodes.INVALID_PROFILE, `the CV is too large (${data.length} bytes)`, {
      step: 'download_cv',
      vendor: files.vendor,
    });
  }
  const headerType = res.headers['content-type']?.split(';')[0].trim().toLowerCase();
  const named = attachmentFileName(attachment);
  // The bytes say what the file is; then its name; then the server's Content-Type.
  const sniffed = sniffDocument(data);
  const byName = contentTypeFor(named, '');
  const byHeader = headerType && headerType !== 'application/octet-stream' ? headerType : undefined;
  const contentType = sniffed?.contentType || byName || byHeader || 'application/octet-stream';
  // A name without extension, or one that says another type than the bytes: give it the right one.
  const ext = sniffed?.ext ?? (!byName ? extensionFor(contentType) : undefined);
  const fileName = ext && byName !== contentType ? `${byName ? named.replace(/\.[A-Za-z0-9]+$/, '') : named}${ext}` : named;
  return { fileName, contentType, data, attachment };
}

/** PDF, DOCX and legacy Word files by their first bytes (the CV types every vendor takes). */
export function sniffDocument(data: Buffer): { contentType: string; ext: string } | undefined {
  let ext: string | undefined;
  if (data.length >= 5 && data.subarray(0, 5).toString('latin1') === '%PDF-') ext = '.pdf';
  else if (data.length >= 4 && data.readUInt32BE(0) === 0x504b0304 && data.includes('word/document.xml')) ext = '.docx';
  else if (data.length >= 8 && data.readUInt32BE(0) === 0xd0cf11e0 && data.readUInt32BE(4) === 0xa1b11ae1) ext = '.doc';
  return ext ? { contentType: contentTypeFor(ext), ext } : undefined;
}

/** One part of a multipart/form-data body: a text field, or a file when `fileName` is set. */
export interface MultipartPart {
  name: string;
  value: string | Buffer;
  fileName?: string;
  contentType?: string;
}

const CRLF = Buffer.from('\r\n');

/** Field names and file names in a part header: `"`, CR and LF escaped as the HTML form encoding does. */
function headerValue(s: string): string {
  return s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * A multipart/form-data body as one Buffer (RFC 7578). The upload is then a single write of a known
 * length: no stream of small chunks per part as FormData → axios produces, which cost CPU per upload.
 */
export function multipartBody(parts: MultipartPart[]): { data: Buffer; contentType: string } {
  const boundary = `----hrflow-${randomBytes(16).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${headerValue(part.name)}"`;
    if (part.fileName !== undefined) {
      head += `; filename="${headerValue(part.fileName)}"\r\nContent-Type: ${part.contentType || 'application/octet-stream'}`;
    }
    chunks.push(Buffer.from(`${head}\r\n\r\n`), typeof part.value === 'string' ? Buffer.from(part.value) : part.value, CRLF);
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { data: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
