/**
 * The demo flow deployed by `npm start`: inject → split → HrFlow profile → logic → every push node →
 * write-back to HrFlow (which ATS has the profile), with debug and catch nodes, all config nodes pointing at the local sandbox. Credentials are
 * `${ENV}` references (filled from the environment of the Node-RED process), never values.
 *
 * The push nodes keep the default `on_duplicate: 'skip'`: the demo shows the push ledger. The first click creates
 * each sample profile once at each ATS; every later click sends nothing (each message goes out with
 * `msg.already_pushed = true`, the write-back answers `unchanged`), and the "pushed" debug node says which.
 */
'use strict';

const SAMPLE_KEYS = [
  '9a8b7c6d5e4f30211203a4b5c6d7e8f9a0b1c2d3', // full profile
  '1111222233334444555566667777888899990000', // minimal profile
  'abcdefabcdefabcdefabcdefabcdefabcdef0001', // edge profile (no email: filtered before SmartRecruiters)
];

/**
 * Sample profiles every emulated ATS accepts (an email and a CV), then the edge profile, which has no
 * email and so leaves the logic node on its "filtered" output.
 */
function pickSampleKeys(sandbox, count = 3) {
  const good = sandbox
    .profileKeys()
    .map((ref) => sandbox.getProfile(ref.source_key, ref.key))
    .filter((p) => p && p.info && p.info.email && p.info.first_name && p.info.last_name && Array.isArray(p.attachments) &&
      p.attachments.some((a) => a.type === 'resume' && /\.pdf$/i.test(a.public_url || '')))
    .map((p) => p.key);
  return [...good.slice(0, count), SAMPLE_KEYS[2]];
}

/**
 * What the "pushed" debug node shows for each message (a JSONata expression on the message): whether the push
 * made the push or found it in the push ledger (nothing sent), the vendor and candidate id
 * (`msg.topic`), and what the write-back did on the HrFlow profile (`created`, `replaced`, `unchanged`).
 */
const PUSHED_SUMMARY = '(already_pushed = true ? "already pushed, nothing sent: " : "pushed: ") & topic & " (write-back: " & writeback.action & ")"';

/**
 * @param {Record<string, string>} urls sandbox base URLs
 * @param {{recruiteeCompany: string, sourceKey: string, broadbeanSourceId: string, broadbeanClientId: string, flatchrCompany: string, sampleKeys?: string[]}} opts
 */
