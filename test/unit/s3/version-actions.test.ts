/**
 * A request naming one version is checked against AWS's `*Version` action: a policy that
 * allows s3:GetObject does not open older versions, a Deny of s3:DeleteObjectVersion stops
 * permanent deletes but not plain ones (markers), and ACL grants map to both as AWS's do.
 */
import { describe, expect, it } from 'vitest';
import { cannedAcl } from '../../../src/s3/access/acl.js';
import { authorize, type S3Action } from '../../../src/s3/access/authorize.js';
import { parsePolicy } from '../../../src/s3/access/policy.js';
import { actionFor } from '../../../src/s3/access/version-actions.js';

const OWNER = 'o'.repeat(64);
const OTHER = 'b'.repeat(64);

function policyFor(effect: 'Allow' | 'Deny', action: string) {
  const statement = {
    Effect: effect,
    Principal: { CanonicalUser: OTHER },
    Action: action,
    Resource: 'arn:aws:s3:::bkt/*',
  };
  return parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [statement] }), 'bkt');
}

function allowed(action: S3Action, versionId: string | undefined, bucket: object) {
  return authorize({
    action: actionFor(action, versionId),
    requester: { id: OTHER },
    bucket: { name: 'bkt', ownerId: OWNER, ...bucket },
    key: 'k',
    context: {},
  }).allowed;
}

describe('version actions', () => {
  it('maps each object action to its *Version action only when a version is named', () => {
    expect(actionFor('s3:GetObject', undefined)).toBe('s3:GetObject');
    expect(actionFor('s3:GetObject', null)).toBe('s3:GetObject');
    expect(actionFor('s3:GetObject', 'null')).toBe('s3:GetObjectVersion');
    expect(actionFor('s3:DeleteObject', 'v1')).toBe('s3:DeleteObjectVersion');
    expect(actionFor('s3:PutObjectTagging', 'v1')).toBe('s3:PutObjectVersionTagging');
    expect(actionFor('s3:PutObjectAcl', 'v1')).toBe('s3:PutObjectVersionAcl');
    expect(actionFor('s3:ListBucket', 'v1')).toBe('s3:ListBucket');
  });

  it('a policy allowing s3:GetObject opens the current object, not a named version', () => {
    const policy = policyFor('Allow', 's3:GetObject');
    expect(allowed('s3:GetObject', undefined, { policy })).toBe(true);
    expect(allowed('s3:GetObject', 'v1', { policy })).toBe(false);
    const versions = policyFor('Allow', 's3:GetObjectVersion');
    expect(allowed('s3:GetObject', 'v1', { policy: versions })).toBe(true);
  });

  it('a Deny of s3:DeleteObjectVersion stops permanent deletes, not markers', () => {
    const statements = [
      {
        Effect: 'Allow',
        Principal: { CanonicalUser: OTHER },
        Action: 's3:Delete*',
        Resource: 'arn:aws:s3:::bkt/*',
      },
      {
        Effect: 'Deny',
        Principal: { CanonicalUser: OTHER },
        Action: 's3:DeleteObjectVersion',
        Resource: 'arn:aws:s3:::bkt/*',
      },
    ];
    const policy = parsePolicy(JSON.stringify({ Statement: statements }), 'bkt');
    expect(allowed('s3:DeleteObject', undefined, { policy })).toBe(true);
    expect(allowed('s3:DeleteObject', 'v1', { policy })).toBe(false);
  });

  it('ACL grants allow the *Version actions as they allow the plain ones (AWS mapping)', () => {
    const objectAcl = cannedAcl('public-read', OWNER);
    const read = (versionId?: string) =>
      authorize({
        action: actionFor('s3:GetObject', versionId),
        requester: { id: OTHER },
        bucket: { name: 'bkt', ownerId: OWNER },
        key: 'k',
        objectAcl,
        context: {},
      }).allowed;
    expect(read()).toBe(true);
    expect(read('v1')).toBe(true);
    const write = { acl: cannedAcl('public-read-write', OWNER) };
    expect(allowed('s3:DeleteObject', 'v1', write)).toBe(true);
    expect(allowed('s3:DeleteObject', 'v1', {})).toBe(false);
  });
});
