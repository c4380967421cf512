/**
 * HrFlow profiles served by the sandbox: the synthetic fixtures (fixtures/hrflow in the repository, built into
 * `fixtures/hrflow/` beside this file: DEFAULT_FIXTURES_DIR) plus deterministic generated ones.
 * Attachment `public_url`s are rewritten to `${sandbox}/files/<profile key>/<file_name><extension>`
 * when a profile is read, so CV downloads hit the sandbox.
 */

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDocx, makePdf } from './documents';

/** Source holding the fixtures and the synthetic profiles. */
export const SANDBOX_SOURCE_KEY = '5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9';

/**
 * Readable names for the sandbox source and its three fixture profiles, accepted wherever the real keys are
 * (`GET /profile/indexing?source_key=sandbox&key=sample-full`). The example flow wired to the sandbox uses them:
 * a 40-hex key written in an exported flow cannot be told apart from a secret token.
 */
export const SANDBOX_SOURCE_ALIAS = 'sandbox';
export const SANDBOX_PROFILE_ALIASES: Readonly<Record<string, string>> = {
  'sample-full': '9a8b7c6d5e4f30211203a4b5c6d7e8f9a0b1c2d3',
  'sample-minimal': '1111222233334444555566667777888899990000',
  'sample-edge': 'abcdefabcdefabcdefabcdefabcdefabcdef0001',
};

/** The fixtures built by `npm run build` (scripts/build-sandbox-data.js), beside this file. */
export const DEFAULT_FIXTURES_DIR = path.join(__dirname, 'fixtures', 'hrflow');

/** Fixture files, in this order. */
export const FIXTURE_FILES = ['profile_full.synthetic.json', 'profile_minimal.synthetic.json', 'profile_edge.synthetic.json'];

export type Profile = Record<string, any>;

export interface ProfileRef {
  source_key: string;
  key: string;
}

export interface AddProfileOptions {
  /** Keep attachment URLs as given (default: rewrite them to the sandbox /files route). */
  keepUrls?: boolean;
}

interface Entry {
  profile: Profile;
  keepUrls: boolean;
  /** The profile before its first update (PUT /profile/indexing), restored by restoreEdits() (sandbox reset). */
  original?: Profile;
}

