/**
 * "Scorecard-lite" and static editor checks (no Node-RED, no browser, no extra dependency).
 *
 * - package.json: the offline subset of the Flow Library scorecard (P01, P03-P07, D01) plus what the
 *   loader needs (every listed node has its editor HTML and TypeScript source).
 * - editor HTML: the `<script type="text/javascript">` blocks run in a `node:vm` sandbox whose
 *   `RED.nodes.registerType` records the definitions; they are checked against docs/INTERFACE.md
 *   (type names, defaults, credentials) and against the edit template (one input per property).
 * - locales: help text sections, and every i18n key used by the editor exists in the catalogue.
 * - generated types (nodes/editor/generate.ts, for every type a description describes): the checks
 *   above run on the GENERATED files in dist/nodes, in en-US and fr, plus the editor DOM contract
 *   (Test connection, pickers, msg hints) and the error table (exactly `description.errors`).
 *   Other types are checked in their hand-written nodes/ files (copied as they are to dist/nodes).
 * - examples: N02 (every non-config type is in an example), valid export shape, no secrets.
 * - scripts/copy-assets.js: icons, editor HTML and locales end up beside the built node files.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { describedSpecs, type AccountSpec, type PushSpec } from '../../nodes/editor/generate';
import { HEADINGS } from '../../nodes/editor/texts';

// ---------------------------------------------------------------------------------------------
// Locating sources

/** The folder holding package.json with a "node-red" section, walking up from this file. */
function findRoot(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      try {
        if (JSON.parse(fs.readFileSync(candidate, 'utf8'))['node-red']) return dir;
      } catch {
        // not ours, keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json with a "node-red" section above ${start}`);
    dir = parent;
  }
}

const ROOT = findRoot(__dirname);
const rel = (...parts: string[]) => path.join(ROOT, ...parts);
const read = (...parts: string[]) => fs.readFileSync(rel(...parts), 'utf8');

interface Pkg {
  name: string;
  license?: string;
  repository?: unknown;
  bugs?: unknown;
  keywords?: string[];
  engines?: { node?: string };
  files?: string[];
  dependencies?: Record<string, string>;
  'node-red': { version?: string; nodes: Record<string, string> };
}

const pkg = JSON.parse(read('package.json')) as Pkg;

// ---------------------------------------------------------------------------------------------
// Described (generated) types and where each editor file is read from

const described = describedSpecs();
const describedPush = new Map<string, PushSpec>(described.push.map((p) => [`hrflow-${p.id}`, p]));
const describedAccounts = new Map<string, AccountSpec>(described.accounts.map((a) => [a.type, a]));
const isGenerated = (type: string) => describedPush.has(type) || describedAccounts.has(type);
/** The locale folders: every generated type ships both; hand-written ones at least en-US. */
const LOCALES = ['en-US', 'fr'] as const;

/**
 * The editor file of a type: the generated one in dist/nodes for a described type (the build wrote it),
 * else the hand-written one in nodes/. `parts` is relative to nodes/ ("hrflow-api.html",
 * "locales/en-US/hrflow-api.json").
 */
function editorPath(type: string, ...parts: string[]): string {
  return isGenerated(type) ? rel('dist', 'nodes', ...parts) : rel('nodes', ...parts);
}
const listedNodes = pkg['node-red'].nodes;
/** Node type -> base name of its files ("dist/nodes/hrflow-api.js" -> "hrflow-api"). */
const baseNames: Record<string, string> = Object.fromEntries(
  Object.entries(listedNodes).map(([set, file]) => [set, path.basename(file).replace(/\.c?js$/, '')]),
);

// ---------------------------------------------------------------------------------------------
// A tiny version-range check (enough for ">=4.0.0", ">=20", ">=1 <3", "a || b"). No semver dependency.

