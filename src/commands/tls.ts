/**
 * TLS for the S3 port of `cairn start` and `cairn s3`: the pair the settings name, read and
 * checked before anything starts (a bad path or a key of another certificate stops the
 * program, naming the file), and re-read on SIGHUP with the outcome on the console.
 */
import type { Server as TlsServer } from 'node:tls';
import { readTlsFiles, reloadTlsOnHangup, tlsFilesOf, type TlsFiles } from '../tls-files.js';
import type { TlsMaterial } from '../tls-files.js';
import type { Settings } from './options.js';

/** The listener's certificate and key, when ssl.certfile and ssl.keyfile are set. */
export async function tlsOf(
  s: Settings,
): Promise<{ files: TlsFiles; material: TlsMaterial } | undefined> {
  const files = tlsFilesOf(s['tlsCert'], s['tlsKey']);
  if (!files) return undefined;
  const material = await readTlsFiles(files);
  const expiresMs = Date.parse(material.validTo);
  if (expiresMs < Date.now()) {
    process.stderr.write(`cairn: notice: the TLS certificate expired on ${material.validTo}\n`);
  }
  return { files, material };
}

/** Re-reads the pair into `server` on SIGHUP; the old pair stays when the new one is bad. */
export function reloadTlsOnSignal(server: unknown, files: TlsFiles): () => void {
  return reloadTlsOnHangup(server as TlsServer, files, (outcome) => {
    if (outcome.ok) {
      const { subject, validTo } = outcome.material;
      process.stdout.write(`SIGHUP: TLS certificate reloaded (${subject}, until ${validTo})\n`);
    } else {
      process.stderr.write(
        `SIGHUP: TLS certificate not reloaded, the previous one is still served: ` +
          `${outcome.error.message}\n`,
      );
    }
  });
}
