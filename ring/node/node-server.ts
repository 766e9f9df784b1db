/**
 * The storage node's HTTP face: /rpc for node requests (binary frames), /gossip and /ring
 * for ring state, and /admin for cairn-admin (cluster changes, status, transfers). Every
 * route but /ping and /metrics needs a request signed with the cluster's key (see
 * ring/transport/internal-server.ts). Changes go to the claimant, wherever it is.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StagedChange } from '../core/membership.js';
import type { Ring } from '../core/ring.js';
import { decodeMessage, encodeMessage } from '../transport/codec.js';
import type { NodeReply, NodeRequest } from '../transport/messages.js';
import type { HandoffManager } from './handoff.js';
import type { HintedHandoff } from './hinted-handoff.js';
import type { InternalClient } from '../transport/internal-client.js';
import type { InternalSecurity } from '../transport/internal-security.js';
import { buildInternalApp } from '../transport/internal-server.js';
import { serveNodeRpcStream } from './node-rpc-stream.js';
import { peerCall, PeerError } from '../transport/peer-client.js';
import { ProtocolMismatchError } from '../transport/protocol-version.js';
import type { NodeMetrics } from './node-metrics.js';
import type { RingManager } from './ring-manager.js';
import type { NodeShutdown } from './node-shutdown.js';
import { STOPPING_HEADER, STOPPING_STATUS } from '../transport/stopping.js';

/** What the node server serves. */
export interface NodeServerDeps {
  manager: RingManager;
  handoff: HandoffManager;
  /** Hints held and returned, for /admin/transfers. */
  hints?: Pick<HintedHandoff, 'report'>;
  handle: (request: NodeRequest) => Promise<NodeReply>;
  /** The cookie (and TLS) the node's listener checks requests against. */
  security: InternalSecurity;
  /** How the node calls its peers (forwarding to the claimant, joining). */
  client: InternalClient;
  /** Anti-entropy counters for status. */
  aaeStats?: () => unknown;
  /** The node's metrics, served at GET /metrics (unsigned: Prometheus has no cookie). */
  metrics?: NodeMetrics;
  /** Set while the node stops gracefully: /ping and /gossip then answer "stopping". */
  shutdown?: NodeShutdown;
}

/** Header naming the calling node, so gossip also counts as a liveness signal. */
export const NODE_HEADER = 'x-cairn-node';
const RPC_BYTES_MAX = 96 * 1024 * 1024;

/** Builds the node's fastify app (it does not listen). */
export function buildNodeServer(deps: NodeServerDeps): FastifyInstance {
  const app = buildInternalApp(deps.security, {
    openPaths: ['/ping', '/metrics'],
    bodyBytesMax: RPC_BYTES_MAX,
    logLevel: process.env.CAIRN_LOG_LEVEL ?? 'warn',
  });
  const stopping = (reply: FastifyReply) =>
    deps.shutdown?.stopping ? fail(reply, STOPPING_STATUS, 'stopping') : undefined;
  app.get('/ping', async (_request, reply) => {
    return stopping(reply) ?? { nodeId: deps.manager.nodeId };
  });
  app.get('/metrics', async (_request, reply) => {
    if (!deps.metrics) return reply.code(404).send({ error: 'no metrics on this node' });
    const text = await deps.metrics.render();
    return reply.header('content-type', deps.metrics.contentType).send(text);
  });
  app.post('/rpc', async (request, reply) => {
    const message = decodeMessage<NodeRequest>(request.body as Buffer);
    const answer = await deps.handle(message);
    return reply.header('content-type', 'application/octet-stream').send(encodeMessage(answer));
  });
  const drainStreams = serveNodeRpcStream(app, deps.security.cookie, deps.handle);
  if (deps.shutdown) deps.shutdown.drainStreams = drainStreams;
  app.post('/gossip', async (request, reply) => {
    const sender = request.headers[NODE_HEADER];
    const going = request.headers[STOPPING_HEADER] !== undefined;
    if (typeof sender === 'string') {
      // A peer that is stopping says so in its last gossip: route around it from now on.
      if (going) deps.manager.markDown(sender);
      else deps.manager.markSeen(sender);
    }
    return stopping(reply) ?? deps.manager.adopt(request.body as Ring);
  });
  app.get('/ring', async () => deps.manager.ring);
  registerAdminRoutes(app, deps);
  return app;
}

function fail(reply: FastifyReply, status: number, error: string) {
  return reply.code(status).send({ error });
}

