/**
 * The editor generator (nodes/editor/generate.ts) on a made-up vendor: what Node-RED's editor receives
 * (registerType run in node:vm), the validators, the edit template, the catalogues and help in both
 * languages, escaping, and the browser client's list request (deployed account or dialog values).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { ErrorCodes } from '../../src/core/errors';
import type { VendorDescription } from '../../src/vendors/description';
import { configNode, envVarName, esc, fill, fragmentReader, pushNode, splitFragment, writeNode, type GeneratedNode, type Options } from '../../nodes/editor/generate';
import * as T from '../../nodes/editor/texts';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLIENT = fs.readFileSync(path.join(ROOT, 'nodes', 'editor', 'client.js'), 'utf8');

const t2 = (en: string, fr = `${en} (fr)`) => ({ en, fr });

const description: VendorDescription = {
  color: '#8FB5E3',
  docsUrl: 'https://api.acme.example/docs?a=1&b=2',
  account: {
    color: '#8FB5E3',
    docsUrl: 'https://api.acme.example/docs',
    test: t2('reads one job.'),
    fields: [
      { name: 'api_key', input: 'password', credential: true, required: true, icon: 'key', label: t2('API key'), tip: t2('The <b>key</b>.') },
      { name: 'user', input: 'email', credential: true, icon: 'user', label: t2('User') },
      { name: 'company_id', input: 'id', required: true, pattern: '\\d+', icon: 'building', label: t2('Company') },
      { name: 'base_url', input: 'url', required: true, default: 'https://api.acme.example', icon: 'globe', label: t2('Base URL'),
        options: [{ value: 'https://api.acme.example', label: t2('Production') }, { value: 'https://sandbox.acme.example', label: t2('Sandbox') }] },
    ],
  },
  params: [
    { name: 'job_id', input: 'id', msg: 'job_id', pattern: '[1-9]\\d*', picker: 'jobs', icon: 'briefcase', label: t2('Job id'), placeholder: t2('e.g. "12" <b>'),
      help: t2('The job.'), helpType: 'number | string' },
    { name: 'pool_ids', input: 'ids', msg: 'pool_ids', pattern: '[1-9]\\d*', picker: 'pools', icon: 'users', label: t2('Pool ids') },
    { name: 'stage', input: 'text', required: true, icon: 'flag', label: t2('Stage') },
    { name: 'mode', input: 'select', default: 'link', icon: 'file', label: t2('Mode'),
      options: [{ value: 'link', label: t2('Link') }, { value: 'document', label: t2('Document') }] },
    // requiresAccountField: an additive field of FieldDescription (Flatchr's lookup_id needs the company).
    { name: 'test_mode', input: 'checkbox', default: false, icon: 'flask', label: t2('Test mode'), ...{ requiresAccountField: 'company_id' } },
    { name: 'notify', input: 'email', icon: 'envelope', label: t2('Notify') },
  ],
  errors: [ErrorCodes.AUTH_FAILED, ErrorCodes.INVALID_CONFIG, ErrorCodes.PARTIAL_PUSH],
  lists: { jobs: t2('Jobs'), pools: t2('Pools') },
  outputLabel: t2('Acme candidate'),
};

const FRAGMENTS: Record<string, string> = {
  'en-US/hrflow-acme': '<p>Creates Acme candidates.</p>\n<h4>The steps</h4>\n<p>One request.</p>\n',
  'fr/hrflow-acme': '<p>Crée des candidats Acme.</p>\n<p>Une requête.</p>\n',
};

const opts: Options = {
  client: CLIENT,
  status: (lang) => ({ pushing: lang === 'fr' ? 'envoi en cours' : 'pushing' }),
  fragments: (type, lang) => FRAGMENTS[`${lang}/${type}`],
  warn: () => undefined,
};

interface Def {
  category: string;
  paletteLabel: string;
  align?: string;
  defaults: Record<string, { value?: unknown; required?: boolean; type?: string; validate?: (this: unknown, v: unknown, opt?: unknown) => unknown }>;
  credentials?: Record<string, { type: string; required?: boolean; validate?: (v: unknown) => unknown }>;
  label: (this: unknown) => string;
  inputLabels: (this: unknown) => string;
  oneditprepare: unknown;
}

/** Runs a generated file's definition script in a vm with a minimal RED; returns the definition and the client. */
function load(node: GeneratedNode, red: Record<string, unknown> = {}): { def: Def; context: vm.Context } {
  const scripts = [...node.html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 1);
  let def: Def | undefined;
  const nodes = { getType: () => null, node: () => null, ...((red.nodes as object) ?? {}) } as { registerType?: (t: string, d: Def) => unknown };
  const record = nodes.registerType;
  nodes.registerType = (t: string, d: Def) => ((def = d), record?.(t, d));
  const RED = { ...red, nodes };
  const context = vm.createContext({ RED });
  vm.runInContext(scripts[0], context);
  assert.ok(def);
  return { def, context };
}

