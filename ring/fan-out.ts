/**
 * Sends one request to every entry of a preference list (each with its own partition,
 * flagged when it is a fallback) and settles at quorum. Failed calls and `wrong-owner`
 * refusals are counted separately, so the client can refresh a stale ring and retry.
 */
import type { PreflistEntry } from './core/preflist.js';
import { quorumStateWithPrimaries } from './core/quorum.js';
import type { NodeReply, NodeRequest } from './transport/messages.js';
import type { Transport } from './transport/transport.js';

/** Raised when too few replicas answered: the S3 layer turns it into 503. */
export class RingUnavailableError extends Error {
  readonly code = 'RING_UNAVAILABLE';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`ring unavailable: ${detail}`, options);
  }
}

/** Raised when the quorum failed because replicas refused the write for lack of disk. */
export class RingDiskFullError extends RingUnavailableError {}

/** Raised when a node said our ring is stale (it does not serve the partition). */
export class StaleRingError extends RingUnavailableError {}

/** A successful reply and the entry that gave it. */
export interface EntryReply {
  entry: PreflistEntry;
  reply: Extract<NodeReply, { ok: true }>;
}

/** What a fan-out needs. */
export interface FanOutDeps {
  transport: Transport;
  timeoutMs: number;
  onUnreachable?: (nodeId: string) => void;
}

/** `request` as sent to one entry: its partition, and the fallback flag. */
export function routedTo(entry: PreflistEntry, request: NodeRequest): NodeRequest {
  if (!('item' in request)) return request;
  return {
    ...request,
    item: { ...request.item, partition: entry.partition },
    ...(entry.fallbackFor ? { fallback: true } : {}),
  } as NodeRequest;
}

/**
 * Resolves with the successful replies once `needed` have succeeded and `enough` holds of
 * them (or every entry has answered); rejects once the quorum cannot be met.
 */
export function fanOut(
  deps: FanOutDeps,
  entries: readonly PreflistEntry[],
  request: NodeRequest,
  needed: number,
  enough: (replies: EntryReply[]) => boolean = () => true,
  primariesNeeded = 0,
): Promise<EntryReply[]> {
  const isPrimary = (entry: PreflistEntry) => entry.fallbackFor === undefined;
  const primariesAsked = entries.filter(isPrimary).length;
  return new Promise((resolve, reject) => {
    const replies: EntryReply[] = [];
    const errors: string[] = [];
    let primaryFailures = 0;
    let stale = false;
    let diskFull = false;
    let settled = false;
    const check = () => {
      if (settled) return;
      const tally = { ok: replies.length, failed: errors.length, asked: entries.length };
      const primaries = {
        ok: replies.filter((r) => isPrimary(r.entry)).length,
        failed: primaryFailures,
        asked: primariesAsked,
      };
      const state = quorumStateWithPrimaries(tally, needed, primaries, primariesNeeded);
      if (state === 'pending') return;
      const allIn = replies.length + errors.length === entries.length;
      if (state === 'met' && !enough(replies) && !allIn) return;
      settled = true;
      if (state === 'met') return resolve(replies);
      const detail = `${replies.length}/${needed} replies: ${errors.join('; ')}`;
      if (stale) reject(new StaleRingError(detail));
      else if (diskFull) reject(new RingDiskFullError(detail));
      else reject(new RingUnavailableError(detail));
    };
    for (const entry of entries) {
      const options = { timeoutMs: deps.timeoutMs };
      deps.transport.call(entry.nodeId, routedTo(entry, request), options).then(
        (reply) => {
          if (reply.ok) replies.push({ entry, reply });
          else {
            stale ||= reply.kind === 'wrong-owner';
            diskFull ||= reply.kind === 'disk-full';
            errors.push(`${entry.nodeId}: ${reply.error}`);
            if (isPrimary(entry)) primaryFailures++;
          }
          check();
        },
        (error: unknown) => {
          deps.onUnreachable?.(entry.nodeId);
          errors.push(`${entry.nodeId}: ${String(error)}`);
          if (isPrimary(entry)) primaryFailures++;
          check();
        },
      );
    }
    check();
  });
}
