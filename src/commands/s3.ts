/**
 * `cairn s3`: an S3 front end of a cluster. It reaches the ring through any of --nodes and
 * stanchion at --stanchion (a list, tried in turn).
 */
import type { Command } from 'commander';
import { HttpStanchionClient } from '../../stanchion/client.js';
import { frontEndDeps, startFrontEnd } from '../front-end.js';
import { S3Metrics } from '../metrics/s3-metrics.js';
import { connectClusterRing } from './cluster-ring.js';
import {
  addressList,
  closeOnSignal,
  cookieOption,
  env,
  frontEndOptions,
  frontEndSettings,
} from './options.js';
import { quorumOf, quorumOptions } from './quorum.js';

/** Registers `s3`. */
export function registerS3(program: Command): void {
  const command = program
    .command('s3')
    .description('run an S3 front end of a cluster')
    .requiredOption(
      '--nodes <host:port,...>',
      'storage nodes to reach the ring through',
      addressList,
      env.CAIRN_NODES ? addressList(env.CAIRN_NODES) : undefined,
    )
    .requiredOption(
      '--stanchion <host:port,...>',
      'stanchion addresses, tried in turn',
      addressList,
      env.CAIRN_STANCHION ? addressList(env.CAIRN_STANCHION) : undefined,
    );
  quorumOptions(cookieOption(frontEndOptions(command, 8080))).action(
    async (opts: Record<string, unknown>) => {
      const cookie = opts['cookie'] as string;
      const metrics = new S3Metrics();
      const nodes = opts['nodes'] as string[];
      const ring = await connectClusterRing(nodes, cookie, quorumOf(opts), () =>
        metrics.countRepair(),
      );
      const stanchion = new HttpStanchionClient(opts['stanchion'] as string[], cookie);
      const settings = frontEndSettings(opts);
      const frontEnd = await startFrontEnd(
        frontEndDeps(ring.client, stanchion, settings, metrics),
        settings,
      );
      process.stdout.write(
        `Cairn S3 front end is running (pid ${process.pid}).\nS3 endpoint: ${frontEnd.url}\n`,
      );
      closeOnSignal(async () => {
        await frontEnd.close();
        ring.close();
      });
    },
  );
}
