/**
 * A stopping storage node (ring/node/node-shutdown.ts) says so: /ping and /gossip answer
 * 503 "stopping", and a peer's last gossip carrying the stopping header marks that peer
 * down at once on the receiver (where plain gossip marks it seen).
 */
import { describe, expect, it } from 'vitest';
import type { HandoffManager } from '../../../ring/node/handoff.js';
import { buildNodeServer, NODE_HEADER } from '../../../ring/node/node-server.js';
import { NodeShutdown } from '../../../ring/node/node-shutdown.js';
import type { RingManager } from '../../../ring/node/ring-manager.js';
import { InternalClient } from '../../../ring/transport/internal-client.js';
import { STOPPING_HEADER, STOPPING_STATUS } from '../../../ring/transport/stopping.js';

const COOKIE = 'a-secret-of-16-characters';

function nodeApp(shutdown: NodeShutdown) {
  const marks: string[] = [];
  const manager = {
    nodeId: 'n1',
    ring: { members: [] },
    markSeen: (id: string) => marks.push(`seen ${id}`),
    markDown: (id: string) => marks.push(`down ${id}`),
    adopt: async (ring: unknown) => ring,
  } as unknown as RingManager;
  const app = buildNodeServer({
    manager,
    handoff: { status: () => [] } as unknown as HandoffManager,
    handle: async () => ({ ok: true }) as never,
    security: { cookie: COOKIE },
    client: new InternalClient({ cookie: COOKIE }),
    shutdown,
  });
  return { app, marks };
}

/** A gossip POST signed as the real client signs it (protocol header bound). */
function gossip(headers: Record<string, string>) {
  const body = JSON.stringify({ members: [] });
  const client = new InternalClient({ cookie: COOKIE });
  const auth = client.sign('POST', '/gossip', 'application/json', Buffer.from(body));
  return {
    method: 'POST' as const,
    url: '/gossip',
    payload: body,
    headers: { 'content-type': 'application/json', 'x-cairn-auth': auth, ...headers },
  };
}

describe('a stopping node', () => {
  it('answers /ping and /gossip with 503 once stopping', async () => {
    const shutdown = new NodeShutdown();
    const { app } = nodeApp(shutdown);
    expect((await app.inject({ method: 'GET', url: '/ping' })).statusCode).toBe(200);
    expect((await app.inject(gossip({}))).statusCode).toBe(200);
    shutdown.stopping = true;
    const ping = await app.inject({ method: 'GET', url: '/ping' });
    expect(ping.statusCode).toBe(STOPPING_STATUS);
    expect(ping.json()).toEqual({ error: 'stopping' });
    expect((await app.inject(gossip({}))).statusCode).toBe(STOPPING_STATUS);
    await app.close();
  });

  it('marks a peer down on its stopping gossip, seen on a plain one', async () => {
    const { app, marks } = nodeApp(new NodeShutdown());
    await app.inject(gossip({ [NODE_HEADER]: 'n2' }));
    await app.inject(gossip({ [NODE_HEADER]: 'n2', [STOPPING_HEADER]: '1' }));
    expect(marks).toEqual(['seen n2', 'down n2']);
    await app.close();
  });
});
