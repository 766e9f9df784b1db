/**
 * The framing of the internal RPC stream (ring/transport/rpc-stream-*.ts): one persistent
 * connection per peer carries many requests and replies, each a frame
 *
 *   u32 length | u32 request id | u8 kind | payload | 32-byte MAC
 *
 * (length counts everything after itself). The payload is a codec.ts message, whose values
 * are raw bytes. The MAC is HMAC-SHA256 under the connection's session key over the
 * direction, the frame's sequence number in that direction and the frame itself, so a frame
 * altered, dropped, reordered, replayed or reflected back is refused; the session key comes
 * from a handshake that proved the cluster cookie (rpc-session.ts), so a frame recorded on
 * one connection is worthless on another. Pure: no sockets, no clock.
 *
 * It must never accept a frame before its length is checked against the bound, nor hand out
 * a payload whose MAC did not verify.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a frame carries. */
export const FrameKind = { request: 1, reply: 2, failure: 3 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Which way a frame travels: part of its MAC, so one cannot be sent back to its sender. */
export type FrameDirection = 'client' | 'server';

/** One decoded, verified frame. */
export interface Frame {
  id: number;
  kind: FrameKind;
  payload: Buffer;
}

/** Bytes before the payload: length, id, kind. */
export const FRAME_HEAD_BYTES = 9;
/** Bytes of the MAC after the payload. */
export const FRAME_MAC_BYTES = 32;

/** Why a stream of frames was refused; the connection is closed on any of these. */
export class FrameError extends Error {
  readonly code = 'FRAME_REFUSED';
}

function macOf(key: Buffer, direction: FrameDirection, seq: bigint, parts: Buffer[]): Buffer {
  const prefix = Buffer.alloc(9);
  prefix.writeUInt8(direction === 'client' ? 0x43 : 0x53, 0);
  prefix.writeBigUInt64BE(seq, 1);
  const hmac = createHmac('sha256', key).update(prefix);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** Seals the frames one side sends, numbering them from 0. */
export class FrameSealer {
  private seq = 0n;

  constructor(
    private readonly key: Buffer,
    private readonly direction: FrameDirection,
  ) {}

  /**
   * The frame's bytes as a list of buffers (head, the payload's parts, MAC), so a large
   * payload is never copied; write them in this order, and seal frames in the order they
   * are written.
   */
  seal(id: number, kind: FrameKind, payload: Buffer | Buffer[]): Buffer[] {
    const parts = Array.isArray(payload) ? payload : [payload];
    const payloadBytes = parts.reduce((sum, part) => sum + part.length, 0);
    const head = Buffer.alloc(FRAME_HEAD_BYTES);
    head.writeUInt32BE(FRAME_HEAD_BYTES - 4 + payloadBytes + FRAME_MAC_BYTES, 0);
    head.writeUInt32BE(id >>> 0, 4);
    head.writeUInt8(kind, 8);
    const mac = macOf(this.key, this.direction, this.seq++, [head, ...parts]);
    return [head, ...parts, mac];
  }
}

/**
 * Reads the frames the other side sends from a byte stream, in any chunking. A length over
 * `frameBytesMax`, an unknown kind, a wrong MAC or a stream that ends inside a frame is a
 * FrameError; after one the reader stays failed.
 */
export class FrameReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private seq = 0n;
  private failed: FrameError | undefined;

  constructor(
    private readonly key: Buffer,
    private readonly direction: FrameDirection,
    private readonly frameBytesMax: number,
  ) {}

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Adds bytes; returns every frame they complete. */
  push(chunk: Buffer): Frame[] {
    if (this.failed) throw this.failed;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    try {
      for (let frame = this.next(); frame; frame = this.next()) frames.push(frame);
    } catch (error) {
      this.failed = error as FrameError;
      throw error;
    }
    return frames;
  }

  /** The stream ended: a FrameError if it ended inside a frame. */
  end(): void {
    if (this.failed) throw this.failed;
    if (this.buffered > 0) {
      throw (this.failed = new FrameError(`stream ended inside a frame (${this.buffered} B)`));
    }
  }

  private next(): Frame | undefined {
    if (this.buffered < 4) return undefined;
    const length = this.peekLength();
    if (length < FRAME_HEAD_BYTES - 4 + FRAME_MAC_BYTES) {
      throw new FrameError(`frame of ${length} B is shorter than its head and MAC`);
    }
    if (length > this.frameBytesMax) {
      throw new FrameError(`frame of ${length} B over the bound of ${this.frameBytesMax} B`);
    }
    if (this.buffered < 4 + length) return undefined;
    return this.verify(this.take(4 + length));
  }

  private peekLength(): number {
    // Rare: a chunk boundary inside the length itself; join what is held.
    if (this.chunks[0]!.length < 4) this.chunks.splice(0, this.chunks.length, this.joined());
    return this.chunks[0]!.readUInt32BE(0);
  }

  private joined(): Buffer {
    return Buffer.concat(this.chunks, this.buffered);
  }

  /** Removes and returns the first `bytes` bytes (copied only when split over chunks). */
  private take(bytes: number): Buffer {
    const first = this.chunks[0]!;
    // Buffer.concat stops at `bytes`: the frames after this one are not copied.
    const out =
      first.length >= bytes ? first.subarray(0, bytes) : Buffer.concat(this.chunks, bytes);
    this.consume(bytes);
    return out;
  }

  private consume(bytes: number): void {
    this.buffered -= bytes;
    let whole = 0; // Chunks used up, removed at once (shift() per chunk is quadratic).
    while (bytes > 0) {
      const chunk = this.chunks[whole]!;
      if (chunk.length <= bytes) {
        bytes -= chunk.length;
        whole++;
      } else {
        this.chunks[whole] = chunk.subarray(bytes);
        bytes = 0;
      }
    }
    this.chunks.splice(0, whole);
  }

  private verify(frame: Buffer): Frame {
    const macAt = frame.length - FRAME_MAC_BYTES;
    const head = frame.subarray(0, FRAME_HEAD_BYTES);
    const payload = frame.subarray(FRAME_HEAD_BYTES, macAt);
    const expected = macOf(this.key, this.direction, this.seq, [head, payload]);
    if (!timingSafeEqual(expected, frame.subarray(macAt))) {
      throw new FrameError('frame MAC does not verify (altered, replayed or out of order)');
    }
    this.seq++;
    const kind = head.readUInt8(8);
    if (kind !== FrameKind.request && kind !== FrameKind.reply && kind !== FrameKind.failure) {
      throw new FrameError(`unknown frame kind ${kind}`);
    }
    return { id: head.readUInt32BE(4), kind, payload };
  }
}
