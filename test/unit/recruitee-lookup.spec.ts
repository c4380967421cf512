/**
 * Recruitee's lookup after a create whose answer was lost: the matching of the listed candidates
 * (e-mail, creation time, offer, newest first), the `created_after` value, and the lookup against the
 * sandbox's `GET /c/{company_id}/candidates` over real HTTP (127.0.0.1): found on a later page, bounded
 * paging, and the emulator's checks of the query.
 */
import assert from 'node:assert/strict';
import { pushProfile } from '../../src';
import { ConnectorError } from '../../src/core/errors';
import { CLOCK_SKEW_MS } from '../../src/push/create';
import { validateAgainstSpec } from '../../src/sandbox';
import {
  createdAfterParam,
  LOOKUP_MAX_PAGES,
  LOOKUP_PAGE_SIZE,
  matchCandidate,
  payloadEmails,
  recruitee,
  type RecruiteeConfig,
  type RecruiteeListedCandidate,
} from '../../src/vendors/recruitee';
import { KEYS, SOURCE_KEY, sandboxClock, useSandbox } from '../helpers/sandbox';

const SENT = Date.parse('2026-03-02T10:00:00.000Z');
const at = (deltaMs: number) => new Date(SENT + deltaMs).toISOString();

describe('Recruitee lookup: matching the listed candidates', () => {
  const mail = 'camille@example.com';

  it('takes a candidate created since the create was sent with one of the payload\'s e-mails (trimmed, any case)', () => {
    const listed: RecruiteeListedCandidate[] = [
      { id: 1, emails: ['other@example.com'], created_at: at(1000) },
      { id: 2, emails: ['  Camille@Example.COM '], created_at: at(800) },
    ];
    assert.equal(matchCandidate(listed, [mail], SENT), '2');
    assert.equal(matchCandidate(listed, [' CAMILLE@example.com'], SENT), '2');
    assert.equal(matchCandidate(listed, ['nobody@example.com'], SENT), undefined);
  });

  it('does not take an older candidate with the same e-mail, created before the create was sent (createdSince)', () => {
    const older = { id: 7, emails: [mail], created_at: at(-10 * 60_000) };
    assert.equal(matchCandidate([older], [mail], SENT), undefined);
    // Within the tolerated clock difference it is this push's; just past it, it is not.
    assert.equal(matchCandidate([{ ...older, created_at: at(-CLOCK_SKEW_MS) }], [mail], SENT), '7');
    assert.equal(matchCandidate([{ ...older, created_at: at(-CLOCK_SKEW_MS - 1000) }], [mail], SENT), undefined);
  });

  it('takes the newest of several matches, whatever the order of the list', () => {
    const listed = [
      { id: 10, emails: [mail], created_at: at(1000) },
      { id: 12, emails: [mail], created_at: at(3000) },
      { id: 11, emails: [mail], created_at: at(2000) },
    ];
    assert.equal(matchCandidate(listed, [mail], SENT), '12');
    assert.equal(matchCandidate([...listed].reverse(), [mail], SENT), '12');
  });

  it('leaves out a candidate without a readable creation time or id, and one placed only in other offers', () => {
    assert.equal(matchCandidate([{ id: 3, emails: [mail] }], [mail], SENT), undefined);
    assert.equal(matchCandidate([{ id: 3, emails: [mail], created_at: 'yesterday' }], [mail], SENT), undefined);
    assert.equal(matchCandidate([{ id: null, emails: [mail], created_at: at(0) }], [mail], SENT), undefined);
    assert.equal(matchCandidate([{ id: 4, emails: mail, created_at: at(0) }], [mail], SENT), undefined, 'emails is a list');
    const placed = { id: 5, emails: [mail], created_at: at(0), placements: [{ offer_id: 202 }] };
    assert.equal(matchCandidate([placed], [mail], SENT, 101), undefined, 'the same person pushed to another offer a moment ago');
    assert.equal(matchCandidate([placed], [mail], SENT, 202), '5');
    // A list without placements: the offer filter of the request decides.
    assert.equal(matchCandidate([{ id: 6, emails: [mail], created_at: at(0) }], [mail], SENT, 101), '6');
  });

  it('reads the payload\'s e-mails as it compares them, and writes created_after as Recruitee documents it', () => {
    assert.deepEqual(payloadEmails({ candidate: { name: 'x', emails: [' A@B.fr', 'a@b.fr', '', 'c@d.fr'] } }), ['a@b.fr', 'c@d.fr']);
    assert.deepEqual(payloadEmails({ candidate: { name: 'x' } }), []);
    assert.equal(createdAfterParam(Date.parse('2026-03-02T10:00:07.999Z')), '2026-03-02T10:00:07');
  });
});

