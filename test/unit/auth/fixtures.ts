// Shared inputs of the auth tests: the example credentials AWS's documentation signs with, a
// lookup over them, and helpers to run a body through a verifier.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';

import type { Credentials, SecretLookup } from '../../../src/auth/index.js';

/** The credentials of AWS's S3 documentation examples. */
export const S3_DOC_CREDENTIALS: Credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

/** The credentials of the generic SigV4 test suite. */
export const SUITE_CREDENTIALS: Credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/** A lookup that knows the given credentials only. */
export function lookupOf(...known: Credentials[]): SecretLookup {
  return async (accessKeyId) => known.find((c) => c.accessKeyId === accessKeyId);
}

/** Epoch milliseconds of an ISO timestamp. */
export function at(iso: string): number {
  return Date.parse(iso);
}

/**
 * Pipes `pieces` through `stream` and collects the output.
 *
 * @returns the output, or the error the pipeline failed with.
 */
export async function runThrough(
  stream: NodeJS.ReadWriteStream,
  pieces: readonly Buffer[],
): Promise<{ output: Buffer; error?: unknown }> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(chunk);
      done();
    },
  });
  try {
    await pipeline(Readable.from(pieces, { objectMode: false }), stream, sink);
    return { output: Buffer.concat(out) };
  } catch (error) {
    return { output: Buffer.concat(out), error };
  }
}

/** Splits `data` at the given cut points (sorted, deduplicated, clamped). */
export function splitAt(data: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(data.length, c))))].sort(
    (a, b) => a - b,
  );
  const pieces: Buffer[] = [];
  let start = 0;
  for (const point of [...points, data.length]) {
    if (point > start) pieces.push(data.subarray(start, point));
    start = Math.max(start, point);
  }
  return pieces;
}
