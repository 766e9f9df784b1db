/**
 * Transport: how a coordinator reaches storage nodes. One interface for the in-process
 * embedded store, the simulator's lossy network and (later) real sockets, so the layers
 * above never know which they run on.
 */
import type { NodeReply, NodeRequest } from './messages.js';

/**
 * Raised when a node cannot be reached or did not answer in time. `maybeDelivered` says
 * whether the node may have received (and acted on) the request: false only when it surely
 * did not (the connection was refused), so a coordinator may safely try another node.
 */
export class NodeUnreachableError extends Error {
  readonly code = 'NODE_UNREACHABLE';
  readonly maybeDelivered: boolean;
  constructor(
    readonly nodeId: string,
    detail: string,
    options?: { cause?: unknown; maybeDelivered?: boolean },
  ) {
    super(`node ${nodeId} unreachable: ${detail}`, options);
    this.maybeDelivered = options?.maybeDelivered ?? true;
  }
}

/** Sends one request to one node and waits for its reply. */
export interface Transport {
  call(nodeId: string, request: NodeRequest, options: { timeoutMs: number }): Promise<NodeReply>;
}

/** A node's request handler, as a transport delivers to it. */
export type NodeHandler = (request: NodeRequest) => Promise<NodeReply>;

/** Delivers requests to handlers in this process. */
export class InProcessTransport implements Transport {
  private readonly handlers = new Map<string, NodeHandler>();

  register(nodeId: string, handler: NodeHandler): void {
    this.handlers.set(nodeId, handler);
  }

  unregister(nodeId: string): void {
    this.handlers.delete(nodeId);
  }

  async call(nodeId: string, request: NodeRequest): Promise<NodeReply> {
    const handler = this.handlers.get(nodeId);
    if (!handler) {
      throw new NodeUnreachableError(nodeId, 'not registered', { maybeDelivered: false });
    }
    return handler(request);
  }
}
