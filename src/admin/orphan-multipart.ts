/**
 * POST /riak-cs/cleanup-orphan-multipart[?timestamp=T], behind `cairn-admin
 * cleanup-orphan-multipart [T]` (Riak CS's command of that name): aborts the multipart
 * uploads left in deleted buckets that were initiated before T (default: now; a later T is
 * taken as now, so nothing started during the walk is touched). Admin only. The answer is
 * a text stream, a line per bucket as the walk goes, in Riak CS's words.
 */
import { Readable } from 'node:stream';
import { cleanupOrphanUploads, type OrphanEvent } from '../objects/orphan-uploads.js';
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import { parseIsoBasic } from '../usage/core/iso8601.js';

const EXTENDED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Milliseconds of an ISO 8601 time, extended (2014-07-30T11:09:30.000Z) or basic. */
export function parseCutoff(text: string): number | undefined {
  if (EXTENDED.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== text.slice(0, 19)
      ? undefined
      : ms;
  }
  return parseIsoBasic(text);
}

/** POST /riak-cs/cleanup-orphan-multipart */
export async function cleanupOrphanMultipartRoute(ctx: RequestContext): Promise<void> {
  if (!ctx.user?.isAdmin) throw new S3Error('AccessDenied');
  const nowMs = ctx.deps.clock();
  const given = ctx.query.get('timestamp');
  const asked = given === null ? nowMs : parseCutoff(given);
  if (asked === undefined) {
    throw new S3Error(
      'InvalidArgument',
      'timestamp must be ISO 8601, such as 2014-07-30T11:09:30.000Z or 20140730T110930Z.',
    );
  }
  const cutoffMs = Math.min(asked, nowMs);
  const events = cleanupOrphanUploads(ctx.deps.ring, ctx.deps.multipart, cutoffMs);
  async function* lines() {
    yield `cleaning up with timestamp ${new Date(cutoffMs).toISOString()}\n`;
    try {
      for await (const event of events) yield lineOf(event);
    } catch (error) {
      ctx.request.log.warn({ err: error }, 'cleanup-orphan-multipart failed');
      yield `Error: ${(error as Error).message}; run the command again to go on\n`;
    }
  }
  void ctx.reply.code(200).header('content-type', 'text/plain').send(Readable.from(lines()));
}

function lineOf(event: OrphanEvent): string {
  if (event.kind === 'progress') {
    return `checked ${event.partitionsDone} of ${event.partitions} partitions\n`;
  }
  if (event.kind === 'done') {
    return (
      `All old unaborted orphan multipart uploads have been deleted ` +
      `(${event.aborted} uploads in ${event.buckets} deleted buckets).\n`
    );
  }
  const name = event.name === undefined ? event.bucketId : `${event.name} (${event.bucketId})`;
  const kept = event.kept > 0 ? `, kept ${event.kept} newer than the timestamp` : '';
  return `checking bucket ${name}: aborted ${event.aborted} uploads${kept}.\n`;
}
