/**
 * Server-side encryption of multipart uploads. CreateMultipartUpload chooses the sealing
 * as PutObject does (SSE-C, SSE-S3 or the bucket's default) and the upload record keeps
 * only its EncryptionRecord (for SSE-C the salt and the key's salted MAC, never the key);
 * every UploadPart and UploadPartCopy opens the data key again from what it brings (SSE-C:
 * the same key, checked against the MAC), and the store seals the part under a key derived
 * for that part. AWS's answers: a part of an SSE-C upload without the key is 400
 * InvalidRequest, with another key 400 InvalidArgument; SSE-C headers on an upload not so
 * encrypted are 400 InvalidRequest. ListParts checks a key it is given the same way.
 */
import type { S3Context } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import { customerDataKey } from '../objects/encryption/sse-keys.js';
import type { UploadRecord } from '../objects/multipart.js';
import {
  customerAnswer,
  headersOf,
  managedKeyOf,
  MANAGED_ANSWER,
  transportOf,
  type WriteSealing,
} from './object-encryption.js';
import { CUSTOMER_PREFIX, customerKeyOf } from './sse-request.js';

/**
 * The key a request on `upload` (UploadPart, UploadPartCopy, Complete) seals or checks
 * with, and the headers its answer carries. `keyRequired`: a part must bring an SSE-C
 * upload's key; Complete may leave it out (AWS asks for it only with checksums).
 */
export function keyForUpload(
  ctx: S3Context,
  upload: Pick<UploadRecord, 'encryption'>,
  keyRequired = true,
): WriteSealing {
  const customer = customerKeyOf(headersOf(ctx), CUSTOMER_PREFIX, transportOf(ctx));
  const record = upload.encryption;
  if (record?.kind !== 'customer') {
    if (customer) {
      throw new S3Error(
        'InvalidRequest',
        'The encryption parameters are not applicable to this multipart upload.',
      );
    }
    if (!record) return { answer: {} };
    return { key: { record, dataKey: managedKeyOf(ctx, record) }, answer: { ...MANAGED_ANSWER } };
  }
  if (!customer) {
    if (!keyRequired) return { answer: {} };
    throw new S3Error(
      'InvalidRequest',
      'The multipart upload initiate requested encryption. Subsequent part requests must ' +
        'include the appropriate encryption parameters.',
    );
  }
  const dataKey = customerDataKey(record, customer.key);
  if (!dataKey) {
    throw new S3Error(
      'InvalidArgument',
      'The provided encryption parameters did not match the ones used originally.',
    );
  }
  return { key: { record, dataKey }, answer: customerAnswer(customer) };
}

/**
 * ListParts' SSE-C headers (AWS documents them there): absent, the parts are listed as for
 * any caller allowed to; present, they must be the upload's key, refused as on UploadPart
 * (another key 400 InvalidArgument, an upload not under SSE-C 400 InvalidRequest, plain
 * HTTP 400 InvalidRequest). An SSE-S3 upload's data key is never unwrapped for a listing.
 */
export function checkListPartsKey(ctx: S3Context, upload: Pick<UploadRecord, 'encryption'>) {
  const headers = headersOf(ctx);
  if (!Object.keys(headers).some((name) => name.startsWith(CUSTOMER_PREFIX))) return;
  keyForUpload(ctx, upload, false);
}
