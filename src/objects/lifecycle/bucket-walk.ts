/**
 * One bucket's part of a lifecycle pass: its current objects (Expiration), its version
 * records key by key (NoncurrentVersionExpiration, ExpiredObjectDeleteMarker), then its
 * multipart uploads (AbortIncompleteMultipartUpload), each in sort-key order from a cursor,
 * in small batches. After every batch the cursor is handed to `onBatch`, which persists it:
 * a walk that stops (a restart, a failure) goes on from the last batch done.
 */
import type { BucketRecord } from '../../../stanchion/core/records.js';
import type { ObjectStore } from '../object-store.js';
import type { MultipartStore } from '../multipart-store.js';
import { uploadSortKey } from '../multipart.js';
import { parseVersionSortKey } from '../version-keys.js';
import type { LifecycleActions } from './actions.js';
import { PHASES, type LifecycleCursor, type PassCounts, type Phase } from './progress.js';
import { currentDue, dueVersions, uploadDue, type LifecycleRule } from './rules.js';

/** What a walk reads, does and tells. */
export interface WalkDeps {
  objects: ObjectStore;
  multipart: MultipartStore;
  actions: LifecycleActions;
  clock: () => number;
  dayMs: number;
  /** Records read per batch. */
  batch: number;
  /** After each batch: persists the cursor, waits as the rate limit says; false: stop. */
  onBatch: (cursor: LifecycleCursor, items: number) => Promise<boolean>;
  counts: PassCounts;
  log: (message: string, error?: unknown) => void;
}

type Bucket = Pick<BucketRecord, 'id' | 'name' | 'versioning'>;

/** Walks `bucket` from `cursor` (its phase and position); false if told to stop. */
export async function walkBucket(
  deps: WalkDeps,
  bucket: Bucket,
  rules: readonly LifecycleRule[],
  cursor?: LifecycleCursor,
): Promise<boolean> {
  const start = cursor ? PHASES.indexOf(cursor.phase) : 0;
  for (const phase of PHASES.slice(start)) {
    let after = phase === cursor?.phase && cursor.after ? cursor.after : undefined;
    for (;;) {
      const step = await walkStep(deps, bucket, rules, phase, after);
      if (step.items === 0) break;
      after = step.after;
      const go = await deps.onBatch({ bucket: bucket.name, phase, after }, step.items);
      if (!go) return false;
    }
  }
  return true;
}

interface Step {
  items: number;
  after: string;
}

function walkStep(
  deps: WalkDeps,
  bucket: Bucket,
  rules: readonly LifecycleRule[],
  phase: Phase,
  afterHex: string | undefined,
): Promise<Step> {
  const after = afterHex === undefined ? undefined : Buffer.from(afterHex, 'hex');
  if (phase === 'current') return currentStep(deps, bucket, rules, after);
  if (phase === 'versions') return versionsStep(deps, bucket, rules, after);
  return uploadsStep(deps, bucket, rules, after);
}

/** Runs one action; a refusal (a locked version) or a failure skips it, logged. */
async function attempt(deps: WalkDeps, what: string, action: () => Promise<boolean>) {
  try {
    return await action();
  } catch (error) {
    deps.counts.skipped++;
    deps.log(`lifecycle: ${what} left`, error);
    return false;
  }
}

async function currentStep(
  deps: WalkDeps,
  bucket: Bucket,
  rules: readonly LifecycleRule[],
  after?: Buffer,
) {
  const items = await deps.objects.scanItems(bucket.id, {
    ...(after ? { after } : {}),
    limit: deps.batch,
  });
  for (const { manifest } of items) {
    deps.counts.scanned++;
    if (manifest.deleteMarker || !currentDue(rules, manifest, deps.clock(), deps.dayMs)) continue;
    const done = await attempt(deps, 'expiration', () =>
      deps.actions.expireCurrent(bucket, manifest),
    );
    if (done) deps.counts.expired++;
  }
  return { items: items.length, after: items.at(-1)?.sk.toString('hex') ?? '' };
}

/** One key's versions per step: the next key after `after`, all its versions at once. */
async function versionsStep(
  deps: WalkDeps,
  bucket: Bucket,
  rules: readonly LifecycleRule[],
  after?: Buffer,
) {
  const versions = deps.objects.versions;
  const [next] = await versions.scan(bucket.id, { ...(after ? { after } : {}), limit: 1 });
  const key = next && parseVersionSortKey(next.sk)?.key;
  if (!next) return { items: 0, after: '' };
  if (key === undefined) return { items: 1, after: next.sk.toString('hex') };
  const all = await versions.keyVersions(bucket.id, key);
  deps.counts.scanned += all.length;
  const due = dueVersions(
    rules,
    all.map((item) => item.manifest),
    deps.clock(),
    deps.dayMs,
  );
  // Noncurrent versions first, the current marker last: it goes only once they are gone.
  for (const index of due) {
    const version = all[index]!.manifest;
    const done = await attempt(deps, 'version expiration', async () => {
      await deps.actions.deleteVersion(version);
      return true;
    });
    if (done) deps.counts.expired++;
  }
  const last = all.at(-1)?.sk ?? next.sk;
  return {
    items: Math.max(1, all.length),
    after: (Buffer.compare(last, next.sk) > 0 ? last : next.sk).toString('hex'),
  };
}

async function uploadsStep(
  deps: WalkDeps,
  bucket: Bucket,
  rules: readonly LifecycleRule[],
  after?: Buffer,
) {
  const uploads = await deps.multipart.scanUploads(bucket.id, {
    ...(after ? { after } : {}),
    limit: deps.batch,
  });
  for (const upload of uploads) {
    deps.counts.scanned++;
    if (!uploadDue(rules, upload, deps.clock(), deps.dayMs)) continue;
    const done = await attempt(deps, 'upload abort', async () => {
      await deps.actions.abortUpload(upload);
      return true;
    });
    if (done) deps.counts.aborted++;
  }
  const last = uploads.at(-1);
  const sk = last ? Buffer.from(uploadSortKey(last.key, last.uploadId), 'utf8') : undefined;
  return { items: uploads.length, after: sk?.toString('hex') ?? '' };
}
