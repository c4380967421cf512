/**
 * Generators of hostile input for the push nodes: HrFlow profiles with wrong types, nulls, huge and
 * unicode strings, deep nesting, odd attachments (odd public_url values included), arrays where
 * objects go, numbers for strings, and msg overrides of wrong kinds. Built with fast-check, sampled
 * with a fixed seed so that a run is reproducible.
 */
import fc from 'fast-check';

/** `levels` arrays nested in one another, built without recursion. */
export function nested(levels: number, leaf: unknown = 'bottom'): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

/** Where a profile gets hit (created when missing, when its parent is an object). */
export const PROFILE_PATHS = [
  '', 'info', 'info.first_name', 'info.last_name', 'info.full_name', 'info.email', 'info.phone', 'info.summary',
  'info.date_birth', 'info.gender', 'info.picture', 'info.location', 'info.location.text', 'info.location.fields',
  'info.location.fields.country', 'info.location.fields.city', 'info.location.fields.postcode', 'info.location.lat',
  'info.location.lng', 'info.urls', 'info.urls.0', 'info.urls.0.url', 'info.urls.0.type', 'experiences', 'experiences.0',
  'experiences.0.title', 'experiences.0.company', 'experiences.0.date_start', 'experiences.0.date_end',
  'experiences.0.description', 'experiences.0.location', 'educations', 'educations.0', 'educations.0.school',
  'educations.0.title', 'educations.0.date_start', 'educations.0.date_end', 'skills', 'skills.0', 'skills.0.name',
  'languages', 'languages.0.name', 'tags', 'tags.0', 'tags.0.value', 'labels', 'attachments', 'attachments.0',
  'attachments.0.public_url', 'attachments.0.type', 'attachments.0.file_name', 'attachments.0.original_file_name',
  'attachments.0.extension', 'key', 'reference', 'text', 'created_at',
] as const;

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }), // lone surrogates included
  fc.constantFrom('', ' ', '\t\n', '\u0000', 'null', 'undefined', '💥'.repeat(300), 'é'.repeat(1000), '<script>x</script>', '../../etc'),
  fc.integer({ min: 1, max: 4 }).map((n) => 'x'.repeat(n * 60_000)),
);

/** Any hostile value. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(null, undefined, true, false, 0, -1, 1.5, NaN, Infinity, -Infinity, 1e308, -0, 2 ** 53 + 1), weight: 3 },
  { arbitrary: text, weight: 4 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)), { maxLength: 4 }), weight: 2 },
  { arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)), { maxKeys: 4 }), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 160 }).map((n) => nested(n)), weight: 1 },
  // Deeper than Node-RED's message clone can recurse: must be an INVALID_INPUT, never a crash.
  { arbitrary: fc.integer({ min: 3000, max: 6000 }).map((n) => nested(n)), weight: 1 },
  { arbitrary: fc.anything({ maxDepth: 3, maxKeys: 4 }), weight: 1 },
);

/** Odd CV links: schemes other than http(s), relative paths, credentials, unreachable ports, not strings. */
export function oddUrls(base: string): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(
      'file:///etc/passwd',
      'data:application/pdf;base64,JVBERi0xLjQK',
      'javascript:alert(1)',
      'ftp://127.0.0.1/cv.pdf',
      'gopher://127.0.0.1:70/x',
      '/files/cv.pdf',
      'cv.pdf',
      '//127.0.0.1/cv.pdf',
      '',
      '   ',
      'http://',
      'http://[::1',
      'http://user:secret@127.0.0.1:9/cv.pdf',
      'http://127.0.0.1:1/cv.pdf',
      `${base}/files/nope/missing.pdf`,
      `${base.replace('http:', 'HTTP:')}/files/nope/missing.pdf`,
      ` ${base}/files/x.pdf`,
    ),
    hostile,
  );
}

export interface Mutation {
  path: string;
  value: unknown;
}

export function mutations(base: string): fc.Arbitrary<Mutation[]> {
  const one = fc.oneof(
    { arbitrary: fc.record({ path: fc.constantFrom(...PROFILE_PATHS), value: hostile }), weight: 6 },
    { arbitrary: fc.record({ path: fc.constant('attachments.0.public_url'), value: oddUrls(base) }), weight: 2 },
    { arbitrary: fc.record({ path: fc.constantFrom('attachments', 'info.urls', 'experiences', 'tags'), value: fc.constant({ not: 'an array' }) }), weight: 1 },
  );
  return fc.array(one, { minLength: 0, maxLength: 3 });
}

/** Set a value at a dotted path ('' replaces the whole profile); intermediate objects are made when missing. */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): unknown {
  if (path === '') return value;
  const keys = path.split('.');
  let o: any = root;
  for (const k of keys.slice(0, -1)) {
    if (o[k] === undefined || o[k] === null) o[k] = /^\d+$/.test(k) ? {} : {};
    if (!o[k] || typeof o[k] !== 'object') return root;
    o = o[k];
  }
  o[keys[keys.length - 1]] = value;
  return root;
}

/** msg properties a push node reads (msg.* wins over the panel), with values of wrong kinds. */
export const MSG_KEYS: Record<string, string[]> = {
  smartrecruiters: ['job_id'],
  recruitee: ['offer_ids'],
  broadbean: ['job_id', 'shortlist_id', 'aplitrak_email_address'],
  flatchr: ['vacancy'],
  taleez: ['recruiter_id', 'job_id', 'pool_ids'],
};

export function msgOverrides(vendor: string): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    { arbitrary: fc.constant({}), weight: 4 },
    { arbitrary: fc.dictionary(fc.constantFrom(...MSG_KEYS[vendor]), hostile, { maxKeys: 2 }), weight: 1 },
    { arbitrary: fc.record({ format: fc.oneof(fc.constant(vendor), hostile) }), weight: 1 },
  );
}

export interface FuzzCase {
  /** The profile's mutations (applied to a copy of a base profile). */
  mutations: Mutation[];
  /** Which base profile. */
  base: 'full' | 'minimal' | 'edge';
  /** Extra msg properties. */
  msg: Record<string, unknown>;
  /** Replace msg.payload altogether (not a profile). */
  notAProfile?: unknown;
}

export function fuzzCase(vendor: string, base: string): fc.Arbitrary<FuzzCase> {
  return fc.record({
    mutations: mutations(base),
    base: fc.constantFrom('full', 'minimal', 'edge'),
    msg: msgOverrides(vendor),
    notAProfile: fc.oneof({ arbitrary: fc.constant(undefined), weight: 19 }, { arbitrary: hostile, weight: 1 }),
  });
}
