/**
 * OpenAPI 3.0 → Ajv 8 validation against the vendor descriptions: `specs/<vendor>/*.yaml` in the repository,
 * built to JSON by `npm run build` into `specs/<vendor>/*.json` beside this file (DEFAULT_SPECS_DIR). Only
 * JSON is read here: no YAML parser at run time.
 *
 * Each spec document is added whole to Ajv under its own `$id`, so `#/components/...` refs resolve
 * natively; a schema is then compiled as `{ $ref: "<id>#/components/schemas/<Name>" }`.
 * OpenAPI-only constructs are rewritten first: `nullable: true` → type unions, boolean
 * `exclusiveMinimum/Maximum` (3.0 style) → numeric form.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export interface SpecValidationResult {
  valid: boolean;
  /** Ajv errors (empty when valid). `instancePath` is a JSON pointer into the body. */
  errors: ErrorObject[];
}

interface LoadedSpec {
  file: string;
  id: string;
  doc: Record<string, any>;
}

const ID_BASE = 'https://sandbox.invalid/vendor-specs/';

/** SmartRecruiters `When`: YYYY, YYYY-MM or YYYY-MM-dd. */
export const WHEN_PATTERN = /^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$/;

function exists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The vendor descriptions built by `npm run build` (scripts/build-sandbox-data.js), beside this file. */
export const DEFAULT_SPECS_DIR = path.join(__dirname, 'specs');

/** Resolves the vendor-specs folder (the option, else DEFAULT_SPECS_DIR). Throws when not found. */
export function resolveSpecsDir(specsDir?: string): string {
  if (specsDir) {
    if (!exists(specsDir)) throw new Error(`sandbox: specsDir ${specsDir} does not exist`);
    return path.resolve(specsDir);
  }
  if (!exists(DEFAULT_SPECS_DIR)) {
    throw new Error(`sandbox: vendor specs not found in ${DEFAULT_SPECS_DIR}; run \`npm run build\` (it converts specs/*/*.yaml to JSON)`);
  }
  return DEFAULT_SPECS_DIR;
}

const NON_SCHEMA_KEYS = new Set(['description', 'title', 'example', 'examples', 'deprecated', 'externalDocs', 'xml']);

/** Rewrites OpenAPI 3.0 schema dialect into JSON-schema Ajv understands. Mutates `node`. */
export function openApiToJsonSchema(node: any): any {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = openApiToJsonSchema(node[i]);
    return node;
  }
  if (!node || typeof node !== 'object') return node;
  for (const k of Object.keys(node)) node[k] = openApiToJsonSchema(node[k]);

  // Boolean exclusiveMinimum/Maximum (OpenAPI 3.0 / draft-04).
  for (const [ex, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof node[ex] === 'boolean') {
      if (node[ex] && typeof node[bound] === 'number') {
        node[ex] = node[bound];
        delete node[bound];
      } else delete node[ex];
    }
  }

  if (typeof node.nullable === 'boolean') {
    const nullable = node.nullable;
    delete node.nullable;
    if (nullable) {
      if (typeof node.type === 'string') {
        node.type = [node.type, 'null'];
        if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum.push(null);
      } else if (Array.isArray(node.type)) {
        if (!node.type.includes('null')) node.type.push('null');
        if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum.push(null);
      } else if (node.$ref || node.oneOf || node.anyOf || node.allOf || node.enum || node.not) {
        const inner: Record<string, unknown> = {};
        for (const k of Object.keys(node)) {
          if (!NON_SCHEMA_KEYS.has(k) && !k.startsWith('x-')) {
            inner[k] = node[k];
            delete node[k];
          }
        }
        node.anyOf = [{ type: 'null' }, inner];
      }
      // no type and no composition: already accepts null
    }
  }
  return node;
}

function createAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false });
  addFormats(ajv);
  const noop = () => true;
  const formats: Record<string, RegExp | ((s: string) => boolean)> = {
    when: WHEN_PATTERN,
    float: noop,
    double: noop,
    int32: noop,
    int64: noop,
    binary: noop,
    byte: noop,
    password: noop,
  };
  for (const [name, f] of Object.entries(formats)) {
    if (!(ajv.formats as Record<string, unknown>)[name]) ajv.addFormat(name, f as any);
  }
  // Always ours, even if a future ajv-formats defines `when` differently.
  ajv.addFormat('when', WHEN_PATTERN);
  // ajv-formats' `byte` regex overflows the stack on a base64 CV of a few MB: a linear check instead.
  ajv.addFormat('byte', (s: string) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s));
  return ajv;
}

