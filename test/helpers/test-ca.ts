/**
 * Certificate authorities for the internal-TLS tests, made with Debian's openssl in a
 * temporary directory: a CA (P-256, two days) and certificates it signs for 127.0.0.1 and
 * localhost, usable as server and as client certificates.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files of one certificate and its key, and of the CA that signed it. */
export interface TestCert {
  cert: string;
  key: string;
  ca: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, timeout: 30_000 });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** Makes CA `name` in `dir` and one certificate it signs; resolves with the file paths. */
export async function makeTestCa(dir: string, name: string): Promise<TestCert> {
  const ca = join(dir, `${name}-ca.pem`);
  const caKey = join(dir, `${name}-ca.key`);
  await openssl(
    dir,
    ['req', '-x509', ...EC, '-keyout', caKey, '-out', ca, '-days', '2'].concat([
      '-subj',
      `/CN=${name} test CA`,
    ]),
  );
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  await openssl(dir, ['req', ...EC, '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  const ext = join(dir, `${name}.ext`);
  await writeFile(
    ext,
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' +
      'keyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return { cert, key, ca };
}

/** The PEM text of a TestCert, as node's tls options take it. */
export async function readTestCert(files: TestCert) {
  return {
    cert: await readFile(files.cert),
    key: await readFile(files.key),
    ca: await readFile(files.ca),
  };
}
