/**
 * The editor generator: turns each vendor's description (src/vendors/description.ts) into its nodes'
 * editor files, run by `npm run build` after tsc (scripts/copy-assets.js calls `generate`):
 *
 *   dist/nodes/<type>.html                    registerType + edit template + the shared client code
 *   dist/nodes/locales/{en-US,fr}/<type>.json the message catalogue
 *   dist/nodes/locales/{en-US,fr}/<type>.html the help: the hand-written fragment
 *                                             (nodes/help/<lang>/<type>.html) inside the shared sections
 *
 * for every push node `hrflow-<id>` whose vendor module has a `description`, its account
 * `hrflow-<id>-config`, and `hrflow-api` when src/hrflow/description.ts exports `hrflowApiDescription`.
 * A vendor without a description keeps its hand-written files (copied by copy-assets).
 *
 * The shared texts are in ./texts.ts; the browser code in ./client.js (inlined once per file).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorCode } from '../../src/core/errors';
import type { AccountDescription, FieldDescription, Text, VendorDescription } from '../../src/vendors/description';
import * as T from './texts';

type Lang = T.Lang;
type Catalogue = Record<string, unknown>;

/** What one generated node type is made of. */
export interface GeneratedNode {
  type: string;
  /** dist/nodes/<type>.html */
  html: string;
  /** Locale dir (`en-US`, `fr`) → catalogue (rooted at the type). */
  catalogues: Record<string, Catalogue>;
  /** Locale dir → help HTML (a `data-help-name` script). */
  help: Record<string, string>;
}

/** A push node to generate: the vendor module's id, label and description. */
export interface PushSpec {
  id: string;
  label: string;
  description: VendorDescription;
}

/** A config node to generate. */
export interface AccountSpec {
  /** `hrflow-<id>-config` or `hrflow-api`. */
  type: string;
  /** The vendor id (`taleez`, `hrflow`): names the example environment variable. */
  id: string;
  /** "Taleez", "HrFlow API". */
  label: string;
  /** The node types that use this account (for the help). */
  usedBy: string[];
  description: AccountDescription;
  /** The unnamed node's label: "Taleez account" (default) or, e.g., "HrFlow API". */
  defaultLabel?: Text;
  /** The error codes its users can raise (the help's table lists these among the account errors). */
  errors?: ErrorCode[];
}

/** Hand-written help fragments: (type, locale dir) → HTML, or undefined when missing. */
export type FragmentReader = (type: string, lang: string) => string | undefined;

export interface Options {
  /** The browser code inlined in each file (nodes/editor/client.js). */
  client: string;
  /** Status texts of push nodes per language (nodes/lib/status-text.ts `statusCatalogue`). */
  status?: (lang: Lang) => Record<string, string>;
  fragments: FragmentReader;
  /** Told about what is missing (a fragment...). */
  warn?: (message: string) => void;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes a text that is not HTML (labels, attribute values). */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Fills `{name}` tokens from `vars`; unknown tokens stay as they are (`${ENV_VAR}` in tips). */
export function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : m));
}

/** A JavaScript literal (for the generated scripts): JSON, with `</` broken so it cannot end the script. */
function js(v: unknown): string {
  return JSON.stringify(v).replace(/<\//g, '<\\/').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** `field.x[lang]` for every Text property of an object. */
function pick<K extends string>(items: Partial<Record<K, Text>>, lang: Lang): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(items) as [string, Text | undefined][]) if (v) out[k] = v[lang];
  return out;
}

const indent = (s: string, n: number) => s.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');

/** The i18n key prefix of a type (`hrflow-taleez.`). */
const k = (type: string, key: string) => `${type}.${key}`;

// ---------------------------------------------------------------------------------------------
// Fields: defaults, validators, template rows, catalogue entries

/** What the client's validator needs of a field. */
function validatorSpec(f: FieldDescription): Record<string, unknown> {
  const spec: Record<string, unknown> = { name: f.name, input: f.input };
  if (f.pattern) spec.pattern = f.pattern;
  if (f.required) spec.required = true;
  if (f.input === 'select') spec.options = (f.options ?? []).map((o) => o.value);
  const requires = requiresAccountField(f);
  if (requires) spec.requires = requires;
  return spec;
}

/** A checkbox param that needs an account field set when ticked (Flatchr's lookup_id: the company). */
function requiresAccountField(f: FieldDescription): string | undefined {
  return (f as FieldDescription & { requiresAccountField?: string }).requiresAccountField;
}

