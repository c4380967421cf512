/**
 * Every status text a push node shows, in English and French, declared once.
 *
 * The editor generator (nodes/editor/generate.ts) copies these into each push node's catalogue under
 * `<type>.status.<key>` (`hrflow-taleez.status.pushing`...). At run time the push node shows:
 *   - static texts as the catalogue key itself (`{text: "hrflow-taleez.status.pushing"}`): the editor
 *     translates it with node._(text) in the user's language;
 *   - dynamic texts (with `__placeholders__`) translated by the runtime with RED._(key, values), in the
 *     runtime's language (falling back to English when the catalogue has no such key).
 *
 * Plain data only: read by the build script as well as by the runtime.
 */

export interface StatusText {
  en: string;
  fr: string;
  /** The `__names__` the text takes (empty: a static text, shown as a key the editor translates). */
  params: readonly string[];
}

/** Keys are relative to `<type>.status.`. */
export const STATUS_TEXTS = {
  'no-account': { en: 'no account', fr: 'aucun compte', params: [] },
  pushing: { en: 'pushing', fr: 'envoi en cours', params: [] },
  'pushing-n': { en: 'pushing (__count__)', fr: 'envoi en cours (__count__)', params: ['count'] },
  created: { en: 'created __id__', fr: 'créé __id__', params: ['id'] },
  pushed: { en: 'pushed', fr: 'envoyé', params: [] },
  /** The push ledger skipped a duplicate (on_duplicate `skip`). */
  'already-pushed': { en: 'already pushed __id__', fr: 'déjà envoyé __id__', params: ['id'] },
  /** on_duplicate `update`: the recorded candidate was updated. */
  updated: { en: 'updated __id__', fr: 'mis à jour __id__', params: ['id'] },
  /** msg.action "archive": the recorded candidate was archived (or deleted). */
  archived: { en: 'archived __id__', fr: 'archivé __id__', params: ['id'] },
  'already-archived': { en: 'already archived __id__', fr: 'déjà archivé __id__', params: ['id'] },
  /** `__reason__` is an error code (TIMEOUT, RATE_LIMITED...). */
  retry: { en: 'retry __attempt__/__retries__ __reason__', fr: 'nouvel essai __attempt__/__retries__ __reason__', params: ['attempt', 'retries', 'reason'] },
  /** `__time__` is HH:MM:SS in the runtime's time zone. */
  paused: { en: 'paused by __vendor__ until __time__', fr: 'suspendu par __vendor__ jusqu\'à __time__', params: ['vendor', 'time'] },
  'rate-waiting': { en: 'rate limited, waiting __seconds__ s', fr: 'limite de débit, attente de __seconds__ s', params: ['seconds'] },
} as const satisfies Record<string, StatusText>;

export type StatusKey = keyof typeof STATUS_TEXTS;

/** The catalogue key of a status text for a node type: `hrflow-taleez.status.pushing`. */
export function statusKey(type: string, key: StatusKey): string {
  return `${type}.status.${key}`;
}

/** The `status` object of a catalogue, in one language (what the generator writes under `<type>`). */
export function statusCatalogue(lang: 'en' | 'fr'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, t] of Object.entries(STATUS_TEXTS)) out[k] = t[lang];
  return out;
}

/** `__name__` placeholders of a text filled in with values (the ones without a value are kept). */
function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/__(\w+)__/g, (m, name: string) => (name in values ? String(values[name]) : m));
}

/**
 * A text in the runtime's language (RED._, namespaced to this node set), or `en` filled in when the
 * catalogue has no such key (RED._ then answers the key itself) or RED._ fails.
 */
export function runtimeText(RED: unknown, key: string, en: string, values: Record<string, string | number> = {}): string {
  try {
    const t = (RED as { _?: (k: string, v?: object) => unknown })._?.(key, values);
    if (typeof t === 'string' && t && !t.endsWith(key) && !/__\w+__/.test(t)) return t;
  } catch {
    /* no catalogue: the English text */
  }
  return fill(en, values);
}
