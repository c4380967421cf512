/**
 * Secret redaction. Every text that leaves the HTTP core (error messages, vendor excerpts,
 * log lines) goes through a Redactor holding the secrets of the request's config node.
 */

const MASK = '***';

/** Header names whose values are always secret. */
export const SECRET_HEADERS = new Set([
  'authorization',
  'x-smarttoken',
  'x-api-key',
  'x-taleez-api-secret',
  'x-chub-signature',
  'cookie',
  'set-cookie',
]);

/** Patterns that look like credentials whatever their value. */
const PATTERNS: RegExp[] = [
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{4,}/gi,
  /("?(?:token|api_key|apikey|api_secret|secret|password|x_smart_token|auth)"?\s*[:=]\s*"?)[^"&\s,}]{4,}/gi,
  /\bask[rw]?_[0-9a-f]{8,}\b/gi,
];

export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: Array<string | undefined | null> = []) {
    // Longest first so a secret containing another one is masked whole.
    this.secrets = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4))].sort(
      (a, b) => b.length - a.length,
    );
  }

  with(...more: Array<string | undefined | null>): Redactor {
    return new Redactor([...this.secrets, ...more]);
  }

  text(input: string): string {
    let out = input;
    for (const s of this.secrets) out = out.split(s).join(MASK);
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
        text = JSON.stringify(value);
      } catch {
        text = String(value);
      }
    }
    text = this.text(text.replace(/\s+/g, ' ').trim());
    return text.length > max ? `${text.slice(0, max)}…` : text;
  }
}
