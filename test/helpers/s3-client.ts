/**
 * An @aws-sdk/client-s3 client for a test server, at the SDK's default settings except
 * for what a local endpoint needs (endpoint, path style, region, credentials).
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { CairnProcess } from './cairn-process.js';

/** A client for `server` as the given (default: admin) user. */
export function s3Client(
  server: Pick<CairnProcess, 'url' | 'keyId' | 'secret'>,
  credentials?: { keyId: string; secret: string },
): S3Client {
  return new S3Client({
    endpoint: server.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: credentials?.keyId ?? server.keyId,
      secretAccessKey: credentials?.secret ?? server.secret,
    },
  });
}
