/**
 * Access statistics per user, aggregated in memory by this front end and archived every
 * interval to the `usageAccess` keyspace, one item per (user, slice, front end) — so no
 * request ever waits on a ring write, and two front ends never write the same item. An
 * archive that fails keeps its totals for the next one (the slice then covers both).
 */
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import {
  accessFields,
  addAccessFields,
  mergeOperationStats,
  type AccessSample,
  type OperationStats,
} from './core/access-stats.js';
import { formatIsoBasic } from './core/iso8601.js';
import { scanSamples } from './sample-scan.js';

/** A user's totals since `startMs`. */
interface OpenSlice {
  startMs: number;
  ops: OperationStats;
}

/** This front end's access log. */
export class AccessLog {
  private open = new Map<string, OpenSlice>();

  constructor(
    private readonly ring: RingClient,
    /** The front end's name in samples ("Node" in Riak CS's answer). */
    readonly nodeId: string,
    private readonly clock: () => number,
  ) {}

  /** Counts one request of `userId`. */
  record(
    userId: string,
    operation: string,
    request: { status: number; bytesIn: number; bytesOut: number; complete: boolean },
  ): void {
    let slice = this.open.get(userId);
    if (!slice) {
      slice = { startMs: this.clock(), ops: {} };
      this.open.set(userId, slice);
    }
    const fields = accessFields(
      request.status,
      request.bytesIn,
      request.bytesOut,
      request.complete,
    );
    addAccessFields((slice.ops[operation] ??= {}), fields);
  }

  /** Writes every open slice as a sample; returns how many were written. */
  async archive(): Promise<number> {
    const slices = this.open;
    this.open = new Map();
    const endMs = this.clock();
    let written = 0;
    for (const [userId, slice] of slices) {
      const sample: AccessSample = {
        node: this.nodeId,
        startMs: slice.startMs,
        endMs,
        ops: slice.ops,
      };
      const sk = `${formatIsoBasic(slice.startMs)}/${this.nodeId}`;
      try {
        const value = Buffer.from(JSON.stringify(sample));
        // The sort key is this front end's alone: no other version to read a context from.
        await this.ring.putVersioned(KEYSPACES.usageAccess, userId, sk, value, {});
        written++;
      } catch {
        const later = this.open.get(userId);
        const ops = later ? mergeOperationStats(slice.ops, later.ops) : slice.ops;
        this.open.set(userId, { startMs: slice.startMs, ops });
      }
    }
    return written;
  }

  /** Archived samples of `userId` (every front end's) that start within the window. */
  async samples(
    userId: string,
    window: { startMs: number; endMs: number; itemsMax: number },
  ): Promise<AccessSample[]> {
    const values = await scanSamples(this.ring, KEYSPACES.usageAccess, userId, window);
    return values.map((v) => JSON.parse(v.toString('utf8')) as AccessSample);
  }
}
