/**
 * A pass-through HTTP proxy in front of a store that answers any ?partNumber= request with
 * 501 NotImplemented, as a store that cannot say where a multipart object's parts began
 * (Riak CS), and gives objects whose key ends in "fake-etag" an ETag that is not the MD5
 * of their bytes (as Riak CS 1.x gave multipart objects). Everything else is forwarded
 * byte for byte, so SigV2 signatures (which do not cover the Host) stay valid.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The ETag the proxy gives objects whose key ends in "fake-etag". */
export const FAKE_ETAG = '"0123456789abcdef0123456789abcdef"';

/** A running proxy: its URL and how to stop it. */
export interface Proxy {
  url: string;
  close(): Promise<void>;
}

/** Starts a proxy to `targetUrl` on a free loopback port. */
export async function noPartNumberProxy(targetUrl: string): Promise<Proxy> {
  const target = new URL(targetUrl);
  const server = http.createServer((req, res) => {
    if (/[?&]partNumber=/.test(req.url ?? '')) {
      req.resume();
      res.writeHead(501, { 'content-type': 'application/xml' });
      return void res.end('<Error><Code>NotImplemented</Code></Error>');
    }
    const forward = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        const path = req.url?.split('?')[0] ?? '';
        if (path.endsWith('fake-etag') && answer.headers.etag) answer.headers.etag = FAKE_ETAG;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
