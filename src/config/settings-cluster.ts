/**
 * Rows of the settings table for the parts of a cluster: where data lives, how programs
 * find each other (storage nodes, stanchions, the cookie), replication, storage nodes' own
 * settings, garbage collection, and the admin's keys.
 */
import { addressListType, durationType, enumType, integerType, textType } from './core/types.js';
import { COLLECTORS, onlyType, powerOfTwoType, type Program, type Setting } from './setting.js';

const CLUSTER: readonly Program[] = ['s3', 'node', 'stanchion'];
const COORDINATORS: readonly Program[] = ['s3', 'stanchion'];

/** Data, ring and durability. */
export const STORAGE_SETTINGS: Setting[] = [
  {
    name: 'dataDir',
    programs: ['start', 'node', 'stanchion'],
    type: textType(/^[^\0]+$/, 'a directory path', 4096),
    default: './data',
    help: 'data directory',
    flag: '--data-dir <dir>',
    env: 'CAIRN_DATA_DIR',
    key: 'platform_data_dir',
  },
  {
    name: 'ringSize',
    programs: ['start', 'node'],
    type: powerOfTwoType,
    default: 64,
    help: 'ring_creation_size: partitions, fixed when the cluster is created',
    flag: '--ring-size <q>',
    env: 'CAIRN_RING_SIZE',
    key: 'ring_size',
  },
  {
    name: 'durability',
    programs: ['start', 'node'],
    type: enumType(['fsync', 'none']),
    default: 'fsync',
    help: 'fsync: acknowledge writes once on disk; none: once in the page cache (riskier)',
    flag: '--durability <mode>',
    env: 'CAIRN_DURABILITY',
    key: 'durability',
  },
];

/** How the programs of a cluster reach each other. */
export const CLUSTER_SETTINGS: Setting[] = [
  {
    name: 'nodes',
    programs: COORDINATORS,
    type: addressListType,
    required: true,
    help: 'storage nodes to reach the ring through (host:port,...)',
    flag: '--nodes <host:port,...>',
    env: 'CAIRN_NODES',
    key: 'riak_host',
  },
  {
    name: 'stanchion',
    programs: ['s3'],
    type: addressListType,
    required: true,
    help: 'stanchion addresses, tried in turn (host:port,...)',
    flag: '--stanchion <host:port,...>',
    env: 'CAIRN_STANCHION',
    key: 'stanchion_host',
  },
  {
    name: 'stanchionWait',
    programs: ['s3'],
    type: durationType('ms', 0, 120_000),
    default: 10_000,
    help:
      'how long a user or bucket change waits for an active stanchion (a takeover after the ' +
      'active one died) before it answers 503 ServiceUnavailable, in ms',
    flag: '--stanchion-wait <ms>',
    env: 'CAIRN_STANCHION_WAIT_MS',
    key: 'stanchion.failover_wait',
  },
  {
    name: 'stanchionSsl',
    programs: ['s3'],
    type: onlyType(
      'off',
      "TLS between a cluster's processes, stanchion included, is turned on for all of them " +
        'at once with internal_tls.certfile, internal_tls.keyfile and internal_tls.cacertfile: ' +
        'set stanchion.ssl to off or remove the line',
    ),
    help: 'Riak CS compatibility: only off (TLS to stanchion is internal_tls.*)',
    key: 'stanchion.ssl',
    keyAliases: ['stanchion_ssl'],
  },
  {
    name: 'cookie',
    programs: CLUSTER,
    type: textType(
      /^[\x21-\x7e]{16,}$/,
      'at least 16 characters, printable, without spaces (make one with: openssl rand -hex 32)',
    ),
    required: true,
    requiredHint:
      'every process of a cluster needs the same secret cookie, and there is no default ' +
      '(make one with: openssl rand -hex 32)',
    help:
      "shared cluster secret, at least 16 characters: the cluster's processes sign their " +
      'requests to each other with it (it is never sent)',
    flag: '--cookie <secret>',
    env: 'CAIRN_COOKIE',
    key: 'distributed_cookie',
    secret: true,
  },
  ...(['node', 'stanchion'] as const).map((program): Setting => ({
    name: 'advertise',
    programs: [program],
    type: textType(/^[A-Za-z0-9.:_[\]-]+:\d{1,5}$/, 'host:port'),
    help: 'address other processes reach this one at (default host:port)',
    flag: '--advertise <host:port>',
    ...(program === 'stanchion' ? { env: 'CAIRN_STANCHION_ADVERTISE' } : {}),
    key: 'advertise',
  })),
];

function quorum(name: string, programs: readonly Program[], min: number, value: number) {
  const what: Record<string, string> = {
    nVal: 'replicas per item',
    r: 'read quorum',
    w: 'write quorum',
    pr: 'replies a read needs from primaries',
    pw: 'acks a write needs from primaries',
  };
  const flagName = name === 'nVal' ? 'n-val' : name;
  const keyName = name === 'nVal' ? 'n_val' : name;
  return {
    name,
    programs,
    type: integerType(min, 5),
    default: value,
    help: what[name]!,
    flag: `--${flagName} <n>`,
    env: `CAIRN_${keyName.toUpperCase()}`,
    key: `buckets.default.${keyName}`,
  } satisfies Setting;
}