function defaultValue(f: FieldDescription): string | number | boolean {
  if (f.default !== undefined) return f.default;
  return f.input === 'checkbox' ? false : f.input === 'select' ? (f.options?.[0]?.value ?? '') : '';
}

/** One `defaults` (or `credentials`) entry, as JavaScript source. */
function propertySource(f: FieldDescription): string {
  const parts: string[] = [];
  if (f.credential) parts.push(`type: ${js(f.input === 'password' ? 'password' : 'text')}`);
  else parts.push(`value: ${js(defaultValue(f))}`);
  if (f.required) parts.push('required: true');
  // A password is never checked beyond `required` (its value is __PWRD__ once stored); free text only
  // against its pattern.
  const checked = f.input === 'text' ? Boolean(f.pattern) : f.input !== 'password';
  if (checked) {
    parts.push(`validate: H.validator(${js(validatorSpec(f))}, t)`);
  }
  return `${f.name}: { ${parts.join(', ')} }`;
}

/** The edit-template rows of one field. `prefix`: node-input or node-config-input. */
function fieldRows(type: string, f: FieldDescription, prefix: string): string {
  const id = `${prefix}-${f.name}`;
  const label = `<label for="${id}"><i class="fa fa-${esc(f.icon)}"></i> <span data-i18n="${k(type, `label.${f.name}`)}"></span></label>`;
  const placeholder = f.placeholder ? ` data-i18n="[placeholder]${k(type, `placeholder.${f.name}`)}"` : '';
  let input: string;
  switch (f.input) {
    case 'checkbox':
      input = `<input type="checkbox" id="${id}" style="display: inline-block; width: auto; vertical-align: top;">`;
      break;
    case 'select':
      input = [
        `<select id="${id}">`,
        ...(f.options ?? []).map((o, i) => `    <option value="${esc(o.value)}" data-i18n="${k(type, `option.${f.name}.${i}`)}"></option>`),
        '</select>',
      ].join('\n');
      break;
    case 'password':
      input = `<input type="password" id="${id}" autocomplete="off"${placeholder}>`;
      break;
    default: {
      const list = f.options?.length ? ` list="${id}-choices"` : '';
      const mode = f.input === 'int' || (f.input === 'id' && f.pattern && /^[0-9\\d*+[\]-]+$/.test(f.pattern)) ? ' inputmode="numeric"' : f.input === 'email' ? ' inputmode="email"' : '';
      const width = f.picker ? ' style="width: calc(70% - 44px);"' : f.input === 'int' ? ' style="width: 120px;"' : '';
      input = `<input type="text" id="${id}"${list}${mode}${width}${placeholder}>`;
      if (f.options?.length) {
        input += [
          `\n<datalist id="${id}-choices">`,
          ...(f.options ?? []).map((o, i) => `    <option value="${esc(o.value)}" data-i18n="${k(type, `option.${f.name}.${i}`)}"></option>`),
          '</datalist>',
        ].join('\n');
      }
    }
  }
  const rows = [`<div class="form-row">`, indent(label, 4), indent(input, 4)];
  if (f.picker) {
    rows.push(
      `    <button type="button" class="red-ui-button hrflow-picker" data-field="${esc(f.name)}" data-i18n="[title]${k(type, 'picker.button')}"><i class="fa fa-list-ul"></i></button>`,
    );
  }
  rows.push('</div>');
  if (f.picker) rows.push(`<div class="form-row hrflow-picker-panel" data-field="${esc(f.name)}" style="display: none;"></div>`);
  if (f.msg) rows.push(`<div class="hrflow-msg-hint" data-field="${esc(f.name)}" data-i18n="[html]${k(type, `hint.${f.name}`)}"></div>`);
  if (f.tip) rows.push(`<div class="form-tips" data-i18n="[html]${k(type, `tip.${f.name}`)}"></div>`);
  return rows.join('\n');
}

/** Catalogue entries of fields: label, placeholder, tip, hint, option. */
function fieldEntries(fields: FieldDescription[], lang: Lang, cat: { label: Catalogue; placeholder: Catalogue; tip: Catalogue; hint: Catalogue; option: Catalogue }): void {
  for (const f of fields) {
    cat.label[f.name] = f.label[lang];
    if (f.placeholder) cat.placeholder[f.name] = f.placeholder[lang];
    if (f.tip) cat.tip[f.name] = f.tip[lang];
    if (f.msg) cat.hint[f.name] = T.MSG_HINT[lang].replace(/__msg__/g, esc(f.msg));
    if (f.options?.length) cat.option[f.name] = Object.fromEntries(f.options.map((o, i) => [String(i), o.label[lang]]));
  }
}

