/**
 * A policy is a client's document: whatever JSON it is, parsing either accepts it or
 * answers MalformedPolicy (a client error, never a 500), and a policy that parses evaluates
 * against any request without throwing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../../src/http/errors.js';
import { checkNewPolicy, evaluatePolicy, type Policy } from '../../../src/s3/access/policy.js';

const word = fc.constantFrom(
  '*',
  '?',
  'a*b',
  '${aws:userid}',
  '${*}',
  '${aws:nope}',
  'arn:aws:s3:::bkt/*',
  'arn:aws:s3:::bkt',
  'arn:aws:iam::*:root',
  's3:Get*',
  's3:PutObject',
  'true',
  '10',
  '2026-01-01',
  '10.0.0.0/8',
  '',
);
const operator = fc.constantFrom(
  'StringLike',
  'StringNotEqualsIfExists',
  'ForAnyValue:StringEquals',
  'ForAllValues:StringNotLike',
  'NumericLessThan',
  'DateGreaterThanEquals',
  'Bool',
  'IpAddress',
  'ArnLike',
  'Null',
  'Bogus',
);
const key = fc.constantFrom(
  'aws:Referer',
  's3:prefix',
  's3:max-keys',
  'aws:CurrentTime',
  'aws:EpochTime',
  'aws:SecureTransport',
  'aws:SourceIp',
  'aws:PrincipalArn',
  's3:ExistingObjectTag/t',
  's3:RequestObjectTagKeys',
  'aws:Unknown',
);
const values = fc.oneof(word, fc.array(word, { maxLength: 3 }), fc.integer(), fc.boolean());
const condition = fc.dictionary(operator, fc.dictionary(key, values, { maxKeys: 2 }), {
  maxKeys: 2,
});
const resource = fc.constantFrom('arn:aws:s3:::bkt/*', 'arn:aws:s3:::bkt/${aws:userid}/*', '*');
/** Mostly well formed: each field or its Not- form, sometimes a bad value or a missing one. */
const statement = fc
  .record({
    effect: fc.constantFrom('Allow', 'Deny', 'Deny', 'Maybe'),
    principal: fc.oneof(fc.constant('*'), fc.record({ AWS: fc.constantFrom('u1', '*', 'u?') })),
    action: fc.oneof(fc.constantFrom('s3:*', 's3:Get*', 's3:GetObject'), word),
    resource: fc.oneof(resource, resource, word),
    not: fc.subarray(['Principal', 'Action', 'Resource']),
    condition: fc.option(condition),
    sid: fc.option(fc.constantFrom('a', 'b')),
  })
  .map((s) => {
    const field = (name: string, value: unknown) => ({
      [s.not.includes(name) ? `Not${name}` : name]: value,
    });
    return {
      Effect: s.effect,
      ...field('Principal', s.principal),
      ...field('Action', s.action),
      ...field('Resource', s.resource),
      ...(s.condition !== null ? { Condition: s.condition } : {}),
      ...(s.sid !== null ? { Sid: s.sid } : {}),
    };
  });
const document = fc.oneof(
  fc.record({ Version: fc.constantFrom('2012-10-17', '2008-10-17'), Statement: statement }),
  fc.record({ Statement: fc.array(statement, { maxLength: 3 }) }),
  fc.jsonValue(),
);
const context = fc.dictionary(
  fc.constantFrom('aws:referer', 's3:prefix', 's3:max-keys', 'aws:userid', 'aws:sourceip'),
  word,
);

describe('policy fuzz', () => {
  it('parses or answers MalformedPolicy; what parses evaluates (property)', () => {
    let parsed = 0;
    fc.assert(
      fc.property(document, context, (doc, ctx) => {
        let policy: Policy;
        try {
          policy = checkNewPolicy(JSON.stringify(doc), 'bkt');
        } catch (error) {
          expect(error).toBeInstanceOf(S3Error);
          expect((error as S3Error).code).toBe('MalformedPolicy');
          return;
        }
        parsed++;
        for (const principalId of [undefined, 'u1']) {
          const verdict = evaluatePolicy(policy, {
            ...(principalId ? { principalId } : {}),
            action: 's3:GetObject',
            resource: 'arn:aws:s3:::bkt/a*b',
            context: ctx,
          });
          expect(['Allow', 'Deny', 'None']).toContain(verdict);
        }
      }),
      { numRuns: 3000 },
    );
    expect(parsed).toBeGreaterThan(50); // the generator reaches valid policies too
  });
});
