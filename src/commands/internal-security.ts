/**
 * The cluster cookie and internal TLS of a `cairn node|stanchion|s3`, from its settled
 * settings: the TLS files are read now, so a missing or unreadable one stops the program
 * before it listens, with its name.
 */
import { loadInternalTls, type InternalSecurity } from '../../ring/transport/internal-security.js';
import { ConfigError } from '../config/load.js';
import type { Settings } from './options.js';

const TLS_PARTS = [
  ['cert', 'internalTlsCert', '--internal-tls-cert'],
  ['key', 'internalTlsKey', '--internal-tls-key'],
  ['ca', 'internalTlsCa', '--internal-tls-ca'],
] as const;

/** The TLS file paths: all three, none (undefined), or a ConfigError naming the missing. */
export function internalTlsFilesOf(
  s: Settings,
): { cert: string; key: string; ca: string } | undefined {
  const given = TLS_PARTS.filter(([, name]) => s[name] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length < TLS_PARTS.length) {
    const missing = TLS_PARTS.filter(([, name]) => s[name] === undefined).map(([, , f]) => f);
    throw new ConfigError(
      `internal TLS needs its certificate, key and CA together: ${missing.join(' and ')} ` +
        `(or CAIRN_INTERNAL_TLS_*, internal_tls.* in --config) missing`,
    );
  }
  return {
    cert: s['internalTlsCert'] as string,
    key: s['internalTlsKey'] as string,
    ca: s['internalTlsCa'] as string,
  };
}

/** The process's cookie and, when configured, its TLS material. */
export async function internalSecurityOf(s: Settings): Promise<InternalSecurity> {
  const files = internalTlsFilesOf(s);
  const cookie = s['cookie'] as string;
  return files ? { cookie, tls: await loadInternalTls(files) } : { cookie };
}
