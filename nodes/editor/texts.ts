/**
 * The editor texts every generated node shares, in English (`en`) and French (`fr`), written once.
 *
 * `nodes/editor/generate.ts` copies them into each node's catalogue (`<type>.json`) and help
 * (`<type>.html`). In help texts, `{vendor}`, `{id}`, `{type}`, `{configType}`... are filled in by the
 * generator; in catalogue texts, `__name__` placeholders are filled in by i18next in the browser.
 * Texts named `tip`, `help` or in `help`/`errors` are HTML; the others are plain text.
 *
 * French: written for French recruiters, vouvoiement, "offre d'emploi", "vivier", "candidat".
 */
import type { ErrorCode } from '../../src/core/errors';
import type { Text } from '../../src/vendors/description';

/** The languages the editor ships, as Node-RED names its locale folders, and the key of a `Text`. */
export const LANGS = [
  { dir: 'en-US', key: 'en' },
  { dir: 'fr', key: 'fr' },
] as const;
export type Lang = (typeof LANGS)[number]['key'];

/** Labels of the fields every push node has (name, account, the Advanced block). */
export const LABELS: Record<string, Text> = {
  name: { en: 'Name', fr: 'Nom' },
  account: { en: 'Account', fr: 'Compte' },
  advanced: { en: 'Advanced', fr: 'Avancé' },
  timeout: { en: 'Timeout', fr: 'Délai max.' },
  retries: { en: 'Retries', fr: 'Nouvelles tentatives' },
  retry_delay: { en: 'Retry delay', fr: 'Délai entre tentatives' },
  ms: { en: 'ms', fr: 'ms' },
  on_duplicate: { en: 'If already pushed', fr: 'Si déjà envoyé' },
  store: { en: 'Store', fr: 'Stockage' },
};

/** The choices of the common `on_duplicate` property (the first is the default). */
export const ON_DUPLICATE_OPTIONS: { value: string; label: Text }[] = [
  { value: 'skip', label: { en: 'Skip it (output with msg.already_pushed)', fr: 'L\'ignorer (sortie avec msg.already_pushed)' } },
  { value: 'error', label: { en: 'Report an error (ALREADY_PUSHED)', fr: 'Signaler une erreur (ALREADY_PUSHED)' } },
  { value: 'push', label: { en: 'Push again', fr: 'L\'envoyer à nouveau' } },
  { value: 'update', label: { en: 'Update the recorded candidate', fr: 'Mettre à jour le candidat enregistré' } },
];

/** The input port of every push node. */
export const INPUT_LABEL: Text = { en: 'HrFlow profile', fr: 'Profil HrFlow' };

/** Tips of the common fields. `{vendor}`: the vendor's label. HTML. */
export const TIPS = {
  account: {
    en: 'The {vendor} account the candidates are created in. Several nodes can share it.',
    fr: 'Le compte {vendor} dans lequel les candidats sont créés. Plusieurs nœuds peuvent le partager.',
  },
  advanced: {
    en: '<b>Timeout</b> applies to each request. Rate limits (429), server errors (5xx) and connection failures are retried up to <b>Retries</b> times, waiting about <b>Retry delay</b>, then twice as long, and so on. A create request whose answer was lost is never sent twice.',
    fr: 'Le <b>délai max.</b> s\'applique à chaque requête. Les limites de débit (429), les erreurs serveur (5xx) et les échecs de connexion sont retentés jusqu\'à <b>Nouvelles tentatives</b> fois, après environ <b>Délai entre tentatives</b>, puis deux fois plus, et ainsi de suite. Une création dont la réponse s\'est perdue n\'est jamais envoyée deux fois.',
  },
  on_duplicate: {
    en: 'Each push is recorded: the same profile pushed again to the same target of the same account is a duplicate.',
    fr: 'Chaque envoi est enregistré : le même profil renvoyé vers la même cible du même compte est un doublon.',
  },
  store: {
    en: 'Empty: the push ledger and the outbox stay in this Node-RED. An <code>hrflow-store</code> in mode Redis shares them, and the account\'s rate limit, with the other Node-RED instances that use it: a profile is then pushed once across them.',
    fr: 'Vide : le registre et la file des envois restent dans ce Node-RED. Un <code>hrflow-store</code> en mode Redis les partage, ainsi que la limite de débit du compte, avec les autres instances Node-RED qui l\'utilisent : un profil n\'est alors envoyé qu\'une fois entre elles.',
  },
  test: {
    en: '<b>Test connection</b> checks the values typed in this dialog (or the deployed secret, when it is unchanged): it {test}',
    fr: '<b>Tester la connexion</b> vérifie les valeurs saisies dans cette fenêtre (ou le secret déployé, s\'il n\'a pas changé) : elle {test}',
  },
} satisfies Record<string, Text>;

/** Under a field that `msg.<x>` may supply, while it is empty. `__msg__`: the msg property. HTML. */
export const MSG_HINT: Text = {
  en: 'Empty: the node takes <code>msg.__msg__</code> from each message.',
  fr: 'Vide : le nœud prend <code>msg.__msg__</code> dans chaque message.',
};

