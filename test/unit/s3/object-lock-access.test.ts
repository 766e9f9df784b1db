/**
 * Who may act on object lock (authorize.ts): the bucket owner, or whoever a bucket policy
 * allows; no ACL grant gives any lock action, so a bucket writable by all cannot have its
 * retention bypassed or its holds lifted by all.
 */
import { describe, expect, it } from 'vitest';
import { cannedAcl } from '../../../src/s3/access/acl.js';
import { authorize, type S3Action } from '../../../src/s3/access/authorize.js';
import { parsePolicy } from '../../../src/s3/access/policy.js';

const OWNER = 'o'.repeat(64);
const OTHER = 'b'.repeat(64);
const LOCK_ACTIONS: S3Action[] = [
  's3:BypassGovernanceRetention',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:GetObjectRetention',
  's3:GetObjectLegalHold',
];

function ask(action: S3Action, id: string, bucket: object) {
  const access = { name: 'bkt', ownerId: OWNER, ...bucket };
  return authorize({ action, requester: { id }, bucket: access, key: 'k', context: {} }).allowed;
}

describe('object lock actions', () => {
  it('no ACL grant gives them, even public-read-write', () => {
    const acl = cannedAcl('public-read-write', OWNER, OWNER);
    for (const action of LOCK_ACTIONS) {
      expect(ask(action, OWNER, { acl }), action).toBe(true);
      expect(ask(action, OTHER, { acl }), action).toBe(false);
    }
    expect(ask('s3:PutObject', OTHER, { acl })).toBe(true);
  });

  it('a bucket policy grants the governance bypass to whom it names, and only that', () => {
    const statement = {
      Effect: 'Allow',
      Principal: { AWS: [OTHER] },
      Action: 's3:BypassGovernanceRetention',
      Resource: 'arn:aws:s3:::bkt/*',
    };
    const policy = parsePolicy(
      JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
      'bkt',
    );
    expect(ask('s3:BypassGovernanceRetention', OTHER, { policy })).toBe(true);
    expect(ask('s3:PutObjectLegalHold', OTHER, { policy })).toBe(false);
    expect(ask('s3:BypassGovernanceRetention', 'c'.repeat(64), { policy })).toBe(false);
  });
});
