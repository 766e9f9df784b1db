// The signature of a browser POST upload (S3 PostObject): the form carries a base64 policy
// and a signature over exactly that base64 text, made with SigV4 (x-amz-algorithm,
// x-amz-credential, x-amz-date, x-amz-signature: hex HMAC-SHA256 under the derived signing
// key) or SigV2 (AWSAccessKeyId, signature: base64 HMAC-SHA1 under the secret). The policy's
// own expiry and conditions are the S3 layer's business (post-policy.ts). Like the rest of
// auth/, it reads no clock and no store: the secret lookup comes in as an argument.

import { sameSignature } from './authenticate.js';
import { signatureV2 } from './sigv2.js';
import {
  AWS4_ALGORITHM,
  deriveSigningKeyV4,
  isSignatureHex,
  parseAmzDate,
  parseCredentialV4,
  signStringV4,
} from './sigv4.js';
import { AuthError, type SecretLookup } from './types.js';

/** Who signed a POST form, or that nobody did. */
export type PostSigner = { accessKeyId: string; signatureVersion: 'v2' | 'v4' } | undefined;

function mismatch(): AuthError {
  return AuthError.of(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. ' +
      'Check your key and signing method.',
  );
}

async function secretOf(lookup: SecretLookup, accessKeyId: string): Promise<string> {
  const credentials = await lookup(accessKeyId);
  if (!credentials) {
    throw AuthError.of(
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  }
  return credentials.secretAccessKey;
}

/**
 * Verifies the signature of a POST form (field names lower-cased). Returns the signer, or
 * undefined for an unsigned form; throws AuthError when a signature is present but wrong.
 */
export async function verifyPostSignature(
  fields: ReadonlyMap<string, string>,
  lookup: SecretLookup,
): Promise<PostSigner> {
  const policy = fields.get('policy');
  const v4 = fields.has('x-amz-signature') || fields.has('x-amz-credential');
  const v2 = fields.has('signature') || fields.has('awsaccesskeyid');
  if (!v4 && !v2) return undefined;
  if (v4 && v2) {
    throw AuthError.of('InvalidArgument', 'Only one auth mechanism allowed in a POST form.');
  }
  if (policy === undefined) {
    throw AuthError.of('InvalidArgument', 'A signed POST form must carry a policy field.');
  }
  return v4 ? verifyV4(fields, policy, lookup) : verifyV2(fields, policy, lookup);
}

async function verifyV4(
  fields: ReadonlyMap<string, string>,
  policy: string,
  lookup: SecretLookup,
): Promise<PostSigner> {
  if (fields.get('x-amz-algorithm') !== AWS4_ALGORITHM) {
    throw AuthError.of('InvalidArgument', `x-amz-algorithm must be ${AWS4_ALGORITHM}.`);
  }
  const credential = parseCredentialV4(fields.get('x-amz-credential') ?? '', 's3');
  if ('code' in credential) throw AuthError.of('InvalidArgument', credential.detail);
  const amzDate = fields.get('x-amz-date') ?? '';
  if (parseAmzDate(amzDate) === undefined || amzDate.slice(0, 8) !== credential.scope.date) {
    throw AuthError.of(
      'InvalidArgument',
      'x-amz-date is missing, malformed or not the date of x-amz-credential.',
    );
  }
  const provided = fields.get('x-amz-signature') ?? '';
  if (!isSignatureHex(provided)) throw mismatch();
  const secret = await secretOf(lookup, credential.accessKeyId);
  const expected = signStringV4(deriveSigningKeyV4(secret, credential.scope), policy);
  if (!sameSignature(expected, provided)) throw mismatch();
  return { accessKeyId: credential.accessKeyId, signatureVersion: 'v4' };
}

async function verifyV2(
  fields: ReadonlyMap<string, string>,
  policy: string,
  lookup: SecretLookup,
): Promise<PostSigner> {
  const accessKeyId = fields.get('awsaccesskeyid');
  const provided = fields.get('signature');
  if (!accessKeyId || !provided) {
    throw AuthError.of('InvalidArgument', 'A SigV2 POST form needs AWSAccessKeyId and signature.');
  }
  const expected = signatureV2(await secretOf(lookup, accessKeyId), policy);
  if (!sameSignature(expected, provided)) throw mismatch();
  return { accessKeyId, signatureVersion: 'v2' };
}
