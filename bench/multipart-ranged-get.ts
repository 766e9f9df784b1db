/**
 * Ranged GET of one part of a many-part object, side by side on two builds of cairn (say,
 * before and after part-list chunks): starts one `cairn start` per build, uploads the same
 * object of --parts tiny parts to each, then runs interleaved rounds of --gets sequential
 * GETs of one part's byte range (a different part each GET) and prints, per build, the
 * median over rounds of the server CPU (utime + stime from /proc) and the client latency
 * per GET, and their ratios.
 *
 *   node dist/bench/multipart-ranged-get.js --a OLD/dist/src/main.js --b dist/src/main.js \
 *     [--parts 2500] [--rounds 7] [--gets 200]
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const CLOCK_TICKS_PER_S = 100;
const BUCKET = 'bench';
const KEY = 'many';

interface Server {
  name: string;
  child: ChildProcess;
  dataDir: string;
  client: S3Client;
}

async function startServer(name: string, mainJs: string): Promise<Server> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-bench-parts-'));
  const args = ['start', '--port', '0', '--data-dir', dataDir, '--durability', 'none'];
  args.push('--enforce-multipart-part-size', 'off');
  const child = spawn(process.execPath, [mainJs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = /^S3 endpoint: (\S+)$/m.exec(output)?.[1];
    const accessKeyId = /^AWS_ACCESS_KEY_ID=(\S+)$/m.exec(output)?.[1];
    const secretAccessKey = /^AWS_SECRET_ACCESS_KEY=(\S+)$/m.exec(output)?.[1];
    if (url && accessKeyId && secretAccessKey) {
      const client = new S3Client({
        endpoint: url,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId, secretAccessKey },
      });
      return { name, child, dataDir, client };
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${name}:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Uploads parts `<i>` and completes them; returns each part's byte range. */
async function uploadMany(server: Server, count: number): Promise<Array<[number, number]>> {
  const { client } = server;
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: KEY }));
  const UploadId = created.UploadId!;
  const parts = Array.from({ length: count }, (_, i) => Buffer.from(`<${i}>`));
  const done = new Array<{ PartNumber: number; ETag: string }>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const input = { Bucket: BUCKET, Key: KEY, UploadId, PartNumber: i + 1, Body: parts[i]! };
      done[i] = {
        PartNumber: i + 1,
        ETag: (await client.send(new UploadPartCommand(input))).ETag!,
      };
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const MultipartUpload = { Parts: done };
  await client.send(
    new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: KEY, UploadId, MultipartUpload }),
  );
  let offset = 0;
  return parts.map((part) => {
    const range: [number, number] = [offset, offset + part.length - 1];
    offset += part.length;
    return range;
  });
}

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** One round: `gets` ranged GETs; returns CPU µs and latency µs per GET. */
async function round(server: Server, ranges: Array<[number, number]>, gets: number, seed: number) {
  const cpuBefore = await cpuTicks(server.child.pid!);
  const started = process.hrtime.bigint();
  for (let g = 0; g < gets; g++) {
    const i = (seed * 7919 + g * 104_729) % ranges.length;
    const [start, end] = ranges[i]!;
    const got = await server.client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: KEY, Range: `bytes=${start}-${end}` }),
    );
    const body = Buffer.from(await got.Body!.transformToByteArray()).toString();
    if (body !== `<${i}>`) throw new Error(`${server.name}: part ${i} read as ${body}`);
  }
  const elapsedUs = Number(process.hrtime.bigint() - started) / 1000;
  const cpuUs = ((await cpuTicks(server.child.pid!)) - cpuBefore) * (1e6 / CLOCK_TICKS_PER_S);
  return { cpuUs: cpuUs / gets, latencyUs: elapsedUs / gets };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function main() {
  const { values } = parseArgs({
    options: {
      a: { type: 'string' },
      b: { type: 'string' },
      parts: { type: 'string', default: '2500' },
      rounds: { type: 'string', default: '7' },
      gets: { type: 'string', default: '200' },
    },
  });
  if (!values.a || !values.b) throw new Error('--a and --b (paths of main.js) are required');
  const parts = Number(values.parts);
  const servers = [await startServer('a', values.a), await startServer('b', values.b)];
  try {
    const ranges = await Promise.all(servers.map((server) => uploadMany(server, parts)));
    const results = servers.map(() => ({ cpuUs: [] as number[], latencyUs: [] as number[] }));
    for (let r = 0; r < Number(values.rounds); r++) {
      // Alternate which build goes first, so neither always runs on a warmer machine.
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const s of order) {
        const out = await round(servers[s]!, ranges[s]!, Number(values.gets), r);
        results[s]!.cpuUs.push(out.cpuUs);
        results[s]!.latencyUs.push(out.latencyUs);
      }
    }
    const [a, b] = results.map((x) => ({ cpu: median(x.cpuUs), latency: median(x.latencyUs) }));
    const report = {
      parts,
      rounds: Number(values.rounds),
      getsPerRound: Number(values.gets),
      a: { main: values.a, cpuUsPerGet: a!.cpu, latencyUsPerGet: a!.latency },
      b: { main: values.b, cpuUsPerGet: b!.cpu, latencyUsPerGet: b!.latency },
      ratioCpu: b!.cpu / a!.cpu,
      ratioLatency: b!.latency / a!.latency,
      rawCpuUs: results.map((x) => x.cpuUs.map(Math.round)),
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    for (const server of servers) {
      server.client.destroy();
      server.child.kill('SIGKILL');
      await rm(server.dataDir, { recursive: true, force: true });
    }
  }
}

await main();
