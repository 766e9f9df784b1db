/**
 * How a storage node that is stopping gracefully says so (ring/node/node-shutdown.ts), and
 * what its callers honour: front ends (remote-ring.ts) and peers (ring-manager.ts) count a
 * node that answers STOPPING_STATUS to /ping or /gossip, or that sent STOPPING_HEADER on its
 * last gossip, as down at once rather than after downAfterMs unheard.
 */

/** Header on a stopping node's last gossip: the receiver marks the sender down now. */
export const STOPPING_HEADER = 'x-cairn-stopping';
/** The status a stopping node answers /ping and /gossip with (Service Unavailable). */
export const STOPPING_STATUS = 503;
