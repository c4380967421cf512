/**
 * The status texts of hrflow-profile and hrflow-logic go through their catalogues: static ones are the
 * catalogue key (the editor translates it), dynamic ones are filled in at run time (English here, the
 * runtime's language).
 */
import assert from 'node:assert/strict';
import { allNodes, firstOf, helper, onTab } from '../helpers/red';
import { KEYS, SOURCE_KEY, useSandbox } from '../helpers/sandbox';

type StatusCall = { fill?: string; shape?: string; text?: string };

/** Every status each node sets from now on (runtime events: also those set while the flow starts). */
function recordStatuses(): { of(id: string): StatusCall[]; stop(): void } {
  const seen = new Map<string, StatusCall[]>();
  const listener = (e: { id: string; status: StatusCall }) => {
    if (!seen.has(e.id)) seen.set(e.id, []);
    seen.get(e.id)?.push({ ...e.status });
  };
  helper._events.on('node-status', listener);
  return { of: (id) => seen.get(id) ?? [], stop: () => helper._events.off('node-status', listener) };
}

describe('flow: hrflow-profile and hrflow-logic status texts', function () {
  this.timeout(10_000);
  const ctx = useSandbox();

  let statuses: ReturnType<typeof recordStatuses>;
  beforeEach(() => {
    statuses = recordStatuses();
  });
  afterEach(async () => {
    statuses.stop();
    await helper.unload();
  });
  const texts = (id: string) => statuses.of(id).map((s) => s.text).filter((t) => t !== undefined);

  async function load(logic: Record<string, unknown>) {
    const nodes = onTab([
      { id: 'api', type: 'hrflow-api', base_url: ctx.sb.urls.hrflow },
      { id: 'prof', type: 'hrflow-profile', api: 'api', source_key: SOURCE_KEY, profile_key: '', timeout: 2000, wires: [['logic']] },
      { id: 'logic', type: 'hrflow-logic', logics: [], format_type: 'none', format: '', format_vendor: '', wires: [['out'], ['filtered']], ...logic },
      { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'filtered', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ]);
    await helper.load(allNodes, nodes, { api: { api_secret: ctx.sb.credentials.hrflowApiKey, api_user: ctx.sb.credentials.hrflowUser } });
  }

  it('reading is a catalogue key, then "read <key>" and "1 kept, 0 filtered", then "1 kept, 1 filtered"', async () => {
    await load({ logics: [{ name: 'odd', type: 'js', code: 'return msg.drop ? null : profile;' }] });
    let outcome = firstOf(['out', 'filtered', 'caught']);
    helper.getNode('prof').receive({ profile_key: KEYS.full });
    assert.equal((await outcome).id, 'out');
    assert.deepEqual(texts('prof'), ['hrflow-profile.status.reading', `read ${KEYS.full.slice(0, 9)}…`]);
    assert.deepEqual(statuses.of('prof').map((s) => s.fill), ['blue', 'green']);
    outcome = firstOf(['out', 'filtered', 'caught']);
    helper.getNode('prof').receive({ profile_key: KEYS.full, drop: true });
    assert.equal((await outcome).id, 'filtered');
    assert.deepEqual(texts('logic'), ['1 kept, 0 filtered', '1 kept, 1 filtered']);
  });

  it('a logic that does not compile and a format without an ATS: the logic\'s name, and a catalogue key', async () => {
    await load({ logics: [{ name: 'broken', type: 'js', code: 'return (' }] });
    assert.deepEqual(texts('logic'), ['broken: syntax error']);
    assert.deepEqual(statuses.of('logic').map((s) => s.fill), ['red']);
    await helper.unload();
    await load({ format_type: 'js', format: 'return defaults;', format_vendor: '' });
    assert.deepEqual(texts('logic').slice(-1), ['hrflow-logic.status.no-vendor']);
  });

  it('no HrFlow account: a catalogue key', async () => {
    const nodes = onTab([{ id: 'prof', type: 'hrflow-profile', api: '', source_key: SOURCE_KEY, profile_key: '', timeout: 2000 }]);
    await helper.load(allNodes, nodes);
    assert.deepEqual(texts('prof'), ['hrflow-profile.status.no-account']);
  });
});

