'use strict';
/**
 * The flows the throughput and saturation legs deploy.
 *
 * - ours:  hrflow-profile → hrflow-logic (one JS logic) → hrflow-smartrecruiters (default mapping).
 * - peer:  what a Node-RED user builds by hand for the same work with core nodes only:
 *          function (HrFlow request) → http request (GET profile) → function (the same logic + the
 *          same SmartRecruiters mapping, hand-written) → http request (POST candidate) → function
 *          (check) [→ http request (GET CV) → function (multipart) → http request (POST attachment)
 *          → function (check)].
 *
 * Each flow sits on its own tab with a Catch node for the tab; its sinks are inactive debug nodes
 * the bench listens on: `<p>-ok`, `<p>-filtered`, `<p>-error`.
 */

const JOB_ID = 'bench-job';
const LOGIC_CODE = '// keep profiles with an email: the ATS needs one\nreturn profile.info && profile.info.email ? profile : null;';

function sink(id, tab, name) {
  return { id, type: 'debug', z: tab, name, active: false, tosidebar: false, console: false, tostatus: false, complete: 'false', targetType: 'msg', x: 900, y: 100, wires: [] };
}

function sinks(p) {
  return [
    sink(`${p}-ok`, p, 'ok'),
    sink(`${p}-filtered`, p, 'filtered'),
    sink(`${p}-error`, p, 'error'),
    { id: `${p}-catch`, type: 'catch', z: p, name: 'errors', scope: null, uncaught: false, x: 100, y: 300, wires: [[`${p}-error`]] },
  ];
}

/** Config nodes + credentials for the package's nodes, pointing at a sandbox. */
function ourConfig(sb, prefix = 'bench') {
  return {
    nodes: [
      { id: `${prefix}-hrflow`, type: 'hrflow-api', name: 'HrFlow (sandbox)', base_url: sb.urls.hrflow },
      { id: `${prefix}-sr`, type: 'hrflow-smartrecruiters-config', name: 'SmartRecruiters (sandbox)', base_url: sb.urls.smartrecruiters },
    ],
    credentials: {
      [`${prefix}-hrflow`]: { api_secret: sb.credentials.hrflowApiKey, api_user: sb.credentials.hrflowUser },
      [`${prefix}-sr`]: { x_smart_token: sb.credentials.smartToken },
    },
  };
}

/** Our flow on tab `p`. Entry node: `<p>-profile` (msg.profile_key). */
function ourFlow(p, sb, { uploadCv, config = 'bench', retries = 3, retryDelay = 1000 }) {
  return [
    { id: p, type: 'tab', label: `ours ${p}`, disabled: false, info: '' },
    {
      id: `${p}-profile`, type: 'hrflow-profile', z: p, name: 'HrFlow profile', api: `${config}-hrflow`, source_key: sb.sourceKey, profile_key: '',
      timeout: 30000, x: 150, y: 100, wires: [[`${p}-logic`]],
    },
    {
      id: `${p}-logic`, type: 'hrflow-logic', z: p, name: 'has email', logics: [{ name: 'has email', type: 'js', code: LOGIC_CODE }],
      format_type: 'none', format: '', format_vendor: '', x: 350, y: 100, wires: [[`${p}-push`], [`${p}-filtered`]],
    },
    {
      id: `${p}-push`, type: 'hrflow-smartrecruiters', z: p, name: 'SmartRecruiters', account: `${config}-sr`, job_id: JOB_ID, upload_cv: uploadCv,
      // Profiles repeat across runs: every message is a push here (the ledger still records each one).
      on_duplicate: 'push',
      timeout: 30000, retries, retry_delay: retryDelay, x: 600, y: 100, wires: [[`${p}-ok`]],
    },
    ...sinks(p),
  ];
}

// ---------------------------------------------------------------------------------------------
// The hand-built peer: core function + http request nodes, code as a Node-RED user would write it.
// ---------------------------------------------------------------------------------------------

const PEER_READ = `// HrFlow: GET /profile/indexing for msg.profile_key
msg.url = env.get('HRFLOW_URL') + '/profile/indexing?source_key=' + encodeURIComponent(env.get('HRFLOW_SOURCE'))
    + '&key=' + encodeURIComponent(msg.profile_key);
msg.headers = { 'X-API-KEY': env.get('HRFLOW_KEY'), 'X-USER-EMAIL': env.get('HRFLOW_USER') };
return msg;`;

