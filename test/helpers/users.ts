/**
 * Users for access tests: created through the Riak CS admin API (POST /riak-cs/user, signed
 * by the admin), each with an SDK client, plus a helper that turns an SDK call into the S3
 * error code it ended with ('ok' when it succeeded).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { CairnProcess } from './cairn-process.js';
import { s3Client } from './s3-client.js';
import { signedFetch } from './signed-fetch.js';
export { codeOf } from './s3-errors.js';

/** A user made for a test, with its SDK client. */
export interface TestUser {
  id: string;
  email: string;
  displayName: string;
  keys: { keyId: string; secret: string };
  s3: S3Client;
}

/** Creates a user through the admin API; its client is destroyed by `destroyUsers`. */
export async function createUser(server: CairnProcess, email: string): Promise<TestUser> {
  const res = await signedFetch(server.url, '/riak-cs/user', {
    method: 'POST',
    credentials: server,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: email.split('@')[0] }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`user ${email} not created: ${res.status} ${text}`);
  const json = JSON.parse(text) as Record<string, string>;
  const keys = { keyId: json['key_id']!, secret: json['key_secret']! };
  return {
    id: json['id']!,
    email,
    displayName: json['display_name']!,
    keys,
    s3: s3Client(server, keys),
  };
}
