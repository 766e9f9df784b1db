/**
 * What the server does with bytes that are not HTTP (Node's 'clientError'): usually it answers
 * 400 and drops the connection. But a request can be followed by bytes its Content-Length did
 * not cover (a client that declared fewer bytes than it sent): those fail to parse while the
 * request is still being handled, and dropping the connection then would lose the S3 answer
 * the client is owed (BadDigest for the short body). So a complete request in flight keeps
 * its answer, which closes the connection after it; everything else is answered as fastify
 * answers it by default. It never reads or keeps anything from the garbage itself.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Node's in-flight response on a server socket (set by the http server; not typed). */
type ServerSocket = Socket & { _httpMessage?: ServerResponse | null };

function statusFor(code: unknown): number {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}

/** Sockets whose answer in flight is the last one (more garbage changes nothing). */
const closingAfterAnswer = new WeakSet<Socket>();

/** fastify's `clientErrorHandler`. */
export function clientErrorHandler(error: Error & { code?: unknown }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || closingAfterAnswer.has(socket)) return;
  const inFlight = (socket as ServerSocket)._httpMessage;
  if (inFlight && !inFlight.writableFinished && inFlight.req.complete) {
    closingAfterAnswer.add(socket);
    if (!inFlight.headersSent) inFlight.setHeader('connection', 'close');
    // The parser is broken past this request: nothing more can be read from the socket.
    inFlight.once('finish', () => socket.destroySoon());
    return;
  }
  const status = statusFor(error.code);
  const text = STATUS_CODES[status] ?? 'Bad Request';
  const body = JSON.stringify({ error: text, message: 'Client Error', statusCode: status });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\nContent-Length: ${body.length}\r\n` +
        `Content-Type: application/json\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
