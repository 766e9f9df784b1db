/**
 * Preference lists: which vnodes hold a key. Pure: the ring and the set of up nodes are
 * arguments, never read from a global (riak_core_apl:get_apl_ann/4, not its 2-arity form).
 */
import type { Ring } from './ring.js';

/** One entry of a preference list: a partition and the node that serves it. */
export interface PreflistEntry {
  readonly partition: number;
  readonly nodeId: string;
  /** A fallback stands in for a primary that is down and keeps a hint for it. */
  readonly fallbackFor?: string;
}

/**
 * The n_val partitions clockwise from `partition`, served by their owners where those are
 * up, and otherwise by the next up node further round the ring that is not already used.
 */
export function preferenceList(
  ring: Ring,
  partition: number,
  nVal: number,
  upNodes: ReadonlySet<string>,
): PreflistEntry[] {
  const q = ring.partitionCount;
  const n = Math.min(nVal, q);
  const primaries: PreflistEntry[] = [];
  for (let i = 0; i < n; i++) {
    const p = (partition + i) % q;
    primaries.push({ partition: p, nodeId: ring.owners[p]! });
  }
  const used = new Set(primaries.filter((e) => upNodes.has(e.nodeId)).map((e) => e.nodeId));
  const result: PreflistEntry[] = [];
  let cursor = partition + n;
  for (const entry of primaries) {
    if (upNodes.has(entry.nodeId)) {
      result.push(entry);
      continue;
    }
    const fallback = nextUpNode(ring, cursor, upNodes, used);
    if (fallback === undefined) continue;
    used.add(fallback.nodeId);
    cursor = fallback.position + 1;
    result.push({ partition: entry.partition, nodeId: fallback.nodeId, fallbackFor: entry.nodeId });
  }
  return result;
}

function nextUpNode(
  ring: Ring,
  start: number,
  upNodes: ReadonlySet<string>,
  used: ReadonlySet<string>,
): { nodeId: string; position: number } | undefined {
  const q = ring.partitionCount;
  for (let i = 0; i < q; i++) {
    const nodeId = ring.owners[(start + i) % q]!;
    if (upNodes.has(nodeId) && !used.has(nodeId)) return { nodeId, position: start + i };
  }
  return undefined;
}
