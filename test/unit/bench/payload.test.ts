/** Streamed bodies: the repeated-chunk body is exactly the bytes it claims to be. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bodyMd5Hex, repeatedBody } from '../../../bench/load/payload.js';

function concat(chunks: Iterable<Buffer>): Buffer {
  return Buffer.concat([...chunks]);
}

describe('bench payload: repeatedBody', () => {
  const chunk = Buffer.from('abcdefg');

  it('repeats the chunk to the exact length', () => {
    const body = repeatedBody(chunk, 17);
    expect(body.bytes).toBe(17);
    expect(concat(body.chunks()).toString()).toBe('abcdefgabcdefgabc');
  });

  it('an offset continues the same stream (multipart parts join into the whole)', () => {
    const whole = concat(repeatedBody(chunk, 30).chunks());
    const parts = [0, 8, 16, 24].map((offset) =>
      concat(repeatedBody(chunk, Math.min(8, 30 - offset), offset).chunks()),
    );
    expect(Buffer.concat(parts).equals(whole)).toBe(true);
  });

  it('chunks are views of the one buffer, never copies', () => {
    for (const piece of repeatedBody(chunk, 20).chunks()) expect(piece.buffer).toBe(chunk.buffer);
  });

  it('bodyMd5Hex is the MD5 of the bytes', () => {
    const body = repeatedBody(chunk, 20);
    const expected = createHash('md5').update(concat(body.chunks())).digest('hex');
    expect(bodyMd5Hex(body)).toBe(expected);
  });
});
