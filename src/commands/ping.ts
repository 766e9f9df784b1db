/**
 * `cairn ping`, `cairn version` and `cairn chkconfig`: riak-cs's and stanchion's own
 * commands. ping prints `pong` (exit 0) when the S3 front end (--url), a storage node
 * (--node) or a stanchion (--stanchion) answers its ping within 5 s, and `Node is not
 * running!` (exit 1) otherwise, with the reason on stderr. A node's or stanchion's ping needs
 * no cookie, but with internal TLS it needs the certificate options.
 */
import type { Command } from 'commander';
import { get } from 'node:https';
import type { InternalTls } from '../../ring/transport/internal-security.js';
import {
  addInternalTlsOptions,
  internalTlsOf,
  type InternalOptions,
} from '../cli/internal-client-of.js';
import { cairnVersion } from '../version.js';
import { parseHostPort } from '../config/core/values.js';

const PING_TIMEOUT_MS = 5000;

/** What `cairn ping` asks, and how it knows the answer is a pong. */
function pingTarget(opts: { url?: string; node?: string; stanchion?: string }): string {
  const given = [opts.url, opts.node, opts.stanchion].filter((o) => o !== undefined);
  if (given.length > 1) throw new Error('give one of --url, --node and --stanchion');
  const address = opts.node ?? opts.stanchion;
  if (address !== undefined) {
    parseHostPort(address);
    return `http://${address}/ping`;
  }
  const url = new URL(opts.url ?? process.env.CAIRN_URL ?? 'http://127.0.0.1:8080');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`not an http(s) URL: ${url.href}`);
  }
  return new URL('/riak-cs/ping', url).href;
}

async function ping(target: string, tls?: InternalTls): Promise<string | undefined> {
  if (tls && target.startsWith('http://') && !target.endsWith('/riak-cs/ping')) {
    return pingTls(target.replace('http://', 'https://'), tls);
  }
  try {
    const response = await fetch(target, { signal: AbortSignal.timeout(PING_TIMEOUT_MS) });
    await response.arrayBuffer();
    return response.status === 200 ? undefined : `GET ${target} answered HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `GET ${target}: ${cause?.code ?? cause?.message ?? (error as Error).message}`;
  }
}

/** GET over internal TLS, with this process's certificate. */
function pingTls(target: string, tls: InternalTls): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = get(target, { ...tls, timeout: PING_TIMEOUT_MS }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve(response.statusCode === 200 ? undefined : `GET ${target}: ${response.statusCode}`),
      );
    });
    request.on('timeout', () => request.destroy(new Error(`timeout ${PING_TIMEOUT_MS} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve(`GET ${target}: ${error.code ?? error.message}`),
    );
  });
}

/** Registers `ping` and `version`. */
export function registerPing(program: Command): void {
  const command = program
    .command('ping')
    .description('check that a Cairn program answers: prints pong, or exits 1')
    .option('--url <url>', 'an S3 front end (CAIRN_URL; default http://127.0.0.1:8080)')
    .option('--node <host:port>', 'a storage node')
    .option('--stanchion <host:port>', 'a stanchion');
  addInternalTlsOptions(command).action(
    async (opts: { url?: string; node?: string; stanchion?: string } & InternalOptions) => {
      const failure = await ping(pingTarget(opts), await internalTlsOf(opts));
      if (failure === undefined) return void process.stdout.write('pong\n');
      process.stdout.write('Node is not running!\n');
      process.stderr.write(`cairn: ${failure}\n`);
      process.exitCode = 1;
    },
  );
  program
    .command('version')
    .description('print the Cairn version')
    .action(() => void process.stdout.write(`${cairnVersion()}\n`));
}