function demoFlow(urls, opts) {
  const tab = 'demo-tab';
  const at = (x, y) => ({ z: tab, x, y });
  const keys = opts.sampleKeys || SAMPLE_KEYS;
  const label = `push ${keys.length} sample profiles`;
  const pushTargets = [
    { id: 'demo-push-sr', type: 'hrflow-smartrecruiters', name: 'SmartRecruiters (sandbox)', account: 'demo-sr-account', job_id: 'demo-job-1', upload_cv: true },
    { id: 'demo-push-rc', type: 'hrflow-recruitee', name: 'Recruitee (sandbox)', account: 'demo-rc-account', offer_ids: '101' },
    { id: 'demo-push-bb', type: 'hrflow-broadbean', name: 'Broadbean (sandbox)', account: 'demo-bb-account', job_id: 'DEMO-JOB-1', shortlist_id: '', aplitrak_email_address: '' },
    { id: 'demo-push-fl', type: 'hrflow-flatchr', name: 'Flatchr (sandbox)', account: 'demo-fl-account', vacancy: 'demo-developer-h-f', test_mode: false, cv_mode: 'link', lookup_id: true },
    { id: 'demo-push-tz', type: 'hrflow-taleez', name: 'Taleez (sandbox)', account: 'demo-tz-account', recruiter_id: '1', job_id: '101', pool_ids: '201' },
  ];
  const flow = [
    { id: tab, type: 'tab', label: 'HrFlow demo (sandbox)', disabled: false, info: 'Pushes sample HrFlow profiles to the local sandbox ATS emulators.' },
    {
      id: 'demo-comment', type: 'comment', name: 'Click the inject button: sample profiles are read from the HrFlow sandbox and pushed to every emulated ATS, once',
      info: 'Open the sandbox page to see what each ATS received. The first click creates one candidate per sample profile at ' +
        'each ATS; after each push, the write-back node records in the HrFlow profile\'s metadatas which ATS has it.\n\n' +
        'Click again: nothing is sent, no candidate is created anywhere. Every push node records its pushes in the push ledger ' +
        '(in the Node-RED user directory, kept across restarts) and finds these profiles already pushed to this account and ' +
        'target: each message goes out with `msg.already_pushed = true` and the recorded `msg.candidate_id` (grey status ' +
        '"already pushed" and the id), and the write-back answers `unchanged`. The "pushed" debug node says which: ' +
        '"pushed: smartrecruiters/…" or "already pushed, nothing sent: smartrecruiters/…".\n\n' +
        'The sandbox page\'s Reset button clears the emulated ATS, not the push ledger: after a reset the same profiles are ' +
        'still "already pushed" (the ledger cannot know the ATS forgot them). To push them again, set "If already pushed" ' +
        'to "Push again" in the push nodes, or start the demo on another sandbox (`npm start -- --sandbox-port 8791`): another ' +
        'base URL is another account for the ledger.\n\n' +
        'The config nodes point at the sandbox; their credentials are ${ENV} references set by `npm start`. To use real ' +
        'accounts, open each config node, set the real base URL and enter your keys.',
      ...at(330, 40), wires: [],
    },
    {
      id: 'demo-inject', type: 'inject', name: label, props: [{ p: 'payload' }],
      repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload: JSON.stringify(keys), payloadType: 'json',
      ...at(150, 100), wires: [['demo-split']],
    },
    { id: 'demo-split', type: 'split', name: 'one message per key', splt: '\\n', spltType: 'str', arraySplt: 1, arraySpltType: 'len', stream: false, addname: '', ...at(370, 100), wires: [['demo-set-key']] },
    {
      id: 'demo-set-key', type: 'change', name: 'msg.profile_key', rules: [{ t: 'set', p: 'profile_key', pt: 'msg', to: 'payload', tot: 'msg' }],
      ...at(570, 100), wires: [['demo-profile']],
    },
    { id: 'demo-profile', type: 'hrflow-profile', name: 'HrFlow profile', api: 'demo-hrflow-api', source_key: opts.sourceKey, profile_key: '', timeout: 30000, ...at(170, 200), wires: [['demo-logic']] },
    {
      id: 'demo-logic', type: 'hrflow-logic', name: 'keep profiles with an email',
      logics: [
        { name: 'has email', type: 'js', code: '// drop profiles without an email: the ATS needs one\nreturn profile.info && profile.info.email ? profile : null;' },
      ],
      format_type: 'none', format: '', format_vendor: '',
      ...at(400, 200), wires: [pushTargets.map((p) => p.id), ['demo-debug-filtered']],
    },
    // on_duplicate 'skip' (the default): a profile already pushed to this account and target is not sent again.
    ...pushTargets.map((p, i) => ({ on_duplicate: 'skip', timeout: 30000, retries: 3, retry_delay: 1000, ...p, ...at(700, 160 + i * 50), wires: [['demo-writeback']] })),
    // After every push: which ATS has the profile (vendor, candidate id, target, time) goes back into its HrFlow metadatas.
    { id: 'demo-writeback', type: 'hrflow-writeback', name: 'record the ATS in HrFlow', api: 'demo-hrflow-api', store_as: 'metadatas', timeout: 30000, ...at(960, 260), wires: [['demo-debug-pushed']] },
    // One line per push: pushed or already pushed (nothing sent), vendor/candidate id, and the write-back's action.
    { id: 'demo-debug-pushed', type: 'debug', name: 'pushed', active: true, tosidebar: true, console: false, tostatus: false, complete: PUSHED_SUMMARY, targetType: 'jsonata', ...at(1180, 260), wires: [] },
    { id: 'demo-debug-filtered', type: 'debug', name: 'filtered', active: true, tosidebar: true, console: false, tostatus: false, complete: 'filtered', targetType: 'msg', ...at(680, 440), wires: [] },
    { id: 'demo-catch', type: 'catch', name: 'errors', scope: null, uncaught: false, ...at(150, 500), wires: [['demo-debug-errors']] },
    { id: 'demo-debug-errors', type: 'debug', name: 'errors', active: true, tosidebar: true, console: false, tostatus: false, complete: 'error', targetType: 'msg', ...at(350, 500), wires: [] },
    { id: 'demo-hrflow-api', type: 'hrflow-api', name: 'HrFlow sandbox', base_url: urls.hrflow },
    { id: 'demo-sr-account', type: 'hrflow-smartrecruiters-config', name: 'SmartRecruiters sandbox', base_url: urls.smartrecruiters },
    { id: 'demo-rc-account', type: 'hrflow-recruitee-config', name: 'Recruitee sandbox', company_id: opts.recruiteeCompany, recruitee_endpoint: urls.recruitee },
    { id: 'demo-bb-account', type: 'hrflow-broadbean-config', name: 'Broadbean sandbox', source_id: opts.broadbeanSourceId, client_id: opts.broadbeanClientId, base_url: urls.broadbean },
    { id: 'demo-fl-account', type: 'hrflow-flatchr-config', name: 'Flatchr sandbox', company: opts.flatchrCompany, careers_url: urls.flatchr, base_url: urls.flatchrApi },
    { id: 'demo-tz-account', type: 'hrflow-taleez-config', name: 'Taleez sandbox', base_url: urls.taleez },
  ];
  const credentials = {
    'demo-hrflow-api': { api_secret: '${HRFLOW_SANDBOX_API_SECRET}', api_user: '${HRFLOW_SANDBOX_API_USER}' },
    'demo-sr-account': { x_smart_token: '${HRFLOW_SANDBOX_SMART_TOKEN}' },
    'demo-rc-account': { api_token: '${HRFLOW_SANDBOX_RECRUITEE_TOKEN}' },
    'demo-bb-account': { secret_key: '${HRFLOW_SANDBOX_BROADBEAN_SECRET}' },
    'demo-fl-account': { auth: '${HRFLOW_SANDBOX_FLATCHR_KEY}' },
    'demo-tz-account': { x_taleez_api_secret: '${HRFLOW_SANDBOX_TALEEZ_SECRET}' },
  };
  return { flow, credentials };
}