/** The client's view of fields (no texts: those are in the catalogue). */
function clientFields(fields: FieldDescription[]): Record<string, unknown>[] {
  return fields.map((f) => {
    const c: Record<string, unknown> = { name: f.name, input: f.input };
    if (f.credential) c.credential = true;
    if (f.msg) c.msg = f.msg;
    if (f.picker) c.picker = f.picker;
    return c;
  });
}

const CSS = [
  '<style>',
  '    .hrflow-picker-panel { margin-left: 105px; max-width: calc(70% - 4px); }',
  '    .hrflow-picker-list { list-style: none; margin: 4px 0; padding: 0; max-height: 220px; overflow-y: auto; border: 1px solid var(--red-ui-form-input-border-color, #ccc); border-radius: 4px; }',
  '    .hrflow-picker-item { padding: 4px 8px; cursor: pointer; display: flex; gap: 8px; align-items: baseline; }',
  '    .hrflow-picker-item:hover { background: var(--red-ui-list-item-background-hover, #eee); }',
  '    .hrflow-picker-item-title { flex: 1; }',
  '    .hrflow-picker-item-status { font-size: 0.85em; opacity: 0.75; }',
  '    .hrflow-picker-error, #hrflow-test-result[data-state="error"] { color: var(--red-ui-text-color-error, #d6615f); }',
  '    #hrflow-test-result { margin-left: 105px; word-break: break-word; }',
  '    #hrflow-test-result[data-state="ok"] { color: var(--red-ui-text-color-success, #5a8); }',
  '    .hrflow-msg-hint { margin: -6px 0 10px 105px; font-size: 0.9em; color: var(--red-ui-secondary-text-color, #888); }',
  '</style>',
].join('\n');

function scriptBlock(body: string): string {
  return `<script type="text/javascript">\n    (function () {\n        "use strict";\n\n${indent(body, 8)}\n    })();\n</script>`;
}

/** A node's editor file: where it comes from, its definition script and its edit template. */
function editorFile(type: string, source: string, body: string, rows: string[]): string {
  return [
    `<!--\n  ${type}: generated by nodes/editor/generate.ts from ${source}. Do not edit:\n  change the description, nodes/editor/texts.ts or nodes/help/<lang>/${type}.html instead.\n-->`,
    scriptBlock(body),
    '',
    `<script type="text/html" data-template-name="${type}">\n${indent(rows.join('\n'), 4)}\n</script>\n`,
  ].join('\n');
}

