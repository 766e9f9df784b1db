/**
 * The one tombstone reaper, for a ring of one member (the embedded store) as for a cluster:
 * the coordinator of a delete that every primary replica acknowledged removes the tombstone
 * from each of them a little later (Riak's delete_mode), unless a newer write replaced it.
 * It must never reap while a replica missed the delete, a fallback stood in, or any member
 * holds hints for the partitions: a value handed back after its tombstone is gone would
 * come back to life.
 */
import type { Ring } from '../core/ring.js';
import type { ItemRequest, NodeRequest } from '../transport/messages.js';
import type { Transport } from '../transport/transport.js';

/** Riak's delete_mode: a tombstone is reaped this long after every replica has it. */
export const REAP_DELAY_MS = 3000;

/** What the reaper needs: who this node is, the ring, how to reach members, and time. */
export interface ReaperDeps {
  nodeId: string;
  ring: () => Ring;
  transport: Transport;
  /** Resolves after `ms`; setTimeout by default (the builder passes its own). */
  sleep?: (ms: number) => Promise<void>;
}

type CoordinateRequest = Extract<ItemRequest, { op: 'coordinate' }>;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Reaps the tombstone `digest` names once every send in `sends` (one per other replica)
 * succeeded, REAP_DELAY_MS later, on this node and on each replica. Never throws.
 */
export async function reapWhenAllHaveIt(
  deps: ReaperDeps,
  request: CoordinateRequest,
  sends: Promise<void>[],
  digest: string,
): Promise<void> {
  const results = await Promise.allSettled(sends);
  const everywhere =
    results.every((r) => r.status === 'fulfilled') && !request.replicas.some((r) => r.fallback);
  if (!everywhere) return;
  await (deps.sleep ?? realSleep)(REAP_DELAY_MS);
  if (!(await noHintsAnywhere(deps, request))) return;
  const targets = [{ nodeId: deps.nodeId, partition: request.item.partition }, ...request.replicas];
  for (const target of targets) {
    const reap: NodeRequest = {
      op: 'reap',
      item: { ...request.item, partition: target.partition },
      digest,
    };
    await deps.transport
      .call(target.nodeId, reap, { timeoutMs: request.timeoutMs })
      .catch(() => undefined);
  }
}

/** Whether every member answered that it holds no hints for the request's partitions. */
async function noHintsAnywhere(deps: ReaperDeps, request: CoordinateRequest): Promise<boolean> {
  const partitions = [request.item.partition, ...request.replicas.map((r) => r.partition)];
  const members = deps.ring().members.map((m) => m.nodeId);
  const answers = await Promise.all(
    members.map((nodeId) =>
      deps.transport
        .call(nodeId, { op: 'holds-hints', partitions }, { timeoutMs: request.timeoutMs })
        .then((reply) => reply.ok && !('value' in reply && reply.value))
        .catch(() => false),
    ),
  );
  return answers.every(Boolean);
}
