/**
 * /console/api/cluster: the Cluster page (admin only). What `cairn-admin member-status`,
 * `ring-status`, `transfers`, `stanchion status` and `gc` show: the ring this front end
 * follows, per-node ownership, pending transfers, each node's handoffs and anti-entropy
 * (asked of the nodes, in a cluster), stanchion roles and epoch and the GC backlog (from
 * cluster-info). Membership changes are staged, planned and committed on the nodes as
 * riak-admin's `cluster` commands do; the embedded store has no node to change.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Session } from './core/sessions.js';
import {
  callFor,
  ConsoleError,
  guarded,
  jsonBody,
  s3Failure,
  textField,
  type ConsoleContext,
} from './context.js';

const NODE_ADDRESS = /^[\w.-]{1,200}:\d{1,5}$/;
const NODE_ID = /^[\w.@:-]{1,200}$/;

/** Adds the cluster routes. */
export function registerClusterRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/console/api/cluster', guarded(ctx, clusterStatus));
  app.post('/console/api/cluster/join', guarded(ctx, join));
  app.post('/console/api/cluster/leave', guarded(ctx, leave));
  app.post(
    '/console/api/cluster/plan',
    guarded(ctx, (c, s) => onClaimant(c, s, 'plan')),
  );
  app.post('/console/api/cluster/commit', guarded(ctx, commit));
  app.post(
    '/console/api/cluster/clear',
    guarded(ctx, (c, s) => onClaimant(c, s, 'clear')),
  );
}

function adminOnly(session: Session): void {
  if (!session.user.isAdmin) {
    throw new ConsoleError(403, 'Only the admin sees the cluster.', 'AccessDenied');
  }
}

function nodeAdminOf(ctx: ConsoleContext) {
  if (!ctx.nodeAdmin) {
    throw new ConsoleError(
      409,
      'The embedded store is one member: membership changes need a cluster.',
      'Embedded',
    );
  }
  return ctx.nodeAdmin;
}

async function clusterStatus(ctx: ConsoleContext, session: Session) {
  adminOnly(session);
  const view = ctx.deps.ring.view();
  const info = await callFor(ctx, session, { method: 'GET', path: '/riak-cs/cluster-info' });
  if (info.status !== 200) throw s3Failure(info);
  const { stanchion, gc } = JSON.parse(info.body) as { stanchion: unknown; gc: unknown };
  // The claimant's ring when it answers: this front end's copy follows by gossip, a moment
  // late, and would show a join or a handover that already happened as still to come.
  const claimant = view.ring.members.find((m) => m.nodeId === view.ring.claimant);
  const claimantRing = claimant ? (await nodeStatus(ctx, claimant.address)).ring : undefined;
  const ring = claimantRing && claimantRing.epoch > view.ring.epoch ? claimantRing : view.ring;
  const answers = await Promise.all(
    ring.members.map(async (m) => ({ nodeId: m.nodeId, ...(await nodeStatus(ctx, m.address)) })),
  );
  // A node that answered is up whatever this front end last heard.
  const answered = answers.filter((a) => a.status && !a.status.error).map((a) => a.nodeId);
  const upNodes = [...new Set([...view.upNodes, ...answered])];
  const nodes = answers.map(({ nodeId, status }) => ({ nodeId, status }));
  const nowMs = ctx.deps.clock();
  return { embedded: !ctx.nodeAdmin, nowMs, ring, upNodes, stanchion, gc, nodes };
}

type RingView = ReturnType<ConsoleContext['deps']['ring']['view']>['ring'];

/** A node's transfers and anti-entropy, or why it could not say (it may be down). */
async function nodeStatus(
  ctx: ConsoleContext,
  address: string,
): Promise<{ ring?: RingView; status?: Record<string, unknown> }> {
  if (!ctx.nodeAdmin || address === '') return {};
  try {
    const status = (await ctx.nodeAdmin(address, '/admin/status')) as Record<string, unknown>;
    const transfers = (await ctx.nodeAdmin(address, '/admin/transfers')) as Record<string, unknown>;
    return {
      ring: status.ring as RingView,
      status: { transfers: transfers.transfers, antiEntropy: status.antiEntropy },
    };
  } catch (error) {
    return { status: { error: (error as Error).message.slice(0, 200) } };
  }
}

/** The address of a member that will pass a call on to the claimant. */
function someMember(ctx: ConsoleContext): string {
  const { ring, upNodes } = ctx.deps.ring.view();
  const member =
    ring.members.find((m) => m.nodeId === ring.claimant && upNodes.includes(m.nodeId)) ??
    ring.members.find((m) => upNodes.includes(m.nodeId));
  if (!member) throw new ConsoleError(503, 'No member of the ring is up.', 'Unavailable');
  return member.address;
}

/** `cluster join`, asked of the new node: it joins the cluster through a member. */
async function join(ctx: ConsoleContext, session: Session, request: FastifyRequest) {
  adminOnly(session);
  const call = nodeAdminOf(ctx);
  const body = await jsonBody(request);
  const node = textField(body, 'node', NODE_ADDRESS, 'The node (HOST:PORT)');
  return nodeCall(() => call(node, '/admin/cluster/join', { target: someMember(ctx) }));
}

/** `cluster leave NODE`, staged on the claimant. */
async function leave(ctx: ConsoleContext, session: Session, request: FastifyRequest) {
  adminOnly(session);
  const call = nodeAdminOf(ctx);
  const nodeId = textField(await jsonBody(request), 'nodeId', NODE_ID, 'The member');
  const change = { kind: 'leave', nodeId };
  return nodeCall(() => call(someMember(ctx), '/admin/cluster/stage', change));
}

async function onClaimant(ctx: ConsoleContext, session: Session, step: string) {
  adminOnly(session);
  const call = nodeAdminOf(ctx);
  return nodeCall(() => call(someMember(ctx), `/admin/cluster/${step}`, {}));
}

/**
 * `cluster commit`, on the claimant; the answer adds the ring epoch the commit made, as that
 * member then reports it (null when it did not say), so the page can say it in words.
 */
async function commit(ctx: ConsoleContext, session: Session) {
  adminOnly(session);
  const call = nodeAdminOf(ctx);
  const member = someMember(ctx);
  const answer = (await nodeCall(() => call(member, '/admin/cluster/commit', {}))) as {
    committed: number;
  };
  const status = (await call(member, '/admin/status').catch(() => undefined)) as
    { ring?: { epoch?: number } } | undefined;
  return { committed: answer.committed, epoch: status?.ring?.epoch ?? null };
}

/** A node's refusal (a bad plan, an unknown node) said as it said it. */
async function nodeCall(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return await call();
  } catch (error) {
    const message = (error as Error).message.slice(0, 300);
    throw new ConsoleError(400, `The node refused: ${message}`, 'NodeRefused');
  }
}
