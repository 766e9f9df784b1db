/**
 * A simulated network for in-process nodes: every call from one node to another passes
 * through seeded faults — dropped requests, dropped replies (the sender cannot tell which),
 * network partitions and crashed nodes. Replies come back through the microtask queue, so
 * a run is a pure function of its seed.
 */
import type { NodeReply, NodeRequest } from '../../ring/transport/messages.js';
import {
  NodeUnreachableError,
  type NodeHandler,
  type Transport,
} from '../../ring/transport/transport.js';

export { seededRandom } from '../../scripts/claim-sim.js';

/** The simulated network: handlers by node, and the faults in force. */
export class SimNetwork {
  private readonly handlers = new Map<string, NodeHandler>();
  readonly crashed = new Set<string>();
  /** Nodes on side A of a partition; empty when there is none. */
  partition = new Set<string>();
  dropRate = 0;

  constructor(private readonly random: () => number) {}

  register(nodeId: string, handler: NodeHandler): void {
    this.handlers.set(nodeId, handler);
  }

  /** Whether `from` can reach `to` right now. */
  connected(from: string, to: string): boolean {
    if (this.crashed.has(from) || this.crashed.has(to)) return false;
    if (this.partition.size === 0 || from === to) return true;
    return this.partition.has(from) === this.partition.has(to);
  }

  /** The transport `from` sends with. */
  transportFor(from: string): Transport {
    return {
      call: async (to: string, request: NodeRequest): Promise<NodeReply> => {
        if (!this.connected(from, to) || this.random() < this.dropRate) {
          throw new NodeUnreachableError(to, 'simulated drop', { maybeDelivered: false });
        }
        const reply = await this.handlers.get(to)!(request);
        if (!this.connected(to, from) || this.random() < this.dropRate) {
          throw new NodeUnreachableError(to, 'simulated reply drop');
        }
        return reply;
      },
    };
  }
}
