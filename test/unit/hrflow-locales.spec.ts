/**
 * The hand-written editor files of hrflow-profile and hrflow-logic, and the hrflow-api help fragments:
 * every key the dialogs and the runtime status use exists in both catalogues (en-US and fr), the two
 * catalogues hold the same keys (and placeholders), and the French help has the same sections as the English.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'nodes'))) return d;
    if (path.dirname(d) === d) throw new Error(`no package root above ${dir}`);
  }
}
const ROOT = findRoot(__dirname);
const read = (...parts: string[]) => fs.readFileSync(path.join(ROOT, ...parts), 'utf8');
const LANGS = ['en-US', 'fr'] as const;

type Catalogue = Record<string, unknown>;
function lookup(cat: Catalogue, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Catalogue)[k] : undefined), cat);
}
function leaves(o: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (o && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) for (const [kk, vv] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
  } else if (typeof o === 'string') out.set(prefix, o);
  return out;
}
const placeholders = (s: string) => [...s.matchAll(/__(\w+)__/g)].map((m) => m[1]).sort();

/** Keys the editor file uses: data-i18n attributes, and t("…") / _("…") / this._("…") calls. */
function editorKeys(html: string): string[] {
  const keys: string[] = [];
  for (const m of html.matchAll(/data-i18n\s*=\s*"([^"]*)"/g)) {
    for (const part of m[1].split(';')) {
      const key = part.trim().replace(/^\[[^\]]*\]/, '');
      if (key) keys.push(key);
    }
  }
  for (const m of html.matchAll(/\b(?:t|_)\(\s*"([\w-]+\.[\w.-]+)"/g)) keys.push(m[1]);
  return keys;
}

/** The outline of a help text: its headings, its <dt> names and its output ports, in order. */
function outline(help: string): { headings: string[]; dts: string[]; ports: number; first: string } {
  return {
    headings: [...help.matchAll(/<(h[34])>/g)].map((m) => m[1]),
    dts: [...help.matchAll(/<dt[^>]*>([\s\S]*?)<\/dt>/g)].map((m) => m[1].replace(/<span[\s\S]*$/, '').trim()),
    ports: (/<ol class="node-ports">([\s\S]*?)<\/ol>/.exec(help)?.[1].match(/<li>/g) ?? []).length,
    first: /^\s*<(\w+)/.exec(help.replace(/^\s*<script[^>]*>/, ''))?.[1] ?? '',
  };
}

/** The config node hrflow-store shows no status of its own. */
const NO_STATUS = new Set(['hrflow-store']);

for (const type of ['hrflow-profile', 'hrflow-logic', 'hrflow-writeback', 'hrflow-webhook', 'hrflow-store']) {
  describe(`locales: ${type} (en-US and fr)`, () => {
    const cats = Object.fromEntries(LANGS.map((l) => [l, JSON.parse(read('nodes', 'locales', l, `${type}.json`)) as Catalogue]));

    it('every key the dialog uses exists in both catalogues', () => {
      const keys = editorKeys(read('nodes', `${type}.html`));
      assert.ok(keys.length > 5, keys.join(', '));
      for (const key of keys) {
        assert.ok(key.startsWith(`${type}.`), `${key} is rooted at ${type}`);
        for (const l of LANGS) assert.equal(typeof lookup(cats[l], key), 'string', `${key} in nodes/locales/${l}/${type}.json`);
      }
    });

    if (!NO_STATUS.has(type)) it('every status text the runtime shows is a key of both catalogues', () => {
      const src = read('nodes', `${type}.ts`);
      const keys = [...src.matchAll(new RegExp(`'(${type}\\.status\\.[\\w-]+)'`, 'g'))].map((m) => m[1]);
      assert.ok(keys.length >= 3, keys.join(', '));
      for (const key of keys) for (const l of LANGS) assert.equal(typeof lookup(cats[l], key), 'string', `${key} in ${l}`);
      // A dynamic text's English fallback in the code is the catalogue's English text.
      for (const m of src.matchAll(new RegExp(`key: '(${type}\\.status\\.[\\w-]+)', en: '([^']+)'`, 'g'))) {
        assert.equal(lookup(cats['en-US'], m[1]), m[2], `${m[1]}: the fallback in ${type}.ts`);
      }
      // No status text written in English in the code any more.
      assert.doesNotMatch(src, /Status\.\w+\(\s*['`][a-z]/, 'a literal status text');
    });

    it('both catalogues hold the same keys, with the same placeholders, and the French is translated', () => {
      const en = leaves(cats['en-US']);
      const fr = leaves(cats.fr);
      assert.deepEqual([...fr.keys()].sort(), [...en.keys()].sort());
      let translated = 0;
      for (const [key, text] of en) {
        assert.deepEqual(placeholders(fr.get(key) ?? ''), placeholders(text), `${key} placeholders`);
        if (fr.get(key) !== text) translated++;
      }
      assert.ok(translated >= en.size / 2, `${translated} of ${en.size} texts differ from the English`);
    });

    it('the French help has the sections, codes and outputs of the English one', () => {
      const helps = Object.fromEntries(LANGS.map((l) => [l, read('nodes', 'locales', l, `${type}.html`)]));
      for (const l of LANGS) assert.match(helps[l], new RegExp(`<script type="text/html" data-help-name="${type}">`), l);
      const en = outline(helps['en-US']);
      const fr = outline(helps.fr);
      assert.equal(fr.first, 'p', 'the French help starts with a summary paragraph');
      assert.deepEqual(fr.headings, en.headings);
      assert.deepEqual(fr.dts, en.dts);
      assert.equal(fr.ports, en.ports);
      for (const h of ['Entrées', 'Sorties', 'Détails', 'Références']) assert.match(helps.fr, new RegExp(`<h3>${h}</h3>`));
    });
  });
}

describe('help fragments: hrflow-api (en-US and fr)', () => {
  const fragments = Object.fromEntries(LANGS.map((l) => [l, read('nodes', 'help', l, 'hrflow-api.html')]));

  it('each starts with exactly one summary <p>, holds no script, no generated section and no error table', () => {
    for (const l of LANGS) {
      const f = fragments[l].trim();
      assert.match(f, /^<p>[\s\S]*?<\/p>/, l);
      assert.doesNotMatch(f, /<script|<h3>/i, l);
      assert.doesNotMatch(f, /<dt>[A-Z_]{4,}<\/dt>/, `${l}: no error table`);
    }
  });

  it('the French fragment has the same subsections as the English one', () => {
    assert.equal(outline(fragments.fr).headings.length, outline(fragments['en-US']).headings.length);
    assert.equal((fragments.fr.match(/<p>/g) ?? []).length, (fragments['en-US'].match(/<p>/g) ?? []).length);
    assert.notEqual(fragments.fr, fragments['en-US']);
  });
});