/** Validator messages (Node-RED 4 shows them as the field's tooltip). `__label__`: the field's label. */
export const VALIDATOR: Record<string, Text> = {
  required: { en: '__label__ is required', fr: '__label__ est obligatoire' },
  id: { en: '__label__: not a valid id', fr: '__label__ : id non valide' },
  ids: { en: '__label__: ids separated by commas', fr: '__label__ : des ids séparés par des virgules' },
  url: { en: '__label__: an http(s) URL', fr: '__label__ : une URL http(s)' },
  int: { en: '__label__: a whole number, 0 or more', fr: '__label__ : un nombre entier, 0 ou plus' },
  email: { en: '__label__: not an e-mail address', fr: '__label__ : adresse e-mail non valide' },
  option: { en: '__label__: not one of the choices', fr: '__label__ : valeur hors des choix proposés' },
  pattern: { en: '__label__: not a valid value', fr: '__label__ : valeur non valide' },
  requires: { en: '__label__ needs the account\'s __field__: set it in the account', fr: '__label__ nécessite le champ « __field__ » du compte : renseignez-le dans le compte' },
};

/** Test connection (config dialogs). Plain text with `__placeholders__`. */
export const TEST: Record<string, Text> = {
  button: { en: 'Test connection', fr: 'Tester la connexion' },
  busy: { en: 'Testing…', fr: 'Test en cours…' },
  ok: { en: 'Connected: __detail__', fr: 'Connecté : __detail__' },
  offline: { en: 'Checked without a request: __detail__', fr: 'Vérifié sans requête : __detail__' },
  error: { en: '__code__: __message__', fr: '__code__ : __message__' },
  http: { en: 'HTTP __status__: the test could not run (__message__)', fr: 'HTTP __status__ : le test n\'a pas pu s\'exécuter (__message__)' },
};

/** Pickers (push dialogs). Plain text with `__placeholders__`. */
export const PICKER: Record<string, Text> = {
  button: { en: 'Choose from the account', fr: 'Choisir dans le compte' },
  loading: { en: 'Loading…', fr: 'Chargement…' },
  empty: { en: 'Nothing found in this account.', fr: 'Rien trouvé dans ce compte.' },
  'no-account': { en: 'Choose an account first.', fr: 'Choisissez d\'abord un compte.' },
  error: { en: '__code__: __message__', fr: '__code__ : __message__' },
  http: { en: 'HTTP __status__: the list could not be read (__message__)', fr: 'HTTP __status__ : la liste n\'a pas pu être lue (__message__)' },
  close: { en: 'Close', fr: 'Fermer' },
  more: { en: 'The first __count__ are shown.', fr: 'Les __count__ premiers sont affichés.' },
};

/** Headings of the help, as Node-RED's own help names them in each language. */
export const HEADINGS: Record<string, Text> = {
  inputs: { en: 'Inputs', fr: 'Entrées' },
  outputs: { en: 'Outputs', fr: 'Sorties' },
  details: { en: 'Details', fr: 'Détails' },
  settings: { en: 'Settings', fr: 'Paramètres' },
  advanced: { en: 'Timeouts, retries and the rate limit', fr: 'Délais, nouvelles tentatives et limite de débit' },
  test: { en: 'Test connection', fr: 'Tester la connexion' },
  errors: { en: 'Errors', fr: 'Erreurs' },
  credentials: { en: 'Credentials', fr: 'Identifiants' },
  references: { en: 'References', fr: 'Références' },
};

/** One `msg` property in a help list. */
export interface MsgProperty {
  name: string;
  type: string;
  optional?: boolean;
  text: Text;
}

/** What every push node reads from the message, before its own `msg.*` parameters. HTML, `{vendor}`, `{id}`. */
export const PUSH_INPUTS: MsgProperty[] = [
  {
    name: 'payload',
    type: 'object',
    text: {
      en: 'An HrFlow profile (from <code>hrflow-profile</code> or <code>hrflow-logic</code>), or a {vendor} payload built by the format of an <code>hrflow-logic</code> node.',
      fr: 'Un profil HrFlow (venant de <code>hrflow-profile</code> ou de <code>hrflow-logic</code>), ou un contenu {vendor} construit par le format d\'un nœud <code>hrflow-logic</code>.',
    },
  },
  {
    name: 'format',
    type: 'string',
    optional: true,
    text: {
      en: 'Set by <code>hrflow-logic</code> when its format ran: <code>"{id}"</code> means <code>msg.payload</code> is already the {vendor} payload, sent as it is.',
      fr: 'Posé par <code>hrflow-logic</code> quand son format a tourné : <code>"{id}"</code> signifie que <code>msg.payload</code> est déjà le contenu {vendor}, envoyé tel quel.',
    },
  },
  {
    name: 'profile',
    type: 'object',
    optional: true,
    text: {
      en: 'With a formatted payload: the HrFlow profile, where the CV is taken from.',
      fr: 'Avec un contenu formaté : le profil HrFlow, d\'où le CV est tiré.',
    },
  },
  {
    name: 'action',
    type: 'string',
    optional: true,
    text: {
      en: '<code>"archive"</code>: archive the candidate the push ledger recorded for this profile instead of pushing it (see Update and archive). Absent or empty: a push. Any other value: <code>INVALID_INPUT</code>.',
      fr: '<code>"archive"</code> : archiver le candidat que le registre des envois a enregistré pour ce profil au lieu de l\'envoyer (voir Mise à jour et archivage). Absent ou vide : un envoi. Toute autre valeur : <code>INVALID_INPUT</code>.',
    },
  },
];

