/**
 * The shape of one row of the settings table (settings.ts) and the small value types only
 * the table uses. A row names a setting once: its flag, its CAIRN_* variable, its config
 * key, its type, its default and its help.
 */
import { integerType } from './core/types.js';
import { ValueError, type ValueType } from './core/values.js';

/** The programs of `cairn` that take settings. */
export type Program = 'start' | 's3' | 'node' | 'stanchion';

/** Every program, in the order the README lists them. */
export const PROGRAMS: readonly Program[] = ['start', 's3', 'node', 'stanchion'];

/** One row of the table. */
export interface Setting {
  /** The option's name in the parsed settings (and commander's attribute). */
  name: string;
  programs: readonly Program[];
  type: ValueType<unknown>;
  help: string;
  /** Value when set nowhere; absent: unset (or, with `required`, an error). */
  default?: unknown;
  required?: boolean;
  /** Said after "X is required: set …" when a required setting is missing. */
  requiredHint?: string;
  /** e.g. '--port <port>'; a flag without <arg> turns an on/off setting on. */
  flag?: string;
  env?: string;
  key?: string;
  /** Other config keys read as this one (Riak CS app.config spellings). */
  keyAliases?: readonly string[];
  /** For a key that sets two settings (listener: host and port): the part this one takes. */
  fromKey?: (raw: string) => string;
  /** Never printed: chkconfig and cluster-info show it as "(set)". */
  secret?: boolean;
}

/** The S3 front end: the embedded store and `cairn s3`. */
export const FRONT: readonly Program[] = ['start', 's3'];
/** Processes that may collect garbage (and so read the GC settings). */
export const COLLECTORS: readonly Program[] = ['start', 's3', 'node'];

/** A value Cairn takes only one way: anything else is refused with `why`. */
export function onlyType(accepted: string, why: string): ValueType<unknown> {
  return {
    expected: accepted,
    parse(raw) {
      if (raw.trim().toLowerCase() !== accepted) throw new ValueError(why);
      return accepted;
    },
    format: String,
  };
}

/** ring_size: a power of two from 8 to 1024. */
export const powerOfTwoType: ValueType<number> = {
  expected: 'a power of two from 8 to 1024',
  parse(raw) {
    const n = integerType(8, 1024).parse(raw);
    if ((n & (n - 1)) !== 0) throw new ValueError(`expected a power of two, not ${n}`);
    return n;
  },
  format: String,
};

/** max_buckets_per_user: 1 to 1000 (Riak CS's `unlimited` is refused with the reason). */
export const bucketsMaxType: ValueType<number> = {
  expected: 'an integer from 1 to 1000',
  parse(raw) {
    if (raw.trim() === 'unlimited') {
      throw new ValueError(
        "unlimited is not supported: a user's buckets are listed in one read of at most " +
          '1000; set a number from 1 to 1000',
      );
    }
    return integerType(1, 1000).parse(raw);
  },
  format: String,
};
