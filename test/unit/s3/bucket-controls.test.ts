/**
 * The pure parts of Object Ownership and Block Public Access: their XML both ways, what
 * makes a policy or a bucket public, who owns a new object and which ACLs a write may set,
 * what authorize() lets through once ACLs are disabled or public grants ignored, and the
 * order grants are stored in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessControlList } from '../../../stanchion/core/records.js';
import { aclRequestOf, cannedAcl, inStoredOrder, privateAcl } from '../../../src/s3/access/acl.js';
import { authorize, type S3Action } from '../../../src/s3/access/authorize.js';
import {
  parseObjectOwnershipHeader,
  parseOwnershipControlsXml,
  parsePublicAccessBlockXml,
  renderOwnershipControlsXml,
  renderPolicyStatusXml,
  renderPublicAccessBlockXml,
} from '../../../src/s3/access/bucket-controls-xml.js';
import {
  checkNotBlocked,
  checkWriteAclAllowed,
  newObjectOwnerId,
} from '../../../src/s3/access/object-ownership.js';
import { parsePolicy } from '../../../src/s3/access/policy.js';
import { parseOperation } from '../../../src/s3/operation.js';
import { bucketIsPublic, isPublicPolicy } from '../../../src/s3/access/public-policy.js';

const OWNER = 'o'.repeat(64);
const WRITER = 'w'.repeat(64);
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (error) {
    return (error as { code?: string }).code ?? 'thrown';
  }
}

function policyOf(...statements: object[]) {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

const allowAll = {
  Effect: 'Allow',
  Principal: { AWS: '*' },
  Action: 's3:*',
  Resource: ['arn:aws:s3:::bkt', 'arn:aws:s3:::bkt/*'],
};

describe('bucket controls: routing', () => {
  const op = (method: string, path: string, query: string) =>
    parseOperation({ method, path, query: new URLSearchParams(query) });

  it('routes each bucket sub-resource and method to its operation', () => {
    const cases: Array<[string, string, string]> = [
      ['GET', 'ownershipControls', 'GetBucketOwnershipControls'],
      ['PUT', 'ownershipControls', 'PutBucketOwnershipControls'],
      ['DELETE', 'ownershipControls', 'DeleteBucketOwnershipControls'],
      ['GET', 'publicAccessBlock', 'GetPublicAccessBlock'],
      ['PUT', 'publicAccessBlock', 'PutPublicAccessBlock'],
      ['DELETE', 'publicAccessBlock', 'DeletePublicAccessBlock'],
      ['GET', 'policyStatus', 'GetBucketPolicyStatus'],
    ];
    for (const [method, query, name] of cases) {
      expect(op(method, '/b', query)).toEqual({ name, bucket: 'b' });
    }
    expect(codeOf(() => op('PUT', '/b', 'policyStatus'))).toBe('MethodNotAllowed');
  });

  it('never takes an object-level request for a PUT or GET of the object', () => {
    for (const query of ['ownershipControls', 'publicAccessBlock', 'policyStatus']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        expect(
          codeOf(() => op(method, '/b/k', query)),
          `${method} ?${query}`,
        ).toBe('NotImplemented');
      }
    }
  });
});

describe('bucket controls: OwnershipControls XML', () => {
  it('parses each setting and renders it back', () => {
    for (const ownership of ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter']) {
      const xml = renderOwnershipControlsXml(ownership as 'ObjectWriter');
      expect(xml).toContain(`<OwnershipControls ${NS}><Rule><ObjectOwnership>${ownership}<`);
      expect(parseOwnershipControlsXml(xml)).toBe(ownership);
    }
  });

  it('refuses anything but exactly one known rule (MalformedXML)', () => {
    const rule = (o: string) => `<Rule><ObjectOwnership>${o}</ObjectOwnership></Rule>`;
    const bad = [
      '',
      '<OwnershipControls/>',
      `<OwnershipControls>${rule('Everyone')}</OwnershipControls>`,
      `<OwnershipControls>${rule('ObjectWriter')}${rule('ObjectWriter')}</OwnershipControls>`,
      `<OwnershipControls>${rule('ObjectWriter')}<Extra/></OwnershipControls>`,
      '<OwnershipControls><Rule>ObjectWriter</Rule></OwnershipControls>',
      `<Other>${rule('ObjectWriter')}</Other>`,
    ];
    for (const body of bad)
      expect(codeOf(() => parseOwnershipControlsXml(body))).toBe('MalformedXML');
  });

  it('x-amz-object-ownership takes the three settings only (InvalidArgument)', () => {
    expect(parseObjectOwnershipHeader('BucketOwnerPreferred')).toBe('BucketOwnerPreferred');
    expect(codeOf(() => parseObjectOwnershipHeader('bucketownerenforced'))).toBe('InvalidArgument');
  });
});

describe('bucket controls: PublicAccessBlockConfiguration XML', () => {
  it('parses true/false (missing: false) and renders every element', () => {
    const config = parsePublicAccessBlockXml(
      '<PublicAccessBlockConfiguration><BlockPublicAcls>TRUE</BlockPublicAcls>' +
        '<RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>',
    );
    expect(config).toEqual({
      blockPublicAcls: true,
      ignorePublicAcls: false,
      blockPublicPolicy: false,
      restrictPublicBuckets: true,
    });
    const xml = renderPublicAccessBlockXml(config);
    expect(xml).toContain(
      '<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls>' +
        '<BlockPublicPolicy>false</BlockPublicPolicy>' +
        '<RestrictPublicBuckets>true</RestrictPublicBuckets>',
    );
    expect(parsePublicAccessBlockXml(xml)).toEqual(config);
    expect(renderPolicyStatusXml(true)).toContain(`<PolicyStatus ${NS}><IsPublic>true<`);
  });

  it('refuses other values, unknown elements and other roots (MalformedXML)', () => {
    const bad = [
      '<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls>' +
        '</PublicAccessBlockConfiguration>',
      '<PublicAccessBlockConfiguration><BlockEverything>true</BlockEverything>' +
        '</PublicAccessBlockConfiguration>',
      '<PublicAccessBlock><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlock>',
      '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>',
    ];
    for (const body of bad)
      expect(codeOf(() => parsePublicAccessBlockXml(body))).toBe('MalformedXML');
  });
});

describe('bucket controls: what is public', () => {
  const cases: Array<[string, object, boolean]> = [
    ['Principal "*"', { ...allowAll, Principal: '*' }, true],
    ['Principal {AWS: "*"}', allowAll, true],
    ['a fixed principal', { ...allowAll, Principal: { AWS: `arn:aws:iam::${OWNER}:root` } }, false],
    ['a fixed canonical user', { ...allowAll, Principal: { CanonicalUser: OWNER } }, false],
    [
      'everyone but one (NotPrincipal)',
      { ...withoutPrincipal(), NotPrincipal: { AWS: OWNER } },
      true,
    ],
    ['a Deny for everyone', { ...allowAll, Effect: 'Deny' }, false],
    [
      'everyone from one CIDR',
      { ...allowAll, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/32' } } },
      false,
    ],
    [
      'everyone from anywhere (/0)',
      { ...allowAll, Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '0.0.0.0/0'] } } },
      true,
    ],
    [
      'everyone but one CIDR',
      { ...allowAll, Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
      true,
    ],
    [
      'everyone with a Referer',
      { ...allowAll, Condition: { StringLike: { 'aws:Referer': 'http://x/*' } } },
      true,
    ],
  ];
  for (const [what, statement, want] of cases) {
    it(`a policy allowing ${what} is ${want ? 'public' : 'not public'}`, () => {
      const text = policyOf(statement);
      parsePolicy(text, 'bkt'); // every case is a policy Cairn would store
      expect(isPublicPolicy(text)).toBe(want);
      expect(isPublicPolicy(policyOf({ ...allowAll, Effect: 'Deny' }, statement))).toBe(want);
    });
  }

  it('a bucket is public by a public ACL or policy, unless disabled, ignored or restricted', () => {
    const publicAcl = cannedAcl('authenticated-read', OWNER);
    const policy = policyOf(allowAll);
    const block = (over: object) => ({
      blockPublicAcls: false,
      ignorePublicAcls: false,
      blockPublicPolicy: false,
      restrictPublicBuckets: false,
      ...over,
    });
    expect(bucketIsPublic({})).toBe(false);
    expect(bucketIsPublic({ acl: cannedAcl('bucket-owner-read', OWNER, WRITER) })).toBe(false);
    expect(bucketIsPublic({ acl: publicAcl })).toBe(true);
    expect(bucketIsPublic({ acl: publicAcl, objectOwnership: 'BucketOwnerEnforced' })).toBe(false);
    expect(
      bucketIsPublic({ acl: publicAcl, publicAccessBlock: block({ ignorePublicAcls: true }) }),
    ).toBe(false);
    expect(bucketIsPublic({ policy })).toBe(true);
    expect(
      bucketIsPublic({ policy, publicAccessBlock: block({ restrictPublicBuckets: true }) }),
    ).toBe(false);
  });
});

function withoutPrincipal() {
  const { Principal: _principal, ...rest } = allowAll;
  return rest;
}

describe('bucket controls: object writes', () => {
  const canned = (name: string) => aclRequestOf({ 'x-amz-acl': name });
  const none = aclRequestOf({});
  const fullControl = canned('bucket-owner-full-control');

  it('who owns a new object, by the bucket’s Object Ownership', () => {
    const bucket = (objectOwnership?: 'ObjectWriter') => ({
      ownerId: OWNER,
      ...(objectOwnership ? { objectOwnership } : {}),
    });
    const cases: Array<[string | undefined, ReturnType<typeof aclRequestOf>, string]> = [
      [undefined, none, WRITER],
      ['ObjectWriter', fullControl, WRITER],
      ['BucketOwnerPreferred', none, WRITER],
      ['BucketOwnerPreferred', canned('private'), WRITER],
      ['BucketOwnerPreferred', fullControl, OWNER],
      ['BucketOwnerEnforced', none, OWNER],
      ['BucketOwnerEnforced', fullControl, OWNER],
    ];
    for (const [ownership, request, want] of cases) {
      expect(newObjectOwnerId(bucket(ownership as 'ObjectWriter'), WRITER, request)).toBe(want);
    }
    expect(newObjectOwnerId(bucket(), undefined, none)).toBe(OWNER);
  });

  it('with ACLs disabled a write may set bucket owner full control only', () => {
    const enforced = { ownerId: OWNER, objectOwnership: 'BucketOwnerEnforced' as const };
    const grants = aclRequestOf({ 'x-amz-grant-full-control': `id="${OWNER}"` });
    const ownerFull: AccessControlList = privateAcl(OWNER);
    const asked = (request: ReturnType<typeof aclRequestOf>, acl?: AccessControlList) =>
      codeOf(() => checkWriteAclAllowed(enforced, request, acl));
    expect(asked(none)).toBe('none');
    expect(asked(fullControl)).toBe('none');
    expect(asked(grants, ownerFull)).toBe('none');
    expect(asked(canned('private'))).toBe('AccessControlListNotSupported');
    expect(asked(canned('public-read'))).toBe('AccessControlListNotSupported');
    expect(
      asked(grants, { ownerId: OWNER, grants: [...ownerFull.grants, ...readBy(WRITER)] }),
    ).toBe('AccessControlListNotSupported');
    const writer = { ownerId: OWNER, objectOwnership: 'ObjectWriter' as const };
    expect(codeOf(() => checkWriteAclAllowed(writer, canned('public-read')))).toBe('none');
  });

  it('BlockPublicAcls refuses public ACLs only (AccessDenied)', () => {
    const block = {
      blockPublicAcls: true,
      ignorePublicAcls: false,
      blockPublicPolicy: false,
      restrictPublicBuckets: false,
    };
    const bucket = { ownerId: OWNER, publicAccessBlock: block };
    for (const name of ['public-read', 'public-read-write', 'authenticated-read'] as const) {
      expect(codeOf(() => checkNotBlocked(bucket, cannedAcl(name, OWNER)))).toBe('AccessDenied');
    }
    for (const name of ['private', 'bucket-owner-read', 'log-delivery-write'] as const) {
      expect(codeOf(() => checkNotBlocked(bucket, cannedAcl(name, WRITER, OWNER)))).toBe('none');
    }
    const open = { ownerId: OWNER };
    expect(codeOf(() => checkNotBlocked(open, cannedAcl('public-read', OWNER)))).toBe('none');
  });
});

function readBy(id: string): AccessControlList['grants'] {
  return [{ grantee: { type: 'CanonicalUser', id }, permission: 'READ' }];
}

describe('bucket controls: authorize', () => {
  const ask = (action: S3Action, who: { id?: string }, bucket: object, objectAcl?: object) =>
    authorize({
      action,
      requester: who,
      bucket: { name: 'bkt', ownerId: OWNER, ...bucket },
      key: 'k',
      ...(objectAcl ? { objectAcl: objectAcl as AccessControlList } : {}),
      context: {},
    }).allowed;
  const publicRw = cannedAcl('public-read-write', OWNER);
  const writersObject = cannedAcl('public-read', WRITER);

  it('ACLs disabled: no grant counts, and the bucket owner owns every object', () => {
    const disabled = { acl: publicRw, aclsDisabled: true };
    expect(ask('s3:ListBucket', {}, disabled)).toBe(false);
    expect(ask('s3:PutObject', { id: WRITER }, disabled)).toBe(false);
    expect(ask('s3:GetObject', {}, disabled, writersObject)).toBe(false);
    expect(ask('s3:GetObject', { id: OWNER }, disabled, writersObject)).toBe(true);
    expect(ask('s3:PutObjectAcl', { id: OWNER }, disabled, writersObject)).toBe(true);
    expect(ask('s3:GetObjectAcl', { id: WRITER }, disabled, writersObject)).toBe(false);
    const policy = parsePolicy(policyOf(allowAll), 'bkt');
    expect(ask('s3:GetObject', {}, { ...disabled, policy }, writersObject)).toBe(true);
  });

  it('IgnorePublicAcls: group grants allow nothing, user grants still do', () => {
    const acl: AccessControlList = { ...publicRw, grants: [...publicRw.grants, ...readBy(WRITER)] };
    const ignoring = { acl, ignorePublicAcls: true };
    expect(ask('s3:ListBucket', {}, ignoring)).toBe(false);
    expect(ask('s3:PutObject', { id: 'x'.repeat(64) }, ignoring)).toBe(false);
    expect(ask('s3:ListBucket', { id: WRITER }, ignoring)).toBe(true);
    expect(ask('s3:GetObject', {}, ignoring, writersObject)).toBe(false);
    expect(ask('s3:GetObject', {}, { acl }, writersObject)).toBe(true);
  });

  it('a policy restricted to the owner allows nobody else; its Deny still holds', () => {
    const policy = parsePolicy(policyOf(allowAll), 'bkt');
    expect(ask('s3:GetObject', {}, { policy })).toBe(true);
    expect(ask('s3:GetObject', {}, { policy, restrictPolicyToOwner: true })).toBe(false);
    expect(ask('s3:GetObject', { id: OWNER }, { policy, restrictPolicyToOwner: true })).toBe(true);
    const restricted = { policy, restrictPolicyToOwner: true, acl: publicRw };
    expect(ask('s3:ListBucket', {}, restricted)).toBe(true); // the ACL still grants it
  });
});

describe('acl: stored order', () => {
  it('canned ACLs list their group grants first', () => {
    expect(cannedAcl('public-read-write', OWNER).grants.map((g) => g.permission)).toEqual([
      'READ',
      'WRITE',
      'FULL_CONTROL',
    ]);
    expect(cannedAcl('public-read', OWNER).grants[0]!.grantee).toEqual({
      type: 'Group',
      uri: ALL_USERS,
    });
  });

  it('is a stable partition, groups first, and a fixed point (property)', () => {
    const grant = fc.record({
      grantee: fc.oneof(
        fc.record({ type: fc.constant('Group' as const), uri: fc.constantFrom(ALL_USERS, 'u') }),
        fc.record({
          type: fc.constant('CanonicalUser' as const),
          id: fc.string({ minLength: 1, maxLength: 4 }),
        }),
      ),
      permission: fc.constantFrom('READ' as const, 'WRITE' as const),
    });
    fc.assert(
      fc.property(fc.array(grant, { maxLength: 12 }), (grants) => {
        const ordered = inStoredOrder(grants);
        expect([...ordered].sort(byJson)).toEqual([...grants].sort(byJson));
        const firstUser = ordered.findIndex((g) => g.grantee.type !== 'Group');
        if (firstUser >= 0) {
          expect(ordered.slice(firstUser).every((g) => g.grantee.type !== 'Group')).toBe(true);
        }
        expect(ordered.filter((g) => g.grantee.type === 'Group')).toEqual(
          grants.filter((g) => g.grantee.type === 'Group'),
        );
        expect(inStoredOrder(ordered)).toEqual(ordered);
      }),
    );
  });
});

function byJson(a: object, b: object): number {
  return JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
}