/** Replication: riak.conf's bucket defaults. */
export const QUORUM_SETTINGS: Setting[] = [
  quorum('nVal', CLUSTER, 1, 3),
  quorum('r', COORDINATORS, 1, 2),
  quorum('w', COORDINATORS, 1, 2),
  quorum('pr', COORDINATORS, 0, 0),
  quorum('pw', COORDINATORS, 0, 0),
];

/** A storage node's own settings. */
export const NODE_SETTINGS: Setting[] = [
  {
    name: 'name',
    programs: ['node'],
    type: textType(/^[\w.-]+@[\w.-]+$/, 'a node name such as dev1@127.0.0.1'),
    default: 'cairn@127.0.0.1',
    help: 'node name, name@host',
    flag: '--name <node>',
    env: 'CAIRN_NODE_NAME',
    key: 'nodename',
  },
  {
    name: 'transferLimit',
    programs: ['node'],
    type: integerType(1, 64),
    default: 2,
    help: 'concurrent outbound handoff transfers',
    flag: '--transfer-limit <n>',
    env: 'CAIRN_TRANSFER_LIMIT',
    key: 'transfer_limit',
  },
  {
    name: 'aaeInterval',
    programs: ['node'],
    type: durationType('ms', 50, 3_600_000),
    default: 2000,
    help: 'one anti-entropy exchange per interval, in ms',
    flag: '--aae-interval <ms>',
    env: 'CAIRN_AAE_INTERVAL_MS',
    key: 'anti_entropy.exchange_interval',
  },
  {
    name: 'handoffRate',
    programs: ['node'],
    type: integerType(1, 10_000),
    default: 100,
    help: 'handoff bandwidth per transfer, MB/s',
    flag: '--handoff-rate <MBps>',
    env: 'CAIRN_HANDOFF_MBPS',
    key: 'handoff.rate_mbps',
  },
];

/** Garbage collection: Riak CS's gc.* keys. */
export const GC_SETTINGS: Setting[] = [
  {
    name: 'gcLeeway',
    programs: COLLECTORS,
    type: durationType('s', 0, 365 * 86_400),
    default: 86_400,
    help: 'how long dead blocks stay readable before GC may remove them, in seconds',
    flag: '--gc-leeway <seconds>',
    env: 'CAIRN_GC_LEEWAY_SECONDS',
    key: 'gc.leeway_period',
  },
  {
    name: 'gcInterval',
    programs: COLLECTORS,
    type: durationType('s', 1, 30 * 86_400, { infinity: true }),
    default: 60,
    help: 'how often due GC entries are collected, in seconds (infinity: never)',
    flag: '--gc-interval <seconds>',
    env: 'CAIRN_GC_INTERVAL_SECONDS',
    key: 'gc.interval',
  },
  {
    name: 'gcSweepInterval',
    programs: COLLECTORS,
    type: durationType('s', 1, 365 * 86_400, { infinity: true }),
    default: 86_400,
    help: 'how often the orphan block sweeper runs, in seconds (infinity: never)',
    flag: '--gc-sweep-interval <seconds>',
    env: 'CAIRN_GC_SWEEP_INTERVAL_SECONDS',
    key: 'gc.sweep_interval',
  },
  {
    name: 'gcBucketInterval',
    programs: COLLECTORS,
    type: durationType('s', 1, 365 * 86_400, { infinity: true }),
    default: 3600,
    help: "how often deleted buckets' records are collected, in seconds (infinity: never)",
    flag: '--gc-bucket-interval <seconds>',
    env: 'CAIRN_GC_BUCKET_INTERVAL_SECONDS',
    key: 'gc.bucket_interval',
  },
];

const keyIdType = textType(/^[A-Za-z0-9_-]{16,128}$/, '16 to 128 letters, digits, _ or -');

/** The admin's keys, as Riak CS's admin.key and admin.secret named them. */
export const ADMIN_SETTINGS: Setting[] = [
  {
    name: 'adminKey',
    programs: ['start', 'stanchion', 's3'],
    type: keyIdType,
    help: "the admin's access key id: created with it on first start, checked after",
    env: 'CAIRN_ADMIN_KEY',
    key: 'admin.key',
  },
  {
    name: 'adminSecret',
    programs: ['start', 'stanchion', 's3'],
    type: textType(/^[\x21-\x7e]{16,128}$/, '16 to 128 printable characters'),
    help: "the admin's secret key (with admin.key)",
    env: 'CAIRN_ADMIN_SECRET',
    key: 'admin.secret',
    secret: true,
  },
];

const pemFileType = textType(/^[^\0]+$/, 'a file path', 4096);

/** Mutual TLS between a cluster's processes: all three files, or none. */
export const INTERNAL_TLS_SETTINGS: Setting[] = (
  [
    ['Cert', 'certfile', "this process's certificate (PEM), signed by the cluster CA"],
    ['Key', 'keyfile', "this process's private key (PEM)"],
    ['Ca', 'cacertfile', 'the cluster CA certificate (PEM): peers must present one it signed'],
  ] as const
).map(([name, key, help]) => ({
  name: `internalTls${name}`,
  programs: CLUSTER,
  type: pemFileType,
  help: `internal mutual TLS: ${help}`,
  flag: `--internal-tls-${name.toLowerCase()} <file>`,
  env: `CAIRN_INTERNAL_TLS_${name.toUpperCase()}`,
  key: `internal_tls.${key}`,
}));
