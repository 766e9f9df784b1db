/**
 * `cairn-admin cleanup-orphan-multipart [TIMESTAMP]` (Riak CS's command): aborts the
 * multipart uploads left in deleted buckets that were initiated before TIMESTAMP (ISO 8601,
 * default now), printing each bucket as the store walks them. `cairn-admin cluster-info
 * FILE` (riak-admin's): writes a diagnostic text bundle — what the front end at --url
 * knows, what the storage node at --node knows, and redacted tails of --log files —
 * never over an existing file; a part that cannot be read is written as its error.
 */
import { open, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { peerCall } from '../../ring/transport/peer-client.js';
import type { InternalClient } from '../../ring/transport/internal-client.js';
import { internalClientOf } from './internal-client-of.js';
import { cairnVersion } from '../version.js';
import {
  adminRequest,
  adminStream,
  resolveTarget,
  type AdminTarget,
  type TargetOptions,
} from './admin-client.js';
import { refusalText } from './endpoint-errors.js';
import { clusterInfoText, type ClusterInfoParts } from './cluster-info-text.js';
import { nodeAddress } from './node-target.js';

/** Adds cleanup-orphan-multipart. */
export function registerMaintenanceCommands(program: Command): void {
  program
    .command('cleanup-orphan-multipart [timestamp]')
    .description('abort multipart uploads left in deleted buckets, initiated before TIMESTAMP')
    .action(async (timestamp: string | undefined) => {
      const target = await resolveTarget(program.opts<TargetOptions>());
      const query = timestamp === undefined ? '' : `?timestamp=${encodeURIComponent(timestamp)}`;
      const path = `/riak-cs/cleanup-orphan-multipart${query}`;
      const answer = await adminStream(target, 'POST', path, process.stdout);
      if (answer.status !== 200) {
        throw new Error(refusalText(answer.status, answer.text));
      }
      if (!/have been deleted/.test(answer.text)) process.exitCode = 1;
    });
}

/** Adds audit-bucket-ownership: Riak CS's check of bucket records against users' lists. */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit-bucket-ownership')
    .description("check every bucket's record against its owner's bucket list")
    .action(async () => {
      const target = await resolveTarget(program.opts<TargetOptions>());
      const answer = await adminRequest(target, 'GET', '/riak-cs/audit-bucket-ownership');
      if (answer.status !== 200) {
        throw new Error(refusalText(answer.status, answer.text));
      }
      const audit = JSON.parse(answer.text) as {
        users: number;
        buckets: number;
        inconsistencies: Array<{ bucket: string; user?: string; problem: string }>;
      };
      const lines = audit.inconsistencies.map(
        (i) => `bucket ${i.bucket}${i.user ? ` (user ${i.user})` : ''}: ${i.problem}`,
      );
      if (lines.length === 0) lines.push('No Inconsistencies found.');
      else process.exitCode = 1;
      lines.push(`(${audit.users} users and ${audit.buckets} buckets checked)`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/** Adds status: the front end's statistics, `name : value` as riak-cs-admin status. */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description("the front end's statistics (GET /riak-cs/stats), one per line")
    .action(async () => {
      const target = await resolveTarget(program.opts<TargetOptions>());
      const answer = await adminRequest(target, 'GET', '/riak-cs/stats');
      if (answer.status !== 200) {
        throw new Error(refusalText(answer.status, answer.text));
      }
      process.stdout.write(statsLines(JSON.parse(answer.text) as MetricJson[]).join('\n') + '\n');
    });
}

interface MetricJson {
  name: string;
  values: Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>;
}

/** One `name{labels} : value` line per series. */
export function statsLines(metrics: MetricJson[]): string[] {
  return metrics.flatMap((metric) =>
    metric.values.map((v) => {
      const labels = Object.entries(v.labels).map(([k, value]) => `${k}="${value}"`);
      const name = v.metricName ?? metric.name;
      return `${name}${labels.length > 0 ? `{${labels.join(',')}}` : ''} : ${v.value}`;
    }),
  );
}

const LOG_TAIL_LINES = 200;
const LOG_TAIL_BYTES = 256 * 1024;

/** Adds cluster-info. */
export function registerClusterInfoCommand(program: Command): void {
  program
    .command('cluster-info <file>')
    .description('write a diagnostic bundle: versions, settings, ring, stanchion, GC, logs')
    .option('--log <path...>', 'log files to include the last 200 lines of (redacted)')
    .action(async (file: string, opts: { log?: string[] }) => {
      const opts0 = program.opts<TargetOptions & { node?: string }>();
      const target = await resolveTarget(opts0);
      const node = opts0.node ?? process.env.CAIRN_NODE;
      const client = node ? await internalClientOf(program) : undefined;
      const parts: ClusterInfoParts = {
        writtenAtMs: Date.now(),
        version: cairnVersion(),
        url: target.url,
        frontEnd: await frontEndInfo(target),
        ...(node && client ? { node: await nodeInfo(node, client) } : {}),
        logs: await Promise.all((opts.log ?? []).map(logTail)),
      };
      await writeBundle(file, clusterInfoText(parts));
      process.stdout.write(`Cluster info written to ${file}\n`);
    });
}

async function frontEndInfo(target: AdminTarget): Promise<ClusterInfoParts['frontEnd']> {
  try {
    const answer = await adminRequest(target, 'GET', '/riak-cs/cluster-info');
    if (answer.status === 200) return JSON.parse(answer.text) as Record<string, unknown>;
    const code = /<Code>([^<]*)<\/Code>/.exec(answer.text)?.[1] ?? answer.text.slice(0, 100);
    return { error: `HTTP ${answer.status} ${code}` };
  } catch (error) {
    return { error: errorText(error) };
  }
}

async function nodeInfo(
  node: string,
  client: InternalClient,
): Promise<NonNullable<ClusterInfoParts['node']>> {
  try {
    const address = nodeAddress(node);
    return await peerCall(client, address, '/admin/status', { timeoutMs: 10_000 });
  } catch (error) {
    return { error: errorText(error) };
  }
}

/** The last lines of a log (at most 256 KiB read from its end). */
async function logTail(path: string): Promise<ClusterInfoParts['logs'][number]> {
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, LOG_TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      const lines = buffer.toString('utf8').split('\n');
      return { path, lines: lines.slice(-LOG_TAIL_LINES - 1).filter((l) => l !== '') };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { path, error: errorText(error) };
  }
}

/** Writes the bundle, never over an existing file; readable by its owner only. */
async function writeBundle(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST'
        ? 'it exists: give a new file name'
        : code === 'ENOENT'
          ? `no such directory ${dirname(file)}`
          : code === 'EACCES'
            ? 'permission denied'
            : errorText(error);
    throw new Error(`cluster-info failed writing ${file}: ${why}`);
  }
}

function errorText(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  return cause ?? (error as Error).message;
}
