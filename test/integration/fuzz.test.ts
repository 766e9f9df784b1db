/**
 * Fuzz: 10,000 random and mutated requests over raw sockets against one real cairn
 * process, 16 at a time, from a fixed seed (CAIRN_FUZZ_SEED to change it, printed on every
 * run; CAIRN_FUZZ_REQUESTS for the count). Every request must get a complete HTTP answer
 * in time: a hang, a connection closed or reset without one, or an answer cut off fails the
 * test, naming the seed and the request (test/helpers/fuzz-exchange.ts). Afterwards the
 * process is alive, no answer was a 5xx other than 501/503, nothing was logged at error
 * level, no request that had to be refused got a 2xx, every XML answer passes a strict
 * XML 1.0 check (test/helpers/strict-xml.ts), and the state outside the scratch bucket is
 * byte for byte unchanged.
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
import { exchange, type Outcome } from '../helpers/fuzz-exchange.js';
import { parseStrictXml } from '../helpers/strict-xml.js';
import { Rng } from '../helpers/fuzz-random.js';
import { snapshotState } from '../helpers/fuzz-state.js';

const SEED = Number(process.env.CAIRN_FUZZ_SEED ?? 20261126);
const REQUEST_COUNT = Number(process.env.CAIRN_FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = 16;
/**
 * A request with no complete answer by then fails the test. A healthy answer takes
 * milliseconds; the margin is for a machine loaded by other test files.
 */
const ANSWER_TIMEOUT_MS = 10_000;
/** Failures reported at most; the run stops there, so a server that hangs fails fast. */
const FAILURES_MAX = 20;
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

interface Tally {
  sent: number;
  statuses: Map<string, number>;
  kinds: Map<string, number>;
  failures: string[];
}

function record(tally: Tally, n: number, fuzz: FuzzCase, outcome: Outcome): void {
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  bump(tally.statuses, String(outcome.status));
  bump(tally.kinds, fuzz.kind);
  const failure = failureOf(fuzz, outcome);
  if (failure !== undefined && tally.failures.length < FAILURES_MAX) {
    const request = fuzz.bytes.subarray(0, 600).toString('latin1');
    tally.failures.push(
      `request #${n} (${fuzz.kind}): ${failure}\n${request}\n---\n${outcome.head}`,
    );
  }
}

/** Why `outcome` is a bug, if it is one. */
function failureOf(fuzz: FuzzCase, outcome: Outcome): string | undefined {
  const status = outcome.status;
  if (status === 'no-answer') return outcome.why;
  if (status === 'cut') return undefined;
  if (status >= 500 && status !== 501 && status !== 503) return `answered ${status}`;
  if (status < 300 && fuzz.mustReject) return `answered ${status} to a request to refuse`;
  if (outcome.xml !== undefined) {
    try {
      parseStrictXml(outcome.xml);
    } catch (error) {
      return `answered XML a strict XML 1.0 parser refuses: ${(error as Error).message}`;
    }
  }
  return undefined;
}

async function runFuzz(rng: Rng, count: number): Promise<Tally> {
  const tally: Tally = { sent: 0, statuses: new Map(), kinds: new Map(), failures: [] };
  const worker = async () => {
    while (tally.sent < count && tally.failures.length < FAILURES_MAX) {
      const n = ++tally.sent;
      const fuzz = nextCase(rng);
      record(tally, n, fuzz, await exchange(server.port, fuzz, ANSWER_TIMEOUT_MS));
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
      `fuzz: ${tally.sent} requests in ${runtimeMs} ms (seed ${SEED})\n` +
        `statuses: ${sorted(tally.statuses).join(', ')}\nkinds: ${sorted(tally.kinds).join(', ')}`,
    );
    expect(() => process.kill(server.pid, 0), 'server process alive').not.toThrow();
    // Before any call that a hung server would leave waiting: the failures name the requests.
    expect(tally.failures, `seed ${SEED} (CAIRN_FUZZ_SEED=${SEED} replays it)`).toEqual([]);
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.some((b) => b.Name === KEEP)).toBe(true);
    expect(server.errorLogs(), `seed ${SEED}`).toEqual([]);
    expect(await snapshotState(s3, [SCRATCH]), `seed ${SEED}`).toBe(before);
  }, 110_000);
});
