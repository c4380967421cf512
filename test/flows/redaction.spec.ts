/**
 * Issue 10, defect 5: no secret reaches a message, a status or a log line, whatever its form, when
 * a vendor echoes the request back (sandbox fault `echo` / `echo-text`), for every vendor and HrFlow.
 * The accounts use odd secrets: quotes, backslashes, non-ASCII, `+`, `&`, `%`, spaces, 1 and 3 characters.
 */
import assert from 'node:assert/strict';
import { createSandbox, type Sandbox } from '../../src/sandbox';
import type { Fault } from '../../src/sandbox/faults';
import { broadbeanSignature } from '../../src/vendors/broadbean';
import { helper } from '../helpers/red';
import { KEYS } from '../helpers/sandbox';
import { load, run, sandboxVendor, type VendorUnderTest } from './push-common';

/** Header values must be Latin-1: non-ASCII here is é (U+00E9) and ¤ (U+00A4). */
const ODD = {
  hrflowApiKey: 'ask_"q\\é+&% k',
  smartToken: 'sr"tok\\en é+&% x',
  recruiteeToken: '¤', // one character
  flatchrApiKey: '"\\é', // three characters
  taleezSecret: 'tz+&% "\\é',
  broadbeanSecret: 'bb"\\é +&%',
};

/** Every form a secret may take in a text: raw, JSON-escaped (once, twice, \uXXXX), URL-encoded. */
function forms(s: string): string[] {
  const escaped = JSON.stringify(s).slice(1, -1);
  const ascii = escaped.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const uri = encodeURIComponent(s);
  return [...new Set([s, escaped, ascii, JSON.stringify(escaped).slice(1, -1), JSON.stringify(ascii).slice(1, -1), uri, uri.replace(/%20/g, '+'), new URLSearchParams({ a: s }).toString().slice(2)])];
}

/** Every string inside a value (keys, values, Error messages and stacks), and its JSON. */
function texts(value: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') return void out.push(v);
    if (typeof v === 'number' || typeof v === 'boolean') return void out.push(String(v));
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Error) {
      out.push(v.message, v.stack ?? '');
      walk((v as { cause?: unknown }).cause);
    }
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      walk(x);
    }
  };
  walk(value);
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch {
    /* circular: the walk has it */
  }
  return out;
}

function assertClean(value: unknown, secrets: string[], where: string): void {
  const all = texts(value);
  for (const secret of secrets) {
    for (const form of forms(secret)) {
      const hit = all.find((t) => t.includes(form));
      assert.equal(hit, undefined, `the secret ${JSON.stringify(secret)} leaked into ${where} as ${JSON.stringify(form)}: ${hit?.slice(0, 400)}`);
    }
  }
}

interface Target extends VendorUnderTest {
  /** The sandbox vendor whose answers echo (HrFlow: the profile node fails first). */
  faulted: string;
}

const TARGETS: Target[] = [
  { ...sandboxVendor('smartrecruiters'), faulted: 'smartrecruiters' },
  { ...sandboxVendor('recruitee', { pushProps: () => ({ offer_ids: '101' }) }), faulted: 'recruitee' },
  { ...sandboxVendor('broadbean', { pushProps: () => ({ job_id: 'JOB-1' }) }), faulted: 'broadbean' },
  { ...sandboxVendor('flatchr'), faulted: 'flatchr' },
  { ...sandboxVendor('taleez', { pushProps: () => ({ recruiter_id: '15886', job_id: '101' }) }), faulted: 'taleez' },
];

const ECHOES: Array<Pick<Fault, 'mode' | 'echo'>> = [
  { mode: 'echo', echo: 'both' },
  { mode: 'echo-text', echo: 'both' },
  { mode: 'echo', echo: 'body' },
  { mode: 'echo', echo: 'body-end' },
  { mode: 'echo-text', echo: 'body-end' },
  { mode: 'echo-text', echo: 'headers' },
];

describe('flow: no secret in messages, status or log when a vendor echoes the request (issue 10)', function () {
  this.timeout(20_000);
  let sb: Sandbox;
  before(async () => {
    sb = await createSandbox({ port: 0, quiet: true, generatedProfiles: 0, credentials: ODD });
  });
  beforeEach(() => sb.reset());
  afterEach(async () => {
    await helper.unload();
  });
  after(async () => {
    await sb?.close();
  });

  /** Loads the flow, records every status of our nodes, runs one message; returns what left. */
  async function runEchoed(target: Target, fault: Fault) {
    await load(sb, target);
    const statuses: unknown[] = [];
    for (const id of ['prof', 'push']) {
      const node = helper.getNode(id);
      const original = node.status.bind(node);
      node.status = (s: unknown) => {
        statuses.push(s);
        return original(s);
      };
    }
    sb.setFault(target.faulted as never, fault);
    const started = Date.now();
    const outcome = await run({ profile_key: KEYS.full }, 10_000);
    const ended = Date.now();
    // Give Node-RED's log calls of this message time to happen.
    await new Promise((r) => setTimeout(r, 50));
    return { ...outcome, statuses, log: helper.log().args, started, ended };
  }

  /** Every X-CHUB-SIGNATURE the account could have sent between two times. */
  function signatures(from: number, to: number): string[] {
    const out: string[] = [];
    for (let t = Math.floor(from / 1000) - 2; t <= Math.ceil(to / 1000) + 2; t++) {
      out.push(broadbeanSignature(ODD.broadbeanSecret, sb.credentials.broadbeanSourceId, t));
    }
    return out;
  }

  for (const target of TARGETS) {
    for (const echo of ECHOES) {
      it(`${target.id}: ${echo.mode} (${echo.echo}) of the request leaks no secret`, async () => {
        const fault: Fault = { ...echo, status: 400 };
        const r = await runEchoed(target, fault);
        assert.equal(r.id, 'caught', `expected a caught error, got ${r.id}`);
        assert.equal(r.msg.error.source.id, 'push');
        assert.equal(r.msg.error.code, 'VENDOR_REJECTED', r.msg.error.message);
        assert.ok((sb.state as any)[target.id].faultsInjected >= 1, 'the vendor echoed the request');
        // The echo is really there (only masked): the vendor's message quotes the request.
        assert.match(r.msg.error.message, /echo|headers|body/);
        const secrets = [...Object.values(target.accountCredentials(sb)), ODD.hrflowApiKey];
        if (target.id === 'broadbean') secrets.push(...signatures(r.started, r.ended));
        assertClean(r.msg, secrets, 'the caught msg');
        assertClean(r.statuses, secrets, 'the node status');
        assertClean(r.log, secrets, 'the log');
      });
    }
  }

  for (const echo of ECHOES.slice(0, 2)) {
    it(`HrFlow: ${echo.mode} of the profile request leaks no API key`, async () => {
      const r = await runEchoed({ ...TARGETS[0], faulted: 'hrflow' }, { ...echo, status: 400 });
      assert.equal(r.id, 'caught');
      assert.equal(r.msg.error.source.id, 'prof');
      assert.ok((sb.state as any).hrflow.faultsInjected >= 1, 'HrFlow echoed the request');
      assert.match(r.msg.error.message, /sandbox@example\.com|x-user-email/i, 'X-USER-EMAIL is not a secret');
      assertClean(r.msg, [ODD.hrflowApiKey], 'the caught msg');
      assertClean(r.statuses, [ODD.hrflowApiKey], 'the node status');
      assertClean(r.log, [ODD.hrflowApiKey], 'the log');
    });
  }
});