/** The same logic as ours (keep profiles with an email) and the same SmartRecruiters mapping, by hand. */
const PEER_MAP = `if (msg.statusCode !== 200 || !msg.payload || !msg.payload.data) {
    node.error('HrFlow read failed (' + msg.statusCode + ')', msg);
    return null;
}
const profile = msg.payload.data;
const info = profile.info || {};
// the logic: keep profiles with an email (output 2 = filtered)
if (!info.email) return [null, msg];

// the mapping: HrFlow profile -> SmartRecruiters CandidateInput
const str = (v) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const num = (v) => (typeof v === 'number' && isFinite(v) ? v : undefined);
const day = (v) => {
    const m = /^(\\d{4})(?:-(\\d{2})(?:-(\\d{2}))?)?/.exec(str(v) || '');
    return m ? [m[1], m[2], m[3]].filter(Boolean).join('-') : undefined;
};
const ALPHA2 = { FRA: 'FR', DEU: 'DE', ESP: 'ES', GBR: 'GB', ITA: 'IT', USA: 'US', BEL: 'BE', CHE: 'CH', NLD: 'NL', PRT: 'PT', POL: 'PL', IRL: 'IE', CAN: 'CA', JPN: 'JP' };
const country = (c) => { c = (str(c) || '').toUpperCase(); return c.length === 2 ? c : ALPHA2[c]; };
const urls = Array.isArray(info.urls) ? info.urls : [];
const url = (...types) => {
    for (const t of types) { const u = urls.find((x) => x && x.type === t && str(x.url)); if (u) return str(u.url); }
};
const prune = (o) => {
    for (const k of Object.keys(o)) {
        if (o[k] === undefined || o[k] === null) delete o[k];
        else if (typeof o[k] === 'object' && !Array.isArray(o[k]) && Object.keys(prune(o[k])).length === 0) delete o[k];
    }
    return o;
};
const dated = (e) => ({
    current: !str(e.date_end), startDate: day(e.date_start), endDate: day(e.date_end),
    location: str(e.location && e.location.text), description: str(e.description),
});
const loc = info.location || {};
const fields = loc.fields && typeof loc.fields === 'object' && !Array.isArray(loc.fields) ? loc.fields : {};
let first = str(info.first_name), last = str(info.last_name);
if ((!first || !last) && str(info.full_name)) {
    const parts = str(info.full_name).split(/\\s+/);
    if (!first && !last && parts.length > 1) { first = parts[0]; last = parts.slice(1).join(' '); }
}
const candidate = prune({
    firstName: first, lastName: last, email: str(info.email), phoneNumber: str(info.phone),
    location: { countryCode: country(fields.country), region: str(fields.state), city: str(fields.city), lat: num(loc.lat), lng: num(loc.lng) },
    web: { linkedin: url('linkedin'), facebook: url('facebook'), twitter: url('twitter'), website: url('website', 'from_resume', 'github') },
    experience: (profile.experiences || []).map((e) => prune({ title: str(e.title), company: str(e.company), ...dated(e) })),
    education: (profile.educations || []).map((e) => prune({ institution: str(e.school), degree: str(e.title), ...dated(e) })),
});
msg.profile = profile;
msg.url = env.get('SR_URL') + '/jobs/' + encodeURIComponent(env.get('SR_JOB_ID')) + '/candidates';
msg.headers = { 'X-SmartToken': env.get('SR_TOKEN'), 'Content-Type': 'application/json' };
msg.payload = candidate;
return [msg, null];`;

const PEER_CREATED_CHECK = `if (msg.statusCode !== 201 || !msg.payload || !msg.payload.id) {
    node.error('SmartRecruiters create failed (' + msg.statusCode + ')', msg);
    return null;
}
msg.candidate_id = msg.payload.id;`;

const PEER_CREATED = `${PEER_CREATED_CHECK}
return msg;`;

/** Upload on: after the create, find the CV (resume, else original) and download it. */
const PEER_CREATED_THEN_CV = `${PEER_CREATED_CHECK}
const atts = Array.isArray(msg.profile.attachments) ? msg.profile.attachments : [];
const cv = atts.find((a) => a && a.type === 'resume' && a.public_url) || atts.find((a) => a && a.type === 'original' && a.public_url);
if (!cv) return [null, msg]; // no CV: done
const ext = cv.extension ? (cv.extension.startsWith('.') ? cv.extension : '.' + cv.extension) : '';
const original = cv.original_file_name || '';
const name = /\\.[A-Za-z0-9]{2,5}$/.test(original) ? original : (original || cv.file_name || cv.type) + ext;
const types = { '.pdf': 'application/pdf', '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', '.doc': 'application/msword' };
msg.cv = { name: name, type: types[(/\\.[A-Za-z0-9]+$/.exec(name) || [''])[0].toLowerCase()] || 'application/octet-stream' };
msg.url = cv.public_url;
msg.headers = {};
delete msg.payload;
return [msg, null];`;

