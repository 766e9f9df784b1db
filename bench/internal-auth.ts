/**
 * `npm run bench:internal-auth`: what signing and checking an internal request costs, per
 * request, for the bodies the cluster sends (an empty GET, a 4 KiB item, a 1 MiB block):
 * the client's sign (body SHA-256, HMAC, header) and the server's verify (parse, skew, body
 * SHA-256, HMAC, constant-time compare, replay guard). In-process, no network: the figure
 * to set against a request's round trip. Not a test: it prints.
 */
import { randomUUID } from 'node:crypto';
import {
  bodyDigest,
  internalKey,
  ReplayGuard,
  signInternal,
  verifyInternal,
} from '../ring/core/internal-auth.js';

const key = internalKey('a-cluster-cookie-for-the-benchmark');

function measure(label: string, body: Buffer | undefined, iterations: number): void {
  const guard = new ReplayGuard(200_000);
  const signed = { method: 'POST', path: '/rpc', contentType: 'application/octet-stream' };
  const startNs = process.hrtime.bigint();
  let signNs = 0n;
  for (let i = 0; i < iterations; i++) {
    const now = Date.now();
    const t0 = process.hrtime.bigint();
    const header = signInternal(
      key,
      { ...signed, bodyDigest: bodyDigest(body) },
      now,
      randomUUID(),
    );
    signNs += process.hrtime.bigint() - t0;
    const refusal = verifyInternal(
      key,
      header,
      { ...signed, bodyDigest: bodyDigest(body) },
      now,
      guard,
    );
    if (refusal) throw new Error(refusal.detail);
  }
  const totalUs = Number(process.hrtime.bigint() - startNs) / 1000 / iterations;
  const signUs = Number(signNs) / 1000 / iterations;
  process.stdout.write(
    `${label.padEnd(14)} sign ${signUs.toFixed(1).padStart(7)} µs  ` +
      `verify ${(totalUs - signUs).toFixed(1).padStart(7)} µs  ` +
      `sign+verify ${totalUs.toFixed(1).padStart(7)} µs/request\n`,
  );
}

measure('warm-up', Buffer.alloc(4096, 1), 2000);
measure('empty body', undefined, 20_000);
measure('4 KiB body', Buffer.alloc(4096, 7), 20_000);
measure('1 MiB body', Buffer.alloc(1 << 20, 7), 200);
