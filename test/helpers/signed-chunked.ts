/**
 * Builds and sends a STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload the way the Java SDK and
 * CloudStack do: headers signed with the streaming payload hash, then aws-chunked framing
 * with each chunk's signature chained from the previous one. `tamperChunk` flips a data
 * byte after signing, to prove the server checks every chunk.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import {
  chunkSignatureV4,
  deriveSigningKeyV4,
  scopeStringV4,
  STREAMING_SIGNED_PAYLOAD,
} from '../../src/auth/sigv4.js';
import { signV4 } from '../../src/auth/sigv4-client.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Sends `data` to `path` as signed aws-chunked; resolves with status and body text. */
export async function signedChunkedPut(
  server: { url: string; keyId: string; secret: string },
  path: string,
  data: Buffer,
  options: { chunkBytes: number; tamperChunk?: number },
): Promise<{ status: number; text: string }> {
  const url = new URL(path, server.url);
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += options.chunkBytes) {
    chunks.push(Buffer.from(data.subarray(at, at + options.chunkBytes)));
  }
  chunks.push(Buffer.alloc(0));
  const frameLength = (c: Buffer) => c.length.toString(16).length + 17 + 64 + 2 + c.length + 2;
  const encodedLength = chunks.reduce((sum, c) => sum + frameLength(c), 0);
  const headers: Record<string, string> = {
    host: url.host,
    'content-encoding': 'aws-chunked',
    'content-length': String(encodedLength),
    'x-amz-decoded-content-length': String(data.length),
  };
  const nowMs = Date.now();
  const signed = signV4(
    { method: 'PUT', url: path, headers, payloadSha256Hex: STREAMING_SIGNED_PAYLOAD },
    { accessKeyId: server.keyId, secretAccessKey: server.secret },
    'us-east-1',
    nowMs,
  );
  const amzDate = signed['x-amz-date']!;
  const scope = { date: amzDate.slice(0, 8), region: 'us-east-1', service: 's3' };
  const signingKey = deriveSigningKeyV4(server.secret, scope);
  let previous = /Signature=([0-9a-f]{64})/.exec(signed['authorization']!)![1]!;
  const frames = chunks.map((chunk, i) => {
    previous = chunkSignatureV4(signingKey, amzDate, scopeStringV4(scope), previous, sha256(chunk));
    if (i === options.tamperChunk && chunk.length > 0) chunk[0] = chunk[0]! ^ 0xff;
    const head = Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`);
    return Buffer.concat([head, chunk, Buffer.from('\r\n')]);
  });
  const body = Buffer.concat(frames);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { ...headers, ...signed } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
