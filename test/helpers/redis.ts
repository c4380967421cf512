/**
 * A real redis-server for tests and the bench (issue 14): on 127.0.0.1, a free port, a temporary
 * directory, no persistence unless asked (`persist: true`: append-only file, fsync always, so that a
 * restart keeps every acknowledged write), optional `requirepass`. Stop, start again on the same port and
 * directory, or kill it (SIGKILL) for the "Redis down / restarted mid-run" tests.
 *
 * Without /usr/bin/redis-server (or $REDIS_SERVER), `redisOrSkip` skips the suite with a clear message,
 * except under CI (CI=true), where it fails: CI installs Debian's redis-server (.ci/run).
 * No mocha import: bench/redis.js uses this module too (dist/test/helpers/redis.js).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './net';

export const REDIS_SERVER = process.env.REDIS_SERVER || '/usr/bin/redis-server';

export function redisServerInstalled(): boolean {
  try {
    fs.accessSync(REDIS_SERVER, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * In a mocha `before` hook: skip the suite when redis-server is missing (outside CI), fail under CI.
 * `ctx` is the hook's `this`.
 */
export function redisOrSkip(ctx: { skip(): void }): void {
  if (redisServerInstalled()) return;
  if (/^(1|true|yes)$/i.test(process.env.CI ?? '')) {
    throw new Error(`${REDIS_SERVER} is missing: CI must install redis-server (apt-get install redis-server, as .ci/run does)`);
  }
  console.warn(`    (skipped: ${REDIS_SERVER} is missing; install redis-server to run the Redis store tests)`);
  ctx.skip();
}

export interface RedisServerOptions {
  password?: string;
  /** Append-only file with fsync always: a restart keeps every acknowledged write. */
  persist?: boolean;
}

export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:<port> (no password in it). */
  readonly url: string;
  readonly password?: string;
  readonly dir: string;
  readonly running: boolean;
  /** Stop (SIGTERM, waits for the exit). */
  stop(): Promise<void>;
  /** SIGKILL (no shutdown: what was not fsynced is lost). */
  kill(): Promise<void>;
  /** Start again on the same port and directory (resolves once it accepts connections). */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stop and remove the directory. */
  close(): Promise<void>;
}

/** Start a redis-server; resolves once it accepts connections. */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrflow-redis-'));
  let child: ChildProcess | undefined;
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', options.persist ? 'yes' : 'no',
    '--appendfsync', 'always',
    '--daemonize', 'no',
    '--logfile', '',
    '--loglevel', 'warning',
  ];
  if (options.password) args.push('--requirepass', options.password);

  const start = async () => {
    if (child) return;
    const kid = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    kid.stdout!.on('data', (b: Buffer) => (out += b.toString()).length > 100_000 && (out = out.slice(-50_000)));
    kid.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child = kid;
    kid.once('exit', () => {
      if (child === kid) child = undefined;
    });
    await waitAccepting(port, kid, () => out);
  };
  const stop = async (signal: NodeJS.Signals) => {
    const kid = child;
    if (!kid) return;
    child = undefined;
    if (kid.exitCode !== null || kid.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      kid.once('exit', () => resolve());
      kid.kill(signal);
    });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    password: options.password,
    dir,
    get running() {
      return child !== undefined;
    },
    stop: () => stop('SIGTERM'),
    kill: () => stop('SIGKILL'),
    start,
    async restart() {
      await stop('SIGTERM');
      await start();
    },
    async close() {
      await stop('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the server answers PING on the port (a raw RESP exchange: no client library needed). */
async function waitAccepting(port: number, kid: ChildProcess, output: () => string, timeoutMs = 10_000): Promise<void> {
  const net = await import('node:net');
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (kid.exitCode !== null || kid.signalCode !== null) throw new Error(`redis-server exited at start: ${output().trim()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.setTimeout(500);
      s.once('connect', () => s.write('PING\r\n'));
      // +PONG, or -NOAUTH when a password is required: either way it is up.
      s.once('data', (b) => {
        s.destroy();
        resolve(/^(\+PONG|-NOAUTH)/.test(b.toString()));
      });
      s.once('error', () => resolve(false));
      s.once('timeout', () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`redis-server did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms: ${output().trim()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * In a mocha describe: one redis-server for its tests, started before them (restarted after a test that
 * left it stopped), closed after them. `optional`: without redis-server the suite still runs (the getter
 * answers undefined; Redis tests skip themselves with redisOrSkip); else the suite is skipped (fails under CI).
 */
export function useRedisServer(options: RedisServerOptions & { optional?: boolean } = {}): () => RedisServer {
  let server: RedisServer | undefined;
  before(async function () {
    if (options.optional ? !redisServerInstalled() : (redisOrSkip(this), false)) return;
    server = await startRedis(options);
  });
  afterEach(async () => {
    if (server && !server.running) await server.start();
  });
  after(async () => server?.close());
  return () => server!;
}
