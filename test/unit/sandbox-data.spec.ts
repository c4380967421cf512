/**
 * The repository stands alone: the sandbox and the tests read the vendor descriptions and the HrFlow
 * fixtures kept in the repository (specs/, fixtures/hrflow/), the sandbox only as the JSON that
 * `npm run build` writes beside it, with no YAML parser at run time and nothing read from outside.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as yaml from 'js-yaml';
import { DEFAULT_FIXTURES_DIR, FIXTURE_FILES } from '../../src/sandbox/profiles';
import { DEFAULT_SPECS_DIR } from '../../src/sandbox/spec';
import { resolveOptions } from '../../src/sandbox';
import { fixturesDir, repoRoot, specSourcesDir } from '../helpers/fixtures';

const sandboxDist = path.join(repoRoot, 'dist', 'src', 'sandbox');

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

describe('sandbox data kept in the repository', () => {
  it('defaults to the built-in copies beside the compiled sandbox', () => {
    assert.equal(DEFAULT_SPECS_DIR, path.join(sandboxDist, 'specs'));
    assert.equal(DEFAULT_FIXTURES_DIR, path.join(sandboxDist, 'fixtures', 'hrflow'));
    const o = resolveOptions();
    assert.equal(o.specsDir, DEFAULT_SPECS_DIR);
    assert.equal(o.fixturesDir, DEFAULT_FIXTURES_DIR);
  });

  it('builds one JSON per YAML spec, equal to the parsed YAML', () => {
    const sources = filesUnder(specSourcesDir).filter((f) => /\.ya?ml$/i.test(f));
    assert.ok(sources.length >= 6, `specs/ holds ${sources.length} YAML file(s)`);
    for (const src of sources) {
      const rel = path.relative(specSourcesDir, src).replace(/\.ya?ml$/i, '.json');
      const built = path.join(DEFAULT_SPECS_DIR, rel);
      assert.ok(fs.existsSync(built), `${rel} not built`);
      const expected = JSON.parse(JSON.stringify(yaml.load(fs.readFileSync(src, 'utf8'))));
      assert.deepEqual(JSON.parse(fs.readFileSync(built, 'utf8')), expected, rel);
    }
    for (const vendor of ['hrflow', 'smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez']) {
      assert.ok(fs.readdirSync(path.join(DEFAULT_SPECS_DIR, vendor)).some((f) => f.endsWith('.json')), vendor);
    }
  });

  it('builds the served fixtures as copies of fixtures/hrflow', () => {
    for (const f of FIXTURE_FILES) {
      assert.equal(fs.readFileSync(path.join(DEFAULT_FIXTURES_DIR, f), 'utf8'), fs.readFileSync(path.join(fixturesDir, f), 'utf8'), f);
    }
  });

  it('parses no YAML at run time: no compiled file of the package requires js-yaml', () => {
    const compiled = filesUnder(path.join(repoRoot, 'dist', 'src')).filter((f) => f.endsWith('.js'));
    assert.ok(compiled.length > 10);
    const offenders = compiled.filter((f) => /require\(["']js-yaml["']\)|from ["']js-yaml["']/.test(fs.readFileSync(f, 'utf8')));
    assert.deepEqual(offenders.map((f) => path.relative(repoRoot, f)), []);
    assert.deepEqual(filesUnder(sandboxDist).filter((f) => /\.ya?ml$/i.test(f)), [], 'no YAML in the built sandbox');
  });

  it('reads nothing from outside the repository (no sibling folder, no env override)', () => {
    // Built from parts so this file does not match its own search.
    const sibling = ['..', 'shared'].join('/');
    const envName = ['HRFLOW', 'SHARED', 'DIR'].join('_');
    const roots = ['src', 'test', 'scripts', 'bench', '.ci', 'package.json'].map((r) => path.join(repoRoot, r));
    const files = roots.flatMap((r) => (fs.existsSync(r) && fs.statSync(r).isFile() ? [r] : filesUnder(r)));
    const offenders = files.filter((f) => {
      if (f.includes(`${path.sep}node_modules${path.sep}`) || f.includes(`${path.sep}.nr5${path.sep}`) || f.includes(`${path.sep}results${path.sep}`)) return false;
      const text = fs.readFileSync(f, 'utf8');
      return text.includes(sibling) || text.includes(envName);
    });
    assert.deepEqual(offenders.map((f) => path.relative(repoRoot, f)), []);
  });
});
