/**
 * Keys of Riak CS 2.1's riak-cs.conf and stanchion.conf (and a few of riak.conf) that have
 * no counterpart in Cairn. An operator may bring their file: such a key is read and said to
 * be ignored, with the reason — unless its value asks for something Cairn does not do (TLS,
 * another API, DTrace), which is refused, never silently dropped.
 */

/** A foreign key: exact, or a prefix ending in `.*`. */
export interface ForeignKey {
  key: string;
  why: string;
  /** Values that change nothing here; any other value is refused. Absent: any value. */
  harmless?: readonly string[];
}

const LOGS =
  'Cairn writes its log to standard output and error (pino JSON lines); files, rotation ' +
  'and syslog belong to the supervisor (systemd-journald, docker logs)';
const ERLANG = 'Cairn runs on Node.js, not on an Erlang VM';
const POOLS =
  'Cairn front ends have no Riak connection pool: they reach storage nodes over HTTP with ' +
  'keep-alive connections';
const DIRS = 'Cairn keeps everything under platform_data_dir; it has no other install directories';

/** Every foreign key Cairn recognises. */
export const FOREIGN_KEYS: readonly ForeignKey[] = [
  { key: 'pool.*', why: POOLS },
  { key: 'log.*', why: LOGS },
  { key: 'sasl', why: LOGS },
  { key: 'erlang.*', why: ERLANG },
  { key: 'platform_bin_dir', why: DIRS },
  { key: 'platform_etc_dir', why: DIRS },
  { key: 'platform_lib_dir', why: DIRS },
  { key: 'platform_log_dir', why: DIRS },
  { key: 'nodename', why: 'in Cairn only storage nodes have names (cairn node --name)' },
  { key: 'cs_version', why: 'Cairn has no per-version feature switches for rolling upgrades' },
  {
    key: 'rewrite_module',
    why: 'Cairn speaks the S3 API only (riak_cs_s3_rewrite); the OpenStack API is not served',
    harmless: ['riak_cs_s3_rewrite'],
  },
  {
    key: 'auth_module',
    why: 'Cairn authenticates with S3 signatures only (riak_cs_s3_auth); Keystone is not served',
    harmless: ['riak_cs_s3_auth'],
  },
  { key: 'dtrace', why: 'Cairn has no DTrace probes', harmless: ['off', 'false'] },
  {
    key: 'trust_x_forwarded_for',
    why: 'Cairn always takes the client address from the socket, never X-Forwarded-For',
    harmless: ['off', 'false'],
  },
  { key: 'server.name', why: 'Cairn answers with Server: Cairn' },
  {
    key: 'admin.listener',
    why:
      'Cairn serves the admin API (/riak-cs/...) on the S3 listener, signed by the admin; ' +
      'there is no separate admin listener: remove the line, and firewall as you need',
  },
  {
    key: 'ssl.*',
    why:
      'Cairn serves TLS with ssl.certfile and ssl.keyfile only (PEM files; no CA file, ' +
      'client certificates or cipher list): remove the line',
    harmless: [],
  },
  { key: 'stats.access.flush_factor', why: 'each front end archives every archive_period' },
  { key: 'stats.access.archiver.max_backlog', why: 'access archives are never skipped' },
  { key: 'access_log_flush_size', why: 'access statistics are archived by time only' },
  { key: 'riak_cs.usage_request_limit', why: 'a usage query reads at most 10,000 samples' },
  {
    key: 'stats.storage.schedule.*',
    why:
      'Cairn samples storage every stats.storage.archive_period, not at set times; ' +
      '`cairn-admin storage batch` takes a sample now',
  },
  { key: 'gc.max_workers', why: 'each storage node collects the GC shards it is primary for' },
  { key: 'gc.retry_interval', why: "Cairn's GC queue entries are durable ring records" },
  { key: 'active_delete_threshold', why: 'every dead block goes through the GC queue' },
  { key: 'storage_backend', why: 'Cairn keeps keys in LevelDB and object blocks in blob files' },
  { key: 'leveldb.*', why: 'Cairn tunes its LevelDB itself' },
  { key: 'listener.protobuf.internal', why: 'Cairn nodes have no protocol buffers interface' },
];

/** The foreign key `key` is, if any. */
export function foreignKey(key: string): ForeignKey | undefined {
  return FOREIGN_KEYS.find((f) =>
    f.key.endsWith('.*') ? key.startsWith(f.key.slice(0, -1)) : f.key === key,
  );
}
