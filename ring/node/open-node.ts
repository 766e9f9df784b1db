/**
 * Opens a storage node's on-disk state: its ring file, LevelDB and blob directory. The ring
 * file fixes the partition count for the life of the data: reopening with another
 * ring_creation_size is refused rather than silently re-homing every key.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkRing, singleNodeRing, type Ring } from '../core/ring.js';
import { openLevelBackend } from '../storage/leveldb-backend.js';
import { ItemStore } from './item-store.js';
import { diskGuardFor } from './disk-space.js';
import { storageNodeHandler } from './storage-node.js';

/** Settings of one storage node. */
export interface NodeOptions {
  dataDir: string;
  nodeId: string;
  partitionCount: number;
  /** fsync every acknowledged write (group-committed). */
  sync: boolean;
}

/** An open storage node. */
export interface OpenNode {
  nodeId: string;
  ring: Ring;
  handler: ReturnType<typeof storageNodeHandler>;
  close(): Promise<void>;
}

/** Opens or creates the node under `options.dataDir`. */
export async function openStorageNode(options: NodeOptions): Promise<OpenNode> {
  await mkdir(options.dataDir, { recursive: true });
  const ring = await loadOrCreateRing(options);
  const kv = await openLevelBackend(join(options.dataDir, 'leveldb'));
  const store = new ItemStore(kv, join(options.dataDir, 'blobs'), { sync: options.sync });
  const actor = await store.actorId(options.nodeId, () => randomBytes(4).toString('hex'));
  return {
    nodeId: options.nodeId,
    ring,
    handler: storageNodeHandler(store, ring.partitionCount, actor, diskGuardFor(options.dataDir)),
    close: () => kv.close(),
  };
}

async function loadOrCreateRing(options: NodeOptions): Promise<Ring> {
  const path = join(options.dataDir, 'ring.json');
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    const ring = JSON.parse(text) as Ring;
    checkRing(ring);
    if (ring.partitionCount !== options.partitionCount) {
      throw new Error(
        `data in ${options.dataDir} was created with ring_creation_size ` +
          `${ring.partitionCount}, not ${options.partitionCount}`,
      );
    }
    return ring;
  }
  const ring = singleNodeRing(options.nodeId, options.partitionCount);
  await writeFile(`${path}.tmp`, JSON.stringify(ring));
  await rename(`${path}.tmp`, path);
  return ring;
}
