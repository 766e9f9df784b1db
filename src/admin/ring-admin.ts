/**
 * GET /riak-cs/ring: the ring as this front end sees it (members, owners, pending
 * transfers) and which members it counts up, and whether this is the embedded store (its
 * stanchion in-process). Admin only. It lets `cairn-admin member-status` and `ring-status`
 * answer for the embedded store, which has no storage node listening to ask; in a cluster
 * those commands ask a node, whose view is the one that decides.
 */
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';

/** GET /riak-cs/ring */
export async function ringRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const { ring, upNodes } = ctx.deps.ring.view();
  const embedded = ctx.deps.stanchion.addresses?.() === undefined;
  const body = JSON.stringify({ embedded, ring, upNodes });
  void ctx.reply.code(200).header('content-type', 'application/json').send(body);
}
