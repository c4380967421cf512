/**
 * Secret redaction. Every text that leaves the HTTP core (error messages, vendor excerpts,
 * log lines) goes through a Redactor holding the secrets of the request's config node, and the
 * values of the secret headers the request sent (signatures computed per attempt included).
 *
 * A secret is masked whatever its length (an empty string is not a secret), in every form a vendor
 * may echo it back: raw, JSON-escaped (once or twice, non-ASCII as-is or as \uXXXX, "/" as "\/"),
 * URL-encoded (encodeURIComponent, form encoding with "+" for spaces, either hex case), HTML-escaped
 * (an error page echoing the request), and, for characters a header cannot carry, as Node sent it.
 */

const MASK = '***';
/** Secret forms shorter than this are masked only where they stand alone (see Redactor.pattern). */
const SHORT = 4;

/**
 * Header names whose values are always secret, whatever the API (HTTP's own authentication and
 * session headers). The core knows no other: the headers an API uses for its own credentials are
 * declared by whoever uses the client (each vendor module's `secretHeaders`) and handed to the HTTP
 * client (`HttpOptions.secretHeaders`).
 */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** Patterns that look like credentials whatever their value. */
const PATTERNS: RegExp[] = [
  /(\bBearer\s+)[A-Za-z0-9._~+/=-]+/gi,
  /(\bBasic\s+)[A-Za-z0-9+/]{8,}={0,2}/g,
  // token=…, "api_key": "…", access_token=…, any *_token / *_secret name (query strings, form bodies, JSON,
  // log lines). Generic names only: a vendor's own credential names are no business of the core.
  /((?:\\?")?\b(?:[a-z0-9_]*token|[a-z0-9_]*secret|api_?key|password|passwd|auth|signature|sig)(?:\\?")?\s*[:=]\s*(?:\\?")?)[^"\\&\s,;}]+/gi,
  // userinfo of a URL: https://user:pass@host
  /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi,
  /\bask[rw]?_[0-9a-f]{8,}\b/gi,
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** JSON string escaping without the quotes (non-ASCII left as-is, as JSON.stringify does). */
function jsonEscape(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** JSON escaping with every non-ASCII character as \uXXXX (what many servers send). */
function jsonEscapeAscii(s: string): string {
  return jsonEscape(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function safeEncode(s: string): string | undefined {
  try {
    return encodeURIComponent(s);
  } catch {
    return undefined; // lone surrogates
  }
}

/** Every form in which a secret may come back in a vendor's answer or a URL. */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const escaped = [jsonEscape(secret), jsonEscapeAscii(secret)];
  for (const e of escaped) {
    forms.add(e);
    forms.add(e.replace(/\//g, '\\/')); // PHP's json_encode escapes slashes
    forms.add(jsonEscape(e)); // a JSON document carried inside a JSON string
    forms.add(jsonEscapeAscii(e));
  }
  const uri = safeEncode(secret);
  if (uri !== undefined) {
    const form = uri.replace(/%20/g, '+');
    // application/x-www-form-urlencoded also encodes !'()~
    const strictForm = form.replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    for (const u of [uri, form, strictForm]) {
      forms.add(u);
      forms.add(u.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
      forms.add(encodeURIComponent(u)); // encoded twice (a URL inside a query parameter)
    }
  }
  // HTML-escaped (an error page that echoes the request): & < > " ' as named or numeric references.
  if (/[&<>"']/.test(secret)) {
    for (const f of [...forms]) {
      for (const [quot, apos] of [['&quot;', '&#39;'], ['&#34;', '&#x27;'], ['&quot;', '&apos;'], ['&#x22;', '&#039;']]) {
        forms.add(f.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, quot).replace(/'/g, apos));
      }
    }
  }
  // A header cannot carry control characters or characters past U+00FF: axios strips them (and the
  // spaces and tabs around the value) before sending, so the vendor sees and may echo what is left.
  const asHeader = secret.replace(/[^\t\u0020-\u007e\u0080-\u00ff]+/g, '').replace(/^[ \t]+|[ \t]+$/g, '');
  if (asHeader !== secret) forms.add(asHeader);
  // Node's own http sends each one's low byte (latin1), and a server that echoes the header echoes
  // those bytes (read as latin1, or as UTF-8 when they are valid UTF-8).
  if (/[^\u0000-\u00ff]/.test(secret)) {
    const sent = Buffer.from(secret, 'latin1');
    forms.add(sent.toString('latin1'));
    const utf8 = sent.toString('utf8');
    if (!utf8.includes('\ufffd')) forms.add(utf8);
  }
  // Whitespace collapsed and trimmed (excerpts are single-line).
  if (/\s/.test(secret)) {
    for (const f of [...forms]) {
      forms.add(f.replace(/\s+/g, ' '));
      forms.add(f.replace(/\s+/g, ' ').trim());
    }
  }
  forms.delete('');
  return [...forms];
}

/**
 * The secret parts of a header value: the whole value, and for "Scheme credentials" values
 * (Authorization: Bearer X) the credentials alone; for Basic, the decoded "user:password" and password.
 */
export function headerSecrets(value: string): string[] {
  const out = [value];
  const m = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s+(.+?)\s*$/.exec(value);
  if (m) {
    out.push(m[2]);
    if (/^basic$/i.test(m[1]) && /^[A-Za-z0-9+/=]+$/.test(m[2])) {
      const decoded = Buffer.from(m[2], 'base64').toString('utf8');
      if (decoded.includes(':')) out.push(decoded, decoded.slice(decoded.indexOf(':') + 1));
    }
  }
  return out.filter((s) => s.length > 0);
}

/** Characters past an excerpt's cut still read, so that a secret or token across the cut is masked whole. */
const EXCERPT_MARGIN = 512;

export class Redactor {
  private readonly secrets: string[];
  private matcher: RegExp | null | undefined;
  private longest = 0;

  constructor(secrets: Array<string | undefined | null> = []) {
    // Every non-empty secret, whatever its length. Longest first so a secret containing another one is masked whole.
    this.secrets = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))].sort(
      (a, b) => b.length - a.length,
    );
  }

  with(...more: Array<string | undefined | null>): Redactor {
    if (!more.some((s) => typeof s === 'string' && s.length > 0)) return this;
    return new Redactor([...this.secrets, ...more]);
  }

  /** The secrets' forms as one alternation, longest first (built once, on first use). */
  private pattern(): RegExp | null {
    if (this.matcher === undefined) {
      const forms = [...new Set(this.secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
      this.longest = forms[0]?.length ?? 0;
      // A form shorter than 4 characters is masked where it stands alone (not inside a word): a one-letter
      // secret still never shows, but "Unauthorized" does not become "Una***thorized".
      const alone = (f: string) => (f.length < SHORT ? `(?<![A-Za-z0-9])${escapeRegExp(f)}(?![A-Za-z0-9])` : escapeRegExp(f));
      this.matcher = forms.length ? new RegExp(forms.map(alone).join('|'), 'g') : null;
    }
    return this.matcher;
  }

  text(input: string): string {
    let out = String(input);
    const known = this.pattern();
    // One pass: a mask is never masked again, and a short secret inside a longer one never splits it.
    if (known) out = out.replace(known, MASK);
    for (const p of PATTERNS) out = out.replace(p, (_m, prefix: unknown) => `${typeof prefix === 'string' ? prefix : ''}${MASK}`);
    return out;
  }

  /** A short, single-line, redacted excerpt of any value (vendor answer bodies). */
  excerpt(value: unknown, max = 300): string {
    let text: string;
    if (value === undefined || value === null) return '';
    if (Buffer.isBuffer(value)) text = value.toString('utf8');
    else if (typeof value === 'string') text = value;
    else {
      try {
        text = JSON.stringify(value) ?? String(value);
      } catch {
        text = String(value);
      }
    }
    // Only the head is read, made single-line (the secrets' collapsed forms are masked too) and masked,
    // with a margin so that nothing across the cut is left half-masked: a huge error page costs little.
    this.pattern();
    const margin = Math.max(EXCERPT_MARGIN, this.longest);
    for (let head = max + 2 * margin; ; head *= 2) {
      const whole = text.length <= head;
      const masked = this.text((whole ? text : text.slice(0, head)).replace(/\s+/g, ' ').trim());
      if (whole) {
        text = masked;
        break;
      }
      // The last `margin` characters may hold the start of a secret cut at `head`: never shown.
      if (masked.length - margin >= max) return `${masked.slice(0, max)}…`;
    }
    return text.length > max ? `${text.slice(0, max)}…` : text;
  }
}
