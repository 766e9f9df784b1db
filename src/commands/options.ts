/**
 * Option parsing shared by the `cairn` commands: integers in range, address lists, and the
 * shutdown-on-signal wrapper every long-running command uses.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_USAGE_INTERVALS } from '../usage/usage-service.js';

/** The environment, read once. */
export const env = process.env;

/** A commander parser for an integer from `min` to `max`. */
export function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return n;
  };
}

/** A commander parser for a comma-separated list of host:port addresses. */
export function addressList(value: string): string[] {
  const list = value
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  for (const address of list) {
    if (!/^[^\s:/]+:\d{1,5}$/.test(address)) {
      throw new InvalidArgumentError(`not a host:port address: ${address}`);
    }
  }
  if (list.length === 0) throw new InvalidArgumentError('expected at least one host:port');
  return list;
}

/** The cluster cookie option, shared by node, stanchion, s3 and cairn-admin. */
export function cookieOption(command: Command): Command {
  return command.option(
    '--cookie <secret>',
    'shared cluster secret (CAIRN_COOKIE)',
    env.CAIRN_COOKIE ?? 'cairn',
  );
}

/** Stops `close` on SIGINT/SIGTERM, exiting 0; a second signal exits at once. */
export function closeOnSignal(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stdout.write(`${signal}: shutting down\n`);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Adds the S3 front-end options shared by `start` and `s3`. */
export function frontEndOptions(command: Command, defaultPort: number): Command {
  return gcOptions(command)
    .option('--host <host>', 'address to listen on (CAIRN_HOST)', env.CAIRN_HOST ?? '127.0.0.1')
    .option(
      '--port <port>',
      'S3 port (CAIRN_PORT)',
      integer(0, 65535),
      Number(env.CAIRN_PORT ?? defaultPort),
    )
    .option(
      '--block-size <bytes>',
      'object block size (CAIRN_BLOCK_SIZE)',
      integer(64 * 1024, 64 * 1024 * 1024),
      Number(env.CAIRN_BLOCK_SIZE ?? 1024 * 1024),
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
    .option(
      '--headers-timeout <ms>',
      'close clients that take longer to send request headers (CAIRN_HEADERS_TIMEOUT_MS)',
      integer(100, 3_600_000),
      Number(env.CAIRN_HEADERS_TIMEOUT_MS ?? 60_000),
    )
    .option('--region <region>', 'region reported and signed for', env.CAIRN_REGION ?? 'us-east-1')
    .option('--log-level <level>', 'log level (CAIRN_LOG_LEVEL)', env.CAIRN_LOG_LEVEL ?? 'warn')
    .option(
      '--metrics-token <token>',
      'bearer token GET /metrics needs (CAIRN_METRICS_TOKEN); without: loopback clients only',
      env.CAIRN_METRICS_TOKEN,
    );
}

/** Usage accounting intervals from the environment (seconds; 0 turns a duty off). */
function usageIntervals() {
  const seconds = (name: string, fallbackMs: number) => {
    const value = env[name];
    if (value === undefined || value === '') return fallbackMs;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name}: not seconds`);
    return Math.round(n * 1000);
  };
  return {
    flushMs: seconds('CAIRN_USAGE_FLUSH_SECONDS', DEFAULT_USAGE_INTERVALS.flushMs),
    reconcileMs: seconds('CAIRN_USAGE_RECONCILE_SECONDS', DEFAULT_USAGE_INTERVALS.reconcileMs),
    storageArchiveMs: seconds(
      'CAIRN_STORAGE_ARCHIVE_SECONDS',
      DEFAULT_USAGE_INTERVALS.storageArchiveMs,
    ),
    accessArchiveMs: seconds(
      'CAIRN_ACCESS_ARCHIVE_SECONDS',
      DEFAULT_USAGE_INTERVALS.accessArchiveMs,
    ),
  };
}

/** Adds the GC options, shared by the front end (embedded) and storage nodes. */
export function gcOptions(command: Command): Command {
  return command
    .option(
      '--gc-leeway <seconds>',
      'GC leeway (CAIRN_GC_LEEWAY_SECONDS)',
      integer(0, 365 * 86400),
      Number(env.CAIRN_GC_LEEWAY_SECONDS ?? 86400),
    )
    .option(
      '--gc-interval <seconds>',
      'how often due GC entries are collected (CAIRN_GC_INTERVAL_SECONDS)',
      integer(1, 86400),
      Number(env.CAIRN_GC_INTERVAL_SECONDS ?? 60),
    )
    .option(
      '--gc-sweep-interval <seconds>',
      'how often the orphan sweeper runs (CAIRN_GC_SWEEP_INTERVAL_SECONDS)',
      integer(1, 30 * 86400),
      Number(env.CAIRN_GC_SWEEP_INTERVAL_SECONDS ?? 86400),
    );
}

/** The parsed front-end options, as startFrontEnd takes them. */
export function frontEndSettings(opts: Record<string, unknown>) {
  return {
    host: opts['host'] as string,
    port: opts['port'] as number,
    blockSizeBytes: opts['blockSize'] as number,
    gcLeewaySeconds: opts['gcLeeway'] as number,
    gcIntervalSeconds: opts['gcInterval'] as number,
    gcSweepIntervalSeconds: opts['gcSweepInterval'] as number,
    // The embedded store collects its own garbage; in a cluster the storage nodes do.
    gcWorker: opts['nodes'] === undefined,
    anonymousUserCreation: Boolean(opts['anonymousUserCreation']),
    virtualHostBase: opts['virtualHostBase'] as string | undefined,
    region: opts['region'] as string,
    logLevel: opts['logLevel'] as string,
    usage: usageIntervals(),
    ...(opts['metricsToken'] ? { metricsToken: opts['metricsToken'] as string } : {}),
    headersTimeoutMs: opts['headersTimeout'] as number,
    // Only tests lower S3's 5 MiB minimum part size, to complete many tiny parts.
    ...(env.CAIRN_TEST_PART_BYTES_MIN
      ? { partBytesMin: Number(env.CAIRN_TEST_PART_BYTES_MIN) }
      : {}),
  };
}

/** A commander parser for the durability mode. */
export function durabilityMode(value: string): 'fsync' | 'none' {
  if (value !== 'fsync' && value !== 'none') {
    throw new InvalidArgumentError('expected fsync or none');
  }
  return value;
}

/** Adds --durability (CAIRN_DURABILITY), shared by `start` and `node`. */
export function durabilityOption(command: Command): Command {
  return command.option(
    '--durability <mode>',
    'fsync (default) or none: acknowledge before fsync, risking acknowledged writes on a crash',
    durabilityMode,
    env.CAIRN_DURABILITY ?? 'fsync',
  );
}
