/**
 * `npm run bench:stanchion`: user and bucket commands against a real 3-node dev cluster
 * with two stanchions (see --help). By default 100,000 commands with the default snapshot
 * settings, and at each checkpoint both logs' bytes, a standby's restart and a takeover
 * (measure.ts): the figures of BENCHMARKS.md "stanchion log compaction". With --compare,
 * commands a second of this build and another checkout's, in interleaved rounds.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { killDevClustersNow } from '../servers/dev-cluster.js';
import { startBenchCluster } from './cluster.js';
import { CYCLE_LENGTH, createLoadUsers, runLoad, type Owner } from './load.js';
import { StanchionProbe, type Figures } from './measure.js';

const USAGE = `usage: npm run bench:stanchion -- [options]
  --commands N         commands in all (default 100000)
  --checkpoints A,B,.. command counts to measure at (default 10%,25%,50%,100%)
  --workers N          concurrent senders, each one command at a time (default 25)
  --every N            stanchion.snapshot.every_entries (default: the setting's, 10000)
  --compare DIR        instead: commands/s of this build and of the checkout in DIR
                       (built), in interleaved rounds; prints medians and their ratio
  --rounds N           rounds of --compare (default 3)
  --round-commands N   commands per round and build (default 1500)`;

const ROOT = resolve(import.meta.dirname, '../../..');
const OWNERS = 20;

function positive(name: string, text: string | undefined, fallback: number): number {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a whole number`);
  return value;
}

/** Count rounded to whole cycles of every worker (runLoad's unit). */
function roundToCycles(count: number, workers: number): number {
  const unit = CYCLE_LENGTH * workers;
  return Math.max(unit, Math.round(count / unit) * unit);
}

async function load(probe: StanchionProbe, owners: Owner[], count: number, run: string) {
  const startedMs = Date.now();
  const active = async () => probe.target(await probe.activeName());
  await runLoad(active, { owners, workers: WORKERS.value, count, run });
  return Math.round((count * 1000) / (Date.now() - startedMs));
}

const WORKERS = { value: 25 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function history(values: Record<string, string | undefined>): Promise<void> {
  const total = positive('commands', values.commands, 100_000);
  const marks = values.checkpoints?.split(',').map((c) => positive('checkpoints', c, 1)) ?? [
    0.1 * total,
    0.25 * total,
    0.5 * total,
    total,
  ];
  const checkpoints = marks.map((c) => roundToCycles(c, WORKERS.value));
  const env: Record<string, string> = {};
  if (values.every)
    env.CAIRN_STANCHION_SNAPSHOT_ENTRIES = String(positive('every', values.every, 1));
  const every = values.every ? Number(values.every) : 10_000;
  const cluster = await startBenchCluster(ROOT, 3, env);
  try {
    const probe = new StanchionProbe(cluster, every);
    const owners = await createLoadUsers(probe.target(await probe.activeName()), OWNERS);
    const rows: Figures[] = [];
    let done = 0;
    for (const [i, checkpoint] of checkpoints.entries()) {
      const perSecond = await load(probe, owners, checkpoint - done, `r${i}`);
      done = checkpoint;
      rows.push({ ...(await probe.measure(done, owners[0]!)), perSecond });
      process.stdout.write(`${JSON.stringify(rows.at(-1))}\n`);
    }
    process.stdout.write(table(rows));
  } finally {
    await cluster.close();
  }
}

function table(rows: Figures[]): string {
  const head = '| commands | log data bytes (both) | LevelDB own | standby restart → caught up |';
  const head2 = ' kill → other answers | snapshot seq | log tail | commands/s |\n';
  const rule = '|--:|--:|--:|--:|--:|--:|--:|--:|\n';
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = rows.map(
    (r) =>
      `| ${n(r.commands)} | ${n(r.logBytes)} | ${n(r.levelDbOwnBytes)} | ${s(r.restartMs)} | ` +
      `${s(r.takeoverMs)} | ${n(r.snapshotSeq)} | ${n(r.logTail)} | ${r.perSecond} |`,
  );
  return `${head}${head2}${rule}${lines.join('\n')}\n`;
}

async function compare(values: Record<string, string | undefined>): Promise<void> {
  const rounds = positive('rounds', values.rounds, 3);
  const count = roundToCycles(positive('round-commands', values['round-commands'], 1500), 25);
  const builds = [ROOT, resolve(values.compare!)];
  const clusters = await Promise.all(builds.map((root) => startBenchCluster(root, 3, {})));
  try {
    const probes = clusters.map((c) => new StanchionProbe(c, 10_000));
    const owners = await Promise.all(
      probes.map(async (p) => createLoadUsers(p.target(await p.activeName()), OWNERS)),
    );
    const rates: number[][] = [[], []];
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first: the machine's load drifts within a round too.
      for (const b of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const rate = await load(probes[b]!, owners[b]!, count, `c${round}`);
        rates[b]!.push(rate);
        process.stdout.write(`round ${round} ${builds[b]}: ${rate} commands/s\n`);
      }
    }
    const [mine, other] = rates.map(median) as [number, number];
    process.stdout.write(
      `median commands/s: this build ${mine}, ${builds[1]} ${other}; ` +
        `ratio ${(mine / other).toFixed(2)}\n`,
    );
  } finally {
    await Promise.all(clusters.map((c) => c.close()));
  }
}

async function main(): Promise<void> {
  const str = { type: 'string' as const };
  const { values } = parseArgs({
    options: {
      commands: str,
      checkpoints: str,
      workers: str,
      every: str,
      compare: str,
      rounds: str,
      'round-commands': str,
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const strings = values as Record<string, string | undefined>;
  WORKERS.value = positive('workers', strings.workers, 25);
  await (strings.compare ? compare(strings) : history(strings));
}

process.on('SIGINT', () => {
  killDevClustersNow();
  process.exit(130);
});
main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  killDevClustersNow();
  process.exitCode = 1;
});
