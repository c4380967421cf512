/**
 * HrFlow's webhook signature (src/hrflow/webhook.ts): HrFlow's documented test vector, both header forms,
 * constant-time comparison of the digests, and the event helpers (delivery, identity, filter, seen events).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { checkSignature, deliveryEvents, eventKey, eventList, eventPasses, eventRef, SeenEvents, signatureHeader, signBody, signLegacy } from '../../src/hrflow/webhook';
import { webhookHeaders } from '../../src/sandbox/webhooks';

describe('HrFlow webhook signature', () => {
  const body = Buffer.from(JSON.stringify({ type: 'profile.parsing.success', origin: 'api', message: 'ok', profile: { key: 'k1', source: { key: 's1' } } }));

  it("matches HrFlow's documented example: secret 1234, body 4567", () => {
    // developers.hrflow.ai "Webhook Configuration" (Python and Ruby check_signature examples).
    assert.equal(signBody('1234', '4567'), '9d101d2bf630748679226b767d2031634c520390ff0e926afc09bc65a05bfdb2');
    assert.equal(checkSignature('1234', Buffer.from('4567'), '9d101d2bf630748679226b767d2031634c520390ff0e926afc09bc65a05bfdb2'), true);
  });

  it('accepts the hex HMAC-SHA256 of the raw body (any case, surrounding spaces), refuses anything else', () => {
    const hex = createHmac('sha256', 'secret').update(body).digest('hex');
    assert.equal(checkSignature('secret', body, hex), true);
    assert.equal(checkSignature('secret', body, ` ${hex.toUpperCase()} `), true);
    assert.equal(checkSignature('secret', body, [hex]), true);
    assert.equal(checkSignature('other', body, hex), false, 'another secret');
    assert.equal(checkSignature('secret', Buffer.concat([body, Buffer.from(' ')]), hex), false, 'another body (one byte more)');
    assert.equal(checkSignature('secret', body, hex.slice(0, 63)), false, 'truncated');
    assert.equal(checkSignature('secret', body, `${hex.slice(0, 63)}0` === hex ? `${hex.slice(0, 63)}1` : `${hex.slice(0, 63)}0`), false, 'last digit changed');
    assert.equal(checkSignature('secret', body, createHmac('sha256', 'secret').update(body).digest('base64')), false, 'base64 of the digest is not HrFlow\'s form');
    assert.equal(checkSignature('secret', body, `sha256=${hex}`), false);
    assert.equal(checkSignature('secret', body, undefined), false, 'missing');
    assert.equal(checkSignature('secret', body, ''), false, 'empty');
    assert.equal(checkSignature('', body, signBody('', body)), false, 'no secret: nothing is accepted');
    assert.equal(checkSignature(undefined, body, hex), false);
  });

  it('accepts the legacy signed-request form only when its payload is the raw body', () => {
    const legacy = signLegacy('secret', body);
    assert.match(legacy, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.equal(checkSignature('secret', body, legacy), true);
    assert.equal(checkSignature('other', body, legacy), false);
    const otherBody = Buffer.from('{"type":"profile.parsing.error"}');
    assert.equal(checkSignature('secret', otherBody, legacy), false, 'a valid signed request of another body');
    // Standard base64 (with padding) is read too.
    const hex = signBody('secret', body);
    assert.equal(checkSignature('secret', body, `${Buffer.from(hex).toString('base64')}.${body.toString('base64')}`), true);
    assert.equal(checkSignature('secret', body, `${Buffer.from(hex).toString('base64')}.`), false);
    assert.equal(checkSignature('secret', body, '.abc'), false);
    assert.equal(checkSignature('secret', body, 'not base64!.x'), false);
  });

  it('the sandbox signs on its own exactly as the check expects (both headers, both forms)', () => {
    for (const header of ['hrflow', 'riminder'] as const) {
      for (const legacy of [false, true]) {
        const h = webhookHeaders('s3cret', body, { header, legacy });
        const lower = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
        assert.deepEqual(Object.keys(lower), [header === 'hrflow' ? 'http-hrflow-signature' : 'http-riminder-signature']);
        assert.equal(checkSignature('s3cret', body, signatureHeader(lower)), true, `${header} legacy=${legacy}`);
      }
    }
  });

  it('reads the current header first, then the older one', () => {
    assert.equal(signatureHeader({ 'http-hrflow-signature': 'a', 'http-riminder-signature': 'b' }), 'a');
    assert.equal(signatureHeader({ 'http-riminder-signature': 'b' }), 'b');
    assert.equal(signatureHeader({ 'http-hrflow-signature': ' ', 'http-riminder-signature': 'b' }), 'b');
    assert.equal(signatureHeader({}), undefined);
  });
});

describe('HrFlow webhook events', () => {
  const ev = (type: string, key = 'k1', extra: Record<string, unknown> = {}) => ({ type, origin: 'api', message: 'm', profile: { key, source: { key: 's1' }, updated_at: '2026-11-30T10:00:00+0000' }, ...extra });

  it('a delivery is one event or an array of events', () => {
    assert.equal(deliveryEvents(Buffer.from(JSON.stringify(ev('a.b')))).length, 1);
    assert.equal(deliveryEvents(Buffer.from(JSON.stringify([ev('a.b'), ev('a.c')]))).length, 2);
    assert.throws(() => deliveryEvents(Buffer.from('not json')));
    assert.throws(() => deliveryEvents(Buffer.from('[1, 2]')));
    assert.throws(() => deliveryEvents(Buffer.from('"text"')));
  });

  it('eventRef reads the type, source key and profile key', () => {
    assert.deepEqual(eventRef(ev('profile.parsing.success')), { type: 'profile.parsing.success', source_key: 's1', profile_key: 'k1' });
    assert.deepEqual(eventRef({ type: 'x.y' }), { type: 'x.y', source_key: undefined, profile_key: undefined });
  });

  it('eventKey: the id when there is one, else type + profile + time, else the content', () => {
    assert.equal(eventKey(ev('a.b', 'k1', { id: 'E1' })), eventKey(ev('a.c', 'k2', { id: 'E1' })));
    assert.equal(eventKey(ev('a.b')), eventKey(JSON.parse(JSON.stringify(ev('a.b')))));
    assert.notEqual(eventKey(ev('a.b')), eventKey(ev('a.c')), 'another type');
    assert.notEqual(eventKey(ev('a.b', 'k1')), eventKey(ev('a.b', 'k2')), 'another profile');
    const later = ev('a.b');
    (later.profile as Record<string, unknown>).updated_at = '2026-11-30T11:00:00+0000';
    assert.notEqual(eventKey(ev('a.b')), eventKey(later), 'an update of the profile later');
    assert.equal(eventKey({ type: 'a.b', x: 1, y: 2 }), eventKey({ y: 2, x: 1, type: 'a.b' }), 'same content, keys in another order');
    const personal = { type: 'a.b', profile: { info: { email: 'jane@example.com', full_name: 'Jane Doe' } } };
    assert.match(eventKey(personal), /^[A-Za-z0-9_-]{43}$/, 'a hash: no personal data, bounded (it is a Redis key name)');
  });

  it('events filter: empty passes all; a list, or a text with commas', () => {
    assert.equal(eventPasses('a.b', []), true);
    assert.equal(eventPasses('a.b', ['a.c']), false);
    assert.deepEqual(eventList(' profile.parsing.success, profile.storing.update ,,'), ['profile.parsing.success', 'profile.storing.update']);
    assert.deepEqual(eventList(['x.y', 'x.y', ' ', 3]), ['x.y']);
    assert.deepEqual(eventList(undefined), []);
  });

  it('SeenEvents answers true once per key, forgets after the ttl, and stays bounded', () => {
    let now = 0;
    const seen = new SeenEvents(3, 1000, () => now);
    assert.equal(seen.first('a'), true);
    assert.equal(seen.first('a'), false);
    now = 999;
    assert.equal(seen.first('a'), false);
    now = 1000;
    assert.equal(seen.first('a'), true, 'forgotten after the ttl');
    for (const k of ['b', 'c', 'd', 'e']) assert.equal(seen.first(k), true);
    assert.equal(seen.size, 3);
    assert.equal(seen.first('e'), false);
    assert.equal(seen.first('a'), true, 'the oldest was dropped beyond the bound');
  });
});
