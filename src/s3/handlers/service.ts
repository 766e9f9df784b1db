/**
 * ListBuckets: the caller's buckets in name order, read from the ring (never through
 * stanchion, so it works while stanchion is away).
 */
import { listUserBuckets } from '../../../stanchion/reader.js';
import type { S3Context } from '../context.js';
import { renderXml } from '../xml.js';
import { sendXml } from './responses.js';

/** GET / */
export async function listBuckets(ctx: S3Context): Promise<void> {
  const buckets = await listUserBuckets(ctx.deps.ring, ctx.user.id);
  const xml = renderXml('ListAllMyBucketsResult', {
    Owner: { ID: ctx.user.id, DisplayName: ctx.user.displayName },
    Buckets: {
      Bucket: buckets.map((b) => ({
        Name: b.name,
        CreationDate: new Date(b.createdAtMs).toISOString(),
      })),
    },
  });
  sendXml(ctx, 200, xml);
}
