/**
 * An @aws-sdk/client-s3 client for a test server, at the SDK's default settings except
 * for what a local endpoint needs (endpoint, path style, region, credentials).
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { CairnProcess } from './cairn-process.js';

type Target = Pick<CairnProcess, 'url' | 'keyId' | 'secret'>;

/** A client for `server` as the given (default: admin) user. */
export function s3Client(
  server: Target,
  credentials?: { keyId: string; secret: string },
): S3Client {
  return new S3Client(clientConfig(server, credentials));
}

/**
 * A client that never retries (maxAttempts 1), so a test counting failures sees each one;
 * `config` adds settings of the test's own.
 */
export function s3ClientNoRetry(server: Target, config: S3ClientConfig = {}): S3Client {
  return new S3Client({ ...clientConfig(server), maxAttempts: 1, ...config });
}

function clientConfig(server: Target, credentials?: { keyId: string; secret: string }) {
  return {
    endpoint: server.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: credentials?.keyId ?? server.keyId,
      secretAccessKey: credentials?.secret ?? server.secret,
    },
  };
}
