/**
 * A TCP relay in front of a cairn process that records, from the client's side of the
 * wire, every credential a request carried: Authorization header values (and the
 * signatures and credentials inside them), signature and session-token query values of
 * presigned URLs, and aws-chunked chunk signatures. Tests then look for each of them in
 * the server's log. Bytes are relayed unchanged, so signatures still verify.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** A running relay. */
export interface RecordingProxy {
  url: string;
  port: number;
  /** Every credential value seen so far (raw as sent, and URL-decoded). */
  credentials(): Set<string>;
  close(): Promise<void>;
}

/** How much of the previous chunk is kept, so a header split across chunks is still seen. */
const CARRY_CHARS = 8192;

const PATTERNS: readonly RegExp[] = [
  /^authorization:[ \t]*([^\r\n]+)/gim,
  /[?&](?:X-Amz-Signature|Signature|X-Amz-Credential|X-Amz-Security-Token)=([^&\s]+)/gi,
  /\bSignature=([0-9a-f]{64})/g,
  /\bCredential=([^,\s]+)/g,
  /\bAWS [A-Za-z0-9]+:([A-Za-z0-9+/=]{20,})/g,
  /chunk-signature=([0-9a-f]{64})/g,
  /^x-amz-security-token:[ \t]*([^\r\n]+)/gim,
];

function record(text: string, found: Set<string>): void {
  for (const pattern of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const value = match[1]!.trim();
      if (value.length < 8) continue;
      found.add(value);
      try {
        found.add(decodeURIComponent(value));
      } catch {
        // Not URL-encoded; the raw value is enough.
      }
    }
  }
}

function relay(client: Socket, targetPort: number, found: Set<string>): void {
  const upstream = connect(targetPort, '127.0.0.1');
  let carry = '';
  client.on('data', (chunk: Buffer) => {
    const text = carry + chunk.toString('latin1');
    record(text, found);
    carry = text.slice(-CARRY_CHARS);
  });
  // pipe() ends each side once the other has ended, after what it relays is flushed;
  // destroying a side on the other's 'close' (as this did) could drop the last bytes of an
  // answer still in the relay's buffer, and the client waited for them for ever.
  client.pipe(upstream);
  upstream.pipe(client);
  const abort = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', abort);
  upstream.on('error', abort);
}

/** Starts a relay on a free loopback port in front of 127.0.0.1:`targetPort`. */
export async function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  const found = new Set<string>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    relay(client, targetPort, found);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    credentials: () => found,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
