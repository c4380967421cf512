#!/usr/bin/env node
/**
 * Copies the editor assets next to the compiled node files, after `tsc` has written
 * `dist/nodes/*.js`:
 *
 *   nodes/*.html        -> dist/nodes/            (editor definition + edit template, beside each .js)
 *   nodes/locales/**    -> dist/nodes/locales/    (message catalogues and help text)
 *   icons/*             -> dist/nodes/icons/      (Node-RED only looks for icons in an `icons/`
 *                                                 folder beside the node's .js file)
 *
 * then runs the editor generator (dist/nodes/editor/generate.js, built by tsc from
 * nodes/editor/generate.ts): every type a description describes gets its generated editor HTML,
 * catalogues and help (en-US and fr), written over any hand-written copy.
 *
 * Idempotent: the copied folders are rebuilt from the sources on every run, so files deleted
 * from the sources do not linger in dist. Plain Node, no dependencies. Exits non-zero on failure.
 */
'use strict';

const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const nodesSrc = path.join(root, 'nodes');
const iconsSrc = path.join(root, 'icons');
const nodesOut = path.join(root, 'dist', 'nodes');

/** Copy a folder recursively (files only, no symlinks followed). Returns how many files were copied. */
function copyDir(from, to) {
  let count = 0;
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      count += copyDir(src, dst);
    } else if (entry.isFile()) {
      fs.copyFileSync(src, dst);
      count++;
    }
  }
  return count;
}

/** Replace `to` with a fresh copy of `from`. */
function mirrorDir(from, to) {
  fs.rmSync(to, { recursive: true, force: true });
  return copyDir(from, to);
}

/**
 * Every node listed in package.json needs its editor HTML in nodes/, or Node-RED cannot show it.
 * Only a warning here (the copy itself still works); test/package/editor.spec.ts fails on it.
 */
function checkListedNodes(generated) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const listed = (pkg['node-red'] && pkg['node-red'].nodes) || {};
  const missing = [];
  for (const [type, file] of Object.entries(listed)) {
    const html = path.join(nodesSrc, path.basename(file).replace(/\.c?js$/, '.html'));
    if (!fs.existsSync(html) && !generated.includes(type)) missing.push(`${type}: ${path.relative(root, html)}`);
  }
  if (missing.length) {
    console.warn(`copy-assets: warning: no editor HTML for node(s) listed in package.json:\n  ${missing.join('\n  ')}`);
  }
}

function main() {
  if (!fs.existsSync(path.join(nodesOut))) {
    console.warn(`copy-assets: ${path.relative(root, nodesOut)} does not exist yet (run tsc first); creating it`);
  }
  fs.mkdirSync(nodesOut, { recursive: true });

  // 1. nodes/*.html -> dist/nodes/ (stale copies of deleted editor files are removed first)
  for (const name of fs.readdirSync(nodesOut)) {
    if (name.endsWith('.html') && !fs.existsSync(path.join(nodesSrc, name))) {
      fs.rmSync(path.join(nodesOut, name), { force: true });
    }
  }
  let html = 0;
  for (const name of fs.readdirSync(nodesSrc)) {
    if (name.endsWith('.html') && fs.statSync(path.join(nodesSrc, name)).isFile()) {
      fs.copyFileSync(path.join(nodesSrc, name), path.join(nodesOut, name));
      html++;
    }
  }

  // 2. nodes/locales/** -> dist/nodes/locales/
  const localesSrc = path.join(nodesSrc, 'locales');
  const locales = fs.existsSync(localesSrc) ? mirrorDir(localesSrc, path.join(nodesOut, 'locales')) : 0;

  // 3. icons/* -> dist/nodes/icons/
  const icons = fs.existsSync(iconsSrc) ? mirrorDir(iconsSrc, path.join(nodesOut, 'icons')) : 0;

  console.log(`copy-assets: ${html} editor file(s), ${locales} locale file(s), ${icons} icon(s) -> ${path.relative(root, nodesOut)}`);

  // 4. the generated editor files (after the copies: they win over hand-written ones)
  const generator = path.join(nodesOut, 'editor', 'generate.js');
  if (!fs.existsSync(generator)) throw new Error(`${path.relative(root, generator)} is missing (run tsc first)`);
  const generated = require(generator).generate(root);
  checkListedNodes(generated);
}

try {
  main();
} catch (err) {
  console.error(`copy-assets failed: ${err && err.message ? err.message : err}`);
  process.exit(1);
}
