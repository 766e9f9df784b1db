/**
 * How cairn-admin (and `cairn ping`) reach a cluster's storage nodes and stanchions: with
 * the cluster cookie (--cookie or CAIRN_COOKIE; there is no default) to sign requests, and
 * with internal TLS when the cluster uses it (--internal-tls-cert/-key/-ca, or their
 * CAIRN_INTERNAL_TLS_* variables).
 */
import type { Command } from 'commander';
import { InternalClient } from '../../ring/transport/internal-client.js';
import { loadInternalTls, type InternalTls } from '../../ring/transport/internal-security.js';

/** The options a command needs to speak to a cluster's internal listeners. */
export interface InternalOptions {
  cookie?: string;
  internalTlsCert?: string;
  internalTlsKey?: string;
  internalTlsCa?: string;
}

/** Adds the internal TLS options to `command`. */
export function addInternalTlsOptions(command: Command): Command {
  return command
    .option('--internal-tls-cert <file>', 'certificate for internal TLS (CAIRN_INTERNAL_TLS_CERT)')
    .option('--internal-tls-key <file>', 'its private key (CAIRN_INTERNAL_TLS_KEY)')
    .option('--internal-tls-ca <file>', 'the cluster CA (CAIRN_INTERNAL_TLS_CA)');
}

/** The TLS material the options or environment name: all three files, or none. */
export async function internalTlsOf(
  opts: InternalOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<InternalTls | undefined> {
  const cert = opts.internalTlsCert ?? (env.CAIRN_INTERNAL_TLS_CERT || undefined);
  const key = opts.internalTlsKey ?? (env.CAIRN_INTERNAL_TLS_KEY || undefined);
  const ca = opts.internalTlsCa ?? (env.CAIRN_INTERNAL_TLS_CA || undefined);
  if (cert === undefined && key === undefined && ca === undefined) return undefined;
  if (cert === undefined || key === undefined || ca === undefined) {
    throw new Error(
      'internal TLS needs --internal-tls-cert, --internal-tls-key and --internal-tls-ca ' +
        '(or CAIRN_INTERNAL_TLS_CERT, _KEY and _CA) together',
    );
  }
  return loadInternalTls({ cert, key, ca });
}

/** A signing client from `program`'s options; refuses, saying how, without a cookie. */
export async function internalClientOf(
  program: Command,
  env: NodeJS.ProcessEnv = process.env,
): Promise<InternalClient> {
  const opts = program.opts<InternalOptions>();
  const cookie = opts.cookie ?? (env.CAIRN_COOKIE || undefined);
  if (cookie === undefined) {
    throw new Error(
      "this command speaks to the cluster's internal API and needs its cookie: " +
        'give --cookie or set CAIRN_COOKIE (the distributed_cookie of the cluster)',
    );
  }
  const tls = await internalTlsOf(opts, env);
  return new InternalClient(tls ? { cookie, tls } : { cookie });
}
