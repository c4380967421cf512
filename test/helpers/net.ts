/** Small helpers shared by tests: a free loopback port, and the ConnectorError a promise rejects with. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { ConnectorError } from '../../src/core/errors';

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The ConnectorError the promise rejects with; fails when it resolves or rejects with anything else. */
export async function rejects(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConnectorError, `expected ConnectorError, got ${err}`);
    return err;
  }
  assert.fail('expected a rejection');
}
