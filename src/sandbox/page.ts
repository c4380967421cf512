/**
 * The sandbox home page: what each emulated ATS received, then the HrFlow profiles and CV files, and a Reset
 * button (POST /__admin/reset), with a note that it does not clear the push ledger (Node-RED's, not the
 * sandbox's). Self-contained HTML, refreshes every 2 s.
 */

import type { Fault } from './faults';
import type { SandboxCredentials } from './types';
import type { StoredAttachment, StoredCandidate, VendorState } from './state';

/** Extra, vendor-specific block (e.g. HrFlow's profile list). */
export interface PageSection {
  /** Short lines shown under the vendor title. */
  lines?: string[];
  table?: { title: string; columns: string[]; rows: Array<Array<string | { text: string; href: string }>> };
}

export interface PageModel {
  url: string;
  credentials: SandboxCredentials;
  faults: Record<string, Fault>;
  vendors: Array<{ id: string; title: string; baseUrl: string; state: VendorState; extra: PageSection | null }>;
}

export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const MAX_ROWS = 50;

function cell(v: string | { text: string; href: string }): string {
  if (typeof v === 'string') return `<td>${esc(v)}</td>`;
  return `<td><a href="${esc(v.href)}">${esc(v.text)}</a></td>`;
}

/** Rows are oldest first; by default the latest MAX_ROWS are shown, newest on top. */
function table(title: string, columns: string[], rows: Array<Array<string | { text: string; href: string }>>, newestFirst = true): string {
  const total = rows.length;
  if (!total) return `<p class="empty">${esc(title)}: none</p>`;
  const shown = newestFirst ? rows.slice(-MAX_ROWS).reverse() : rows.slice(0, MAX_ROWS);
  return (
    `<h3>${esc(title)} <small>(${total}${total > shown.length ? `, ${shown.length} shown` : ''})</small></h3>` +
    `<table><thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>` +
    shown.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

function candidateSummary(c: StoredCandidate): string {
  const b = (c.body ?? {}) as Record<string, any>;
  const inner = (b.candidate && typeof b.candidate === 'object' ? b.candidate : b) as Record<string, any>;
  const name =
    inner.name ??
    ([inner.firstName ?? inner.first_name ?? inner.firstname, inner.lastName ?? inner.last_name ?? inner.lastname].filter(Boolean).join(' ') ||
      '(no name)');
  const email = inner.email ?? inner.mail ?? (Array.isArray(inner.emails) ? inner.emails.join(', ') : '');
  return `${name}${email ? ` <${email}>` : ''}`;
}

/** Taleez-style assignments made after creation (`jobIds` / `poolIds` extras). */
function jobsAndPools(c: StoredCandidate): string {
  const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : '');
  const parts = [list(c.jobIds) && `jobs ${list(c.jobIds)}`, list(c.poolIds) && `pools ${list(c.poolIds)}`].filter(Boolean);
  return parts.length ? parts.join('; ') : '—';
}

function time(iso: string): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

function attachmentKind(a: StoredAttachment): string {
  if (a.fetch === 'failed') return `fetch failed${a.fetchStatus ? ` (${a.fetchStatus})` : ''}${a.error ? `: ${a.error}` : ''}`;
  return a.isPdf ? 'PDF' : a.isDocx ? 'DOCX' : 'other';
}

export function renderPage(m: PageModel): string {
  const sections = m.vendors.map((v) => {
    const s = v.state;
    const fault = m.faults[v.id];
    const extra = v.extra;
    return `<section id="${esc(v.id)}">
<h2>${esc(v.title)} <code>${esc(v.baseUrl)}</code></h2>
<p class="counters">requests <b>${s.requests}</b> · candidates <b>${s.candidates.length}</b> · files <b>${s.attachments.length}</b> · rejections <b>${s.rejections.length}</b> · 429 sent <b>${s.rateLimited}</b> · faults injected <b>${s.faultsInjected}</b>${
      fault ? ` · <span class="fault">active fault: ${esc(JSON.stringify(fault))}</span>` : ''
    }</p>
${(extra?.lines ?? []).map((l) => `<p class="note">${esc(l)}</p>`).join('\n')}
${
  v.id === 'hrflow' || v.id === 'files'
    ? ''
    : table(
        'Candidates',
        ['received', 'id', 'candidate', 'job / offers', 'notes'],
        s.candidates.map((c) => [
          time(c.receivedAt),
          String(c.id),
          candidateSummary(c),
          c.jobId ?? (c.offerIds?.length ? c.offerIds.join(', ') : jobsAndPools(c)),
          [
            c.duplicateOf !== undefined ? `duplicate of ${c.duplicateOf}` : '',
            c.cvFetch && c.cvFetch !== 'none' ? `CV: ${c.cvFetch}` : '',
            Array.isArray(c.warnings) && c.warnings.length ? `warnings: ${c.warnings.join(' | ')}` : '',
          ]
            .filter(Boolean)
            .join('; '),
        ]),
      ) +
      table(
        'CVs and files',
        ['received', 'candidate', 'type', 'file', 'content type', 'bytes', 'kind', 'sha256'],
        s.attachments.map((a) => [
          time(a.receivedAt),
          String(a.candidateId),
          a.type,
          a.fileName ?? a.url ?? '',
          a.contentType ?? '',
          String(a.size),
          attachmentKind(a),
          (a.sha256 ?? '').slice(0, 12),
        ]),
      )
}
${table(
  'Rejections',
  ['at', 'status', 'request', 'reason'],
  s.rejections.map((r) => [time(r.at), `${r.status}${r.fault ? ' (fault)' : ''}`, `${r.method} ${r.path}`, r.reason]),
)}
${extra?.table ? table(extra.table.title, extra.table.columns, extra.table.rows, false) : ''}
</section>`;
  });
  const c = m.credentials;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="2">
<title>HrFlow connectors sandbox</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5em;color:#1d2330;background:#f7f8fa}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:0 0 .4em;color:#204a87}h3{font-size:1em;margin:.8em 0 .3em}
section{background:#fff;border:1px solid #d8dde6;border-radius:6px;padding:.8em 1em;margin:1em 0}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e5e8ee;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eef1f6}code{background:#eef1f6;padding:1px 4px;border-radius:3px;font-size:12px}small,.empty,.note{color:#5b6475}
.fault{color:#a40000;font-weight:600}.counters b{color:#204a87}
form.reset{float:right;margin-left:.5em}form.reset button{font:inherit;padding:.3em 1em;border:1px solid #a40000;border-radius:4px;background:#fff;color:#a40000;cursor:pointer}
</style></head><body>
<h1>HrFlow connectors sandbox</h1>
<form class="reset" method="get" action="/webhooks"><button type="submit" title="Send signed HrFlow webhooks to an hrflow-webhook node">Send a webhook…</button></form>
<form class="reset" method="post" action="/__admin/reset"><button type="submit" title="Forget every candidate, file, rejection, counter and fault (the HrFlow profiles stay)">Reset</button></form>
<p class="note reset-note">Reset clears what the emulated ATS received, not the push ledger in Node-RED's user directory: after a reset, the
push nodes still find the same profiles <b>already pushed</b> to these accounts and send nothing (<code>msg.already_pushed = true</code>).
To push them again, set <b>If already pushed</b> to <b>Push again</b> in the push nodes, or run the demo on another sandbox
(<code>npm start -- --sandbox-port 8791</code>, or the sandbox command with <code>--port 8791</code> and the config nodes' URLs changed): another base URL is another account for the ledger.</p>
<p>Local emulator at <code>${esc(m.url)}</code> — refreshes every 2 s. Admin: <a href="/__admin/state">/__admin/state</a> (JSON), <code>POST /__admin/faults</code>, <code>POST /__admin/reset</code> (the Reset button), <code>POST /__admin/webhooks</code> (the Send a webhook… button).</p>
<p class="note">Credentials: HrFlow <code>X-API-KEY: ${esc(c.hrflowApiKey)}</code> <code>X-USER-EMAIL: ${esc(c.hrflowUser)}</code> ·
SmartRecruiters <code>X-SmartToken: ${esc(c.smartToken)}</code> · Recruitee <code>Bearer ${esc(c.recruiteeToken)}</code>, company <code>${esc(c.recruiteeCompany)}</code> ·
Broadbean secret <code>${esc(c.broadbeanSecret)}</code>, source <code>${esc(c.broadbeanSourceId)}</code>, client <code>${esc(c.broadbeanClientId)}</code> ·
Flatchr <code>Bearer ${esc(c.flatchrApiKey)}</code>, company <code>${esc(c.flatchrCompany)}</code> · Taleez <code>X-taleez-api-secret: ${esc(c.taleezSecret)}</code></p>
${sections.join('\n')}
</body></html>`;
}

/** The "Send a webhook" page (GET /webhooks): a form posting to /__admin/webhooks; no refresh. */
export function renderWebhookPage(m: { url: string; defaults: { url: string; secret: string }; events: string[]; profiles: string[]; result?: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Send an HrFlow webhook — sandbox</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5em;color:#1d2330;background:#f7f8fa}
form{background:#fff;border:1px solid #d8dde6;border-radius:6px;padding:.8em 1em;max-width:46em}
label{display:block;margin:.5em 0 .2em;font-weight:600}input[type=text]{width:100%;font:inherit;padding:.2em .4em}
button{font:inherit;padding:.3em 1em;margin-top:.8em;border:1px solid #204a87;border-radius:4px;background:#204a87;color:#fff;cursor:pointer}
pre{background:#fff;border:1px solid #d8dde6;padding:.6em;max-width:60em;overflow:auto}.note{color:#5b6475}
</style></head><body>
<h1>Send an HrFlow webhook</h1>
<p><a href="/">Back to the sandbox</a> · the same as <code>POST ${esc(m.url)}/__admin/webhooks</code> with JSON
<code>{url, secret, events, profile_keys, batch, header, legacy, repeat}</code>.</p>
${m.result ? `<h2>Result</h2><pre class="result">${esc(m.result)}</pre>` : ''}
<form method="post" action="/__admin/webhooks">
<label for="url">Webhook URL (an <code>hrflow-webhook</code> node's path on Node-RED)</label>
<input type="text" id="url" name="url" value="${esc(m.defaults.url)}">
<label for="secret">Webhook secret (the node's <b>Webhook secret</b>)</label>
<input type="text" id="secret" name="secret" value="${esc(m.defaults.secret)}">
<label>Events</label>
${m.events.map((e, i) => `<label style="font-weight:normal"><input type="checkbox" name="events" value="${esc(e)}"${i === 0 ? ' checked' : ''}> <code>${esc(e)}</code></label>`).join('\n')}
<label for="profile">Profile</label>
<select id="profile" name="profile"><option value="all">the three samples</option>${m.profiles.map((p) => `<option value="${esc(p)}">${esc(p)}</option>`).join('')}</select>
<label for="batch">Delivery</label>
<select id="batch" name="batch"><option value="batch">one request, an array of events</option><option value="separate">one request per event</option></select>
<label for="header">Signature header</label>
<select id="header" name="header"><option value="hrflow">HTTP-HRFLOW-SIGNATURE</option><option value="riminder">HTTP-RIMINDER-SIGNATURE (older)</option></select>
<label for="repeat">Send</label>
<select id="repeat" name="repeat"><option value="1">once</option><option value="2">twice (a redelivery: emitted once)</option></select>
<div><button type="submit">Send signed webhook</button></div>
<p class="note">Each event is <code>{type, origin: "api", message, profile}</code> with the whole profile, signed with the hex
HMAC-SHA256 of the body.</p>
</form>
</body></html>`;
}
