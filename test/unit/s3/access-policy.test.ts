/**
 * The pure bucket-policy module and the access decision: parsing refuses what it does not
 * understand, evaluation follows AWS (Deny wins, conditions on missing keys), and
 * authorize() orders owner, policy and ACL as AWS does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cannedAcl, privateAcl } from '../../../src/s3/access/acl.js';
import { ACTIONS, authorize, type S3Action } from '../../../src/s3/access/authorize.js';
import { ipMatches, parseCidr } from '../../../src/s3/access/ip.js';
import {
  checkNewPolicy,
  evaluatePolicy,
  parsePolicy,
  POLICY_BYTES_MAX,
  type PolicyRequest,
} from '../../../src/s3/access/policy.js';

const OWNER = 'o'.repeat(64);
const OTHER = 'b'.repeat(64);

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

const publicRead = {
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::bkt/public/*',
};

function request(over: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::bkt/public/a.txt',
    context: { 'aws:sourceip': '127.0.0.1', 'aws:securetransport': 'false' },
    ...over,
  };
}

describe('policy: parsing', () => {
  it('accepts a valid policy in its documented forms', () => {
    const forms = [
      policyOf(publicRead),
      JSON.stringify({ Statement: publicRead }),
      policyOf({ ...publicRead, Principal: { AWS: '*' } }),
      policyOf({ ...publicRead, Principal: { AWS: [`arn:aws:iam::${OTHER}:root`, OWNER] } }),
      policyOf({ ...publicRead, Principal: { CanonicalUser: OTHER } }),
      policyOf({ ...publicRead, Action: ['s3:Get*', 's3:*'], Resource: 'arn:aws:s3:::bkt' }),
      policyOf({ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
      policyOf({ ...publicRead, Condition: { Bool: { 'aws:SecureTransport': false } } }),
    ];
    for (const text of forms) expect(codeOf(() => parsePolicy(text, 'bkt'))).toBe('none');
  });

  it('answers MalformedPolicy for every malformed policy', () => {
    const bad = [
      '{',
      '[]',
      JSON.stringify({ Version: '2012-10-17' }),
      policyOf({ ...publicRead, Effect: 'Maybe' }),
      policyOf({ ...publicRead, Resource: 'arn:aws:s3:::other-bucket/*' }),
      policyOf({ ...publicRead, Resource: 'arn:aws:iam::123:root' }),
      policyOf({ ...publicRead, Action: 'ec2:RunInstances' }),
      policyOf({ ...publicRead, Principal: undefined }),
      policyOf({ ...publicRead, Principal: { AWS: 'arn:aws:iam::1:user/x' } }),
      policyOf({ ...publicRead, Condition: { StringSortOf: { 's3:prefix': 'a' } } }),
      policyOf({ ...publicRead, Condition: { StringEquals: { 'aws:Nonsense': 'a' } } }),
      policyOf({ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '300.1.1.1/8' } } }),
      policyOf({ ...publicRead, Condition: { Bool: { 'aws:SecureTransport': 'maybe' } } }),
      policyOf({ ...publicRead, Extra: 1 }),
      JSON.stringify({ Version: '2001-01-01', Statement: [publicRead] }),
      policyOf({ ...publicRead, Sid: 'x'.repeat(POLICY_BYTES_MAX) }),
    ];
    for (const text of bad) {
      expect(codeOf(() => checkNewPolicy(text, 'bkt'))).toBe('MalformedPolicy');
    }
  });
});

describe('policy: evaluation', () => {
  it('matches principal, action wildcards and resource prefixes', () => {
    const policy = parsePolicy(policyOf(publicRead), 'bkt');
    expect(evaluatePolicy(policy, request())).toBe('Allow');
    expect(evaluatePolicy(policy, request({ resource: 'arn:aws:s3:::bkt/private/a' }))).toBe(
      'None',
    );
    expect(evaluatePolicy(policy, request({ action: 's3:PutObject' }))).toBe('None');
    const wild = parsePolicy(policyOf({ ...publicRead, Action: 's3:get*' }), 'bkt');
    expect(evaluatePolicy(wild, request({ action: 's3:GetObjectAcl' }))).toBe('Allow');
  });

  it('an explicit Deny wins over any Allow', () => {
    const deny = { ...publicRead, Effect: 'Deny', Principal: { AWS: OTHER }, Action: 's3:*' };
    const policy = parsePolicy(policyOf(publicRead, deny), 'bkt');
    expect(evaluatePolicy(policy, request({ principalId: OTHER }))).toBe('Deny');
    expect(evaluatePolicy(policy, request({ principalId: OWNER }))).toBe('Allow');
    expect(evaluatePolicy(policy, request())).toBe('Allow');
  });

  it('tests SourceIp, SecureTransport, Referer and s3:prefix conditions', () => {
    const when = (condition: object) =>
      parsePolicy(policyOf({ ...publicRead, Condition: condition }), 'bkt');
    const local = when({ IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } });
    expect(evaluatePolicy(local, request())).toBe('Allow');
    const ten = when({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } });
    expect(evaluatePolicy(ten, request())).toBe('None');
    const notTen = when({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } });
    expect(evaluatePolicy(notTen, request())).toBe('Allow');
    const insecure = when({ Bool: { 'aws:SecureTransport': 'false' } });
    expect(evaluatePolicy(insecure, request())).toBe('Allow');
    const referer = when({ StringLike: { 'aws:Referer': 'https://example.com/*' } });
    expect(evaluatePolicy(referer, request())).toBe('None'); // no Referer: positive fails
    const ctx = { ...request().context, 'aws:referer': 'https://example.com/page' };
    expect(evaluatePolicy(referer, request({ context: ctx }))).toBe('Allow');
    const notReferer = when({ StringNotLike: { 'aws:Referer': 'https://evil/*' } });
    expect(evaluatePolicy(notReferer, request())).toBe('Allow'); // missing key: negated holds
    const prefix = when({ StringEquals: { 's3:prefix': ['', 'home/'] } });
    const listing = (p: string) => request({ context: { 's3:prefix': p } });
    expect(evaluatePolicy(prefix, listing('home/'))).toBe('Allow');
    expect(evaluatePolicy(prefix, listing('secret/'))).toBe('None');
  });
});

describe('ip', () => {
  it('matches IPv4, IPv4-mapped IPv6 and IPv6 ranges', () => {
    const local = parseCidr('127.0.0.1/32')!;
    expect(ipMatches(local, '127.0.0.1')).toBe(true);
    expect(ipMatches(local, '::ffff:127.0.0.1')).toBe(true);
    expect(ipMatches(local, '127.0.0.2')).toBe(false);
    expect(ipMatches(parseCidr('10.0.0.0/8')!, '10.200.3.4')).toBe(true);
    expect(ipMatches(parseCidr('::1')!, '::1')).toBe(true);
    expect(ipMatches(parseCidr('2001:db8::/32')!, '2001:db8:1::5')).toBe(true);
    expect(ipMatches(parseCidr('2001:db8::/32')!, '2001:db9::5')).toBe(false);
    for (const bad of ['1.2.3', '1.2.3.4/33', '::1/129', '1::2::3', 'x']) {
      expect(parseCidr(bad)).toBeUndefined();
    }
  });

  it('a /0 range holds every address of its family (property)', () => {
    const all = parseCidr('0.0.0.0/0')!;
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        expect(ipMatches(all, address)).toBe(true);
        expect(ipMatches(parseCidr(`${address}/32`)!, address)).toBe(true);
      }),
    );
  });
});

describe('authorize', () => {
  const bucket = { name: 'bkt', ownerId: OWNER };
  const ask = (action: S3Action, who: { id?: string }, extra: object = {}) =>
    authorize({ action, requester: who, bucket, key: 'public/a', context: {}, ...extra }).allowed;

  it('a private bucket: the owner may do everything, nobody else anything', () => {
    for (const action of Object.keys(ACTIONS) as S3Action[]) {
      expect(ask(action, { id: OWNER })).toBe(true);
      expect(ask(action, { id: OTHER })).toBe(false);
      expect(ask(action, {})).toBe(false);
    }
  });

  it('the owner may always manage the ACL and policy, even against a Deny', () => {
    const denyAll = { ...publicRead, Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*' };
    const policy = parsePolicy(policyOf(denyAll), 'bkt');
    const denied = { bucket: { ...bucket, policy } };
    expect(ask('s3:PutBucketPolicy', { id: OWNER }, denied)).toBe(true);
    expect(ask('s3:GetBucketAcl', { id: OWNER }, denied)).toBe(true);
    expect(ask('s3:ListBucket', { id: OWNER }, denied)).toBe(false);
    expect(ask('s3:DeleteBucket', { id: OWNER }, denied)).toBe(false);
  });

  it('policy ops and DeleteBucket stay the owner’s whatever a policy allows', () => {
    const all = {
      ...publicRead,
      Action: 's3:*',
      Resource: ['arn:aws:s3:::bkt', 'arn:aws:s3:::bkt/*'],
    };
    const open = { bucket: { ...bucket, policy: parsePolicy(policyOf(all), 'bkt') } };
    expect(ask('s3:PutBucketPolicy', { id: OTHER }, open)).toBe(false);
    expect(ask('s3:DeleteBucket', {}, open)).toBe(false);
    expect(ask('s3:PutObject', {}, open)).toBe(true);
  });

  it('object reads follow the object ACL; writes follow the bucket ACL', () => {
    const objectAcl = cannedAcl('public-read', OTHER);
    expect(ask('s3:GetObject', {}, { objectAcl })).toBe(true);
    expect(ask('s3:GetObject', { id: OWNER }, { objectAcl: privateAcl(OTHER) })).toBe(false);
    expect(ask('s3:GetObjectAcl', { id: OTHER }, { objectAcl: privateAcl(OTHER) })).toBe(true);
    const writable = { bucket: { ...bucket, acl: cannedAcl('public-read-write', OWNER) } };
    expect(ask('s3:PutObject', {}, writable)).toBe(true);
    expect(ask('s3:DeleteObject', { id: OTHER }, writable)).toBe(true);
    expect(ask('s3:PutBucketAcl', { id: OTHER }, writable)).toBe(false);
    expect(ask('s3:PutBucketCORS', { id: OTHER }, writable)).toBe(false);
  });

  it('an explicit Deny wins over an ACL grant (property over actions)', () => {
    const deny = { ...publicRead, Effect: 'Deny', Principal: { AWS: OTHER }, Action: 's3:*' };
    const statement = { ...deny, Resource: ['arn:aws:s3:::bkt', 'arn:aws:s3:::bkt/*'] };
    const policy = parsePolicy(policyOf(statement), 'bkt');
    const acl = cannedAcl('public-read-write', OWNER);
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(ACTIONS) as S3Action[])), (action) => {
        const extra = { bucket: { ...bucket, acl, policy }, objectAcl: acl };
        expect(ask(action, { id: OTHER }, extra)).toBe(false);
      }),
    );
  });
});
