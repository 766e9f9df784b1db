/**
 * LIST cost against bucket size: one bucket is grown with concurrent 0-byte PUTs to each
 * planned size (10k, 100k, 1M keys), and at each size the latency of 1,000-key pages
 * (ListObjectsV2) is measured at positions spread through the bucket. A page should cost
 * the same whatever the bucket holds, so the figures are compared across sizes.
 */
import { performance } from 'node:perf_hooks';
import { median, ratePerS } from '../core/stats.js';
import { runClosedLoop } from '../load/closed-loop.js';
import { bufferBody } from '../load/payload.js';
import { SignedClient, describeReply, isSuccess } from '../load/signed-client.js';
import type { BenchServer } from '../servers/bench-servers.js';
import { ensureBucket } from './bucket-setup.js';
import type { PhaseContext } from './context.js';

/** The key of the n-th object of the LIST bucket; zero-padded so key order is n order. */
export function listKey(n: number): string {
  return `key-${String(n).padStart(7, '0')}`;
}

/** `10k`, `100k`, `1m`: the size suffix of the LIST figure names. */
export function sizeLabel(keys: number): string {
  return keys >= 1_000_000 ? `${keys / 1_000_000}m` : `${keys / 1000}k`;
}

/**
 * Start positions of the measured pages: a fixed pseudo-random walk (xorshift32), so every run
 * and every server reads the same pages. Each leaves room for a full page after it.
 */
export function pageStarts(keys: number, pageKeys: number, count: number): number[] {
  const span = Math.max(1, keys - pageKeys);
  const starts: number[] = [];
  let state = 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    starts.push(state % span);
  }
  return starts;
}

/** Grows the LIST bucket on `server` step by step and measures a page at each size. */
export async function runList(ctx: PhaseContext, server: BenchServer): Promise<void> {
  const bucket = ctx.bucket('list');
  await ensureBucket(server, bucket);
  let stored = 0;
  for (const size of ctx.plan.listSizes) {
    const grown = await populate(ctx, server, bucket, stored, size);
    stored = size;
    await measurePages(ctx, server, bucket, size, grown.errors);
  }
}

async function populate(
  ctx: PhaseContext,
  server: BenchServer,
  bucket: string,
  from: number,
  to: number,
) {
  const { populateConcurrency: concurrency } = ctx.plan;
  const client = new SignedClient(server.target, {
    maxSockets: concurrency,
    timeoutMs: ctx.plan.requestTimeoutMs,
  });
  const body = bufferBody(Buffer.alloc(0));
  const spec = { concurrency, durationMs: ctx.plan.populateTimeMaxMs, opsMax: to - from };
  try {
    const loop = await runClosedLoop(spec, async (seq) => {
      const path = `/${bucket}/${listKey(from + seq)}`;
      const reply = await client.send({ method: 'PUT', path, body });
      if (isSuccess(reply)) return { ok: true, bytes: 0 };
      return { ok: false, bytes: 0, failure: describeReply(reply) };
    });
    const opsPerS = ratePerS(loop.ok, loop.elapsedMs);
    ctx.log(
      `populate ${server.label} ${from}..${to}: ${Math.round(opsPerS)} PUT/s` +
        ` (0 B, c${concurrency}), errors ${loop.errors}, ${(loop.elapsedMs / 1000).toFixed(1)} s`,
    );
    if (loop.errors > 0) ctx.recordFailures(`populate ${server.label}`, loop.failures);
    const figure = { name: `put-0B-c${concurrency}`, unit: 'ops/s', better: 'higher' } as const;
    if (from === 0) ctx.book.record(figure, server.role, opsPerS, loop.errors);
    return { errors: Math.max(loop.errors, to - from - loop.ok) };
  } finally {
    client.close();
  }
}

async function measurePages(
  ctx: PhaseContext,
  server: BenchServer,
  bucket: string,
  size: number,
  populateErrors: number,
) {
  const { listPageKeys: pageKeys, listPages } = ctx.plan;
  const client = new SignedClient(server.target, {
    maxSockets: 1,
    timeoutMs: ctx.plan.requestTimeoutMs,
  });
  const latenciesMs: number[] = [];
  let errors = populateErrors;
  try {
    const starts = pageStarts(size, pageKeys, listPages + 2);
    for (const [i, start] of starts.entries()) {
      const path = `/${bucket}?list-type=2&max-keys=${pageKeys}&start-after=${listKey(start)}`;
      const sentMs = performance.now();
      const reply = await client.send({ method: 'GET', path, keepText: true }).catch(String);
      const elapsedMs = performance.now() - sentMs;
      if (i < 2) continue; // warm-up pages
      const failure = pageFailure(reply, pageKeys);
      if (failure) {
        errors++;
        ctx.recordFailures(`list-page-${sizeLabel(size)}`, new Map([[failure, 1]]));
      } else latenciesMs.push(elapsedMs);
    }
  } finally {
    client.close();
  }
  const figure = { name: `list-page-${sizeLabel(size)}`, unit: 'ms', better: 'lower' } as const;
  const medianMs = median(latenciesMs);
  ctx.book.record(figure, server.role, medianMs, errors);
  const pages = latenciesMs.length;
  ctx.log(`${figure.name} ${server.label}: median ${medianMs.toFixed(2)} ms over ${pages} pages`);
}

function pageFailure(reply: Awaited<ReturnType<SignedClient['send']>> | string, keys: number) {
  if (typeof reply === 'string') return reply;
  if (!isSuccess(reply)) return describeReply(reply);
  const listed = reply.text.split('<Key>').length - 1;
  return listed === keys ? undefined : `page listed ${listed} keys, expected ${keys}`;
}
