/**
 * What a process needs to speak to the others of its cluster: the cluster cookie (requests
 * are signed with a key derived from it, ring/core/internal-auth.ts) and, optionally, the
 * certificate, key and CA of mutual TLS. With TLS, every internal listener serves HTTPS and
 * requires a client certificate signed by the CA, and every internal client presents its own
 * and checks the server's against the same CA (and its name against the address dialled).
 */
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import { COOKIE_CHARS_MIN } from '../core/internal-auth.js';

/** PEM text of this process's certificate and key, and of the cluster's CA. */
export interface InternalTls {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
}

/** The cookie and, when set, the TLS material of one process. */
export interface InternalSecurity {
  cookie: string;
  tls?: InternalTls;
}

/** The three TLS files, by path. */
export interface InternalTlsFiles {
  cert: string;
  key: string;
  ca: string;
}

/** Refuses a cookie too short to keep the cluster closed; says how to make a good one. */
export function checkCookie(cookie: string): void {
  if (cookie.length < COOKIE_CHARS_MIN) {
    throw new Error(
      `the cluster cookie must be at least ${COOKIE_CHARS_MIN} characters ` +
        '(make one with: openssl rand -hex 32)',
    );
  }
}

/** Reads the TLS files; an unreadable one is an error that names it. */
export async function loadInternalTls(files: InternalTlsFiles): Promise<InternalTls> {
  const read = async (what: keyof InternalTlsFiles) => {
    try {
      return await readFile(files[what]);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new Error(`cannot read the internal TLS ${what} file ${files[what]}: ${code}`);
    }
  };
  return { cert: await read('cert'), key: await read('key'), ca: await read('ca') };
}

/** Options of an internal HTTPS listener: a client certificate from the CA is required. */
export function tlsServerOptions(tls: InternalTls): ServerOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  };
}

/**
 * A fastify `serverFactory` for an internal listener: plain HTTP without TLS, HTTPS with a
 * required client certificate with it. (node's https.Server serves the same handler.)
 */
export function internalServerFactory(security: InternalSecurity) {
  const tls = security.tls;
  return (handler: Parameters<typeof createHttpServer>[1] & object): Server =>
    tls
      ? (createHttpsServer(tlsServerOptions(tls), handler) as unknown as Server)
      : createHttpServer(handler);
}