/** A `msg.*` parameter with no `help` of its own. */
export const MSG_PARAM_FALLBACK: Text = {
  en: 'Wins over the {label} set in the node.',
  fr: 'L\'emporte sur la valeur « {label} » saisie dans le nœud.',
};

/** What every push node sends on success. HTML, `{vendor}`, `{id}`. */
export const PUSH_OUTPUTS: MsgProperty[] = [
  {
    name: 'payload',
    type: 'object',
    text: { en: '{vendor}\'s answer to the candidate creation.', fr: 'La réponse de {vendor} à la création du candidat.' },
  },
  {
    name: 'candidate_id',
    type: 'string',
    optional: true,
    text: {
      en: 'The id of the new candidate in {vendor}, when {vendor} gives one (see Details).',
      fr: 'L\'id du nouveau candidat dans {vendor}, quand {vendor} en donne un (voir Détails).',
    },
  },
  {
    name: 'statusCode',
    type: 'number',
    optional: true,
    text: { en: 'The HTTP status of the creation.', fr: 'Le statut HTTP de la création.' },
  },
  {
    name: 'vendor',
    type: 'string',
    text: { en: 'Always <code>"{id}"</code>.', fr: 'Toujours <code>"{id}"</code>.' },
  },
  {
    name: 'steps',
    type: 'array',
    text: {
      en: 'Each step of the push and what happened to it, for example <code>{step: "create", status: "done"}</code>.',
      fr: 'Chaque étape de l\'envoi et son résultat, par exemple <code>{step: "create", status: "done"}</code>.',
    },
  },
  {
    name: 'target',
    type: 'string',
    text: {
      en: 'Where the profile was pushed: this node\'s target settings as <code>name=value</code> pairs joined by <code>|</code> (e.g. <code>job_id=101</code>; <code>""</code> without one), as the push ledger knows it. An <code>hrflow-writeback</code> node records it on the HrFlow profile.',
      fr: 'Où le profil a été envoyé : les réglages de cible de ce nœud en paires <code>nom=valeur</code> séparées par <code>|</code> (par exemple <code>job_id=101</code> ; <code>""</code> sans cible), tels que le registre des envois les connaît. Un nœud <code>hrflow-writeback</code> l\'enregistre sur le profil HrFlow.',
    },
  },
  {
    name: 'already_pushed',
    type: 'boolean',
    optional: true,
    text: {
      en: '<code>true</code> when the profile had already been pushed here and nothing was sent (see Duplicates); <code>msg.candidate_id</code> is then the recorded one.',
      fr: '<code>true</code> quand le profil avait déjà été envoyé ici et que rien n\'a été envoyé (voir Doublons) ; <code>msg.candidate_id</code> est alors celui enregistré.',
    },
  },
  {
    name: 'updated',
    type: 'boolean',
    optional: true,
    text: {
      en: '<code>true</code> when the recorded candidate was updated instead of created (<b>If already pushed</b> is "Update"); <code>msg.payload</code> is then {vendor}\'s answer to the update.',
      fr: '<code>true</code> quand le candidat enregistré a été mis à jour au lieu d\'être créé (<b>Si déjà envoyé</b> vaut « Mettre à jour ») ; <code>msg.payload</code> est alors la réponse de {vendor} à la mise à jour.',
    },
  },
  {
    name: 'archived',
    type: 'boolean',
    optional: true,
    text: {
      en: '<code>true</code> after <code>msg.action = "archive"</code>: the recorded candidate is archived (or deleted, see Update and archive); <code>msg.already_archived = true</code> when it already was and nothing was sent.',
      fr: '<code>true</code> après <code>msg.action = "archive"</code> : le candidat enregistré est archivé (ou supprimé, voir Mise à jour et archivage) ; <code>msg.already_archived = true</code> s\'il l\'était déjà et que rien n\'a été envoyé.',
    },
  },
  {
    name: 'topic',
    type: 'string',
    optional: true,
    text: {
      en: 'When the message has no topic: <code>"{id}/&lt;candidate id&gt;"</code> (or <code>"{id}"</code> without a candidate id), so the debug sidebar names vendor and candidate at a glance. A topic set earlier in the flow is kept.',
      fr: 'Quand le message n\'a pas de topic : <code>"{id}/&lt;id du candidat&gt;"</code> (ou <code>"{id}"</code> sans id de candidat), pour que la barre de débogage montre d\'un coup d\'œil le fournisseur et le candidat. Un topic défini plus tôt dans le flux est conservé.',
    },
  },
];

