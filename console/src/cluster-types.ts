/** The Cluster page's data, as /console/api/cluster answers it. */

/** A ring member. */
export interface Member {
  nodeId: string;
  status: string;
  address: string;
}

/** One handoff as a node reports it (ring/core/transfer-progress.ts). */
export interface Transfer {
  kind?: 'ownership' | 'hinted';
  partition: number;
  from: string;
  to: string;
  state: string;
  itemsDone?: number;
  itemsTotal?: number | null;
  finishedAtMs?: number | null;
  error?: string | null;
}

/** A node's anti-entropy counters. */
export interface AntiEntropy {
  exchanges: number;
  keysRepaired: number;
  lastExchangeAtMs?: number;
  lastError?: string;
}

/** What one storage node said, or why it could not. */
export interface NodeInfo {
  nodeId: string;
  status?: { transfers?: Transfer[]; antiEntropy?: AntiEntropy | null; error?: string };
}

/** A stanchion and its status. */
export interface Stanchion {
  address: string;
  status?: { role: string; epoch: number; appliedSeq: number; users: number; buckets: number };
  error?: string;
}

/** A garbage collector's last report. */
export interface GcWorker {
  workerId: string;
  lastCollect?: { startedAtMs: number; finishedAtMs: number; collected: number };
  nextCollectMs?: number;
}

/** The GC backlog and settings (GET /riak-cs/gc). */
export interface GcStatus {
  due: number;
  pending: number;
  blockSetsDue?: number;
  leewaySeconds: number;
  intervalSeconds: number | string;
  paused: boolean;
  workers?: GcWorker[];
}

/** The ring. */
export interface Ring {
  partitionCount: number;
  owners: string[];
  nextOwners: (string | null)[];
  members: Member[];
  claimant: string;
  epoch: number;
}

/** The whole answer. */
export interface ClusterStatus {
  embedded: boolean;
  /** The server's clock when it answered, ms: ages are counted from it. */
  nowMs: number;
  ring: Ring;
  upNodes: string[];
  stanchion: Stanchion[] | { error: string };
  gc: GcStatus | { error: string };
  nodes: NodeInfo[];
}
