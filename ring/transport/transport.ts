/**
 * Transport: how a coordinator reaches storage nodes. One interface for the in-process
 * embedded store, the simulator's lossy network and (later) real sockets, so the layers
 * above never know which they run on.
 */
import type { NodeReply, NodeRequest } from './messages.js';

/** Raised when a node cannot be reached or did not answer in time. */
export class NodeUnreachableError extends Error {
  readonly code = 'NODE_UNREACHABLE';
  constructor(
    readonly nodeId: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`node ${nodeId} unreachable: ${detail}`, options);
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
    if (!handler) throw new NodeUnreachableError(nodeId, 'not registered');
    return handler(request);
  }
}