/** Runs `local` on the claimant, forwarding the call there when this node is not it. */
async function onClaimant<T>(
  deps: NodeServerDeps,
  path: string,
  body: unknown,
  local: () => Promise<T>,
): Promise<T> {
  const { manager } = deps;
  if (manager.isClaimant) return local();
  const address = manager.addressOf(manager.ring.claimant);
  if (!address) throw new PeerError(503, `claimant ${manager.ring.claimant} has no address`);
  return peerCall<T>(deps.client, address, path, { body: body ?? {} });
}

function registerAdminRoutes(app: FastifyInstance, deps: NodeServerDeps): void {
  const { manager } = deps;
  app.setErrorHandler((error: Error, _request, reply) => {
    // A client's mistake (a refused signature, a body too large) keeps its 4xx.
    const given = (error as { statusCode?: number }).statusCode ?? 0;
    const clientError = given >= 400 && given < 500 ? given : 503;
    const status = error instanceof PeerError ? error.status : clientError;
    const detail = error instanceof PeerError ? error.message : `${error.message}`;
    return fail(reply, status >= 400 ? status : 503, detail);
  });
  app.post('/admin/cluster/join', async (request, reply) => {
    const { target } = request.body as { target?: string };
    if (typeof target !== 'string' || target === '') return fail(reply, 400, 'no node to join');
    const error = await joinCluster(deps, target);
    return error ? fail(reply, 400, error) : { staged: 'join' };
  });
  app.post('/admin/cluster/stage', async (request, _reply) => {
    const change = request.body as StagedChange;
    const error = await onClaimant(deps, '/admin/cluster/stage', change, async () => {
      const refused = await manager.stage(change);
      if (refused) throw new PeerError(400, refused);
      return undefined;
    });
    return error ?? { staged: change.kind };
  });
  app.post('/admin/cluster/plan', async () =>
    onClaimant(deps, '/admin/cluster/plan', {}, async () => {
      const plan = manager.plan();
      return { staged: manager.stagedChanges(), ring: manager.ring, plan };
    }),
  );
  app.post('/admin/cluster/commit', async () =>
    onClaimant(deps, '/admin/cluster/commit', {}, async () => {
      const plan = await manager.commit();
      if (typeof plan === 'string') throw new PeerError(400, plan);
      return { committed: plan.transfers.length };
    }),
  );
  app.post('/admin/cluster/clear', async () =>
    onClaimant(deps, '/admin/cluster/clear', {}, async () => {
      await manager.clear();
      return { cleared: true };
    }),
  );
  app.post('/admin/transfer-complete', async (request) => {
    const { partition, to } = request.body as { partition: number; to: string };
    return onClaimant(deps, '/admin/transfer-complete', request.body, async () => {
      await manager.transferComplete(partition, to);
      return manager.ring;
    });
  });
  app.get('/admin/status', async () => ({
    nodeId: manager.nodeId,
    ring: manager.ring,
    upNodes: [...manager.upNodes()],
    transfers: deps.handoff.status(),
    antiEntropy: deps.aaeStats?.() ?? null,
  }));
  app.get('/admin/transfers', async () => ({
    nodeId: manager.nodeId,
    transfers: [...deps.handoff.report(), ...((await deps.hints?.report()) ?? [])],
  }));
}

/** `cluster join`: adopt the target's ring, then ask its claimant to stage our join. */
async function joinCluster(deps: NodeServerDeps, target: string): Promise<string | undefined> {
  const { manager } = deps;
  let ring: Ring;
  try {
    ring = await peerCall<Ring>(deps.client, target, '/ring');
  } catch (error) {
    // Another major: refused before anything is staged, naming both versions.
    if (error instanceof ProtocolMismatchError) return `cannot join ${target}: ${error.message}`;
    return `cannot reach ${target}: ${(error as Error).message}`;
  }
  if (ring.members.some((m) => m.nodeId === manager.nodeId)) {
    return `${manager.nodeId} is already a member of that cluster`;
  }
  const claimant = ring.members.find((m) => m.nodeId === ring.claimant);
  if (!claimant) return `the cluster at ${target} has no reachable claimant`;
  const change: StagedChange = {
    kind: 'join',
    nodeId: manager.nodeId,
    address: manager.addressOf(manager.nodeId)!,
  };
  const refused = manager.joinRefusal(ring);
  if (refused) return refused;
  try {
    await peerCall(deps.client, claimant.address, '/admin/cluster/stage', { body: change });
  } catch (error) {
    return `the claimant refused: ${(error as Error).message}`;
  }
  await manager.prepareJoin(ring);
  return undefined;
}