function translatorSource(type: string): string {
  return [
    `var TYPE = ${js(type)};`,
    `var H = HrflowEditor;`,
    '// Translates a key of this node\'s catalogue (after registerType; the key itself before).',
    'function t(key, vars) {',
    '    var def = RED.nodes.getType ? RED.nodes.getType(TYPE) : null;',
    '    return def && typeof def._ === "function" ? def._(TYPE + "." + key, vars) : TYPE + "." + key;',
    '}',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Help

function dl(items: { name: string; type?: string; optional?: boolean; html: string }[]): string {
  return [
    '<dl class="message-properties">',
    ...items.map(
      (i) =>
        `    <dt${i.optional ? ' class="optional"' : ''}>${esc(i.name)}${i.type ? ` <span class="property-type">${esc(i.type)}</span>` : ''}</dt>\n    <dd>${i.html}</dd>`,
    ),
    '</dl>',
  ].join('\n');
}

/** A fragment split into its summary (the first `<p>`) and the rest (Details). */
export function splitFragment(fragment: string): { summary: string; details: string } {
  const m = /^\s*(<p\b[^>]*>[\s\S]*?<\/p>)([\s\S]*)$/i.exec(fragment);
  if (!m) return { summary: '', details: fragment.trim() };
  return { summary: m[1].trim(), details: m[2].trim() };
}

function errorTable(codes: readonly ErrorCode[], vendor: string, lang: Lang): string {
  return [
    '<dl class="message-properties">',
    ...codes.map((c) => `    <dt>${c}</dt><dd>${fill(T.ERRORS[c][lang], { vendor: esc(vendor) })}</dd>`),
    '</dl>',
  ].join('\n');
}

/** `${TALEEZ_API_SECRET}`-like name for the first credential. */
export function envVarName(vendorId: string, fields: FieldDescription[]): string {
  const cred = fields.find((f) => f.credential && f.input === 'password') ?? fields.find((f) => f.credential);
  let name = (cred?.name ?? 'secret').toUpperCase().replace(/[^A-Z0-9_]/g, '_').replace(/^X_/, '');
  const id = vendorId.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  if (!name.includes(id)) name = `${id}_${name}`;
  return name;
}

function credentialsHelp(account: AccountDescription, vendorId: string, configType: string, lang: Lang): string {
  const creds = account.fields.filter((f) => f.credential);
  if (!creds.length) return '';
  return `<h3>${T.HEADINGS.credentials[lang]}</h3>\n${fill(T.CREDENTIALS_HELP[lang], {
    secrets: creds.map((f) => esc(f.label[lang])).join(', '),
    configType,
    envvar: envVarName(vendorId, account.fields),
  })}`;
}

function helpScript(type: string, parts: string[]): string {
  return `<script type="text/html" data-help-name="${type}">\n${indent(parts.filter(Boolean).join('\n\n'), 4)}\n</script>\n`;
}

function references(docsUrl: string, vendor: string, extra: Text, lang: Lang): string {
  return [
    `<h3>${T.HEADINGS.references[lang]}</h3>`,
    '<ul>',
    `    <li><a href="${esc(docsUrl)}">${esc(fill(T.REFERENCES.docs[lang], { vendor }))}</a></li>`,
    `    <li>${extra[lang]}</li>`,
    '</ul>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Push nodes

const ADVANCED_FIELDS = [
  { name: 'timeout', value: 30000, icon: 'clock-o', step: 1000, ms: true },
  { name: 'retries', value: 3, icon: 'repeat', step: 1, ms: false },
  { name: 'retry_delay', value: 1000, icon: 'hourglass-half', step: 100, ms: true },
] as const;

/** The common `on_duplicate` property of every push node (the push ledger), a select. */
const ON_DUPLICATE: FieldDescription = {
  name: 'on_duplicate',
  input: 'select',
  default: 'skip',
  icon: 'clone',
  label: T.LABELS.on_duplicate,
  options: T.ON_DUPLICATE_OPTIONS,
  tip: T.TIPS.on_duplicate,
};

export function pushNode(spec: PushSpec, opts: Options): GeneratedNode {
  const { description: d } = spec;
  const type = `hrflow-${spec.id}`;
  const configType = `${type}-config`;
  const vendor = spec.label;

  // registerType
  const defaults = [
    'name: { value: "" }',
    `account: { value: "", type: ${js(configType)}, required: true }`,
    ...d.params.map((f) => propertySource({ ...f, credential: false })),
    propertySource(ON_DUPLICATE),
    // The shared store (issue 14): optional, "" is the embedded ledger; Node-RED leaves it "" (None) unless chosen.
    'store: { value: "", type: "hrflow-store", required: false }',
    ...ADVANCED_FIELDS.map((a) => `${a.name}: { value: ${a.value}, required: true, validate: H.validator(${js({ name: a.name, input: 'int', required: true })}, t) }`),
  ];
  const conf = { type, configType, fields: clientFields(d.params), account: clientFields(d.account.fields) };
  const body = [
    opts.client.trim(),
    '',
    translatorSource(type),
    `var CONF = ${js(conf)};`,
    '',
    `RED.nodes.registerType(${js(type)}, {`,
    '    category: "HrFlow",',
    `    color: ${js(d.color)},`,
    `    icon: ${js(`${type}.svg`)},`,
    '    align: "right",',
    '    inputs: 1,',
    '    outputs: 1,',
    '    defaults: {',
    defaults.map((l) => `        ${l}`).join(',\n'),
    '    },',
    `    paletteLabel: ${js(vendor)},`,
    '    inputLabels: function () {',
    `        return typeof this._ === "function" ? this._(${js(k(type, 'port.input'))}) : ${js(T.INPUT_LABEL.en)};`,
    '    },',
    '    outputLabels: function () {',
    `        return typeof this._ === "function" ? this._(${js(k(type, 'port.output'))}) : ${js(d.outputLabel.en)};`,
    '    },',
    '    label: function () {',
    `        return this.name || ${js(vendor)};`,
    '    },',
    '    labelStyle: function () {',
    '        return this.name ? "node_label_italic" : "";',
    '    },',
    '    oneditprepare: function () {',
    '        H.preparePush(this, CONF);',
    '    }',
    '});',
    `H.labelProperties(TYPE, ${js(['account', ...d.params.map((p) => p.name), ON_DUPLICATE.name, 'store', ...ADVANCED_FIELDS.map((a) => a.name)])});`,
  ].join('\n');

  // edit template
  const rows = [
    CSS,
    fieldRows(type, { name: 'name', input: 'text', icon: 'tag', label: T.LABELS.name, placeholder: { en: vendor, fr: vendor } }, 'node-input'),
    [
      '<div class="form-row">',
      `    <label for="node-input-account"><i class="fa fa-user-circle"></i> <span data-i18n="${k(type, 'label.account')}"></span></label>`,
      '    <input type="text" id="node-input-account">',
      '</div>',
    ].join('\n'),
    ...d.params.map((f) => fieldRows(type, f, 'node-input')),
    fieldRows(type, ON_DUPLICATE, 'node-input'),
    [
      '<div class="form-row">',
      `    <label for="node-input-store"><i class="fa fa-database"></i> <span data-i18n="${k(type, 'label.store')}"></span></label>`,
      '    <input type="text" id="node-input-store">',
      '</div>',
      `<div class="form-tips" data-i18n="[html]${k(type, 'tip.store')}"></div>`,
    ].join('\n'),
    [
      '<div class="form-row" style="margin-top: 18px; margin-bottom: 6px;">',
      `    <label style="width: auto;"><i class="fa fa-sliders"></i> <span data-i18n="${k(type, 'label.advanced')}"></span></label>`,
      '</div>',
      ...ADVANCED_FIELDS.map((a) =>
        [
          '<div class="form-row">',
          `    <label for="node-input-${a.name}"><i class="fa fa-${a.icon}"></i> <span data-i18n="${k(type, `label.${a.name}`)}"></span></label>`,
          `    <input type="number" id="node-input-${a.name}" min="0" step="${a.step}" style="width: 120px;">`,
          ...(a.ms ? [`    <span data-i18n="${k(type, 'label.ms')}"></span>`] : []),
          '</div>',
        ].join('\n'),
      ),
      `<div class="form-tips" data-i18n="[html]${k(type, 'tip.advanced')}"></div>`,
    ].join('\n'),
  ];
  const html = editorFile(type, `the description in src/vendors/${spec.id}.ts`, body, rows);

  const catalogues: Record<string, Catalogue> = {};
  const help: Record<string, string> = {};
  for (const { dir, key: lang } of T.LANGS) {
    const cat = {
      label: { ...pick(T.LABELS, lang) },
      placeholder: { name: vendor } as Catalogue,
      tip: { advanced: T.TIPS.advanced[lang], store: T.TIPS.store[lang] } as Catalogue,
      hint: {} as Catalogue,
      option: {} as Catalogue,
    };
    fieldEntries([...d.params, ON_DUPLICATE], lang, cat);
    const required = d.params.map(requiresAccountField).filter((n): n is string => Boolean(n));
    const entry: Catalogue = {
      ...cat,
      ...(required.length
        ? { account: Object.fromEntries(required.map((n) => [n, d.account.fields.find((f) => f.name === n)?.label[lang] ?? n])) }
        : {}),
      port: { input: T.INPUT_LABEL[lang], output: d.outputLabel[lang] },
      validator: pick(T.VALIDATOR, lang),
      picker: { ...pick(T.PICKER, lang), list: pick(d.lists ?? {}, lang) },
      status: opts.status ? opts.status(lang) : {},
    };
    if (!Object.keys(cat.hint).length) delete entry.hint;
    if (!Object.keys(cat.option).length) delete entry.option;
    catalogues[dir] = { [type]: entry };

    // help
    const vars = { vendor: esc(vendor), id: esc(spec.id), type, configType };
    const fragment = opts.fragments(type, dir);
    if (fragment === undefined) opts.warn?.(`no help fragment nodes/help/${dir}/${type}.html: the help has a generic summary`);
    const { summary, details } = splitFragment(fragment ?? '');
    const inputs = [
      ...T.PUSH_INPUTS.map((p) => ({ name: p.name, type: p.type, optional: p.optional, html: fill(p.text[lang], vars) })),
      ...d.params
        .filter((f) => f.msg)
        .map((f) => ({
          name: f.msg as string,
          type: f.helpType ?? (f.input === 'ids' ? 'array | string' : f.input === 'checkbox' ? 'boolean' : 'string'),
          optional: true,
          html: f.help?.[lang] ?? fill(T.MSG_PARAM_FALLBACK[lang], { label: esc(f.label[lang]) }),
        })),
    ];
    const outputs = T.PUSH_OUTPUTS.map((p) => ({ name: p.name, type: p.type, optional: p.optional, html: fill(p.text[lang], vars) }));
    help[dir] = helpScript(type, [
      summary || fill(T.SUMMARY_FALLBACK.push[lang], vars),
      `<h3>${T.HEADINGS.inputs[lang]}</h3>\n${dl(inputs)}`,
      `<h3>${T.HEADINGS.outputs[lang]}</h3>\n${dl(outputs)}\n<p>${T.KEPT[lang]}</p>`,
      `<h3>${T.HEADINGS.details[lang]}</h3>${details ? `\n${details}` : ''}`,
      `<h4>${T.DUPLICATES_HEADING[lang]}</h4>\n${fill(T.DUPLICATES_HELP[lang], vars)}\n${T.STORE_HELP[lang]}`,
      `<h4>${T.UPDATE_HEADING[lang]}</h4>\n${fill(T.UPDATE_HELP[lang], vars)}\n<ul><li>${d.update?.[lang] ?? fill(T.NO_UPDATE[lang], vars)}</li><li>${d.archive?.[lang] ?? fill(T.NO_ARCHIVE[lang], vars)}</li></ul>`,
      `<h4>${T.HEADINGS.advanced[lang]}</h4>\n${fill(T.ADVANCED_HELP[lang], vars)}`,
      `<h3>${T.HEADINGS.errors[lang]}</h3>\n${T.ERRORS_INTRO[lang]}\n${errorTable(d.errors, vendor, lang)}`,
      credentialsHelp(d.account, spec.id, configType, lang),
      references(d.docsUrl, vendor, T.REFERENCES.errors, lang),
    ]);
  }
  return { type, html, catalogues, help };
}

// ---------------------------------------------------------------------------------------------
// Config nodes

/** The field an unnamed account is labelled by ("Recruitee 12345"): the first required id or text property. */
function identifyingField(fields: FieldDescription[], labelField?: string): FieldDescription | undefined {
  if (labelField) return fields.find((f) => f.name === labelField);
  const props = fields.filter((f) => !f.credential && (f.input === 'id' || f.input === 'text'));
  return props.find((f) => f.required) ?? props[0];
}

export function configNode(spec: AccountSpec, opts: Options): GeneratedNode {
  const { type, description: d } = spec;
  const defaultLabel = spec.defaultLabel ?? { en: fill(T.ACCOUNT_WORD.en, { vendor: spec.label }), fr: fill(T.ACCOUNT_WORD.fr, { vendor: spec.label }) };
  const props = d.fields.filter((f) => !f.credential);
  const creds = d.fields.filter((f) => f.credential);
  const idField = identifyingField(d.fields, d.labelField);
  // [name, default, [[known URL, its choice's catalogue key, English label]...]]
  const urls = props
    .filter((f) => f.input === 'url')
    .map((f) => [f.name, typeof f.default === 'string' ? f.default : '', (f.options ?? []).map((o, i) => [o.value, k(type, `option.${f.name}.${i}`), o.label.en])]);

  const body = [
    opts.client.trim(),
    '',
    translatorSource(type),
    `var CONF = ${js({ type, fields: clientFields(d.fields) })};`,
    '// URL properties, their defaults and known choices: a label names the choice, or the host, of one that is not the default.',
    `var URLS = ${js(urls)};`,
    '',
    `RED.nodes.registerType(${js(type)}, {`,
    '    category: "config",',
    `    color: ${js(d.color)},`,
    `    icon: ${js(`${type.replace(/-config$/, '')}.svg`)},`,
    '    inputs: 0,',
    '    outputs: 0,',
    '    defaults: {',
    ['name: { value: "" }', ...props.map(propertySource)].map((l) => `        ${l}`).join(',\n'),
    '    },',
    ...(creds.length ? ['    credentials: {', creds.map((f) => `        ${propertySource(f)}`).join(',\n'), '    },'] : []),
    `    paletteLabel: ${js(defaultLabel.en)},`,
    '    label: function () {',
    '        if (this.name) {',
    '            return this.name;',
    '        }',
    `        var label = typeof this._ === "function" ? this._(${js(k(type, 'label.default'))}) : ${js(defaultLabel.en)};`,
    ...(idField ? [`        if (this[${js(idField.name)}]) {`, `            label = ${js(spec.label)} + " " + this[${js(idField.name)}];`, '        }'] : []),
    '        for (var i = 0; i < URLS.length; i++) {',
    '            var v = this[URLS[i][0]];',
    '            if (v && v !== URLS[i][1]) {',
    '                for (var j = 0; j < URLS[i][2].length; j++) {',
    '                    if (v === URLS[i][2][j][0]) {',
    '                        return label + " (" + (typeof this._ === "function" ? this._(URLS[i][2][j][1]) : URLS[i][2][j][2]) + ")";',
    '                    }',
    '                }',
    '                var host = /^https?:\\/\\/([^\\/?#]+)/i.exec(v);',
    '                return label + " (" + (host ? host[1] : v) + ")";',
    '            }',
    '        }',
    '        return label;',
    '    },',
    '    oneditprepare: function () {',
    '        H.prepareConfig(this, CONF);',
    '    }',
    '});',
    `H.labelProperties(TYPE, ${js(d.fields.map((f) => f.name))});`,
  ].join('\n');

  const rows = [
    CSS,
    fieldRows(type, { name: 'name', input: 'text', icon: 'tag', label: T.LABELS.name, placeholder: defaultLabel }, 'node-config-input'),
    ...d.fields.map((f) => fieldRows(type, f, 'node-config-input')),
    [
      '<div class="form-row" style="margin-top: 12px;">',
      '    <label>&nbsp;</label>',
      `    <button type="button" id="hrflow-test-connection" class="red-ui-button"><i class="fa fa-plug"></i> <span data-i18n="${k(type, 'test.button')}"></span></button>`,
      '</div>',
      '<div class="form-row hrflow-test-row">',
      '    <div id="hrflow-test-result" role="status" aria-live="polite"></div>',
      '</div>',
      `<div class="form-tips" data-i18n="[html]${k(type, 'tip.test')}"></div>`,
    ].join('\n'),
  ];
  const html = editorFile(type, 'its account description', body, rows);

  const catalogues: Record<string, Catalogue> = {};
  const help: Record<string, string> = {};
  for (const { dir, key: lang } of T.LANGS) {
    const cat = {
      label: { name: T.LABELS.name[lang], default: defaultLabel[lang] } as Catalogue,
      placeholder: { name: defaultLabel[lang] } as Catalogue,
      tip: { test: fill(T.TIPS.test[lang], { test: d.test[lang] }) } as Catalogue,
      hint: {} as Catalogue,
      option: {} as Catalogue,
    };
    fieldEntries(d.fields, lang, cat);
    const entry: Catalogue = { ...cat, validator: pick(T.VALIDATOR, lang), test: pick(T.TEST, lang) };
    if (!Object.keys(cat.hint).length) delete entry.hint;
    if (!Object.keys(cat.option).length) delete entry.option;
    catalogues[dir] = { [type]: entry };

    const vars = { vendor: esc(spec.label), id: esc(spec.id), type: spec.usedBy.join('</code>, <code>'), configType: type };
    const fragment = opts.fragments(type, dir);
    if (fragment === undefined) opts.warn?.(`no help fragment nodes/help/${dir}/${type}.html: the help has a generic summary`);
    const { summary, details } = splitFragment(fragment ?? '');
    const fields = [
      ...d.fields.map((f) => ({
        name: f.label[lang],
        type: f.credential ? T.CREDENTIAL_TYPE[lang] : (f.helpType ?? (f.input === 'int' ? 'integer' : f.input === 'checkbox' ? 'boolean' : 'string')),
        optional: !f.required,
        html: f.help?.[lang] ?? f.tip?.[lang] ?? '',
      })),
    ];
    const codes = T.CONFIG_ERRORS.filter((c) => !spec.errors || spec.errors.includes(c));
    help[dir] = helpScript(type, [
      summary || fill(T.SUMMARY_FALLBACK.config[lang], vars),
      `<h3>${T.HEADINGS.inputs[lang]}</h3>\n<p>${fill(T.CONFIG_INPUTS[lang], vars)}</p>`,
      `<h3>${T.HEADINGS.outputs[lang]}</h3>\n<p>${T.CONFIG_OUTPUTS[lang]}</p>`,
      `<h3>${T.HEADINGS.details[lang]}</h3>\n${dl(fields)}${details ? `\n${details}` : ''}`,
      // A fragment that explains Test connection under its own heading keeps it (no second section).
      details.includes(`<h4>${T.HEADINGS.test[lang]}</h4>`) ? '' : `<h4>${T.HEADINGS.test[lang]}</h4>\n<p>${fill(T.TIPS.test[lang], { test: d.test[lang] })}</p>`,
      credentialsHelp(d, spec.id, type, lang),
      `<h3>${T.HEADINGS.errors[lang]}</h3>\n${T.CONFIG_ERRORS_INTRO[lang]}\n${errorTable(codes, spec.label, lang)}`,
      references(d.docsUrl, spec.label, T.REFERENCES.env, lang),
    ]);
  }
  return { type, html, catalogues, help };
}

// ---------------------------------------------------------------------------------------------
// What is described, and the build step

/** The described types of this package: push nodes of described vendors, their accounts, hrflow-api. */
export function describedSpecs(): { push: PushSpec[]; accounts: AccountSpec[] } {
  // Loaded here, not at the top: the unit tests use the functions above without the vendor modules.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { vendors } = require('../../src/vendors') as typeof import('../../src/vendors');
  const push: PushSpec[] = [];
  const accounts: AccountSpec[] = [];
  for (const v of Object.values(vendors)) {
    if (!v.description) continue;
    push.push({ id: v.id, label: v.label, description: v.description });
    accounts.push({
      type: `hrflow-${v.id}-config`,
      id: v.id,
      label: v.label,
      usedBy: [`hrflow-${v.id}`],
      description: v.description.account,
      errors: v.description.errors,
    });
  }
  const api = optionalRequire<{ hrflowApiDescription?: AccountDescription }>('../../src/hrflow/description');
  if (api?.hrflowApiDescription) {
    accounts.push({
      type: 'hrflow-api',
      id: 'hrflow',
      label: 'HrFlow API',
      usedBy: ['hrflow-profile'],
      description: api.hrflowApiDescription,
      defaultLabel: { en: 'HrFlow API', fr: 'API HrFlow' },
    });
  }
  return { push, accounts };
}

/** A module that may not exist yet (written by another change); undefined when it does not. */
function optionalRequire<M>(id: string): M | undefined {
  try {
    return require(id) as M;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(path.basename(id))) return undefined;
    throw err;
  }
}

/** The status catalogue of push nodes (nodes/lib/status-text.ts), when it exists. */
function statusTexts(): ((lang: Lang) => Record<string, string>) | undefined {
  return optionalRequire<{ statusCatalogue?: (lang: Lang) => Record<string, string> }>('../lib/status-text')?.statusCatalogue;
}

/** Reads nodes/help/<lang>/<type>.html under `root`. */
export function fragmentReader(root: string): FragmentReader {
  return (type, lang) => {
    const p = path.join(root, 'nodes', 'help', lang, `${type}.html`);
    return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
  };
}

/** Writes one generated node's files under `out` (dist/nodes). */
export function writeNode(out: string, node: GeneratedNode): void {
  fs.writeFileSync(path.join(out, `${node.type}.html`), node.html);
  for (const { dir } of T.LANGS) {
    const locales = path.join(out, 'locales', dir);
    fs.mkdirSync(locales, { recursive: true });
    fs.writeFileSync(path.join(locales, `${node.type}.json`), `${JSON.stringify(node.catalogues[dir], null, 4)}\n`);
    fs.writeFileSync(path.join(locales, `${node.type}.html`), node.help[dir]);
  }
}

/**
 * The build step: generates every described type into `<root>/dist/nodes`. Returns the types written.
 * Throws on a described type whose files cannot be made (the build must fail, not ship half an editor).
 */
export function generate(root: string, log: (m: string) => void = console.log): string[] {
  const out = path.join(root, 'dist', 'nodes');
  fs.mkdirSync(out, { recursive: true });
  const opts: Options = {
    client: fs.readFileSync(path.join(root, 'nodes', 'editor', 'client.js'), 'utf8'),
    status: statusTexts(),
    fragments: fragmentReader(root),
    warn: (m) => log(`generate: warning: ${m}`),
  };
  if (!opts.status) log('generate: warning: nodes/lib/status-text.ts not found: push node catalogues have no status texts');
  const { push, accounts } = describedSpecs();
  const written: string[] = [];
  for (const spec of push) {
    writeNode(out, pushNode(spec, opts));
    written.push(`hrflow-${spec.id}`);
  }
  for (const spec of accounts) {
    writeNode(out, configNode(spec, opts));
    written.push(spec.type);
  }
  log(`generate: ${written.length} node type(s) generated${written.length ? `: ${written.join(', ')}` : ''}`);
  return written;
}

if (require.main === module) {
  try {
    generate(path.resolve(__dirname, '..', '..', '..'));
  } catch (err) {
    console.error(`generate failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  }
}
