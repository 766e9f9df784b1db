/**
 * What a request asks of server-side encryption, checked as AWS checks it
 * (docs: ServerSideEncryptionCustomerKeys, UsingServerSideEncryption): SSE-C's three
 * headers (algorithm AES256, a base64 32-byte key, the base64 MD5 of that key), sent only
 * over HTTPS; or x-amz-server-side-encryption: AES256 (SSE-S3), which needs the operator's
 * master key. Every malformed combination is a 400 before anything is stored. The key
 * never leaves this request: the manifest keeps only what sse-keys.ts derives from it.
 */
import { createHash } from 'node:crypto';
import { S3Error } from '../http/errors.js';
import type { SseConfig } from '../http/context.js';

/** Request header names of SSE-C, for an object or (`copy-source`) for a copy's source. */
export const CUSTOMER_PREFIX = 'x-amz-server-side-encryption-customer-';
export const COPY_SOURCE_CUSTOMER_PREFIX = 'x-amz-copy-source-server-side-encryption-customer-';

/** A checked customer key. */
export interface CustomerKey {
  key: Buffer;
  /** The key's MD5 as the client sent it (base64), echoed in answers as AWS does. */
  keyMd5: string;
}

type Headers = Record<string, string | string[] | undefined>;

function headerOf(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function invalid(message: string): S3Error {
  return new S3Error('InvalidArgument', message);
}

const SSE_C = 'Requests specifying Server Side Encryption with Customer provided keys must ';

/**
 * The customer key the headers under `prefix` carry, if any; throws AWS's 400 for a partial
 * or malformed set, and InvalidRequest for one over plain HTTP (unless allowed).
 */
export function customerKeyOf(
  headers: Headers,
  prefix: string,
  transport: { secure: boolean; config: SseConfig | undefined },
): CustomerKey | undefined {
  const algorithm = headerOf(headers, `${prefix}algorithm`);
  const encoded = headerOf(headers, `${prefix}key`);
  const md5 = headerOf(headers, `${prefix}key-md5`);
  if (algorithm === undefined && encoded === undefined && md5 === undefined) return undefined;
  if (!transport.secure && !transport.config?.allowCustomerKeysOverHttp) {
    throw new S3Error('InvalidRequest', `${SSE_C}be made over a secure connection.`);
  }
  if (algorithm === undefined) throw invalid(`${SSE_C}provide a valid encryption algorithm.`);
  if (algorithm !== 'AES256') {
    throw invalid('The encryption algorithm specified is not valid. The valid value is AES256.');
  }
  if (encoded === undefined) throw invalid(`${SSE_C}provide an appropriate secret key.`);
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32 || key.toString('base64') !== encoded.trim()) {
    throw invalid('The secret key was invalid for the specified algorithm.');
  }
  if (md5 === undefined) {
    throw invalid(`${SSE_C}provide the client calculated MD5 of the secret key.`);
  }
  if (createHash('md5').update(key).digest('base64') !== md5.trim()) {
    throw invalid('The calculated MD5 hash of the key did not match the hash that was provided.');
  }
  return { key, keyMd5: md5.trim() };
}

/**
 * Whether the request asks for SSE-S3 (x-amz-server-side-encryption: AES256). aws:kms and
 * aws:kms:dsse are refused before this (unsupported-headers.ts); anything else is a 400.
 */
export function managedRequested(headers: Headers): boolean {
  const value = headerOf(headers, 'x-amz-server-side-encryption');
  if (value === undefined) return false;
  if (value !== 'AES256') {
    throw invalid('The encryption method specified is not supported');
  }
  return true;
}

/** SSE-S3 asked for on a store without a master key: refused, never stored in the clear. */
export function noMasterKey(): S3Error {
  return new S3Error(
    'NotImplemented',
    'Server-side encryption with Cairn-managed keys (SSE-S3) needs a --kms-key-file, ' +
      'which this endpoint was started without.',
    { fields: { Header: 'x-amz-server-side-encryption' } },
  );
}
