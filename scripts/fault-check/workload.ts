/**
 * The checker's workload: workers each own a set of keys and run PUT, overwrite and DELETE
 * on them one at a time, recording for every key what an honest store may now return: the
 * last acknowledged state, plus any attempt whose outcome the client never learned.
 */
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';

/** What a key may hold: MD5 hex of an acknowledged body, or 'deleted'. */
export type KeyState = string;

/** Per key: every state it may hold now. */
export type Expectations = Map<string, Set<KeyState>>;

/** Counts of the workload. */
export interface WorkloadStats {
  acknowledged: number;
  failed: number;
}

/** Writes every key once, then changes the hot half until `shouldStop()`. */
export async function runWorkload(
  s3: S3Client,
  bucket: string,
  keys: string[],
  workers: number,
  shouldStop: () => boolean,
): Promise<{ expected: Expectations; stats: WorkloadStats }> {
  const expected: Expectations = new Map(keys.map((k) => [k, new Set(['deleted'])]));
  const stats: WorkloadStats = { acknowledged: 0, failed: 0 };
  // Every key is written once; then only the hot half keeps changing. The cold half is
  // what a wiped replica can only get back through anti-entropy.
  const hot = keys.filter((_, i) => i % 2 === 0);
  const worker = async (w: number) => {
    for (const key of keys.filter((_, i) => i % workers === w)) {
      await step(s3, bucket, key, expected, stats, false);
    }
    const mine = hot.filter((_, i) => i % workers === w);
    for (let i = 0; !shouldStop() && mine.length > 0; i++) {
      await step(s3, bucket, mine[i % mine.length]!, expected, stats, true);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return { expected, stats };
}

async function step(
  s3: S3Client,
  bucket: string,
  key: string,
  expected: Expectations,
  stats: WorkloadStats,
  mayDelete: boolean,
): Promise<void> {
  const possible = expected.get(key)!;
  const remove = mayDelete && Math.random() < 0.2;
  const body = remove ? undefined : randomBytes(1 + Math.floor(Math.random() * 200_000));
  const state = body ? createHash('md5').update(body).digest('hex') : 'deleted';
  try {
    if (body) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    else await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expected.set(key, new Set([state]));
    stats.acknowledged++;
  } catch {
    possible.add(state);
    stats.failed++;
    await new Promise((r) => setTimeout(r, 200));
  }
}
