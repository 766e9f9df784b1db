/**
 * Encrypted against plaintext 64 MiB PUT and GET throughput on one `cairn start`, in one
 * run: each round PUTs then GETs one object per mode (plain, SSE-S3, SSE-C), the mode order
 * rotating every round so that drift of a shared machine hits every mode alike; medians of
 * the rounds and their ratios to plain are printed (and written as JSON with --json). With
 * --baseline-chunk-bytes N a second `cairn start` sealing with N-byte chunks runs the
 * encrypted modes too (named mode@N), interleaved in the same rounds: a before/after of the
 * chunk size in one run.
 *
 *   npm run build && node dist/bench/sse-throughput.js [--rounds 5] [--json FILE]
 *     [--baseline-chunk-bytes 65536]
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseStatCpuTicks } from './core/proc-parse.js';
import { median } from './core/stats.js';
import { randomChunk, repeatedBody } from './load/payload.js';
import { SignedClient, describeReply, isSuccess } from './load/signed-client.js';
import { startCairnServer } from './servers/bench-servers.js';
import { ProcessGroup } from './servers/process-group.js';

const OBJECT_BYTES = 64 * 1024 * 1024;
const MIB = 1024 * 1024;
const customerKey = randomBytes(32);
const MODES: Record<string, Record<string, string>> = {
  plain: {},
  'sse-s3': { 'x-amz-server-side-encryption': 'AES256' },
  'sse-c': {
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-server-side-encryption-customer-key': customerKey.toString('base64'),
    'x-amz-server-side-encryption-customer-key-md5': createHash('md5')
      .update(customerKey)
      .digest('base64'),
  },
};

/** Per mode: MiB/s of each PUT and GET, and the server's CPU ms for each. */
type Figures = Record<string, { put: number[]; get: number[]; putCpu: number[]; getCpu: number[] }>;

/** CPU ms (user + system) the process has used: on a shared machine it drifts far less
 * than wall-clock time, which waits for the cores the other work holds. */
async function cpuMs(pid: number): Promise<number> {
  return parseStatCpuTicks(await readFile(`/proc/${pid}/stat`, 'utf8')) * 10;
}

async function timed(c: Case, spec: Parameters<SignedClient['send']>[0]) {
  const cpuBefore = await cpuMs(c.pid);
  const started = process.hrtime.bigint();
  const reply = await c.client.send(spec);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!isSuccess(reply) || (spec.method === 'GET' && reply.bytes !== OBJECT_BYTES)) {
    throw new Error(`${spec.method} ${spec.path}: ${describeReply(reply)}`);
  }
  return { mibps: OBJECT_BYTES / MIB / seconds, cpuMs: (await cpuMs(c.pid)) - cpuBefore };
}

/** A mode run against one server: its name in the figures, its headers, its client. */
interface Case {
  name: string;
  headers: Record<string, string>;
  client: SignedClient;
  pid: number;
}

async function runRounds(cases: Case[], rounds: number): Promise<Figures> {
  const body = repeatedBody(randomChunk(), OBJECT_BYTES);
  const figures: Figures = Object.fromEntries(
    cases.map((c) => [c.name, { put: [], get: [], putCpu: [], getCpu: [] }]),
  );
  for (let round = 0; round < rounds; round++) {
    const order = cases.map((_, i) => cases[(i + round) % cases.length]!);
    for (const c of order) {
      const { name, headers } = c;
      const path = `/sse-bench/${name.replace('@', '-')}-${round}`;
      const put = await timed(c, { method: 'PUT', path, body, headers });
      // A read names only SSE-C's key; SSE-S3's header on a GET is a 400, as on AWS.
      const readHeaders = name.startsWith('sse-c') ? headers : {};
      const get = await timed(c, { method: 'GET', path, headers: readHeaders });
      const f = figures[name]!;
      f.put.push(put.mibps);
      f.get.push(get.mibps);
      f.putCpu.push(put.cpuMs);
      f.getCpu.push(get.cpuMs);
      console.log(
        `r${round + 1} ${name}: PUT ${put.mibps.toFixed(1)} MiB/s ${put.cpuMs} ms CPU, ` +
          `GET ${get.mibps.toFixed(1)} MiB/s ${get.cpuMs} ms CPU`,
      );
    }
  }
  return figures;
}

