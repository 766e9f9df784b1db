/**
 * Asks every primary replica of a key directly (node RPC, bypassing quorum) for its copy,
 * so the checker can prove that all replicas agree once the faults have healed.
 */
import { versionDigest } from '../../ring/core/dvv.js';
import { partitionOf, ringIndex } from '../../ring/core/hash.js';
import type { Ring } from '../../ring/core/ring.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import { decodeVersioned } from '../../ring/transport/versioned-codec.js';
import type { HttpTransport } from '../../ring/transport/http-transport.js';

/** Digests of a manifest's state on each primary replica (undefined: absent). */
export async function manifestDigests(
  transport: HttpTransport,
  ring: Ring,
  nVal: number,
  bucketId: string,
  key: string,
): Promise<Array<string | undefined>> {
  const primary = partitionOf(ringIndex(KEYSPACES.manifests, bucketId), ring.partitionCount);
  const digests: Array<string | undefined> = [];
  for (let i = 0; i < nVal; i++) {
    const partition = (primary + i) % ring.partitionCount;
    const item = {
      partition,
      keyspace: KEYSPACES.manifests,
      pk: Buffer.from(bucketId),
      sk: Buffer.from(key),
    };
    const reply = await transport.call(
      ring.owners[partition]!,
      { op: 'get', item },
      {
        timeoutMs: 10_000,
      },
    );
    if (!reply.ok) throw new Error(reply.error);
    const value = 'value' in reply ? reply.value : undefined;
    digests.push(value ? versionDigest(decodeVersioned(value)) : undefined);
  }
  return digests;
}

/** The nodes holding the primary replicas of a bucket's manifests (its listing). */
export function manifestNodes(ring: Ring, nVal: number, bucketId: string): string[] {
  const primary = partitionOf(ringIndex(KEYSPACES.manifests, bucketId), ring.partitionCount);
  return Array.from({ length: nVal }, (_, i) => ring.owners[(primary + i) % ring.partitionCount]!);
}

/** How many (block, replica) pairs of a version are missing on its primaries. */
export async function missingBlockReplicas(
  transport: HttpTransport,
  ring: Ring,
  nVal: number,
  versionId: string,
  blockCount: number,
): Promise<number> {
  let missing = 0;
  for (let n = 0; n < blockCount; n++) {
    const pk = `${versionId}:${n}`;
    const primary = partitionOf(ringIndex(KEYSPACES.blocks, pk), ring.partitionCount);
    for (let i = 0; i < nVal; i++) {
      const partition = (primary + i) % ring.partitionCount;
      const item = {
        partition,
        keyspace: KEYSPACES.blocks,
        pk: Buffer.from(pk),
        sk: Buffer.alloc(0),
      };
      const reply = await transport
        .call(ring.owners[partition]!, { op: 'get', item }, { timeoutMs: 10_000 })
        .catch(() => undefined);
      if (!reply?.ok || !('value' in reply) || !reply.value) missing++;
    }
  }
  return missing;
}
