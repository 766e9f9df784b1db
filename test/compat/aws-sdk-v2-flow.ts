/**
 * aws-sdk v2 for JavaScript against a real cairn process, signing with Signature V2 or V4:
 * bucket, put/get/head, listing, multipart (the SDK's managed upload, and by hand with
 * UploadPartCopy, ListParts and abort), presigned GET/PUT fetched with plain fetch, copy,
 * tagging, multi-object delete. Run in-process by test/integration/compat.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { strict as assert } from 'node:assert';
import { sdkV2Client, type SdkV2Target } from '../helpers/aws-sdk-v2.js';

const MIB = 1024 * 1024;
const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

/** Runs the whole flow as `target`'s user; throws on the first difference. */
export async function awsSdkV2Flow(target: SdkV2Target, version: 'v2' | 'v4'): Promise<void> {
  const s3 = await sdkV2Client(target, version);
  const Bucket = `sdk-v2-${version}`;
  await s3.createBucket({ Bucket }).promise();
  const body = randomBytes(300_000);
  await s3.putObject({ Bucket, Key: 'dir/a b.bin', Body: body, Metadata: { k: 'v' } }).promise();
  const got = await s3.getObject({ Bucket, Key: 'dir/a b.bin' }).promise();
  assert.ok(Buffer.from(got.Body as Buffer).equals(body));
  assert.deepEqual(got.Metadata, { k: 'v' });
  const head = await s3.headObject({ Bucket, Key: 'dir/a b.bin' }).promise();
  assert.equal(head.ContentLength, body.length);
  const ranged = await s3.getObject({ Bucket, Key: 'dir/a b.bin', Range: 'bytes=10-19' }).promise();
  assert.ok(Buffer.from(ranged.Body as Buffer).equals(body.subarray(10, 20)));

  await multipartFlow(s3, Bucket, body);
  await presignFlow(s3, Bucket, body);

  await s3.copyObject({ Bucket, Key: 'copy', CopySource: `/${Bucket}/dir/a%20b.bin` }).promise();
  const copied = await s3.getObject({ Bucket, Key: 'copy' }).promise();
  assert.equal(md5(copied.Body as Buffer), md5(body));
  const TagSet = [{ Key: 't', Value: '1' }];
  await s3.putObjectTagging({ Bucket, Key: 'copy', Tagging: { TagSet } }).promise();
  assert.deepEqual((await s3.getObjectTagging({ Bucket, Key: 'copy' }).promise()).TagSet, TagSet);

  const listed = await s3.listObjectsV2({ Bucket }).promise();
  const keys = (listed.Contents ?? []).map((o) => o.Key!);
  assert.deepEqual(keys, ['copy', 'dir/a b.bin', 'multi/managed', 'multi/manual', 'presigned']);
  const top = await s3.listObjects({ Bucket, Delimiter: '/' }).promise();
  assert.deepEqual(
    (top.CommonPrefixes ?? []).map((p) => p.Prefix),
    ['dir/', 'multi/'],
  );
  const Objects = keys.map((Key) => ({ Key }));
  const deleted = await s3.deleteObjects({ Bucket, Delete: { Objects } }).promise();
  assert.equal(deleted.Deleted?.length, keys.length);
  assert.deepEqual((await s3.listObjectsV2({ Bucket }).promise()).Contents, []);
  await s3.deleteBucket({ Bucket }).promise();
  const buckets = (await s3.listBuckets().promise()).Buckets ?? [];
  assert.ok(!buckets.some((b) => b.Name === Bucket));
}

async function multipartFlow(s3: import('aws-sdk').S3, Bucket: string, small: Buffer) {
  // The managed upload: 12 MiB in 5 MiB parts, sent 2 at a time.
  const big = randomBytes(12 * MIB + 7);
  await s3
    .upload({ Bucket, Key: 'multi/managed', Body: big }, { partSize: 5 * MIB, queueSize: 2 })
    .promise();
  const back = await s3.getObject({ Bucket, Key: 'multi/managed' }).promise();
  assert.match(String(back.ETag), /-3"$/);
  assert.equal(md5(back.Body as Buffer), md5(big));

  // By hand: part 1 copied from a range of the managed object, part 2 uploaded.
  const Key = 'multi/manual';
  const { UploadId } = await s3.createMultipartUpload({ Bucket, Key }).promise();
  const copy = await s3
    .uploadPartCopy({
      Bucket,
      Key,
      UploadId: UploadId!,
      PartNumber: 1,
      CopySource: `/${Bucket}/multi/managed`,
      CopySourceRange: `bytes=0-${5 * MIB - 1}`,
    })
    .promise();
  const part = await s3
    .uploadPart({ Bucket, Key, UploadId: UploadId!, PartNumber: 2, Body: small })
    .promise();
  const parts = await s3.listParts({ Bucket, Key, UploadId: UploadId! }).promise();
  assert.deepEqual(
    parts.Parts?.map((p) => p.PartNumber),
    [1, 2],
  );
  await s3
    .completeMultipartUpload({
      Bucket,
      Key,
      UploadId: UploadId!,
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: copy.CopyPartResult!.ETag! },
          { PartNumber: 2, ETag: part.ETag! },
        ],
      },
    })
    .promise();
  const manual = await s3.getObject({ Bucket, Key }).promise();
  const expected = Buffer.concat([big.subarray(0, 5 * MIB), small]);
  assert.equal(md5(manual.Body as Buffer), md5(expected));

  const aborted = await s3.createMultipartUpload({ Bucket, Key: 'multi/aborted' }).promise();
  await s3
    .abortMultipartUpload({ Bucket, Key: 'multi/aborted', UploadId: aborted.UploadId! })
    .promise();
  assert.deepEqual((await s3.listMultipartUploads({ Bucket }).promise()).Uploads, []);
}

async function presignFlow(s3: import('aws-sdk').S3, Bucket: string, body: Buffer) {
  const params = { Bucket, Key: 'presigned', Expires: 120 };
  const fresh = randomBytes(5000);
  const putUrl = s3.getSignedUrl('putObject', params);
  const put = await fetch(putUrl, { method: 'PUT', body: new Uint8Array(fresh) });
  assert.equal(put.status, 200, await put.text());
  const getUrl = s3.getSignedUrl('getObject', params);
  const got = await fetch(getUrl);
  assert.ok(Buffer.from(await got.arrayBuffer()).equals(fresh));
  const wrongMethod = await fetch(getUrl, { method: 'PUT', body: new Uint8Array(body) });
  assert.equal(wrongMethod.status, 403);
  await wrongMethod.arrayBuffer();
  const expired = s3.getSignedUrl('getObject', { ...params, Expires: 1 });
  await new Promise((r) => setTimeout(r, 2100));
  const late = await fetch(expired);
  assert.equal(late.status, 403);
  await late.arrayBuffer();
}