export const KEPT: Text = {
  en: 'Every other property of the incoming message is kept.',
  fr: 'Toutes les autres propriétés du message reçu sont conservées.',
};

/** Inputs and outputs of a configuration node. `{type}`: the push node type. HTML. */
export const CONFIG_INPUTS: Text = {
  en: 'None. This is a configuration node: it is selected in the Account field of <code>{type}</code> nodes. Several nodes can share it.',
  fr: 'Aucune. C\'est un nœud de configuration : il se choisit dans le champ Compte des nœuds <code>{type}</code>. Plusieurs nœuds peuvent le partager.',
};
export const CONFIG_OUTPUTS: Text = { en: 'None.', fr: 'Aucune.' };

/** The Advanced section of every push node's help. `{vendor}`. HTML. */
export const ADVANCED_HELP: Text = {
  en: '<p><b>Timeout</b> (milliseconds, default 30000) is how long to wait for each answer, and for the account\'s rate limit or a pause asked by {vendor} (a longer wait fails at once with <code>RATE_LIMITED</code> and <code>retryAt</code>). When {vendor} says it is overloaded or rate limited (HTTP 429, 5xx), or cannot be reached, the request is tried again up to <b>Retries</b> times (default 3), waiting about <b>Retry delay</b> (default 1000 ms), then twice as long, and so on, up to 30 seconds; a <code>Retry-After</code> answer is respected. Every node using the same account shares one client-side rate limit: requests over it wait for their turn. A create request whose answer was lost is never sent twice, so a retry cannot create a duplicate candidate. Set Retries to 0 to fail at once.</p>',
  fr: '<p>Le <b>délai max.</b> (en millisecondes, 30000 par défaut) est le temps d\'attente de chaque réponse, et de la limite de débit du compte ou d\'une pause demandée par {vendor} (une attente plus longue échoue aussitôt avec <code>RATE_LIMITED</code> et <code>retryAt</code>). Quand {vendor} se dit surchargé ou limite le débit (HTTP 429, 5xx), ou ne peut pas être joint, la requête est retentée jusqu\'à <b>Nouvelles tentatives</b> fois (3 par défaut), après environ <b>Délai entre tentatives</b> (1000 ms par défaut), puis deux fois plus, et ainsi de suite, jusqu\'à 30 secondes ; une réponse <code>Retry-After</code> est respectée. Tous les nœuds utilisant le même compte partagent une même limite de débit côté client : les requêtes au-delà attendent leur tour. Une création dont la réponse s\'est perdue n\'est jamais renvoyée, une nouvelle tentative ne peut donc pas créer de doublon. Mettez 0 nouvelle tentative pour échouer tout de suite.</p>',
};

/** The update-and-archive section of every push node's help: the common part, then the vendor's own (VendorDescription.update / archive). HTML. */
export const UPDATE_HEADING: Text = { en: 'Update and archive', fr: 'Mise à jour et archivage' };
export const UPDATE_HELP: Text = {
  en: '<p>With <b>If already pushed</b> set to <b>Update</b>, a profile the ledger already has for this target is sent again as an update of the recorded candidate (the same mapping as a creation, the fields below), never as a second creation; the output has <code>msg.updated = true</code> and the ledger records the update. A profile the ledger does not have is created as usual. Copies arriving together: one creation, then the updates one after the other.</p><p>A message with <code>msg.action = "archive"</code> archives the candidate recorded for its profile (an <code>hrflow-webhook</code> archive event sets it). Archiving again sends nothing (<code>msg.already_archived = true</code>). A profile without a recorded candidate is <code>NOT_PUSHED</code>. After an archive, the ledger no longer counts the profile as pushed: pushing it again creates a new candidate.</p>',
  fr: '<p>Avec <b>Si déjà envoyé</b> réglé sur <b>Mettre à jour</b>, un profil que le registre a déjà pour cette cible est renvoyé comme mise à jour du candidat enregistré (le même contenu qu\'une création, les champs ci-dessous), jamais comme seconde création ; la sortie porte <code>msg.updated = true</code> et le registre enregistre la mise à jour. Un profil absent du registre est créé comme d\'habitude. Des copies arrivant ensemble : une création, puis les mises à jour l\'une après l\'autre.</p><p>Un message avec <code>msg.action = "archive"</code> archive le candidat enregistré pour son profil (un événement d\'archivage d\'<code>hrflow-webhook</code> le pose). Archiver à nouveau n\'envoie rien (<code>msg.already_archived = true</code>). Un profil sans candidat enregistré donne <code>NOT_PUSHED</code>. Après un archivage, le registre ne compte plus le profil comme envoyé : le renvoyer crée un nouveau candidat.</p>',
};
/** The line of a vendor that has no update or no archive. `{vendor}`. HTML. */
export const NO_UPDATE: Text = {
  en: '<b>Update</b>: {vendor}\'s API has none: a profile already pushed is <code>UNSUPPORTED</code> (nothing sent).',
  fr: '<b>Mise à jour</b> : l\'API de {vendor} n\'en a pas : un profil déjà envoyé donne <code>UNSUPPORTED</code> (rien n\'est envoyé).',
};
export const NO_ARCHIVE: Text = {
  en: '<b>Archive</b>: {vendor}\'s API has none: <code>msg.action = "archive"</code> is <code>UNSUPPORTED</code> (nothing sent).',
  fr: '<b>Archivage</b> : l\'API de {vendor} n\'en a pas : <code>msg.action = "archive"</code> donne <code>UNSUPPORTED</code> (rien n\'est envoyé).',
};

