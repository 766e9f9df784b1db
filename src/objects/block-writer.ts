/**
 * Cuts a byte stream into fixed-size blocks and writes them to the ring with bounded
 * concurrency, hashing as it goes. Memory is at most (inFlightMax + 1) blocks whatever the
 * object size: the stream is paused while the write window is full.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** How blocks are stored; the object store passes the ring write. */
export type WriteBlock = (n: number, data: Buffer) => Promise<void>;

/** What was written. */
export interface WrittenBlocks {
  size: number;
  blockCount: number;
  md5: Buffer;
}

/** Reads `body` to its end, writing block after block; rejects on the first failure. */
export async function writeBlocks(
  body: AsyncIterable<Buffer> | Readable,
  options: { blockSize: number; inFlightMax: number; sizeMax: number },
  writeBlock: WriteBlock,
): Promise<WrittenBlocks> {
  const md5 = createHash('md5');
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let size = 0;
  let blockCount = 0;

  const launch = async (data: Buffer) => {
    const task = writeBlock(blockCount++, data).catch((error: unknown) => {
      failure ??= error;
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
    if (inFlight.size >= options.inFlightMax) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
  };

  for await (const chunk of body as AsyncIterable<Buffer>) {
    md5.update(chunk);
    size += chunk.length;
    if (size > options.sizeMax) throw new RangeError('object larger than sizeMax');
    let rest = chunk;
    while (pendingBytes + rest.length >= options.blockSize) {
      const take = options.blockSize - pendingBytes;
      pending.push(rest.subarray(0, take));
      rest = rest.subarray(take);
      const block = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      await launch(block);
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) await launch(Buffer.concat(pending));
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return { size, blockCount, md5: md5.digest() };
}
