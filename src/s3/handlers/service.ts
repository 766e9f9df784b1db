/**
 * ListBuckets: the caller's own buckets in name order (never those merely shared with it;
 * anonymous callers are refused), read from the ring (never through stanchion, so it works
 * while stanchion is away).
 */
import { listUserBuckets } from '../../../stanchion/reader.js';
import type { S3Context } from '../context.js';
import { renderXml } from '../xml.js';
import { signedUser } from './access.js';
import { sendXml } from './responses.js';

/** GET / */
export async function listBuckets(ctx: S3Context): Promise<void> {
  const user = signedUser(ctx);
  const buckets = await listUserBuckets(ctx.deps.ring, user.id);
  const xml = renderXml('ListAllMyBucketsResult', {
    Owner: { ID: user.id, DisplayName: user.displayName },
    Buckets: {
      Bucket: buckets.map((b) => ({
        Name: b.name,
        CreationDate: new Date(b.createdAtMs).toISOString(),
      })),
    },
  });
  sendXml(ctx, 200, xml);
}
