/**
 * Creates the buckets a phase writes into. Setup is not measured, but it must succeed:
 * a phase that cannot create its bucket stops the run rather than report empty figures.
 */
import type { BenchServer } from '../servers/bench-servers.js';
import { SignedClient, describeReply } from '../load/signed-client.js';

/** Creates `bucket` on `server`; an already-owned bucket is fine. */
export async function ensureBucket(server: BenchServer, bucket: string): Promise<void> {
  const client = new SignedClient(server.target, { maxSockets: 1, timeoutMs: 30_000 });
  try {
    const reply = await client.send({ method: 'PUT', path: `/${bucket}` });
    const owned = reply.status === 409 && reply.text.includes('BucketAlreadyOwnedByYou');
    if ((reply.status < 200 || reply.status >= 300) && !owned) {
      throw new Error(`${server.label}: cannot create bucket ${bucket}: ${describeReply(reply)}`);
    }
  } finally {
    client.close();
  }
}
