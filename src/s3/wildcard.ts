/**
 * Wildcard patterns — `*` for any run of characters, `?` for exactly one — as bucket
 * policies (actions, resources, String/ArnLike conditions) and CORS rules (origins, headers)
 * use them. Every such pattern comes from a client, so it must never reach a backtracking
 * regular expression: `a*a*a*…*b` against a long key makes a RegExp take exponential time
 * and stalls every tenant on the event loop. Here a pattern is cut at its stars into
 * segments; the first must match at the start, the last at the end, and each one between at
 * its leftmost place after the one before (leftmost is always safe when only stars separate
 * segments). The scan never moves back, and segments between stars are found with the
 * bit-parallel Shift-And search (one machine word per 32 pattern characters), so a match
 * costs O(input length × ⌈segment length / 32⌉ + pattern length) word operations, whatever
 * the pattern: well within input × pattern. Characters are code points, so `?` matches one
 * emoji, not half of one.
 */

/** `?` in a compiled segment. */
const ANY = -1;

/** One piece of a pattern: text whose `*` and `?` are wildcards, or text taken as it is. */
export type WildcardPart = { glob: string } | { literal: string };

/**
 * The Shift-And table of a segment: bit i of a mask stands for the segment's i-th code point,
 * and a character's mask has the bits of its own positions and of every `?`. ASCII masks sit
 * in one flat array (`words` per character) for speed; of the rest, a character that occurs
 * at least `words` times gets a full mask (`dense`) and a rarer one only its positions
 * (`sparse`), so memory stays O(segment length) however many distinct characters it holds.
 */
interface SearchTable {
  words: number;
  any: Uint32Array;
  ascii: Uint32Array;
  dense: Map<number, Uint32Array>;
  sparse: Map<number, Int32Array>;
}

interface Segment {
  /** The code points, ANY for `?`. */
  readonly chars: Int32Array;
  /** Its search table, built when first searched for (only segments between stars are). */
  table?: SearchTable;
}

/**
 * A compiled pattern (compileWildcard), reusable for any number of matches; it only ever
 * changes by caching a segment's search table.
 */
export interface WildcardPattern {
  readonly ignoreCase: boolean;
  /** The segments between the stars; exactly one when there is no star. */
  readonly segments: readonly Segment[];
  /** Fewest code points an input needs: the segments' lengths added up. */
  readonly lengthMin: number;
}

/** Options of compileWildcard. */
export interface WildcardOptions {
  /** Compare lower-cased pattern and input (action names are case-insensitive). */
  ignoreCase?: boolean;
}

function codePoints(text: string): Int32Array {
  const out = new Int32Array(text.length);
  let n = 0;
  for (const char of text) out[n++] = char.codePointAt(0)!;
  return out.subarray(0, n);
}

/**
 * An input to match, converted to code points once however many patterns test it (a policy
 * tests one resource against every statement's).
 */
export class WildcardText {
  #exact?: Int32Array;
  #lower?: Int32Array;

  constructor(readonly text: string) {}

