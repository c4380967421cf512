#!/usr/bin/env node
/**
 * Build step for the sandbox's data, run by `npm run build` after `tsc`:
 *
 *   specs/<vendor>/*.yaml             -> dist/src/sandbox/specs/<vendor>/<name>.json   (OpenAPI, YAML parsed here)
 *   fixtures/hrflow/profile_*.json    -> dist/src/sandbox/fixtures/hrflow/             (profiles the sandbox serves)
 *
 * The YAML files are the sources of truth (see specs/README.md for where each came from). The sandbox
 * reads only the JSON written here, next to its own compiled files, so it parses no YAML at run time and
 * needs neither js-yaml (a build-time devDependency) nor anything outside the package.
 *
 * Idempotent: both output folders are rebuilt from the sources on every run. Exits non-zero on failure.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const specsSrc = path.join(root, 'specs');
const fixturesSrc = path.join(root, 'fixtures', 'hrflow');
const sandboxOut = path.join(root, 'dist', 'src', 'sandbox');
const specsOut = path.join(sandboxOut, 'specs');
const fixturesOut = path.join(sandboxOut, 'fixtures', 'hrflow');

/** The parsed value as plain JSON (YAML timestamps become ISO strings, as JSON.stringify writes them). */
function toJson(value) {
  return JSON.stringify(value, null, 1) + '\n';
}

function buildSpecs(yaml) {
  fs.rmSync(specsOut, { recursive: true, force: true });
  let count = 0;
  for (const vendor of fs.readdirSync(specsSrc, { withFileTypes: true })) {
    if (!vendor.isDirectory()) continue;
    const from = path.join(specsSrc, vendor.name);
    const to = path.join(specsOut, vendor.name);
    fs.mkdirSync(to, { recursive: true });
    for (const name of fs.readdirSync(from).sort()) {
      if (!/\.ya?ml$/i.test(name)) continue;
      const file = path.join(from, name);
      let doc;
      try {
        doc = yaml.load(fs.readFileSync(file, 'utf8'), { filename: file });
      } catch (err) {
        throw new Error(`${path.relative(root, file)}: ${err && err.message ? err.message : err}`);
      }
      if (!doc || typeof doc !== 'object') throw new Error(`${path.relative(root, file)}: not an OpenAPI document`);
      fs.writeFileSync(path.join(to, name.replace(/\.ya?ml$/i, '.json')), toJson(doc));
      count++;
    }
  }
  return count;
}

function copyFixtures() {
  fs.rmSync(fixturesOut, { recursive: true, force: true });
  fs.mkdirSync(fixturesOut, { recursive: true });
  let count = 0;
  for (const name of fs.readdirSync(fixturesSrc).sort()) {
    if (!/^profile_.*\.json$/.test(name)) continue;
    const text = fs.readFileSync(path.join(fixturesSrc, name), 'utf8');
    JSON.parse(text); // fail the build on a broken fixture, not the sandbox's start
    fs.writeFileSync(path.join(fixturesOut, name), text);
    count++;
  }
  return count;
}

function main() {
  // Required here only: js-yaml is a devDependency, used at build time.
  const yaml = require('js-yaml');
  const specs = buildSpecs(yaml);
  const fixtures = copyFixtures();
  if (!specs) throw new Error(`no *.yaml under ${path.relative(root, specsSrc)}/<vendor>/`);
  if (!fixtures) throw new Error(`no profile_*.json in ${path.relative(root, fixturesSrc)}`);
  console.log(
    `build-sandbox-data: ${specs} spec(s) -> ${path.relative(root, specsOut)}, ${fixtures} fixture(s) -> ${path.relative(root, fixturesOut)}`,
  );
}

try {
  main();
} catch (err) {
  console.error(`build-sandbox-data failed: ${err && err.message ? err.message : err}`);
  process.exit(1);
}
