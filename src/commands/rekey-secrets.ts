/**
 * `cairn rekey-secrets`: re-seals every stored user secret under a new key file (or seals a
 * store that had none, or unseals one). It runs against stopped data, because every
 * process that holds the key (front ends, stanchions) must restart with the new one anyway,
 * and nothing may write a user meanwhile:
 *
 * - `--data-dir D` of a stopped `cairn start`: its node, stanchion log and admin.json;
 * - `--data-dir D` of a stopped `cairn stanchion`: its local log and admin.json;
 * - `--nodes …` of a cluster whose stanchions and front ends are stopped (its storage nodes,
 *   which never hold a key, keep running): the ring log and the user records;
 * - `--data-dir D` of a stopped `cairn node`: no key needed, it only compacts (below).
 *
 * Local LevelDB files are compacted afterwards, so no copy sealed under the old key (or in
 * the clear) stays on disk; a cluster's nodes drop their old copies at their next
 * compaction, or at once when each, stopped in turn, is given to this command. Re-running
 * after an interruption finishes the job.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ClassicLevel } from 'classic-level';
import type { Command } from 'commander';
import type { RingClient } from '../../ring/client.js';
import { checkDataDirFormat } from '../../ring/storage/data-dir.js';
import { CommandLog } from '../../stanchion/command-log.js';
import {
  resealAdminFile,
  resealEntry,
  resealRing,
  resealSnapshotText,
  type Rekey,
} from '../../stanchion/reseal.js';
import { secretBoxFor } from '../../stanchion/secret-key-file.js';
import { parseAddressList } from '../config/core/values.js';
import { openEmbeddedRing } from '../embedded.js';
import { InternalClient } from '../../ring/transport/internal-client.js';
import {
  addInternalTlsOptions,
  internalTlsOf,
  type InternalOptions,
} from '../cli/internal-client-of.js';
import { connectClusterRing } from './cluster-ring.js';
import { livePid } from './pid-file.js';
import { cairnVersion } from '../version.js';

interface RekeyOptions extends InternalOptions {
  dataDir?: string;
  nodes?: string;
  nVal: string;
  secretKeyFile?: string;
  newSecretKeyFile?: string;
}

/** Registers `rekey-secrets`. */
export function registerRekeySecrets(program: Command): void {
  const command = program
    .command('rekey-secrets')
    .description('re-seal every stored user secret under a new key file (stopped store)')
    .option('--data-dir <dir>', 'the stopped store: a cairn start or cairn stanchion data dir')
    .option('--nodes <host:port,...>', "a cluster's storage nodes (its stanchions stopped)")
    .option('--cookie <cookie>', 'the cluster cookie, with --nodes (CAIRN_COOKIE)')
    .option('--n-val <n>', 'replicas per item, with --nodes', '3')
    .option('--secret-key-file <file>', 'the key file in use now; none: the store is unsealed')
    .option('--new-secret-key-file <file>', 'the key file to seal with; none: unseal');
  addInternalTlsOptions(command).action(async (opts: RekeyOptions) => {
    process.stdout.write(`${await rekeySecrets(opts)}\n`);
  });
}

