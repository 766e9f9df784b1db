/**
 * The storage node's request handler: turns NodeRequests into ItemStore calls. It checks
 * that it serves the partition asked for, and never lets a disk error escape as anything
 * but an error reply.
 */
import type { NodeReply, NodeRequest } from '../transport/messages.js';
import type { ItemStore } from './item-store.js';

/** Builds the handler a transport delivers requests to. */
export function storageNodeHandler(store: ItemStore, partitionCount: number) {
  return async (request: NodeRequest): Promise<NodeReply> => {
    if (request.op === 'ping') return { ok: true };
    if (request.op === 'handoff-batch') {
      await store.importItems(request.items);
      return { ok: true };
    }
    const partition = request.item.partition;
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
      return { ok: false, error: `no such partition ${partition}` };
    }
    try {
      switch (request.op) {
        case 'get':
          return { ok: true, value: await store.get(request.item) };
        case 'put':
          await store.put(request.item, request.value);
          return { ok: true };
        case 'delete':
          await store.delete(request.item);
          return { ok: true };
        case 'scan': {
          const { after, prefix, limit } = request;
          return { ok: true, items: await store.scan(request.item, { after, prefix, limit }) };
        }
      }
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  };
}
