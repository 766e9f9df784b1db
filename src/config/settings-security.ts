/**
 * Rows of the settings table for what keeps credentials safe: TLS on the S3 listener
 * (riak-cs.conf's ssl.certfile and ssl.keyfile) and the key file that seals users' secret
 * keys wherever they are stored.
 */
import { textType } from './core/types.js';
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
