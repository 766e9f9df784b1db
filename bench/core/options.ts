/**
 * The command line of `npm run bench`. Parsing is strict: an unknown flag is an error, not
 * silently ignored. The cluster phase (real `scripts/dev-cluster.sh` clusters) is opt-in:
 * `--cluster` or `--phases ...,cluster`. Pure: argv in, options or an error message out.
 */
import { parseArgs } from 'node:util';

/** A server given by the user instead of the one the harness starts. */
export interface ExternalEndpoint {
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Its PID, when known: enables the CPU, RSS and write-amplification figures. */
  pid?: number;
}

/** The phases of a run, in the order they run. */
export const PHASES = ['small', 'large', 'multipart', 'list', 'cluster'] as const;

/** One phase: 4 KiB objects, 64 MiB objects, multipart upload, LIST, dev clusters. */
export type Phase = (typeof PHASES)[number];

/** The phases run when `--phases` is not given (`cluster` only with `--cluster`). */
export const DEFAULT_PHASES: readonly Phase[] = ['small', 'large', 'multipart', 'list'];

/** What the user asked for. */
export interface BenchOptions {
  /** Phases to run (all by default); machine ceilings and peak RSS always run. */
  phases: ReadonlySet<Phase>;
  quick: boolean;
  jsonPath?: string;
  peer?: 's3rver';
  list1m: boolean;
  region: string;
  endpoint?: ExternalEndpoint;
  /** Directory for `node --cpu-prof` profiles of the Cairn server the harness starts. */
  cpuProfDir?: string;
  help: boolean;
}

/** Usage text of the harness. */
export const USAGE = `usage: npm run bench -- [options]
  --quick                 short run (< 3 min): 3 s per point, one round, 10k-key LIST only
  --json FILE             also write the figures as JSON
  --peer s3rver           run the same load against s3rver and print Cairn/peer ratios
  --list-1m               grow the LIST bucket to 1,000,000 keys too (slow)
  --endpoint URL          measure this S3 endpoint instead of starting Cairn
  --access-key K          its access key id (with --endpoint)
  --secret-key S          its secret key (with --endpoint)
  --server-pid PID        its PID, for CPU/RSS/disk figures (with --endpoint)
  --region R              signing region (default us-east-1)
  --cpu-prof DIR          run the started Cairn under node --cpu-prof, profiles into DIR
  --phases LIST           only these of small,large,multipart,list,cluster
                          (default: all but cluster)
  --cluster               also run the cluster phase: PUT 4 KiB c16 on 1, 3 and 5-node
                          dev clusters, and a 5th node joining a 4-node cluster with data
  --help                  this text`;

/** Parses `argv` (without node and script); throws an Error with a usage message. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      peer: { type: 'string' },
      'list-1m': { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      'access-key': { type: 'string' },
      'secret-key': { type: 'string' },
      'server-pid': { type: 'string' },
      region: { type: 'string', default: 'us-east-1' },
      'cpu-prof': { type: 'string' },
      phases: { type: 'string' },
      cluster: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) throw new Error(`unexpected argument: ${positionals[0]}`);
  if (values.peer !== undefined && values.peer !== 's3rver') {
    throw new Error(`--peer supports only s3rver, got ${values.peer}`);
  }
  const options: BenchOptions = {
    phases: parsePhases(values.phases, values.cluster),
    quick: values.quick,
    list1m: values['list-1m'],
    region: values.region,
    help: values.help,
  };
  if (values.json !== undefined) options.jsonPath = values.json;
  if (values.peer === 's3rver') options.peer = 's3rver';
  if (values['cpu-prof'] !== undefined) options.cpuProfDir = values['cpu-prof'];
  const endpoint = parseEndpoint(values);
  if (endpoint) options.endpoint = endpoint;
  if (endpoint && options.cpuProfDir) throw new Error('--cpu-prof needs the started Cairn');
  if (endpoint && options.phases.has('cluster')) {
    throw new Error('the cluster phase starts its own clusters; it cannot use --endpoint');
  }
  return options;
}

function parseEndpoint(values: {
  endpoint?: string;
  'access-key'?: string;
  'secret-key'?: string;
  'server-pid'?: string;
}): ExternalEndpoint | undefined {
  const { endpoint: url, 'access-key': key, 'secret-key': secret } = values;
  const pidText = values['server-pid'];
  if (url === undefined) {
    if (key !== undefined || secret !== undefined || pidText !== undefined) {
      throw new Error('--access-key, --secret-key and --server-pid need --endpoint');
    }
    return undefined;
  }
  if (key === undefined || secret === undefined) {
    throw new Error('--endpoint needs --access-key and --secret-key');
  }
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:') throw new Error('--endpoint must be an http:// URL');
  const endpoint: ExternalEndpoint = {
    url: parsed.origin,
    accessKeyId: key,
    secretAccessKey: secret,
  };
  if (pidText !== undefined) {
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`bad --server-pid: ${pidText}`);
    endpoint.pid = pid;
  }
  return endpoint;
}

function parsePhases(text: string | undefined, cluster: boolean): ReadonlySet<Phase> {
  const phases = new Set<Phase>(text === undefined ? DEFAULT_PHASES : []);
  for (const name of text?.split(',') ?? []) {
    const phase = PHASES.find((p) => p === name.trim());
    if (!phase) throw new Error(`unknown phase ${name}; phases are ${PHASES.join(',')}`);
    phases.add(phase);
  }
  if (cluster) phases.add('cluster');
  return phases;
}
