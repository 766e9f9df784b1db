/**
 * Rows of the settings table: where each program listens, and the S3 front end's own
 * settings (the embedded store and `cairn s3`), usage accounting included.
 */
import {
  bytesType,
  durationType,
  enumType,
  flagType,
  integerType,
  textType,
} from './core/types.js';
import { parseHostPort } from './core/values.js';
import { bucketsMaxType, FRONT, onlyType, type Program, type Setting } from './setting.js';

const hostType = textType(/^[A-Za-z0-9.:_-]+$/, 'a host name or IP address');
const hostOf = (raw: string) => parseHostPort(raw).host;
const portOf = (raw: string) => String(parseHostPort(raw).port);

function listener(
  programs: readonly Program[],
  key: string,
  port: number,
  env: string,
  portMin: number,
): Setting[] {
  return [
    {
      name: 'host',
      programs,
      type: hostType,
      default: '127.0.0.1',
      help: 'address to listen on',
      flag: '--host <host>',
      env: 'CAIRN_HOST',
      key,
      fromKey: hostOf,
    },
    {
      name: 'port',
      programs,
      type: integerType(portMin, 65535),
      default: port,
      help: portMin === 0 ? 'port to listen on (0 picks a free one)' : 'port to listen on',
      flag: '--port <port>',
      env,
      key,
      fromKey: portOf,
    },
  ];
}

/** Where each program listens: Riak CS's and stanchion's `listener`, riak.conf's for nodes. */
export const LISTENER_SETTINGS: Setting[] = [
  ...listener(FRONT, 'listener', 8080, 'CAIRN_PORT', 0),
  ...listener(['stanchion'], 'listener', 8085, 'CAIRN_STANCHION_PORT', 1),
  ...listener(['node'], 'listener.http.internal', 8087, 'CAIRN_NODE_PORT', 1),
];

const RIAK_CS_LISTING =
  'Cairn always lists a bucket by an ordered scan of its own index (what on chose); there ' +
  'is no other listing to switch to: set it to on or remove the line';

