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
import type { AntiEntropy } from './anti-entropy.js';
import type { HandoffManager } from './handoff.js';
import type { HintedHandoff } from './hinted-handoff.js';
import { versionDigest } from '../core/dvv.js';
import { quorumStateWithPrimaries } from '../core/quorum.js';
import { reapWhenAllHaveIt } from './tombstone-reaper.js';
import { decodeVersioned } from '../transport/versioned-codec.js';

/** What the router needs to know and reach. */
export interface VnodeRouterDeps {
  nodeId: string;
  ring: () => Ring;
  local: (request: NodeRequest) => Promise<NodeReply>;
  handoff: HandoffManager;
  hints: HintedHandoff;
  aae?: AntiEntropy;
  transport: Transport;
  timeoutMs: number;
  /** Resolves after `ms`: the tombstone reaper's wait (setTimeout when absent). */
  sleep?: (ms: number) => Promise<void>;
}

const MUTATIONS = new Set(['put', 'delete', 'coordinate', 'merge', 'reap']);

/** Builds the handler a node's /rpc route calls. */
export function vnodeRouter(deps: VnodeRouterDeps) {
  return async (request: NodeRequest): Promise<NodeReply> => {
    const reply = await route(deps, request);
    if (request.op !== 'coordinate' || !reply.ok) return reply;
    return replicate(deps, request, reply);
  };
}

async function route(deps: VnodeRouterDeps, request: NodeRequest): Promise<NodeReply> {
  if (request.op === 'ping' || request.op === 'handoff-batch') return deps.local(request);
  if (request.op === 'holds-hints') {
    const held = request.partitions.some((p) => deps.hints.isHinted(p));
    return held ? { ok: true, value: Buffer.from('1') } : { ok: true };
  }
  if (request.op === 'aae-tree' || request.op === 'aae-keys') {
    return deps.aae ? deps.aae.answer(request) : deps.local(request);
  }
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
}

/** A fallback write: stored here and marked, so the partition is kept until handed back. */
async function hinted(deps: VnodeRouterDeps, request: ItemRequest): Promise<NodeReply> {
  if (!MUTATIONS.has(request.op)) return deps.local(request);
  const p = request.item.partition;
  return deps.handoff.locks.with(p, async () => {
    await deps.hints.markHinted(p);
    return deps.local(request);
  });
}

/** What the next owner must be sent so it ends in the same state as this node. */
function forwardOf(request: ItemRequest, reply: NodeReply): NodeRequest {
  if (request.op === 'coordinate' && 'value' in reply && reply.value) {
    return {
      op: 'merge',
      item: request.item,
      state: decodeVersioned(reply.value),
      forwarded: true,
    };
  }
  return { ...request, forwarded: true } as NodeRequest;
}

async function writeThrough(deps: VnodeRouterDeps, request: ItemRequest, next: string) {
  const reply = await deps.local(request);
  if (!reply.ok) return reply;
  try {
    const remote = await deps.transport.call(next, forwardOf(request, reply), {
      timeoutMs: deps.timeoutMs,
    });
    if (!remote.ok) deps.handoff.markDirty(request.item.partition);
  } catch {
    deps.handoff.markDirty(request.item.partition);
  }
  return reply;
}

/**
 * After a coordinated write is on this node's disk, sends the resulting state to the other
 * replicas and answers once W in all (this node included) have it.
 */
async function replicate(
  deps: VnodeRouterDeps,
  request: Extract<ItemRequest, { op: 'coordinate' }>,
  reply: NodeReply,
): Promise<NodeReply> {
  const value = 'value' in reply ? reply.value : undefined;
  if (!value) return { ok: false, error: 'coordinator produced no state' };
  const state = decodeVersioned(value);
  const needed = request.w - 1;
  if (request.replicas.length < needed) {
    return { ok: false, error: `only ${request.replicas.length + 1} replicas for w=${request.w}` };
  }
  let diskFull = false;
  const sends = request.replicas.map(async (replica) => {
    const merge: NodeRequest = {
      op: 'merge',
      item: { ...request.item, partition: replica.partition },
      state,
      ...(replica.fallback ? { fallback: true } : {}),
    };
    const answer = await deps.transport.call(replica.nodeId, merge, {
      timeoutMs: request.timeoutMs,
    });
    if (!answer.ok) {
      diskFull ||= answer.kind === 'disk-full';
      throw new Error(answer.error);
    }
  });
  const primaryNeeded = Math.max(0, (request.pw ?? 0) - (request.coordinatorIsPrimary ? 1 : 0));
  const primary = request.replicas.map((r) => !r.fallback);
  const acked = await countUntil(sends, needed, primary, primaryNeeded);
  if (!acked.met) {
    const got = `${acked.ok + 1} acks, ${acked.primaryOk} from primaries`;
    const error = `w=${request.w}/pw=${request.pw ?? 0} not met: ${got}`;
    return diskFull ? { ok: false, kind: 'disk-full', error } : { ok: false, error };
  }
  if (state.siblings.every((s) => s.value === null) && !request.fallback) {
    void reapWhenAllHaveIt(deps, request, sends, versionDigest(state));
  }
  return reply;
}

/**
 * Resolves once `needed` of `tasks` succeeded, `primaryNeeded` of them primaries (`primary`
 * flags each task), or as soon as that can no longer happen. The counting is core/quorum's,
 * the same the client's fan-out uses.
 */
function countUntil(
  tasks: Promise<void>[],
  needed: number,
  primary: boolean[],
  primaryNeeded: number,
): Promise<{ met: boolean; ok: number; primaryOk: number }> {
  return new Promise((resolve) => {
    const all = { ok: 0, failed: 0, asked: tasks.length };
    const primaries = { ok: 0, failed: 0, asked: primary.filter(Boolean).length };
    const settle = () => {
      const state = quorumStateWithPrimaries(all, needed, primaries, primaryNeeded);
      if (state !== 'pending') {
        resolve({ met: state === 'met', ok: all.ok, primaryOk: primaries.ok });
      }
    };
    const count = (i: number, outcome: 'ok' | 'failed') => {
      all[outcome]++;
      if (primary[i]) primaries[outcome]++;
      settle();
    };
    tasks.forEach((task, i) =>
      task.then(
        () => count(i, 'ok'),
        () => count(i, 'failed'),
      ),
    );
    settle();
  });
}
