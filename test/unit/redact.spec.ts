import assert from 'node:assert/strict';
import { headerSecrets, Redactor, secretForms } from '../../src/core/redact';

/** Every form a vendor may echo a secret back in. */
function forms(s: string): string[] {
  const escaped = JSON.stringify(s).slice(1, -1);
  const ascii = escaped.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const uri = encodeURIComponent(s);
  const form = new URLSearchParams({ a: s }).toString().slice(2);
  return [s, escaped, ascii, JSON.stringify(escaped).slice(1, -1), uri, uri.replace(/%20/g, '+'), form, uri.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())];
}

const ODD = ['q"uo\\te', 'é', 'a"\\', 'x', 'Z9', '+&% tok', 'naïve-ключ', 'a/b\u2028c', '¤'];

describe('Redactor', () => {
  it('masks a secret of any length in its raw, JSON-escaped and URL-encoded forms', () => {
    for (const secret of ODD) {
      const r = new Redactor([secret]);
      for (const f of forms(secret)) {
        const out = r.text(`before ${f} after`);
        assert.ok(!out.includes(f), `${JSON.stringify(secret)} as ${JSON.stringify(f)} leaked: ${out}`);
        assert.match(out, /\*\*\*/);
      }
    }
  });

  it('masks secrets echoed inside a JSON body, once or twice encoded', () => {
    const secret = 'p"a\\s+s é&%';
    const r = new Redactor([secret]);
    const requestBody = JSON.stringify({ token: secret, name: 'x' });
    const echoed = JSON.stringify({ echo: { headers: { 'x-key': secret }, body: requestBody } });
    const out = r.excerpt(JSON.parse(echoed), 10_000);
    for (const f of forms(secret)) assert.ok(!out.includes(f), `leaked as ${JSON.stringify(f)}: ${out}`);
    assert.ok(!r.text(`https://h/x?k=${encodeURIComponent(secret)}`).includes(encodeURIComponent(secret)));
  });

  it('masks secrets that hold whitespace in single-line excerpts', () => {
    const secret = 'a  b\tc';
    const out = new Redactor([secret]).excerpt(`x ${secret} y`);
    assert.ok(!out.includes('a b c') && !out.includes(secret), out);
  });

  it('cuts long excerpts after masking: no secret half-shown at the cut, little work on huge bodies', () => {
    const secret = 'SECRETVALUE1234';
    const r = new Redactor([secret]);
    const out = r.excerpt(`${'x'.repeat(295)}${secret}${'y'.repeat(5000)}`);
    assert.ok(!out.includes('SECR'), out.slice(280));
    const huge = `${' '.repeat(5_000_000)}${secret} ${'z'.repeat(5_000_000)}`;
    const masked = r.excerpt(huge, 50);
    assert.ok(masked.startsWith('*** zzz') && masked.endsWith('…'), masked);
    assert.ok(!r.excerpt(`${'a '.repeat(200)}${secret}`, 401).includes('SECRET'));
  });

  it('takes no empty string for a secret, and never masks its own mask again', () => {
    const r = new Redactor(['', null, undefined, '*']);
    assert.equal(new Redactor(['']).text('nothing to hide'), 'nothing to hide');
    assert.equal(r.text('a * b'), 'a *** b');
  });

  it('masks a secret shorter than 4 characters where it stands alone, not inside a word', () => {
    const r = new Redactor(['u', 'k3y']);
    assert.equal(r.text('Unauthorized user u with key k3y: {"token":"k3y","user":"u"} k3y=1'), 'Unauthorized user *** with key ***: {"token":"***","user":"***"} ***=1');
  });

  it('masks the longest secret whole when one contains another', () => {
    assert.equal(new Redactor(['ab', 'abcdef']).text('xabcdefx ab'), 'x***x ***');
  });

  it('masks tokens in URLs: query parameters and user info', () => {
    const r = new Redactor();
    const out = r.text('GET https://user:p4ss@host.example/path?token=abc&api_key=k&access_token=zz&page=2');
    assert.ok(!/p4ss|user:|=abc|=k&|=zz/.test(out), out);
    assert.match(out, /page=2/);
    assert.match(out, /host\.example/);
  });

  it('masks Bearer credentials of any length and JSON token fields', () => {
    const r = new Redactor();
    assert.equal(r.text('Authorization: Bearer ab'), 'Authorization: Bearer ***');
    assert.equal(r.text('{"token":"z"}'), '{"token":"***"}');
    assert.equal(r.text('{\\"api_key\\":\\"zz\\"}'), '{\\"api_key\\":\\"***\\"}');
  });

  it('takes the credentials out of an Authorization value', () => {
    assert.deepEqual(headerSecrets('Bearer X'), ['Bearer X', 'X']);
    const basic = `Basic ${Buffer.from('me:s3cr3t').toString('base64')}`;
    assert.deepEqual(headerSecrets(basic).slice(1), [Buffer.from('me:s3cr3t').toString('base64'), 'me:s3cr3t', 's3cr3t']);
    assert.deepEqual(headerSecrets('plainvalue'), ['plainvalue']);
    const r = new Redactor(headerSecrets('Bearer X'));
    assert.equal(r.text('token X was refused'), 'token *** was refused');
  });

  it('masks secrets echoed HTML-escaped in an error page (named or numeric references)', () => {
    for (const secret of ['a"b\\c', 'tok&en<x>', "it's", 'p+q%r=s&t']) {
      const r = new Redactor([secret]);
      const esc = (q: string, a: string) => secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, q).replace(/'/g, a);
      for (const echoed of [esc('&quot;', '&#39;'), esc('&#34;', '&#x27;'), esc('&quot;', '&apos;')]) {
        const out = r.excerpt(`<html><p>bad key ${echoed}</p></html>`);
        assert.equal(out, '<html><p>bad key ***</p></html>', `${secret} as ${echoed}`);
      }
    }
  });

  it('masks a secret with characters a header cannot carry as Node sent it (their low bytes)', () => {
    const secret = 'clé€x';
    const sent = Buffer.from(secret, 'latin1').toString('latin1');
    assert.equal(new Redactor([secret]).text(`refused key ${sent}`), 'refused key ***');
  });

  it('masks a secret with characters a header cannot carry as axios sends it (those characters stripped)', () => {
    for (const [secret, sent] of [['ab\u0000cd', 'abcd'], ['clé€x', 'cléx'], [' tok\nen ', 'token'], ['s3cr\r\net', 's3cret']]) {
      assert.equal(new Redactor([secret]).text(`{"echo":"${sent}"}`), '{"echo":"***"}', JSON.stringify(secret));
    }
  });

  it('lists the forms it looks for', () => {
    const f = secretForms('é"');
    assert.ok(f.includes('é"') && f.includes('é\\"') && f.includes('\\u00e9\\"') && f.includes('%C3%A9%22') && f.includes('%c3%a9%22'));
  });
});
