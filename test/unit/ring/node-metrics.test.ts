/**
 * A storage node's GET /metrics: served without a signed request (every other route
 * still needs one), in its own registry, with handoff, hinted-handoff and AAE series that
 * move when the node reports work.
 */
import { describe, expect, it } from 'vitest';
import type { HandoffManager } from '../../../ring/node/handoff.js';
import { NodeMetrics } from '../../../ring/node/node-metrics.js';
import { buildNodeServer } from '../../../ring/node/node-server.js';
import type { RingManager } from '../../../ring/node/ring-manager.js';
import { InternalClient } from '../../../ring/transport/internal-client.js';

describe('node metrics', () => {
  it('serves /metrics unsigned; the series move', async () => {
    const aae = { exchanges: 2, keysRepaired: 5 };
    const transfers = [{ partition: 1 }, { partition: 2 }];
    const handoff = { status: () => transfers } as unknown as HandoffManager;
    const metrics = new NodeMetrics({ handoff, aaeStats: () => aae }, { processMetrics: false });
    const app = buildNodeServer({
      manager: { nodeId: 'n1' } as RingManager,
      handoff,
      handle: async () => ({ ok: true }) as never,
      security: { cookie: 'a-secret-of-16-characters' },
      client: new InternalClient({ cookie: 'a-secret-of-16-characters' }),
      metrics,
    });
    const scrape = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect((await app.inject({ method: 'GET', url: '/ring' })).statusCode).toBe(401);
    let text = await scrape();
    expect(text).toContain('cairn_handoff_transfers_active 2');
    expect(text).toContain('cairn_aae_repaired_keys_total 5');
    metrics.countHandoffBytes(1000);
    metrics.countHintsDelivered(3);
    aae.keysRepaired = 9;
    transfers.pop();
    text = await scrape();
    expect(text).toContain('cairn_handoff_sent_bytes_total 1000');
    expect(text).toContain('cairn_hinted_handoff_delivered_items_total 3');
    expect(text).toContain('cairn_aae_repaired_keys_total 9');
    expect(text).toContain('cairn_aae_exchanges_total 2');
    expect(text).toContain('cairn_handoff_transfers_active 1');
    await app.close();
  });
});
