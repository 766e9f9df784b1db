/**
 * What the `cairn` commands share: their settings come from the table in src/config (flags,
 * CAIRN_* variables, --config file, defaults), turned here into what the front end and the
 * quorum take; and the shutdown-on-signal wrapper every long-running command uses.
 */
import type { FrontEndOptions } from '../front-end.js';

/** Settled settings of one program, by setting name (src/config/settings.ts). */
export type Settings = Record<string, unknown>;

/** How long past the grace a stuck shutdown may take before the process exits anyway, in ms. */
const SHUTDOWN_OVERRUN_MS = 10_000;

/**
 * Runs `close(graceMs)` on SIGINT/SIGTERM, exiting 0 once it is done: a graceful stop that
 * lets requests in flight finish within `shutdown.grace` (the setting) and cuts them past
 * it. A second signal exits at once; a close stuck past the grace (and a margin) exits 1.
 */
export function closeOnSignal(close: (graceMs: number) => Promise<void>, s?: Settings): void {
  const graceMs = (s?.['shutdownGrace'] as number | undefined) ?? 30_000;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stdout.write(`${signal}: shutting down (grace ${graceMs} ms)\n`);
    setTimeout(() => {
      process.stderr.write(`shutdown took over ${graceMs} ms and its margin: exiting\n`);
      process.exit(1);
    }, graceMs + SHUTDOWN_OVERRUN_MS).unref();
    close(graceMs).then(
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

const seconds = (value: unknown) => Math.round((value as number) * 1000);

/** The front end's options from its settings; `gcWorker`: whether it collects garbage. */
export function frontEndSettings(s: Settings, gcWorker: boolean): FrontEndOptions {
  refuseWebsiteOnRootHost(s);
  return {
    host: s['host'] as string,
    port: s['port'] as number,
    blockSizeBytes: s['blockSize'] as number,
    inlineBytesMax: s['inlineMax'] as number,
    gcLeewaySeconds: s['gcLeeway'] as number,
    gcIntervalSeconds: s['gcInterval'] as number,
    gcSweepIntervalSeconds: s['gcSweepInterval'] as number,
    gcBucketIntervalSeconds: s['gcBucketInterval'] as number,
    gcWorker,
    lifecycle: {
      dayMs: seconds(s['lifecycleDaySeconds']),
      ratePerSecond: s['lifecycleRate'] as number,
    },
    anonymousUserCreation: s['anonymousUserCreation'] as boolean,
    ...(s['rootHost'] ? { rootHost: s['rootHost'] as string } : {}),
    ...(s['websiteHostBase'] ? { websiteHostBase: s['websiteHostBase'] as string } : {}),
    region: s['region'] as string,
    logLevel: s['logLevel'] as string,
    maxBucketsPerUser: s['maxBucketsPerUser'] as number,
    usage: {
      flushMs: seconds(s['usageFlush']),
      reconcileMs: seconds(s['usageReconcile']),
      storageArchiveMs: seconds(s['storageArchive']),
      accessArchiveMs: seconds(s['accessArchive']),
    },
    ...(s['metricsToken'] ? { metricsToken: s['metricsToken'] as string } : {}),
    headersTimeoutMs: s['headersTimeout'] as number,
    console: { enabled: s['console'] !== false, idleMs: seconds(s['consoleSessionIdle']) },
    // Riak CS's enforce_multipart_part_size = false: no minimum at all, not a lower one.
    ...(s['enforceMultipartPartSize'] === false ? { partBytesMin: 0 } : {}),
  };
}

/** One domain cannot be both: every virtual-hosted request would be served as a website. */
function refuseWebsiteOnRootHost(s: Settings): void {
  const website = (s['websiteHostBase'] as string | undefined)?.toLowerCase();
  if (website !== undefined && website === (s['rootHost'] as string | undefined)?.toLowerCase()) {
    throw new Error(
      `website.host_base and root_host are both ${website}: the website endpoint needs a ` +
        'domain of its own (as AWS serves s3-website hosts beside s3 ones)',
    );
  }
}

/** The admin's keys from admin.key and admin.secret, when set (both or neither). */
export function adminKeysOf(s: Settings): { keyId: string; secret: string } | undefined {
  const keyId = s['adminKey'] as string | undefined;
  const secret = s['adminSecret'] as string | undefined;
  if (keyId === undefined && secret === undefined) return undefined;
  if (keyId === undefined || secret === undefined) {
    throw new Error('admin.key and admin.secret go together: set both, or neither');
  }
  return { keyId, secret };
}
