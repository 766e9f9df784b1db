#!/usr/bin/env node
/**
 * The `cairn` command: reads options (flags, then CAIRN_* environment variables, then
 * defaults), starts the program asked for and stops it cleanly on SIGINT/SIGTERM. Nothing
 * else lives here.
 */
import { Command, InvalidArgumentError } from 'commander';
import { startEmbedded } from './embedded.js';

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return n;
  };
}

const env = process.env;
const program = new Command('cairn').description('Cairn: an S3-compatible object store');

program
  .command('start')
  .description('run the embedded store: S3 front end, stanchion and one storage node')
  .option('--host <host>', 'address to listen on (CAIRN_HOST)', env.CAIRN_HOST ?? '127.0.0.1')
  .option(
    '--port <port>',
    'S3 port (CAIRN_PORT)',
    integer(0, 65535),
    Number(env.CAIRN_PORT ?? 8080),
  )
  .option('--data-dir <dir>', 'data directory (CAIRN_DATA_DIR)', env.CAIRN_DATA_DIR ?? './data')
  .option(
    '--ring-size <q>',
    'ring_creation_size: partitions, a power of two from 8 to 1024',
    integer(8, 1024),
    Number(env.CAIRN_RING_SIZE ?? 64),
  )
  .option(
    '--block-size <bytes>',
    'object block size (CAIRN_BLOCK_SIZE)',
    integer(64 * 1024, 64 * 1024 * 1024),
    Number(env.CAIRN_BLOCK_SIZE ?? 1024 * 1024),
  )
  .option(
    '--gc-leeway <seconds>',
    'GC leeway (CAIRN_GC_LEEWAY_SECONDS)',
    integer(0, 365 * 86400),
    Number(env.CAIRN_GC_LEEWAY_SECONDS ?? 86400),
  )
  .option(
    '--anonymous-user-creation',
    'allow unsigned POST /riak-cs/user',
    env.CAIRN_ANONYMOUS_USER_CREATION === 'true',
  )
  .option(
    '--virtual-host-base <domain>',
    'base domain for virtual-hosted-style requests',
    env.CAIRN_VIRTUAL_HOST_BASE,
  )
  .option('--region <region>', 'region reported and signed for', env.CAIRN_REGION ?? 'us-east-1')
  .option('--log-level <level>', 'log level', env.CAIRN_LOG_LEVEL ?? 'warn')
  .action(async (opts) => {
    const store = await startEmbedded({
      host: opts.host,
      port: opts.port,
      dataDir: opts.dataDir,
      partitionCount: opts.ringSize,
      blockSizeBytes: opts.blockSize,
      gcLeewaySeconds: opts.gcLeeway,
      anonymousUserCreation: Boolean(opts.anonymousUserCreation),
      virtualHostBase: opts.virtualHostBase,
      region: opts.region,
      logLevel: opts.logLevel,
    });
    process.stdout.write(
      `Cairn is running (pid ${process.pid}).\n` +
        `S3 endpoint: ${store.url}\n` +
        `Data dir: ${store.dataDir}\n` +
        `Admin credentials:\n` +
        `AWS_ACCESS_KEY_ID=${store.admin.keyId}\n` +
        `AWS_SECRET_ACCESS_KEY=${store.admin.secret}\n`,
    );
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(1);
      stopping = true;
      process.stdout.write(`${signal}: shutting down\n`);
      store.close().then(
        () => process.exit(0),
        (error) => {
          process.stderr.write(`shutdown failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`cairn: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
