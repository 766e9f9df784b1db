/**
 * KvBackend in memory, for unit tests and simulations. Sorted on read; fine for the small
 * data sets those use, never for production.
 */
import type { KvBackend, KvRange } from './kv-backend.js';

/** A fresh, empty in-memory backend. */
export function memoryBackend(): KvBackend {
  const map = new Map<string, Buffer>();
  return {
    async get(key) {
      const value = map.get(key.toString('hex'));
      return value === undefined ? undefined : Buffer.from(value);
    },
    async write(ops) {
      for (const op of ops) {
        if (op.type === 'put') map.set(op.key.toString('hex'), Buffer.from(op.value));
        else map.delete(op.key.toString('hex'));
      }
    },
    async range(range: KvRange) {
      const keys = [...map.keys()].map((k) => Buffer.from(k, 'hex')).sort(Buffer.compare);
      const inRange = keys.filter((k) => withinRange(k, range));
      return inRange.slice(0, range.limit).map((k) => [k, map.get(k.toString('hex'))!]);
    },
    async close() {},
  };
}

function withinRange(key: Buffer, range: KvRange): boolean {
  if (range.gt && Buffer.compare(key, range.gt) <= 0) return false;
  if (range.gte && Buffer.compare(key, range.gte) < 0) return false;
  if (range.lt && Buffer.compare(key, range.lt) >= 0) return false;
  return true;
}
