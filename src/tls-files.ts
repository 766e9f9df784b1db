/**
 * The S3 listener's TLS certificate and key (riak-cs.conf's ssl.certfile and ssl.keyfile):
 * read, checked to belong together before the listener exists (so a wrong path or a key of
 * another certificate stops the program with a message naming the file), and read again on
 * SIGHUP into the running listener without closing it: connections accepted after the reload
 * get the new certificate, open ones keep theirs. A failed reload keeps the old pair.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createSecureContext, type Server as TlsServer } from 'node:tls';

/** Where the PEM certificate (chain, leaf first) and its private key are. */
export interface TlsFiles {
  certPath: string;
  keyPath: string;
}

/** The PEM bytes a listener is built from, checked to belong together. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** The leaf certificate's subject and expiry, for messages. */
  subject: string;
  validTo: string;
}

/** A certificate or key the listener cannot be built with; the message says which file. */
export class TlsFilesError extends Error {}

async function readPem(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new TlsFilesError(`cannot read the TLS ${what} ${resolve(path)}: ${why}`);
  }
}

/** Reads and checks the pair; throws TlsFilesError with the file at fault. */
export async function readTlsFiles(files: TlsFiles): Promise<TlsMaterial> {
  const cert = await readPem(files.certPath, 'certificate (--tls-cert, ssl.certfile)');
  const key = await readPem(files.keyPath, 'key (--tls-key, ssl.keyfile)');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw new TlsFilesError(`${resolve(files.certPath)} holds no PEM certificate`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TlsFilesError(
      `${resolve(files.keyPath)} holds no PEM private key (an encrypted key is not supported)`,
    );
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new TlsFilesError(
      `the key in ${resolve(files.keyPath)} does not match the certificate in ` +
        `${resolve(files.certPath)} (${leaf.subject.replaceAll('\n', ', ')})`,
    );
  }
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new TlsFilesError(`cannot use ${resolve(files.certPath)}: ${(error as Error).message}`);
  }
  return { cert, key, subject: leaf.subject.replaceAll('\n', ', '), validTo: leaf.validTo };
}

/** Both paths or neither (a flag, variable or config key each); throws when only one is set. */
export function tlsFilesOf(cert: unknown, key: unknown): TlsFiles | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (typeof cert !== 'string' || typeof key !== 'string') {
    throw new TlsFilesError(
      '--tls-cert and --tls-key (ssl.certfile and ssl.keyfile) go together: set both, or neither',
    );
  }
  return { certPath: cert, keyPath: key };
}

/**
 * Re-reads `files` into `server` on every SIGHUP. New connections get the new pair; the
 * listener and open connections are untouched. `report` hears each outcome. Returns the
 * function that stops listening for SIGHUP.
 */
export function reloadTlsOnHangup(
  server: TlsServer,
  files: TlsFiles,
  report: (outcome: { ok: true; material: TlsMaterial } | { ok: false; error: Error }) => void,
): () => void {
  const reload = () => {
    readTlsFiles(files).then(
      (material) => {
        server.setSecureContext({ cert: material.cert, key: material.key });
        report({ ok: true, material });
      },
      (error: Error) => report({ ok: false, error }),
    );
  };
  process.on('SIGHUP', reload);
  return () => process.off('SIGHUP', reload);
}