/** The duplicates section of every push node's help. `{vendor}`, `{id}`. HTML. */
export const DUPLICATES_HEADING: Text = { en: 'Duplicates', fr: 'Doublons' };
export const DUPLICATES_HELP: Text = {
  en: '<p>Every push is recorded in a push ledger, by {vendor} account (a hash, never the secret), target (the node\'s job, offer, vacancy or pool settings: those a message may supply) and profile (its HrFlow source and profile keys, else its e-mail, lowercased). A profile with neither is not recorded and is pushed every time. When the same profile comes again for the same target, <b>If already pushed</b> says what happens:</p><ul><li><b>Skip it</b> (default): nothing is sent to {vendor}; the message goes out with <code>msg.already_pushed = true</code>, the recorded <code>msg.candidate_id</code>, <code>msg.vendor</code> and <code>msg.topic</code> as after a push (<code>msg.payload</code> is left as it came).</li><li><b>Report an error</b>: <code>ALREADY_PUSHED</code>, with the recorded id in <code>msg.candidate_id</code>.</li><li><b>Push again</b>: a new push, recorded in turn.</li></ul><p>Copies of one profile arriving together are pushed once: the later ones wait for the first. A push that failed is not counted (the next copy pushes); one created with a later step failed (<code>PARTIAL_PUSH</code>) is finished when the profile comes again: only the missing steps, on the recorded candidate (where {vendor} has such steps); one whose answer was lost (<code>OUTCOME_UNKNOWN</code>) is reported as <code>ALREADY_PUSHED</code> unless the node pushes again, since the candidate may exist.</p><p>The ledger is kept in the Node-RED user directory (<code>hrflow-connectors/ledger</code>) and survives restarts. Each message is also journaled there before its first request: if Node-RED stops, is redeployed or crashes while pushes wait or run, the node finishes them when it starts again, and their outcome carries <code>msg.resumed = true</code> (a create whose answer was lost is looked up first, never sent blindly twice). A push that ends in an error is kept as a dead letter: retry or discard it in the <b>HrFlow</b> sidebar tab. <code>hrflowLedger: false</code> in settings.js turns all this off.</p>',
  fr: '<p>Chaque envoi est enregistré dans un registre des envois, par compte {vendor} (une empreinte, jamais le secret), cible (les paramètres d\'offre d\'emploi, d\'offre, de poste ou de vivier du nœud : ceux qu\'un message peut fournir) et profil (ses clés de source et de profil HrFlow, sinon son e-mail, en minuscules). Un profil sans l\'un ni l\'autre n\'est pas enregistré et est envoyé à chaque fois. Quand le même profil revient pour la même cible, <b>Si déjà envoyé</b> décide :</p><ul><li><b>L\'ignorer</b> (par défaut) : rien n\'est envoyé à {vendor} ; le message sort avec <code>msg.already_pushed = true</code>, le <code>msg.candidate_id</code> enregistré, <code>msg.vendor</code> et <code>msg.topic</code> comme après un envoi (<code>msg.payload</code> reste tel qu\'il est arrivé).</li><li><b>Signaler une erreur</b> : <code>ALREADY_PUSHED</code>, avec l\'id enregistré dans <code>msg.candidate_id</code>.</li><li><b>L\'envoyer à nouveau</b> : un nouvel envoi, enregistré à son tour.</li></ul><p>Des copies d\'un même profil arrivant ensemble ne sont envoyées qu\'une fois : les suivantes attendent la première. Un envoi en échec ne compte pas (la copie suivante est envoyée) ; un candidat créé dont une étape suivante a échoué (<code>PARTIAL_PUSH</code>) est terminé quand le profil revient : seules les étapes manquantes, sur le candidat enregistré (quand {vendor} a de telles étapes) ; un envoi dont la réponse s\'est perdue (<code>OUTCOME_UNKNOWN</code>) est signalé par <code>ALREADY_PUSHED</code>, sauf si le nœud envoie à nouveau, car le candidat existe peut-être.</p><p>Le registre est conservé dans le répertoire utilisateur de Node-RED (<code>hrflow-connectors/ledger</code>) et survit aux redémarrages. Chaque message y est aussi journalisé avant sa première requête : si Node-RED s\'arrête, est redéployé ou plante pendant que des envois attendent ou sont en cours, le nœud les termine à son redémarrage, et leur résultat porte <code>msg.resumed = true</code> (une création dont la réponse s\'est perdue est d\'abord recherchée, jamais renvoyée à l\'aveugle). Un envoi terminé en erreur est conservé comme lettre morte : relancez-le ou supprimez-le dans l\'onglet <b>HrFlow</b> de la barre latérale. <code>hrflowLedger: false</code> dans settings.js désactive tout cela.</p>',
};

