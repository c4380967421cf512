import assert from 'node:assert/strict';
import { ConnectorError } from '../../src/core/errors';
import { broadbean, broadbeanHeaders, broadbeanSignature } from '../../src/vendors/broadbean';
import { flatchr } from '../../src/vendors/flatchr';
import { parseId, parseIds, taleez } from '../../src/vendors/taleez';
import { smartrecruiters } from '../../src/vendors/smartrecruiters';
import { profiles } from '../helpers/fixtures';

const FULL_RESUME_URL =
  'https://example-hrflow-documents.s3.eu-west-1.amazonaws.com/teams/0000000000000000000000000000000000000000/sources/5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9/profiles/9a8b7c6d5e4f30211203a4b5c6d7e8f9a0b1c2d3/parsing/resume.pdf';
const EDGE_ORIGINAL_URL =
  'https://example-hrflow-documents.s3.eu-west-1.amazonaws.com/teams/0000000000000000000000000000000000000000/sources/5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9/profiles/abcdefabcdefabcdefabcdefabcdefabcdef0001/parsing/original.docx';
const PLACEHOLDERS = ['Undefined', 'Udefined', 'Undefiend', 'XXXX', '"N/A"'];

function rejected(fn: () => void): ConnectorError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConnectorError);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('Broadbean', () => {
  it('signs with the documented test vector', () => {
    assert.equal(broadbeanSignature('secret', 'board1', 1577965016), 'c57ed8130b75a69458416e9e91ac0baef604f8fce3bf1d7cf5bcb03d13af2765');
    assert.deepEqual(broadbeanHeaders({ secret_key: 'secret', source_id: 'board1', client_id: 'c' }, () => 1577965016_000), {
      'X-CHUB-SIGNATURE-TIME': '1577965016',
      'X-CHUB-SOURCE': 'board1',
      'X-CHUB-SIGNATURE': 'c57ed8130b75a69458416e9e91ac0baef604f8fce3bf1d7cf5bcb03d13af2765',
    });
  });

  it('maps the full profile (exact payload, strings, ISO-2, no placeholders)', () => {
    const payload = broadbean.defaultPayload(profiles.full(), { job_id: 'J1', shortlist_id: 'S1' });
    assert.deepEqual(payload, {
      candidate: {
        name: 'Camille Durand-Exemple',
        first_name: 'Camille',
        last_name: 'Durand-Exemple',
        email: 'camille.durand@example.com',
        contact_telephone: '+33600000001',
        mobile_telephone: '+33600000001',
        location_city: 'Lyon',
        location_country: 'FR',
        location_postcode: '69002',
        location_latitude: '45.7578',
        location_longitude: '4.832',
        current_job_title: 'Senior Backend Engineer',
        current_job_employer: 'Exemple Data SAS',
        current_job_startdate: '2021-09-01',
      },
      context: { id: 'J1', shortlist_id: 'S1' },
    });
    broadbean.validate(payload);
  });

  it('maps the minimal profile without "Udefined"/"Undefined"/0 placeholders (exact payload)', () => {
    const payload = broadbean.defaultPayload(profiles.minimal(), { job_id: 'J1' });
    assert.deepEqual(payload, {
      candidate: { name: 'Sam Lee', first_name: 'Sam', last_name: 'Lee', email: 'sam.lee@example.org' },
      context: { id: 'J1' },
    });
    for (const p of PLACEHOLDERS) assert.ok(!JSON.stringify(payload).includes(p));
    broadbean.validate(payload);
  });

  it('refuses the edge profile (Candidate Hub requires an email)', () => {
    const payload = broadbean.defaultPayload(profiles.edge(), { job_id: 'J1' });
    assert.equal(payload.candidate.location_country, 'DE');
    const err = rejected(() => broadbean.validate(payload));
    assert.equal(err.code, 'INVALID_PROFILE');
    assert.deepEqual(err.fields, ['candidate.email']);
  });

  it('requires the account ids and a job id', () => {
    const ok = { secret_key: 's', source_id: 'src', client_id: 'c' };
    assert.equal(rejected(() => broadbean.checkConfig({ ...ok, source_id: '' }, { job_id: 'j' })).code, 'INVALID_CONFIG');
    assert.equal(rejected(() => broadbean.checkConfig(ok, { job_id: '' })).code, 'INVALID_CONFIG');
    broadbean.checkConfig(ok, { job_id: 'j' });
  });
});

