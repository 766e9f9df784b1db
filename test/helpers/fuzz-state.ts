/**
 * Everything a refused request could have changed, read back through the SDK as one JSON
 * value: the bucket list, and per bucket its objects (key, size, ETag, MD5 of the bytes,
 * tags), its settings (versioning, tagging, CORS) and its multipart uploads with their
 * parts. Two snapshots that differ prove some request changed state.
 */
import {
  GetBucketCorsCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';

/** A snapshot of every bucket except `ignored`, as pretty JSON (diffable in a failure). */
export async function snapshotState(s3: S3Client, ignored: readonly string[]): Promise<string> {
  const listed = await s3.send(new ListBucketsCommand({}));
  const names = (listed.Buckets ?? []).map((b) => b.Name!).filter((n) => !ignored.includes(n));
  const buckets: Record<string, unknown> = {};
  for (const name of names.sort()) buckets[name] = await bucketState(s3, name);
  return JSON.stringify(buckets, null, 1);
}

async function bucketState(s3: S3Client, bucket: string) {
  const objects: unknown[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: item.Key! }));
      const bytes = await got.Body!.transformToByteArray();
      const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: item.Key! }));
      objects.push({
        key: item.Key,
        size: item.Size,
        etag: item.ETag,
        md5: createHash('md5').update(bytes).digest('hex'),
        tags: tags.TagSet,
        metadata: got.Metadata,
      });
    }
    token = page.NextContinuationToken;
  } while (token);
  const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  return {
    objects,
    versioning: versioning.Status ?? 'never enabled',
    tagging: await orAbsent(
      () => s3.send(new GetBucketTaggingCommand({ Bucket: bucket })),
      'TagSet',
    ),
    cors: await orAbsent(() => s3.send(new GetBucketCorsCommand({ Bucket: bucket })), 'CORSRules'),
    uploads: await uploadsState(s3, bucket),
  };
}

async function uploadsState(s3: S3Client, bucket: string) {
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  const uploads: unknown[] = [];
  for (const upload of listed.Uploads ?? []) {
    const parts = await s3.send(
      new ListPartsCommand({ Bucket: bucket, Key: upload.Key!, UploadId: upload.UploadId! }),
    );
    uploads.push({
      key: upload.Key,
      uploadId: upload.UploadId,
      parts: (parts.Parts ?? []).map((p) => [p.PartNumber, p.ETag, p.Size]),
    });
  }
  return uploads;
}

/** The named field of a settings read, or 'absent' when the bucket has none (a 404). */
async function orAbsent<T extends object>(read: () => Promise<T>, field: keyof T) {
  try {
    return (await read())[field];
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
      return 'absent';
    }
    throw error;
  }
}