/** The store paragraph of every push node's help (after Duplicates). HTML. */
export const STORE_HELP: Text = {
  en: '<p><b>Store</b> (optional): an <code>hrflow-store</code> configuration node. Empty, or a store in mode embedded: the ledger and the outbox are this Node-RED\'s, as described above. A store in mode Redis keeps them in Redis, shared with every Node-RED instance using the same store: a profile claimed by one instance is not created by another, the account\'s rate limit is shared, and a surviving instance running the same flows resumes the unfinished pushes of one that died. While Redis is unreachable nothing is recorded or sent: a push waits up to about 30 seconds, then fails with <code>STORE_UNAVAILABLE</code>, and the node shows a red ring "store unavailable".</p>',
  fr: '<p><b>Stockage</b> (facultatif) : un nœud de configuration <code>hrflow-store</code>. Vide, ou un stockage en mode intégré : le registre et la file des envois sont ceux de ce Node-RED, comme décrit ci-dessus. Un stockage en mode Redis les garde dans Redis, partagés avec toutes les instances Node-RED qui utilisent le même stockage : un profil réservé par une instance n\'est pas créé par une autre, la limite de débit du compte est partagée, et une instance survivante qui exécute les mêmes flux reprend les envois non terminés d\'une instance arrêtée. Tant que Redis est injoignable, rien n\'est enregistré ni envoyé : un envoi attend jusqu\'à environ 30 secondes, puis échoue avec <code>STORE_UNAVAILABLE</code>, et le nœud affiche un anneau rouge « stockage indisponible ».</p>',
};

/** Introduction of the error table. HTML. */
export const ERRORS_INTRO: Text = {
  en: '<p>When a push fails, nothing is sent on the output: the node reports the error so a Catch node can handle it. The Catch node receives the message with <code>msg.error.code</code> set to one of these codes; the HTTP status, when there was one, is in <code>msg.statusCode</code>, and the details (step, vendor message, invalid fields) in <code>msg.error_details</code>:</p>',
  fr: '<p>Quand un envoi échoue, rien ne sort du nœud : il signale l\'erreur pour qu\'un nœud Catch la traite. Le nœud Catch reçoit le message avec <code>msg.error.code</code> égal à l\'un de ces codes ; le statut HTTP, s\'il y en a un, est dans <code>msg.statusCode</code>, et les détails (étape, message du fournisseur, champs non valides) dans <code>msg.error_details</code> :</p>',
};
export const CONFIG_ERRORS_INTRO: Text = {
  en: '<p>Problems with this account show up on the nodes that use it, as <code>msg.error.code</code> in a Catch node, and in Test connection:</p>',
  fr: '<p>Les problèmes de ce compte apparaissent sur les nœuds qui l\'utilisent, dans <code>msg.error.code</code> d\'un nœud Catch, et dans Tester la connexion :</p>',
};

/** The error codes a configuration node's help lists (those its vendor can raise). */
export const CONFIG_ERRORS: ErrorCode[] = ['AUTH_FAILED', 'INVALID_CONFIG', 'NOT_FOUND', 'RATE_LIMITED', 'NETWORK_ERROR', 'TIMEOUT'];

