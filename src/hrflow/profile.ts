/**
 * The HrFlow profile as the API returns it (the `data` of GET /profile/indexing), and the small
 * reading helpers every vendor mapping shares. Every field may be null or missing in real data.
 */

export interface HrflowLocation {
  text?: string | null;
  lat?: number | null;
  lng?: number | null;
  fields?: Record<string, string | null> | null | unknown[];
}

export interface HrflowUrl {
  type?: string | null;
  url?: string | string[] | null;
}

export interface HrflowAttachment {
  type?: string | null;
  file_name?: string | null;
  original_file_name?: string | null;
  extension?: string | null;
  public_url?: string | null;
  file_size?: number | null;
}

export interface HrflowDatedItem {
  title?: string | null;
  description?: string | null;
  location?: HrflowLocation | null;
  date_start?: string | null;
  date_end?: string | null;
  company?: string | null;
  school?: string | null;
}

export interface HrflowProfile {
  key?: string;
  reference?: string | null;
  info?: {
    full_name?: string | null;
    first_name?: string | null;
    last_name?: string | null;
    email?: string | null;
    phone?: string | null;
    location?: HrflowLocation | null;
    urls?: HrflowUrl[] | Record<string, unknown> | null;
    summary?: string | null;
  } | null;
  text_language?: string | null;
  experiences?: HrflowDatedItem[] | null;
  educations?: HrflowDatedItem[] | null;
  attachments?: HrflowAttachment[] | null;
  source?: { key?: string; name?: string | null } | null;
  tags?: Array<{ name?: string; value?: unknown }> | null;
  metadatas?: Array<{ name?: string; value?: unknown }> | null;
  [key: string]: unknown;
}

/** True when the value looks like an HrFlow profile (an object with `info` or `key`). */
export function isProfile(value: unknown): value is HrflowProfile {
  return !!value && typeof value === 'object' && !Array.isArray(value) && ('info' in value || 'key' in value);
}

/** A trimmed non-empty string, or undefined. */
export function text(value: unknown): string | undefined {
  // A number where HrFlow has a string (a phone typed as 33600000001) is still the value.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t ? t : undefined;
}

/** A finite number, or undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Latitude and longitude as a valid pair, else neither (a point off the globe, or half of one, is no location). */
export function coordinates(loc: HrflowLocation | null | undefined): { lat?: number; lng?: number } {
  const lat = num(loc?.lat);
  const lng = num(loc?.lng);
  return lat !== undefined && lng !== undefined && Math.abs(lat) <= 90 && Math.abs(lng) <= 180 ? { lat, lng } : {};
}

/** Location fields as an object, whatever HrFlow sent (null, [], object). */
export function locationFields(loc: HrflowLocation | null | undefined): Record<string, string | null> {
  const f = loc?.fields;
  return f && typeof f === 'object' && !Array.isArray(f) ? (f as Record<string, string | null>) : {};
}

/** HrFlow dates ("2021-09-01T00:00:00", "2021-09-01", "2021-09") as YYYY-MM-DD / YYYY-MM / YYYY, or undefined. */
export function isoDate(value: unknown): string | undefined {
  const t = text(value);
  if (!t) return undefined;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(t);
  if (!m) return undefined;
  return [m[1], m[2], m[3]].filter(Boolean).join('-');
}

/** The profile's urls as a clean list of {type, url} with non-empty string urls (lists flattened). */
export function urls(profile: HrflowProfile): Array<{ type: string; url: string }> {
  const raw = profile.info?.urls;
  const out: Array<{ type: string; url: string }> = [];
  const push = (type: unknown, url: unknown) => {
    const values = Array.isArray(url) ? url : [url];
    for (const v of values) {
      const u = text(v);
      if (u) out.push({ type: typeof type === 'string' ? type : 'other', url: u });
    }
  };
  if (Array.isArray(raw)) for (const entry of raw) push(entry?.type, entry?.url);
  else if (raw && typeof raw === 'object') for (const [type, url] of Object.entries(raw)) push(type, url);
  return out;
}

/** First url of the given type. */
export function urlOfType(profile: HrflowProfile, ...types: string[]): string | undefined {
  const list = urls(profile);
  for (const t of types) {
    const found = list.find((u) => u.type === t);
    if (found) return found.url;
  }
  return undefined;
}

/** The CV to send: the `resume` attachment, else the `original` one, with a usable public URL. */
export function cvAttachment(profile: HrflowProfile): HrflowAttachment | undefined {
  const list = Array.isArray(profile.attachments) ? profile.attachments : [];
  for (const type of ['resume', 'original']) {
    const a = list.find((x) => x && x.type === type && text(x.public_url));
    if (a) return a;
  }
  return undefined;
}

const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.odt': 'application/vnd.oasis.opendocument.text',
  '.rtf': 'application/rtf',
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

/** Extension of an attachment (".pdf"), from its `extension`, file name or URL. */
export function attachmentExtension(a: HrflowAttachment): string {
  const ext = text(a.extension);
  if (ext) return (ext.startsWith('.') ? ext : `.${ext}`).toLowerCase();
  for (const candidate of [a.original_file_name, a.file_name, a.public_url]) {
    const m = /\.([A-Za-z0-9]{2,5})(?:$|[?#])/.exec(text(candidate) ?? '');
    if (m) return `.${m[1].toLowerCase()}`;
  }
  return '';
}

/** A real file name for the CV: the original file name when it has an extension, else `<file_name><ext>`. */
export function attachmentFileName(a: HrflowAttachment): string {
  const ext = attachmentExtension(a);
  const original = text(a.original_file_name);
  if (original && /\.[A-Za-z0-9]{2,5}$/.test(original)) return original;
  const base = original ?? text(a.file_name) ?? (a.type === 'original' ? 'original' : 'resume');
  // A file_name that already ends with the extension ("cv.pdf") keeps it once.
  return ext && base.toLowerCase().endsWith(ext) ? base : `${base}${ext}`;
}

/** The extension of a content type (".pdf"), from the same table; undefined for an unknown type. */
export function extensionFor(contentType: string): string | undefined {
  return Object.keys(CONTENT_TYPES).find((ext) => CONTENT_TYPES[ext] === contentType);
}

export function contentTypeFor(fileName: string, fallback = 'application/octet-stream'): string {
  const m = /\.[A-Za-z0-9]+$/.exec(fileName);
  return (m && CONTENT_TYPES[m[0].toLowerCase()]) || fallback;
}

/** Drop undefined values and empty objects/arrays so no placeholder or null goes to a vendor. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map((v) => compact(v)).filter((v) => v !== undefined && v !== null) as unknown as T;
  }
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const c = compact(v);
      if (c === undefined || c === null) continue;
      if (typeof c === 'object' && !Array.isArray(c) && Object.keys(c as object).length === 0) continue;
      out[k] = c;
    }
    return out as T;
  }
  return value;
}
