/**
 * `cairn-admin import --from URL --admin-key ID --admin-secret SECRET`: copies every user
 * (same keys, canonical id and status), bucket (owner, ACL, policy) and object (bytes,
 * ETag, headers, metadata, ACL) of a store that speaks the Riak CS admin API and S3 into
 * the store `--url` names. Resumable: run it again and it copies only what is missing or
 * changed. Exit status: 0 all copied, 2 finished with things not copied (listed), 1 refused
 * or failed before starting, 130 interrupted.
 */
import type { Command } from 'commander';
import type { WriteStream } from 'node:tty';
import { exitCodeOf, renderReport } from '../import/core/report.js';
import { runImport } from '../import/run.js';
import { resolveTarget, type TargetOptions } from './admin-client.js';

interface ImportFlags {
  from?: string;
  adminKey?: string;
  adminSecret?: string;
  sourceSignature: string;
  sourceRegion: string;
  concurrency: string;
  json?: boolean;
  progress: boolean;
}

const CONCURRENCY_MAX = 64;

/** Adds the `import` command. */
export function registerImportCommands(program: Command): void {
  program
    .command('import')
    .description('copy users, buckets and objects from a Riak CS (or another Cairn) store')
    .option('--from <url>', "the source's S3 endpoint, its admin API on the same port (required)")
    .option('--admin-key <id>', "the source admin's key id (CAIRN_SOURCE_ADMIN_KEY)")
    .option('--admin-secret <secret>', "the source admin's secret (CAIRN_SOURCE_ADMIN_SECRET)")
    .option('--source-signature <v2|v4>', 'signature for the source (v2: every Riak CS)', 'v2')
    .option('--source-region <region>', 'region for v4 signing to the source', 'us-east-1')
    .option('--concurrency <n>', `objects copied at once, 1-${CONCURRENCY_MAX}`, '8')
    .option('--json', 'print the final report as JSON')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .action(async (flags: ImportFlags) => {
      const options = await importOptions(program.opts<TargetOptions>(), flags);
      const controller = new AbortController();
      const stop = () => {
        if (controller.signal.aborted) process.exit(130);
        process.stderr.write('\ninterrupted: stopping (Ctrl-C again to quit at once)\n');
        controller.abort();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      const startedMs = Date.now();
      const report = await runImport({ ...options, signal: controller.signal });
      process.stdout.write(
        flags.json ? JSON.stringify(report) + '\n' : renderReport(report, Date.now() - startedMs),
      );
      process.exitCode = controller.signal.aborted ? 130 : exitCodeOf(report);
    });
}

async function importOptions(target: TargetOptions, flags: ImportFlags) {
  // Checked here, not by requiredOption: commander checks those before unknown options.
  const from = flags.from;
  if (from === undefined) throw new Error("import needs --from <url>: the source's S3 endpoint");
  const env = process.env;
  const keyId = flags.adminKey ?? env.CAIRN_SOURCE_ADMIN_KEY;
  const secret = flags.adminSecret ?? env.CAIRN_SOURCE_ADMIN_SECRET;
  if (!keyId || !secret) {
    throw new Error('give the source admin keys: --admin-key and --admin-secret');
  }
  if (flags.sourceSignature !== 'v2' && flags.sourceSignature !== 'v4') {
    throw new Error('--source-signature must be v2 or v4');
  }
  const concurrency = Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > CONCURRENCY_MAX) {
    throw new Error(`--concurrency must be a whole number from 1 to ${CONCURRENCY_MAX}`);
  }
  const to = await resolveTarget(target);
  const terminal =
    flags.progress && !flags.json && process.stderr.isTTY
      ? (process.stderr as WriteStream)
      : undefined;
  return {
    from: {
      url: from,
      admin: { keyId, secret },
      signature: flags.sourceSignature,
      region: flags.sourceRegion,
    },
    to: { url: to.url, admin: { keyId: to.keyId, secret: to.secret }, region: to.region },
    concurrency,
    ...(terminal ? { terminal } : {}),
  } as const;
}
