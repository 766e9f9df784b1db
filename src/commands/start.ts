/**
 * `cairn start`: the embedded store (S3 front end, stanchion and one storage node in one
 * process). Prints the endpoint and the admin keys as copy-pasteable lines.
 */
import type { Command } from 'commander';
import { startEmbedded } from '../embedded.js';
import {
  closeOnSignal,
  durabilityMode,
  durabilityOption,
  env,
  frontEndOptions,
  frontEndSettings,
  integer,
} from './options.js';

/** Registers `start`. */
export function registerStart(program: Command): void {
  const command = program
    .command('start')
    .description('run the embedded store: S3 front end, stanchion and one storage node')
    .option('--data-dir <dir>', 'data directory (CAIRN_DATA_DIR)', env.CAIRN_DATA_DIR ?? './data')
    .option(
      '--ring-size <q>',
      'ring_creation_size: partitions, a power of two from 8 to 1024',
      integer(8, 1024),
      Number(env.CAIRN_RING_SIZE ?? 64),
    );
  frontEndOptions(durabilityOption(command), 8080).action(async (opts: Record<string, unknown>) => {
    const store = await startEmbedded({
      ...frontEndSettings(opts),
      dataDir: opts['dataDir'] as string,
      partitionCount: opts['ringSize'] as number,
      durability: durabilityMode(String(opts['durability'])),
    });
    process.stdout.write(
      `Cairn is running (pid ${process.pid}).\n` +
        `S3 endpoint: ${store.url}\n` +
        `Data dir: ${store.dataDir}\n` +
        `Admin credentials:\n` +
        `AWS_ACCESS_KEY_ID=${store.admin.keyId}\n` +
        `AWS_SECRET_ACCESS_KEY=${store.admin.secret}\n`,
    );
    closeOnSignal(() => store.close());
  });
}