async function rekeyOf(opts: RekeyOptions, dataDirs: string[]): Promise<Rekey> {
  if (opts.secretKeyFile === undefined && opts.newSecretKeyFile === undefined) {
    throw new Error('give --new-secret-key-file (and --secret-key-file if the store has one)');
  }
  const from = await secretBoxFor(opts.secretKeyFile, dataDirs);
  const to = await secretBoxFor(opts.newSecretKeyFile, dataDirs);
  if (from.keyTag === to.keyTag) throw new Error('the old and the new key are the same');
  return { from, to };
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function rekeySecrets(opts: RekeyOptions): Promise<string> {
  if ((opts.dataDir === undefined) === (opts.nodes === undefined)) {
    throw new Error('give either --data-dir (a stopped store) or --nodes (a cluster)');
  }
  if (opts.nodes !== undefined) return rekeyCluster(opts);
  const dataDir = resolve(opts.dataDir!);
  const pid = livePid(dataDir);
  if (pid !== undefined && !(await isZombie(pid))) {
    throw new Error(`cairn is running on ${dataDir} (pid ${pid}): stop it`);
  }
  await checkDataDirFormat(dataDir, cairnVersion());
  if (await exists(join(dataDir, 'leveldb'))) {
    // A storage node holds no key: only its old copies of re-sealed records need dropping.
    await compactLevelDb(join(dataDir, 'leveldb'));
    return `compacted the storage node in ${dataDir}: no overwritten record stays on disk`;
  }
  const rekey = await rekeyOf(opts, [dataDir]);
  const lines: string[] = [];
  if (await exists(join(dataDir, 'node', 'ring.json'))) {
    lines.push(await rekeyEmbeddedRing(dataDir, rekey));
    lines.push(await rekeyLocalLog(join(dataDir, 'stanchion'), rekey));
  } else if (await exists(join(dataDir, 'log'))) {
    lines.push(await rekeyLocalLog(join(dataDir, 'log'), rekey));
  } else {
    throw new Error(`${dataDir} is no cairn start, stanchion or node data dir`);
  }
  if (await resealAdminFile(join(dataDir, 'admin.json'), rekey)) lines.push('admin.json');
  return `re-sealed under ${describe(rekey)}: ${lines.join('; ')}`;
}

/** A killed process its parent has not reaped yet still answers kill(pid, 0). */
async function isZombie(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return / Z /.test(stat.slice(stat.lastIndexOf(')')));
}

function describe(rekey: Rekey): string {
  const name = (tag: string | undefined) => (tag === undefined ? 'no key' : `key ${tag}`);
  return `${name(rekey.to.keyTag)} (was ${name(rekey.from.keyTag)})`;
}

function ringSummary(result: Awaited<ReturnType<typeof resealRing>>): string {
  const snapshot = result.snapshot ? ' and its snapshot' : '';
  return `${result.entries} ring log entries${snapshot}, ${result.users.length} users' records`;
}

async function rekeyEmbeddedRing(dataDir: string, rekey: Rekey): Promise<string> {
  const ringFile = join(dataDir, 'node', 'ring.json');
  const { partitionCount } = JSON.parse(await readFile(ringFile, 'utf8')) as {
    partitionCount: number;
  };
  const { node, ring } = await openEmbeddedRing(dataDir, partitionCount, true);
  let summary: string;
  try {
    summary = ringSummary(await resealRing(ring, rekey));
  } finally {
    await node.close();
  }
  await compactLevelDb(join(dataDir, 'node', 'leveldb'));
  return summary;
}

/** Compacts a whole LevelDB, so no overwritten value stays in its files. */
async function compactLevelDb(dir: string): Promise<void> {
  const db = new ClassicLevel<Buffer, Buffer>(dir, {
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
  });
  await db.open();
  try {
    await db.compactRange(Buffer.alloc(0), Buffer.alloc(1024, 0xff));
  } finally {
    await db.close();
  }
}

async function rekeyLocalLog(dir: string, rekey: Rekey): Promise<string> {
  const log = await CommandLog.open(dir);
  try {
    const changed = await log.rewrite((entry) => resealEntry(rekey, entry));
    const snapshot = await log.rewriteSnapshot((text) => resealSnapshotText(rekey, text));
    return `${changed} local log entries${snapshot ? ' and its snapshot' : ''}`;
  } finally {
    await log.close();
  }
}

async function rekeyCluster(opts: RekeyOptions): Promise<string> {
  const rekey = await rekeyOf(opts, []);
  const nVal = Number(opts.nVal);
  if (!Number.isInteger(nVal) || nVal < 1 || nVal > 5) throw new Error('--n-val is 1 to 5');
  const quorum = Math.floor(nVal / 2) + 1;
  const cookie = opts.cookie ?? (process.env.CAIRN_COOKIE || undefined);
  if (cookie === undefined) {
    throw new Error('--nodes needs the cluster cookie: give --cookie or set CAIRN_COOKIE');
  }
  const tls = await internalTlsOf(opts);
  const client = new InternalClient(tls ? { cookie, tls } : { cookie });
  const cluster = await connectClusterRing(parseAddressList(opts.nodes!), client, {
    nVal,
    r: quorum,
    w: quorum,
  });
  try {
    // Stanchion's own quorums for its log: primaries only.
    const ring: RingClient = cluster.client.withQuorum({ pr: quorum, pw: quorum });
    const result = await resealRing(ring, rekey);
    return (
      `re-sealed under ${describe(rekey)}: ${ringSummary(result)}; now run it with ` +
      "--data-dir on each stanchion's data dir (stopped), then on each node's to compact it"
    );
  } finally {
    cluster.close();
  }
}
