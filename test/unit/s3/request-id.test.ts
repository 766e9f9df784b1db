/** Request ids: 20 upper-case hex digits, distinct within a process and between processes. */
import { describe, expect, it } from 'vitest';
import { requestIdGenerator } from '../../../src/http/request-id.js';

describe('request ids', () => {
  it('request id: 10,000 in a row are distinct, upper-case hex, 20 characters', () => {
    const next = requestIdGenerator();
    const ids = Array.from({ length: 10_000 }, next);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^[0-9A-F]{20}$/);
  });

  it('request id: two processes (generators) with their own prefixes never collide', () => {
    const a = Array.from({ length: 100 }, requestIdGenerator('0a0a0a0a'));
    const b = Array.from({ length: 100 }, requestIdGenerator('0b0b0b0b'));
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    expect(a[0]).toBe('0A0A0A0A000000000001');
  });
});
