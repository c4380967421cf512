/**
 * HrflowClient errors with hostile keys: a msg.profile_key kilobytes long is not echoed whole into the
 * error message (and so into the log and the Catch node's msg).
 */
import assert from 'node:assert/strict';
import { HrflowClient } from '../../src/hrflow/client';
import { rejects } from '../helpers/net';
import { useSandbox } from '../helpers/sandbox';

describe('HrflowClient: hostile keys', () => {
  const ctx = useSandbox();

  it('a profile key of 5,000 characters that HrFlow cannot find is HRFLOW_NOT_FOUND with the key shown cut', async () => {
    const sb = ctx.sb;
    const client = new HrflowClient({ api_secret: sb.credentials.hrflowApiKey, api_user: sb.credentials.hrflowUser, base_url: sb.urls.hrflow }, { retries: 0 });
    const e = await rejects(client.getProfile(sb.sourceKey, 'f'.repeat(5000)));
    assert.equal(e.code, 'HRFLOW_NOT_FOUND');
    assert.ok(e.message.length < 300, e.message.slice(0, 400));
    assert.match(e.message, /5000 characters/);
  });
});
