/**
 * aws-sdk v2 (the JavaScript SDK that S3-compatible stores were first tested with) as a
 * second, independent client: it signs with its own SigV2 and SigV4 code, not ours.
 */
import type { S3 } from 'aws-sdk';

/** Where and as whom the client connects. */
export interface SdkV2Target {
  url: string;
  keyId: string;
  secret: string;
}

/** An aws-sdk v2 S3 client, path style, signing with `signatureVersion`. */
export async function sdkV2Client(target: SdkV2Target, signatureVersion: 'v2' | 'v4'): Promise<S3> {
  // The end-of-support notice is printed at load unless this is set first.
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
  const { default: AWS } = await import('aws-sdk');
  return new AWS.S3({
    endpoint: target.url,
    s3ForcePathStyle: true,
    signatureVersion,
    region: 'us-east-1',
    sslEnabled: false,
    accessKeyId: target.keyId,
    secretAccessKey: target.secret,
    maxRetries: 0,
  });
}
