/**
 * Browser POST forms for integration tests: a policy of the given conditions signed with
 * SigV4 as a browser form carries it, and the form sent with fetch as a browser sends it.
 */
import { createHmac } from 'node:crypto';
import { deriveSigningKeyV4, formatAmzDate } from '../../src/auth/sigv4.js';

/** Who signs: the key id and its secret. */
export interface FormSigner {
  keyId: string;
  secret: string;
}

/** Form fields with a policy made of `conditions` (plus the SigV4 fields), signed. */
export function signedPostFields(
  signer: FormSigner,
  conditions: unknown[],
  fields: Record<string, string>,
): Record<string, string> {
  const expiration = new Date(Date.now() + 600_000).toISOString();
  const amzDate = formatAmzDate(Date.now());
  const scope = { date: amzDate.slice(0, 8), region: 'us-east-1', service: 's3' };
  const auth = {
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': `${signer.keyId}/${scope.date}/us-east-1/s3/aws4_request`,
    'x-amz-date': amzDate,
  };
  const all = [...conditions, ...Object.entries(auth).map(([k, v]) => ({ [k]: v }))];
  const policy = Buffer.from(JSON.stringify({ expiration, conditions: all })).toString('base64');
  const signature = createHmac('sha256', deriveSigningKeyV4(signer.secret, scope))
    .update(policy)
    .digest('hex');
  return { ...fields, ...auth, policy, 'x-amz-signature': signature };
}

/** POSTs `fields` and a file holding `data` to the bucket at `bucketUrl`. */
export function postForm(
  bucketUrl: URL,
  fields: Record<string, string>,
  data: string,
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([data], { type: 'text/plain' }), 'f.txt');
  return fetch(bucketUrl, { method: 'POST', body: form, redirect: 'manual' });
}