const PEER_FORM = `if (msg.statusCode !== 200 || !Buffer.isBuffer(msg.payload) || !msg.payload.length) {
    node.error('CV download failed (' + msg.statusCode + ')', msg);
    return null;
}
msg.url = env.get('SR_URL') + '/candidates/' + encodeURIComponent(msg.candidate_id) + '/jobs/' + encodeURIComponent(env.get('SR_JOB_ID')) + '/attachments';
msg.headers = { 'X-SmartToken': env.get('SR_TOKEN'), 'content-type': 'multipart/form-data' };
msg.payload = { attachmentType: 'RESUME', file: { value: msg.payload, options: { filename: msg.cv.name, contentType: msg.cv.type } } };
return msg;`;

const PEER_UPLOADED = `if (msg.statusCode !== 201) {
    node.error('SmartRecruiters CV upload failed (' + msg.statusCode + ')', msg);
    return null;
}
return msg;`;

function fn(id, tab, name, func, outputs, wires) {
  return { id, type: 'function', z: tab, name, func, outputs, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], x: 300, y: 200, wires };
}

function httpRequest(id, tab, name, method, ret, wires) {
  return {
    id, type: 'http request', z: tab, name, method, ret, paytoqs: 'ignore', url: '', tls: '', persist: false, proxy: '',
    insecureHTTPParser: false, authType: '', senderr: true, headers: [], x: 500, y: 200, wires,
  };
}

/** The hand-built peer on tab `p`. Entry node: `<p>-read` (msg.profile_key). */
function peerFlow(p, sb, { uploadCv }) {
  const env = [
    ['HRFLOW_URL', sb.urls.hrflow], ['HRFLOW_SOURCE', sb.sourceKey], ['HRFLOW_KEY', sb.credentials.hrflowApiKey],
    ['HRFLOW_USER', sb.credentials.hrflowUser], ['SR_URL', sb.urls.smartrecruiters], ['SR_TOKEN', sb.credentials.smartToken], ['SR_JOB_ID', JOB_ID],
  ].map(([name, value]) => ({ name, value, type: 'str' }));
  const nodes = [
    { id: p, type: 'tab', label: `peer ${p}`, disabled: false, info: '', env },
    fn(`${p}-read`, p, 'HrFlow request', PEER_READ, 1, [[`${p}-get`]]),
    httpRequest(`${p}-get`, p, 'GET profile', 'GET', 'obj', [[`${p}-map`]]),
    fn(`${p}-map`, p, 'has email + map to SmartRecruiters', PEER_MAP, 2, [[`${p}-post`], [`${p}-filtered`]]),
    httpRequest(`${p}-post`, p, 'POST candidate', 'POST', 'obj', [[`${p}-created`]]),
  ];
  if (!uploadCv) nodes.push(fn(`${p}-created`, p, 'check created', PEER_CREATED, 1, [[`${p}-ok`]]));
  else {
    nodes.push(
      fn(`${p}-created`, p, 'check created, find CV', PEER_CREATED_THEN_CV, 2, [[`${p}-cvget`], [`${p}-ok`]]),
      httpRequest(`${p}-cvget`, p, 'GET CV', 'GET', 'bin', [[`${p}-form`]]),
      fn(`${p}-form`, p, 'multipart', PEER_FORM, 1, [[`${p}-upload`]]),
      httpRequest(`${p}-upload`, p, 'POST attachment', 'POST', 'obj', [[`${p}-uploaded`]]),
      fn(`${p}-uploaded`, p, 'check uploaded', PEER_UPLOADED, 1, [[`${p}-ok`]]),
    );
  }
  nodes.push(...sinks(p));
  return nodes;
}

/** Outcome sinks of a tab, for attachSinks(). */
const sinkIds = (p) => ({ ok: [`${p}-ok`], filtered: [`${p}-filtered`], error: [`${p}-error`] });

module.exports = { JOB_ID, LOGIC_CODE, ourConfig, ourFlow, peerFlow, sinkIds };
