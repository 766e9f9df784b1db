/**
 * The URL CloudStack registers a template from: a loopback HTTP server whose files are
 * generated on the fly (a 512-byte QCOW2 header, then an AES-256-CTR keystream), so a
 * 600 MiB template is never held in memory. Any byte range can be regenerated (CTR mode
 * seeks), which is how downloads and ranges are checked without keeping a copy.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/** A generated file. */
export interface TemplateFile {
  size: number;
  contentType: string;
  /** Distinct files get distinct keystreams. */
  seed: number;
}

/** Virtual size written into the QCOW2 header: 10 GiB. */
export const QCOW2_VIRTUAL_BYTES = 10n * 1024n ** 3n;
const HEADER_BYTES = 512;
const WRITE_BYTES = 64 * 1024;
const KEY = createHash('sha256').update('cairn cloudstack template').digest();

function qcow2Header(): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write('QFI\xfb', 0, 'latin1');
  header.writeUInt32BE(3, 4); // version
  header.writeUInt32BE(16, 20); // cluster_bits
  header.writeBigUInt64BE(QCOW2_VIRTUAL_BYTES, 24);
  return header;
}

const HEADER = qcow2Header();

function keystream(seed: number, position: number, length: number): Buffer {
  const block = BigInt(Math.floor(position / 16));
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(seed >>> 0, 0);
  const counter = (iv.readBigUInt64BE(8) + block) & 0xffffffffffffffffn;
  iv.writeBigUInt64BE(counter, 8);
  const skip = position % 16;
  const cipher = createCipheriv('aes-256-ctr', KEY, iv);
  return cipher.update(Buffer.alloc(skip + length)).subarray(skip);
}

/** The bytes of `file` from `offset`, `length` of them. */
export function templateBytes(file: TemplateFile, offset: number, length: number): Buffer {
  const end = Math.min(file.size, offset + length);
  const out = Buffer.alloc(Math.max(0, end - offset));
  let at = offset;
  if (at < HEADER_BYTES && at < end) {
    const n = Math.min(HEADER_BYTES, end) - at;
    HEADER.copy(out, 0, at, at + n);
    at += n;
  }
  if (at < end) keystream(file.seed, at - HEADER_BYTES, end - at).copy(out, at - offset);
  return out;
}

/** A stream of `file` from `start` to `end` (exclusive), in 64 KiB writes. */
export function templateStream(file: TemplateFile, start = 0, end = file.size): Readable {
  let at = start;
  return new Readable({
    highWaterMark: WRITE_BYTES,
    read() {
      if (at >= end) return void this.push(null);
      const n = Math.min(WRITE_BYTES, end - at);
      this.push(templateBytes(file, at, n));
      at += n;
    },
  });
}

/** Whole-file and per-part digests, computed by streaming the file once. */
export interface TemplateDigests {
  md5Hex: string;
  sha256Hex: string;
  /** MD5 of each `partBytes` slice, in order. */
  partMd5Hex: string[];
}

/** Digests of `file` cut in `partBytes` parts. */
export async function templateDigests(
  file: TemplateFile,
  partBytes: number,
): Promise<TemplateDigests> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  const partMd5Hex: string[] = [];
  let part = createHash('md5');
  let inPart = 0;
  for await (const data of templateStream(file)) {
    const chunk = data as Buffer;
    md5.update(chunk);
    sha256.update(chunk);
    for (let at = 0; at < chunk.length;) {
      const n = Math.min(chunk.length - at, partBytes - inPart);
      part.update(chunk.subarray(at, at + n));
      at += n;
      inPart += n;
      if (inPart === partBytes) {
        partMd5Hex.push(part.digest('hex'));
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (inPart > 0) partMd5Hex.push(part.digest('hex'));
  return { md5Hex: md5.digest('hex'), sha256Hex: sha256.digest('hex'), partMd5Hex };
}

/** The running origin server. */
export interface TemplateOrigin {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves `files` by name (`/<name>`) on 127.0.0.1 with Content-Length and Content-Type. */
export async function startTemplateOrigin(
  files: ReadonlyMap<string, TemplateFile>,
): Promise<TemplateOrigin> {
  const server = createServer((request, response) => {
    const file = files.get(decodeURIComponent((request.url ?? '/').slice(1)));
    if (!file) return void response.writeHead(404).end();
    response.writeHead(200, {
      'content-length': file.size,
      'content-type': file.contentType,
    });
    if (request.method === 'HEAD') return void response.end();
    const body = templateStream(file);
    body.pipe(response);
    response.on('close', () => body.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
