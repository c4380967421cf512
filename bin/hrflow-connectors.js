#!/usr/bin/env node
/**
 * The package's command (its only bin, so `npx @hrflow-connectors/node-red <command>` runs it):
 *
 *   npx @hrflow-connectors/node-red sandbox [--port 8790] [--host 127.0.0.1] [--quiet]
 *
 * `sandbox` starts the local emulator of HrFlow.ai and the ATS APIs (dist/src/sandbox), which the example
 * flow "Try it with the local sandbox" is wired to. Runtime dependencies only; plain Node, no build step.
 */
'use strict';

const path = require('node:path');

const USAGE = `Usage: npx @hrflow-connectors/node-red <command> [options]
Commands:
  sandbox     start fake HrFlow.ai and ATS APIs on 127.0.0.1 to try the nodes without any account
              (sandbox --help for its options)
  --version   the package version`;

function main(argv) {
  const [command, ...rest] = argv;
  if (command === 'sandbox') {
    let cli;
    try {
      cli = require(path.join(__dirname, '..', 'dist', 'src', 'sandbox', 'cli.js'));
    } catch (err) {
      if (err && err.code === 'MODULE_NOT_FOUND' && /sandbox[\\/]cli\.js/.test(String(err.message))) {
        console.error('hrflow-connectors: dist/src/sandbox is missing: in a clone of the repository, run `npm run build` first');
        process.exit(1);
      }
      throw err;
    }
    cli.main(rest).catch((err) => {
      console.error(`sandbox: ${(err && err.message) || err}`);
      process.exit(1);
    });
    return;
  }
  if (command === '--version' || command === '-v') {
    console.log(require(path.join(__dirname, '..', 'package.json')).version);
    return;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return;
  }
  console.error(`hrflow-connectors: unknown command "${command}"\n${USAGE}`);
  process.exitCode = 2;
}

main(process.argv.slice(2));
