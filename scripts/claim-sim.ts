/**
 * The claim simulation: grow a cluster node by node (with occasional leaves) to 1,000
 * nodes at Q=1024, check every claim invariant after every step, and print the figures
 * the design promises to show: partitions moved per join against the ideal, balance, and
 * the time of each claim call. A seeded run is reproducible; every failure names its seed.
 * `node dist/scripts/claim-sim.js [--seed N] [--nodes N] [--partitions Q]` prints the
 * summary; test/sim/claim-sim.test.ts runs the same code with the same checks.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { claim } from '../ring/core/claim.js';
import { checkClaim } from '../ring/core/claim-invariants.js';
import { planTransfers } from '../ring/core/transfer-plan.js';

/** What to simulate. */
export interface ClaimSimOptions {
  readonly seed: number;
  /** Stop when the cluster first has this many members. */
  readonly nodesMax: number;
  readonly partitionCount: number;
  /** Chance that a step is a leave rather than a join (only with more than 2 members). */
  readonly leaveChance: number;
}

/** One step of the simulation. */
export interface ClaimSimStep {
  readonly kind: 'join' | 'leave';
  /** Members after the step. */
  readonly members: number;
  /** Partitions that changed owner. */
  readonly moved: number;
  /** The least any claim could move: ⌊Q/n⌋ for a join, the leaver's share for a leave. */
  readonly ideal: number;
  readonly claimMs: number;
}

/** Balance when the cluster first reached a milestone size. */
export interface ClaimSimMilestone {
  readonly members: number;
  readonly ownedMin: number;
  readonly ownedMax: number;
}

/** Everything a run measured. */
export interface ClaimSimResult {
  readonly options: ClaimSimOptions;
  readonly steps: ClaimSimStep[];
  readonly milestones: ClaimSimMilestone[];
}

/** Members at which balance is reported and the join figures are banded. */
export const CLAIM_SIM_MILESTONES = [10, 100, 500, 1000];

/** A small seeded generator (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs the simulation, checking `checkClaim` and the transfer plan after every step;
 * throws with the seed and step on the first broken invariant.
 */
export function runClaimSim(options: ClaimSimOptions): ClaimSimResult {
  const random = seededRandom(options.seed);
  const cluster: SimCluster = {
    members: ['node-0'],
    owners: Array.from({ length: options.partitionCount }, () => 'node-0'),
    nextId: 1,
  };
  const steps: ClaimSimStep[] = [];
  const milestones: ClaimSimMilestone[] = [];
  while (cluster.members.length < options.nodesMax) {
    steps.push(claimSimStep(cluster, random, options, steps.length + 1));
    const size = cluster.members.length;
    if (CLAIM_SIM_MILESTONES.includes(size) && !milestones.some((m) => m.members === size)) {
      milestones.push({ members: size, ...ownedRange(cluster.owners, cluster.members) });
    }
  }
  return { options, steps, milestones };
}

/** The simulated cluster, changed in place by each step. */
interface SimCluster {
  members: string[];
  owners: string[];
  nextId: number;
}

/** One join or leave: claims, checks, and measures. */
function claimSimStep(
  cluster: SimCluster,
  random: () => number,
  options: ClaimSimOptions,
  stepNumber: number,
): ClaimSimStep {
  const { members, owners } = cluster;
  const leave = members.length > 2 && random() < options.leaveChance;
  const leaver = leave ? members[Math.floor(random() * members.length)]! : '';
  const next = leave
    ? members.filter((id) => id !== leaver)
    : [...members, `node-${cluster.nextId++}`];
  const started = performance.now();
  const claimed = claim(owners, next);
  const claimMs = performance.now() - started;
  const kind = leave ? 'leave' : 'join';
  const where = `seed ${options.seed}, step ${stepNumber} (${kind} to ${next.length})`;
  const broken = checkClaim(claimed, next);
  if (broken.length > 0) throw new Error(`claim sim ${where}: ${broken.join('; ')}`);
  const moved = planTransfers(owners, claimed).length;
  const ideal = leave
    ? owners.filter((id) => id === leaver).length
    : Math.floor(options.partitionCount / next.length);
  if (moved < ideal) throw new Error(`claim sim ${where}: moved ${moved} < ${ideal}`);
  [cluster.owners, cluster.members] = [claimed, next];
  return { kind, members: next.length, moved, ideal, claimMs };
}

