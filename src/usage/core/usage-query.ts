/**
 * Parses GET /riak-cs/usage/<key_id>[/<options>[/<start>[/<end>]]] (or the dot-separated
 * form, or ?a&b&s=&e= query parameters) into a typed query, as Riak CS's riak_cs_wm_usage
 * did, but stricter: an unknown option letter or a malformed date is an error, not ignored.
 */
import { parseIsoBasic } from './iso8601.js';

/** What a usage request asks for. */
export interface UsageQuery {
  keyId: string;
  access: boolean;
  storage: boolean;
  /** undefined: choose by the Accept header. */
  format?: 'json' | 'xml';
  startMs: number;
  endMs: number;
}

/** A refused usage request: Riak CS answers these with {"Error":{"Message":…}}. */
export class UsageQueryError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Bounds of a query. */
export interface UsageQueryLimits {
  nowMs: number;
  /** Window when no start is given, in ms before the end. */
  defaultWindowMs: number;
  /** Longest window a query may span. */
  rangeMaxMs: number;
}

const OPTION_LETTERS = new Set(['a', 'b', 'j', 'x']);
const TRUE_VALUES = new Set(['', 't', 'true', '1', 'y', 'yes']);

/** Splits the path after /riak-cs/usage/ into tokens (slash- or dot-separated). */
function pathTokens(rest: string): string[] {
  const tokens = rest.split('/').filter((t) => t !== '');
  if (tokens.length === 1 && tokens[0]!.includes('.')) return tokens[0]!.split('.');
  return tokens;
}

function parseOptions(letters: string): Set<string> {
  const options = new Set<string>();
  for (const letter of letters) {
    if (!OPTION_LETTERS.has(letter)) {
      throw new UsageQueryError(
        400,
        `Unknown option letter "${letter}": use a (access), b (storage), j (JSON), x (XML)`,
      );
    }
    options.add(letter);
  }
  return options;
}

function parseTime(text: string, which: 'start' | 'end'): number {
  const ms = parseIsoBasic(text);
  if (ms === undefined) {
    throw new UsageQueryError(
      400,
      `Invalid ${which}-time format: expected ISO 8601 basic, e.g. 20261126T000000Z`,
    );
  }
  return ms;
}

/** The query `rest` (the decoded path after /riak-cs/usage/) and `query` ask for. */
export function parseUsageQuery(
  rest: string,
  query: URLSearchParams,
  limits: UsageQueryLimits,
): UsageQuery {
  const tokens = pathTokens(rest);
  if (tokens.length === 0) throw new UsageQueryError(400, 'No user key id in the path');
  if (tokens.length > 4) {
    throw new UsageQueryError(400, 'Too many path segments: <key_id>/<options>/<start>/<end>');
  }
  const options = parseOptions(tokens[1] ?? '');
  for (const letter of OPTION_LETTERS) {
    const value = query.get(letter);
    if (value !== null && TRUE_VALUES.has(value.toLowerCase())) options.add(letter);
  }
  if (options.has('j') && options.has('x')) {
    throw new UsageQueryError(400, 'Options j (JSON) and x (XML) exclude each other');
  }
  const startText = query.get('s') ?? tokens[2];
  const endText = query.get('e') ?? tokens[3];
  let endMs = endText === undefined ? limits.nowMs : parseTime(endText, 'end');
  let startMs =
    startText === undefined ? endMs - limits.defaultWindowMs : parseTime(startText, 'start');
  if (startMs > endMs) [startMs, endMs] = [endMs, startMs];
  if (endMs - startMs > limits.rangeMaxMs) {
    throw new UsageQueryError(400, 'Too much time requested');
  }
  return {
    keyId: tokens[0]!,
    access: options.has('a'),
    storage: options.has('b'),
    ...(options.has('j') ? { format: 'json' as const } : {}),
    ...(options.has('x') ? { format: 'xml' as const } : {}),
    startMs,
    endMs,
  };
}
