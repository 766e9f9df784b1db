/**
 * GET /riak-cs/cluster-info: what this front end knows for a diagnostic bundle, for
 * `cairn-admin cluster-info FILE` (riak-admin cluster-info's counterpart). Admin only.
 * Version, process, the settings in force (secrets hidden), the ring as this process sees
 * it, each stanchion's status, the GC and storage-accounting state. Each part that fails
 * says why instead of failing the whole answer.
 */
import { hostname, platform } from 'node:os';
import type { RequestContext, S3Deps } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import { cairnVersion } from '../version.js';
import { gcStatusOf } from './gc.js';

/** GET /riak-cs/cluster-info */
export async function clusterInfoRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const deps = ctx.deps;
  const body = {
    version: cairnVersion(),
    process: processInfo(deps),
    settings: deps.operator?.settings ?? [],
    ring: ringInfo(deps),
    stanchion: await attempt(async () => (await deps.stanchion.statuses?.()) ?? []),
    gc: await attempt(() => gcStatusOf(deps)),
    storage: await attempt(async () => ({
      batch: deps.usage?.batch?.state,
      schedule: deps.usage?.storageSchedule,
    })),
  };
  void ctx.reply.code(200).header('content-type', 'application/json').send(JSON.stringify(body));
}

function processInfo(deps: S3Deps) {
  const memory = process.memoryUsage();
  return {
    program: deps.operator?.program ?? 'unknown',
    pid: process.pid,
    hostname: hostname(),
    platform: platform(),
    node: process.version,
    startedAt: deps.operator ? new Date(deps.operator.startedAtMs).toISOString() : undefined,
    uptimeSeconds: Math.round(process.uptime()),
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
  };
}

function ringInfo(deps: S3Deps) {
  const { ring, upNodes } = deps.ring.view();
  const owned = new Map<string, number>();
  for (const owner of ring.owners) owned.set(owner, (owned.get(owner) ?? 0) + 1);
  return {
    partitionCount: ring.partitionCount,
    claimant: ring.claimant,
    members: ring.members.map((m) => ({
      nodeId: m.nodeId,
      status: m.status,
      address: m.address,
      partitions: owned.get(m.nodeId) ?? 0,
      up: upNodes.includes(m.nodeId),
    })),
    pendingTransfers: ring.nextOwners.filter((n) => n !== null).length,
  };
}

async function attempt<T>(read: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await read();
  } catch (error) {
    return { error: (error as Error).message };
  }
}
