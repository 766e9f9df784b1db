/**
 * Multipart uploads on the ring. An upload is one record in the bucket's ordered `uploads`
 * range; each part is its own record under (upload id, part number) with its own blocks.
 * Complete writes only a manifest that lists the parts' blocks, so its cost grows with the
 * number of parts, never with the bytes. Nothing here ever deletes a block directly: every
 * dead block set goes through the GC queue and its leeway.
 */
import type { Readable } from 'node:stream';
import type { RingClient } from '../../ring/client.js';
import { KEYSPACES } from '../../ring/keyspaces.js';
import { createChecksum, type IncrementalChecksum } from '../auth/checksums.js';
import { writeBlocks } from './block-writer.js';
import { partKey, sealBlock, sealedEtag, type OpenKey } from './encryption/block-seal.js';
import type { GcQueue } from './gc-queue.js';
import { blockKey, type Manifest } from './manifest.js';
import { allParts } from './manifest-parts.js';
import {
  checkClaimedChecksum,
  completedWith,
  decodePart,
  decodeUpload,
  encodeRecord,
  multipartEtag,
  MultipartError,
  objectChecksum,
  partSortKey,
  planCompletion,
  uploadSortKey,
  type ClaimedChecksum,
  type PartRecord,
  type RequestedPart,
  type UploadRecord,
} from './multipart.js';
import type { ObjectStore } from './object-store.js';

/** Tunables of multipart uploads. */
export interface MultipartStoreOptions {
  blockSize: number;
  /** Blocks written at once per part upload. */
  inFlightMax: number;
  /** Largest part, in bytes (S3: 5 GiB). */
  partBytesMax: number;
  /** Smallest part but the last on Complete (S3: 5 MiB; 0 when not enforced). */
  partBytesMin: number;
}

/** What a Complete request asks beyond its parts. */
export interface CompleteChecks {
  /** The object checksum the request's x-amz-checksum-* header claims. */
  claimed?: ClaimedChecksum;
  /** Its If-Match / If-None-Match, run against the current version right before commit. */
  precondition?: (current: Manifest | undefined, size?: number) => void;
  /** The version fields of a versioned bucket's new object, its object lock included. */
  version?: Pick<Manifest, 'orderId' | 'nullVersion' | 'retention' | 'legalHold'>;
}

/** What a part upload's caller checks once every byte is written. */
export type PartCheck = (written: { md5: Buffer; size: number }) => Record<string, string>;

const SCAN_BATCH = 1000;

/** Multipart uploads and their parts. */
export class MultipartStore {
  constructor(
    private readonly ring: RingClient,
    private readonly gc: GcQueue,
    private readonly objects: ObjectStore,
    readonly options: MultipartStoreOptions,
    private readonly clock: () => number,
  ) {}

  /** Starts an upload. */
  async create(upload: Omit<UploadRecord, 'format' | 'initiatedMs'>): Promise<UploadRecord> {
    const record: UploadRecord = { format: 1, ...upload, initiatedMs: this.clock() };
    const sk = uploadSortKey(upload.key, upload.uploadId);
    // The upload id is new, so there is nothing to read a context from.
    await this.ring.putVersioned(KEYSPACES.uploads, upload.bucketId, sk, encodeRecord(record), {});
    return record;
  }

  /** The upload `uploadId` of (bucketId, key); NoSuchUpload when it is not in progress. */
  async get(bucketId: string, key: string, uploadId: string): Promise<UploadRecord> {
    const upload = await this.find(bucketId, key, uploadId);
    if (!upload) throw new MultipartError('NoSuchUpload', 'The specified upload does not exist.');
    return upload;
  }

  /** The upload `uploadId` of (bucketId, key), if it is in progress. */
  async find(bucketId: string, key: string, uploadId: string): Promise<UploadRecord | undefined> {
    const value = await this.ring.get(KEYSPACES.uploads, bucketId, uploadSortKey(key, uploadId));
    return value ? decodeUpload(value) : undefined;
  }

