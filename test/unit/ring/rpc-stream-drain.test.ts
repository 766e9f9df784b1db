/**
 * Draining an RPC stream listener (a storage node's graceful stop): calls in flight when the
 * drain starts are answered, not cut; once quiet the stream ends, and the drain resolves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InternalClient } from '../../../ring/transport/internal-client.js';
import { buildInternalApp } from '../../../ring/transport/internal-server.js';
import type { NodeReply, NodeRequest } from '../../../ring/transport/messages.js';
import { attachRpcStream } from '../../../ring/transport/rpc-stream-server.js';
import { StreamTransport } from '../../../ring/transport/rpc-stream-transport.js';

const COOKIE = 'rpc-stream-drain-cookie-0123456789';
const ITEM = { partition: 1, keyspace: 'blocks', pk: Buffer.from('pk'), sk: Buffer.from('sk') };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A 'get' takes 300 ms; anything else answers at once. */
async function slowHandler(request: NodeRequest): Promise<NodeReply> {
  if (request.op === 'get') await new Promise((r) => setTimeout(r, 300));
  return { ok: true };
}

describe('rpc stream drain', () => {
  it('answers the calls in flight, then ends the stream', async () => {
    const app = buildInternalApp(
      { cookie: COOKIE },
      { openPaths: [], bodyBytesMax: 1 << 20, logLevel: 'silent' },
    );
    const streams = attachRpcStream(app.server, {
      cookie: COOKIE,
      handle: slowHandler,
      frameBytesMax: 1 << 20,
      inflightBytesMax: 1 << 20,
    });
    app.addHook('preClose', (done) => (streams(), done()));
    await app.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => app.close());
    const { port } = app.server.address() as { port: number };
    const client = new InternalClient({ cookie: COOKIE });
    const transport = new StreamTransport(() => `127.0.0.1:${port}`, client);
    cleanups.push(() => transport.close());
    expect((await transport.call('n1', { op: 'ping' }, { timeoutMs: 5000 })).ok).toBe(true);
    const inFlight = Array.from({ length: 10 }, () =>
      transport.call('n1', { op: 'get', item: ITEM }, { timeoutMs: 5000 }),
    );
    await new Promise((r) => setTimeout(r, 50));
    const startedMs = Date.now();
    await streams.drain();
    const replies = await Promise.all(inFlight);
    expect(replies.every((reply) => reply.ok)).toBe(true);
    // Ended once the slow calls were answered and a quiet moment passed, not before.
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(200);
    expect(Date.now() - startedMs).toBeLessThan(3000);
  });
});
