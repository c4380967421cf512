/**
 * A port in use is one clear line naming the option that sets it, and exit code 1: `npm start`
 * (scripts/start.js --port / --sandbox-port) and the sandbox CLI (--port). No stack trace, no addresses.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/fixtures';

/** Runs a script to its end; resolves its exit code and everything it printed. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a port in use is one line naming its option', function () {
  this.timeout(30_000);
  let busy: net.Server;
  let port = 0;
  let userDir = '';

  before(async () => {
    busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as net.AddressInfo).port;
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-ports-'));
  });

  after(async () => {
    await new Promise((resolve) => busy.close(resolve));
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  const start = path.join(repoRoot, 'scripts', 'start.js');
  const cases: Array<{ name: string; args: () => string[]; line: () => string }> = [
    {
      name: 'npm start --port',
      args: () => [start, '--port', String(port), '--sandbox-port', '0', '--user-dir', userDir],
      line: () => `port ${port} is in use: choose another with --port`,
    },
    {
      name: 'npm start --sandbox-port',
      args: () => [start, '--port', '0', '--sandbox-port', String(port), '--user-dir', userDir],
      line: () => `port ${port} is in use: choose another with --sandbox-port`,
    },
    {
      name: 'sandbox CLI --port',
      args: () => [path.join(repoRoot, 'dist', 'src', 'sandbox', 'cli.js'), '--port', String(port), '--quiet'],
      line: () => `sandbox: port ${port} is in use: choose another with --port`,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: exit code 1, one line, no stack trace, no address printed`, async () => {
      const r = await run(c.args());
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(r.stderr, `${c.line()}\n`);
      assert.equal(r.stdout, '');
    });
  }

  it('npm start refuses the same port for both servers, and a port that is not a number', async () => {
    const same = await run([start, '--port', '8790', '--sandbox-port', '8790', '--user-dir', userDir]);
    assert.equal(same.code, 2);
    assert.equal(same.stderr, '--port and --sandbox-port are both 8790: choose two different ports\n');
    const nan = await run([start, '--port', 'abc', '--user-dir', userDir]);
    assert.equal(nan.code, 2);
    assert.equal(nan.stderr.trim().split('\n').length, 1, nan.stderr);
    assert.match(nan.stderr, /^--port needs a port number/);
  });
});