  /**
   * The current version of (bucketId, key) if a Complete of `uploadId` naming `requested`
   * made it: a retry of a Complete whose answer was lost gets that answer again.
   */
  async completedBefore(
    bucketId: string,
    key: string,
    uploadId: string,
    requested: readonly RequestedPart[],
  ): Promise<Manifest | undefined> {
    const manifest = await this.objects.head(bucketId, key);
    if (manifest?.uploadId !== uploadId || uploadId === '') return undefined;
    const parts = await allParts(manifest, this.objects.partChunks);
    return completedWith({ ...manifest, parts }, requested) ? manifest : undefined;
  }

  /**
   * Stores `body` as part `partNumber`, replacing (and queueing for GC) any earlier upload
   * of that part. `check` runs after the last block and returns the client's verified
   * checksums; throwing there leaves the earlier part in place. With `key` (the upload's
   * opened data key) every block is sealed under the part's own key.
   */
  async putPart(
    upload: UploadRecord,
    part: { partNumber: number; versionId: string },
    body: AsyncIterable<Buffer> | Readable,
    check: PartCheck,
    key?: OpenKey,
  ): Promise<PartRecord> {
    const own = upload.checksumAlgorithm ? createChecksum(upload.checksumAlgorithm) : undefined;
    const { blockSize, inFlightMax, partBytesMax } = this.options;
    const sealing = key && partKey(key, part.partNumber, part.versionId);
    let launched = 0;
    const writeOne = (n: number, plain: Buffer) => {
      launched = Math.max(launched, n + 1);
      const data = sealing ? sealBlock(sealing, blockSize, n, plain) : plain;
      return this.ring.put(KEYSPACES.blocks, blockKey(part.versionId, n), '', data);
    };
    let record: PartRecord;
    try {
      const options = { blockSize, inFlightMax, sizeMax: partBytesMax };
      const written = await writeBlocks(tap(body, own), options, writeOne);
      const checksums = checksumsOf(check(written), own);
      record = {
        ...part,
        size: written.size,
        // Under the upload's key, not the part's: a part re-sent with the same bytes gets
        // the same ETag (a Complete naming the first answer's ETag finds it).
        etag: sealedEtag(key, written.md5.toString('hex')),
        blockSize,
        blockCount: written.blockCount,
        ...(Object.keys(checksums).length > 0 ? { checksums } : {}),
        lastModifiedMs: this.clock(),
      };
    } catch (error) {
      await this.gc.enqueue({ ...part, blockCount: launched }, this.clock()).catch(() => {});
      throw error;
    }
    await this.commitPart(upload, record);
    return record;
  }

  private async commitPart(upload: UploadRecord, record: PartRecord) {
    const sk = partSortKey(record.partNumber);
    const current = await this.ring.getVersioned(KEYSPACES.parts, upload.uploadId, sk);
    const value = encodeRecord(record);
    await this.ring.putVersioned(KEYSPACES.parts, upload.uploadId, sk, value, current.context);
    for (const old of current.values) await this.gc.enqueue(decodePart(old), this.clock());
    // An upload that ended while this part was written would never collect it: do it now.
    const still = await this.ring.get(
      KEYSPACES.uploads,
      upload.bucketId,
      uploadSortKey(upload.key, upload.uploadId),
    );
    if (!still) {
      await this.gc.enqueue(record, this.clock());
      await this.ring.delete(KEYSPACES.parts, upload.uploadId, sk);
      throw new MultipartError('NoSuchUpload', 'The upload ended while the part was written.');
    }
  }

  /** Parts of an upload after part `afterPartNumber`, in order, at most `limit`. */
  async listParts(uploadId: string, afterPartNumber: number, limit: number) {
    const after = afterPartNumber > 0 ? Buffer.from(partSortKey(afterPartNumber)) : undefined;
    const items = await this.ring.scan(KEYSPACES.parts, uploadId, { after, limit });
    return items.map((item) => decodePart(item.value));
  }

  private async allParts(uploadId: string): Promise<Map<number, PartRecord>> {
    const parts = new Map<number, PartRecord>();
    let after = 0;
    for (;;) {
      const batch = await this.listParts(uploadId, after, SCAN_BATCH);
      for (const part of batch) parts.set(part.partNumber, part);
      if (batch.length < SCAN_BATCH) return parts;
      after = batch.at(-1)!.partNumber;
    }
  }

