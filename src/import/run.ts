/**
 * `cairn-admin import`: brings a Riak CS installation (or another Cairn) across. Checks
 * both stores' admin keys before it changes anything, then copies users, then each
 * bucket with its policy, ACL and objects, and returns the report. Interrupted (the
 * signal), it stops starting copies, aborts the ones in flight and returns what it did.
 */
import { listUsers } from './admin-calls.js';
import type { WriteStream } from 'node:tty';
import { pairListings, planObject } from './core/plan.js';
import { emptyReport, type ImportReport } from './core/report.js';
import type { ListedObject } from './core/xml.js';
import { importBucket } from './bucket-copy.js';
import { bucketsToImport, type BucketJob } from './buckets-phase.js';
import type { ImportContext } from './context.js';
import { Progress } from './progress-bar.js';
import { endpointOf, S3CallError, type Keys } from './s3-http.js';
import { Store } from './store.js';
import { importUsers } from './users-phase.js';

/** Where to copy from and to, and how. */
export interface ImportOptions {
  from: { url: string; admin: Keys; signature: 'v2' | 'v4'; region: string };
  to: { url: string; admin: Keys; region: string };
  concurrency: number;
  /** The terminal to draw progress on; plain log lines otherwise. */
  terminal?: WriteStream;
  signal: AbortSignal;
}

/** A failure that stops the import before it changes anything. */
export class ImportRefused extends Error {}

/** Runs the import; throws ImportRefused when a store cannot be used at all. */
export async function runImport(options: ImportOptions): Promise<ImportReport> {
  const endpoint = (url: string, region: string, signature: 'v2' | 'v4') =>
    endpointOf(url, { region, signature, concurrency: options.concurrency });
  const source = new Store(
    endpoint(options.from.url, options.from.region, options.from.signature),
    'source',
    options.signal,
  );
  const target = new Store(
    endpoint(options.to.url, options.to.region, 'v4'),
    'target',
    options.signal,
  );
  const users = await usable('source', options.from.url, () =>
    listUsers(source, options.from.admin, 1),
  );
  await usable('target', options.to.url, () => listUsers(target, options.to.admin, 1));
  const progress = new Progress(options.terminal, Date.now());
  const ctx: ImportContext = {
    source,
    target,
    sourceAdmin: options.from.admin,
    targetAdmin: options.to.admin,
    accounts: new Map(),
    report: emptyReport(),
    progress,
    log: (line) => progress.log(line, process.stderr),
    concurrency: options.concurrency,
    signal: options.signal,
  };
  try {
    await importUsers(ctx, users);
    const buckets = await bucketsToImport(ctx);
    if (progress.drawn) await survey(ctx, buckets);
    progress.start();
    for (const job of buckets) {
      if (options.signal.aborted) break;
      await importBucket(ctx, job);
    }
  } finally {
    progress.stop();
    source.endpoint.agent.destroy();
    target.endpoint.agent.destroy();
  }
  if (options.signal.aborted) ctx.report.notes.push('interrupted: run the import again to finish');
  return ctx.report;
}

/** Runs a first call to a store, turning its failure into a message for the operator. */
async function usable<T>(
  side: 'source' | 'target',
  url: string,
  first: () => Promise<T>,
): Promise<T> {
  try {
    return await first();
  } catch (error) {
    if (!(error instanceof S3CallError)) {
      throw new ImportRefused(
        `the ${side} at ${url} did not answer as a Riak CS admin API: ${String(error)}`,
      );
    }
    if (error.status === undefined)
      throw new ImportRefused(`the ${side} is unreachable: ${error.message}`);
    const which = side === 'source' ? '--admin-key/--admin-secret' : 'the target admin keys';
    if (error.status === 403) {
      throw new ImportRefused(
        `the ${side} refused ${which} (${error.message}); they must be its admin's keys`,
      );
    }
    throw new ImportRefused(`the ${side} at ${url} failed: ${error.message}`);
  }
}

/** Counts what is left to copy, for the progress bar's totals. */
async function survey(ctx: ImportContext, buckets: BucketJob[]): Promise<void> {
  const state = ctx.progress.state;
  for (const job of buckets) {
    const keys = job.owner.keys;
    try {
      const pairs = pairListings(
        ctx.source.listObjects(keys, job.name),
        orEmpty(ctx.target.listObjects(keys, job.name)),
      );
      for await (const { source, target } of pairs) {
        if (ctx.signal.aborted) return;
        if (planObject(source, target) === 'same') continue;
        state.objectsTotal++;
        state.bytesTotal += source.size;
      }
    } catch {
      // The copy pass meets the same failure and reports it.
    }
  }
}

/** A target listing that is empty when the bucket does not exist there yet. */
async function* orEmpty(listing: AsyncGenerator<ListedObject>): AsyncGenerator<ListedObject> {
  try {
    yield* listing;
  } catch (error) {
    if (!(error instanceof S3CallError) || error.code !== 'NoSuchBucket') throw error;
  }
}
