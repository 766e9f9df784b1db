/**
 * The soak run's command line: `--minutes N [--nodes 5] [--restart-every-minutes M]
 * [--out DIR] [--concurrency C] [--sample-seconds S]`. Pure: parses strings, checks ranges.
 */
import { parseArgs } from 'node:util';

/** What one soak run does. */
export interface SoakOptions {
  minutes: number;
  nodes: number;
  /** 0 turns restarts off. */
  restartEveryMinutes: number;
  /** Where the JSON and CSV files go. */
  out: string;
  concurrency: number;
  sampleSeconds: number;
  /** Distinct keys each worker cycles through (bounds the live data set). */
  keysPerWorker: number;
  /** The nodes' gc.leeway_period: how soon overwritten and deleted data may be collected. */
  gcLeewaySeconds: number;
}

/** The usage text `--help` prints. */
export const SOAK_USAGE = `usage: npm run soak -- --minutes N [options]
  --minutes N                 how long the workload runs (fractions allowed)
  --nodes N                   storage nodes (default 5)
  --restart-every-minutes M   SIGTERM and restart one node every M minutes, round robin
                              (default 3; 0: no restarts)
  --out DIR                   where soak.json, processes.csv and latency.csv go
                              (default soak-results/<UTC time>)
  --concurrency C             workload requests in flight (default 4)
  --sample-seconds S          sampling period (default 10)
  --keys-per-worker K         keys each worker cycles through (default 40)
  --gc-leeway-seconds S       the nodes' gc.leeway_period (default 60, so a run of minutes
                              sees overwritten and deleted data collected; Cairn's own
                              default, 86400, keeps it a day and the data dirs grow)`;

function positive(name: string, text: string | undefined, fallback: number, zeroOk = false) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroOk) || text.trim() === '') {
    throw new Error(`--${name} must be a ${zeroOk ? 'non-negative' : 'positive'} number`);
  }
  return value;
}

function whole(name: string, text: string | undefined, fallback: number, max: number) {
  const value = positive(name, text, fallback);
  if (!Number.isInteger(value) || value > max) {
    throw new Error(`--${name} must be a whole number from 1 to ${max}`);
  }
  return value;
}

/** Parses `argv` (without node and the script); throws with a message on bad input. */
export function parseSoakOptions(argv: readonly string[], now: Date): SoakOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      minutes: { type: 'string' },
      nodes: { type: 'string' },
      'restart-every-minutes': { type: 'string' },
      out: { type: 'string' },
      concurrency: { type: 'string' },
      'sample-seconds': { type: 'string' },
      'keys-per-worker': { type: 'string' },
      'gc-leeway-seconds': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (values.minutes === undefined) throw new Error('--minutes is required');
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return {
    minutes: positive('minutes', values.minutes, 0),
    nodes: whole('nodes', values.nodes, 5, 9),
    restartEveryMinutes: positive(
      'restart-every-minutes',
      values['restart-every-minutes'],
      3,
      true,
    ),
    out: values.out ?? `soak-results/${stamp}`,
    concurrency: whole('concurrency', values.concurrency, 4, 64),
    sampleSeconds: positive('sample-seconds', values['sample-seconds'], 10),
    keysPerWorker: whole('keys-per-worker', values['keys-per-worker'], 40, 10_000),
    gcLeewaySeconds: positive('gc-leeway-seconds', values['gc-leeway-seconds'], 60, true),
  };
}