/** THE error table: one entry per code of src/core/errors.ts. `{vendor}`: the vendor's label. HTML. */
export const ERRORS: Record<ErrorCode, Text> = {
  AUTH_FAILED: {
    en: '{vendor} refused the credentials (HTTP 401/403). Check the secret in the account\'s configuration node, with Test connection.',
    fr: '{vendor} a refusé les identifiants (HTTP 401/403). Vérifiez le secret dans le nœud de configuration du compte, avec Tester la connexion.',
  },
  HRFLOW_NOT_FOUND: {
    en: 'HrFlow.ai has no profile with this source key and profile key (raised by <code>hrflow-profile</code>).',
    fr: 'HrFlow.ai n\'a aucun profil avec cette clé de source et cette clé de profil (levée par <code>hrflow-profile</code>).',
  },
  NOT_FOUND: {
    en: '{vendor} answered 404: the base URL is wrong, or an id set in the node or the message does not exist in this account.',
    fr: '{vendor} a répondu 404 : l\'URL de base est fausse, ou un id saisi dans le nœud ou le message n\'existe pas dans ce compte.',
  },
  INVALID_PROFILE: {
    en: 'The profile cannot become a valid {vendor} candidate (a required field is missing or malformed: <code>msg.error_details.fields</code> names them), or its CV cannot be sent (a URL that is not http(s) or carries credentials, a host not allowed by <code>hrflowCvDownload</code>, a file type {vendor} does not take). Nothing was sent.',
    fr: 'Le profil ne peut pas devenir un candidat {vendor} valide (un champ obligatoire manque ou est mal formé : <code>msg.error_details.fields</code> les nomme), ou son CV ne peut pas être envoyé (une URL qui n\'est pas http(s) ou contient des identifiants, un hôte non autorisé par <code>hrflowCvDownload</code>, un type de fichier que {vendor} n\'accepte pas). Rien n\'a été envoyé.',
  },
  INVALID_CONFIG: {
    en: 'A setting is missing or wrong: no account selected, a missing secret, an id missing from both the node and the message, or malformed. Nothing was sent.',
    fr: 'Un paramètre manque ou est faux : aucun compte choisi, un secret manquant, un id absent du nœud comme du message, ou mal formé. Rien n\'a été envoyé.',
  },
  INVALID_INPUT: {
    en: 'The message cannot be used: <code>msg.payload</code> is not an HrFlow profile, it was formatted for another ATS (<code>msg.format</code>), or it is too large or too deeply nested.',
    fr: 'Le message est inutilisable : <code>msg.payload</code> n\'est pas un profil HrFlow, il a été formaté pour un autre ATS (<code>msg.format</code>), ou il est trop gros ou trop imbriqué.',
  },
  LOGIC_ERROR: {
    en: 'A logic of an <code>hrflow-logic</code> node failed (an exception, a syntax error, or a result that is not a profile).',
    fr: 'Une logique d\'un nœud <code>hrflow-logic</code> a échoué (une exception, une erreur de syntaxe, ou un résultat qui n\'est pas un profil).',
  },
  FORMAT_ERROR: {
    en: 'The format of an <code>hrflow-logic</code> node failed, or returned something that is not an object.',
    fr: 'Le format d\'un nœud <code>hrflow-logic</code> a échoué, ou a renvoyé autre chose qu\'un objet.',
  },
  VENDOR_REJECTED: {
    en: '{vendor} refused the request as wrong (HTTP 400, 409, 422…). Its explanation is in <code>msg.error.message</code> and <code>msg.error_details.vendorMessage</code>.',
    fr: '{vendor} a refusé la requête comme incorrecte (HTTP 400, 409, 422…). Son explication est dans <code>msg.error.message</code> et <code>msg.error_details.vendorMessage</code>.',
  },
  RATE_LIMITED: {
    en: '{vendor} still answered "too many requests" (HTTP 429) after every retry, or the wait for the account (its rate limit, or a pause asked by {vendor}, at most 60 s per answer) is longer than the node\'s timeout: <code>msg.error_details.retryAt</code> (date-time) and <code>retryAfterMs</code> say when to try again.',
    fr: '{vendor} répondait encore « trop de requêtes » (HTTP 429) après toutes les tentatives, ou l\'attente du compte (sa limite de débit, ou une pause demandée par {vendor}, 60 s au plus par réponse) dépasse le délai max. du nœud : <code>msg.error_details.retryAt</code> (date et heure) et <code>retryAfterMs</code> disent quand réessayer.',
  },
  VENDOR_UNAVAILABLE: {
    en: '{vendor} kept failing (HTTP 5xx) after every retry, or sent an answer that cannot be read. Retry later.',
    fr: '{vendor} a continué d\'échouer (HTTP 5xx) après toutes les tentatives, ou a envoyé une réponse illisible. Réessayez plus tard.',
  },
  NETWORK_ERROR: {
    en: '{vendor} could not be reached: wrong URL, DNS failure, no network, proxy or firewall, connection reset.',
    fr: '{vendor} n\'a pas pu être joint : URL fausse, échec DNS, pas de réseau, proxy ou pare-feu, connexion coupée.',
  },
  TIMEOUT: {
    en: 'A request got no answer within the timeout, after every retry.',
    fr: 'Une requête n\'a pas eu de réponse dans le délai max., après toutes les tentatives.',
  },
  ABORTED: {
    en: 'The request was cancelled because the flow was stopped or redeployed. When the candidate had already been created, its id is in <code>msg.candidate_id</code>.',
    fr: 'La requête a été annulée parce que le flux a été arrêté ou redéployé. Si le candidat était déjà créé, son id est dans <code>msg.candidate_id</code>.',
  },
  PARTIAL_PUSH: {
    en: 'The candidate was created, but a later step failed: its id is in <code>msg.candidate_id</code> and the step in <code>msg.error_details.step</code>. Finish that step in {vendor} rather than pushing the profile again.',
    fr: 'Le candidat a été créé, mais une étape suivante a échoué : son id est dans <code>msg.candidate_id</code> et l\'étape dans <code>msg.error_details.step</code>. Terminez cette étape dans {vendor} plutôt que de renvoyer le profil.',
  },
  OUTCOME_UNKNOWN: {
    en: 'The create request was sent but its answer was lost (timeout, connection cut): the candidate may exist. It is never sent again: check {vendor} before pushing this profile again.',
    fr: 'La demande de création a été envoyée mais sa réponse s\'est perdue (délai dépassé, connexion coupée) : le candidat existe peut-être. Elle n\'est jamais renvoyée : vérifiez dans {vendor} avant de renvoyer ce profil.',
  },
  UNSUPPORTED: {
    en: '{vendor}\'s API cannot do what was asked: an update (<b>If already pushed</b> is "Update") or an archive (<code>msg.action = "archive"</code>) where {vendor} offers none. Nothing was sent.',
    fr: 'L\'API de {vendor} ne permet pas ce qui est demandé : une mise à jour (<b>Si déjà envoyé</b> vaut « Mettre à jour ») ou un archivage (<code>msg.action = "archive"</code>) que {vendor} n\'offre pas. Rien n\'a été envoyé.',
  },
  NOT_PUSHED: {
    en: '<code>msg.action = "archive"</code>, but the push ledger has no {vendor} candidate for this profile at this target of this account (never pushed, its push failed, or its answer was lost). Nothing was sent.',
    fr: '<code>msg.action = "archive"</code>, mais le registre des envois n\'a pas de candidat {vendor} pour ce profil à cette cible de ce compte (jamais envoyé, envoi en échec, ou réponse perdue). Rien n\'a été envoyé.',
  },
  ALREADY_PUSHED: {
    en: 'This profile was already pushed to this target of this {vendor} account (<b>If already pushed</b> is "Report an error"), or its last push there ended without an answer (the candidate may exist). The recorded candidate id, when known, is in <code>msg.candidate_id</code>. Nothing was sent.',
    fr: 'Ce profil a déjà été envoyé vers cette cible de ce compte {vendor} (<b>Si déjà envoyé</b> vaut « Signaler une erreur »), ou son dernier envoi s\'est terminé sans réponse (le candidat existe peut-être). L\'id du candidat enregistré, s\'il est connu, est dans <code>msg.candidate_id</code>. Rien n\'a été envoyé.',
  },
  STORE_UNAVAILABLE: {
    en: 'The shared store (an <code>hrflow-store</code> configuration node in mode <code>redis</code>) could not be reached, or refused the password. Nothing was recorded or sent: the push is made again once Redis answers (retry the message, or let the node resume it).',
    fr: 'Le stockage partagé (un nœud de configuration <code>hrflow-store</code> en mode <code>redis</code>) est injoignable, ou a refusé le mot de passe. Rien n\'a été enregistré ni envoyé : l\'envoi est refait quand Redis répond (relancez le message, ou laissez le nœud le reprendre).',
  },
};

