/**
 * `Expect: 100-continue` with authentication first. Node answers `100 Continue` by itself
 * unless the server has a 'checkContinue' listener, so without this a client with a bad
 * signature would be invited to send its whole body (5 MiB parts from CloudStack, up to
 * 5 GB from XenServer) only to be refused afterwards. Here the headers are authenticated
 * before the 100: a refusal is the final answer and the connection is closed, since the
 * client may or may not send the body it announced. It must never refuse what the handler
 * would accept: only an authentication refusal and a refusal by the table of unsupported
 * headers (which the handler's request meets first too) are final here; the rest is left
 * to the handler.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { S3Deps } from './context.js';
import { S3Error } from './errors.js';
import { identifyRaw } from './identify.js';
import { decodePath, parseOperation } from './operation.js';
import { refuseUnsupportedRequest } from './unsupported-headers.js';
import { renderErrorXml } from './xml.js';

/** Installs the 'checkContinue' listener on `server`, which fastify handles 'request's on. */
export function installEarlyAuth(
  server: Server,
  deps: S3Deps,
  bucketFromHost: (host: string | undefined) => string | undefined,
): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const proceed = () => {
      response.writeContinue();
      server.emit('request', request, response);
    };
    const bucket = bucketFromHost(request.headers.host);
    identifyRaw(deps, request, bucket).then(
      () => {
        // A header the handler would refuse is refused before the body is invited too.
        const unsupported = unsupportedHeaderRefusal(request, bucket);
        if (unsupported) refuse(request, response, unsupported);
        else proceed();
      },
      (error: unknown) => {
        if (error instanceof S3Error && error.status === 403) refuse(request, response, error);
        else proceed();
      },
    );
  });
}

/** The error the table of unsupported headers answers this request with, if any. */
function unsupportedHeaderRefusal(
  request: IncomingMessage,
  bucketFromHost: string | undefined,
): S3Error | undefined {
  const rawUrl = request.url ?? '/';
  const at = rawUrl.indexOf('?');
  const query = new URLSearchParams(at < 0 ? '' : rawUrl.slice(at + 1));
  try {
    const path = decodePath(at < 0 ? rawUrl : rawUrl.slice(0, at));
    const method = request.method ?? 'GET';
    const op = parseOperation({ method, path, query, bucketFromHost });
    refuseUnsupportedRequest(op.name, request.headers, query);
  } catch (error) {
    // Only the table's refusals are final here; anything else is the handler's to answer.
    if (
      error instanceof S3Error &&
      (error.code === 'NotImplemented' || error.code === 'InvalidStorageClass')
    ) {
      return error;
    }
  }
  return undefined;
}

function refuse(request: IncomingMessage, response: ServerResponse, error: S3Error): void {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const resource = (request.url ?? '/').split('?')[0] ?? '/';
  const body = request.method === 'HEAD' ? '' : renderErrorXml(error, resource, requestId);
  response.writeHead(error.status, {
    ...error.headers,
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': requestId,
    'x-amz-id-2': requestId,
    server: 'Cairn',
    // The announced body was never invited; closing is the only clean way past it.
    connection: 'close',
  });
  response.end(body);
}
