/**
 * `cairn node`: one storage node of a cluster. Its name is Riak-style (dev1@127.0.0.1);
 * other nodes reach it at --advertise (default host:port).
 */
import type { Command } from 'commander';
import { runNode } from '../../ring/node/run-node.js';
import { startNodeGc } from './node-gc.js';
import {
  closeOnSignal,
  cookieOption,
  durabilityMode,
  durabilityOption,
  env,
  gcOptions,
  integer,
} from './options.js';

/** Registers `node`. */
export function registerNode(program: Command): void {
  const command = program
    .command('node')
    .description('run one storage node of a cluster')
    .option(
      '--name <node>',
      'node name, name@host (CAIRN_NODE_NAME)',
      env.CAIRN_NODE_NAME ?? 'cairn@127.0.0.1',
    )
    .option('--host <host>', 'address to listen on (CAIRN_HOST)', env.CAIRN_HOST ?? '127.0.0.1')
    .option(
      '--port <port>',
      'node port (CAIRN_NODE_PORT)',
      integer(1, 65535),
      Number(env.CAIRN_NODE_PORT ?? 8087),
    )
    .option('--advertise <host:port>', 'address other processes reach this node at')
    .option('--data-dir <dir>', 'data directory (CAIRN_DATA_DIR)', env.CAIRN_DATA_DIR ?? './data')
    .option(
      '--ring-size <q>',
      'ring_creation_size, fixed when the cluster is created',
      integer(8, 1024),
      Number(env.CAIRN_RING_SIZE ?? 64),
    )
    .option(
      '--transfer-limit <n>',
      'concurrent outbound transfers (CAIRN_TRANSFER_LIMIT)',
      integer(1, 64),
      Number(env.CAIRN_TRANSFER_LIMIT ?? 2),
    )
    .option(
      '--n-val <n>',
      'replicas per item, as the front ends use (CAIRN_N_VAL)',
      integer(1, 5),
      Number(env.CAIRN_N_VAL ?? 3),
    )
    .option(
      '--aae-interval <ms>',
      'one anti-entropy exchange per interval (CAIRN_AAE_INTERVAL_MS)',
      integer(50, 3_600_000),
      Number(env.CAIRN_AAE_INTERVAL_MS ?? 2000),
    )
    .option(
      '--handoff-rate <MBps>',
      'handoff bandwidth per transfer, MB/s',
      integer(1, 10_000),
      Number(env.CAIRN_HANDOFF_MBPS ?? 100),
    );
  cookieOption(durabilityOption(gcOptions(command))).action(startNode);
}

/** Starts the node the parsed options describe. */
async function startNode(opts: Record<string, unknown>): Promise<void> {
  const name = opts['name'] as string;
  if (!/^[\w.-]+@[\w.-]+$/.test(name)) throw new Error(`--name must be name@host: ${name}`);
  const node = await runNode({
    nodeId: name,
    host: opts['host'] as string,
    port: opts['port'] as number,
    advertise: opts['advertise'] as string | undefined,
    dataDir: opts['dataDir'] as string,
    partitionCount: opts['ringSize'] as number,
    cookie: opts['cookie'] as string,
    handoff: {
      transferLimit: opts['transferLimit'] as number,
      bytesPerSecondMax: (opts['handoffRate'] as number) * 1_000_000,
    },
    gossipIntervalMs: 1000,
    downAfterMs: 3000,
    nVal: opts['nVal'] as number,
    aaeIntervalMs: opts['aaeInterval'] as number,
    durability: durabilityMode(String(opts['durability'])),
  });
  const stopGc = await startNodeGc({
    nodeId: name,
    address: node.address,
    cookie: opts['cookie'] as string,
    nVal: opts['nVal'] as number,
    leewaySeconds: opts['gcLeeway'] as number,
    intervalSeconds: opts['gcInterval'] as number,
    sweepIntervalSeconds: opts['gcSweepInterval'] as number,
    registry: node.metrics.registry,
  });
  process.stdout.write(`Cairn node ${name} is running (pid ${process.pid}) at ${node.address}\n`);
  closeOnSignal(async () => {
    stopGc();
    await node.close();
  });
}
