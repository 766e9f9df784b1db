/**
 * Reads archived samples of one user between two times: a range scan over sort keys that
 * start with an ISO 8601 basic time, which sort as the times do. Bounded: a query that
 * would read more than `itemsMax` samples is refused rather than served slowly.
 */
import type { RingClient } from '../../ring/client.js';
import { formatIsoBasic } from './core/iso8601.js';
import { UsageQueryError } from './core/usage-query.js';

const PAGE = 500;

/** Values of `keyspace`/`pk` whose sort key's time is within [startMs, endMs]. */
export async function scanSamples(
  ring: RingClient,
  keyspace: string,
  pk: string,
  window: { startMs: number; endMs: number; itemsMax: number },
): Promise<Buffer[]> {
  // '~' sorts after '/' and digits: every key of the second before start is skipped.
  let after: Buffer = Buffer.from(formatIsoBasic(window.startMs - 1000) + '~');
  const last = formatIsoBasic(window.endMs) + '~';
  const values: Buffer[] = [];
  for (;;) {
    const page = await ring.scan(keyspace, pk, { after, limit: PAGE });
    for (const item of page) {
      if (item.sk.toString('utf8') > last) return values;
      values.push(item.value);
    }
    if (values.length > window.itemsMax) {
      throw new UsageQueryError(400, 'Too much time requested');
    }
    if (page.length < PAGE) return values;
    after = page.at(-1)!.sk;
  }
}
