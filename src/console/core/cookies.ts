/**
 * The session cookie: read from a client's Cookie header (hostile text, bounded) and
 * written with the attributes that keep it to this console: HttpOnly (no script reads it),
 * SameSite=Strict (no other site's page sends it), Path=/console, Secure over TLS. Pure.
 */

/** The cookie's name. */
export const SESSION_COOKIE = 'cairn_console';

const COOKIE_HEADER_CHARS_MAX = 8192;

/** The session id in a Cookie header, if it holds one of a sane shape. */
export function sessionIdOf(header: string | string[] | undefined): string | undefined {
  const text = (Array.isArray(header) ? header.join('; ') : (header ?? '')).slice(
    0,
    COOKIE_HEADER_CHARS_MAX,
  );
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (/^[A-Za-z0-9_-]{16,128}$/.test(value)) return value;
  }
  return undefined;
}

/** The Set-Cookie value that opens a session of `maxAgeSec` seconds. */
export function sessionCookie(id: string, maxAgeSec: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${id}`,
    'Path=/console',
    `Max-Age=${maxAgeSec}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** The Set-Cookie value that ends the session in the browser. */
export function clearedCookie(secure: boolean): string {
  const attributes = [`${SESSION_COOKIE}=`, 'Path=/console', 'Max-Age=0', 'HttpOnly'];
  return [...attributes, 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}
