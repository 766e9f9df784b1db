/**
 * Rows of the settings table for what keeps credentials safe: TLS on the S3 listener
 * (riak-cs.conf's ssl.certfile and ssl.keyfile) and the key file that seals users' secret
 * keys wherever they are stored.
 */
import { bytesType, flagType, textType } from './core/types.js';
import { FRONT, type Setting } from './setting.js';

const pathType = textType(/^[^\0]+$/, 'a file path', 4096);

/** HTTPS on the S3 port of `cairn start` and `cairn s3`. */
export const TLS_SETTINGS: Setting[] = [
  {
    name: 'tlsCert',
    programs: FRONT,
    type: pathType,
    help:
      'PEM certificate (chain) to serve HTTPS on the S3 port, with ssl.keyfile; re-read on ' +
      'SIGHUP',
    flag: '--tls-cert <file>',
    env: 'CAIRN_TLS_CERT',
    key: 'ssl.certfile',
  },
  {
    name: 'tlsKey',
    programs: FRONT,
    type: pathType,
    help: "PEM private key of ssl.certfile's certificate; re-read on SIGHUP",
    flag: '--tls-key <file>',
    env: 'CAIRN_TLS_KEY',
    key: 'ssl.keyfile',
  },
];

/** The key that seals users' secret keys (AES-256-GCM) in every record and log. */
export const SECRET_KEY_SETTINGS: Setting[] = [
  {
    name: 'secretKeyFile',
    programs: ['start', 's3', 'stanchion'],
    type: pathType,
    help:
      "32-byte key file (mode 0600 or 0400, outside the data dir) sealing users' secret " +
      'keys at rest; the same file on every front end and stanchion',
    flag: '--secret-key-file <file>',
    env: 'CAIRN_SECRET_KEY_FILE',
    key: 'secrets.key_file',
  },
];

/** Server-side encryption: the SSE-S3 master keys and SSE-C over plain HTTP. */
export const SSE_SETTINGS: Setting[] = [
  {
    name: 'kmsKeyFile',
    programs: FRONT,
    type: pathType,
    help:
      'master key file for SSE-S3 (mode 0600 or 0400, outside the data dir): 32 random bytes ' +
      'in hex or base64 per line, the first the current key, older ones below until ' +
      '`cairn-admin kms rotate` has re-wrapped every data key; the same file on every front ' +
      'end. Without it SSE-S3 answers NotImplemented',
    flag: '--kms-key-file <file>',
    env: 'CAIRN_KMS_KEY_FILE',
    key: 'sse.kms_key_file',
  },
  {
    name: 'allowSseCOverHttp',
    programs: FRONT,
    type: flagType,
    default: false,
    help:
      'accept SSE-C customer keys over plain HTTP (for tests only: the key crosses the ' +
      'network in the clear; AWS refuses it)',
    flag: '--allow-sse-c-over-http',
    env: 'CAIRN_ALLOW_SSE_C_OVER_HTTP',
    key: 'sse.allow_sse_c_over_http',
  },
  {
    name: 'sseChunkBytes',
    programs: FRONT,
    type: bytesType(4 * 1024, 16 * 1024 * 1024),
    default: 1024 * 1024,
    help:
      'plain bytes per sealed AES-256-GCM chunk of new encrypted objects (each object keeps ' +
      'the size it was written with): larger is faster to read whole, smaller opens less ' +
      'for a small range; a range read never fetches less than a block anyway',
    flag: '--sse-chunk-bytes <bytes>',
    env: 'CAIRN_SSE_CHUNK_BYTES',
    key: 'sse.chunk_bytes',
  },
];
