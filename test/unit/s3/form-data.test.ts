/**
 * The streaming multipart/form-data reader: any split of the body into chunks gives the
 * same fields and file bytes (property), file bytes that look like boundaries survive,
 * memory stays bounded by the chunk size, and every malformation is a clear S3 error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formBoundaryOf, formEvents, readPostForm } from '../../../src/s3/form-data.js';

const LIMITS = { headerBytesMax: 8192, fieldsBytesMax: 64 * 1024, trailingBytesMax: 4096 };
const BOUNDARY = '----cairnBoundary7MA4YWxkTrZu0gW';

function form(fields: Array<[string, string]>, file?: { name: string; data: Buffer }, after = '') {
  const parts: Buffer[] = [Buffer.from('preamble to ignore\r\n')];
  for (const [name, value] of fields) {
    parts.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`),
      Buffer.from(value),
      Buffer.from('\r\n'),
    );
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"` +
          '\r\nContent-Type: application/octet-stream\r\n\r\n',
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(after), Buffer.from(`--${BOUNDARY}--\r\nepilogue`));
  return Buffer.concat(parts);
}

/** `body` cut at the given offsets, as an async iterable of chunks. */
async function* chunked(body: Buffer, cuts: number[]) {
  const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const at of [...points, body.length]) {
    if (at > from) yield body.subarray(from, at);
    from = at;
  }
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'no error';
}

const tricky = fc.constantFrom(
  Buffer.from(`\r\n--${BOUNDARY.slice(0, 10)}`),
  Buffer.from(`\r\n--`),
  Buffer.from(`--${BOUNDARY}`),
  Buffer.from('\r\n\r\n'),
  Buffer.from('\r'),
);
const fileBytes = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      tricky,
    ),
    {
      maxLength: 20,
    },
  )
  .map((parts) => Buffer.concat(parts));

describe('form-data: readPostForm', () => {
  it('gives the same fields and file for any chunking (property)', async () => {
    const fieldArb = fc.array(
      fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), fc.string({ maxLength: 50 })),
      { maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(
        fieldArb,
        fileBytes,
        fc.array(fc.nat(), { maxLength: 30 }),
        async (f, data, cuts) => {
          // A client picks a boundary its data does not contain (RFC 2046).
          fc.pre(!data.includes(`\r\n--${BOUNDARY}`));
          const unique = [...new Map(f.filter(([n]) => n !== 'file')).entries()];
          const body = form(
            unique,
            { name: 'a.bin', data },
            `--${BOUNDARY}\r\nContent-Disposition: form-data; name="late"\r\n\r\nx\r\n`,
          );
          const parsed = await readPostForm(chunked(body, cuts), BOUNDARY, LIMITS);
          expect([...parsed.fields.entries()]).toEqual(unique);
          expect(parsed.file?.filename).toBe('a.bin');
          expect(parsed.file?.contentType).toBe('application/octet-stream');
          expect((await collect(parsed.file!.stream)).equals(data)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lower-cases field names and reads a form without a file', async () => {
    const body = form([
      ['X-Amz-Meta-Colour', 'blue'],
      ['Key', 'k'],
    ]);
    const parsed = await readPostForm(chunked(body, []), BOUNDARY, LIMITS);
    expect(Object.fromEntries(parsed.fields)).toEqual({ 'x-amz-meta-colour': 'blue', key: 'k' });
    expect(parsed.file).toBeUndefined();
  });

  it('streams a large file in chunks no bigger than an input chunk plus a boundary', async () => {
    const head = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big"\r\n\r\n`,
    );
    const chunkBytes = 64 * 1024;
    const total = 64 * chunkBytes;
    async function* body() {
      yield head;
      const chunk = Buffer.alloc(chunkBytes, 0x61);
      for (let sent = 0; sent < total; sent += chunkBytes) yield chunk;
      yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
    }
    const parsed = await readPostForm(body(), BOUNDARY, LIMITS);
    let size = 0;
    for await (const chunk of parsed.file!.stream) {
      expect(chunk.length).toBeLessThanOrEqual(chunkBytes + BOUNDARY.length + 4);
      size += chunk.length;
    }
    expect(size).toBe(total);
  });

  it('refuses truncated, malformed and oversized forms', async () => {
    const good = form([['key', 'k']], { name: 'f', data: Buffer.from('data') });
    const truncated = readPostForm(
      chunked(good.subarray(0, good.length - 20), []),
      BOUNDARY,
      LIMITS,
    ).then((f) => collect(f.file!.stream));
    expect(await errorOf(truncated)).toBe('MalformedPOSTRequest');
    const noDisposition = Buffer.from(
      `--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${BOUNDARY}--`,
    );
    expect(await errorOf(readPostForm(chunked(noDisposition, []), BOUNDARY, LIMITS))).toBe(
      'MalformedPOSTRequest',
    );
    const hugeHeader = Buffer.from(`--${BOUNDARY}\r\nX-Pad: ${'p'.repeat(10_000)}\r\n\r\n`);
    expect(await errorOf(readPostForm(chunked(hugeHeader, [100]), BOUNDARY, LIMITS))).toBe(
      'MalformedPOSTRequest',
    );
    const bigField = form([['policy', 'p'.repeat(70 * 1024)]]);
    expect(await errorOf(readPostForm(chunked(bigField, [1000]), BOUNDARY, LIMITS))).toBe(
      'MaxPostPreDataLengthExceededError',
    );
    const twice = form([
      ['key', 'a'],
      ['KEY', 'b'],
    ]);
    expect(await errorOf(readPostForm(chunked(twice, []), BOUNDARY, LIMITS))).toBe(
      'InvalidArgument',
    );
    const noBoundary = Buffer.from('just some bytes');
    expect(await errorOf(readPostForm(chunked(noBoundary, []), BOUNDARY, LIMITS))).toBe(
      'MalformedPOSTRequest',
    );
  });

  it('parses padding after a boundary and parts without headers', async () => {
    const body = Buffer.from(
      `--${BOUNDARY}  \r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="b"; ` +
        'filename="x;\\"y\\".txt"\r\n\r\n2\r\n' +
        `--${BOUNDARY}--`,
    );
    const events = [];
    for await (const event of formEvents(chunked(body, [3, 50, 51]), BOUNDARY, LIMITS)) {
      events.push(event.kind === 'part' ? event.part : event.chunk.toString());
    }
    expect(events).toEqual([{ name: 'a' }, '1', { name: 'b', filename: 'x;"y".txt' }, '2']);
  });
});

describe('form-data: formBoundaryOf', () => {
  it('finds the boundary of multipart/form-data only', () => {
    expect(formBoundaryOf(`multipart/form-data; boundary=${BOUNDARY}`)).toBe(BOUNDARY);
    expect(formBoundaryOf('Multipart/Form-Data; charset=utf-8; boundary="a b;c"')).toBe('a b;c');
    expect(formBoundaryOf('application/x-www-form-urlencoded')).toBeUndefined();
    expect(formBoundaryOf('multipart/form-data')).toBeUndefined();
    expect(formBoundaryOf(`multipart/form-data; boundary=${'b'.repeat(71)}`)).toBeUndefined();
    expect(formBoundaryOf(undefined)).toBeUndefined();
  });
});
