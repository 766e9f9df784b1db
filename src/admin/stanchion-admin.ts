/**
 * Riak CS's riak-cs-admin stanchion show|switch, for the front end addressed. Admin only.
 * - GET /riak-cs/stanchion: where this front end sends user and bucket changes.
 * - PUT /riak-cs/stanchion?address=HOST:PORT: sends them to HOST:PORT first from now on,
 *   until the front end restarts (as Riak CS's switch did), once that stanchion has
 *   answered a ping. Cairn's stanchions elect their active one among themselves: a standby
 *   answers 503 and the front end moves on to the others, so switching to a standby
 *   changes nothing until it takes over — the answer says which role it has.
 */
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import { parseHostPort, ValueError } from '../config/core/values.js';

function send(ctx: RequestContext, body: unknown): void {
  void ctx.reply.code(200).header('content-type', 'application/json').send(JSON.stringify(body));
}

/** GET /riak-cs/stanchion */
export async function stanchionShowRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const addresses = ctx.deps.stanchion.addresses?.();
  send(ctx, addresses ? { addresses } : { embedded: true });
}

/** PUT /riak-cs/stanchion?address=HOST:PORT */
export async function stanchionSwitchRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const client = ctx.deps.stanchion;
  if (!client.switchTo) {
    throw new S3Error(
      'InvalidRequest',
      'This store runs its stanchion in-process (cairn start): there is none to switch to.',
    );
  }
  const address = ctx.query.get('address') ?? '';
  try {
    parseHostPort(address);
  } catch (error) {
    if (error instanceof ValueError) throw new S3Error('InvalidArgument', error.message);
    throw error;
  }
  const role = await pingStanchion(client, address);
  client.switchTo(address);
  ctx.request.log.info({ address, role }, 'stanchion switched');
  send(ctx, { address, role, addresses: client.addresses?.() ?? [address] });
}

/** Through the front end's own stanchion client, so internal TLS applies to the ping too. */
async function pingStanchion(
  client: { ping?(address: string): Promise<string> },
  address: string,
): Promise<string> {
  try {
    if (!client.ping) throw new Error('this front end cannot ping a stanchion');
    return await client.ping(address);
  } catch (error) {
    throw new S3Error(
      'InvalidArgument',
      `No stanchion answered at ${address} (${(error as Error).message}); nothing was changed.`,
    );
  }
}