/** Environment the Node-RED process needs so the demo credentials resolve. */
function demoEnv(credentials) {
  return {
    HRFLOW_SANDBOX_API_SECRET: credentials.hrflowApiKey,
    HRFLOW_SANDBOX_API_USER: credentials.hrflowUser,
    HRFLOW_SANDBOX_SMART_TOKEN: credentials.smartToken,
    HRFLOW_SANDBOX_RECRUITEE_TOKEN: credentials.recruiteeToken,
    HRFLOW_SANDBOX_BROADBEAN_SECRET: credentials.broadbeanSecret,
    HRFLOW_SANDBOX_FLATCHR_KEY: credentials.flatchrApiKey,
    HRFLOW_SANDBOX_TALEEZ_SECRET: credentials.taleezSecret,
  };
}

/** The options demoFlow needs, from a running sandbox. */
function demoOptions(sandbox) {
  return {
    recruiteeCompany: sandbox.credentials.recruiteeCompany,
    broadbeanSourceId: sandbox.credentials.broadbeanSourceId,
    broadbeanClientId: sandbox.credentials.broadbeanClientId,
    flatchrCompany: sandbox.credentials.flatchrCompany,
    sourceKey: sandbox.sourceKey,
    sampleKeys: pickSampleKeys(sandbox),
  };
}

module.exports = { demoFlow, demoEnv, demoOptions, pickSampleKeys, SAMPLE_KEYS };
