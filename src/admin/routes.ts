/**
 * The admin routes added beside register.ts's own list: the rest of Riak CS's user API (PUT
 * /riak-cs/user creates, GET /riak-cs/user is the caller, HEAD everywhere GET is), the
 * ping, and the operators' endpoints behind cairn-admin's gc, lifecycle, storage, access,
 * stanchion, cluster-info and cleanup-orphan-multipart commands.
 */
import type { RequestContext } from '../http/context.js';
import {
  gcBatchRoute,
  gcCancelRoute,
  gcIntervalRoute,
  gcLeewayRoute,
  gcPauseRoute,
  gcResumeRoute,
} from './gc.js';
import { auditBucketsRoute } from './audit-buckets.js';
import { clusterInfoRoute } from './cluster-info.js';
import { lifecycleRunRoute, lifecycleStatusRoute } from './lifecycle.js';
import { cleanupOrphanMultipartRoute } from './orphan-multipart.js';
import { kmsRotateRoute } from './kms.js';
import { pingRoute } from './ping.js';
import { ringRoute } from './ring-admin.js';
import { stanchionShowRoute, stanchionSwitchRoute } from './stanchion-admin.js';
import { statsRoute } from './stats.js';
import {
  accessFlushRoute,
  storageBatchCancelRoute,
  storageBatchPauseRoute,
  storageBatchResumeRoute,
  storageBatchStartRoute,
  storageBatchStatusRoute,
} from './usage-admin.js';
import { createUserRoute, getUserRoute, listUsersRoute } from './users.js';
import {
  clearBucketQuotaRoute,
  clearUserQuotaRoute,
  getBucketQuotaRoute,
  getUserQuotaRoute,
  setBucketQuotaRoute,
  setUserQuotaRoute,
} from './quota-routes.js';

/** A route: its methods, its URL pattern, and the handler (given the :keyId, if any). */
export type AdminRoute = [
  methods: Array<'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE'>,
  url: string,
  handler: (ctx: RequestContext, keyId: string) => Promise<void>,
];

/** Every route of this list. */
export const ADMIN_ROUTES: AdminRoute[] = [
  // Quotas: the :keyId of a bucket route is the bucket's name.
  [['GET'], '/riak-cs/quota/user/:keyId', getUserQuotaRoute],
  [['PUT'], '/riak-cs/quota/user/:keyId', setUserQuotaRoute],
  [['DELETE'], '/riak-cs/quota/user/:keyId', clearUserQuotaRoute],
  [['GET'], '/riak-cs/quota/bucket/:keyId', getBucketQuotaRoute],
  [['PUT'], '/riak-cs/quota/bucket/:keyId', setBucketQuotaRoute],
  [['DELETE'], '/riak-cs/quota/bucket/:keyId', clearBucketQuotaRoute],
  [['PUT'], '/riak-cs/user', createUserRoute],
  [['GET', 'HEAD'], '/riak-cs/user', getUserRoute],
  [['HEAD'], '/riak-cs/user/:keyId', getUserRoute],
  [['HEAD'], '/riak-cs/users', listUsersRoute],
  [['GET', 'HEAD'], '/riak-cs/ping', pingRoute],
  [['POST'], '/riak-cs/gc/batch', gcBatchRoute],
  [['POST'], '/riak-cs/gc/cancel', gcCancelRoute],
  [['POST'], '/riak-cs/gc/pause', gcPauseRoute],
  [['POST'], '/riak-cs/gc/resume', gcResumeRoute],
  [['PUT'], '/riak-cs/gc/interval', gcIntervalRoute],
  [['PUT'], '/riak-cs/gc/leeway', gcLeewayRoute],
  [['GET'], '/riak-cs/lifecycle', lifecycleStatusRoute],
  [['POST'], '/riak-cs/lifecycle', lifecycleRunRoute],
  [['GET'], '/riak-cs/storage-batch', storageBatchStatusRoute],
  [['POST'], '/riak-cs/storage-batch/start', storageBatchStartRoute],
  [['POST'], '/riak-cs/storage-batch/pause', storageBatchPauseRoute],
  [['POST'], '/riak-cs/storage-batch/resume', storageBatchResumeRoute],
  [['POST'], '/riak-cs/storage-batch/cancel', storageBatchCancelRoute],
  [['POST'], '/riak-cs/access/flush', accessFlushRoute],
  [['GET'], '/riak-cs/stanchion', stanchionShowRoute],
  [['PUT'], '/riak-cs/stanchion', stanchionSwitchRoute],
  [['POST'], '/riak-cs/cleanup-orphan-multipart', cleanupOrphanMultipartRoute],
  [['GET'], '/riak-cs/cluster-info', clusterInfoRoute],
  [['GET'], '/riak-cs/stats', statsRoute],
  [['GET'], '/riak-cs/audit-bucket-ownership', auditBucketsRoute],
  [['GET'], '/riak-cs/ring', ringRoute],
  [['POST'], '/riak-cs/kms/rotate', kmsRotateRoute],
];