describe('Flatchr', () => {
  it('maps the full profile: CV as a link, urls as the documented object (exact payload)', () => {
    const payload = flatchr.defaultPayload(profiles.full(), { vacancy: 'dev-h-f' });
    assert.deepEqual(payload, {
      vacancy: 'dev-h-f',
      firstname: 'Camille',
      lastname: 'Durand-Exemple',
      email: 'camille.durand@example.com',
      phone: '+33600000001',
      type: 'link',
      resume: FULL_RESUME_URL,
      comment: 'I would love to join your team (synthetic).',
      urls: { linkedin: 'https://www.linkedin.com/in/camille-durand-example', other: 'https://camille-durand.example.com' },
    });
    assert.ok(!('token' in payload), 'the API key is added at send time, never in the visible payload');
    assert.ok(!('source' in payload));
    flatchr.validate(payload);
  });

  it('maps the edge profile with its original CV and no null email (exact payload)', () => {
    const payload = flatchr.defaultPayload(profiles.edge(), { vacancy: 'v' });
    assert.deepEqual(payload, {
      vacancy: 'v',
      firstname: 'Jürgen',
      lastname: 'Ødegård-Müller',
      phone: '0049 30 0000000',
      type: 'link',
      resume: EDGE_ORIGINAL_URL,
      urls: { other: 'https://portfolio.example.net/jurgen' },
    });
    flatchr.validate(payload);
  });

  it('refuses a profile without any CV: Flatchr requires one on /vacancy/candidate/json', () => {
    const payload = flatchr.defaultPayload(profiles.minimal(), { vacancy: 'v' });
    assert.deepEqual(payload, { vacancy: 'v', firstname: 'Sam', lastname: 'Lee', email: 'sam.lee@example.org' });
    const err = rejected(() => flatchr.validate(payload));
    assert.deepEqual(err.fields?.sort(), ['resume', 'type']);
    assert.match(err.message, /Flatchr requires a CV/);
  });

  it('refuses urls as a list (the reference bug F3)', () => {
    const payload = flatchr.defaultPayload(profiles.full(), { vacancy: 'v' }) as Record<string, unknown>;
    payload.urls = [{ linkedin: 'x' }];
    assert.equal(rejected(() => flatchr.validate(payload)).code, 'INVALID_PROFILE');
  });
});

describe('Taleez', () => {
  it('maps the full profile with the API field names (exact payload)', () => {
    const payload = taleez.defaultPayload(profiles.full(), { recruiter_id: 15886 });
    assert.deepEqual(payload, {
      firstName: 'Camille',
      lastName: 'Durand-Exemple',
      mail: 'camille.durand@example.com',
      phone: '+33600000001',
      initialReferrer: 'HrFlow: Careers Site (synthetic)',
      lang: 'FR',
      recruiterId: 15886,
      socialLinks: {
        linkedin: 'https://www.linkedin.com/in/camille-durand-example',
        github: 'https://github.com/camille-durand-example',
        website: 'https://camille-durand.example.com',
      },
      location: { country: 'FR', lat: 45.7578, lng: 4.832, city: 'Lyon', postalCode: '69002', street: "Rue de l'Exemple", streetNumber: '12' },
    });
    taleez.validate(payload);
  });

  it('maps the minimal profile (exact payload)', () => {
    const payload = taleez.defaultPayload(profiles.minimal(), { recruiter_id: 1 });
    assert.deepEqual(payload, {
      firstName: 'Sam',
      lastName: 'Lee',
      mail: 'sam.lee@example.org',
      initialReferrer: 'HrFlow: Careers Site (synthetic)',
      lang: 'EN',
      recruiterId: 1,
    });
    taleez.validate(payload);
  });

  it('maps the edge profile: DEU → DE, German is not a Taleez lang so lang is left out (exact payload)', () => {
    const payload = taleez.defaultPayload(profiles.edge(), { recruiter_id: 1 });
    assert.deepEqual(payload, {
      firstName: 'Jürgen',
      lastName: 'Ødegård-Müller',
      phone: '0049 30 0000000',
      initialReferrer: 'HrFlow: Job board import (synthetic)',
      recruiterId: 1,
      socialLinks: { website: 'https://portfolio.example.net/jurgen' },
      location: { country: 'DE', lat: 52.52, lng: 13.405, city: 'Berlin' },
    });
    taleez.validate(payload);
  });

  it('converts three-letter countries properly (AUT is Austria, not Australia)', () => {
    for (const [iso3, iso2] of [['AUT', 'AT'], ['IRL', 'IE'], ['PRT', 'PT'], ['CHL', 'CL'], ['SWE', 'SE'], ['DNK', 'DK']]) {
      const p = profiles.full();
      p.info.location.fields.country = iso3;
      assert.equal((taleez.defaultPayload(p, { recruiter_id: 1 }).location as { country: string }).country, iso2);
    }
  });

  it('refuses the reference\'s snake_case social_links and any lang but FR/EN', () => {
    const base = taleez.defaultPayload(profiles.full(), { recruiter_id: 1 });
    assert.equal(rejected(() => taleez.validate({ ...base, social_links: {} })).code, 'INVALID_PROFILE');
    assert.equal(rejected(() => taleez.validate({ ...base, lang: 'DE' })).code, 'INVALID_PROFILE');
  });

  it('parses recruiter, job and pool ids', () => {
    assert.equal(parseId('42', 'x'), 42);
    assert.equal(parseId('', 'x'), undefined);
    assert.deepEqual(parseIds('1, 2,2', 'x'), [1, 2]);
    assert.deepEqual(parseIds([3, '4'], 'x'), [3, 4]);
    assert.equal(rejected(() => parseId('abc', 'recruiter id')).code, 'INVALID_CONFIG');
    const long = rejected(() => parseId('a'.repeat(1_000_000), 'job id'));
    assert.ok(long.message.length < 200, 'a megabyte-long msg.job_id is not echoed whole');
    assert.equal(rejected(() => taleez.checkConfig({ x_taleez_api_secret: 's' }, {})).code, 'INVALID_CONFIG');
  });
});