function parseVersion(v: string): [number, number, number] {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v.trim());
  if (!m) throw new Error(`unsupported version "${v}"`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export function admits(range: string, version: string): boolean {
  const v = parseVersion(version);
  return range.split('||').some((alternative) => {
    const comparators = alternative.trim().split(/\s+/).filter(Boolean);
    if (comparators.length === 0 || (comparators.length === 1 && (comparators[0] === '*' || comparators[0] === 'x'))) return true;
    return comparators.every((c) => {
      const m = /^(>=|<=|>|<|=)?\s*(v?\d+(?:\.\d+){0,2})$/.exec(c);
      if (!m) throw new Error(`unsupported range comparator "${c}" in "${range}" (only >=, >, <=, <, = are understood)`);
      const cmp = compareVersions(v, parseVersion(m[2]));
      switch (m[1] ?? '=') {
        case '>=': return cmp >= 0;
        case '>': return cmp > 0;
        case '<=': return cmp <= 0;
        case '<': return cmp < 0;
        default: return cmp === 0;
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// docs/INTERFACE.md: the public names

interface InterfaceRow {
  type: string;
  kind: string;
  defaults: string[];
  configRefs: Record<string, string>;
  /** Config references the row marks `optional` (`store`, issue 14): not required. */
  optionalRefs: Set<string>;
  credentials: Record<string, 'password' | 'text'>;
}

function parseInterface(): { rows: Map<string, InterfaceRow>; errorCodes: string[] } {
  const text = read('docs', 'INTERFACE.md');
  const rows = new Map<string, InterfaceRow>();
  for (const line of text.split('\n')) {
    if (!/^\|\s*`hrflow-[\w-]+`\s*\|/.test(line)) continue;
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    // cells: ["", type, kind, defaults, credentials, ""]
    const type = cells[1].replace(/`/g, '');
    let defaultsCell = cells[3];
    const configRefs: Record<string, string> = {};
    const optionalRefs = new Set<string>();
    for (const m of defaultsCell.matchAll(/`([a-z_][a-z0-9_]*)`\s*\(type\s+`([\w-]+)`(,\s*optional\b)?/g)) {
      configRefs[m[1]] = m[2];
      if (m[3]) optionalRefs.add(m[1]);
    }
    // Drop every parenthesised remark, then the remaining `names` are the properties.
    for (let previous = ''; previous !== defaultsCell; ) {
      previous = defaultsCell;
      defaultsCell = defaultsCell.replace(/\([^()]*\)/g, '');
    }
    const defaults = [...defaultsCell.matchAll(/`([a-z_][a-z0-9_]*)`/g)].map((m) => m[1]);
    const credentials: Record<string, 'password' | 'text'> = {};
    for (const m of cells[4].matchAll(/`([a-z_][a-z0-9_]*)`\s*\((password|text)/g)) credentials[m[1]] = m[2] as 'password' | 'text';
    rows.set(type, { type, kind: cells[2], defaults, configRefs, optionalRefs, credentials });
  }
  const among = /msg\.error\.code`\s+among\s+`([^`]+)`/.exec(text);
  const errorCodes = among ? among[1].split(/[\s,]+/).filter((c) => /^[A-Z_]{4,}$/.test(c)) : [];
  return { rows, errorCodes };
}

const iface = parseInterface();

// ---------------------------------------------------------------------------------------------
// Editor HTML: script blocks, templates, definitions

interface ScriptBlock {
  attrs: Record<string, string>;
  body: string;
}

function scriptBlocks(html: string): ScriptBlock[] {
  const out: ScriptBlock[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1].toLowerCase()] = a[2] ?? a[3];
    out.push({ attrs, body: m[2] });
  }
  return out;
}

type Validator = (this: unknown, v: unknown) => unknown;
interface PropDef {
  value?: unknown;
  required?: boolean;
  type?: string;
  validate?: Validator;
}
interface NodeDefinition {
  category: string;
  color: string;
  icon: string;
  inputs: number;
  outputs: number;
  align?: string;
  defaults: Record<string, PropDef>;
  credentials?: Record<string, { type: string }>;
  label: string | ((this: unknown) => string);
  paletteLabel?: unknown;
  inputLabels?: unknown;
  outputLabels?: unknown;
  oneditprepare?: unknown;
}

/** A jQuery stand-in: any property or call gives itself back; `length` is 0 (no element found). */
function fakeJQuery(): unknown {
  const target = function () {
    return undefined;
  };
  const proxy: unknown = new Proxy(target, {
    get: (_t, prop) => (prop === 'length' ? 0 : prop === Symbol.toPrimitive ? () => '' : proxy),
    apply: () => proxy,
  });
  return proxy;
}

/** Run the definition scripts of one HTML file; returns what `RED.nodes.registerType` received. */
function loadDefinitions(js: string[], filename: string): Map<string, NodeDefinition> {
  const registered = new Map<string, NodeDefinition>();
  const noop = () => undefined;
  const RED = {
    nodes: {
      registerType: (type: string, def: NodeDefinition) => {
        assert.equal(registered.has(type), false, `${filename}: ${type} registered twice`);
        registered.set(type, def);
      },
      node: () => null,
      getType: () => null,
    },
    validators: {
      number: () => (v: unknown) => String(v).trim() !== '' && !Number.isNaN(Number(v)),
      regex: (re: RegExp) => (v: unknown) => re.test(String(v)),
      typedInput: () => () => true,
    },
    _: (key: string) => key,
    editor: {
      createEditor: () => ({ getValue: () => '', setValue: noop, destroy: noop, focus: noop, resize: noop }),
      editJavaScript: noop,
      editExpression: noop,
      prepareConfigNodeSelect: noop,
    },
    popover: { tooltip: noop },
    settings: {},
    events: { on: noop, off: noop },
  };
  const jq = fakeJQuery();
  const context = vm.createContext({ RED, $: jq, jQuery: jq, console, setTimeout, clearTimeout });
  js.forEach((code, i) => vm.runInContext(code, context, { filename: `${filename}#script${i + 1}` }));
  return registered;
}

interface EditorFile {
  type: string;
  file: string;
  html: string;
  js: string[];
  templates: Map<string, string>;
  defs: Map<string, NodeDefinition>;
}

const editorFiles: EditorFile[] = Object.entries(baseNames)
  .filter(([type, base]) => fs.existsSync(editorPath(type, `${base}.html`)))
  .map(([type, base]) => {
    const file = path.relative(ROOT, editorPath(type, `${base}.html`));
    const html = fs.readFileSync(editorPath(type, `${base}.html`), 'utf8');
    const blocks = scriptBlocks(html);
    const js = blocks.filter((b) => b.attrs.type === 'text/javascript').map((b) => b.body);
    const templates = new Map(
      blocks.filter((b) => b.attrs.type === 'text/html' && b.attrs['data-template-name']).map((b) => [b.attrs['data-template-name'], b.body]),
    );
    return { type, file, html, js, templates, defs: loadDefinitions(js, file) };
  });

const allDefs = new Map<string, NodeDefinition>();
for (const f of editorFiles) for (const [t, d] of f.defs) allDefs.set(t, d);
const configTypes = new Set([...allDefs].filter(([, d]) => d.category === 'config').map(([t]) => t));

/** Same-realm copy of a value created inside the vm (deepStrictEqual compares prototypes). */
const plain = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

function elementIds(template: string): Set<string> {
  return new Set([...template.matchAll(/\bid\s*=\s*"([^"]+)"/g)].map((m) => m[1]));
}

function tagWithId(template: string, id: string): string | undefined {
  for (const m of template.matchAll(/<(input|select|textarea|div|ol|ul)\b[^>]*>/gi)) {
    if (new RegExp(`\\bid\\s*=\\s*"${id.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')}"`).test(m[0])) return m[0];
  }
  return undefined;
}

function labelOf(def: NodeDefinition, self: Record<string, unknown>): unknown {
  return typeof def.label === 'function' ? def.label.call(self) : def.label;
}

function catalogue(base: string, lang: string = 'en-US'): Record<string, unknown> | undefined {
  const p = editorPath(base, 'locales', lang, `${base}.json`);
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>) : undefined;
}

function lookup(cat: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), cat);
}

/** i18n keys used by a template (`data-i18n="[attr]key;key2"`) and by the scripts (`_("key")`). */
function i18nKeys(template: string, js: string[]): string[] {
  const keys: string[] = [];
  for (const m of template.matchAll(/data-i18n\s*=\s*"([^"]*)"/g)) {
    for (const part of m[1].split(';')) {
      const key = part.trim().replace(/^\[[^\]]*\]/, '');
      if (key) keys.push(key);
    }
  }
  for (const code of js) for (const m of code.matchAll(/\b_\(\s*["']([^"']+)["']/g)) keys.push(m[1]);
  return keys;
}

// ---------------------------------------------------------------------------------------------

describe('package: scorecard-lite', function () {
  it('P01/P03/P04/P05: license, repository or bugs, scoped name, node-red keyword', function () {
    assert.ok(typeof pkg.license === 'string' && pkg.license.trim() !== '', 'license is set');
    assert.ok(pkg.repository || pkg.bugs, 'repository or bugs is set');
    assert.match(pkg.name, /^@[a-z0-9][a-z0-9._~-]*\/[a-z0-9][a-z0-9._~-]*$/, 'name is scoped');
    assert.ok(Array.isArray(pkg.keywords) && pkg.keywords.includes('node-red'), 'keywords include node-red');
  });

  it('P06: node-red.version admits Node-RED 4.1.15 and 5.0.7', function () {
    const range = pkg['node-red'].version;
    assert.ok(range, 'node-red.version is set');
    for (const v of ['4.1.15', '5.0.7']) assert.ok(admits(range, v), `node-red.version "${range}" admits ${v}`);
  });

  it('P07: engines.node admits Node 20, Node 22.9 and the running Node', function () {
    const range = pkg.engines?.node;
    assert.ok(range, 'engines.node is set');
    for (const v of ['20.0.0', '22.9.0', process.versions.node]) assert.ok(admits(range, v), `engines.node "${range}" admits ${v}`);
  });

  it('the version check understands what it claims to', function () {
    assert.equal(admits('>=4.0.0', '5.0.7'), true);
    assert.equal(admits('>=4.1.16', '4.1.15'), false);
    assert.equal(admits('>=20', '22.9.0'), true);
    assert.equal(admits('>=18 <22', '22.9.0'), false);
    assert.equal(admits('<4 || >=5', '5.0.7'), true);
    assert.throws(() => admits('^4.0.0', '4.1.0'), /unsupported/);
  });

  it('D01: at most 6 runtime dependencies; node-red is not one of them', function () {
    const deps = Object.keys(pkg.dependencies ?? {});
    assert.ok(deps.length <= 6, `${deps.length} dependencies: ${deps.join(', ')}`);
    assert.ok(!deps.includes('node-red'), 'node-red is a devDependency');
  });

  it('"files" ships the examples and the built nodes', function () {
    const files = (pkg.files ?? []).map((f) => f.replace(/^\.\//, '').replace(/\/+$/, ''));
    const ships = (p: string) => files.some((f) => f === p || p.startsWith(`${f}/`));
    assert.ok(ships('examples'), `files ${JSON.stringify(pkg.files)} include examples`);
    assert.ok(ships('dist/nodes'), `files ${JSON.stringify(pkg.files)} include dist/nodes`);
  });

  it('every listed node is dist/nodes/<name>.js built from nodes/<name>.ts (its nodes/<name>.html: see "editor HTML")', function () {
    assert.ok(Object.keys(listedNodes).length > 0, 'node-red.nodes lists nodes');
    for (const [type, file] of Object.entries(listedNodes)) {
      assert.match(file, /^(?:\.\/)?dist\/nodes\/[\w-]+\.js$/, `${type}: ${file}`);
      assert.equal(baseNames[type], type, `${type} lives in files named after its type`);
      assert.ok(fs.existsSync(rel('nodes', `${baseNames[type]}.ts`)), `nodes/${baseNames[type]}.ts exists`);
    }
  });

  it('the node types are exactly the ones of docs/INTERFACE.md', function () {
    assert.deepEqual([...Object.keys(listedNodes)].sort(), [...iface.rows.keys()].sort());
  });
});

describe('editor HTML', function () {
  it('exists for every listed node (hand-written in nodes/, or generated in dist/nodes)', function () {
    const missing = Object.entries(baseNames).filter(([type, base]) => !fs.existsSync(editorPath(type, `${base}.html`)));
    assert.deepEqual(missing.map(([type]) => type), [], 'listed nodes without their editor HTML');
  });

  // One block per editor file that exists (a missing one fails the test above once, not every check).
  for (const [type, base] of Object.entries(baseNames).filter(([t, b]) => fs.existsSync(editorPath(t, `${b}.html`)))) {
    const shown = path.relative(ROOT, editorPath(type, `${base}.html`));
    describe(`${type} (${shown})`, function () {
      const file = () => {
        const f = editorFiles.find((e) => e.type === type);
        assert.ok(f, `${shown} exists`);
        return f;
      };
      const def = () => {
        const d = file().defs.get(type);
        assert.ok(d, `registerType("${type}", …) is called`);
        return d;
      };
      const template = () => {
        const t = file().templates.get(type);
        assert.ok(t !== undefined, `<script type="text/html" data-template-name="${type}"> exists`);
        return t;
      };
      const row = () => {
        const r = iface.rows.get(type);
        assert.ok(r, `${type} is in docs/INTERFACE.md`);
        return r;
      };
      const prefix = () => (def().category === 'config' ? 'node-config-input' : 'node-input');

      it('registers exactly this type, with a literal definition (what node-red-dev reads)', function () {
        assert.deepEqual([...file().defs.keys()], [type]);
        const js = file().js.join('\n');
        assert.match(js, new RegExp(`registerType\\(\\s*["']${type}["']\\s*,\\s*\\{`), 'registerType("<type>", { … })');
        for (const key of ['category', 'color', 'icon']) {
          assert.match(js, new RegExp(`\\b${key}\\s*:\\s*(["'])[^"']+\\1`), `${key} is a string literal`);
        }
        for (const key of ['inputs', 'outputs']) assert.match(js, new RegExp(`\\b${key}\\s*:\\s*\\d+\\s*[,}\\n]`), `${key} is a number literal`);
        assert.match(js, /\bdefaults\s*:\s*\{/, 'defaults is an inline object');
        if (def().credentials) assert.match(js, /\bcredentials\s*:\s*\{/, 'credentials is an inline object');
      });

      it('category, colour, ports, labels and icon', function () {
        const d = def();
        const isConfig = row().kind === 'config';
        assert.equal(d.category, isConfig ? 'config' : 'HrFlow');
        assert.equal(d.color, '#8FB5E3');
        assert.ok(fs.existsSync(rel('icons', d.icon)), `icons/${d.icon} exists`);
        assert.match(d.icon, /^hrflow-[\w-]+\.svg$/, 'icon file name is prefixed (icon names are global)');
        const label = labelOf(d, {});
        assert.ok(typeof label === 'string' && label.trim() !== '', `label.call({}) gives a name (${String(label)})`);
        assert.equal(labelOf(d, { name: 'My node' }), 'My node', 'label is this.name when set');
        assert.ok(typeof d.paletteLabel === 'string' && d.paletteLabel.trim() !== '', 'paletteLabel');
        if (isConfig) {
          assert.equal(d.inputs, 0);
          assert.equal(d.outputs, 0);
        } else {
          // A trigger (hrflow-webhook) starts a flow: no input.
          assert.equal(d.inputs, row().kind.startsWith('trigger') ? 0 : 1);
          assert.equal(d.outputs, type === 'hrflow-logic' || type === 'hrflow-profiles' ? 2 : 1);
          if (d.inputs) assert.ok(d.inputLabels !== undefined, 'inputLabels');
          assert.ok(d.outputLabels !== undefined, 'outputLabels');
        }
        if (type === 'hrflow-logic') assert.deepEqual(plain(d.outputLabels), ['kept', 'filtered']);
        if (row().kind.startsWith('push')) assert.equal(d.align, 'right', 'push nodes end a flow: align right');
      });

      it('defaults are the properties of docs/INTERFACE.md', function () {
        assert.deepEqual(Object.keys(def().defaults).sort(), [...row().defaults].sort());
        for (const [prop, configType] of Object.entries(row().configRefs)) {
          assert.equal(def().defaults[prop].type, configType, `${prop} references a ${configType} config node`);
          if (row().optionalRefs.has(prop)) assert.equal(def().defaults[prop].required, false, `${prop} is optional (required: false)`);
          else assert.equal(def().defaults[prop].required, true, `${prop} is required`);
        }
      });

      it('credentials are the ones of docs/INTERFACE.md; secrets are passwords and never defaults', function () {
        const creds = Object.fromEntries(Object.entries(def().credentials ?? {}).map(([k, v]) => [k, v.type]));
        assert.deepEqual(creds, row().credentials);
        for (const [name, kind] of Object.entries(creds)) {
          assert.ok(!(name in def().defaults), `${name} is not in defaults`);
          const tag = tagWithId(template(), `${prefix()}-${name}`);
          assert.ok(tag, `an input #${prefix()}-${name} exists`);
          if (kind === 'password') assert.match(tag, /\btype\s*=\s*"password"/, `#${prefix()}-${name} is type="password"`);
        }
        for (const name of Object.keys(def().defaults)) {
          assert.doesNotMatch(name, /secret|token|password|api_key/i, `${name} looks like a secret: make it a credential`);
        }
      });

      it('every property has its input in the edit template', function () {
        const ids = elementIds(template());
        for (const [name, prop] of Object.entries(def().defaults)) {
          const id = `${prefix()}-${name}`;
          const ok = ids.has(id) || (Array.isArray(prop.value) && ids.has(`${id}-container`));
          assert.ok(ok, `#${id}${Array.isArray(prop.value) ? ` (or #${id}-container)` : ''} exists in the template`);
        }
        assert.match(template(), /class="form-row"/, 'uses form-row layout');
        assert.match(template(), /<i class="fa fa-[\w-]+"><\/i>/, 'labels carry Font Awesome icons');
        assert.match(template(), /class="form-tips/, 'has a form tip');
      });

      // Generated types ship both languages; hand-written ones (hrflow-profile, hrflow-logic) what they have.
      const langs = () => (isGenerated(type) ? [...LOCALES] : LOCALES.filter((l) => l === 'en-US' || fs.existsSync(editorPath(type, 'locales', l, `${base}.json`))));

      it('every i18n key used exists in its message catalogues (en-US and fr when generated)', function () {
        const keys = i18nKeys(template(), file().js);
        assert.ok(keys.length > 0, 'the template uses data-i18n');
        for (const lang of langs()) {
          const where = path.relative(ROOT, editorPath(type, 'locales', lang, `${base}.json`));
          const cat = catalogue(base, lang);
          assert.ok(cat, `${where} exists`);
          assert.ok(cat[type] && typeof cat[type] === 'object', `the catalogue is rooted at "${type}"`);
          for (const key of keys) {
            assert.ok(key.startsWith(`${type}.`), `${key} is rooted at the type name`);
            assert.equal(typeof lookup(cat, key), 'string', `${key} exists in ${where}`);
          }
        }
      });

      it('has help with Inputs, Outputs, Details, Errors and References (each language)', function () {
        for (const lang of langs()) {
          const p = editorPath(type, 'locales', lang, `${base}.html`);
          const where = path.relative(ROOT, p);
          assert.ok(fs.existsSync(p), `${where} exists`);
          const blocks = scriptBlocks(fs.readFileSync(p, 'utf8')).filter((b) => b.attrs['data-help-name'] === type);
          assert.equal(blocks.length, 1, `${where}: one data-help-name="${type}" block`);
          const help = blocks[0].body;
          assert.match(help.trim(), /^<p>/, `${where} starts with a summary paragraph`);
          const headings = [...help.matchAll(/<h([34])>([\s\S]*?)<\/h\1>/g)].map((m) => m[2].trim());
          assert.deepEqual(headings.filter((h, i) => headings.indexOf(h) !== i), [], `${where}: a heading appears twice (a fragment repeating a generated section?)`);
          const key = lang === 'fr' ? 'fr' : 'en';
          const sections = isGenerated(type) ? ['inputs', 'outputs', 'details', 'errors', 'references'] : ['inputs', 'outputs', 'details', 'references'];
          for (const h of sections) assert.match(help, new RegExp(`<h3>${HEADINGS[h][key]}</h3>`), `${where}: <h3>${HEADINGS[h][key]}</h3>`);
          if (row().kind !== 'config') {
            assert.match(help, /<dl class="message-properties">/, 'message properties list');
            assert.match(help, /<span class="property-type">/, 'property types');
            const spec = describedPush.get(type);
            if (spec) {
              // The shared error table lists exactly the codes the vendor raises, in its order.
              const errors = /<h3>[^<]+<\/h3>\s*<p>[\s\S]*?<\/p>\s*<dl class="message-properties">([\s\S]*?)<\/dl>/.exec(help.slice(help.indexOf(`<h3>${HEADINGS.errors[key]}</h3>`)));
              assert.ok(errors, `${where}: the error table`);
              assert.deepEqual([...errors[1].matchAll(/<dt>([A-Z_]+)<\/dt>/g)].map((m) => m[1]), [...spec.description.errors], `${where}: errors = description.errors`);
            } else if (!row().kind.startsWith('trigger')) {
              for (const code of iface.errorCodes) assert.match(help, new RegExp(`\\b${code}\\b`), `explains ${code}`);
            }
          }
          if (Object.keys(row().credentials).length > 0 || Object.keys(row().configRefs).length > 0) {
            assert.match(help, /\$\{[A-Z_]+\}/, 'explains ${ENV_VAR} in credentials');
            if (key === 'en') assert.match(help, /never exported/i, 'says credentials are never exported');
            else assert.match(help, /jamais exportés/i, 'says credentials are never exported');
          }
        }
      });

      if (isGenerated(type)) {
        it('generated: the editor DOM contract (Test connection, pickers, msg hints) and the shared client once', function () {
          const tmpl = template();
          const html = file().html;
          assert.equal((html.match(/root\.__hrflowConnectorsEditor = api;/g) ?? []).length, 1, 'the client is inlined once');
          const push = describedPush.get(type);
          if (push) {
            for (const f of push.description.params) {
              const picker = new RegExp(`<button\\b[^>]*class="[^"]*\\bhrflow-picker\\b[^"]*"[^>]*data-field="${f.name}"`);
              if (f.picker) assert.match(tmpl, picker, `.hrflow-picker[data-field="${f.name}"]`);
              else assert.doesNotMatch(tmpl, picker, `no picker for ${f.name}`);
              const hint = new RegExp(`class="hrflow-msg-hint" data-field="${f.name}"`);
              if (f.msg) assert.match(tmpl, hint, `.hrflow-msg-hint[data-field="${f.name}"]`);
              if (f.msg) assert.notEqual(def().defaults[f.name].required, true, `${f.name}: msg fields are never required`);
            }
            for (const list of new Set(push.description.params.map((f) => f.picker).filter(Boolean))) {
              for (const lang of LOCALES) assert.equal(typeof lookup(catalogue(base, lang) ?? {}, `${type}.picker.list.${list}`), 'string', `${lang}: picker title for ${list}`);
            }
            for (const lang of LOCALES) {
              const status = lookup(catalogue(base, lang) ?? {}, `${type}.status`);
              assert.ok(status && typeof status === 'object', `${lang}: status texts`);
            }
          } else {
            assert.match(tmpl, /<button\b[^>]*id="hrflow-test-connection"/, '#hrflow-test-connection');
            assert.match(tmpl, /id="hrflow-test-result"/, '#hrflow-test-result');
            const account = describedAccounts.get(type) as AccountSpec;
            for (const f of account.description.fields.filter((x) => x.credential && x.required)) {
              assert.equal(def().credentials?.[f.name] && (def().credentials?.[f.name] as { required?: boolean }).required, true, `${f.name} is flagged when missing`);
            }
          }
        });
      }
    });
  }
});

describe('editor behaviour details', function () {
  const def = (type: string) => {
    const d = allDefs.get(type);
    assert.ok(d, `${type} is registered`);
    return d;
  };
  const valid = (type: string, prop: string, value: unknown, self: Record<string, unknown> = {}) => {
    const p = def(type).defaults[prop];
    // As the editor does: `required` only refuses "", then `validate` runs (a `${ENV_VAR}` is always accepted).
    if (p.required && value === '') return false;
    if (typeof value === 'string' && /^\$\{[a-zA-Z_][a-zA-Z0-9_]*\}$/.test(value)) return true;
    return p.validate ? p.validate.call(self, value) === true : true;
  };

  it('Test connection tips read as one sentence ("it reads…", "elle lit…"), in each language', function () {
    for (const type of ['hrflow-api', 'hrflow-smartrecruiters-config', 'hrflow-recruitee-config', 'hrflow-broadbean-config', 'hrflow-flatchr-config', 'hrflow-taleez-config']) {
      for (const lang of ['en-US', 'fr']) {
        const p = path.join(ROOT, 'dist', 'nodes', 'locales', lang, `${type}.json`);
        if (!fs.existsSync(p)) continue;
        const tip = String(JSON.parse(fs.readFileSync(p, 'utf8'))[type]?.tip?.test ?? '');
        assert.doesNotMatch(tip, /\b(?:it|elle) [A-ZÀ-Ý][a-zà-ÿ]/, `${lang}/${type}: ${tip.slice(0, 160)}`);
      }
    }
  });

  it('Broadbean: an unnamed account is labelled by its client id (as before the generated editor)', function () {
    const d = def('hrflow-broadbean-config');
    assert.equal(labelOf(d, { source_id: 'src-1', client_id: 'client-9', base_url: 'https://candidatehub.adcourier.com' }), 'Broadbean client-9');
  });

  it('Recruitee: an unnamed staging account says so (as before the generated editor)', function () {
    const d = def('hrflow-recruitee-config');
    assert.equal(labelOf(d, { company_id: '42', recruitee_endpoint: 'https://api.s.recruitee.com/c' }), 'Recruitee 42 (Staging)');
  });

  it('the error codes of docs/INTERFACE.md were found', function () {
    assert.ok(iface.errorCodes.length >= 10, iface.errorCodes.join(', '));
    assert.ok(iface.errorCodes.includes('HRFLOW_NOT_FOUND'));
  });

  it('base URLs must be http(s) URLs', function () {
    for (const [type, prop] of [
      ['hrflow-api', 'base_url'], ['hrflow-smartrecruiters-config', 'base_url'], ['hrflow-recruitee-config', 'recruitee_endpoint'],
      ['hrflow-broadbean-config', 'base_url'], ['hrflow-flatchr-config', 'careers_url'], ['hrflow-flatchr-config', 'base_url'],
      ['hrflow-taleez-config', 'base_url'],
    ]) {
      for (const ok of ['https://api.example.com', 'http://127.0.0.1:3000/v1', 'https://api.s.recruitee.com/c']) {
        assert.equal(valid(type, prop, ok), true, `${type}.${prop} accepts ${ok}`);
      }
      for (const bad of ['', 'api.example.com', 'ftp://example.com', 'https://', 'http://exa mple.com']) {
        assert.equal(valid(type, prop, bad), false, `${type}.${prop} refuses "${bad}"`);
      }
    }
  });

  it('default values follow docs/INTERFACE.md', function () {
    assert.equal(def('hrflow-api').defaults.base_url.value, 'https://api.hrflow.ai/v1');
    assert.equal(def('hrflow-smartrecruiters-config').defaults.base_url.value, 'https://api.smartrecruiters.com');
    assert.equal(def('hrflow-recruitee-config').defaults.recruitee_endpoint.value, 'https://api.recruitee.com/c');
    assert.equal(def('hrflow-recruitee-config').defaults.company_id.required, true);
    assert.equal(def('hrflow-profile').defaults.timeout.value, 30000);
    assert.equal(def('hrflow-logic').defaults.format_type.value, 'none');
    assert.equal(def('hrflow-logic').defaults.format_vendor.value, '');
    assert.deepEqual(plain(def('hrflow-logic').defaults.logics.value), []);
    const sr = def('hrflow-smartrecruiters').defaults;
    assert.equal(sr.upload_cv.value, true);
    assert.equal(def('hrflow-broadbean-config').defaults.base_url.value, 'https://candidatehub.adcourier.com');
    assert.equal(def('hrflow-broadbean-config').defaults.source_id.required, true);
    assert.equal(def('hrflow-broadbean-config').defaults.client_id.required, true);
    assert.equal(def('hrflow-flatchr-config').defaults.careers_url.value, 'https://careers.flatchr.io');
    assert.equal(def('hrflow-flatchr-config').defaults.base_url.value, 'https://api.flatchr.io');
    assert.notEqual(def('hrflow-flatchr-config').defaults.company.required, true, 'company is only needed for the lookup');
    assert.equal(def('hrflow-taleez-config').defaults.base_url.value, 'https://api.taleez.com/0');
    const fl = def('hrflow-flatchr').defaults;
    assert.equal(fl.test_mode.value, false);
    assert.equal(fl.cv_mode.value, 'link');
    assert.equal(fl.lookup_id.value, false);
    for (const type of ['hrflow-smartrecruiters', 'hrflow-recruitee', 'hrflow-broadbean', 'hrflow-flatchr', 'hrflow-taleez']) {
      const d = def(type).defaults;
      assert.equal(d.timeout.value, 30000);
      assert.equal(d.retries.value, 3);
      assert.equal(d.retry_delay.value, 1000);
    }
  });

  it('timeout, retries and retry_delay are whole numbers >= 0', function () {
    const props: Array<[string, string]> = [
      ['hrflow-profile', 'timeout'],
      ['hrflow-smartrecruiters', 'timeout'], ['hrflow-smartrecruiters', 'retries'], ['hrflow-smartrecruiters', 'retry_delay'],
      ['hrflow-recruitee', 'timeout'], ['hrflow-recruitee', 'retries'], ['hrflow-recruitee', 'retry_delay'],
      ...['hrflow-broadbean', 'hrflow-flatchr', 'hrflow-taleez'].flatMap((t) => ['timeout', 'retries', 'retry_delay'].map((p): [string, string] => [t, p])),
    ];
    for (const [type, prop] of props) {
      for (const ok of [0, '0', 30000, '1000', ' 5 ']) assert.equal(valid(type, prop, ok), true, `${type}.${prop} accepts ${JSON.stringify(ok)}`);
      for (const bad of ['', '-1', 'abc', '1.5', -3]) assert.equal(valid(type, prop, bad), false, `${type}.${prop} refuses ${JSON.stringify(bad)}`);
    }
  });

  it('a node imported without its optional or numeric properties is still valid (runtime defaults apply)', function () {
    for (const [type, prop] of [
      ['hrflow-logic', 'logics'], ['hrflow-logic', 'format_type'], ['hrflow-logic', 'format_vendor'], ['hrflow-logic', 'format'],
      ['hrflow-profile', 'timeout'], ['hrflow-profile', 'source_key'],
      ['hrflow-smartrecruiters', 'timeout'], ['hrflow-smartrecruiters', 'retries'], ['hrflow-smartrecruiters', 'retry_delay'],
      ['hrflow-recruitee', 'offer_ids'], ['hrflow-recruitee', 'retry_delay'],
      ['hrflow-broadbean', 'aplitrak_email_address'], ['hrflow-broadbean', 'retries'],
      ['hrflow-flatchr', 'cv_mode'], ['hrflow-flatchr', 'lookup_id'], ['hrflow-flatchr', 'timeout'],
      ['hrflow-taleez', 'recruiter_id'], ['hrflow-taleez', 'job_id'], ['hrflow-taleez', 'pool_ids'], ['hrflow-taleez', 'retry_delay'],
    ]) {
      assert.equal(valid(type, prop, undefined), true, `${type}.${prop} missing`);
    }
  });

  it('SmartRecruiters job_id is optional in the editor (msg.job_id may give it)', function () {
    assert.notEqual(def('hrflow-smartrecruiters').defaults.job_id.required, true);
    assert.equal(valid('hrflow-smartrecruiters', 'job_id', ''), true);
    const tmpl = editorFiles.find((f) => f.type === 'hrflow-smartrecruiters')?.templates.get('hrflow-smartrecruiters') ?? '';
    assert.match(tagWithId(tmpl, 'node-input-job_id') ?? '', /placeholder/, 'job_id input has a placeholder');
    assert.equal(tagWithId(tmpl, 'node-input-upload_cv')?.match(/type="checkbox"/)?.[0], 'type="checkbox"');
  });

  it('Broadbean, Flatchr and Taleez: msg-overridable ids are optional in the editor', function () {
    for (const [type, prop] of [['hrflow-broadbean', 'job_id'], ['hrflow-flatchr', 'vacancy'], ['hrflow-taleez', 'recruiter_id']]) {
      assert.notEqual(def(type).defaults[prop].required, true, `${type}.${prop} is not required`);
      assert.equal(valid(type, prop, ''), true, `${type}.${prop} may be empty`);
      const tmpl = editorFiles.find((f) => f.type === type)?.templates.get(type) ?? '';
      assert.match(tagWithId(tmpl, `node-input-${prop}`) ?? '', /placeholder/, `${type}.${prop} input has a placeholder`);
    }
    const placeholders = catalogue('hrflow-broadbean')?.['hrflow-broadbean'] as Record<string, Record<string, string>>;
    assert.match(placeholders.placeholder.job_id, /msg\.job_id/);
    for (const ok of ['', 'jobs.1234@example.aplitrak.com']) assert.equal(valid('hrflow-broadbean', 'aplitrak_email_address', ok), true, `accepts "${ok}"`);
    assert.equal(valid('hrflow-broadbean', 'aplitrak_email_address', 'not an email'), false);
  });

  it('Taleez ids: whole numbers > 0; pool ids separated by commas', function () {
    for (const prop of ['recruiter_id', 'job_id']) {
      for (const ok of ['', '1', ' 1234 ', 42]) assert.equal(valid('hrflow-taleez', prop, ok), true, `${prop} accepts ${JSON.stringify(ok)}`);
      for (const bad of ['abc', '0', '-1', '1.5', '12a', '1, 2']) assert.equal(valid('hrflow-taleez', prop, bad), false, `${prop} refuses ${JSON.stringify(bad)}`);
    }
    for (const ok of ['', '12', '12, 34', ' 1,2 , 3 ']) assert.equal(valid('hrflow-taleez', 'pool_ids', ok), true, `pool_ids accepts "${ok}"`);
    for (const bad of ['abc', '1,,2', '1;2', '0', '-1', ',']) assert.equal(valid('hrflow-taleez', 'pool_ids', bad), false, `pool_ids refuses "${bad}"`);
  });

  it('Flatchr: CV mode select (link / document), test mode and lookup checkboxes', function () {
    const tmpl = editorFiles.find((f) => f.type === 'hrflow-flatchr')?.templates.get('hrflow-flatchr') ?? '';
    assert.ok(tagWithId(tmpl, 'node-input-cv_mode')?.startsWith('<select'), 'cv_mode is a select');
    const opts = /<select\b[^>]*id="node-input-cv_mode"[^>]*>([\s\S]*?)<\/select>/.exec(tmpl)?.[1] ?? '';
    assert.deepEqual([...opts.matchAll(/value="([^"]*)"/g)].map((m) => m[1]), ['link', 'document']);
    for (const v of ['link', 'document']) assert.equal(valid('hrflow-flatchr', 'cv_mode', v), true);
    assert.equal(valid('hrflow-flatchr', 'cv_mode', 'base64'), false);
    for (const id of ['node-input-test_mode', 'node-input-lookup_id']) assert.match(tagWithId(tmpl, id) ?? '', /type="checkbox"/, `${id} is a checkbox`);
    assert.equal(valid('hrflow-flatchr', 'lookup_id', true), true, 'the lookup is valid when the account cannot be checked');
    assert.equal(valid('hrflow-flatchr', 'lookup_id', false), true);
  });

  it('Recruitee offer_ids: empty or whole numbers separated by commas', function () {
    for (const ok of ['', '123', '123, 456', ' 1,2 , 3 ']) assert.equal(valid('hrflow-recruitee', 'offer_ids', ok), true, `accepts "${ok}"`);
    for (const bad of ['abc', '1,,2', '1;2', '-1', '12a', ',']) assert.equal(valid('hrflow-recruitee', 'offer_ids', bad), false, `refuses "${bad}"`);
  });

  it('Recruitee endpoint: Production / Staging / Custom choices storing the URL', function () {
    const tmpl = editorFiles.find((f) => f.type === 'hrflow-recruitee-config')?.templates.get('hrflow-recruitee-config') ?? '';
    // Hand-written: a select with a custom choice; generated: a text input with a datalist of the known URLs.
    const select = /<(?:select|datalist)\b[^>]*>([\s\S]*?)<\/(?:select|datalist)>/.exec(tmpl);
    assert.ok(select, 'a select or datalist exists');

    const values = [...select[1].matchAll(/value="([^"]*)"/g)].map((m) => m[1]);
    assert.ok(values.includes('https://api.recruitee.com/c'), 'production URL');
    assert.ok(values.includes('https://api.s.recruitee.com/c'), 'staging URL');
    if (isGenerated('hrflow-recruitee-config')) {
      assert.match(tagWithId(tmpl, 'node-config-input-recruitee_endpoint') ?? '', /type="text"[^>]*\blist="/, 'a free URL input offering the known ones');
    } else {
      assert.ok(values.some((v) => !/^https?:/.test(v)), 'a custom choice');
    }
  });

  it('hrflow-logic: logics, format type and vendor', function () {
    const d = def('hrflow-logic').defaults;
    assert.equal(valid('hrflow-logic', 'logics', []), true);
    assert.equal(valid('hrflow-logic', 'logics', [{ name: 'a', type: 'js', code: 'return profile;' }, { name: 'b', type: 'jsonata', code: 'true' }]), true);
    assert.equal(valid('hrflow-logic', 'logics', [{ name: 'a', type: 'python', code: '' }]), false);
    assert.equal(valid('hrflow-logic', 'logics', 'return profile;'), false);
    for (const t of ['none', 'js', 'jsonata']) assert.equal(valid('hrflow-logic', 'format_type', t), true);
    assert.equal(valid('hrflow-logic', 'format_type', 'python'), false);
    for (const v of ['', 'smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez']) {
      assert.equal(valid('hrflow-logic', 'format_vendor', v, { format_type: 'none' }), true, `vendor "${v}"`);
    }
    assert.equal(valid('hrflow-logic', 'format_vendor', 'workday', { format_type: 'none' }), false);
    assert.equal(valid('hrflow-logic', 'format_vendor', '', { format_type: 'js' }), false, 'a format needs a vendor');
    assert.equal(valid('hrflow-logic', 'format', '', { format_type: 'js' }), false, 'a format needs code');
    assert.equal(valid('hrflow-logic', 'format', '', { format_type: 'none' }), true);
    assert.ok(d.logics);

    const f = editorFiles.find((e) => e.type === 'hrflow-logic');
    assert.ok(f);
    const js = f.js.join('\n');
    assert.match(js, /editableList\(/, 'logics use an editableList');
    assert.match(js, /RED\.editor\.createEditor\(/, 'code editors');
    assert.match(js, /ace\/mode\/nrjavascript/);
    assert.match(js, /ace\/mode\/jsonata/);
    assert.match(js, /oneditsave\s*:/);
    assert.match(js, /oneditcancel\s*:/);
    assert.match(js, /\.destroy\(\)/, 'editors are destroyed');
    assert.ok(js.includes('// keep the profile: return profile;\\n// drop it: return null;\\nreturn profile;'), 'default logic code');
    assert.ok(js.includes("// defaults = the vendor's default payload (when a vendor is chosen)\\nreturn defaults;"), 'default format code');
    const tmpl = f.templates.get('hrflow-logic') ?? '';
    const vendorSelect = tagWithId(tmpl, 'node-input-format_vendor');
    assert.ok(vendorSelect?.startsWith('<select'), 'format_vendor is a select');
    const opts = /<select\b[^>]*id="node-input-format_vendor"[^>]*>([\s\S]*?)<\/select>/.exec(tmpl)?.[1] ?? '';
    assert.deepEqual([...opts.matchAll(/value="([^"]*)"/g)].map((m) => m[1]), ['', 'smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez']);
  });

  it('push and profile help say what users need to know', function () {
    const help = (base: string) => fs.readFileSync(editorPath(base, 'locales', 'en-US', `${base}.html`), 'utf8');
    const sr = help('hrflow-smartrecruiters');
    assert.match(sr, /candidate_id/);
    assert.match(sr, /RESUME/);
    assert.match(sr, /resume/);
    assert.match(sr, /original/);
    const rc = help('hrflow-recruitee');
    assert.match(rc, /candidate_id/);
    assert.match(rc, /remote_cv_url/);
    assert.match(rc, /original/);
    const bb = help('hrflow-broadbean');
    assert.match(bb, /candidate\.documents/);
    assert.match(bb, /success: 1/);
    assert.match(bb, /transaction id/);
    assert.match(bb, /original/);
    assert.match(help('hrflow-broadbean-config'), /5 minutes/);
    const fl = help('hrflow-flatchr');
    assert.match(fl, /no candidate id/);
    assert.match(fl, /Flatchr requires a\s+first name, a last name and a CV/);
    assert.match(fl, /\/vacancy\/candidate\/test/);
    assert.match(help('hrflow-flatchr-config'), /365 days/);
    const tz = help('hrflow-taleez');
    assert.match(tz, /PDF/);
    assert.match(tz, /msg\.steps/);
    assert.match(tz, /PARTIAL_PUSH/);
    assert.match(tz, /<code>FR<\/code> or <code>EN<\/code>/);
    assert.match(help('hrflow-taleez-config'), /100 requests per minute/);
    const profile = help('hrflow-profile');
    assert.match(profile, /HRFLOW_NOT_FOUND/);
    assert.match(profile, /AUTH_FAILED/);
    const logic = help('hrflow-logic');
    const ports = /<ol class="node-ports">([\s\S]*?)<\/ol>/.exec(logic);
    assert.ok(ports, 'the logic help lists its outputs in <ol class="node-ports">');
    assert.equal((ports[1].match(/<li>/g) ?? []).length, 2, 'two outputs');
  });

  it('the runtime registers the same credentials as the editor (when built)', async function () {
    const checked: string[] = [];
    for (const [type, file] of Object.entries(listedNodes)) {
      const js = rel(file);
      // Nodes without an editor file are reported by "editor HTML exists for every listed node".
      if (!allDefs.has(type) || !fs.existsSync(js)) continue;
      const editorCreds = allDefs.get(type)?.credentials;
      const calls = new Map<string, { credentials?: Record<string, { type: string }> } | undefined>();
      const noop = () => undefined;
      const RED = {
        nodes: {
          registerType: (t: string, _ctor: unknown, opts?: { credentials?: Record<string, { type: string }> }) => calls.set(t, opts),
          createNode: noop,
          getNode: () => null,
        },
        util: {},
        settings: {},
        log: { info: noop, warn: noop, error: noop, debug: noop, trace: noop },
        httpAdmin: { get: noop, post: noop },
        auth: { needsPermission: () => noop },
        _: (k: string) => k,
      };
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(js);
      const init = typeof mod === 'function' ? mod : mod?.default;
      assert.equal(typeof init, 'function', `${file} exports the init function`);
      await init(RED);
      assert.ok(calls.has(type), `${file} registers ${type}`);
      const runtimeCreds = calls.get(type)?.credentials;
      const simplify = (c?: Record<string, { type: string }>) => Object.fromEntries(Object.entries(plain(c) ?? {}).map(([k, v]) => [k, v.type]));
      assert.deepEqual(simplify(runtimeCreds), simplify(editorCreds), `${type}: runtime and editor credentials`);
      checked.push(type);
    }
    if (checked.length === 0) this.skip();
  });
});

describe('examples', function () {
  const exampleFiles = (dir: string): string[] =>
    fs.existsSync(dir)
      ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? exampleFiles(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : [],
        )
      : [];
  const files = exampleFiles(rel('examples'));
  type FlowNode = Record<string, unknown> & { id: string; type: string };
  const load = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as FlowNode[];

  it('the documented examples exist', function () {
    const names = files.map((f) => path.basename(f));
    assert.ok(names.includes('Read, filter and push to SmartRecruiters.json'), names.join(', '));
    assert.ok(names.includes('Read and push to Recruitee.json'), names.join(', '));
    for (const vendor of ['Broadbean', 'Flatchr', 'Taleez']) assert.ok(names.includes(`Read and push to ${vendor}.json`), names.join(', '));
  });

  it('node ids are unique across all examples (importing two examples must not clash)', function () {
    const ids = files.flatMap((f) => load(f).map((n) => n.id));
    assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), []);
  });

  it('N02: every non-config node type appears in an example', function () {
    const used = new Set(files.flatMap((f) => load(f).map((n) => n.type)));
    const nonConfig = [...allDefs].filter(([, d]) => d.category !== 'config').map(([t]) => t);
    assert.ok(nonConfig.length > 0);
    for (const t of nonConfig) assert.ok(used.has(t), `${t} is used in an example`);
  });

  const SECRET_PATTERNS: RegExp[] = [
    /\bask[rw]?_[0-9a-f]{32}\b/i, // HrFlow API keys
    /\b[0-9a-f]{32,}\b/i, // long hex tokens
    /\bBearer\s+[\w.~+/-]{8,}/i,
    /\beyJ[\w-]{8,}\.[\w-]{8,}/, // JWT
    /\b(?:sk|pk|rk)_(?:live|test)_\w+/,
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  ];

  for (const f of files) {
    describe(path.relative(ROOT, f), function () {
      it('is a valid Node-RED export with a comment, wired to existing nodes', function () {
        const flow = load(f);
        assert.ok(Array.isArray(flow), 'a top-level array');
        const ids = flow.map((n) => n.id);
        assert.equal(new Set(ids).size, ids.length, 'ids are unique');
        const tabs = new Set(flow.filter((n) => n.type === 'tab').map((n) => n.id));
        assert.ok(flow.some((n) => n.type === 'comment'), 'has a comment node');
        for (const n of flow) {
          assert.ok(typeof n.id === 'string' && n.id !== '', `every node has an id (${n.type})`);
          assert.ok(typeof n.type === 'string' && n.type !== '', `every node has a type (${n.id})`);
          if (n.type === 'tab') continue;
          if (configTypes.has(n.type)) {
            if (n.z !== undefined) assert.ok(tabs.has(n.z as string), `${n.id}: z is a tab of the file`);
            continue;
          }
          assert.ok(tabs.has(n.z as string), `${n.id} (${n.type}): z is a tab of the file`);
          if (Array.isArray(n.wires)) {
            for (const port of n.wires as unknown[][]) for (const target of port) assert.ok(ids.includes(target as string), `${n.id} wires to ${String(target)}`);
          }
          if (n.type === 'catch' && Array.isArray(n.scope)) {
            for (const target of n.scope) assert.ok(ids.includes(target as string), `catch scope ${String(target)} exists`);
          }
          const def = allDefs.get(n.type);
          if (def) {
            for (const prop of Object.keys(def.defaults)) assert.ok(prop in n, `${n.id} (${n.type}) sets ${prop}`);
            for (const [prop, p] of Object.entries(def.defaults)) {
              // An optional config reference left empty (`store`: the embedded store) points at nothing.
              if (p.type && !(p.required === false && n[prop] === '')) {
                const target = flow.find((c) => c.id === n[prop]);
                assert.ok(target && target.type === p.type, `${n.id}.${prop} points at a ${p.type} in the file`);
              }
            }
          }
        }
      });

      it('contains no credentials and nothing that looks like a secret', function () {
        const flow = load(f);
        for (const n of flow) {
          if (n.credentials !== undefined) {
            assert.equal(typeof n.credentials, 'object');
            for (const [k, v] of Object.entries(n.credentials as Record<string, unknown>)) {
              assert.ok(v === '' || v === null || v === undefined, `${n.id}: credential ${k} is empty`);
            }
          }
          const def = allDefs.get(n.type);
          for (const name of Object.keys(def?.credentials ?? {})) {
            assert.ok(!(typeof n[name] === 'string' && n[name] !== ''), `${n.id}: ${name} is not written as a property`);
          }
        }
        const walk = (v: unknown, where: string): void => {
          if (typeof v === 'string') {
            for (const re of SECRET_PATTERNS) assert.doesNotMatch(v, re, `${where} looks like a secret`);
          } else if (Array.isArray(v)) {
            v.forEach((x, i) => walk(x, `${where}[${i}]`));
          } else if (v && typeof v === 'object') {
            for (const [k, x] of Object.entries(v)) {
              if (/secret|token|password|api_?key/i.test(k) && typeof x === 'string') assert.equal(x, '', `${where}.${k} is empty`);
              walk(x, `${where}.${k}`);
            }
          }
        };
        walk(flow, path.basename(f));
      });
    });
  }
});

describe('scripts/copy-assets.js', function () {
  const out = rel('dist', 'nodes');

  it('puts editor HTML, locales and icons beside the built node files (idempotent)', function () {
    if (!fs.existsSync(out)) this.skip();
    this.timeout(20000);
    const script = rel('scripts', 'copy-assets.js');
    for (let run = 0; run < 2; run++) execFileSync(process.execPath, [script], { cwd: ROOT, stdio: 'pipe' });
    const icons = fs.readdirSync(rel('icons')).filter((n) => n.endsWith('.svg'));
    assert.ok(icons.length > 0);
    for (const icon of icons) assert.ok(fs.existsSync(path.join(out, 'icons', icon)), `dist/nodes/icons/${icon}`);
    for (const f of editorFiles) {
      const base = baseNames[f.type];
      assert.ok(fs.existsSync(path.join(out, `${base}.html`)), `dist/nodes/${base}.html`);
      assert.ok(fs.existsSync(path.join(out, 'locales', 'en-US', `${base}.json`)), `dist/nodes/locales/en-US/${base}.json`);
      assert.ok(fs.existsSync(path.join(out, 'locales', 'en-US', `${base}.html`)), `dist/nodes/locales/en-US/${base}.html`);
    }
    // Every icon an editor names must be found by Node-RED: in icons/ beside the node's .js.
    for (const d of allDefs.values()) assert.ok(fs.existsSync(path.join(out, 'icons', d.icon)), `dist/nodes/icons/${d.icon}`);
  });
});