/**
 * The credentials paragraph. `{secrets}`: the credential labels; `{configType}`; `{envvar}`: an example
 * variable name. HTML.
 */
export const CREDENTIALS_HELP: Text = {
  en: '<p>The account\'s secrets ({secrets}) live in the <code>{configType}</code> configuration node. They are stored encrypted, are never exported with the flow or copied to the clipboard, and never appear on messages, logs or status. After importing a flow, open the configuration node and type them again. Typing <code>${{envvar}}</code> (alone in a field) reads the value from that environment variable when the flow starts.</p>',
  fr: '<p>Les secrets du compte ({secrets}) sont gardés dans le nœud de configuration <code>{configType}</code>. Ils sont stockés chiffrés, ne sont jamais exportés avec le flux ni copiés dans le presse-papiers, et n\'apparaissent jamais dans les messages, les journaux ou les statuts. Après l\'import d\'un flux, ouvrez le nœud de configuration et saisissez-les à nouveau. Saisir <code>${{envvar}}</code> (seul dans un champ) lit la valeur dans cette variable d\'environnement au démarrage du flux.</p>',
};

/** A summary for a node whose hand-written help fragment is missing. `{vendor}`. HTML. */
export const SUMMARY_FALLBACK = {
  push: {
    en: '<p>Creates a candidate in {vendor} from an HrFlow profile.</p>',
    fr: '<p>Crée un candidat dans {vendor} à partir d\'un profil HrFlow.</p>',
  },
  config: {
    en: '<p>A {vendor} account, used by <code>{type}</code> nodes.</p>',
    fr: '<p>Un compte {vendor}, utilisé par les nœuds <code>{type}</code>.</p>',
  },
} satisfies Record<string, Text>;

/** References every help links to. HTML. */
export const REFERENCES = {
  docs: { en: '{vendor} API reference', fr: 'Référence de l\'API {vendor}' },
  errors: {
    en: '<a href="https://nodered.org/docs/user-guide/handling-errors">Handling errors in Node-RED</a>',
    fr: '<a href="https://nodered.org/docs/user-guide/handling-errors">Gérer les erreurs dans Node-RED</a>',
  },
  env: {
    en: '<a href="https://nodered.org/docs/user-guide/environment-variables">Node-RED environment variables</a>',
    fr: '<a href="https://nodered.org/docs/user-guide/environment-variables">Variables d\'environnement de Node-RED</a>',
  },
} satisfies Record<string, Text>;

/** The words of an account label: "Taleez account", "Compte Taleez". */
export const ACCOUNT_WORD: Text = { en: '{vendor} account', fr: 'Compte {vendor}' };
/** A field's type in the help when the description gives none. */
export const CREDENTIAL_TYPE: Text = { en: 'credential', fr: 'identifiant' };
