/**
 * The write-back's pure parts (src/hrflow/writeback.ts): the entry of a push, merging it into a profile's
 * list (others kept, same vendor and target replaced, never duplicated), the PUT body (valid against the
 * derived HrFlow spec), the input checks; and the sandbox's emulation of PUT /profile/indexing: auth,
 * validation of malformed bodies, application to the profile state, the request log, reset.
 */
import assert from 'node:assert/strict';
import { HrflowClient } from '../../src/hrflow/client';
import {
  checkWritebackInput,
  mergeRecord,
  parseRecord,
  recordEntry,
  recordName,
  recordPush,
  serializeProfile,
  writebackBody,
  writebackField,
  type NameValue,
  type PushRecord,
} from '../../src/hrflow/writeback';
import { validateAgainstSpec, type HrflowState } from '../../src/sandbox';
import { rejects } from '../helpers/net';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';

const AT = '2026-11-20T10:00:00.000Z';
const push = (over: Partial<PushRecord> = {}): PushRecord => ({ vendor: 'taleez', candidate_id: '12785', target: 'job_id=101|pool_ids=201', at: AT, ...over });

describe('write-back: the entry of a push', () => {
  it('is named ats:<vendor>:<target> (ats:<vendor> without a target), its value a JSON text of the push', () => {
    assert.equal(recordName('taleez', 'job_id=101'), 'ats:taleez:job_id=101');
    assert.equal(recordName('broadbean', ''), 'ats:broadbean');
    const e = recordEntry(push());
    assert.equal(e.name, 'ats:taleez:job_id=101|pool_ids=201');
    assert.equal(typeof e.value, 'string');
    assert.deepEqual(JSON.parse(e.value as string), { vendor: 'taleez', candidate_id: '12785', target: 'job_id=101|pool_ids=201', at: AT });
    assert.deepEqual(parseRecord(e), push());
  });

  it('parseRecord reads only our entries: other names, unreadable values, missing fields are not pushes', () => {
    assert.equal(parseRecord({ name: 'cover_letter', value: '{"vendor":"x","candidate_id":"1"}' }), undefined);
    assert.equal(parseRecord({ name: 'ats:taleez', value: 'not json' }), undefined);
    assert.equal(parseRecord({ name: 'ats:taleez', value: '{"vendor":"taleez"}' }), undefined);
    assert.equal(parseRecord(null), undefined);
    assert.equal(parseRecord('ats:taleez'), undefined);
    // An object value (a tool that stored it so) and a numeric id are read too.
    assert.deepEqual(parseRecord({ name: 'ats:recruitee', value: { vendor: 'recruitee', candidate_id: 42 } }), { vendor: 'recruitee', candidate_id: '42', target: '', at: '' });
  });
});

