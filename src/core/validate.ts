/**
 * Payload validation before anything is sent: each vendor module gives a JSON schema of what its
 * API accepts, and a payload that does not fit fails with INVALID_PROFILE naming the fields.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ConnectorError, ErrorCodes } from './errors';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv, ['email', 'date-time', 'date', 'uri']);

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
  const validate: ValidateFunction = ajv.compile(schema);
  const fn = ((payload: unknown) => {
    if (validate(payload)) return;
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
