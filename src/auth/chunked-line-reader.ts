// Collects one CRLF-terminated framing line of an aws-chunked body across buffer boundaries,
// refusing lines longer than a limit so a hostile client cannot make us buffer without end.
// Used only by chunked.ts.

import { AuthError } from './types.js';

/** Reads CRLF-terminated lines out of a stream of buffers, at most `lineBytesMax` each. */
export class ChunkedLineReader {
  private parts: Buffer[] = [];
  private lengthBytes = 0;

  /** @param lineBytesMax - longest accepted line, CRLF excluded. */
  constructor(private readonly lineBytesMax: number) {}

  /** True when no partial line is pending. */
  get empty(): boolean {
    return this.lengthBytes === 0;
  }

  /**
   * Consumes bytes from `offset` up to and including the next LF.
   *
   * @returns the completed line (latin1, CRLF removed) or `undefined` when the buffer ran out
   *   first, and the offset of the first unconsumed byte.
   * @throws AuthError InvalidArgument when the line is too long or not ended by CRLF.
   */
  read(buffer: Buffer, offset: number): { line: string | undefined; next: number } {
    const lf = buffer.indexOf(0x0a, offset);
    const end = lf < 0 ? buffer.length : lf;
    this.lengthBytes += end - offset;
    if (this.lengthBytes > this.lineBytesMax + 1) {
      throw AuthError.of('InvalidArgument', 'Malformed aws-chunked body: line too long.');
    }
    if (end > offset) this.parts.push(buffer.subarray(offset, end));
    if (lf < 0) return { line: undefined, next: buffer.length };
    const whole = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.lengthBytes = 0;
    if (whole === undefined || whole.length === 0 || whole[whole.length - 1] !== 0x0d) {
      throw AuthError.of('InvalidArgument', 'Malformed aws-chunked body: line not ended by CRLF.');
    }
    return { line: whole.toString('latin1', 0, whole.length - 1), next: lf + 1 };
  }
}