describe('write-back: merging a push into a profile list', () => {
  const others: NameValue[] = [
    { name: 'cover_letter', value: 'hello' },
    { name: 'ats:legacy', value: 'someone else\'s' },
  ];

  it('appends a new entry after every other one, which are kept as they are', () => {
    const r = mergeRecord(others, push());
    assert.equal(r.action, 'created');
    assert.deepEqual(r.list.slice(0, 2), others);
    assert.deepEqual(r.list[2], recordEntry(push()));
    assert.equal(r.at, AT);
  });

  it('a missing or malformed list is an empty one (entries that are not objects are dropped)', () => {
    assert.deepEqual(mergeRecord(undefined, push()).list, [recordEntry(push())]);
    assert.deepEqual(mergeRecord(null, push()).list, [recordEntry(push())]);
    assert.deepEqual(mergeRecord([null, 'x', 3], push()).list, [recordEntry(push())]);
  });

  it('the same vendor and target with another candidate: replaced in place, not duplicated', () => {
    const first = mergeRecord(others, push()).list;
    const withAfter = [...first, { name: 'later', value: 1 }];
    const r = mergeRecord(withAfter, push({ candidate_id: '99999', at: '2026-11-21T00:00:00.000Z' }));
    assert.equal(r.action, 'replaced');
    assert.deepEqual(r.list.map((e) => e.name), ['cover_letter', 'ats:legacy', 'ats:taleez:job_id=101|pool_ids=201', 'later']);
    assert.equal(parseRecord(r.list[2])?.candidate_id, '99999');
  });

  it('the same candidate again: unchanged, the first time kept', () => {
    const first = mergeRecord(others, push()).list;
    const r = mergeRecord(first, push({ at: '2030-01-01T00:00:00.000Z' }));
    assert.equal(r.action, 'unchanged');
    assert.deepEqual(r.list, first);
    assert.equal(r.at, AT);
  });

  it('another target of the same vendor, or another vendor: another entry', () => {
    let list = mergeRecord([], push()).list;
    list = mergeRecord(list, push({ target: 'job_id=102' })).list;
    list = mergeRecord(list, push({ vendor: 'recruitee', target: 'offer_ids=101' })).list;
    assert.deepEqual(list.map((e) => e.name), ['ats:taleez:job_id=101|pool_ids=201', 'ats:taleez:job_id=102', 'ats:recruitee:offer_ids=101']);
  });

  it('several entries with the name of this push (written by hand): one is left, with this push', () => {
    const dup = [recordEntry(push({ candidate_id: '1' })), { name: 'x', value: 'y' }, recordEntry(push({ candidate_id: '2' }))];
    const r = mergeRecord(dup, push({ candidate_id: '1' }));
    assert.equal(r.action, 'replaced');
    assert.deepEqual(r.list.map((e) => [e.name, parseRecord(e)?.candidate_id]), [['ats:taleez:job_id=101|pool_ids=201', '1'], ['x', undefined]]);
  });
});

describe('write-back: the PUT body and the input checks', () => {
  it('the body changes one list: {source_key, key, metadatas|tags}, valid against the derived HrFlow spec (ProfileUpdate)', () => {
    const list = mergeRecord([{ name: 'cover_letter', value: null }], push()).list;
    for (const field of ['metadatas', 'tags'] as const) {
      const body = writebackBody(SOURCE_KEY, KEYS.full, field, list);
      assert.deepEqual(Object.keys(body), ['source_key', 'key', field]);
      const v = validateAgainstSpec('hrflow', 'ProfileUpdate', body);
      assert.ok(v.valid, JSON.stringify(v.errors));
    }
  });

  it('store_as: "tags" is tags, anything else metadatas', () => {
    assert.equal(writebackField('tags'), 'tags');
    for (const v of ['metadatas', undefined, '', 'TAGS', 3]) assert.equal(writebackField(v), 'metadatas');
  });

  it('checkWritebackInput: numbers are ids, blanks are missing; every missing part is named, INVALID_INPUT', () => {
    const ok = checkWritebackInput({ source_key: ' s ', profile_key: 'p', vendor: 'taleez', candidate_id: 12785, target: ' job_id=1 ', at: new Date(AT) });
    assert.deepEqual(ok, { source_key: 's', profile_key: 'p', vendor: 'taleez', candidate_id: '12785', target: 'job_id=1', at: AT, field: 'metadatas' });
    assert.throws(
      () => checkWritebackInput({ source_key: '', profile_key: ' ', vendor: 'taleez', candidate_id: '' }),
      (e: any) => e.code === 'INVALID_INPUT' && /candidate id/.test(e.message) && /source key/.test(e.message) && /profile key/.test(e.message) && !/vendor \(/.test(e.message),
    );
    assert.throws(() => checkWritebackInput({ source_key: 's', profile_key: 'p', vendor: '', candidate_id: NaN }), (e: any) => e.code === 'INVALID_INPUT' && /msg\.vendor/.test(e.message));
  });

  it('serializeProfile runs the write-backs of one profile one after the other, others at once; a failure does not stop the next', async () => {
    const events: string[] = [];
    const step = (name: string, ms: number, fail = false) => async () => {
      events.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`${name}-`);
      if (fail) throw new Error(name);
      return name;
    };
    const a = serializeProfile('s', 'p', step('a', 20, true));
    const b = serializeProfile('s', 'p', step('b', 1));
    const c = serializeProfile('s', 'other', step('c', 1));
    await assert.rejects(a, /a/);
    assert.equal(await b, 'b');
    assert.equal(await c, 'c');
    assert.deepEqual(events.filter((e) => e.startsWith('a') || e.startsWith('b')), ['a+', 'a-', 'b+', 'b-']);
    assert.ok(events.indexOf('c+') < events.indexOf('a-'), 'another profile does not wait');
  });
});

