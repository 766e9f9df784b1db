/**
 * Policy conditions as AWS's IAM documents them: every operator family, the IfExists forms,
 * Null, the set qualifiers over a multi-valued key, policy variables, and the refusals of
 * what is not understood. Each case is one statement allowing s3:GetObject when its
 * Condition holds, evaluated against a request context.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkNewPolicy,
  evaluatePolicy,
  parsePolicy,
  type ConditionContext,
} from '../../../src/s3/access/policy.js';
import { dateOf, numberOf } from '../../../src/s3/access/policy-conditions.js';

function policyText(condition: object, extra: object = {}, version = '2012-10-17'): string {
  const statement = {
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::bkt/*',
    Condition: condition,
    ...extra,
  };
  return JSON.stringify({ Version: version, Statement: [statement] });
}

/** Whether the condition lets a GetObject with `context` through. */
function holds(condition: object, context: ConditionContext): boolean {
  const policy = parsePolicy(policyText(condition), 'bkt');
  const request = { action: 's3:GetObject', resource: 'arn:aws:s3:::bkt/k', context };
  return evaluatePolicy(policy, request) === 'Allow';
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (error) {
    return (error as { code?: string }).code ?? 'thrown';
  }
}

const REFERER = 'aws:Referer';
const withReferer = (referer: string): ConditionContext => ({ 'aws:referer': referer });
const none: ConditionContext = {};