/** The cases of one server: every mode, or (`suffix`, a baseline) the encrypted ones. */
async function casesOf(
  group: ProcessGroup,
  keyFile: string,
  chunkArgs: string[],
  suffix = '',
): Promise<Case[]> {
  const extraArgs = ['--kms-key-file', keyFile, '--allow-sse-c-over-http', ...chunkArgs];
  const server = await startCairnServer(group, { region: 'us-east-1', extraArgs });
  const pid = server.pid;
  if (pid === undefined) throw new Error('cairn started without a pid');
  const client = new SignedClient(server.target, { maxSockets: 1, timeoutMs: 120_000 });
  await client.send({ method: 'PUT', path: '/sse-bench' });
  return Object.entries(MODES)
    .filter(([mode]) => suffix === '' || mode !== 'plain')
    .map(([mode, headers]) => ({ name: `${mode}${suffix}`, headers, client, pid }));
}

function summary(figures: Figures) {
  const plain = figures['plain']!;
  return Object.entries(figures).map(([mode, f]) => ({
    mode,
    putMiBps: median(f.put),
    getMiBps: median(f.get),
    putRatio: median(f.put) / median(plain.put),
    getRatio: median(f.get) / median(plain.get),
    putCpuMs: median(f.putCpu),
    getCpuMs: median(f.getCpu),
    // CPU per byte, plain's over this mode's: the throughput ratio on an idle core.
    getCpuRatio: median(plain.getCpu) / median(f.getCpu),
  }));
}

function printRows(rows: ReturnType<typeof summary>): void {
  console.log(
    'mode           PUT MiB/s  ×plain  GET MiB/s  ×plain  PUT CPU ms  GET CPU ms  ×plain',
  );
  for (const r of rows) {
    console.log(
      `${r.mode.padEnd(14)} ${r.putMiBps.toFixed(1).padStart(9)}  ${r.putRatio.toFixed(2)}` +
        `  ${r.getMiBps.toFixed(1).padStart(9)}  ${r.getRatio.toFixed(2)}` +
        `  ${String(r.putCpuMs).padStart(10)}  ${String(r.getCpuMs).padStart(10)}` +
        `  ${r.getCpuRatio.toFixed(2)}`,
    );
  }
}

const USAGE =
  'usage: node dist/bench/sse-throughput.js [--rounds N] [--json FILE] ' +
  '[--baseline-chunk-bytes N]';

/** The options, or undefined after saying what is wrong (or the usage, for --help). */
function options() {
  try {
    const { values } = parseArgs({
      options: {
        rounds: { type: 'string', default: '5' },
        json: { type: 'string' },
        'baseline-chunk-bytes': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
    if (values.help) return void console.log(USAGE);
    const rounds = Number(values.rounds);
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds: a whole number ≥ 1');
    const baseline = values['baseline-chunk-bytes'];
    if (baseline !== undefined && !/^[1-9][0-9]*$/.test(baseline)) {
      throw new Error('--baseline-chunk-bytes: a number of bytes');
    }
    return { ...values, rounds };
  } catch (error) {
    console.error(`sse-throughput: ${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return undefined;
  }
}

async function main(): Promise<void> {
  const values = options();
  if (values === undefined) return;
  const group = new ProcessGroup((line) => console.error(line));
  const clients = new Set<SignedClient>();
  try {
    const keyFile = join(await group.tempDir('cairn-bench-kms-'), 'kms.key');
    await writeFile(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const cases = await casesOf(group, keyFile, []);
    const baseline = values['baseline-chunk-bytes'];
    if (baseline !== undefined) {
      cases.push(
        ...(await casesOf(group, keyFile, ['--sse-chunk-bytes', baseline], `@${baseline}`)),
      );
    }
    for (const c of cases) clients.add(c.client);
    const rows = summary(await runRounds(cases, values.rounds));
    printRows(rows);
    if (values.json) await writeFile(values.json, JSON.stringify(rows, null, 2) + '\n');
  } finally {
    for (const client of clients) client.close();
    await group.closeAll();
  }
}

await main();
