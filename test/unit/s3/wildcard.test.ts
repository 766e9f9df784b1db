/**
 * The one wildcard matcher (src/s3/wildcard.ts) against a reference: a plain dynamic
 * programme over (pattern position, input position), obviously right and obviously
 * polynomial. Properties cover short and long (multi-word) segments, ASCII and astral
 * characters, literal parts and case folding; the worst patterns for a backtracking matcher
 * must come back at once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileWildcard,
  wildcardMatch,
  wildcardMatches,
  WildcardText,
  type WildcardPart,
} from '../../../src/s3/wildcard.js';

type Token = { star: true } | { any: true } | { char: string };

function tokensOf(parts: readonly WildcardPart[]): Token[] {
  return parts.flatMap((part) =>
    'glob' in part
      ? [...part.glob].map((c): Token =>
          c === '*' ? { star: true } : c === '?' ? { any: true } : { char: c },
        )
      : [...part.literal].map((c): Token => ({ char: c })),
  );
}

/** The reference: can tokens[i..] match input[j..]? Filled from the ends. */
function reference(parts: readonly WildcardPart[], text: string): boolean {
  const tokens = tokensOf(parts);
  const input = [...text];
  const next = new Array<boolean>(input.length + 1).fill(false);
  next[input.length] = true; // empty pattern matches empty input
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i]!;
    const here = new Array<boolean>(input.length + 1).fill(false);
    for (let j = input.length; j >= 0; j--) {
      if ('star' in token) here[j] = next[j]! || (j < input.length && here[j + 1]!);
      else if (j < input.length) {
        here[j] = ('any' in token || token.char === input[j]) && next[j + 1]!;
      }
    }
    next.splice(0, next.length, ...here);
  }
  return next[0]!;
}

const ALPHABET = ['a', 'b', 'é', '😀'];
const char = fc.constantFrom(...ALPHABET);
const text = (max: number) => fc.array(char, { maxLength: max }).map((cs) => cs.join(''));
const glob = (max: number) =>
  fc
    .array(fc.oneof(char, char, fc.constant('*'), fc.constant('?')), { maxLength: max })
    .map((cs) => cs.join(''));

