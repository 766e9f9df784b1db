/**
 * Decides, for each item request a node receives, whether this node serves it, and keeps
 * handoff safe: a write to a partition being handed off is applied here and forwarded to
 * the next owner under the partition's lock, so the next owner misses nothing; a request
 * for a partition this node neither owns nor is receiving is refused as `wrong-owner`, and
 * the coordinator refreshes its ring and retries. A fallback (standing in for a down primary)
 * serves what it is sent and keeps it as a hint.
 */
import type { Ring } from '../core/ring.js';
import type { ItemRequest, NodeReply, NodeRequest } from '../transport/messages.js';
import type { Transport } from '../transport/transport.js';
import type { HandoffManager } from './handoff.js';

/** What the router needs to know and reach. */
export interface VnodeRouterDeps {
  nodeId: string;
  ring: () => Ring;
  local: (request: NodeRequest) => Promise<NodeReply>;
  handoff: HandoffManager;
  transport: Transport;
  timeoutMs: number;
}

const MUTATIONS = new Set(['put', 'delete']);

/** Builds the handler a node's /rpc route calls. */
export function vnodeRouter(deps: VnodeRouterDeps) {
  return async (request: NodeRequest): Promise<NodeReply> => {
    if (request.op === 'ping' || request.op === 'handoff-batch') return deps.local(request);
    const ring = deps.ring();
    const p = request.item.partition;
    if (!Number.isInteger(p) || p < 0 || p >= ring.partitionCount) {
      return { ok: false, error: `no such partition ${p}` };
    }
    const owner = ring.owners[p];
    const next = ring.nextOwners[p];
    if (request.fallback) return hinted(deps, request);
    if (request.forwarded || next === deps.nodeId) return deps.local(request);
    if (owner !== deps.nodeId) {
      return { ok: false, kind: 'wrong-owner', error: `${deps.nodeId} does not serve ${p}` };
    }
    if (next == null || !MUTATIONS.has(request.op)) return deps.local(request);
    return deps.handoff.locks.with(p, () => writeThrough(deps, request, next));
  };
}

/** A fallback write: stored here and marked, so the partition is kept until handed back. */
async function hinted(deps: VnodeRouterDeps, request: ItemRequest): Promise<NodeReply> {
  if (MUTATIONS.has(request.op)) await deps.handoff.markHinted(request.item.partition);
  return deps.local(request);
}

async function writeThrough(deps: VnodeRouterDeps, request: ItemRequest, next: string) {
  const reply = await deps.local(request);
  if (!reply.ok) return reply;
  const forwarded = { ...request, forwarded: true } as NodeRequest;
  try {
    const remote = await deps.transport.call(next, forwarded, { timeoutMs: deps.timeoutMs });
    if (!remote.ok) deps.handoff.markDirty(request.item.partition);
  } catch {
    deps.handoff.markDirty(request.item.partition);
  }
  return reply;
}
