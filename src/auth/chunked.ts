// Decoder for `Content-Encoding: aws-chunked` bodies, the framing SDKs use to sign or checksum
// a body while streaming it:
//   hex-size[;chunk-signature=sig]\r\n <data> \r\n ... 0[;chunk-signature=sig]\r\n
//   [name:value\r\n ...] [x-amz-trailer-signature:sig\r\n] \r\n
// It verifies every chunk signature (chained from the seed signature), the trailer signature,
// the trailing or header checksums and the declared decoded length. Memory stays bounded: data
// is hashed and pushed on as it arrives, and only framing lines are buffered, under limits.
// So a chunk's bytes are pushed before its signature is checked; the stream then errors before
// it ends, and the S3 layer commits an object only on a clean end. It must never end cleanly
// on anything it has not fully verified.

import { createHash, timingSafeEqual, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

import {
  checksumAlgorithmFromHeader,
  checksumsFromHeaders,
  createChecksum,
  isChecksumValue,
  verifyChecksums,
  type ChecksumAlgorithm,
  type IncrementalChecksum,
} from './checksums.js';
import { ChunkedLineReader } from './chunked-line-reader.js';
import { chunkSignatureV4, sha256Hex, trailerSignatureV4 } from './sigv4.js';
import { AuthError, type HeaderMap, type PayloadMode } from './types.js';

/** The payload modes that carry aws-chunked bodies. */
export type ChunkedPayloadMode = Extract<
  PayloadMode,
  { kind: 'streaming-signed' | 'streaming-unsigned-trailer' }
>;

/** Bounds on what the decoder accepts. */
export interface ChunkedLimits {
  /** Longest chunk-size or trailer line, CRLF excluded. */
  lineBytesMax: number;
  /** Most trailer bytes in total. */
  trailerBytesMax: number;
  /** Largest single chunk. Data is streamed, so this is a sanity bound, not a buffer size. */
  chunkBytesMax: number;
}

/** Defaults: 4 KiB lines, 16 KiB of trailer, 5 GiB chunks (S3's largest single PUT). */
export const DEFAULT_CHUNKED_LIMITS: Readonly<ChunkedLimits> = {
  lineBytesMax: 4096,
  trailerBytesMax: 16384,
  chunkBytesMax: 5 * 1024 ** 3,
};

/** Options of {@link AwsChunkedDecoder}. */
export interface AwsChunkedDecoderOptions {
  payload: ChunkedPayloadMode;
  /** Request headers, for `x-amz-checksum-*` values sent up front. */
  headers: HeaderMap;
  limits?: Partial<ChunkedLimits>;
}

type Phase = 'size-line' | 'data' | 'data-crlf' | 'trailer' | 'done';

const SIGNED_SIZE_LINE = /^([0-9a-fA-F]{1,16});chunk-signature=([0-9a-f]{64})$/;
const UNSIGNED_SIZE_LINE = /^([0-9a-fA-F]{1,16})(?:;.*)?$/;
const TRAILER_SIGNATURE = 'x-amz-trailer-signature';

function malformed(detail: string): AuthError {
  return AuthError.of('InvalidArgument', `Malformed aws-chunked body: ${detail}`);
}

function sameText(a: string, b: string): boolean {
  const bytesA = Buffer.from(a, 'latin1');
  const bytesB = Buffer.from(b, 'latin1');
  return bytesA.length === bytesB.length && timingSafeEqual(bytesA, bytesB);
}

/**
 * Transform from an aws-chunked body to the decoded object data. Errors with an
 * {@link AuthError}: SignatureDoesNotMatch, IncompleteBody, InvalidArgument, BadDigest,
 * MalformedTrailerError or InvalidRequest.
 */
export class AwsChunkedDecoder extends Transform {
  private readonly payload: ChunkedPayloadMode;
  private readonly limits: ChunkedLimits;
  private readonly lines: ChunkedLineReader;
  private readonly running = new Map<ChecksumAlgorithm, IncrementalChecksum>();
  private readonly expected: Map<ChecksumAlgorithm, string>;
  private readonly trailerSeen = new Set<string>();
  private setupError: AuthError | undefined;
  private phase: Phase = 'size-line';
  private chunkRemainingBytes = 0;
  private chunkHash: Hash | undefined;
  private chunkSignature = '';
  private previousSignature: string;
  private crlfSeenBytes = 0;
  private decodedBytes = 0;
  private trailerBytes = 0;
  private trailerCanonical = '';
  private trailerSigned = false;
  private verified: Record<string, string> = {};

  constructor(options: AwsChunkedDecoderOptions) {
    super();
    this.payload = options.payload;
    this.limits = { ...DEFAULT_CHUNKED_LIMITS, ...options.limits };
    this.lines = new ChunkedLineReader(this.limits.lineBytesMax);
    this.previousSignature =
      this.payload.kind === 'streaming-signed' ? this.payload.seedSignature : '';
    this.expected = new Map();
    try {
      this.expected = checksumsFromHeaders(options.headers);
      for (const name of this.payload.trailerNames) {
        const algorithm = checksumAlgorithmFromHeader(name);
        if (algorithm === undefined || !name.startsWith('x-amz-checksum-')) {
          throw AuthError.of('InvalidRequest', `The trailing header ${name} is not supported.`);
        }
        this.running.set(algorithm, createChecksum(algorithm));
      }
      for (const algorithm of this.expected.keys()) {
        this.running.set(algorithm, createChecksum(algorithm));
      }
    } catch (error) {
      this.setupError = error as AuthError;
    }
  }

  /** The verified checksums keyed by header name; complete once the stream has ended. */
  checksums(): Record<string, string> {
    return { ...this.verified };
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      if (this.setupError !== undefined) throw this.setupError;
      this.consume(chunk);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.setupError !== undefined) throw this.setupError;
      this.finish();
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  private get signed(): boolean {
    return this.payload.kind === 'streaming-signed';
  }

  private consume(buffer: Buffer): void {
    let offset = 0;
    while (offset < buffer.length) {
      switch (this.phase) {
        case 'size-line': {
          const { line, next } = this.lines.read(buffer, offset);
          offset = next;
          if (line !== undefined) this.onSizeLine(line);
          break;
        }
        case 'data':
          offset = this.onData(buffer, offset);
          break;
        case 'data-crlf':
          offset = this.onDataCrlf(buffer, offset);
          break;
        case 'trailer': {
          const { line, next } = this.lines.read(buffer, offset);
          this.trailerBytes += next - offset;
          if (this.trailerBytes > this.limits.trailerBytesMax) {
            throw AuthError.of('MalformedTrailerError', 'The trailer is too large.');
          }
          offset = next;
          if (line !== undefined) this.onTrailerLine(line);
          break;
        }
        case 'done':
          throw malformed('data after the end of the trailer.');
      }
    }
  }

  private onSizeLine(line: string): void {
    const match = (this.signed ? SIGNED_SIZE_LINE : UNSIGNED_SIZE_LINE).exec(line);
    if (match === null) throw malformed(`bad chunk header "${line.slice(0, 120)}".`);
    const sizeBytes = Number.parseInt(match[1] as string, 16);
    if (sizeBytes > this.limits.chunkBytesMax) throw malformed('chunk too large.');
    const declared = this.payload.decodedContentLengthBytes;
    if (declared !== undefined && this.decodedBytes + sizeBytes > declared) {
      throw malformed('more data than x-amz-decoded-content-length declares.');
    }
    this.chunkSignature = match[2] ?? '';
    this.chunkHash = this.signed ? createHash('sha256') : undefined;
    if (sizeBytes === 0) {
      this.endChunk();
      this.phase = 'trailer';
      return;
    }
    this.chunkRemainingBytes = sizeBytes;
    this.phase = 'data';
  }

  private onData(buffer: Buffer, offset: number): number {
    const takeBytes = Math.min(this.chunkRemainingBytes, buffer.length - offset);
    const data = buffer.subarray(offset, offset + takeBytes);
    this.chunkHash?.update(data);
    for (const checksum of this.running.values()) checksum.update(data);
    this.decodedBytes += takeBytes;
    this.chunkRemainingBytes -= takeBytes;
    this.push(data);
    if (this.chunkRemainingBytes === 0) {
      this.endChunk();
      this.phase = 'data-crlf';
      this.crlfSeenBytes = 0;
    }
    return offset + takeBytes;
  }

  private onDataCrlf(buffer: Buffer, offset: number): number {
    const expectedByte = this.crlfSeenBytes === 0 ? 0x0d : 0x0a;
    if (buffer[offset] !== expectedByte) throw malformed('chunk data not followed by CRLF.');
    this.crlfSeenBytes += 1;
    if (this.crlfSeenBytes === 2) this.phase = 'size-line';
    return offset + 1;
  }

  /** Verifies the signature of the chunk whose data just ended. */
  private endChunk(): void {
    if (this.payload.kind !== 'streaming-signed') return;
    const { signingKey, amzDate, scope } = this.payload;
    const digestHex = (this.chunkHash as Hash).digest('hex');
    const expected = chunkSignatureV4(
      signingKey,
      amzDate,
      scope,
      this.previousSignature,
      digestHex,
    );
    if (!sameText(expected, this.chunkSignature)) {
      throw AuthError.of(
        'SignatureDoesNotMatch',
        'The chunk signature we calculated does not match the signature you provided.',
      );
    }
    this.previousSignature = this.chunkSignature;
  }

  private onTrailerLine(line: string): void {
    if (line === '') {
      this.phase = 'done';
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw AuthError.of('MalformedTrailerError', 'A trailer line has no name.');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (this.trailerSigned) {
      throw AuthError.of('MalformedTrailerError', 'Trailer data after the trailer signature.');
    }
    if (name === TRAILER_SIGNATURE && this.signedTrailer()) {
      this.verifyTrailerSignature(value);
      return;
    }
    this.acceptTrailerChecksum(name, value);
  }

  private signedTrailer(): boolean {
    return this.payload.kind === 'streaming-signed' && this.payload.trailer;
  }

  private acceptTrailerChecksum(name: string, value: string): void {
    const algorithm = checksumAlgorithmFromHeader(name);
    if (!this.payload.trailerNames.includes(name) || algorithm === undefined) {
      throw AuthError.of('MalformedTrailerError', `Undeclared trailing header ${name}.`);
    }
    if (this.trailerSeen.has(name)) {
      throw AuthError.of('MalformedTrailerError', `Repeated trailing header ${name}.`);
    }
    if (!isChecksumValue(algorithm, value)) {
      throw AuthError.of('InvalidRequest', `Value for ${name} trailing header is invalid.`);
    }
    this.trailerSeen.add(name);
    this.trailerCanonical += `${name}:${value}\n`;
    const fromHeader = this.expected.get(algorithm);
    if (fromHeader !== undefined && fromHeader !== value) {
      throw AuthError.of('BadDigest', `The ${algorithm} header and trailer disagree.`);
    }
    this.expected.set(algorithm, value);
  }

  private verifyTrailerSignature(signature: string): void {
    if (this.payload.kind !== 'streaming-signed') return;
    const { signingKey, amzDate, scope } = this.payload;
    const expected = trailerSignatureV4(
      signingKey,
      amzDate,
      scope,
      this.previousSignature,
      sha256Hex(Buffer.from(this.trailerCanonical, 'latin1')),
    );
    if (!sameText(expected, signature)) {
      throw AuthError.of(
        'SignatureDoesNotMatch',
        'The trailer signature we calculated does not match the signature you provided.',
      );
    }
    this.trailerSigned = true;
  }

  private finish(): void {
    const complete = this.phase === 'done' || (this.phase === 'trailer' && this.lines.empty);
    if (!complete) {
      throw AuthError.of('IncompleteBody', 'The aws-chunked body ended before its final chunk.');
    }
    for (const name of this.payload.trailerNames) {
      if (!this.trailerSeen.has(name)) {
        throw AuthError.of('MalformedTrailerError', `The trailing header ${name} is missing.`);
      }
    }
    if (this.signedTrailer() && !this.trailerSigned) {
      throw AuthError.of('MalformedTrailerError', 'The trailer signature is missing.');
    }
    const declared = this.payload.decodedContentLengthBytes;
    if (declared !== undefined && this.decodedBytes !== declared) {
      throw AuthError.of(
        'IncompleteBody',
        'You did not provide the number of bytes specified by x-amz-decoded-content-length.',
      );
    }
    this.verified = verifyChecksums(this.running, this.expected);
  }
}
