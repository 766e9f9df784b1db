/**
 * `Expect: 100-continue`, answered when the body is wanted and not before. Node answers
 * `100 Continue` at once unless the server has a 'checkContinue' listener, so a client would
 * be invited to send its whole body (5 MiB parts from CloudStack, up to 5 GB from XenServer)
 * only to be refused afterwards. Here the request goes to the handler straight away and the
 * 100 is written the first time anything reads the body: a request refused before that (a bad
 * signature, AccessDenied, NoSuchBucket, …) gets its final answer instead, with
 * `Connection: close`, since the client may or may not send the body it announced. Any other
 * expectation is ignored, as S3 ignores it (Node would answer 417 Expectation Failed).
 * It must never answer a request itself: every answer is the handler's.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Requests whose body was announced with Expect: 100-continue and not yet invited. */
const awaitingContinue = new WeakSet<IncomingMessage>();

/** Installs the 'checkContinue' and 'checkExpectation' listeners on `server`. */
export function installExpectHandling(server: Server): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    deferContinue(request, response);
    server.emit('request', request, response);
  });
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    server.emit('request', request, response);
  });
}

/**
 * Whether the client was asked for its body: false only while an announced body still
 * waits for its 100 Continue (the client may never send it).
 */
export function bodyInvited(request: IncomingMessage): boolean {
  return !awaitingContinue.has(request);
}

function announcesBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  const chunked = request.headers['transfer-encoding'] !== undefined;
  return chunked || (length !== undefined && length !== '0');
}

function deferContinue(request: IncomingMessage, response: ServerResponse): void {
  if (!announcesBody(request)) {
    // Nothing to wait for; some clients (XenServer's plugin) still wait for the 100.
    response.writeContinue();
    return;
  }
  awaitingContinue.add(request);
  // A final answer sent before the 100 must close (Node then sends Connection: close): the
  // body may or may not follow, and its bytes must never be read as the next request.
  const keepAlive = response.shouldKeepAlive;
  response.shouldKeepAlive = false;
  // Readable calls _read whenever a consumer (pipe, iterator, 'data') wants bytes, and
  // Node's own discard of an unread body only after the answer: the first call before the
  // answer is the moment the body is wanted.
  const read = request._read;
  request._read = function readInvitingBody(this: IncomingMessage, size: number) {
    request._read = read;
    if (awaitingContinue.delete(request) && !response.headersSent) {
      response.shouldKeepAlive = keepAlive;
      response.writeContinue();
    }
    return read.call(this, size);
  };
}
