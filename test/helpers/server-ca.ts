/**
 * A throw-away certificate authority for TLS tests, made with Debian's openssl: a CA, and
 * server certificates it signs for 127.0.0.1 and localhost (subjectAltName, key ids, server
 * auth: what Python's, Node's and the aws CLI's strict verification ask for). Every file
 * lives in one temporary directory the caller removes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A CA and where its files are. */
export interface TestCa {
  dir: string;
  /** The CA certificate clients trust (PEM). */
  caPath: string;
  /** Issues a server certificate and key named `name` (`name`.pem, `name`.key). */
  issue(name: string, commonName: string): Promise<{ certPath: string; keyPath: string }>;
  /** A private key that belongs to no certificate. */
  strayKey(name: string): Promise<string>;
  cleanup(): Promise<void>;
}

async function newKey(path: string): Promise<void> {
  await run('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    path,
  ]);
}

/** What a server certificate must carry for strict verifiers (Python 3.13, OpenSSL 3). */
const SERVER_EXTENSIONS = [
  'subjectAltName=IP:127.0.0.1,DNS:localhost',
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid,issuer',
];

/** Makes a CA valid for two days in a new temporary directory. */
export async function makeTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-ca-'));
  const caKey = join(dir, 'ca.key');
  const caPath = join(dir, 'ca.pem');
  await newKey(caKey);
  const caArgs = `req -x509 -new -key ${caKey} -out ${caPath} -days 2 -subj`.split(' ');
  await run('openssl', [
    ...caArgs,
    '/CN=Cairn Test CA',
    ...['-addext', 'basicConstraints=critical,CA:TRUE'],
    ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ...['-addext', 'subjectKeyIdentifier=hash'],
  ]);
  const extensions = join(dir, 'server.ext');
  await writeFile(extensions, SERVER_EXTENSIONS.join('\n') + '\n');
  let serial = 1000;
  return {
    dir,
    caPath,
    async issue(name, commonName) {
      const keyPath = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const certPath = join(dir, `${name}.pem`);
      await newKey(keyPath);
      const request = `req -new -key ${keyPath} -out ${csr} -subj`.split(' ');
      await run('openssl', [...request, `/CN=${commonName}`]);
      serial += 1;
      const sign = `x509 -req -in ${csr} -CA ${caPath} -CAkey ${caKey} -out ${certPath}`;
      const options = `-days 2 -set_serial ${serial} -extfile ${extensions}`;
      await run('openssl', [...sign.split(' '), ...options.split(' ')]);
      return { certPath, keyPath };
    },
    async strayKey(name) {
      const path = join(dir, `${name}.key`);
      await newKey(path);
      return path;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
