/**
 * Payload validation before anything is sent: each vendor module gives a JSON schema of what its
 * API accepts, and a payload that does not fit fails with INVALID_PROFILE naming the fields.
 */
import type AjvType from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ConnectorError, ErrorCodes } from './errors';

/**
 * ajv is loaded, and each schema compiled, on the first validation: Node-RED starts as fast with
 * this package installed, and a flow pays only for the vendors it pushes to.
 */
let ajv: AjvType | undefined;
function getAjv(): AjvType {
  if (!ajv) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv = (require('ajv') as typeof import('ajv')).default;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
    ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv, ['email', 'date-time', 'date', 'uri']);
    ajv.addFormat('byte', { type: 'string', validate: isBase64 });
  }
  return ajv;
}

/**
 * OpenAPI's `format: byte`: base64 that decodes to at least one byte and back to itself (padding and
 * whitespace aside), as the vendors check it.
 */
export function isBase64(s: string): boolean {
  const compact = s.replace(/\s+/g, '');
  if (!compact || compact.length % 4 === 1 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return false;
  const buf = Buffer.from(compact, 'base64');
  return buf.length > 0 && buf.toString('base64').replace(/=+$/, '') === compact.replace(/=+$/, '');
}

export type JsonSchema = Record<string, unknown>;

export interface PayloadValidator {
  /** Throws INVALID_PROFILE when the payload does not fit. */
  (payload: unknown): void;
  schema: JsonSchema;
}

/** "/location/countryCode" + missing "firstName" → "location.countryCode" / "firstName". */
export function fieldOf(e: ErrorObject): string {
  const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = e.keyword === 'required' ? (e.params as { missingProperty?: string }).missingProperty : undefined;
  return [base, missing].filter(Boolean).join('.') || '(payload)';
}

export function describeErrors(errors: ErrorObject[]): { fields: string[]; text: string } {
  const fields: string[] = [];
  const parts: string[] = [];
  for (const e of errors) {
    const field = fieldOf(e);
    if (!fields.includes(field)) fields.push(field);
    parts.push(e.keyword === 'required' ? `${field} is required` : `${field} ${e.message ?? 'is invalid'}`);
  }
  return { fields, text: [...new Set(parts)].join('; ') };
}

/**
 * Build a validator. `hints` maps a payload field to the profile field it comes from, so the error
 * tells the user what to fix in HrFlow ("firstName is required (from info.first_name)").
 */
export function payloadValidator(vendor: string, schema: JsonSchema, hints: Record<string, string> = {}): PayloadValidator {
  let validate: ValidateFunction | undefined;
  const fn = ((payload: unknown) => {
    validate ??= getAjv().compile(schema);
    // Validate what goes on the wire: the JSON the payload becomes (NaN and Infinity become null,
    // undefined fields disappear, a Date becomes a string), not the JavaScript value.
    let wire: unknown;
    try {
      wire = payload === undefined ? undefined : JSON.parse(JSON.stringify(payload));
    } catch (err) {
      throw new ConnectorError(ErrorCodes.INVALID_PROFILE, `the payload for ${vendor} cannot be sent as JSON: ${(err as Error).message}. Nothing was sent.`, { vendor });
    }
    let valid: boolean;
    try {
      valid = validate(wire) as boolean;
    } catch (err) {
      // A format check's regular expression can overflow the stack on a value megabytes long (ajv-formats' uri).
      throw new ConnectorError(
        ErrorCodes.INVALID_PROFILE,
        `the profile cannot be pushed to ${vendor}: it could not be checked (${(err as Error)?.message ?? err}: a value is too long to check). Nothing was sent.`,
        { vendor },
      );
    }
    if (valid) return;
    const { fields, text } = describeErrors(validate.errors ?? []);
    const hinted = fields.filter((f) => hints[f]).map((f) => `${f} comes from ${hints[f]}`);
    throw new ConnectorError(
      ErrorCodes.INVALID_PROFILE,
      `the profile cannot be pushed to ${vendor}: ${text}${hinted.length ? ` (${hinted.join('; ')})` : ''}. Nothing was sent.`,
      { vendor, fields },
    );
  }) as PayloadValidator;
  fn.schema = schema;
  return fn;
}
