/**
 * The storage node's local request handler: turns NodeRequests into ItemStore and
 * VersionedItems calls on this node's disk. Immutable keyspaces (object blocks) are stored
 * as raw bytes; every other value as its version-vector state, written by 'coordinate' and
 * 'merge'. Handed-off items of versioned keyspaces are merged, never blindly overwritten.
 * It does no routing, replication or reaping: the vnode router above it does, for every node.
 * A disk error becomes an error reply, never an exception.
 */
import { isVersioned, KEYSPACES } from '../keyspaces.js';
import { keyspaceOfKey } from '../storage/item-key.js';
import type { ItemRequest, NodeReply, NodeRequest } from '../transport/messages.js';
import { isDiskFullError, type DiskGuard } from './disk-guard.js';
import { skipDamaged, type ItemStore } from './item-store.js';
import { decodeVersioned, encodeVersioned } from '../transport/versioned-codec.js';
import { VersionedItems } from './versioned-item.js';

/**
 * Keyspaces whose writes carry new user data. Everything else a write touches is small
 * bookkeeping (the GC queue a delete feeds, counters, the stanchion log, settings), which the
 * reserve is there to hold.
 */
const GROWTH_KEYSPACES: ReadonlySet<string> = new Set([
  KEYSPACES.blocks,
  KEYSPACES.manifestParts,
  KEYSPACES.manifests,
  KEYSPACES.objectVersions,
  KEYSPACES.uploads,
  KEYSPACES.parts,
]);

/** Whether a request stores new user data (refused on a full disk); deletes never are. */
function addsData(request: NodeRequest): boolean {
  switch (request.op) {
    case 'handoff-batch':
      return true;
    case 'put':
    case 'merge':
      return GROWTH_KEYSPACES.has(request.item.keyspace);
    case 'coordinate':
      return request.value !== null && GROWTH_KEYSPACES.has(request.item.keyspace);
    default:
      return false;
  }
}

/**
 * Builds the handler a transport delivers requests to. With a `guard`, writes of new data
 * are refused as 'disk-full' while the disk is below its reserve.
 */
export function storageNodeHandler(
  store: ItemStore,
  partitionCount: number,
  actor: string | VersionedItems = 'local',
  guard?: DiskGuard,
) {
  const versioned = typeof actor === 'string' ? new VersionedItems(store, actor) : actor;
  const handle = storageNodeRequest(store, partitionCount, versioned);
  return async (request: NodeRequest): Promise<NodeReply> => {
    try {
      if (guard && addsData(request)) await guard.admitWrite();
      return await handle(request);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if ((guard?.noteWriteError(error) ?? false) || isDiskFullError(error)) {
        return { ok: false, kind: 'disk-full', error: message };
      }
      return { ok: false, error: message };
    }
  };
}

function storageNodeRequest(store: ItemStore, partitionCount: number, versioned: VersionedItems) {
  return async (request: NodeRequest): Promise<NodeReply> => {
    if (request.op === 'ping') return { ok: true };
    if (request.op === 'handoff-batch') {
      await Promise.all(
        request.items.map(async (item) => {
          if (!isVersioned(keyspaceOfKey(item.key))) {
            return store.putKeyIfAbsent(item.key, item.value);
          }
          await versioned.mergeKey(item.key, decodeVersioned(item.value));
        }),
      );
      return { ok: true };
    }
    if (request.op === 'holds-hints') return { ok: true };
    if (request.op === 'aae-tree' || request.op === 'aae-keys') {
      return { ok: false, error: 'anti-entropy is not running on this node' };
    }
    const partition = request.item.partition;
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
      return { ok: false, error: `no such partition ${partition}` };
    }
    return itemRequest(store, versioned, request);
  };
}

async function itemRequest(
  store: ItemStore,
  versioned: VersionedItems,
  request: ItemRequest,
): Promise<NodeReply> {
  switch (request.op) {
    case 'get':
      // A damaged copy answers as none (the read takes another replica's), not as an error: two
      // replicas on one node (the few preflists claim cannot spread) must not fail the quorum.
      return { ok: true, value: await store.get(request.item).catch(skipDamaged) };
    case 'put':
      await store.put(request.item, request.value);
      return { ok: true };
    case 'delete':
      await store.delete(request.item);
      return { ok: true };
    case 'coordinate': {
      // The tombstone of a delete is reaped by the vnode router's reaper, never here.
      const state = await versioned.coordinate(request.item, request.value, request.context);
      return { ok: true, value: encodeVersioned(state) };
    }
    case 'merge':
      await versioned.merge(request.item, request.state);
      return { ok: true };
    case 'reap':
      await versioned.reap(request.item, request.digest);
      return { ok: true };
    case 'scan': {
      const { after, prefix, limit } = request;
      return { ok: true, items: await store.scan(request.item, { after, prefix, limit }) };
    }
    case 'keys': {
      const { partition: p, keyspace } = request.item;
      const keys = await store.partitionKeys(p, keyspace, request.after, request.limit);
      return { ok: true, items: keys.map((sk) => ({ sk, value: Buffer.alloc(0) })) };
    }
  }
}