describe('wildcard: against the reference', () => {
  it('agrees on short patterns and inputs (property)', () => {
    fc.assert(
      fc.property(glob(12), text(16), (pattern, input) => {
        expect(wildcardMatches(pattern, input)).toBe(reference([{ glob: pattern }], input));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on long segments, searched a machine word at a time (property)', () => {
    const longGlob = fc
      .array(fc.oneof({ weight: 12, arbitrary: char }, fc.constant('?'), fc.constant('*')), {
        minLength: 30,
        maxLength: 160,
      })
      .map((cs) => cs.join(''));
    fc.assert(
      fc.property(longGlob, text(220), (pattern, input) => {
        expect(wildcardMatches(pattern, input)).toBe(reference([{ glob: pattern }], input));
      }),
      { numRuns: 600 },
    );
  });

  it('agrees on long segments of rare characters (sparse masks) (property)', () => {
    const rare = fc.constantFrom(...'абвгдежзийклмнопрстуфхцчшщ😀😁😂', 'a', '?');
    const segment = fc.array(rare, { minLength: 33, maxLength: 100 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(segment, fc.array(fc.nat(), { maxLength: 6 }), fc.nat(), (seg, cuts, shift) => {
        const pattern = `a*${seg}*`;
        const body = [...seg].map((c) => (c === '?' ? 'ж' : c));
        for (const cut of cuts) body[cut % body.length] = 'a';
        const input = `a${'я'.repeat(shift % 40)}${body.join('')}${body.slice(0, 5).join('')}`;
        expect(wildcardMatches(pattern, input)).toBe(reference([{ glob: pattern }], input));
      }),
      { numRuns: 1500 },
    );
  });

  it('agrees when the input is built to match, with one character changed (property)', () => {
    const fill = (tokenChar: string, pick: number) =>
      tokenChar === '*'
        ? ALPHABET.slice(0, pick % 3).join('')
        : tokenChar === '?'
          ? ALPHABET[pick % 4]!
          : tokenChar;
    fc.assert(
      fc.property(
        glob(80),
        fc.array(fc.nat(), { minLength: 80, maxLength: 80 }),
        fc.nat(),
        (pattern, picks, at) => {
          const input = [...pattern].map((c, i) => fill(c, picks[i]!)).join('');
          expect(wildcardMatches(pattern, input)).toBe(true);
          const chars = [...input];
          if (chars.length === 0) return;
          chars[at % chars.length] = 'z';
          const changed = chars.join('');
          expect(wildcardMatches(pattern, changed)).toBe(reference([{ glob: pattern }], changed));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('takes literal parts literally (property)', () => {
    const part = fc.oneof(
      glob(6).map((g): WildcardPart => ({ glob: g })),
      glob(6).map((l): WildcardPart => ({ literal: l })),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 4 }), text(14), (parts, input) => {
        expect(wildcardMatch(compileWildcard(parts), input)).toBe(reference(parts, input));
      }),
      { numRuns: 2000 },
    );
    expect(wildcardMatch(compileWildcard([{ literal: 'a*' }]), 'a*')).toBe(true);
    expect(wildcardMatch(compileWildcard([{ literal: 'a*' }]), 'ab')).toBe(false);
    expect(
      wildcardMatch(compileWildcard([{ glob: 'x/' }, { literal: '?' }, { glob: '*' }]), 'x/?y'),
    ).toBe(true);
  });
});

describe('wildcard: cases', () => {
  const table: Array<[pattern: string, input: string, expected: boolean]> = [
    ['', '', true],
    ['', 'a', false],
    ['*', '', true],
    ['*', 'anything at all', true],
    ['?', '😀', true],
    ['?', 'ab', false],
    ['??', '😀', false],
    ['arn:aws:s3:::bkt/*', 'arn:aws:s3:::bkt/a/b.txt', true],
    ['arn:aws:s3:::bkt/*', 'arn:aws:s3:::bkt', false],
    ['arn:aws:s3:::bkt/public/*', 'arn:aws:s3:::bkt/private/x', false],
    ['s3:Get*', 's3:GetObject', true],
    ['*.example.com', 'https://www.example.com', true],
    ['http://www.example.com/*', 'http://example.com', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['*ab*ab*', 'abab', true],
    ['*ab*ab*', 'aba', false],
    ['a**b', 'ab', true],
    ['.+^$()[]{}|\\', '.+^$()[]{}|\\', true], // no character is special but * and ?
  ];
  it.each(table)('%j against %j is %s', (pattern, input, expected) => {
    expect(wildcardMatches(pattern, input)).toBe(expected);
    expect(reference([{ glob: pattern }], input)).toBe(expected);
  });

  it('folds case only when asked to', () => {
    expect(wildcardMatches('s3:get*', 's3:GetObject')).toBe(false);
    expect(wildcardMatches('s3:get*', 's3:GetObject', { ignoreCase: true })).toBe(true);
    expect(wildcardMatches('S3:*ACL', 's3:PutObjectAcl', { ignoreCase: true })).toBe(true);
  });

  it('a WildcardText is converted once and serves every pattern', () => {
    const input = new WildcardText('arn:aws:s3:::bkt/Home/x');
    expect(wildcardMatch(compileWildcard('*home*'), input)).toBe(false);
    expect(wildcardMatch(compileWildcard('*home*', { ignoreCase: true }), input)).toBe(true);
    expect(wildcardMatch(compileWildcard('*Home*'), input)).toBe(true);
  });
});

describe('wildcard: no pattern is slow', () => {
  // Each of these takes a backtracking RegExp (or a naive recursive matcher) exponential or
  // high-polynomial time; here each is one pass. The bound is loose on purpose (the machine
  // is shared); the point is that they finish, where the RegExp version does not.
  const aaa = 'a'.repeat(16_000);
  const cases: Array<[name: string, pattern: string, input: string, withB: boolean]> = [
    ['a*a*a*…*b against a…a', `${'a*'.repeat(2000)}b`, aaa, true],
    ['*a*a*…*b* against a…a', `*${'a*'.repeat(2000)}b*`, aaa, true],
    ['a long ?-segment', `*${'?'.repeat(5000)}b*`, aaa, true],
    ['a long literal segment', `*${'a'.repeat(5000)}b*`, aaa, true],
    ['many distinct characters', `*${'я'.repeat(40)}${'一二三四五'.repeat(900)}b*`, aaa, false],
  ];
  it.each(cases)('%s', (_name, pattern, input, withB) => {
    const started = performance.now();
    expect(wildcardMatches(pattern, input)).toBe(false);
    expect(wildcardMatches(pattern, `${input}b`)).toBe(withB);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
