/**
 * Value types for the settings table: each checks its range, so a flag, a CAIRN_* variable
 * and a config line are refused with the same message. Pure.
 */
import {
  formatBytes,
  formatDurationMs,
  parseAddressList,
  parseBytes,
  parseDurationMs,
  parseFlag,
  ValueError,
  type ValueType,
} from './values.js';

/** An integer from `min` to `max`. */
export function integerType(min: number, max: number): ValueType<number> {
  return {
    expected: `an integer from ${min} to ${max}`,
    parse(raw) {
      const text = raw.trim();
      const n = Number(text);
      if (!/^-?\d+$/.test(text) || n < min || n > max) {
        throw new ValueError(`expected an integer from ${min} to ${max}, not "${raw}"`);
      }
      return n;
    },
    format: String,
  };
}

/**
 * A duration, in `unit` ('s' or 'ms'): `24h`, `15m`, or a bare number of that unit.
 * `infinity` (as Riak CS's gc.interval took it) is Infinity when allowed.
 */
export function durationType(
  unit: 's' | 'ms',
  minValue: number,
  maxValue: number,
  options: { infinity?: boolean } = {},
): ValueType<number> {
  const unitMs = unit === 's' ? 1000 : 1;
  const [low, high] = [minValue, maxValue].map((v) => formatDurationMs(v * unitMs));
  const range = `from ${low} to ${high}`;
  return {
    expected: `a duration ${range}${options.infinity ? ', or infinity' : ''}`,
    parse(raw) {
      if (options.infinity && raw.trim().toLowerCase() === 'infinity') return Infinity;
      const value = parseDurationMs(raw, unitMs) / unitMs;
      if (!Number.isInteger(value) || value < minValue || value > maxValue) {
        throw new ValueError(`expected a duration ${range}, not "${raw}"`);
      }
      return value;
    },
    format: (value) => (value === Infinity ? 'infinity' : formatDurationMs(value * unitMs)),
  };
}

/** A size in bytes from `min` to `max`. */
export function bytesType(min: number, max: number): ValueType<number> {
  const range = `from ${formatBytes(min)} to ${formatBytes(max)}`;
  return {
    expected: `a size ${range}`,
    parse(raw) {
      const value = parseBytes(raw);
      if (value < min || value > max)
        throw new ValueError(`expected a size ${range}, not "${raw}"`);
      return value;
    },
    format: formatBytes,
  };
}

/** on/off. */
export const flagType: ValueType<boolean> = {
  expected: 'on or off',
  parse: parseFlag,
  format: (value) => (value ? 'on' : 'off'),
};

/** Text of at most `lengthMax` characters matching `shape` (a fixed pattern, never input). */
export function textType(shape: RegExp, expected: string, lengthMax = 256): ValueType<string> {
  return {
    expected,
    parse(raw) {
      const text = raw.trim();
      if (text.length === 0 || text.length > lengthMax || !shape.test(text)) {
        throw new ValueError(`expected ${expected}`);
      }
      return text;
    },
    format: (value) => value,
  };
}

/** One of `values`; `aliases` maps other accepted spellings onto them. */
export function enumType<T extends string>(
  values: readonly T[],
  aliases: Record<string, T> = {},
): ValueType<T> {
  return {
    expected: `one of ${values.join(', ')}`,
    parse(raw) {
      const text = raw.trim().toLowerCase();
      const value = (values as readonly string[]).includes(text) ? (text as T) : aliases[text];
      if (value === undefined) {
        throw new ValueError(`expected one of ${values.join(', ')}, not "${raw}"`);
      }
      return value;
    },
    format: (value) => value,
  };
}

/** A comma-separated list of host:port addresses. */
export const addressListType: ValueType<string[]> = {
  expected: 'host:port addresses, separated by commas',
  parse: parseAddressList,
  format: (value) => value.join(','),
};
