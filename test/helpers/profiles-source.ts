/**
 * Checks shared by the hrflow-profiles tests (flow tests and the real CLI): the source's backpressure seen
 * from the sandbox, each listing request against the candidates an ATS had stored by then.
 */
import assert from 'node:assert/strict';
import type { Sandbox } from '../../src/sandbox';

/**
 * Page k (k >= 2) may be read only when fewer than a page of the k-1 pages listed before are still downstream,
 * so at least (k-2) pages + 1 profile had reached the ATS (a push completes after its candidate is stored).
 * Fails without backpressure (every page read at once, before the ATS stored anything).
 */
export function assertListingsPaced(sb: Sandbox, vendor: string, pageSize: number, pages: number): void {
  const listings = (sb.state.hrflow as unknown as { listings: Array<{ page: number; receivedAt: string }> }).listings;
  assert.deepEqual(listings.map((l) => l.page), Array.from({ length: pages }, (_, i) => i + 1));
  const arrived = sb.state[vendor].candidates.map((c) => Date.parse(c.receivedAt));
  const seen = listings.map((l) => arrived.filter((a) => a <= Date.parse(l.receivedAt)).length);
  listings.forEach((l, i) => {
    if (l.page >= 2) assert.ok(seen[i] >= (l.page - 2) * pageSize + 1, `page ${l.page} read with ${seen[i]} candidates at ${vendor} (at least ${(l.page - 2) * pageSize + 1} expected); per page: ${seen.join(', ')}`);
  });
}