/** Profile fields an update may not change (HrFlow's own bookkeeping). */
const READ_ONLY_FIELDS = new Set(['key', 'source_key', 'source', 'id', 'created_at', 'updated_at']);

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function sha1hex(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

export class ProfileStore {
  private readonly sources = new Map<string, Map<string, Entry>>();
  private readonly fileCache = new Map<string, Buffer>();

  constructor(private readonly baseUrl: () => string) {}

  /** Loads the three fixtures into SANDBOX_SOURCE_KEY. Throws when a file is missing. */
  loadFixtures(fixturesDir: string): void {
    for (const f of FIXTURE_FILES) {
      const file = path.join(fixturesDir, f);
      const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
      this.add(SANDBOX_SOURCE_KEY, profile);
    }
  }

  addGenerated(count: number): void {
    for (let i = 0; i < count; i++) this.add(SANDBOX_SOURCE_KEY, syntheticProfile(i));
  }

  add(sourceKey: string, profile: Profile, opts: AddProfileOptions = {}): ProfileRef {
    if (!sourceKey || typeof sourceKey !== 'string') throw new TypeError('addProfile: sourceKey must be a non-empty string');
    if (!profile || typeof profile !== 'object' || Array.isArray(profile)) throw new TypeError('addProfile: profile must be an object');
    const p = clone(profile);
    if (typeof p.key !== 'string' || !p.key) p.key = sha1hex(`sandbox-added:${sourceKey}:${JSON.stringify(profile)}`);
    let src = this.sources.get(sourceKey);
    if (!src) {
      src = new Map();
      this.sources.set(sourceKey, src);
    }
    src.set(p.key, { profile: p, keepUrls: !!opts.keepUrls });
    for (const k of [...this.fileCache.keys()]) if (k.startsWith(p.key + '/')) this.fileCache.delete(k);
    return { source_key: sourceKey, key: p.key };
  }

  hasSource(sourceKey: string): boolean {
    return this.sources.has(this.source(sourceKey));
  }

  /** The source key an alias stands for (SANDBOX_SOURCE_ALIAS), else the key itself. */
  source(sourceKey: string): string {
    return sourceKey === SANDBOX_SOURCE_ALIAS && !this.sources.has(sourceKey) ? SANDBOX_SOURCE_KEY : sourceKey;
  }

  /** Looks a profile up by key, reference or email (first given wins). */
  find(sourceKey: string, by: { key?: string | null; reference?: string | null; email?: string | null }): Profile | null {
    const src = this.sources.get(this.source(sourceKey));
    if (!src) return null;
    let entry: Entry | undefined;
    if (by.key) entry = src.get(by.key) ?? (Object.hasOwn(SANDBOX_PROFILE_ALIASES, by.key) ? src.get(SANDBOX_PROFILE_ALIASES[by.key]) : undefined);
    else if (by.reference) entry = [...src.values()].find((e) => e.profile.reference === by.reference);
    else if (by.email) {
      const em = by.email.toLowerCase();
      entry = [...src.values()].find((e) => String(e.profile.info?.email ?? '').toLowerCase() === em);
    }
    return entry ? this.present(entry) : null;
  }

  /** The stored key of a profile (aliases resolved), or null when the source has no such profile. */
  resolve(sourceKey: string, by: { key?: string | null; reference?: string | null }): { source_key: string; key: string } | null {
    const source = this.source(sourceKey);
    const src = this.sources.get(source);
    if (!src) return null;
    if (by.key) {
      const key = src.has(by.key) ? by.key : Object.hasOwn(SANDBOX_PROFILE_ALIASES, by.key) && src.has(SANDBOX_PROFILE_ALIASES[by.key]) ? SANDBOX_PROFILE_ALIASES[by.key] : null;
      return key ? { source_key: source, key } : null;
    }
    if (by.reference) {
      const entry = [...src.values()].find((e) => e.profile.reference === by.reference);
      return entry ? { source_key: source, key: entry.profile.key } : null;
    }
    return null;
  }

  /**
   * PUT /profile/indexing: each field given replaces the stored one as a whole (lists too); the others are
   * kept; HrFlow's bookkeeping fields (key, source, created_at...) are not changed; updated_at is set. The
   * profile as it was before its first update is kept for restoreEdits(). Returns the updated profile
   * (presented as GET answers it), or null when there is no such profile.
   */
  update(sourceKey: string, key: string, fields: Record<string, unknown>, now: Date = new Date()): Profile | null {
    const entry = this.sources.get(this.source(sourceKey))?.get(key);
    if (!entry) return null;
    entry.original ??= clone(entry.profile);
    for (const [name, value] of Object.entries(fields)) {
      if (READ_ONLY_FIELDS.has(name) || name === 'reference') continue;
      entry.profile[name] = clone(value);
    }
    entry.profile.updated_at = now.toISOString().replace(/\.\d+Z$/, '+0000');
    return this.present(entry);
  }

  /** Undo every update (the sandbox's reset): each updated profile is again as it was loaded or added. */
  restoreEdits(): void {
    for (const src of this.sources.values()) {
      for (const entry of src.values()) {
        if (entry.original) {
          entry.profile = entry.original;
          delete entry.original;
        }
      }
    }
  }

  /** The keys and dates of a source's profiles (no copy of the profiles: cheap for large sources). */
  refs(sourceKey: string): Array<{ source_key: string; key: string; created_at: unknown; updated_at: unknown }> {
    const src = this.sources.get(sourceKey);
    if (!src) return [];
    return [...src.values()].map((e) => ({ source_key: sourceKey, key: e.profile.key as string, created_at: e.profile.created_at, updated_at: e.profile.updated_at }));
  }

  /**
   * Adds `count` small generated profiles (no attachment) to a source: the i-th is created (and updated) at
   * `start + i * stepMs`. Keys are deterministic (prefix, source, i). Returns their keys.
   */
  addMany(sourceKey: string, count: number, opts: { start: number; stepMs: number; prefix?: string }): string[] {
    const keys: string[] = [];
    const prefix = opts.prefix ?? `gen-${this.generatedCount}`;
    this.generatedCount += count;
    for (let i = 0; i < count; i++) {
      const at = hrflowDate(new Date(opts.start + i * opts.stepMs));
      const key = sha1hex(`sandbox-many:${sourceKey}:${prefix}:${i}`);
      const first = FIRST[i % FIRST.length];
      const last = LAST[(i * 5 + 3) % LAST.length];
      this.add(sourceKey, {
        key,
        reference: `${prefix}-${i + 1}`,
        source: { key: sourceKey, name: 'Sandbox generator (synthetic)', type: 'api' },
        created_at: at,
        updated_at: at,
        info: { full_name: `${first} ${last}`, first_name: first, last_name: last, email: `${asciiSlug(first)}.${asciiSlug(last)}.${prefix}-${i + 1}@example.net`, phone: null, location: { text: 'Paris', lat: null, lng: null } },
        experiences: [],
        educations: [],
        attachments: [],
        skills: [],
        tags: [{ name: 'sandbox_index', value: String(i) }],
      });
      keys.push(key);
    }
    return keys;
  }

  private generatedCount = 0;

  /** Sets a profile's updated_at (as an edit in HrFlow would); false when there is no such profile. */
  touch(sourceKey: string, key: string, when: Date): boolean {
    const entry = this.sources.get(this.source(sourceKey))?.get(key);
    if (!entry) return false;
    entry.original ??= clone(entry.profile);
    entry.profile.updated_at = hrflowDate(when);
    return true;
  }

  list(sourceKey: string): Profile[] {
    const src = this.sources.get(sourceKey);
    return src ? [...src.values()].map((e) => this.present(e)) : [];
  }

  keys(): ProfileRef[] {
    const out: ProfileRef[] = [];
    for (const [source_key, src] of this.sources) for (const key of src.keys()) out.push({ source_key, key });
    return out;
  }

  /** A copy of the stored profile with attachment URLs pointing at the sandbox. */
  private present(e: Entry): Profile {
    const p = clone(e.profile);
    if (!e.keepUrls && Array.isArray(p.attachments)) {
      for (const a of p.attachments) {
        if (a && typeof a === 'object' && a.file_name) {
          a.public_url = `${this.baseUrl()}/files/${encodeURIComponent(p.key)}/${encodeURIComponent(fileNameOf(a))}`;
        }
      }
    }
    return p;
  }

  /**
   * Bytes for `/files/<profileKey>/<name>`, when the profile has an attachment with that
   * `file_name + extension` and the extension is .pdf or .docx.
   */
  file(profileKey: string, name: string): { data: Buffer; kind: 'pdf' | 'docx' } | null {
    let entry: Entry | undefined;
    for (const src of this.sources.values()) {
      entry = src.get(profileKey);
      if (entry) break;
    }
    if (!entry || !Array.isArray(entry.profile.attachments)) return null;
    const att = entry.profile.attachments.find((a: any) => a && typeof a === 'object' && a.file_name && fileNameOf(a) === name);
    if (!att) return null;
    const kind = /\.pdf$/i.test(name) ? 'pdf' : /\.docx$/i.test(name) ? 'docx' : null;
    if (!kind) return null;
    const cacheKey = `${profileKey}/${name}`;
    let data = this.fileCache.get(cacheKey);
    if (!data) {
      data = documentFor(entry.profile, kind, att);
      this.fileCache.set(cacheKey, data);
    }
    return { data, kind };
  }
}

/** A date as HrFlow writes it: `2024-01-02T09:30:00+0000`. */
function hrflowDate(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, '+0000');
}

