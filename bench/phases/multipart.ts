/**
 * 64 MiB objects by multipart upload: CreateMultipartUpload, parts of 8 MiB (a few in
 * flight), CompleteMultipartUpload, timed end to end. A server that answers 501 is reported
 * as "not implemented", never as a figure; the path is complete so it measures as soon as
 * the server supports it.
 */
import { performance } from 'node:perf_hooks';
import { median, megabytesPerS } from '../core/stats.js';
import { bufferBody, repeatedBody } from '../load/payload.js';
import { SignedClient, describeReply, isSuccess } from '../load/signed-client.js';
import type { BenchServer } from '../servers/bench-servers.js';
import { ensureBucket } from './bucket-setup.js';
import type { PhaseContext } from './context.js';
import { LARGE_CHUNK } from './large-objects.js';

type Outcome =
  | { kind: 'ok'; megabytesPerS: number }
  | { kind: 'not-implemented'; detail: string }
  | { kind: 'failed'; detail: string };

const FIGURE = { name: 'put-64MiB-multipart', unit: 'MB/s', better: 'higher' } as const;
const ROUNDS_MAX = 3;

/** Runs multipart uploads on every server that stores objects. */
export async function runMultipart(ctx: PhaseContext, servers: BenchServer[]): Promise<void> {
  for (const server of servers.filter((s) => s.stores)) {
    await ensureBucket(server, ctx.bucket('multi'));
    const rates: number[] = [];
    let errors = 0;
    for (let round = 1; round <= Math.min(ctx.plan.largeRounds, ROUNDS_MAX); round++) {
      const outcome = await multipartOnce(ctx, server, `multi-${round}`);
      if (outcome.kind === 'not-implemented') {
        ctx.log(`put-64MiB-multipart ${server.label}: not implemented (${outcome.detail})`);
        ctx.book.note(FIGURE, `${server.label}: not implemented (${outcome.detail})`);
        break;
      }
      if (outcome.kind === 'failed') {
        errors++;
        ctx.recordFailures(`put-64MiB-multipart ${server.label}`, new Map([[outcome.detail, 1]]));
      } else {
        rates.push(outcome.megabytesPerS);
      }
      const shown = outcome.kind === 'ok' ? `${outcome.megabytesPerS.toFixed(1)} MB/s` : 'FAILED';
      ctx.log(`put-64MiB-multipart ${server.label} r${round}: ${shown}`);
    }
    ctx.book.record(FIGURE, server.role, rates.length > 0 ? median(rates) : null, errors);
  }
  const ceiling = ctx.book.value('put-64MiB', 'ceiling');
  if (ceiling !== undefined) {
    ctx.book.record(FIGURE, 'ceiling', ceiling);
    ctx.book.note(FIGURE, 'ceiling = single-PUT no-op');
  }
}

async function multipartOnce(ctx: PhaseContext, server: BenchServer, key: string) {
  const client = new SignedClient(server.target, {
    maxSockets: ctx.plan.multipartPartsInFlight,
    timeoutMs: ctx.plan.requestTimeoutMs,
  });
  try {
    return await uploadMultipart(ctx, client, `/${ctx.bucket('multi')}/${key}`);
  } catch (error) {
    return { kind: 'failed', detail: String(error) } satisfies Outcome;
  } finally {
    client.close();
  }
}

async function uploadMultipart(
  ctx: PhaseContext,
  client: SignedClient,
  path: string,
): Promise<Outcome> {
  const startMs = performance.now();
  const created = await client.send({ method: 'POST', path: `${path}?uploads`, keepText: true });
  if (created.status === 501) return { kind: 'not-implemented', detail: describeReply(created) };
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text)?.[1];
  if (!isSuccess(created) || !uploadId) return { kind: 'failed', detail: describeReply(created) };
  const idQuery = `uploadId=${encodeURIComponent(uploadId)}`;
  const etags = await uploadParts(ctx, client, path, idQuery);
  if (typeof etags === 'string') {
    await client.send({ method: 'DELETE', path: `${path}?${idQuery}` }).catch(() => undefined);
    return { kind: 'failed', detail: etags };
  }
  const parts = etags.map(
    (etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`,
  );
  const xml = `<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`;
  const body = bufferBody(Buffer.from(xml, 'utf8'));
  const completePath = `${path}?${idQuery}`;
  const done = await client.send({ method: 'POST', path: completePath, body, keepText: true });
  if (!isSuccess(done) || done.text.includes('<Error>')) {
    return { kind: 'failed', detail: `complete: ${describeReply(done)}` };
  }
  const elapsedMs = performance.now() - startMs;
  return { kind: 'ok', megabytesPerS: megabytesPerS(ctx.plan.largeObjectBytes, elapsedMs) };
}

/** Uploads every part, a few at once; the part ETags in order, or the first failure. */
async function uploadParts(
  ctx: PhaseContext,
  client: SignedClient,
  path: string,
  idQuery: string,
): Promise<string[] | string> {
  const { largeObjectBytes: total, multipartPartBytes: partBytes } = ctx.plan;
  const count = Math.ceil(total / partBytes);
  const etags: string[] = [];
  let next = 0;
  let failure: string | undefined;
  const worker = async () => {
    while (next < count && failure === undefined) {
      const n = next++;
      const offset = n * partBytes;
      const body = repeatedBody(LARGE_CHUNK, Math.min(partBytes, total - offset), offset);
      const partPath = `${path}?partNumber=${n + 1}&${idQuery}`;
      const reply = await client.send({ method: 'PUT', path: partPath, body }).catch(String);
      if (typeof reply === 'string') failure ??= `part ${n + 1}: ${reply}`;
      else if (!isSuccess(reply) || !reply.headers.etag) {
        failure ??= `part ${n + 1}: ${describeReply(reply)}`;
      } else etags[n] = reply.headers.etag;
    }
  };
  await Promise.all(Array.from({ length: ctx.plan.multipartPartsInFlight }, worker));
  return failure ?? etags;
}
