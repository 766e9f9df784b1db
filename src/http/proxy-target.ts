/**
 * Requests sent to Cairn as the HTTP proxy for the S3 service. Riak CS was commonly run as
 * the proxy for s3.amazonaws.com (cs_root_host): clients configured with proxy=host:port
 * send absolute-form targets (`GET http://bucket.s3.amazonaws.com/key HTTP/1.1`). Such a
 * request is served as the same request in origin form: the target's path and query, byte
 * for byte (never re-encoded or normalised, since signatures cover them), with the Host
 * header the client sent and signed (which names the same host). Rewritten before anything
 * reads the URL, so routing, signatures and handlers all see one form.
 */
import type { IncomingMessage, Server } from 'node:http';

/**
 * The origin form (`/path?query`) of an absolute-form request target, or the target itself
 * when it is not absolute (origin form, `*`, or anything unparseable, left to the router).
 */
export function originForm(target: string): string {
  const scheme = target.slice(0, 8).toLowerCase();
  const start = scheme.startsWith('http://') ? 7 : scheme.startsWith('https://') ? 8 : -1;
  if (start < 0) return target;
  let end = start;
  while (end < target.length && target[end] !== '/' && target[end] !== '?') end++;
  if (end === start) return target; // no authority: not a URL a proxy is sent
  const rest = target.slice(end);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** Rewrites absolute-form targets on every request `server` receives, before its handlers. */
export function installOriginForm(server: Server): void {
  server.prependListener('request', (request: IncomingMessage) => {
    const url = request.url;
    if (url !== undefined && url.charCodeAt(0) !== 47 /* '/' */) request.url = originForm(url);
  });
}
