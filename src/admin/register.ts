/**
 * Mounts the Riak CS admin API (users, GC, usage and storage, and routes.ts's list) on the
 * shared server. The caller's identity comes from the S3 signature checks, which live above
 * this folder: the router passes `contextOf` in, so nothing here imports src/s3/. A bucket
 * named riak-cs is shadowed by these routes, as in Riak CS.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../http/context.js';
import { gcRunRoute, gcStatusRoute } from './gc.js';
import { ADMIN_ROUTES, type AdminRoute } from './routes.js';
import { storageRoute } from './storage-route.js';
import { usageRoute } from './usage-routes.js';
import { createUserRoute, getUserRoute, listUsersRoute, updateUserRoute } from './users.js';

/** Identifies a request's caller and builds its context. */
export type ContextOf = (request: FastifyRequest, reply: FastifyReply) => Promise<RequestContext>;

/** Adds every admin route to `app`; each handler gets the request's context and :keyId. */
export function registerAdminApi(app: FastifyInstance, contextOf: ContextOf): void {
  const route = (
    method: AdminRoute[0][number] | AdminRoute[0],
    url: string,
    handler: (ctx: RequestContext, keyId: string) => Promise<void>,
  ) =>
    app.route({
      method,
      url,
      handler: async (request, reply) => {
        const ctx = await contextOf(request, reply);
        await handler(ctx, (request.params as { keyId?: string }).keyId ?? '');
        return reply;
      },
    });
  route('POST', '/riak-cs/user', createUserRoute);
  route('GET', '/riak-cs/user/:keyId', getUserRoute);
  route('PUT', '/riak-cs/user/:keyId', updateUserRoute);
  route('GET', '/riak-cs/users', listUsersRoute);
  route('GET', '/riak-cs/gc', gcStatusRoute);
  route('POST', '/riak-cs/gc', gcRunRoute);
  route('GET', '/riak-cs/usage/*', usageRoute);
  route('GET', '/riak-cs/storage', storageRoute);
  route('GET', '/riak-cs/storage/:keyId', storageRoute);
  for (const [methods, url, handler] of ADMIN_ROUTES) route(methods, url, handler);
}