describe('policy conditions: string operators', () => {
  const cases: Array<
    [operator: string, value: string, context: ConditionContext, expected: boolean]
  > = [
    ['StringEquals', 'http://a/', withReferer('http://a/'), true],
    ['StringEquals', 'http://a/', withReferer('http://A/'), false],
    ['StringEquals', 'http://a/', none, false],
    ['StringNotEquals', 'http://a/', withReferer('http://b/'), true],
    ['StringNotEquals', 'http://a/', withReferer('http://a/'), false],
    ['StringNotEquals', 'http://a/', none, true], // a missing key passes a negated test
    ['StringEqualsIgnoreCase', 'HTTP://A/', withReferer('http://a/'), true],
    ['StringNotEqualsIgnoreCase', 'HTTP://A/', withReferer('http://a/'), false],
    ['StringLike', 'http://www.example.com/*', withReferer('http://www.example.com/x'), true],
    ['StringLike', 'http://www.example.com/*', withReferer('http://example.com'), false],
    ['StringLike', 'http://?.com', withReferer('http://a.com'), true],
    ['StringNotLike', 'http://evil/*', withReferer('http://good/x'), true],
    ['StringNotLike', 'http://evil/*', withReferer('http://evil/x'), false],
    ['StringLikeIfExists', 'http://www.example.com/*', none, true],
    [
      'StringLikeIfExists',
      'http://www.example.com/*',
      withReferer('http://www.example.com/'),
      true,
    ],
    ['StringLikeIfExists', 'http://www.example.com/*', withReferer('http://example.com'), false],
    ['StringEqualsIfExists', 'x', none, true],
    ['StringNotEqualsIfExists', 'x', withReferer('x'), false],
    ['StringEqualsIgnoreCaseIfExists', 'X', withReferer('x'), true],
    ['StringNotLikeIfExists', 'x*', none, true],
  ];
  it.each(cases)('%s %j', (operator, value, context, expected) => {
    expect(holds({ [operator]: { [REFERER]: value } }, context)).toBe(expected);
  });

  it('a list of values is OR, and NOR under a negated operator', () => {
    const values = ['http://a/*', 'http://b/*'];
    expect(holds({ StringLike: { [REFERER]: values } }, withReferer('http://b/1'))).toBe(true);
    expect(holds({ StringLike: { [REFERER]: values } }, withReferer('http://c/1'))).toBe(false);
    expect(holds({ StringNotLike: { [REFERER]: values } }, withReferer('http://b/1'))).toBe(false);
    expect(holds({ StringNotLike: { [REFERER]: values } }, withReferer('http://c/1'))).toBe(true);
  });

  it('several operators and keys must all hold (AND)', () => {
    const both = {
      StringLike: { [REFERER]: 'http://a/*' },
      StringEquals: { 's3:x-amz-acl': 'private' },
    };
    expect(holds(both, { 'aws:referer': 'http://a/1', 's3:x-amz-acl': 'private' })).toBe(true);
    expect(holds(both, { 'aws:referer': 'http://a/1' })).toBe(false);
  });

  it('a negated operator is the opposite of its positive one on a present key (property)', () => {
    const text = fc.string({ maxLength: 8, unit: fc.constantFrom('a', 'b', '*', '?', 'é') });
    fc.assert(
      fc.property(text, text, (pattern, referer) => {
        const context = withReferer(referer);
        for (const [yes, no] of [
          ['StringEquals', 'StringNotEquals'],
          ['StringLike', 'StringNotLike'],
          ['StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase'],
        ] as const) {
          const positive = holds({ [yes]: { [REFERER]: pattern } }, context);
          expect(holds({ [no]: { [REFERER]: pattern } }, context)).toBe(!positive);
          expect(holds({ [`${yes}IfExists`]: { [REFERER]: pattern } }, context)).toBe(positive);
          expect(holds({ [`${yes}IfExists`]: { [REFERER]: pattern } }, none)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('policy conditions: Null, Numeric, Date, Bool, IP, ARN', () => {
  const sse = 's3:x-amz-server-side-encryption';
  it('Null tests whether the key is absent (true) or present (false)', () => {
    expect(holds({ Null: { [sse]: 'true' } }, none)).toBe(true);
    expect(holds({ Null: { [sse]: 'true' } }, { [sse]: 'AES256' })).toBe(false);
    expect(holds({ Null: { [sse]: false } }, { [sse]: 'AES256' })).toBe(true);
    expect(holds({ Null: { [sse]: 'false' } }, none)).toBe(false);
  });

  it('Numeric operators compare numbers; a value that is not one matches nothing', () => {
    const keys = (n: string): ConditionContext => ({ 's3:max-keys': n });
    expect(holds({ NumericLessThanEquals: { 's3:max-keys': 10 } }, keys('10'))).toBe(true);
    expect(holds({ NumericLessThan: { 's3:max-keys': '10' } }, keys('10'))).toBe(false);
    expect(holds({ NumericGreaterThan: { 's3:max-keys': '9.5' } }, keys('10'))).toBe(true);
    expect(holds({ NumericGreaterThanEquals: { 's3:max-keys': '11' } }, keys('10'))).toBe(false);
    expect(holds({ NumericEquals: { 's3:max-keys': '10' } }, keys('10.0'))).toBe(true);
    expect(holds({ NumericNotEquals: { 's3:max-keys': '10' } }, keys('7'))).toBe(true);
    expect(holds({ NumericEquals: { 's3:max-keys': '10' } }, keys('ten'))).toBe(false);
    expect(holds({ NumericLessThanIfExists: { 's3:max-keys': '10' } }, none)).toBe(true);
  });

  it('Date operators compare instants, ISO 8601 or epoch seconds', () => {
    const at = (iso: string): ConditionContext => ({
      'aws:currenttime': iso,
      'aws:epochtime': String(Date.parse(iso) / 1000),
    });
    const noon = at('2026-06-01T12:00:00.000Z');
    expect(holds({ DateLessThan: { 'aws:CurrentTime': '2026-06-02' } }, noon)).toBe(true);
    expect(holds({ DateGreaterThan: { 'aws:CurrentTime': '2026-06-01T13:00:00Z' } }, noon)).toBe(
      false,
    );
    expect(holds({ DateEquals: { 'aws:CurrentTime': '2026-06-01T14:00:00+02:00' } }, noon)).toBe(
      true,
    );
    const epoch = String(Date.parse('2026-06-01T12:00:00Z') / 1000);
    expect(holds({ DateLessThanEquals: { 'aws:EpochTime': epoch } }, noon)).toBe(true);
    expect(holds({ NumericGreaterThan: { 'aws:EpochTime': Number(epoch) - 1 } }, noon)).toBe(true);
    expect(holds({ DateNotEquals: { 'aws:CurrentTime': '2020-01-01' } }, noon)).toBe(true);
  });

  it('Bool, IpAddress and NotIpAddress', () => {
    const secure: ConditionContext = { 'aws:securetransport': 'true', 'aws:sourceip': '10.1.2.3' };
    expect(holds({ Bool: { 'aws:SecureTransport': true } }, secure)).toBe(true);
    expect(holds({ Bool: { 'aws:SecureTransport': 'FALSE' } }, secure)).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, secure)).toBe(true);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '::1'] } }, secure)).toBe(false);
  });

  it('ARN operators match field by field; a star never crosses a colon', () => {
    const arn = (value: string): ConditionContext => ({ 'aws:principalarn': value });
    const root = arn('arn:aws:iam::abc:root');
    for (const operator of ['ArnLike', 'ArnEquals']) {
      expect(holds({ [operator]: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } }, root)).toBe(true);
      expect(holds({ [operator]: { 'aws:PrincipalArn': 'arn:aws:iam::a?c:*' } }, root)).toBe(true);
    }
    const sneaky = arn('arn:aws:iam::ab:cd:root');
    expect(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::a*:root' } }, sneaky)).toBe(false);
    expect(holds({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::x*:root' } }, root)).toBe(true);
    expect(holds({ ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::abc:root' } }, root)).toBe(
      false,
    );
    expect(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } }, none)).toBe(false);
  });
});

describe('policy conditions: multi-valued keys and set qualifiers', () => {
  const keys = 's3:RequestObjectTagKeys';
  const tagged = (...names: string[]): ConditionContext => ({ 's3:requestobjecttagkeys': names });
  it('ForAllValues: every request value is allowed (an empty set passes)', () => {
    const allowed = { 'ForAllValues:StringEquals': { [keys]: ['team', 'env'] } };
    expect(holds(allowed, tagged('team'))).toBe(true);
    expect(holds(allowed, tagged('team', 'env'))).toBe(true);
    expect(holds(allowed, tagged('team', 'secret'))).toBe(false);
    expect(holds(allowed, tagged())).toBe(true);
    expect(holds(allowed, none)).toBe(true);
  });

  it('ForAnyValue: some request value matches (an empty set fails)', () => {
    const any = { 'ForAnyValue:StringLike': { [keys]: ['sec*'] } };
    expect(holds(any, tagged('team', 'secret'))).toBe(true);
    expect(holds(any, tagged('team'))).toBe(false);
    expect(holds(any, none)).toBe(false);
    const notAny = { 'ForAnyValue:StringNotEquals': { [keys]: ['team'] } };
    expect(holds(notAny, tagged('team', 'env'))).toBe(true);
    expect(holds(notAny, tagged('team'))).toBe(false);
    const allNot = { 'ForAllValues:StringNotLike': { [keys]: ['sec*'] } };
    expect(holds(allNot, tagged('team', 'env'))).toBe(true);
    expect(holds(allNot, tagged('team', 'secret'))).toBe(false);
  });

  it('object tag keys keep the case of the tag name', () => {
    const tag = { StringEquals: { 's3:ExistingObjectTag/Security': 'public' } };
    expect(holds(tag, { 's3:existingobjecttag/Security': 'public' })).toBe(true);
    expect(holds(tag, { 's3:existingobjecttag/security': 'public' })).toBe(false);
    const request = { StringEquals: { 's3:RequestObjectTag/team': 'a' } };
    expect(holds(request, { 's3:requestobjecttag/team': 'a' })).toBe(true);
  });
});

describe('policy variables', () => {
  const evaluate = (text: string, resource: string, context: ConditionContext) =>
    evaluatePolicy(parsePolicy(text, 'bkt'), { action: 's3:GetObject', resource, context });
  const me: ConditionContext = { 'aws:userid': 'u1' };

  it('a Resource may name ${aws:userid}; an absent variable matches nothing', () => {
    const text = policyText({}, { Resource: 'arn:aws:s3:::bkt/home/${aws:userid}/*' });
    expect(evaluate(text, 'arn:aws:s3:::bkt/home/u1/a', me)).toBe('Allow');
    expect(evaluate(text, 'arn:aws:s3:::bkt/home/u2/a', me)).toBe('None');
    expect(evaluate(text, 'arn:aws:s3:::bkt/home//a', none)).toBe('None');
  });

  it('a variable’s value is literal: a request cannot make it a wildcard', () => {
    const text = policyText({ StringLike: { 's3:prefix': 'home/${aws:referer}/*' } });
    const asks = (referer: string, prefix: string) =>
      evaluate(text, 'arn:aws:s3:::bkt/x', { 'aws:referer': referer, 's3:prefix': prefix });
    expect(asks('me', 'home/me/x')).toBe('Allow');
    expect(asks('*', 'home/you/x')).toBe('None');
    expect(asks('*', 'home/*/x')).toBe('Allow');
  });

  it('${*}, ${?} and ${$} are those characters; before 2012-10-17 there are no variables', () => {
    const star = policyText({ StringLike: { [REFERER]: 'a${*}b*' } });
    const check = (text: string, referer: string) =>
      evaluate(text, 'arn:aws:s3:::bkt/k', withReferer(referer));
    expect(check(star, 'a*bzz')).toBe('Allow');
    expect(check(star, 'axbzz')).toBe('None');
    const old = policyText({ StringEquals: { [REFERER]: '${aws:userid}' } }, {}, '2008-10-17');
    expect(check(old, '${aws:userid}')).toBe('Allow');
  });
});

describe('policy conditions: refused when set', () => {
  const bad: Array<[why: string, condition: object]> = [
    ['unknown operator', { StringSortOf: { [REFERER]: 'a' } }],
    ['Null has no IfExists', { NullIfExists: { [REFERER]: 'true' } }],
    ['Null takes no qualifier', { 'ForAnyValue:Null': { [REFERER]: 'true' } }],
    ['unknown qualifier', { 'ForSomeValues:StringEquals': { [REFERER]: 'a' } }],
    ['unknown key', { StringEquals: { 'aws:Nonsense': 'a' } }],
    ['VPC keys mean nothing here', { StringEquals: { 'aws:SourceVpce': 'vpce-1' } }],
    ['empty tag name', { StringEquals: { 's3:ExistingObjectTag/': 'a' } }],
    ['IP operator on a string key', { IpAddress: { 's3:prefix': '10.0.0.0/8' } }],
    ['string operator on an IP key', { StringEquals: { 'aws:SourceIp': '10.0.0.1' } }],
    ['Numeric on a string key', { NumericLessThan: { 's3:prefix': '1' } }],
    ['not a number', { NumericLessThan: { 's3:max-keys': 'ten' } }],
    ['not a date', { DateLessThan: { 'aws:CurrentTime': 'yesterday' } }],
    ['not a boolean', { Bool: { 'aws:SecureTransport': 'maybe' } }],
    ['Null takes booleans', { Null: { [REFERER]: 'perhaps' } }],
    ['not an ARN', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::x' } }],
    ['not an IP range', { IpAddress: { 'aws:SourceIp': '300.1.1.1/8' } }],
    ['unknown variable', { StringLike: { [REFERER]: '${aws:nonsense}' } }],
    ['multi-valued variable', { StringLike: { [REFERER]: '${s3:RequestObjectTagKeys}' } }],
    ['no values', { StringEquals: { [REFERER]: [] } }],
    ['an object as value', { StringEquals: { [REFERER]: { a: 1 } } }],
    ['a body that is not an object', { StringEquals: 'x' }],
  ];
  it.each(bad)('%s', (_why, condition) => {
    expect(codeOf(() => parsePolicy(policyText(condition), 'bkt'))).toBe('MalformedPolicy');
  });

  it('more than 1,000 values for one key, when set (a stored policy still loads)', () => {
    const many = policyText({ StringEquals: { [REFERER]: Array.from({ length: 1001 }, String) } });
    expect(codeOf(() => checkNewPolicy(many, 'bkt'))).toBe('MalformedPolicy');
    expect(codeOf(() => parsePolicy(many, 'bkt'))).toBe('none');
  });
});

describe('policy documents', () => {
  const deny = (extra: object) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::bkt/*', ...extra }],
    });
  const ask = (text: string, principalId?: string, action = 's3:GetObject') =>
    evaluatePolicy(parsePolicy(text, 'bkt'), {
      ...(principalId ? { principalId } : {}),
      action,
      resource: 'arn:aws:s3:::bkt/k',
      context: {},
    });

  it('NotPrincipal with Deny denies everyone else, the anonymous included', () => {
    const text = deny({ NotPrincipal: { AWS: 'arn:aws:iam::keeper:root' } });
    expect(ask(text, 'keeper')).toBe('None');
    expect(ask(text, 'other')).toBe('Deny');
    expect(ask(text)).toBe('Deny');
  });

  it('NotAction and NotResource match everything they do not name', () => {
    const notAction = deny({ Principal: '*', Action: undefined, NotAction: 's3:Get*' });
    expect(ask(notAction, 'x', 's3:GetObject')).toBe('None');
    expect(ask(notAction, 'x', 's3:PutObject')).toBe('Deny');
    const notResource = deny({
      Principal: '*',
      Resource: undefined,
      NotResource: 'arn:aws:s3:::bkt/k',
    });
    expect(ask(notResource, 'x')).toBe('None');
  });

  it('Allow with NotPrincipal and partial principal wildcards are refused', () => {
    const allowNot = JSON.stringify({
      Statement: {
        Effect: 'Allow',
        NotPrincipal: { AWS: 'arn:aws:iam::s3tenant1:root' },
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::bkt',
      },
    });
    expect(codeOf(() => checkNewPolicy(allowNot, 'bkt'))).toBe('MalformedPolicy');
    expect(codeOf(() => parsePolicy(allowNot, 'bkt'))).toBe('none'); // a stored one still loads
    const partial = deny({ Principal: { AWS: 'abc*' } });
    expect(codeOf(() => checkNewPolicy(partial, 'bkt'))).toBe('MalformedPolicy');
  });

  it('counts 20 KiB without the whitespace between tokens, as AWS does', () => {
    const values = Array.from({ length: 800 }, (_, i) => `value-${i}`);
    const compact = policyText({ StringEquals: { [REFERER]: values } });
    const indented = JSON.stringify(JSON.parse(compact), null, 8);
    expect(Buffer.byteLength(indented)).toBeGreaterThan(20 * 1024);
    expect(Buffer.byteLength(compact)).toBeLessThan(20 * 1024);
    expect(codeOf(() => checkNewPolicy(indented, 'bkt'))).toBe('none');
    const big = policyText({ StringEquals: { [REFERER]: [...values, ...values] } });
    expect(codeOf(() => checkNewPolicy(big, 'bkt'))).toBe('MalformedPolicy');
  });
});

describe('numbers and dates', () => {
  it('takes IAM’s forms and nothing else', () => {
    expect(numberOf('10')).toBe(10);
    expect(numberOf('-1.5')).toBe(-1.5);
    for (const bad of ['', '0x10', '1e3', ' 1', 'NaN', 'Infinity'])
      expect(numberOf(bad)).toBe(undefined);
    expect(dateOf('2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(dateOf('2026-01-01T10:00')).toBe(Date.UTC(2026, 0, 1, 10));
    expect(dateOf('1700000000')).toBe(1_700_000_000_000);
    for (const bad of ['', 'yesterday', '2026-13-01', '2026-01-01 10:00'])
      expect(dateOf(bad)).toBe(undefined);
  });
});

describe('a stored policy this version cannot read', () => {
  it('denies everything but what the owner may always do', async () => {
    const { bucketAccessOf } = await import('../../../src/s3/handlers/access.js');
    const { authorize } = await import('../../../src/s3/access/authorize.js');
    // An older Cairn took `${…}` literally and stored this; it names no known variable.
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::bkt/${aws:PrincipalTag/team}/*',
      },
    });
    const record = { name: 'bkt', id: 'i', ownerId: 'owner', createdAtMs: 0, policy };
    const bucket = bucketAccessOf(record);
    const ask = (action: 's3:GetObject' | 's3:PutBucketPolicy', id?: string) =>
      authorize({ action, requester: id ? { id } : {}, bucket, key: 'k', context: {} }).allowed;
    expect(ask('s3:GetObject')).toBe(false);
    expect(ask('s3:GetObject', 'owner')).toBe(false);
    expect(ask('s3:PutBucketPolicy', 'owner')).toBe(true);
  });
});