describe('Recruitee lookup against the sandbox', function () {
  this.timeout(20_000);
  const ctx = useSandbox();
  const rc = () => (ctx.sb.state as any).recruitee;
  const config = (): RecruiteeConfig => ({
    api_token: ctx.sb.credentials.recruiteeToken,
    company_id: ctx.sb.credentials.recruiteeCompany,
    recruitee_endpoint: ctx.sb.urls.recruitee,
  });
  const profile = () => ctx.sb.getProfile(SOURCE_KEY, KEYS.full) as any;
  const list = (query = '') =>
    fetch(`${ctx.sb.urls.recruitee}/${ctx.sb.credentials.recruiteeCompany}/candidates${query}`, {
      headers: { Authorization: `Bearer ${ctx.sb.credentials.recruiteeToken}` },
    });

  /** `n` other candidates (other e-mails) in offer 101, stored directly at the sandbox. */
  async function others(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${ctx.sb.urls.recruitee}/${ctx.sb.credentials.recruiteeCompany}/candidates`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ctx.sb.credentials.recruiteeToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ candidate: { name: `Other ${i}`, emails: [`other-${i}@example.com`] }, offers: [101] }),
      });
      assert.equal(res.status, 201);
    }
  }

  it('finds the candidate of a lost answer on a later page, with one create', async () => {
    // Candidates the emulator dates a minute ahead are listed before this push's (newest first): it is on page 2.
    sandboxClock.offsetMs = 60_000;
    await others(LOOKUP_PAGE_SIZE + 20);
    sandboxClock.offsetMs = 0;
    const before = rc().requests;
    ctx.sb.setFault('recruitee', { mode: 'lost-answer', count: 1, method: 'POST' });
    const result = await pushProfile(recruitee, config(), { offer_ids: [101, 202] }, profile(), { cvDownload: { allowPrivateAddresses: true } });
    const mine = rc().candidates.at(-1);
    assert.equal(String(result.candidateId), String(mine.id));
    assert.equal(rc().candidates.length, LOOKUP_PAGE_SIZE + 21, 'created once');
    assert.equal(rc().requests - before, 1 + 2, 'the create, then two pages of the lookup');
    assert.match(String(result.steps[0].detail), /found by email/);
  });

  it('reads a few pages at most: past them, OUTCOME_UNKNOWN (the lookup could not tell), never a second create', async () => {
    sandboxClock.offsetMs = 60_000;
    await others(LOOKUP_MAX_PAGES * LOOKUP_PAGE_SIZE);
    sandboxClock.offsetMs = 0;
    const before = rc().requests;
    const count = rc().candidates.length;
    ctx.sb.setFault('recruitee', { mode: 'lost-answer', count: 1, method: 'POST' });
    const err = await pushProfile(recruitee, config(), { offer_ids: [101] }, profile(), { cvDownload: { allowPrivateAddresses: true } }).then(
      () => assert.fail('expected OUTCOME_UNKNOWN'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.code, 'OUTCOME_UNKNOWN');
    assert.match(err.message, /the lookup failed too \(VENDOR_UNAVAILABLE\)/);
    assert.equal(rc().requests - before, 1 + LOOKUP_MAX_PAGES);
    assert.equal(rc().candidates.length, count + 1, 'the lost create stored once, not sent again');
  });

  it('the emulator filters by created_after (UTC), offer and ids, lists newest first, and answers what the description says', async () => {
    sandboxClock.offsetMs = -3_600_000;
    await others(2); // an hour ago
    sandboxClock.offsetMs = 0;
    await others(3);
    const all = (await (await list()).json()) as any;
    assert.equal(all.candidates.length, 5, 'without limit: all');
    assert.equal(validateAgainstSpec('recruitee', 'CandidateList', all).valid, true);
    const times = all.candidates.map((c: any) => c.created_at);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
    const since = createdAfterParam(Date.now() - 60_000);
    const recent = (await (await list(`?created_after=${since}&offer_id=101&limit=2&offset=1`)).json()) as any;
    assert.deepEqual(recent.candidates.map((c: any) => c.name), ['Other 1', 'Other 0']);
    const none = (await (await list(`?created_after=${since}&offer_id=202`)).json()) as any;
    assert.deepEqual(none.candidates, []);
    const ids = (await (await list(`?ids=${all.candidates[0].id},${all.candidates[4].id}`)).json()) as any;
    assert.equal(ids.candidates.length, 2);
  });

  it('the emulator refuses a query Recruitee would not read (400) and checks the token (401)', async () => {
    for (const q of ['?created_after=2026-03-02T10:00:00Z', '?created_after=2026-03-02', '?limit=0', '?limit=5000', '?offset=-1', '?offer_id=abc', '?sort=newest', '?qualified=yes']) {
      assert.equal((await list(q)).status, 400, q);
    }
    assert.equal((await list('?created_after=2026-03-02T10:00')).status, 200, 'without seconds');
    const res = await fetch(`${ctx.sb.urls.recruitee}/${ctx.sb.credentials.recruiteeCompany}/candidates`, { headers: { Authorization: 'Bearer wrong' } });
    assert.equal(res.status, 401);
  });
});
