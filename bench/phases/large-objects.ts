/**
 * 64 MiB objects, one at a time: PUT then GET MB/s (median of rounds, interleaved across
 * servers), and what moving those bytes cost each server: CPU seconds per GB, and bytes
 * written to disk per byte stored (write amplification). Bodies stream from a repeated
 * ~1 MB chunk, so the generator never holds the object; its MD5 is computed once, untimed,
 * to check every ETag.
 */
import { median, megabytesPerS, ratio } from '../core/stats.js';
import { bodyMd5Hex, randomChunk, repeatedBody, type BodySource } from '../load/payload.js';
import { SignedClient, describeReply, isSuccess } from '../load/signed-client.js';
import type { BenchServer } from '../servers/bench-servers.js';
import { ensureBucket } from './bucket-setup.js';
import type { PhaseContext } from './context.js';

/** One transfer: its MB/s and what it cost the server. */
interface Transfer {
  ok: boolean;
  megabytesPerS: number;
  bytes: number;
  failure?: string;
  serverCpuS?: number;
  serverWriteBytes?: number;
}

type Verb = 'put' | 'get';

/** The ~1 MB chunk large bodies repeat; shared with the multipart phase. */
export const LARGE_CHUNK = randomChunk();

/** Runs the 64 MiB phase on `servers` and records its figures. */
export async function runLargeObjects(ctx: PhaseContext, servers: BenchServer[]): Promise<void> {
  const body = repeatedBody(LARGE_CHUNK, ctx.plan.largeObjectBytes);
  const md5Hex = bodyMd5Hex(body);
  const transfers = new Map<string, Transfer[]>();
  const add = (server: BenchServer, verb: Verb, t: Transfer) => {
    const key = `${server.label}/${verb}`;
    transfers.set(key, [...(transfers.get(key) ?? []), t]);
  };
  for (const server of servers) await ensureBucket(server, ctx.bucket('large'));
  for (const verb of ['put', 'get'] as const) {
    for (let round = 1; round <= ctx.plan.largeRounds; round++) {
      for (const server of servers) {
        const t = await transferOnce(ctx, server, verb, `big-${round}`, body, md5Hex);
        ctx.log(
          `${verb}-64MiB ${server.label} r${round}: ${t.megabytesPerS.toFixed(1)} MB/s` +
            (t.serverCpuS === undefined ? '' : `, server cpu ${t.serverCpuS.toFixed(2)} s`) +
            (t.failure ? `, FAILED ${t.failure}` : ''),
        );
        if (t.failure) {
          ctx.recordFailures(`${verb}-64MiB ${server.label}`, new Map([[t.failure, 1]]));
        }
        add(server, verb, t);
      }
    }
  }
  for (const server of servers) {
    const of = (verb: Verb) => transfers.get(`${server.label}/${verb}`) ?? [];
    recordLarge(ctx, server, of('put'), of('get'));
  }
}

async function transferOnce(
  ctx: PhaseContext,
  server: BenchServer,
  verb: Verb,
  key: string,
  body: BodySource,
  md5Hex: string,
): Promise<Transfer> {
  const client = new SignedClient(server.target, {
    maxSockets: 1,
    timeoutMs: ctx.plan.requestTimeoutMs,
  });
  const path = `/${ctx.bucket('large')}/${key}`;
  try {
    const spec =
      verb === 'put' ? { method: 'PUT' as const, path, body } : { method: 'GET' as const, path };
    const cost = await ctx.withCost(server, () => client.send(spec).catch((e: Error) => e));
    const reply = cost.value;
    const t: Transfer = {
      ok: false,
      bytes: body.bytes,
      megabytesPerS: megabytesPerS(body.bytes, cost.elapsedMs),
    };
    if (cost.serverCpuS !== undefined) t.serverCpuS = cost.serverCpuS;
    if (cost.serverWriteBytes !== undefined) t.serverWriteBytes = cost.serverWriteBytes;
    if (reply instanceof Error) t.failure = reply.message;
    else if (!isSuccess(reply)) t.failure = describeReply(reply);
    else if (verb === 'put' && reply.headers.etag !== `"${md5Hex}"`) {
      t.failure = `ETag ${reply.headers.etag} is not the MD5 ${md5Hex}`;
    } else if (verb === 'get' && reply.bytes !== body.bytes) {
      t.failure = `short body ${reply.bytes}`;
    } else t.ok = true;
    return t;
  } finally {
    client.close();
  }
}

function sumOf(transfers: readonly Transfer[], pick: (t: Transfer) => number | undefined) {
  let total = 0;
  for (const t of transfers) {
    const value = pick(t);
    if (value === undefined) return Number.NaN;
    total += value;
  }
  return total;
}

function recordLarge(ctx: PhaseContext, server: BenchServer, puts: Transfer[], gets: Transfer[]) {
  const { book } = ctx;
  const role = server.role;
  const okPuts = puts.filter((t) => t.ok);
  const okGets = gets.filter((t) => t.ok);
  const errorsOf = (ts: Transfer[], ok: Transfer[]) => ts.length - ok.length;
  const put = { name: 'put-64MiB', unit: 'MB/s', better: 'higher' } as const;
  const get = { name: 'get-64MiB', unit: 'MB/s', better: 'higher' } as const;
  book.record(put, role, median(okPuts.map((t) => t.megabytesPerS)), errorsOf(puts, okPuts));
  book.record(get, role, median(okGets.map((t) => t.megabytesPerS)), errorsOf(gets, okGets));
  const gb = (ts: Transfer[]) => sumOf(ts, (t) => t.bytes) / 1e9;
  const cpu = (ts: Transfer[]) => sumOf(ts, (t) => t.serverCpuS);
  const perGb = (ts: Transfer[]) => ratio(cpu(ts), gb(ts));
  const unit = 's/GB';
  book.record({ name: 'cpu-s-per-GB', unit, better: 'lower' }, role, perGb([...okPuts, ...okGets]));
  book.record({ name: 'cpu-s-per-GB-put', unit, better: 'lower' }, role, perGb(okPuts));
  book.record({ name: 'cpu-s-per-GB-get', unit, better: 'lower' }, role, perGb(okGets));
  if (!server.stores) return;
  const amp = { name: 'write-amp-64MiB', unit: 'B/B', better: 'lower' } as const;
  const written = sumOf(okPuts, (t) => t.serverWriteBytes);
  book.record(
    amp,
    role,
    ratio(
      written,
      sumOf(okPuts, (t) => t.bytes),
    ),
  );
  if (role === 'cairn') {
    book.record(amp, 'ceiling', 1);
    book.note(amp, 'ceiling = ideal (each byte written once)');
  }
}