/** The S3 front end's settings. */
export const FRONT_END_SETTINGS: Setting[] = [
  {
    name: 'blockSize',
    programs: FRONT,
    type: bytesType(64 * 1024, 64 * 1024 * 1024),
    default: 1024 * 1024,
    help: 'object block size',
    flag: '--block-size <bytes>',
    env: 'CAIRN_BLOCK_SIZE',
    key: 'object.block_size',
  },
  {
    name: 'inlineMax',
    programs: FRONT,
    // Past 48 KiB the record (JSON, bytes and version vector) would outgrow what a storage
    // node keeps inside LevelDB (64 KiB) and go to a blob file: two writes again.
    type: bytesType(0, 48 * 1024),
    default: 8 * 1024,
    help:
      'largest object stored inside its manifest record (one durable write, no block); 0: ' +
      'none (every record readable by releases before inline objects)',
    flag: '--inline-max <bytes>',
    env: 'CAIRN_INLINE_MAX',
    key: 'object.inline_max',
  },
  {
    name: 'anonymousUserCreation',
    programs: FRONT,
    type: flagType,
    default: false,
    help: 'allow unsigned POST /riak-cs/user (turn it off again once users exist)',
    flag: '--anonymous-user-creation',
    env: 'CAIRN_ANONYMOUS_USER_CREATION',
    key: 'anonymous_user_creation',
  },
  {
    name: 'rootHost',
    programs: FRONT,
    type: textType(/^[A-Za-z0-9.-]+$/, 'a domain name such as s3.example.com'),
    default: 's3.amazonaws.com',
    help:
      "the S3 service's own host name, as Riak CS's cs_root_host: bucket.<domain> is a " +
      'virtual-hosted-style request, and requests sent to Cairn as the HTTP proxy for it ' +
      'are served',
    flag: '--root-host <domain>',
    env: 'CAIRN_ROOT_HOST',
    key: 'root_host',
    keyAliases: ['cs_root_host'],
  },
  {
    name: 'websiteHostBase',
    programs: FRONT,
    type: textType(/^[A-Za-z0-9.-]+$/, 'a domain name such as s3-website.example.com'),
    help:
      "the website endpoint's domain, as RGW's rgw_dns_s3website_name: a request on the S3 " +
      "port whose Host is bucket.<domain> is served as the bucket's static website " +
      '(anonymous GET and HEAD, HTML errors); unset: no website endpoint',
    flag: '--website-host-base <domain>',
    env: 'CAIRN_WEBSITE_HOST_BASE',
    key: 'website.host_base',
  },
  {
    name: 'headersTimeout',
    programs: FRONT,
    type: durationType('ms', 100, 3_600_000),
    default: 60_000,
    help: 'time a client may take to send request headers, in ms (bodies are never timed)',
    flag: '--headers-timeout <ms>',
    env: 'CAIRN_HEADERS_TIMEOUT_MS',
    key: 'http.headers_timeout',
  },
  {
    name: 'region',
    programs: FRONT,
    type: textType(/^[a-z0-9-]{1,64}$/, 'a region name such as us-east-1'),
    default: 'us-east-1',
    help: 'region reported by GetBucketLocation and expected in SigV4 scopes',
    flag: '--region <region>',
    env: 'CAIRN_REGION',
    key: 'region',
  },
  {
    name: 'metricsToken',
    programs: FRONT,
    type: textType(/^[\x21-\x7e]{1,256}$/, 'printable characters without spaces'),
    help: 'bearer token GET /metrics needs; without one, loopback clients only',
    flag: '--metrics-token <token>',
    env: 'CAIRN_METRICS_TOKEN',
    key: 'metrics.token',
    secret: true,
  },
  {
    name: 'maxBucketsPerUser',
    programs: FRONT,
    type: bucketsMaxType,
    default: 100,
    help: 'buckets one user may own',
    flag: '--max-buckets-per-user <n>',
    env: 'CAIRN_MAX_BUCKETS_PER_USER',
    key: 'max_buckets_per_user',
  },
  {
    name: 'enforceMultipartPartSize',
    programs: FRONT,
    type: flagType,
    default: true,
    help:
      "refuse to complete a multipart upload with a part but the last under S3's 5 MiB " +
      '(EntityTooSmall); off accepts parts of any size, as Riak CS does with it false',
    flag: '--enforce-multipart-part-size <on|off>',
    env: 'CAIRN_ENFORCE_MULTIPART_PART_SIZE',
    key: 'enforce_multipart_part_size',
  },
  {
    name: 'foldObjectsForListKeys',
    programs: FRONT,
    type: onlyType('on', RIAK_CS_LISTING),
    help: 'Riak CS compatibility: only on (listing is always an ordered range scan)',
    key: 'fold_objects_for_list_keys',
  },
  {
    name: 'logLevel',
    programs: ['start', 's3', 'node', 'stanchion'],
    type: enumType(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
      warning: 'warn',
    }),
    default: 'warn',
    help: 'log level (Riak CS warning is warn)',
    flag: '--log-level <level>',
    env: 'CAIRN_LOG_LEVEL',
    key: 'log.console.level',
  },
];

function usageInterval(name: string, env: string, key: string, seconds: number, help: string) {
  return {
    name,
    programs: FRONT,
    type: durationType('s', 0, 7 * 86_400),
    default: seconds,
    help: `${help} (0 turns it off)`,
    env,
    key,
  } satisfies Setting;
}

/** Usage accounting: counter flushes, the reconciler, storage and access archives. */
export const USAGE_SETTINGS: Setting[] = [
  usageInterval(
    'usageFlush',
    'CAIRN_USAGE_FLUSH_SECONDS',
    'usage.flush_interval',
    5,
    'how often storage counters are flushed to the ring',
  ),
  usageInterval(
    'usageReconcile',
    'CAIRN_USAGE_RECONCILE_SECONDS',
    'usage.reconcile_interval',
    300,
    'time between two buckets recounted by the reconciler',
  ),
  usageInterval(
    'storageArchive',
    'CAIRN_STORAGE_ARCHIVE_SECONDS',
    'stats.storage.archive_period',
    3600,
    'storage sample period (one sample per user per period)',
  ),
  usageInterval(
    'accessArchive',
    'CAIRN_ACCESS_ARCHIVE_SECONDS',
    'stats.access.archive_period',
    60,
    'access statistics archive period',
  ),
];
