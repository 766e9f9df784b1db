/**
 * `cairn node`: one storage node of a cluster. Its name is Riak-style (dev1@127.0.0.1);
 * other nodes reach it at --advertise (default host:port).
 */
import type { Command } from 'commander';
import { runNode } from '../../ring/node/run-node.js';
import { addSettingOptions, loadSettings } from '../config/load.js';
import { cairnVersion } from '../version.js';
import { internalSecurityOf } from './internal-security.js';
import { startNodeGc } from './node-gc.js';
import { closeOnSignal, type Settings } from './options.js';
import { writePidFile } from './pid-file.js';

/** Registers `node`. */
export function registerNode(program: Command): void {
  const command = program.command('node').description('run one storage node of a cluster');
  addSettingOptions(command, 'node').action(async () => {
    await startNode((await loadSettings(command, 'node')).values);
  });
}

/** Starts the node the settings describe. */
async function startNode(s: Settings): Promise<void> {
  const name = s['name'] as string;
  // The node's HTTP server reads its log level from the environment when it is built.
  process.env.CAIRN_LOG_LEVEL = s['logLevel'] as string;
  const security = await internalSecurityOf(s);
  const node = await runNode({
    nodeId: name,
    host: s['host'] as string,
    port: s['port'] as number,
    advertise: s['advertise'] as string | undefined,
    dataDir: s['dataDir'] as string,
    partitionCount: s['ringSize'] as number,
    security,
    handoff: {
      transferLimit: s['transferLimit'] as number,
      bytesPerSecondMax: (s['handoffRate'] as number) * 1_000_000,
    },
    gossipIntervalMs: 1000,
    downAfterMs: 3000,
    nVal: s['nVal'] as number,
    aaeIntervalMs: s['aaeInterval'] as number,
    durability: s['durability'] as 'fsync' | 'none',
    version: cairnVersion(),
  });
  const stopGc = await startNodeGc({
    nodeId: name,
    address: node.address,
    security,
    nVal: s['nVal'] as number,
    leewaySeconds: s['gcLeeway'] as number,
    intervalSeconds: s['gcInterval'] as number,
    sweepIntervalSeconds: s['gcSweepInterval'] as number,
    bucketIntervalSeconds: s['gcBucketInterval'] as number,
    registry: node.metrics.registry,
    lifecycle: {
      dayMs: (s['lifecycleDaySeconds'] as number) * 1000,
      ratePerSecond: s['lifecycleRate'] as number,
    },
  });
  process.stdout.write(`Cairn node ${name} is running (pid ${process.pid}) at ${node.address}\n`);
  const removePid = writePidFile(s['dataDir'] as string);
  closeOnSignal(async (graceMs) => {
    stopGc();
    await node.close({ graceMs });
    removePid();
  }, s);
}