describe('issue-3 payloads against the vendors\' API descriptions (specs/, built into the sandbox)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { validateAgainstSpec } = require('../../src/sandbox') as typeof import('../../src/sandbox');
  const check = (vendor: string, schema: string, payload: unknown) => {
    const r = validateAgainstSpec(vendor, schema, payload);
    assert.ok(r.valid, `${vendor} ${schema}: ${JSON.stringify(r.errors)}`);
  };
  for (const name of ['full', 'minimal', 'edge'] as const) {
    it(`Taleez candidateToCreate (vendor's own spec) accepts the ${name} payload's documented fields`, () => {
      // The 0.4.0 spec predates `location`; every other field must fit it exactly.
      const { location: _location, ...rest } = taleez.defaultPayload(profiles[name](), { recruiter_id: 1 });
      void _location;
      check('taleez', 'candidateToCreate', rest);
    });
  }
  it('Broadbean SendCandidateRequest accepts the full payload with its transaction', () => {
    const p = broadbean.defaultPayload(profiles.full(), { job_id: 'J' });
    check('broadbean', 'SendCandidateRequest', { ...p, transaction: { client_id: 'c', source_id: 's' } });
  });
  it('Flatchr CandidateCreate accepts the full and edge payloads with the token', () => {
    for (const name of ['full', 'edge'] as const) check('flatchr', 'CandidateCreate', { ...flatchr.defaultPayload(profiles[name](), { vacancy: 'v' }), token: 't' });
  });
});

describe('odd profile values every mapping handles', () => {
  const odd = () => {
    const p = profiles.full();
    p.info.phone = 33600000001 as unknown as string; // a number where HrFlow has a string
    p.info.location = { ...(p.info.location ?? {}), lat: 123.4, lng: 500 }; // off the globe
    return p;
  };

  it('keeps a numeric phone as its digits', () => {
    assert.equal(broadbean.defaultPayload(odd(), { job_id: 'J1' }).candidate.mobile_telephone, '33600000001');
    assert.equal(taleez.defaultPayload(odd(), { recruiter_id: 1 }).phone, '33600000001');
    assert.equal(smartrecruiters.defaultPayload(odd(), { job_id: 'J1' }).phoneNumber, '33600000001');
  });

  it('drops coordinates off the globe instead of sending what the vendor refuses', () => {
    const tz = taleez.defaultPayload(odd(), { recruiter_id: 1 });
    assert.equal(tz.location?.lat, undefined);
    assert.equal(tz.location?.lng, undefined);
    assert.equal(tz.location?.country, 'FR', 'the rest of the location stays');
    const sr = smartrecruiters.defaultPayload(odd(), { job_id: 'J1' });
    assert.equal(sr.location?.lat, undefined);
    const bb = broadbean.defaultPayload(odd(), { job_id: 'J1' });
    assert.equal(bb.candidate.location_latitude, undefined);
    assert.equal(bb.candidate.location_longitude, undefined);
    const full = profiles.full();
    assert.equal(typeof taleez.defaultPayload(full, { recruiter_id: 1 }).location?.lat, typeof full.info.location?.lat, 'valid ones are kept');
  });
});
