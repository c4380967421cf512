import fs from 'node:fs';
import path from 'node:path';

/** The repository root (the folder holding package.json), found from the compiled test's location. */
export const repoRoot = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found');
    dir = up;
  }
  return dir;
})();

/** The synthetic HrFlow fixtures kept in the repository (see fixtures/hrflow/README.md). */
export const fixturesDir = path.join(repoRoot, 'fixtures', 'hrflow');

/** The vendors' OpenAPI descriptions kept in the repository, as YAML sources (see specs/README.md). */
export const specSourcesDir = path.join(repoRoot, 'specs');

export function fixture<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(fixturesDir, name), 'utf8')) as T;
}

export const profiles = {
  full: () => fixture('profile_full.synthetic.json'),
  minimal: () => fixture('profile_minimal.synthetic.json'),
  edge: () => fixture('profile_edge.synthetic.json'),
};