  /**
   * Completes an upload as the object's new version: checks the named parts and the claimed
   * checksum, commits a manifest that lists their blocks, ends the upload and queues it for
   * GC (which collects the parts left out). Throws MultipartError for a request that names
   * bad parts or a checksum that does not hold; `checks.precondition` may throw too.
   */
  async complete(
    upload: UploadRecord,
    requested: readonly RequestedPart[],
    versionId: string,
    checks: CompleteChecks = {},
  ): Promise<Manifest> {
    const plan = planCompletion(
      requested,
      await this.allParts(upload.uploadId),
      this.options.partBytesMin,
    );
    const algorithm = upload.checksumAlgorithm;
    const type = upload.checksumType ?? 'COMPOSITE';
    const computed = algorithm ? objectChecksum(algorithm, type, plan.parts) : undefined;
    checkClaimedChecksum(checks.claimed, algorithm, computed);
    const manifest = await this.objects.commitParts(
      {
        format: 1,
        versionId,
        bucketId: upload.bucketId,
        key: upload.key,
        size: plan.size,
        etag: multipartEtag(plan.parts.map((part) => part.etag)),
        lastModifiedMs: this.clock(),
        blockSize: this.options.blockSize,
        blockCount: 0,
        headers: upload.headers,
        metadata: upload.metadata,
        checksums: algorithm && computed ? { [algorithm.toLowerCase()]: computed } : {},
        parts: plan.parts.map(({ lastModifiedMs: _, ...part }) => part),
        ...(upload.acl ? { acl: upload.acl } : {}),
        ...(upload.tags?.length ? { tags: upload.tags } : {}),
        ...(algorithm && computed ? { checksumType: type } : {}),
        ...(upload.storageClass ? { storageClass: upload.storageClass } : {}),
        uploadId: upload.uploadId,
        ...(upload.encryption ? { encryption: upload.encryption } : {}),
        ...checks.version,
      },
      checks.precondition,
    );
    await this.end(upload);
    return manifest;
  }

  /** Aborts an upload: it ends at once, and its parts are queued for GC. */
  async abort(upload: UploadRecord): Promise<void> {
    await this.end(upload);
  }

  private async end(upload: UploadRecord) {
    await this.gc.enqueueEndedUpload(upload, this.clock());
    await this.ring.delete(
      KEYSPACES.uploads,
      upload.bucketId,
      uploadSortKey(upload.key, upload.uploadId),
    );
  }

  /**
   * Rewrites an upload in progress with `change` (kms rotate re-wrapping its data key; its
   * parts stay as they are); undefined when it has ended meanwhile.
   */
  async rewrite(
    upload: UploadRecord,
    change: (stored: UploadRecord) => UploadRecord,
  ): Promise<UploadRecord | undefined> {
    const sk = uploadSortKey(upload.key, upload.uploadId);
    const read = await this.ring.getVersioned(KEYSPACES.uploads, upload.bucketId, sk);
    if (read.values.length === 0) return undefined;
    const changed = change(decodeUpload(read.values[0]!));
    const value = encodeRecord(changed);
    await this.ring.putVersioned(KEYSPACES.uploads, upload.bucketId, sk, value, read.context);
    return changed;
  }

  /** Uploads of a bucket in (key, upload id) order: the scan ListMultipartUploads pages. */
  async scanUploads(bucketId: string, options: { after?: Buffer; prefix?: Buffer; limit: number }) {
    const items = await this.ring.scan(KEYSPACES.uploads, bucketId, options);
    return items.map((item) => decodeUpload(item.value));
  }
}

/** Feeds every chunk to `checksum` (if any) on its way to the block writer. */
async function* tap(body: AsyncIterable<Buffer>, checksum: IncrementalChecksum | undefined) {
  for await (const chunk of body) {
    checksum?.update(chunk);
    yield chunk;
  }
}

/** The client's verified checksums (header names) and the upload's own, as algorithm → value. */
function checksumsOf(verified: Record<string, string>, own: IncrementalChecksum | undefined) {
  const checksums: Record<string, string> = {};
  for (const [name, value] of Object.entries(verified)) {
    checksums[name.toLowerCase().replace(/^x-amz-checksum-/, '')] = value;
  }
  if (own) checksums[own.algorithm.toLowerCase()] = own.digestBase64();
  return checksums;
}