  /** The code points, of the lower-cased text when `ignoreCase`. */
  codes(ignoreCase: boolean): Int32Array {
    if (ignoreCase) return (this.#lower ??= codePoints(this.text.toLowerCase()));
    return (this.#exact ??= codePoints(this.text));
  }
}

const ASCII_END = 128;

function searchTable(chars: Int32Array): SearchTable {
  const words = Math.ceil(chars.length / 32);
  const any = new Uint32Array(words);
  const positions = new Map<number, number[]>();
  chars.forEach((char, i) => {
    if (char === ANY) any[i >>> 5]! |= 1 << (i & 31);
    else if (positions.has(char)) positions.get(char)!.push(i);
    else positions.set(char, [i]);
  });
  const ascii = new Uint32Array(ASCII_END * words);
  if (words === 1) ascii.fill(any[0]!);
  else if (any.some((word) => word !== 0)) {
    for (let char = 0; char < ASCII_END; char++) ascii.set(any, char * words);
  }
  const dense = new Map<number, Uint32Array>();
  const sparse = new Map<number, Int32Array>();
  for (const [char, list] of positions) {
    const inAscii = char < ASCII_END;
    if (!inAscii && list.length < words) {
      sparse.set(char, Int32Array.from(list));
      continue;
    }
    const mask = inAscii ? ascii.subarray(char * words, (char + 1) * words) : any.slice();
    for (const i of list) mask[i >>> 5]! |= 1 << (i & 31);
    if (!inAscii) dense.set(char, mask);
  }
  return { words, any, ascii, dense, sparse };
}

/**
 * Compiles a pattern: a string whose `*` and `?` are wildcards (there is no escape), or a
 * list of parts where `literal` parts match only themselves.
 */
export function compileWildcard(
  pattern: string | readonly WildcardPart[],
  options: WildcardOptions = {},
): WildcardPattern {
  const ignoreCase = options.ignoreCase === true;
  const parts = typeof pattern === 'string' ? [{ glob: pattern }] : pattern;
  const pieces: number[][] = [[]];
  for (const part of parts) {
    const glob = 'glob' in part;
    const text = glob ? part.glob : part.literal;
    for (const char of ignoreCase ? text.toLowerCase() : text) {
      if (glob && char === '*') pieces.push([]);
      else pieces.at(-1)!.push(glob && char === '?' ? ANY : char.codePointAt(0)!);
    }
  }
  // Consecutive stars leave empty segments between them, which match anywhere: drop them.
  const kept = pieces.filter((s, i) => s.length > 0 || i === 0 || i === pieces.length - 1);
  const segments = kept.map((piece): Segment => ({ chars: Int32Array.from(piece) }));
  const lengthMin = segments.reduce((sum, s) => sum + s.chars.length, 0);
  return { ignoreCase, segments, lengthMin };
}

/** Whether `chars` match `input` at `start` (the caller keeps it within bounds). */
function segmentAt(chars: Int32Array, input: Int32Array, start: number): boolean {
  for (let i = 0; i < chars.length; i++) {
    const want = chars[i]!;
    if (want !== ANY && want !== input[start + i]) return false;
  }
  return true;
}

/**
 * Shift-And: where the segment first matches wholly inside input[from, end), or -1. Bit i of
 * `state` says the segment's first i + 1 characters end at the current input position.
 */
function segmentFind(segment: Segment, input: Int32Array, from: number, end: number): number {
  const length = segment.chars.length;
  const table = (segment.table ??= searchTable(segment.chars));
  if (table.words === 1) return segmentFindShort(table, length, input, from, end);
  const { words, any, ascii, dense, sparse } = table;
  const state = new Uint32Array(words);
  const live = new Int32Array(words);
  const lastWord = (length - 1) >>> 5;
  const lastBit = (length - 1) & 31;
  for (let at = from; at < end; at++) {
    let carry = 1; // a match may start at every position
    for (let w = 0; w < words; w++) {
      const word = state[w]!;
      state[w] = (word << 1) | carry;
      carry = word >>> 31;
    }
    const char = input[at]!;
    if (char < ASCII_END) {
      const base = char * words;
      for (let w = 0; w < words; w++) state[w]! &= ascii[base + w]!;
    } else if (dense.has(char)) {
      const mask = dense.get(char)!;
      for (let w = 0; w < words; w++) state[w]! &= mask[w]!;
    } else {
      const positions = sparse.get(char);
      let count = 0;
      if (positions) {
        for (const i of positions) if ((state[i >>> 5]! >>> (i & 31)) & 1) live[count++] = i;
      }
      for (let w = 0; w < words; w++) state[w]! &= any[w]!;
      for (let k = 0; k < count; k++) state[live[k]! >>> 5]! |= 1 << (live[k]! & 31);
    }
    if ((state[lastWord]! >>> lastBit) & 1) return at - length + 1;
  }
  return -1;
}

/** segmentFind for a segment of at most 32 characters: the state is one number. */
function segmentFindShort(
  table: SearchTable,
  length: number,
  input: Int32Array,
  from: number,
  end: number,
): number {
  // With one word, every character of the segment has a dense mask (sparse needs < 1 use).
  const { any, ascii, dense } = table;
  const other = any[0]!;
  const hit = 1 << (length - 1);
  let state = 0;
  for (let at = from; at < end; at++) {
    const char = input[at]!;
    state = (state << 1) | 1;
    state &= char < ASCII_END ? ascii[char]! : (dense.get(char)?.[0] ?? other);
    if (state & hit) return at - length + 1;
  }
  return -1;
}

/** Whether `text` matches the compiled `pattern` as a whole. */
export function wildcardMatch(pattern: WildcardPattern, text: string | WildcardText): boolean {
  const wrapped = typeof text === 'string' ? new WildcardText(text) : text;
  const input = wrapped.codes(pattern.ignoreCase);
  const { segments } = pattern;
  const first = segments[0]!.chars;
  if (segments.length === 1) return input.length === first.length && segmentAt(first, input, 0);
  if (input.length < pattern.lengthMin || !segmentAt(first, input, 0)) return false;
  const last = segments.at(-1)!.chars;
  const end = input.length - last.length;
  if (!segmentAt(last, input, end)) return false;
  let from = first.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    const found = segmentFind(segment, input, from, end);
    if (found < 0) return false;
    from = found + segment.chars.length;
  }
  return true;
}

/** Compiles `pattern` and matches `text` against it (for one-off matches). */
export function wildcardMatches(
  pattern: string,
  text: string,
  options: WildcardOptions = {},
): boolean {
  return wildcardMatch(compileWildcard(pattern, options), text);
}
