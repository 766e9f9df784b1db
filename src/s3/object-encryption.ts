/**
 * Server-side encryption of one object request: the sealing a write stores under (SSE-C
 * from the request's key, SSE-S3 from the request or the bucket's default) and the key a
 * read opens with, with AWS's answers when they do not fit: an SSE-C object read without
 * its key is a 400, with another key a 403 (AccessDenied), and SSE-C headers on an object
 * not so stored a 400. Responses carry the encryption headers AWS returns.
 */
import type { S3Context } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import type { OpenKey } from '../objects/encryption/block-seal.js';
import { CHUNK_PLAIN_BYTES } from '../objects/encryption/chunked-gcm.js';
import {
  customerDataKey,
  customerSealing,
  managedDataKey,
  managedSealing,
  MasterKeyError,
} from '../objects/encryption/sse-keys.js';
import type { Manifest } from '../objects/manifest.js';
import {
  CUSTOMER_PREFIX,
  customerKeyOf,
  managedRequested,
  noMasterKey,
  type CustomerKey,
} from './sse-request.js';
import { unopenableDataKey } from './missing-master-key.js';

/** A write's sealing and the headers its answer carries; none for a write in the clear. */
export interface WriteSealing {
  key?: OpenKey;
  answer: Record<string, string>;
}

/**
 * The request's headers with the x-amz-* query parameters a presigner hoisted (as the
 * unsupported-headers table counts them): an SSE header must never be ignored.
 */
export function headersOf(ctx: S3Context): Record<string, string | string[] | undefined> {
  const hoisted: Record<string, string> = {};
  for (const [name, value] of ctx.query) {
    const lower = name.toLowerCase();
    if (/^x-amz-(copy-source-)?server-side-encryption/.test(lower)) hoisted[lower] = value;
  }
  return { ...hoisted, ...ctx.request.headers };
}

/** What customerKeyOf needs to know of the request's connection. */
export function transportOf(ctx: S3Context) {
  return { secure: ctx.request.protocol === 'https', config: ctx.deps.config.sse };
}

/** The headers an answer under a customer's key carries (AWS echoes the key's MD5). */
export function customerAnswer(customer: CustomerKey): Record<string, string> {
  return {
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-server-side-encryption-customer-key-md5': customer.keyMd5,
  };
}

/** The header an answer about an SSE-S3 object carries. */
export const MANAGED_ANSWER = { 'x-amz-server-side-encryption': 'AES256' };

/**
 * The sealing of a new object: SSE-C when the request brings a key, else SSE-S3 when the
 * request or `bucketDefault` (the bucket's default encryption) asks for it, else none.
 * `headers`: a browser POST's form fields stand for the request's headers.
 */
export function sealingForWrite(
  ctx: S3Context,
  bucketDefault?: 'AES256',
  headers = headersOf(ctx),
): WriteSealing {
  const customer = customerKeyOf(headers, CUSTOMER_PREFIX, transportOf(ctx));
  const managed = managedRequested(headers);
  if (customer && managed) {
    throw new S3Error(
      'InvalidArgument',
      'Server Side Encryption with Customer provided key is incompatible with the ' +
        'encryption method specified',
    );
  }
  const chunkBytes = ctx.deps.config.sse?.chunkBytes ?? CHUNK_PLAIN_BYTES;
  if (customer) {
    const { record, dataKey } = customerSealing(customer.key, ctx.deps.randomBytes, chunkBytes);
    return { key: { record, dataKey }, answer: customerAnswer(customer) };
  }
  if (!managed && bucketDefault === undefined) return { answer: {} };
  const masterKeys = ctx.deps.config.sse?.masterKeys;
  if (!masterKeys) throw noMasterKey();
  const { record, dataKey } = managedSealing(masterKeys, ctx.deps.randomBytes, chunkBytes);
  return { key: { record, dataKey }, answer: { ...MANAGED_ANSWER } };
}

/**
 * The key a read of `manifest` opens it with (none in the clear), and the answer's headers.
 * Without `opensData` (no bytes are read) an SSE-C key is still checked, as AWS does.
 */
export function keyForRead(
  ctx: S3Context,
  manifest: Pick<Manifest, 'encryption'>,
  prefix = CUSTOMER_PREFIX,
  opensData = true,
): WriteSealing {
  const headers = headersOf(ctx);
  // A read cannot choose an encryption (AWS: 400); the stored one applies.
  if (prefix === CUSTOMER_PREFIX && headers['x-amz-server-side-encryption'] !== undefined) {
    throw new S3Error('InvalidArgument', 'x-amz-server-side-encryption is not valid on a read.');
  }
  const customer = customerKeyOf(headers, prefix, transportOf(ctx));
  const record = manifest.encryption;
  if (record?.kind !== 'customer') {
    if (customer) {
      throw new S3Error(
        'InvalidRequest',
        'The encryption parameters are not applicable to this object.',
      );
    }
    if (!record) return { answer: {} };
    // HEAD and GetObjectAttributes read no data: an SSE-S3 key is not theirs to need.
    if (!opensData) return { answer: { ...MANAGED_ANSWER } };
    return { key: { record, dataKey: managedKeyOf(ctx, record) }, answer: { ...MANAGED_ANSWER } };
  }
  if (!customer) {
    throw new S3Error(
      'InvalidRequest',
      'The object was stored using a form of Server Side Encryption. The correct ' +
        'parameters must be provided to retrieve the object.',
    );
  }
  const dataKey = customerDataKey(record, customer.key);
  if (!dataKey) throw new S3Error('AccessDenied');
  return { key: { record, dataKey }, answer: customerAnswer(customer) };
}

/** The data key of an SSE-S3 record; 503 when this front end cannot unwrap it. */
export function managedKeyOf(ctx: S3Context, record: NonNullable<Manifest['encryption']>): Buffer {
  const masterKeys = ctx.deps.config.sse?.masterKeys;
  // A front end without the key (file) is a server-side failure, not the client's: 503, as
  // DESIGN.md wants of backend failures, so a client retries, perhaps on another front end.
  if (!masterKeys) {
    throw unopenableDataKey(ctx, 'the object is encrypted and this endpoint has no kms key file');
  }
  try {
    return managedDataKey(record, masterKeys);
  } catch (error) {
    if (error instanceof MasterKeyError) throw unopenableDataKey(ctx, error.message);
    throw error;
  }
}