export class SpecRegistry {
  private readonly ajv = createAjv();
  private readonly specs = new Map<string, LoadedSpec[]>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly specsDir: string) {}

  /** Spec documents of a vendor (every *.json in `<specsDir>/<vendor>/`, as built from the YAML sources). */
  load(vendor: string): LoadedSpec[] {
    const cached = this.specs.get(vendor);
    if (cached) return cached;
    const dir = path.join(this.specsDir, vendor);
    if (!exists(dir)) throw new Error(`sandbox: no spec folder for vendor "${vendor}" in ${this.specsDir}`);
    const files = fs
      .readdirSync(dir)
      .filter((f) => /\.json$/i.test(f))
      .sort();
    const loaded: LoadedSpec[] = [];
    for (const file of files) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const raw = JSON.parse(text);
      if (!raw || typeof raw !== 'object') continue;
      const doc = openApiToJsonSchema(JSON.parse(JSON.stringify(raw)));
      const id = `${ID_BASE}${encodeURIComponent(vendor)}/${encodeURIComponent(file)}`;
      doc.$id = id;
      delete doc.$schema;
      this.ajv.addSchema(doc, id);
      loaded.push({ file, id, doc });
    }
    if (!loaded.length) throw new Error(`sandbox: no spec file (*.json, built by \`npm run build\`) for vendor "${vendor}" in ${dir}`);
    this.specs.set(vendor, loaded);
    return loaded;
  }

  /** Names of `components.schemas` of a vendor. */
  schemaNames(vendor: string): string[] {
    return this.load(vendor).flatMap((s) => Object.keys(s.doc.components?.schemas ?? {}));
  }

  /**
   * Compiled validator. `schema` is a component schema name (`CandidateInput`) or a JSON pointer into the
   * spec document (`#/paths/~1candidates/post/requestBody/content/application~1json/schema`).
   */
  validator(vendor: string, schema: string): ValidateFunction {
    const key = `${vendor}\u0000${schema}`;
    const hit = this.validators.get(key);
    if (hit) return hit;
    const specs = this.load(vendor);
    let ref: string | null = null;
    if (schema.startsWith('#/')) {
      const spec = specs.find((s) => resolvePointer(s.doc, schema) !== undefined);
      if (spec) ref = spec.id + schema;
    } else {
      const spec = specs.find((s) => s.doc.components?.schemas?.[schema] !== undefined);
      if (spec) ref = `${spec.id}#/components/schemas/${escapePointer(schema)}`;
    }
    if (!ref) throw new Error(`sandbox: schema "${schema}" not found in the ${vendor} spec`);
    const fn = this.ajv.compile({ $ref: ref });
    this.validators.set(key, fn);
    return fn;
  }

  validate(vendor: string, schema: string, body: unknown): SpecValidationResult {
    const fn = this.validator(vendor, schema);
    const valid = fn(body) as boolean;
    return { valid, errors: valid ? [] : [...(fn.errors ?? [])] };
  }
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function resolvePointer(doc: unknown, pointer: string): unknown {
  const parts = pointer.replace(/^#\/?/, '').split('/').filter(Boolean);
  let cur: any = doc;
  for (const p of parts) {
    const k = decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object' || !(k in cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

const registries = new Map<string, SpecRegistry>();

/** Shared registry for a specs folder (default: resolved as in resolveSpecsDir()). */
export function getSpecRegistry(specsDir?: string): SpecRegistry {
  const dir = resolveSpecsDir(specsDir);
  let reg = registries.get(dir);
  if (!reg) {
    reg = new SpecRegistry(dir);
    registries.set(dir, reg);
  }
  return reg;
}

/**
 * Validates `body` against a schema of a vendor's OpenAPI description.
 * @example validateAgainstSpec('smartrecruiters', 'CandidateInput', payload)
 */
export function validateAgainstSpec(
  vendor: string,
  schemaName: string,
  body: unknown,
  specsDir?: string,
): SpecValidationResult {
  return getSpecRegistry(specsDir).validate(vendor, schemaName, body);
}

/** One-line human text for an Ajv error, e.g. `/location/countryCode must NOT have more than 2 characters`. */
export function describeError(e: ErrorObject): string {
  const where = errorPath(e) || '/';
  return `${where} ${e.message ?? 'is invalid'}`;
}

/** instancePath, plus the missing property for `required` errors (`/firstName`). */
export function errorPath(e: ErrorObject): string {
  if (e.keyword === 'required' && e.params && typeof (e.params as any).missingProperty === 'string') {
    return `${e.instancePath}/${(e.params as any).missingProperty}`;
  }
  return e.instancePath;
}
