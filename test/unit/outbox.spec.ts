/**
 * What of a message the durable outbox keeps (journalJson / journalMessage), and the record built around it
 * (outboxRecord): serialized once, the same JSON as the record serialized as a whole.
 */
import assert from 'node:assert/strict';
import { journalJson, journalMessage, outboxRecord, recordJson } from '../../src/push/outbox';
import { MemoryLedgerStore } from '../../src/push/ledger';

describe('the outbox: what of a message is journaled', () => {
  it('keeps the JSON-safe properties whole, leaves out req, res, functions, cycles, BigInt and our markers', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const msg = {
      _msgid: 'm1',
      payload: { name: 'Ada', tags: ['x', 1, null, true] },
      topic: 't',
      buf: Buffer.from('hi'),
      when: new Date('2026-01-02T03:04:05.000Z'),
      req: { socket: 1 },
      res: { end: 1 },
      fn: () => 1,
      big: 10n,
      cycle,
      resumed: true,
      retried: true,
      nothing: undefined,
    };
    assert.deepEqual(journalMessage(msg), {
      _msgid: 'm1',
      payload: { name: 'Ada', tags: ['x', 1, null, true] },
      topic: 't',
      buf: { type: 'Buffer', data: [104, 105] },
      when: '2026-01-02T03:04:05.000Z',
    });
  });

  it('a property named __proto__ stays a plain property (it never becomes the prototype)', () => {
    const msg = JSON.parse('{"__proto__": {"polluted": true}, "payload": 1}');
    const kept = journalMessage(msg)!;
    assert.equal(Object.getPrototypeOf(kept), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(kept), ['__proto__', 'payload']);
  });

  it('a message larger than the bound is not journaled', () => {
    assert.equal(journalJson({ payload: 'x'.repeat(100) }, 50), undefined);
    assert.equal(typeof journalJson({ payload: 'x'.repeat(10) }, 50), 'string');
  });

  it('outboxRecord: its JSON is the record serialized, its msg parsed only when read and then the same', () => {
    const json = journalJson({ payload: { a: [1, 2] }, topic: 'x' })!;
    const now = new Date('2026-12-04T00:00:00.000Z');
    const record = outboxRecord('node-1', 'taleez', json, now);
    const text = recordJson(record);
    assert.deepEqual(JSON.parse(text), { id: record.id, node: 'node-1', vendor: 'taleez', state: 'queued', msg: { payload: { a: [1, 2] }, topic: 'x' }, accepted: '2026-12-04T00:00:00.000Z' });
    assert.equal(JSON.stringify(record), text, 'serialized as a whole: the same text');
    assert.deepEqual(record.msg, { payload: { a: [1, 2] }, topic: 'x' });
    assert.equal(record.msg, record.msg, 'parsed once');
    // A new msg given: the cached text is dropped.
    record.msg = { other: true };
    assert.deepEqual(JSON.parse(recordJson(record)).msg, { other: true });
  });

  it('a store that copies the record keeps a plain copy', async () => {
    const store = new MemoryLedgerStore();
    const record = outboxRecord('n', 'smartrecruiters', journalJson({ payload: 1 })!);
    await store.journal(record);
    const [back] = await store.pending();
    assert.deepEqual(back, JSON.parse(recordJson(record)));
    assert.equal(Object.getOwnPropertyDescriptor(back, 'msg')?.get, undefined, 'a data property, not the getter');
  });
});
