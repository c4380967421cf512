/**
 * Download of the profile's CV from its public URL, for vendors that take the file itself
 * (multipart upload or base64).
 */
import { randomBytes } from 'node:crypto';
import { ConnectorError, ErrorCodes } from './errors';
import type { HttpClient } from './http';
import {
  attachmentFileName,
  contentTypeFor,
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
  const fileName = attachmentFileName(attachment);
  const headerType = res.headers['content-type']?.split(';')[0].trim();
  const byName = contentTypeFor(fileName, '');
  const contentType = byName || (headerType && headerType !== 'application/octet-stream' ? headerType : 'application/octet-stream');
  return { fileName, contentType, data, attachment };
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
