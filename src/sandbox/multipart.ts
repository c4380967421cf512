/**
 * A small multipart/form-data parser (RFC 7578) for whole, already-read bodies.
 */

export interface MultipartPart {
  /** Form field name from Content-Disposition. */
  name: string | null;
  /** File name when the part is a file (filename* wins over filename). */
  filename: string | null;
  contentType: string | null;
  headers: Record<string, string>;
  data: Buffer;
}

export class MultipartError extends Error {}

/** Extracts `boundary` from a Content-Type header value, or null when it is not multipart/form-data. */
export function getBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\/form-data\b/i.test(contentType)) return null;
  const params = parseHeaderParams(contentType);
  return params.boundary || null;
}

/** Parses `a/b; x=1; y="q\"s"` parameters (names lower-cased). Supports RFC 5987 `name*=UTF-8''...`. */
export function parseHeaderParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) {
    const name = m[1].toLowerCase();
    let v = m[2].trim();
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name.endsWith('*')) {
      const ext = /^([^']*)'[^']*'(.*)$/.exec(v);
      if (ext) {
        try {
          out[name.slice(0, -1) + '*'] = decodeURIComponent(ext[2]);
        } catch {
          out[name.slice(0, -1) + '*'] = ext[2];
        }
        continue;
      }
    }
    out[name] = v;
  }
  return out;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  if (!boundary || boundary.length > 200) throw new MultipartError('invalid boundary');
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const between = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const parts: MultipartPart[] = [];

  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError('boundary not found');
  pos += delimiter.length;
  for (;;) {
    // After a delimiter: "--" closes the body, otherwise optional whitespace then CRLF.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts;
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw new MultipartError('malformed delimiter line');
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos, 'latin1');
    let headersText: string;
    let dataStart: number;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) {
      headersText = ''; // part without headers
      dataStart = pos + 2;
    } else {
      if (headerEnd < 0) throw new MultipartError('unterminated part headers');
      headersText = body.subarray(pos, headerEnd).toString('utf8');
      dataStart = headerEnd + 4;
    }
    const next = body.indexOf(between, dataStart);
    if (next < 0) throw new MultipartError('missing closing boundary');
    const headers: Record<string, string> = {};
    for (const line of headersText.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const disp = headers['content-disposition'] ?? '';
    const params = parseHeaderParams(disp);
    const filename = params['filename*'] ?? (params.filename !== undefined ? params.filename : null);
    parts.push({
      name: params.name ?? null,
      filename,
      contentType: headers['content-type'] ?? null,
      headers,
      data: body.subarray(dataStart, next),
    });
    pos = next + between.length;
  }
}
