/**
 * Small helpers the multipart, copy and multi-delete integration tests share: an S3 error's
 * name and status, a body's bytes, MD5s, the expected multipart ETag, and the three
 * multipart calls bound to one client and bucket.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
export { s3ErrorOf } from './s3-errors.js';

/** Hex MD5. */
export const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

/** The whole body of a GetObject answer. */
export async function bodyOf(response: { Body?: unknown }): Promise<Buffer> {
  const body = response.Body as { transformToByteArray(): Promise<Uint8Array> };
  return Buffer.from(await body.transformToByteArray());
}

/** The quoted ETag S3 gives an object made of `parts`. */
export function expectedEtag(parts: Buffer[]): string {
  const digests = parts.map((p) => createHash('md5').update(p).digest());
  return `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${parts.length}"`;
}

/** A part as Complete names it. */
export type CompletedPart = { PartNumber: number; ETag: string; ChecksumCRC32?: string };

/** Create, UploadPart and Complete for one bucket through `client()`. */
export function multipartCalls(client: () => S3Client, bucket: string) {
  return {
    async create(key: string, extra: { ChecksumAlgorithm?: 'CRC32' } = {}) {
      const command = new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...extra });
      return (await client().send(command)).UploadId!;
    },
    async upload(key: string, uploadId: string, partNumber: number, data: Buffer) {
      const out = await client().send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: data,
        }),
      );
      return { PartNumber: partNumber, ETag: out.ETag! };
    },
    complete(key: string, uploadId: string, parts: CompletedPart[]) {
      return client().send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    },
  };
}
