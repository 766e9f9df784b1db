/**
 * The server process of `npm run bench:transport`: a trivial vnode handler (a get answers
 * a stored value of the requested size, a put answers ok) behind one transport's listener:
 * `legacy` (signed POST /rpc with the old encoder), `http` (the same with the new one, on
 * the fastify internal app that also serves the RPC stream's upgrade: `stream`) or `http2`
 * (the prototype), with the cookie as the second argument. Prints its port, then serves
 * until killed.
 */
import { decodeMessage, encodeMessage } from '../../ring/transport/codec.js';
import { buildInternalApp } from '../../ring/transport/internal-server.js';
import type { NodeReply, NodeRequest } from '../../ring/transport/messages.js';
import { attachRpcStream } from '../../ring/transport/rpc-stream-server.js';
import { http2RpcServer } from './http2-prototype.js';
import { legacyEncodeMessage } from './legacy-codec.js';

const VALUES = new Map<number, Buffer>();

/** The handler: the cost of a transport, not of storage. */
async function trivialHandler(request: NodeRequest): Promise<NodeReply> {
  if (request.op !== 'get') return { ok: true };
  const bytes = request.item.sk.readUInt32BE(0);
  let value = VALUES.get(bytes);
  if (!value) VALUES.set(bytes, (value = Buffer.alloc(bytes, 7)));
  return { ok: true, value };
}

async function main(kind: string, cookie: string): Promise<void> {
  if (kind === 'http2') {
    const server = http2RpcServer(cookie, trivialHandler);
    server.listen(0, '127.0.0.1', () => {
      process.stdout.write(`${(server.address() as { port: number }).port}\n`);
    });
    return;
  }
  const app = buildInternalApp(
    { cookie: cookie },
    { openPaths: [], bodyBytesMax: 96 << 20, logLevel: 'silent' },
  );
  const encode = kind === 'legacy' ? legacyEncodeMessage : encodeMessage;
  app.post('/rpc', async (request, reply) => {
    const answer = await trivialHandler(decodeMessage<NodeRequest>(request.body as Buffer));
    return reply.header('content-type', 'application/octet-stream').send(encode(answer));
  });
  attachRpcStream(app.server, {
    cookie: cookie,
    handle: trivialHandler,
    frameBytesMax: 96 << 20,
    inflightBytesMax: 32 << 20,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${(app.server.address() as { port: number }).port}\n`);
}

await main(process.argv[2] ?? 'http', process.argv[3] ?? '');
