/**
 * Fuzz: 10,000 random and mutated requests over raw sockets against one real cairn
 * process, 16 at a time, from a fixed seed (CAIRN_FUZZ_SEED to change it, printed on every
 * run; CAIRN_FUZZ_REQUESTS for the count). Afterwards the process is alive, no answer was a
 * 5xx other than 501/503, nothing was logged at error level, no request that had to be
 * refused got a 2xx, and the state outside the scratch bucket is byte for byte unchanged.
 */
import {
  CreateMultipartUploadCommand,
  ListBucketsCommand,
  PutBucketCorsCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import {
  anonymousCase,
  hugeHeaderCase,
  malformedXmlCase,
  scratchCase,
  signedMutatedCase,
  sigV2MutatedCase,
  streamingGarbageCase,
  type FuzzCase,
  type FuzzWorld,
} from '../helpers/fuzz-cases.js';
import { Rng } from '../helpers/fuzz-random.js';
import { snapshotState } from '../helpers/fuzz-state.js';

const SEED = Number(process.env.CAIRN_FUZZ_SEED ?? 20261126);
const REQUEST_COUNT = Number(process.env.CAIRN_FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = 16;
/** A request with no answer by then is dropped and counted; it cannot hold the run. */
const ANSWER_TIMEOUT_MS = 5000;
const KEEP = 'fuzz-keep';
const SCRATCH = 'fuzz-scratch';
const KEEP_KEYS = ['obj-0', 'dir/obj 1', 'caf\u00e9/\u00fc+%', 'a//b', ' spaced ', 'deep/x/y/z'];
const UPLOAD_KEY = 'mp/upload';

let server: CairnProcess;
let s3: S3Client;
let world: FuzzWorld;

useCairn(
  {
    buckets: [KEEP, SCRATCH],
    args: ['--headers-timeout', '2000', '--durability', 'none'],
  },
  (started) => ({ server, s3 } = started),
);

beforeAll(async () => {
  const rng = new Rng(SEED ^ 0x5eed);
  for (const [i, key] of KEEP_KEYS.entries()) {
    const Body = rng.bytes(rng.int(1, 64 * 1024));
    await s3.send(new PutObjectCommand({ Bucket: KEEP, Key: key, Body, Metadata: { n: `${i}` } }));
  }
  await s3.send(
    new PutObjectTaggingCommand({
      Bucket: KEEP,
      Key: 'obj-0',
      Tagging: { TagSet: [{ Key: 'kept', Value: 'yes' }] },
    }),
  );
  await s3.send(
    new PutBucketTaggingCommand({ Bucket: KEEP, Tagging: { TagSet: [{ Key: 'b', Value: '1' }] } }),
  );
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: KEEP,
      CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'] }] },
    }),
  );
  const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: KEEP, Key: UPLOAD_KEY }));
  await s3.send(
    new UploadPartCommand({
      Bucket: KEEP,
      Key: UPLOAD_KEY,
      UploadId: upload.UploadId!,
      PartNumber: 1,
      Body: rng.bytes(1000),
    }),
  );
  world = {
    port: server.port,
    keyId: server.keyId,
    secret: server.secret,
    keep: KEEP,
    scratch: SCRATCH,
    keepKeys: KEEP_KEYS,
    keepUploadKey: UPLOAD_KEY,
    keepUploadId: upload.UploadId!,
  };
});

/** One case, chosen by weight. */
function nextCase(rng: Rng): FuzzCase {
  const roll = rng.next();
  if (roll < 0.28) return anonymousCase(rng, world);
  if (roll < 0.53) return signedMutatedCase(rng, world);
  if (roll < 0.68) return malformedXmlCase(rng, world);
  if (roll < 0.87) return scratchCase(rng, world);
  if (roll < 0.91) return hugeHeaderCase(rng, world);
  if (roll < 0.95) return streamingGarbageCase(rng, world);
  return sigV2MutatedCase(rng, world);
}

interface Outcome {
  /** The first response's status, or 'none' (closed without one), 'timeout', 'cut'. */
  status: number | 'none' | 'timeout' | 'cut';
  head: string;
}

/** Sends a case on its own connection and reads the first response line. */
function exchange(fuzz: FuzzCase): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish({ status: 'timeout', head: received }),
      ANSWER_TIMEOUT_MS,
    );
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    const done = () => {
      // Skip interim answers (100 Continue): the final status is the one that counts.
      const statuses = [...received.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((m) => m[1]);
      const status = statuses.find((code) => !code!.startsWith('1'));
      finish({ status: status ? Number(status) : 'none', head: received.slice(0, 400) });
    };
    socket.on('close', done);
    // A server that answers early (431, 403) and closes makes our write fail: not an error.
    socket.on('error', done);
    socket.write(fuzz.bytes, () => {
      if (fuzz.cut) setTimeout(() => finish({ status: 'cut', head: '' }), 20);
    });
  });
}

interface Tally {
  statuses: Map<string, number>;
  kinds: Map<string, number>;
  failures: string[];
}

function record(tally: Tally, fuzz: FuzzCase, outcome: Outcome): void {
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  bump(tally.statuses, String(outcome.status));
  bump(tally.kinds, fuzz.kind);
  const status = outcome.status;
  const serverError =
    typeof status === 'number' && status >= 500 && status !== 501 && status !== 503;
  const wronglyAccepted = typeof status === 'number' && status < 300 && fuzz.mustReject;
  if ((serverError || wronglyAccepted) && tally.failures.length < 20) {
    const request = fuzz.bytes.subarray(0, 600).toString('latin1');
    tally.failures.push(`${fuzz.kind} → ${status}\n${request}\n---\n${outcome.head}`);
  }
}

async function runFuzz(rng: Rng, count: number): Promise<Tally> {
  const tally: Tally = { statuses: new Map(), kinds: new Map(), failures: [] };
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent++;
      const fuzz = nextCase(rng);
      record(tally, fuzz, await exchange(fuzz));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return tally;
}

const sorted = (map: Map<string, number>) =>
  [...map.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${v}`);

describe('fuzz', () => {
  it(`survives ${REQUEST_COUNT} random and mutated requests (seed ${SEED})`, async () => {
    console.log(`fuzz seed ${SEED} (CAIRN_FUZZ_SEED to change), ${REQUEST_COUNT} requests`);
    const before = await snapshotState(s3, [SCRATCH]);
    const startedMs = Date.now();
    const tally = await runFuzz(new Rng(SEED), REQUEST_COUNT);
    const runtimeMs = Date.now() - startedMs;
    console.log(
      `fuzz: ${REQUEST_COUNT} requests in ${runtimeMs} ms (seed ${SEED})\n` +
        `statuses: ${sorted(tally.statuses).join(', ')}\nkinds: ${sorted(tally.kinds).join(', ')}`,
    );
    expect(() => process.kill(server.pid, 0), 'server process alive').not.toThrow();
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.some((b) => b.Name === KEEP)).toBe(true);
    expect(tally.failures, `seed ${SEED}`).toEqual([]);
    expect(server.errorLogs(), `seed ${SEED}`).toEqual([]);
    expect(await snapshotState(s3, [SCRATCH]), `seed ${SEED}`).toBe(before);
  }, 110_000);
});
