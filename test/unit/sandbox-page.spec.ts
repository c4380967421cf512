/**
 * The sandbox page a new user opens: what each emulated ATS received comes first, the HrFlow profile
 * table after; a Reset button (a form posting to /__admin/reset) clears what the ATS received.
 */
import assert from 'node:assert/strict';
import { createSandbox, type Sandbox } from '../../src/sandbox';

describe('sandbox page', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await createSandbox({ port: 0, quiet: true });
  });
  after(async () => {
    await sb.close();
  });

  /** Puts one candidate into Taleez, so there is something to reset. */
  async function oneCandidate(): Promise<void> {
    const res = await fetch(`${sb.urls.taleez}/candidates`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-taleez-api-secret': sb.credentials.taleezSecret },
      body: JSON.stringify({ firstName: 'Ada', lastName: 'Lovelace', mail: `ada.${Date.now()}@example.com` }),
    });
    assert.equal(res.status, 201, await res.text());
    assert.equal(sb.state.taleez.candidates.length, 1);
  }

  it('shows the ATS sections first, then the HrFlow profiles and the CV files', async () => {
    const page = await (await fetch(`${sb.url}/`)).text();
    const at = (id: string) => {
      const i = page.indexOf(`<section id="${id}">`);
      assert.ok(i >= 0, `no section ${id}`);
      return i;
    };
    const ats = ['smartrecruiters', 'recruitee', 'broadbean', 'flatchr', 'taleez'].map(at);
    assert.deepEqual(ats, [...ats].sort((a, b) => a - b), 'ATS in their usual order');
    assert.ok(Math.max(...ats) < at('hrflow'), 'every ATS before HrFlow');
    assert.ok(at('hrflow') < at('files'));
  });

  it('has a Reset button that posts to /__admin/reset', async () => {
    const page = await (await fetch(`${sb.url}/`)).text();
    assert.match(page, /<form class="reset" method="post" action="\/__admin\/reset"><button type="submit"[^>]*>Reset<\/button><\/form>/);
  });

  it('says next to Reset that the push ledger is not cleared, and how to push the same profiles again', async () => {
    const page = await (await fetch(`${sb.url}/`)).text();
    const reset = page.indexOf('<form class="reset"');
    const note = /<form class="reset"[^]*?<\/form>\s*<p class="note reset-note">([^]*?)<\/p>/.exec(page);
    assert.ok(reset >= 0 && note, 'a note right after the Reset button');
    const text = note[1].replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
    assert.match(text, /not the push ledger/);
    assert.match(text, /already pushed/);
    assert.match(text, /If already pushed to Push again/);
    assert.match(text, /another base URL is another account for the ledger/);
  });

  it('the button (a form post from the page) clears what the ATS received and goes back to the page', async () => {
    sb.reset();
    await oneCandidate();
    const res = await fetch(`${sb.url}/__admin/reset`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: sb.url },
      body: '',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
    assert.equal(sb.state.taleez.candidates.length, 0);
    assert.ok(sb.profileKeys().length >= 3, 'the HrFlow profiles stay');
    // Also from http://localhost:<port>/.
    await oneCandidate();
    const local = await fetch(`${sb.url}/__admin/reset`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: `http://localhost:${sb.port}` },
    });
    assert.equal(local.status, 303);
    assert.equal(sb.state.taleez.candidates.length, 0);
  });

  it('a form on another site cannot reset the sandbox; scripts without an Origin still get JSON', async () => {
    sb.reset();
    await oneCandidate();
    const foreign = await fetch(`${sb.url}/__admin/reset`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
    });
    assert.equal(foreign.status, 403);
    assert.equal(sb.state.taleez.candidates.length, 1, 'nothing cleared');
    const script = await fetch(`${sb.url}/__admin/reset`, { method: 'POST' });
    assert.equal(script.status, 200);
    assert.deepEqual(await script.json(), { ok: true });
    assert.equal(sb.state.taleez.candidates.length, 0);
  });
});