function fileNameOf(a: { file_name?: string; extension?: string | null }): string {
  const ext = a.extension ? (a.extension.startsWith('.') ? a.extension : `.${a.extension}`) : '';
  return `${a.file_name}${ext}`;
}

/** Text lines of the generated CV for a profile. */
export function cvLines(p: Profile, att?: { type?: string; original_file_name?: string }): string[] {
  const info = p.info ?? {};
  const name = info.full_name ?? ([info.first_name, info.last_name].filter(Boolean).join(' ') || 'Unnamed candidate');
  const lines = ['Curriculum vitae (synthetic, generated by the sandbox)', String(name)];
  if (info.email) lines.push(String(info.email));
  if (info.phone) lines.push(String(info.phone));
  if (info.location?.text) lines.push(String(info.location.text));
  for (const x of (p.experiences ?? []).slice(0, 3)) {
    lines.push(`${x?.title ?? 'Role'} - ${x?.company ?? 'Company'} (${x?.date_start ?? '?'} - ${x?.date_end ?? 'now'})`);
  }
  for (const x of (p.educations ?? []).slice(0, 2)) lines.push(`${x?.title ?? 'Degree'} - ${x?.school ?? 'School'}`);
  lines.push(`Profile key ${p.key}${att?.type ? ` / attachment ${att.type}` : ''}`);
  return lines;
}