/** As Node-RED's editor: `required` refuses "", a `${ENV}` passes, then `validate` (true, or a message). */
function check(def: Def, prop: string, value: unknown): true | string | false {
  const p = def.defaults[prop] ?? def.credentials?.[prop];
  if (p.required && value === '') return false;
  if (typeof value === 'string' && /^\$\{[a-zA-Z_][a-zA-Z0-9_]*\}$/.test(value)) return true;
  const r = p.validate ? p.validate.call({}, value, {}) : true;
  return r === true ? true : (r as string | false);
}

const template = (node: GeneratedNode) => /<script type="text\/html" data-template-name="[^"]+">([\s\S]*?)<\/script>/.exec(node.html)?.[1] ?? '';
const keysOf = (html: string) =>
  [...html.matchAll(/data-i18n="([^"]*)"/g)].flatMap((m) => m[1].split(';').map((k) => k.replace(/^\[[^\]]*\]/, '')));
const lookup = (cat: unknown, key: string) => key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), cat);

describe('editor generator: push node', function () {
  const node = pushNode({ id: 'acme', label: 'Acme', description }, opts);
  const { def } = load(node);

  it('registers the type as Node-RED expects (category, ports, labels, defaults)', function () {
    assert.equal(node.type, 'hrflow-acme');
    assert.equal(def.category, 'HrFlow');
    assert.equal(def.align, 'right');
    assert.equal(def.paletteLabel, 'Acme');
    assert.equal(def.label.call({}), 'Acme');
    assert.equal(def.label.call({ name: 'Mine' }), 'Mine');
    assert.equal(def.inputLabels.call({ _: (k: string) => `[${k}]` }), '[hrflow-acme.port.input]', 'translated port label');
    assert.deepEqual(Object.keys(def.defaults), ['name', 'account', 'job_id', 'pool_ids', 'stage', 'mode', 'test_mode', 'notify', 'on_duplicate', 'store', 'timeout', 'retries', 'retry_delay']);
    assert.equal(def.defaults.on_duplicate.value, 'skip', 'the push ledger skips a duplicate by default');
    assert.deepEqual({ ...def.defaults.account }, { value: '', type: 'hrflow-acme-config', required: true });
    assert.deepEqual({ ...def.defaults.store }, { value: '', type: 'hrflow-store', required: false }, 'the shared store: optional, none by default');
    assert.equal(def.defaults.mode.value, 'link');
    assert.equal(def.defaults.test_mode.value, false);
    assert.equal(def.defaults.timeout.value, 30000);
    assert.equal(def.defaults.retries.value, 3);
    assert.equal(def.defaults.retry_delay.value, 1000);
    assert.equal(def.defaults.stage.required, true);
    assert.notEqual(def.defaults.job_id.required, true, 'msg.job_id may supply it');
  });

  it('validators: a message when invalid, true when valid or missing (Node-RED 4, two arguments)', function () {
    assert.equal(def.defaults.job_id.validate?.length, 2);
    for (const ok of ['', '12', ' 12 ', 42, undefined, '${JOB}']) assert.equal(check(def, 'job_id', ok), true, `job_id ${JSON.stringify(ok)}`);
    for (const bad of ['0', 'abc', '1, 2', '-1']) assert.equal(check(def, 'job_id', bad), 'hrflow-acme.validator.id', `job_id ${bad}`);
    for (const ok of ['', '1', '1, 2', ' 3 ,4 ']) assert.equal(check(def, 'pool_ids', ok), true, `pool_ids ${ok}`);
    for (const bad of [',', '1,,2', '1;2', '0']) assert.equal(check(def, 'pool_ids', bad), 'hrflow-acme.validator.ids', `pool_ids ${bad}`);
    assert.equal(check(def, 'mode', 'document'), true);
    assert.equal(check(def, 'mode', 'base64'), 'hrflow-acme.validator.option');
    assert.equal(check(def, 'test_mode', true), true);
    assert.equal(check(def, 'notify', 'a@b.example'), true);
    assert.equal(check(def, 'notify', 'not an email'), 'hrflow-acme.validator.email');
    assert.equal(check(def, 'stage', ''), false, 'required');
    for (const p of ['timeout', 'retries', 'retry_delay']) {
      for (const ok of [0, '0', 30000, ' 5 ', undefined]) assert.equal(check(def, p, ok), true, `${p} ${JSON.stringify(ok)}`);
      for (const bad of ['-1', '1.5', 'abc']) assert.equal(check(def, p, bad), 'hrflow-acme.validator.int', `${p} ${bad}`);
      assert.equal(check(def, p, ''), false);
    }
  });

  it('validator messages are translated with the node type\'s catalogue once registered', function () {
    let registered: Def | undefined;
    const RED = {
      nodes: {
        registerType: (_t: string, x: Def) => (registered = x),
        node: () => null,
        // As Node-RED: the registered definition, given its namespaced `_` by registerType.
        getType: () => registered && Object.assign(registered, { _: (key: string, vars?: Record<string, string>) => (vars?.label ? `${key}:${vars.label}` : `L(${key})`) }),
      },
    };
    vm.runInContext(/<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(node.html)?.[1] ?? '', vm.createContext({ RED }));
    assert.ok(registered);
    assert.equal(registered.defaults.job_id.validate?.call({}, 'abc', {}), 'hrflow-acme.validator.id:L(hrflow-acme.label.job_id)');
    // labelProperties: Node-RED's own "missing property" messages name the translated label.
    assert.equal((registered.defaults.stage as { label?: string }).label, 'L(hrflow-acme.label.stage)');
  });

  it('edit template: an input per property, pickers, msg hints, Advanced block; texts escaped', function () {
    const tmpl = template(node);
    for (const p of Object.keys(def.defaults)) assert.match(tmpl, new RegExp(`id="node-input-${p}"`), p);
    assert.match(tmpl, /<button type="button" class="red-ui-button hrflow-picker" data-field="job_id"/);
    assert.match(tmpl, /<button type="button" class="red-ui-button hrflow-picker" data-field="pool_ids"/);
    assert.doesNotMatch(tmpl, /hrflow-picker" data-field="stage"/);
    assert.match(tmpl, /class="hrflow-msg-hint" data-field="job_id"/);
    assert.doesNotMatch(tmpl, /hrflow-msg-hint" data-field="stage"/);
    assert.match(tmpl, /<select id="node-input-mode">\s*<option value="link" data-i18n="hrflow-acme.option.mode.0"><\/option>/);
    assert.match(tmpl, /<input type="checkbox" id="node-input-test_mode"/);
    assert.match(tmpl, /<input type="number" id="node-input-timeout"/);
    // Texts live in the catalogue, never inline: nothing from the description reaches the HTML unescaped.
    assert.doesNotMatch(node.html, /e\.g\. "12"/);
  });

  it('catalogues: every key the template uses, in en-US and fr; placeholders kept as text; status copied', function () {
    const keys = keysOf(template(node));
    assert.ok(keys.length > 20);
    for (const lang of ['en-US', 'fr']) {
      for (const key of keys) assert.equal(typeof lookup(node.catalogues[lang], key), 'string', `${lang}: ${key}`);
      for (const key of Object.keys(T.VALIDATOR)) assert.equal(typeof lookup(node.catalogues[lang], `hrflow-acme.validator.${key}`), 'string');
      for (const key of Object.keys(T.PICKER)) assert.equal(typeof lookup(node.catalogues[lang], `hrflow-acme.picker.${key}`), 'string');
    }
    assert.equal(lookup(node.catalogues['en-US'], 'hrflow-acme.placeholder.job_id'), 'e.g. "12" <b>', 'i18next sets placeholders as attributes: raw text');
    assert.equal(lookup(node.catalogues.fr, 'hrflow-acme.label.job_id'), 'Job id (fr)');
    assert.equal(lookup(node.catalogues.fr, 'hrflow-acme.label.timeout'), 'Délai max.');
    assert.equal(lookup(node.catalogues.fr, 'hrflow-acme.picker.list.pools'), 'Pools (fr)');
    assert.equal(lookup(node.catalogues.fr, 'hrflow-acme.port.output'), 'Acme candidate (fr)');
    assert.equal(lookup(node.catalogues.fr, 'hrflow-acme.status.pushing'), 'envoi en cours');
    assert.match(String(lookup(node.catalogues['en-US'], 'hrflow-acme.hint.job_id')), /<code>msg\.job_id<\/code>/);
  });

  it('help: the fragment inside the shared sections, the error table of description.errors, in each language', function () {
    const en = node.help['en-US'];
    const fr = node.help.fr;
    assert.match(en, /^<script type="text\/html" data-help-name="hrflow-acme">\n    <p>Creates Acme candidates.<\/p>/);
    assert.match(fr, /^<script type="text\/html" data-help-name="hrflow-acme">\n    <p>Crée des candidats Acme.<\/p>/);
    const order = (html: string, headings: string[]) => headings.map((h) => html.indexOf(`<h3>${h}</h3>`));
    const enAt = order(en, ['Inputs', 'Outputs', 'Details', 'Errors', 'Credentials', 'References']);
    assert.ok(enAt.every((i, n) => i > 0 && (n === 0 || i > enAt[n - 1])), `sections in order ${enAt}`);
    const frAt = order(fr, ['Entrées', 'Sorties', 'Détails', 'Erreurs', 'Identifiants', 'Références']);
    assert.ok(frAt.every((i, n) => i > 0 && (n === 0 || i > frAt[n - 1])), `sections in order ${frAt}`);
    assert.ok(en.indexOf('<h4>The steps</h4>') > enAt[2] && en.indexOf('<h4>The steps</h4>') < enAt[3], 'the fragment is the Details');
    for (const [html, lang] of [[en, 'en'], [fr, 'fr']] as const) {
      const table = html.slice(html.indexOf('<dl', html.indexOf(lang === 'en' ? '<h3>Errors</h3>' : '<h3>Erreurs</h3>')));
      const codes = [...table.slice(0, table.indexOf('</dl>')).matchAll(/<dt>([A-Z_]+)<\/dt>/g)].map((m) => m[1]);
      assert.deepEqual(codes, ['AUTH_FAILED', 'INVALID_CONFIG', 'PARTIAL_PUSH']);
      assert.ok(html.includes(fill(T.ERRORS.PARTIAL_PUSH[lang], { vendor: 'Acme' })), 'the shared text, vendor filled in');
      assert.ok(html.includes(T.STORE_HELP[lang]), 'the Store line (issue 14)');
      assert.match(html, /<dt class="optional">job_id <span class="property-type">number \| string<\/span><\/dt>/);
      assert.match(html, /<dt class="optional">pool_ids <span class="property-type">array \| string<\/span><\/dt>/);
      assert.match(html, /\$\{ACME_API_KEY\}/);
      assert.match(html, /href="https:\/\/api\.acme\.example\/docs\?a=1&amp;b=2"/, 'URL attribute escaped');
    }
    assert.match(en, /<dd>The job\.<\/dd>/, 'a param\'s own help');
    assert.match(en, /<dd>Wins over the Pool ids set in the node\.<\/dd>/, 'the shared fallback');
  });

  it('without a fragment: a generic summary, and the build is told', function () {
    const warnings: string[] = [];
    const bare = pushNode({ id: 'acme', label: 'Acme', description }, { ...opts, fragments: () => undefined, warn: (m) => warnings.push(m) });
    assert.match(bare.help['en-US'], /<p>Creates a candidate in Acme from an HrFlow profile\.<\/p>/);
    assert.match(bare.help.fr, /<p>Crée un candidat dans Acme à partir d'un profil HrFlow\.<\/p>/);
    assert.equal(warnings.length, 2);
  });
});

describe('editor generator: config node', function () {
  const node = configNode(
    { type: 'hrflow-acme-config', id: 'acme', label: 'Acme', usedBy: ['hrflow-acme'], description: description.account, errors: description.errors },
    opts,
  );
  const { def } = load(node);

  it('registers defaults and credentials from the account fields', function () {
    assert.equal(def.category, 'config');
    assert.deepEqual(Object.keys(def.defaults), ['name', 'company_id', 'base_url']);
    assert.equal(def.defaults.base_url.value, 'https://api.acme.example');
    assert.equal(def.defaults.company_id.required, true);
    assert.deepEqual(Object.keys(def.credentials ?? {}), ['api_key', 'user']);
    assert.equal(def.credentials?.api_key.type, 'password');
    assert.equal(def.credentials?.api_key.required, true, 'a missing secret is flagged in the dialog');
    assert.equal(def.credentials?.user.type, 'text');
    assert.equal(check(def, 'user', 'someone@acme.example'), true);
    assert.equal(check(def, 'user', 'nobody'), 'hrflow-acme-config.validator.email');
    for (const bad of ['', 'api.acme.example', 'ftp://x.example', 'https://', 'http://a b.example']) assert.notEqual(check(def, 'base_url', bad), true, bad);
    assert.equal(check(def, 'base_url', 'http://127.0.0.1:8790/acme'), true);
  });

  it('label: the name, else the identifying field, with the host of a URL that is not the default', function () {
    assert.equal(def.label.call({ name: 'Prod' }), 'Prod');
    assert.equal(def.label.call({}), 'Acme account');
    assert.equal(def.label.call({ _: () => 'Compte Acme' }), 'Compte Acme');
    assert.equal(def.label.call({ company_id: '42', base_url: 'https://api.acme.example' }), 'Acme 42');
    assert.equal(def.label.call({ company_id: '42', base_url: 'http://127.0.0.1:8790/acme' }), 'Acme 42 (127.0.0.1:8790)');
    // A known URL that is not the default is named by its choice (today's Recruitee "(staging)"), translated.
    assert.equal(def.label.call({ company_id: '42', base_url: 'https://sandbox.acme.example' }), 'Acme 42 (Sandbox)');
    assert.equal(
      def.label.call({ company_id: '42', base_url: 'https://sandbox.acme.example', _: (k: string) => (k === 'hrflow-acme-config.option.base_url.1' ? 'Bac à sable' : 'Compte Acme') }),
      'Acme 42 (Bac à sable)',
    );
    assert.equal(def.paletteLabel, 'Acme account');
  });

  it('label: an account may name the field its label shows (Broadbean: the client id, as before)', function () {
    const labelled = configNode(
      { type: 'hrflow-acme-config', id: 'acme', label: 'Acme', usedBy: ['hrflow-acme'], description: { ...description.account, labelField: 'user' } },
      opts,
    );
    const d = load(labelled).def;
    assert.equal(d.label.call({ company_id: '42', user: 'me' }), 'Acme me');
    assert.equal(d.label.call({ company_id: '42' }), 'Acme account');
  });

  it('template: fields, a datalist of known URLs, Test connection (contract 5)', function () {
    const tmpl = template(node);
    for (const f of description.account.fields) assert.match(tmpl, new RegExp(`id="node-config-input-${f.name}"`));
    assert.match(tmpl, /<input type="password" id="node-config-input-api_key" autocomplete="off">/);
    assert.match(tmpl, /<input type="text" id="node-config-input-base_url" list="node-config-input-base_url-choices">/);
    assert.match(tmpl, /<option value="https:\/\/sandbox\.acme\.example" data-i18n="hrflow-acme-config\.option\.base_url\.1"><\/option>/);
    assert.match(tmpl, /<button type="button" id="hrflow-test-connection"/);
    assert.match(tmpl, /<div id="hrflow-test-result"/);
    for (const lang of ['en-US', 'fr']) for (const key of keysOf(tmpl)) assert.equal(typeof lookup(node.catalogues[lang], key), 'string', `${lang}: ${key}`);
    assert.equal(lookup(node.catalogues.fr, 'hrflow-acme-config.test.ok'), 'Connecté : __detail__');
    assert.equal(lookup(node.catalogues['en-US'], 'hrflow-acme-config.test.ok'), 'Connected: __detail__');
  });

  it('help: inputs/outputs none, the fields, Test connection, credentials, the account errors the vendor raises', function () {
    const en = node.help['en-US'];
    assert.match(en, /<p>A Acme account, used by <code>hrflow-acme<\/code> nodes\.<\/p>/, 'generic summary without a fragment');
    for (const h of ['Inputs', 'Outputs', 'Details', 'Errors', 'References']) assert.match(en, new RegExp(`<h3>${h}</h3>`));
    assert.match(en, /<dt>API key <span class="property-type">credential<\/span><\/dt>/);
    assert.match(en, /<dt class="optional">User <span class="property-type">credential<\/span><\/dt>/);
    assert.match(en, /reads one job\./);
    const codes = [...en.slice(en.indexOf('<h3>Errors</h3>')).matchAll(/<dt>([A-Z_]+)<\/dt>/g)].map((m) => m[1]);
    assert.deepEqual(codes, ['AUTH_FAILED', 'INVALID_CONFIG']);
    assert.match(node.help.fr, /<h3>Erreurs<\/h3>/);
  });

  it('help: a fragment with its own Test connection section is not given a second one', function () {
    const own = configNode(
      { type: 'hrflow-acme-config', id: 'acme', label: 'Acme', usedBy: ['hrflow-acme'], description: description.account },
      { ...opts, fragments: (_t, lang) => (lang === 'fr' ? '<p>Un compte.</p>\n<h4>Tester la connexion</h4>\n<p>Lit.</p>' : '<p>An account.</p>\n<h4>Test connection</h4>\n<p>Reads.</p>') },
    );
    assert.equal((own.help['en-US'].match(/<h4>Test connection<\/h4>/g) ?? []).length, 1);
    assert.equal((own.help.fr.match(/<h4>Tester la connexion<\/h4>/g) ?? []).length, 1);
    assert.match(node.help['en-US'], /<h4>Test connection<\/h4>/, 'without one, the generated section');
  });
});

describe('editor generator: browser client', function () {
  const node = pushNode({ id: 'acme', label: 'Acme', description }, opts);
  const configNodes: Record<string, unknown> = {};
  const { context } = load(node, { nodes: { node: (id: string) => configNodes[id] ?? null } });
  const client = (context as { __hrflowConnectorsEditor: Record<string, (...a: unknown[]) => unknown> }).__hrflowConnectorsEditor;
  const conf = {
    configType: 'hrflow-acme-config',
    account: [{ name: 'api_key', credential: true }, { name: 'user', credential: true }, { name: 'company_id' }, { name: 'base_url' }],
  };

  it('is defined once, behind a global guard', function () {
    assert.equal(typeof client.validator, 'function');
    vm.runInContext(/<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(node.html)?.[1] ?? '', context);
    assert.equal((context as Record<string, unknown>).__hrflowConnectorsEditor, client);
  });

  it('picker request: GET for a deployed, unchanged account', function () {
    configNodes.a1 = { id: 'a1', company_id: '42', credentials: { has_api_key: true } };
    const req = client.listRequest(conf, 'a1', 'jobs') as Record<string, unknown>;
    assert.equal(req.method, 'GET');
    assert.equal(req.url, 'hrflow-connectors/jobs/hrflow-acme-config?account=a1&list=jobs');
  });

  it('picker request: POST with the values the editor holds for a changed or new account', function () {
    configNodes.a2 = { id: 'a2', changed: true, company_id: '42', base_url: 'http://127.0.0.1:1/x', credentials: { has_api_key: true, user: 'me@acme.example' } };
    const req = client.listRequest(conf, 'a2', 'pools') as Record<string, string>;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, 'hrflow-connectors/jobs/hrflow-acme-config');
    assert.deepEqual(JSON.parse(req.data), {
      id: 'a2',
      list: 'pools',
      values: { api_key: '__PWRD__', user: 'me@acme.example', company_id: '42', base_url: 'http://127.0.0.1:1/x' },
    });
    // A secret typed in this session (not deployed yet) is sent, even if the node is not marked changed.
    configNodes.a3 = { id: 'a3', company_id: '7', credentials: { api_key: 'typed', has_api_key: true } };
    const typed = client.listRequest(conf, 'a3', 'jobs') as Record<string, string>;
    assert.equal(typed.method, 'POST');
    assert.equal(JSON.parse(typed.data).values.api_key, 'typed');
    // Unknown to the editor (never deployed and gone): POST with what there is.
    assert.equal((client.listRequest(conf, 'zz', 'jobs') as Record<string, string>).method, 'POST');
  });

  it('a ticked checkbox that needs an account field: flagged when the chosen account leaves it empty', function () {
    configNodes.c1 = { id: 'c1', company_id: '' };
    configNodes.c2 = { id: 'c2', company_id: '42' };
    const validate = client.validator({ name: 'test_mode', input: 'checkbox', requires: 'company_id' }, (key: string, vars?: Record<string, string>) =>
      vars ? `${key}(${Object.values(vars).join(',')})` : key,
    ) as (this: unknown, v: unknown) => unknown;
    assert.equal(validate.call({ account: 'c1' }, true), 'validator.requires(label.test_mode,account.company_id)');
    assert.equal(validate.call({ account: 'c2' }, true), true);
    assert.equal(validate.call({ account: 'c1' }, false), true, 'not ticked');
    assert.equal(validate.call({}, true), true, 'no account to check');
    const fr = lookup(node.catalogues.fr, 'hrflow-acme.account.company_id');
    assert.equal(fr, 'Company (fr)', 'the account field\'s label is in the push node\'s catalogue');
  });

  it('picker fill: appends to an ids field without duplicates, replaces a single id', function () {
    assert.equal(client.fillValue('', '12', true), '12');
    assert.equal(client.fillValue('12, 34', '56', true), '12, 34, 56');
    assert.equal(client.fillValue('12,34', '12', true), '12, 34');
    assert.equal(client.fillValue('12', '34', false), '34');
  });

  it('picker fill: a field holding a whole ${ENV_VAR} is replaced, not appended to (the runtime reads only a whole ${…})', function () {
    assert.equal(client.fillValue('${POOL_IDS}', '201', true), '201');
    assert.equal(client.fillValue(' ${POOL_IDS} ', '201', true), '201');
    assert.equal(client.fillValue('${JOB_ID}', '5', false), '5');
  });
});

describe('editor generator: helpers and shared texts', function () {
  it('escape and fill', function () {
    assert.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(fill('{vendor} uses ${ENV_VAR} and {unknown}', { vendor: 'Acme' }), 'Acme uses ${ENV_VAR} and {unknown}');
    assert.equal(fill('<code>${{envvar}}</code>', { envvar: 'X_Y' }), '<code>${X_Y}</code>');
  });

  it('splitFragment: the first paragraph is the summary', function () {
    assert.deepEqual(splitFragment('  <p>Sum <b>mary</b>.</p>\n<h4>A</h4><p>B</p>\n'), { summary: '<p>Sum <b>mary</b>.</p>', details: '<h4>A</h4><p>B</p>' });
    assert.deepEqual(splitFragment('<h4>A</h4>'), { summary: '', details: '<h4>A</h4>' });
  });

  it('envVarName: vendor-prefixed, X_ dropped', function () {
    const f = (name: string) => [{ name, input: 'password' as const, credential: true, icon: 'key', label: t2('k') }];
    assert.equal(envVarName('taleez', f('x_taleez_api_secret')), 'TALEEZ_API_SECRET');
    assert.equal(envVarName('recruitee', f('api_token')), 'RECRUITEE_API_TOKEN');
    assert.equal(envVarName('smartrecruiters', f('x_smart_token')), 'SMARTRECRUITERS_SMART_TOKEN');
  });

  it('THE error table has every code of src/core/errors.ts, in English and French', function () {
    assert.deepEqual(Object.keys(T.ERRORS).sort(), Object.values(ErrorCodes).sort());
    for (const [code, text] of Object.entries(T.ERRORS)) {
      assert.ok(text.en.trim() && text.fr.trim(), code);
      assert.notEqual(text.en, text.fr, `${code} is translated`);
    }
    assert.ok(T.CONFIG_ERRORS.every((c) => c in T.ERRORS));
  });

  it('catalogue placeholders are the same in both languages', function () {
    for (const group of [T.VALIDATOR, T.TEST, T.PICKER, { hint: T.MSG_HINT }]) {
      for (const [key, text] of Object.entries(group)) {
        const names = (s: string) => [...s.matchAll(/__(\w+)__/g)].map((m) => m[1]).sort();
        assert.deepEqual(names(text.fr), names(text.en), key);
      }
    }
  });

  it('writeNode + fragmentReader: files where Node-RED looks for them', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-gen-'));
    try {
      fs.mkdirSync(path.join(dir, 'nodes', 'help', 'fr'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'nodes', 'help', 'fr', 'hrflow-acme.html'), '<p>Résumé.</p>\n<p>Détail.</p>\n');
      const read = fragmentReader(dir);
      assert.equal(read('hrflow-acme', 'en-US'), undefined);
      const node = pushNode({ id: 'acme', label: 'Acme', description }, { ...opts, fragments: read });
      assert.match(node.help.fr, /<p>Résumé\.<\/p>/);
      const out = path.join(dir, 'dist', 'nodes');
      fs.mkdirSync(out, { recursive: true });
      writeNode(out, node);
      assert.equal(fs.readFileSync(path.join(out, 'hrflow-acme.html'), 'utf8'), node.html);
      for (const lang of ['en-US', 'fr']) {
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, 'locales', lang, 'hrflow-acme.json'), 'utf8')), node.catalogues[lang]);
        assert.equal(fs.readFileSync(path.join(out, 'locales', lang, 'hrflow-acme.html'), 'utf8'), node.help[lang]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