function ownedRange(owners: readonly string[], members: readonly string[]) {
  const counts = new Map<string, number>(members.map((id) => [id, 0]));
  for (const id of owners) counts.set(id, counts.get(id)! + 1);
  return { ownedMin: Math.min(...counts.values()), ownedMax: Math.max(...counts.values()) };
}

function quantile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/** The figures of a run as a compact text table. */
export function formatClaimSim(result: ClaimSimResult): string {
  const { options, steps, milestones } = result;
  const q = options.partitionCount;
  const joins = steps.filter((s) => s.kind === 'join');
  const leaves = steps.filter((s) => s.kind === 'leave');
  const lines = [
    `claim simulation: Q=${q}, seed=${options.seed}, ${options.nodesMax} nodes after ` +
      `${steps.length} steps (${joins.length} joins, ${leaves.length} leaves); ` +
      `invariants held after every step`,
    'step        members   count  moved min/med/max  ideal min/max  excess max  ratio med/max',
  ];
  let from = 2;
  for (const upTo of CLAIM_SIM_MILESTONES.filter((m) => m <= options.nodesMax)) {
    for (const [kind, all] of [
      ['joins', joins],
      ['leaves', leaves],
    ] as const) {
      const band = all.filter((s) => s.members >= from && s.members <= upTo);
      if (band.length > 0) lines.push(formatBand(`${kind} to`, `${from}..${upTo}`, band));
    }
    from = upTo + 1;
  }
  for (const m of milestones) {
    lines.push(
      `balance at ${m.members} nodes: each owns ${m.ownedMin}..${m.ownedMax} ` +
        `(⌊Q/n⌋=${Math.floor(q / m.members)}, ⌈Q/n⌉=${Math.ceil(q / m.members)})`,
    );
  }
  const times = steps.map((s) => s.claimMs).sort((a, b) => a - b);
  const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;
  lines.push(
    `claim call: median ${ms(quantile(times, 0.5))}, p99 ${ms(quantile(times, 0.99))}, ` +
      `max ${ms(times[times.length - 1] ?? 0)}`,
  );
  return lines.join('\n');
}

function formatBand(kind: string, range: string, band: readonly ClaimSimStep[]): string {
  const moved = band.map((s) => s.moved).sort((a, b) => a - b);
  const ideal = band.map((s) => s.ideal);
  const ratios = band.map((s) => s.moved / Math.max(1, s.ideal)).sort((a, b) => a - b);
  const excess = Math.max(...band.map((s) => s.moved - s.ideal));
  const cells = [
    kind.padEnd(10),
    range.padStart(9),
    String(band.length).padStart(7),
    `${moved[0]}/${quantile(moved, 0.5)}/${moved[moved.length - 1]}`.padStart(19),
    `${Math.min(...ideal)}/${Math.max(...ideal)}`.padStart(15),
    String(excess).padStart(11),
    `${quantile(ratios, 0.5).toFixed(2)}/${ratios[ratios.length - 1]!.toFixed(2)}`.padStart(15),
  ];
  return cells.join(' ');
}

function argValue(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const seed = argValue('seed') ?? Math.floor(Math.random() * 2 ** 31);
  console.log(`claim sim seed ${seed}`);
  const result = runClaimSim({
    seed,
    nodesMax: argValue('nodes') ?? 1000,
    partitionCount: argValue('partitions') ?? 1024,
    leaveChance: 0.1,
  });
  console.log(formatClaimSim(result));
}
