/**
 * `npm run bench:transport`: the internal transport alone. One server process per
 * contender serves a trivial vnode handler (bench/transport/transport-server.ts); this
 * process is the client, issuing vnode get/put of 4 KiB and 1 MiB values at concurrency 1
 * and 16 through each contender in turn — the transport as it was (`today`: signed
 * HTTP/1.1 POST /rpc, keep-alive, with the old encoder), the same with the new encoder
 * (`http`), the HTTP/2 prototype (`http2`) and the RPC stream (`stream`) — in interleaved
 * rounds. It prints the median ops/s of each point and the CPU µs per op of each side
 * (client: this process; server: its /proc counters), with ratios to `today`, and the
 * reasons of any failed call. Not a test: it prints.
 *
 * Options: --rounds N (default 3), --duration-ms MS per point and round (default 1000),
 * --quick (1 round of 500 ms), --json FILE.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { median } from './core/stats.js';
import { runClosedLoop } from './load/closed-loop.js';
import { readProcSnapshot } from './servers/proc-stats.js';
import { HttpTransport } from '../ring/transport/http-transport.js';
import { InternalClient } from '../ring/transport/internal-client.js';
import type { NodeReply, NodeRequest } from '../ring/transport/messages.js';
import { StreamTransport } from '../ring/transport/rpc-stream-transport.js';
import { Http2RpcClient } from './transport/http2-prototype.js';
import { legacyEncodeMessage } from './transport/legacy-codec.js';
import { decodeMessage } from '../ring/transport/codec.js';

const COOKIE = 'bench-internal-transport-cookie-0123456789';
const SERVER_JS = resolve(import.meta.dirname, 'transport/transport-server.js');
const KINDS = ['today', 'http', 'http2', 'stream'] as const;
type Kind = (typeof KINDS)[number];

interface Point {
  op: 'get' | 'put';
  bytes: number;
  concurrency: number;
}

interface Sample {
  opsPerS: number;
  clientUsPerOp: number;
  serverUsPerOp: number;
  errors: number;
  failures: string[];
}

interface Contender {
  kind: Kind;
  pid: number;
  call: (request: NodeRequest) => Promise<NodeReply>;
  close(): void;
}

const POINTS: Point[] = (['get', 'put'] as const).flatMap((op) =>
  [4096, 1 << 20].flatMap((bytes) => [1, 16].map((concurrency) => ({ op, bytes, concurrency }))),
);

const nameOf = (p: Point) => `${p.op}-${p.bytes === 4096 ? '4KiB' : '1MiB'}-c${p.concurrency}`;

function startServer(kind: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [SERVER_JS, kind, COOKIE], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolvePort, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} server exited ${code}`)));
    child.stdout!.once('data', (d: Buffer) => resolvePort({ child, port: Number(String(d)) }));
  });
}

async function contender(kind: Kind, children: ChildProcess[]): Promise<Contender> {
  const server =
    kind === 'http2' || kind === 'today' ? (kind === 'today' ? 'legacy' : kind) : 'http';
  const { child, port } = await startServer(server);
  children.push(child);
  const address = `127.0.0.1:${port}`;
  const client = new InternalClient({ cookie: COOKIE });
  const timeoutMs = 30_000;
  if (kind === 'http2') {
    const h2 = new Http2RpcClient(address, client);
    return { kind, pid: child.pid!, call: (r) => h2.call(r), close: () => h2.close() };
  }
  if (kind === 'today') {
    const call = async (r: NodeRequest) => {
      const body = legacyEncodeMessage(r);
      const type = 'application/octet-stream';
      const request = { method: 'POST' as const, path: '/rpc', body, contentType: type };
      const reply = await client.request(address, { ...request, timeoutMs });
      if (reply.status !== 200) throw new Error(`HTTP ${reply.status}`);
      return decodeMessage<NodeReply>(reply.body);
    };
    return { kind, pid: child.pid!, call, close: () => client.close() };
  }
  const transport =
    kind === 'http'
      ? new HttpTransport(() => address, client)
      : new StreamTransport(() => address, client);
  return {
    kind,
    pid: child.pid!,
    call: (r) => transport.call('bench', r, { timeoutMs }),
    close: () => transport.close(),
  };
}

function requestOf(point: Point, value: Buffer): NodeRequest {
  const sk = Buffer.alloc(4);
  sk.writeUInt32BE(point.bytes, 0);
  const item = { partition: 1, keyspace: 'blocks', pk: Buffer.from('bench-key'), sk };
  return point.op === 'get' ? { op: 'get', item } : { op: 'put', item, value };
}

async function measure(c: Contender, point: Point, durationMs: number): Promise<Sample> {
  const request = requestOf(point, Buffer.alloc(point.bytes, 3));
  const serverBefore = await readProcSnapshot(c.pid);
  const clientBefore = process.cpuUsage();
  const loop = await runClosedLoop(
    { concurrency: point.concurrency, durationMs, opsMax: 1e7 },
    async () => {
      const reply = await c.call(request);
      const bytes = 'value' in reply && reply.value ? reply.value.length : 0;
      return { ok: reply.ok && (point.op === 'put' || bytes === point.bytes), bytes };
    },
  );
  const client = process.cpuUsage(clientBefore);
  const serverAfter = await readProcSnapshot(c.pid);
  const ops = Math.max(1, loop.ok);
  return {
    opsPerS: (loop.ok / loop.elapsedMs) * 1000,
    clientUsPerOp: (client.user + client.system) / ops,
    serverUsPerOp: ((serverAfter.cpuS - serverBefore.cpuS) * 1e6) / ops,
    errors: loop.errors,
    failures: [...loop.failures].map(([reason, n]) => `${reason.slice(0, 100)} x${n}`),
  };
}

function options(argv: string[]) {
  const at = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  return {
    rounds: Number(at('--rounds') ?? (quick ? 1 : 3)),
    durationMs: Number(at('--duration-ms') ?? (quick ? 500 : 1000)),
    json: at('--json'),
  };
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const children: ChildProcess[] = [];
  const stop = () => children.forEach((child) => child.kill('SIGKILL'));
  process.on('exit', stop);
  const contenders: Contender[] = [];
  for (const kind of KINDS) contenders.push(await contender(kind, children));
  const samples = new Map<string, Sample[]>();
  for (const c of contenders) await c.call({ op: 'ping' }); // connect and warm up
  for (let round = 1; round <= opts.rounds; round++) {
    for (const point of POINTS) {
      for (const c of round % 2 ? contenders : [...contenders].reverse()) {
        const key = `${nameOf(point)} ${c.kind}`;
        const sample = await measure(c, point, opts.durationMs);
        samples.set(key, [...(samples.get(key) ?? []), sample]);
      }
    }
    process.stderr.write(`round ${round}/${opts.rounds} done\n`);
  }
  const rows = report(samples);
  if (opts.json) await writeFile(opts.json, JSON.stringify({ rows, ...opts }, null, 2));
  for (const c of contenders) c.close();
  stop();
}

function report(samples: Map<string, Sample[]>) {
  const rows = [];
  const line = (cells: string[]) => process.stdout.write(cells.join(' | ') + '\n');
  line(['point', 'kind', 'ops/s', 'x today', 'client us/op', 'server us/op', 'sum x today', 'err']);
  for (const point of POINTS) {
    const base = medians(samples.get(`${nameOf(point)} today`) ?? []);
    for (const kind of KINDS) {
      const m = medians(samples.get(`${nameOf(point)} ${kind}`) ?? []);
      const sum = m.clientUsPerOp + m.serverUsPerOp;
      const baseSum = base.clientUsPerOp + base.serverUsPerOp;
      rows.push({ point: nameOf(point), kind, ...m });
      line([
        nameOf(point).padEnd(12),
        kind.padEnd(6),
        m.opsPerS.toFixed(0).padStart(6),
        (m.opsPerS / base.opsPerS).toFixed(2),
        m.clientUsPerOp.toFixed(0).padStart(5),
        m.serverUsPerOp.toFixed(0).padStart(5),
        (sum / baseSum).toFixed(2),
        String(m.errors) + (m.failures.length ? ` (${m.failures.slice(0, 2).join('; ')})` : ''),
      ]);
    }
  }
  return rows;
}

function medians(list: Sample[]): Sample {
  return {
    opsPerS: median(list.map((s) => s.opsPerS)),
    clientUsPerOp: median(list.map((s) => s.clientUsPerOp)),
    serverUsPerOp: median(list.map((s) => s.serverUsPerOp)),
    errors: list.reduce((a, s) => a + s.errors, 0),
    failures: [...new Set(list.flatMap((s) => s.failures))],
  };
}

await main();
