/**
 * The push pipeline shared by the push nodes and pushProfile (src/push/pipeline.ts), the error text Catch
 * nodes show, and the status texts' fallback.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectorError, ErrorCodes, pushProfile, taleez } from '../../src';
import { statusText } from '../../nodes/lib/push-node';
import { STATUS_TEXTS, statusCatalogue } from '../../nodes/lib/status-text';
import { profiles } from '../helpers/fixtures';
import { rejects } from '../helpers/net';

describe('push pipeline (pushProfile)', () => {
  it('reports a CV host failure with the vendor id and step download_cv, before anything is sent to the vendor', async () => {
    const hits: string[] = [];
    const srv = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(503).end('down');
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      const profile = profiles.full();
      for (const a of profile.attachments) a.public_url = `${base}/cv/${a.type}.pdf`;
      const err = await rejects(
        pushProfile(taleez, { x_taleez_api_secret: 'secret-value', base_url: `${base}/taleez/0` }, { recruiter_id: 1 }, profile, {
          retries: 0,
          cvDownload: { allowPrivateAddresses: true },
        }),
      );
      assert.equal(err.code, ErrorCodes.VENDOR_UNAVAILABLE);
      assert.equal(err.vendor, 'taleez');
      assert.equal(err.step, 'download_cv');
      assert.deepEqual(hits, ['/cv/resume.pdf'], 'only the CV was asked for');
    } finally {
      await new Promise((resolve) => srv.close(resolve));
    }
  });

  it('checks the account first (INVALID_CONFIG), then the payload (INVALID_PROFILE), sending nothing', async () => {
    let err = await rejects(pushProfile(taleez, { x_taleez_api_secret: '', base_url: 'http://127.0.0.1:9/taleez/0' }, {}, profiles.full()));
    assert.equal(err.code, ErrorCodes.INVALID_CONFIG);
    err = await rejects(pushProfile(taleez, { x_taleez_api_secret: 's', base_url: 'http://127.0.0.1:9/taleez/0' }, { recruiter_id: 1 }, profiles.full(), { payload: { firstName: 1 } }));
    assert.equal(err.code, ErrorCodes.INVALID_PROFILE);
  });
});

describe('ConnectorError as text', () => {
  it('reads CODE: message (what Node-RED puts in msg.error.message), and keeps its code', () => {
    const e = new ConnectorError(ErrorCodes.AUTH_FAILED, 'the token was refused', { vendor: 'taleez' });
    assert.equal(e.toString(), 'AUTH_FAILED: the token was refused');
    assert.equal(String(e), 'AUTH_FAILED: the token was refused');
    // The stack's first line too: a Catch node copies it to msg.error.stack, which the debug sidebar shows.
    assert.match(String(e.stack), /^AUTH_FAILED: the token was refused\n    at /);
    assert.equal(e.code, 'AUTH_FAILED');
    assert.equal(e.message, 'the token was refused');
  });
});

describe('status texts', () => {
  it('declares every text in English and French with the same placeholders', () => {
    for (const [key, t] of Object.entries(STATUS_TEXTS)) {
      const names = (s: string) => [...s.matchAll(/__(\w+)__/g)].map((m) => m[1]).sort();
      assert.deepEqual(names(t.en), [...t.params].sort(), key);
      assert.deepEqual(names(t.fr), [...t.params].sort(), key);
      assert.notEqual(t.fr, t.en, `${key} is translated`);
    }
    assert.equal(statusCatalogue('fr').created, 'créé __id__');
  });

  it('uses RED._ (namespaced to the node set) and falls back to English when the catalogue has no key', () => {
    const catalogue: Record<string, string> = { 'hrflow-taleez.status.created': 'créé __id__' };
    const RED = { _: (key: string, v: Record<string, unknown>) => (catalogue[key] ? catalogue[key].replace('__id__', String(v.id)) : key) } as any;
    assert.equal(statusText(RED, 'hrflow-taleez', 'created', { id: 42 }), 'créé 42');
    assert.equal(statusText(RED, 'hrflow-taleez', 'retry', { attempt: 1, retries: 3, reason: 'TIMEOUT' }), 'retry 1/3 TIMEOUT');
    // Node-RED's i18n answers a missing key without its namespace; node-red-node-test-helper answers the key.
    const i18n = { _: (key: string) => key.replace(/^.*:/, '') } as any;
    assert.equal(statusText(i18n, 'hrflow-taleez', 'created', { id: 7 }), 'created 7');
    assert.equal(statusText({} as any, 'hrflow-taleez', 'rate-waiting', { seconds: 5 }), 'rate limited, waiting 5 s');
    assert.equal(statusText({ _: () => { throw new Error('x'); } } as any, 'hrflow-taleez', 'pushed'), 'pushed');
  });
});

describe('push pipeline: the same outcome as a push node for the same inputs (pushProfile)', () => {
  const account = { x_taleez_api_secret: 's', base_url: 'http://127.0.0.1:9/taleez/0' };

  it('names the vendor by its id on every error, the payload check included (not its label)', async () => {
    const err = await rejects(pushProfile(taleez, account, { recruiter_id: 1 }, profiles.full(), { payload: { firstName: 1 } }));
    assert.equal(err.code, ErrorCodes.INVALID_PROFILE);
    assert.equal(err.vendor, 'taleez');
  });

  it('answers INVALID_INPUT (a ConnectorError of the vendor) when there is neither a profile nor a payload', async () => {
    for (const profile of [undefined, null]) {
      const err = await rejects(pushProfile(taleez, account, { recruiter_id: 1 }, profile as never));
      assert.ok(err instanceof ConnectorError, String(err));
      assert.equal(err.code, ErrorCodes.INVALID_INPUT);
      assert.equal(err.vendor, 'taleez');
    }
  });

  it('reads the parameters as the node does (vendor.readParams): ids typed as text are taken, a wrong one is INVALID_CONFIG', async () => {
    // As a node's panel holds them: "15886", "101", "201, 202". The node pushes; pushProfile must not refuse
    // the payload it maps from them (recruiterId must be a number) before anything is sent.
    const err = await rejects(pushProfile(taleez, account, { recruiter_id: '15886', job_id: '101', pool_ids: '201, 202' } as never, profiles.full(), { retries: 0 }));
    assert.notEqual(err.code, ErrorCodes.INVALID_PROFILE, err.message);
    const bad = await rejects(pushProfile(taleez, account, { recruiter_id: 'abc' } as never, profiles.full()));
    assert.equal(bad.code, ErrorCodes.INVALID_CONFIG);
    assert.equal(bad.vendor, 'taleez');
  });
});
