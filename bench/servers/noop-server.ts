/**
 * The no-op server: the ceiling every Cairn figure is measured against. It answers 200 to
 * every request after draining the body, doing only what any S3 server must: MD5 of each
 * PUT body (the ETag), and a GET body as long as the last PUT to that path. It stores
 * nothing but the sizes, checks no signature and never touches the disk.
 *
 * Run as its own process: `node dist/bench/servers/noop-server.js`; it prints
 * `noop listening on http://127.0.0.1:PORT` and exits on SIGTERM.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';

const CHUNK = randomBytes(1_000_003);
/** Paths whose size is remembered, at most (the rest are answered with empty bodies). */
const SIZES_MAX = 2_000_000;
const sizes = new Map<string, number>();

function pathOf(request: http.IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function absorb(request: http.IncomingMessage, response: http.ServerResponse): void {
  const md5 = createHash('md5');
  let bytes = 0;
  request.on('data', (chunk: Buffer) => {
    md5.update(chunk);
    bytes += chunk.length;
  });
  request.on('end', () => {
    if (request.method === 'PUT' && sizes.size < SIZES_MAX) sizes.set(pathOf(request), bytes);
    response.writeHead(200, { etag: `"${md5.digest('hex')}"`, 'content-length': '0' });
    response.end();
  });
}

async function serve(request: http.IncomingMessage, response: http.ServerResponse) {
  const size = sizes.get(pathOf(request)) ?? 0;
  response.writeHead(200, { 'content-length': String(size) });
  let sent = 0;
  while (sent < size && !response.destroyed) {
    const piece = CHUNK.subarray(0, Math.min(CHUNK.length, size - sent));
    sent += piece.length;
    if (!response.write(piece)) await drainOrClose(response);
  }
  response.end();
}

function drainOrClose(response: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

const server = http.createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  request.on('error', () => response.destroy());
  if (request.method === 'PUT' || request.method === 'POST') {
    absorb(request, response);
    return;
  }
  request.resume();
  if (request.method === 'GET') {
    serve(request, response).catch(() => response.destroy());
    return;
  }
  response.writeHead(200, { 'content-length': '0' });
  response.end();
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`noop listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