describe('sandbox: PUT /v1/profile/indexing', () => {
  const ctx = useSandbox();
  const headers = () => ({ 'Content-Type': 'application/json', 'X-API-KEY': ctx.sb.credentials.hrflowApiKey, 'X-USER-EMAIL': ctx.sb.credentials.hrflowUser });
  const put = (body: unknown, h: Record<string, string> = headers()) =>
    fetch(`${ctx.sb.urls.hrflow}/profile/indexing`, { method: 'PUT', headers: h, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const state = () => ctx.sb.state.hrflow as HrflowState;
  const client = () => new HrflowClient({ api_secret: ctx.sb.credentials.hrflowApiKey, api_user: ctx.sb.credentials.hrflowUser, base_url: ctx.sb.urls.hrflow }, { retries: 0 });

  it('applies the fields given (a later GET shows them), keeps the others, logs the request, answers the profile', async () => {
    const before = ctx.sb.getProfile(SOURCE_KEY, KEYS.full);
    const res = await put({ source_key: SOURCE_KEY, key: KEYS.full, metadatas: [{ name: 'ats:taleez', value: '{}' }] });
    assert.equal(res.status, 200);
    const body = (await res.json()) as any;
    assert.equal(body.code, 200);
    assert.deepEqual(body.data.metadatas, [{ name: 'ats:taleez', value: '{}' }]);
    const after = await client().getProfile(SOURCE_KEY, KEYS.full);
    assert.deepEqual(after.metadatas, [{ name: 'ats:taleez', value: '{}' }]);
    assert.deepEqual(after.tags, before?.tags, 'tags untouched');
    assert.deepEqual(after.info, before?.info);
    assert.equal(after.key, KEYS.full);
    assert.equal(state().updates.length, 1);
    assert.deepEqual({ ...state().updates[0], receivedAt: undefined }, {
      source_key: SOURCE_KEY,
      key: KEYS.full,
      fields: ['metadatas'],
      body: { source_key: SOURCE_KEY, key: KEYS.full, metadatas: [{ name: 'ats:taleez', value: '{}' }] },
      receivedAt: undefined,
      path: '/v1/profile/indexing',
    });
  });

  it('reset() undoes the updates and empties the log', async () => {
    const before = ctx.sb.getProfile(SOURCE_KEY, KEYS.minimal);
    assert.equal((await put({ source_key: SOURCE_KEY, key: KEYS.minimal, tags: [{ name: 'x', value: 1 }] })).status, 200);
    assert.notDeepEqual(ctx.sb.getProfile(SOURCE_KEY, KEYS.minimal)?.tags, before?.tags);
    ctx.sb.reset();
    assert.deepEqual(ctx.sb.getProfile(SOURCE_KEY, KEYS.minimal), before);
    assert.equal(state().updates.length, 0);
  });

  it('accepts the sandbox aliases (source "sandbox", profile "sample-full") and a reference instead of the key', async () => {
    assert.equal((await put({ source_key: 'sandbox', key: 'sample-full', metadatas: [] })).status, 200);
    assert.equal(state().updates[0].key, KEYS.full);
    const ref = ctx.sb.getProfile(SOURCE_KEY, ctx.sb.profileKeys().find((r) => ctx.sb.getProfile(r.source_key, r.key)?.reference)!.key)!;
    assert.equal((await put({ source_key: SOURCE_KEY, reference: ref.reference, tags: [] })).status, 200);
    assert.equal(state().updates[1].key, ref.key);
  });

  it('rejects malformed bodies with 400 (the spec\'s ProfileUpdate), records the rejection, and changes nothing', async () => {
    const before = ctx.sb.getProfile(SOURCE_KEY, KEYS.full);
    const bad: Array<[string, unknown, RegExp]> = [
      ['not JSON', '{"source_key":', /not JSON/],
      ['an array', [], /profile object/],
      ['no source_key', { key: KEYS.full, metadatas: [] }, /source_key/],
      ['neither key nor reference', { source_key: SOURCE_KEY, metadatas: [] }, /key|reference/],
      ['metadatas not a list', { source_key: SOURCE_KEY, key: KEYS.full, metadatas: 'ats:taleez' }, /metadatas/],
      ['an entry without a name', { source_key: SOURCE_KEY, key: KEYS.full, metadatas: [{ value: '12' }] }, /metadatas\/0\/name/],
      ['a tag name that is not text', { source_key: SOURCE_KEY, key: KEYS.full, tags: [{ name: 5, value: 'x' }] }, /tags\/0\/name/],
      ['a key that is not an HrFlow key', { source_key: SOURCE_KEY, key: 'not-a-key', metadatas: [] }, /key/],
    ];
    for (const [what, body, reason] of bad) {
      const res = await put(body);
      assert.equal(res.status, 400, what);
      const answer = (await res.json()) as any;
      assert.equal(answer.code, 400, what);
      assert.match(answer.message, /^Invalid parameters\./, what);
      assert.match(answer.message, reason, `${what}: ${answer.message}`);
    }
    assert.equal(state().rejections.length, bad.length);
    assert.equal(state().updates.length, 0);
    assert.deepEqual(ctx.sb.getProfile(SOURCE_KEY, KEYS.full), before);
  });

  it('an unknown source or profile is 400 "Unable to find object" (HRFLOW_NOT_FOUND for the client)', async () => {
    let res = await put({ source_key: 'a'.repeat(40), key: KEYS.full, metadatas: [] });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as any).message, /Unable to find object: source/);
    res = await put({ source_key: SOURCE_KEY, key: 'f'.repeat(40), metadatas: [] });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as any).message, /Unable to find object: profile/);
    const e = await rejects(client().updateProfile(SOURCE_KEY, 'f'.repeat(40), { metadatas: [] }));
    assert.equal(e.code, 'HRFLOW_NOT_FOUND');
    assert.equal(state().updates.length, 0);
  });

  it('checks X-API-KEY and X-USER-EMAIL as the reads do (401, AUTH_FAILED), and never echoes the key', async () => {
    const res = await put({ source_key: SOURCE_KEY, key: KEYS.full, metadatas: [] }, { ...headers(), 'X-API-KEY': 'ask_wrong_secret_value' });
    assert.equal(res.status, 401);
    assert.doesNotMatch(await res.text(), /ask_wrong_secret_value/);
    assert.equal((await put({ source_key: SOURCE_KEY, key: KEYS.full, metadatas: [] }, { ...headers(), 'X-USER-EMAIL': 'someone@example.com' })).status, 401);
    const wrong = new HrflowClient({ api_secret: 'ask_wrong_secret_value', api_user: ctx.sb.credentials.hrflowUser, base_url: ctx.sb.urls.hrflow }, { retries: 0 });
    const e = await rejects(wrong.updateProfile(SOURCE_KEY, KEYS.full, { metadatas: [] }));
    assert.equal(e.code, 'AUTH_FAILED');
    assert.doesNotMatch(e.message, /ask_wrong_secret_value/);
    assert.equal(state().updates.length, 0);
  });

  it('recordPush (library, no Node-RED): GET, merge, PUT of one list; again with the same candidate: no PUT', async () => {
    const input = { source_key: SOURCE_KEY, profile_key: KEYS.edge, vendor: 'recruitee', candidate_id: 42, target: 'offer_ids=101' };
    const first = await recordPush(client(), input);
    assert.equal(first.action, 'created');
    assert.equal(first.name, 'ats:recruitee:offer_ids=101');
    const again = await recordPush(client(), { ...input, field: 'metadatas' });
    assert.equal(again.action, 'unchanged');
    assert.equal(again.at, first.at);
    assert.equal(state().updates.length, 1);
    const profile = await client().getProfile(SOURCE_KEY, KEYS.edge);
    assert.deepEqual(profile.metadatas?.map((e) => parseRecord(e)?.candidate_id).filter(Boolean), ['42']);
  });
});
