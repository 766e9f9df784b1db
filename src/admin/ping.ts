/**
 * GET /riak-cs/ping: what load balancers and `cairn ping --url` ask, unsigned, as Riak CS's
 * riak_cs_wm_ping answered it: 200 `OK` once this front end can read the ring (one read
 * of a key nothing writes), 503 ServiceUnavailable when it cannot within 5 s.
 */
import { KEYSPACES } from '../../ring/keyspaces.js';
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';

const PING_TIMEOUT_MS = 5000;

/** GET and HEAD /riak-cs/ping */
export async function pingRoute(ctx: RequestContext): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('ring read timed out')), PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([ctx.deps.ring.get(KEYSPACES.users, '~ping'), late]);
  } catch (error) {
    throw new S3Error('ServiceUnavailable', 'The ring cannot be read.', { cause: error });
  } finally {
    clearTimeout(timer);
  }
  void ctx.reply.code(200).header('content-type', 'text/plain').send('OK');
}