function documentFor(p: Profile, kind: 'pdf' | 'docx', att?: any): Buffer {
  const lines = cvLines(p, att);
  return kind === 'pdf' ? makePdf(lines, `CV ${p.info?.full_name ?? p.key}`) : makeDocx(lines);
}

// ---------------------------------------------------------------------------------------------
// Synthetic profiles (deterministic)
// ---------------------------------------------------------------------------------------------

const FIRST = ['Alex', 'Léa', 'Noah', 'Inès', 'Mateo', 'Chloé', 'Yusuf', 'Zoë', 'Hugo', 'Amira', 'Lukas', 'Sofía', 'Jonas', 'Maëlle', 'Tomasz', 'Aiko'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Müller', 'García', 'Rossi', 'Nowak', "O'Neil", 'Kowalski', 'Lefèvre', 'Schmidt', 'Tanaka', 'Moreau', 'Fernández'];
const CITIES = [
  { city: 'Paris', country: 'FRA', state: 'Île-de-France', postcode: '75011', lat: 48.8589, lng: 2.38 },
  { city: 'Berlin', country: 'DEU', state: 'Berlin', postcode: '10115', lat: 52.532, lng: 13.3849 },
  { city: 'Madrid', country: 'ESP', state: 'Comunidad de Madrid', postcode: '28004', lat: 40.4237, lng: -3.7011 },
  { city: 'London', country: 'GBR', state: 'England', postcode: 'EC1A 1BB', lat: 51.5202, lng: -0.0977 },
  { city: 'Lyon', country: 'FRA', state: 'Auvergne-Rhône-Alpes', postcode: '69003', lat: 45.7597, lng: 4.8422 },
  { city: 'Milano', country: 'ITA', state: 'Lombardia', postcode: '20121', lat: 45.4722, lng: 9.1866 },
];
const TITLES = ['Data Engineer', 'Product Designer', 'Sales Manager', 'Backend Developer', 'HR Business Partner', 'DevOps Engineer', 'Accountant', 'Nurse'];
const COMPANIES = ['Exemple Industries', 'Demo Retail SA', 'Sample Health GmbH', 'Placeholder Labs', 'Fictive Logistics', 'Mock Bank plc'];
const SCHOOLS = ['Université Exemple', 'Demo Business School', 'Technische Hochschule Beispiel', 'Sample Institute of Technology'];
const SKILLS = ['python', 'sql', 'negotiation', 'figma', 'kubernetes', 'excel', 'communication', 'typescript', 'leadership'];

function asciiSlug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

function location(c: (typeof CITIES)[number], street: string | null, nullFields: boolean) {
  const text = street ? `${street}, ${c.postcode} ${c.city}` : c.city;
  return {
    text,
    lat: c.lat,
    lng: c.lng,
    gmaps: null,
    fields: nullFields
      ? null
      : { city: c.city, country: c.country, postcode: c.postcode, road: street, state: c.state, text, house_number: street ? '1' : null },
  };
}

/** The i-th synthetic profile (same i → same profile). */
export function syntheticProfile(i: number): Profile {
  const key = sha1hex(`hrflow-sandbox-profile-${i}`);
  const first = FIRST[i % FIRST.length];
  const last = LAST[(i * 5 + 3) % LAST.length];
  const full = `${first} ${last}`;
  const email = `${asciiSlug(first)}.${asciiSlug(last)}.${i + 1}@example.net`;
  const city = CITIES[i % CITIES.length];
  const created = Date.UTC(2024, 0, 2, 9, 30) + i * 86400000 * 3;
  const createdAt = new Date(created).toISOString().replace(/\.\d+Z$/, '+0000');
  const nExp = 1 + (i % 3);
  const experiences = Array.from({ length: nExp }, (_, j) => {
    const startY = 2023 - j * 3 - (i % 4);
    const current = j === 0 && i % 2 === 0;
    return {
      key: sha1hex(`${key}-exp-${j}`),
      company: COMPANIES[(i + j) % COMPANIES.length],
      logo: null,
      title: TITLES[(i + j * 3) % TITLES.length],
      description: `Synthetic experience ${j + 1} of profile ${i + 1}.`,
      location: location(CITIES[(i + j) % CITIES.length], null, false),
      date_start: `${startY}-0${1 + (j % 9)}-01T00:00:00`,
      date_end: current ? null : `${startY + 2}-12-31T00:00:00`,
      skills: [{ name: SKILLS[(i + j) % SKILLS.length], type: 'hard', value: null }],
      tasks: [],
      certifications: [],
      courses: [],
    };
  });
  const educations = Array.from({ length: 1 + (i % 2) }, (_, j) => ({
    key: sha1hex(`${key}-edu-${j}`),
    school: SCHOOLS[(i + j) % SCHOOLS.length],
    logo: null,
    title: j === 0 ? 'Master' : 'Bachelor',
    description: null,
    location: location(CITIES[(i + j + 1) % CITIES.length], null, false),
    date_start: `${2012 - j * 3 - (i % 3)}-09-01T00:00:00`,
    date_end: `${2014 - j * 3 - (i % 3)}-06-30T00:00:00`,
    skills: [],
    tasks: [],
    certifications: [],
    courses: [],
  }));
  const profile: Profile = {
    key,
    reference: `sandbox-gen-${String(i + 1).padStart(4, '0')}`,
    archived_at: null,
    source: { key: SANDBOX_SOURCE_KEY, name: 'Sandbox generator (synthetic)', type: 'api', subtype: 'http_api', environment: 'production' },
    created_at: createdAt,
    updated_at: createdAt,
    consent_algorithmic: {
      owner: { parsing: true, revealing: false, embedding: true, searching: true, scoring: true, reasoning: false },
      controller: { parsing: true, revealing: false, embedding: true, searching: true, scoring: true, reasoning: false },
    },
    info: {
      full_name: full,
      first_name: first,
      last_name: last,
      email,
      phone: i % 5 === 4 ? null : `+3361${String(1000000 + i).padStart(7, '0')}`,
      date_birth: null,
      location: location(city, `${1 + (i % 40)} Rue Exemple`, i % 7 === 6),
      urls: [
        { type: 'from_resume', url: i % 3 === 0 ? `https://${asciiSlug(first)}-${asciiSlug(last)}.example.net` : null },
        { type: 'linkedin', url: i % 2 === 0 ? `https://www.linkedin.com/in/${asciiSlug(first)}-${asciiSlug(last)}-${i + 1}` : null },
        { type: 'twitter', url: null },
        { type: 'facebook', url: null },
        { type: 'github', url: i % 4 === 1 ? `https://github.com/${asciiSlug(first)}${i + 1}` : null },
      ],
      picture: null,
      gender: null,
      summary: `${TITLES[i % TITLES.length]} based in ${city.city} (synthetic profile ${i + 1}).`,
    },
    text_language: i % 3 === 0 ? 'fr' : 'en',
    text: `${full}\n${email}\n${experiences.map((e) => `${e.title} at ${e.company}`).join('\n')}\n(synthetic)`,
    experiences_duration: nExp * 2.5,
    educations_duration: educations.length * 2,
    experiences,
    educations,
    attachments: [] as any[],
    skills: [
      { name: SKILLS[i % SKILLS.length], type: 'hard', value: null },
      { name: SKILLS[(i + 4) % SKILLS.length], type: 'soft', value: null },
    ],
    languages: [{ name: i % 2 ? 'English' : 'French', value: null }],
    certifications: [],
    courses: [],
    tasks: [],
    interests: [],
    tags: [{ name: 'sandbox_index', value: String(i) }],
    metadatas: [],
    labels: [],
  };
  const att = (type: string, fileName: string, ext: '.pdf' | '.docx', originalName: string) => {
    const data = documentFor(profile, ext === '.pdf' ? 'pdf' : 'docx', { type });
    return {
      type,
      alt: sha1hex(`${key}-${type}`),
      file_size: data.length,
      file_name: fileName,
      original_file_name: originalName,
      extension: ext,
      public_url: `https://example-hrflow-documents.invalid/${key}/${fileName}${ext}`,
      created_at: createdAt,
      updated_at: createdAt,
    };
  };
  const cvName = `CV_${asciiSlug(first)}_${asciiSlug(last)}`;
  switch (i % 3) {
    case 0: // original PDF + parsed resume PDF
      profile.attachments.push(att('original', 'original', '.pdf', `${cvName}.pdf`), att('resume', 'resume', '.pdf', 'resume'));
      break;
    case 1: // original DOCX only
      profile.attachments.push(att('original', 'original', '.docx', `${cvName}.docx`));
      break;
    default: // no attachment
      break;
  }
  return profile;
}
