/**
 * A simulated network for in-process nodes: every call from one node to another passes
 * through seeded faults — dropped requests, dropped replies (the sender cannot tell which),
 * network partitions and crashed nodes. Without a scheduler, replies come back through the
 * microtask queue; with a virtual one, each leg takes a seeded delay of virtual time, a
 * call's `timeoutMs` is enforced on that clock, and every delivery is traced with its
 * virtual timestamp. Either way a run is a pure function of its seed.
 */
import type { VirtualScheduler } from '../../ring/core/scheduler.js';
import type { NodeReply, NodeRequest } from '../../ring/transport/messages.js';
import {
  NodeUnreachableError,
  type NodeHandler,
  type Transport,
} from '../../ring/transport/transport.js';

export { seededRandom } from '../../scripts/claim-sim.js';

/** Virtual time for a SimNetwork. */
export interface SimClockOptions {
  scheduler: VirtualScheduler;
  /** Each leg (request, reply) takes 0 to this many virtual ms. */
  delayMsMax: number;
  /** Told of every delivery and fault, stamped with virtual time. */
  trace?: (line: string) => void;
}

/** The simulated network: handlers by node, and the faults in force. */
export class SimNetwork {
  private readonly handlers = new Map<string, NodeHandler>();
  readonly crashed = new Set<string>();
  /** Nodes on side A of a partition; empty when there is none. */
  partition = new Set<string>();
  dropRate = 0;
  /** Calls delivered so far (requests that reached a handler). */
  delivered = 0;

  constructor(
    private readonly random: () => number,
    private readonly clock?: SimClockOptions,
  ) {}

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
      call: (to, request, options) => {
        const call = this.deliver(from, to, request);
        return this.clock ? this.withTimeout(call, to, options.timeoutMs) : call;
      },
    };
  }

  private async deliver(from: string, to: string, request: NodeRequest): Promise<NodeReply> {
    const what = `${from}->${to} ${request.op}`;
    await this.delay();
    if (!this.connected(from, to) || this.random() < this.dropRate) {
      this.note(`${what} dropped`);
      throw new NodeUnreachableError(to, 'simulated drop', { maybeDelivered: false });
    }
    this.delivered++;
    this.note(`${what} delivered`);
    const reply = await this.handlers.get(to)!(request);
    await this.delay();
    if (!this.connected(to, from) || this.random() < this.dropRate) {
      this.note(`${what} reply dropped`);
      throw new NodeUnreachableError(to, 'simulated reply drop');
    }
    this.note(`${what} replied ${reply.ok ? 'ok' : `error ${reply.error}`}`);
    return reply;
  }

  private async delay(): Promise<void> {
    if (!this.clock) return;
    const ms = Math.floor(this.random() * (this.clock.delayMsMax + 1));
    if (ms > 0) await this.clock.scheduler.sleep(ms, { label: 'net' });
  }

  private note(line: string): void {
    if (this.clock?.trace) this.clock.trace(`${this.clock.scheduler.now()} ${line}`);
  }

  /** Like a socket timeout: the caller gives up, the call may still land. */
  private withTimeout(call: Promise<NodeReply>, to: string, timeoutMs: number) {
    const { scheduler } = this.clock!;
    return new Promise<NodeReply>((resolve, reject) => {
      const timer = scheduler.setTimeout(
        () => reject(new NodeUnreachableError(to, `timed out after ${timeoutMs} ms`)),
        timeoutMs,
        { label: 'net-timeout' },
      );
      call.then(resolve, reject).finally(() => scheduler.clear(timer));
    });
  }
}
