/**
 * ListBuckets: the caller's own buckets in name order (never those merely shared with it;
 * anonymous callers are refused), read from the ring (never through stanchion, so it works
 * while stanchion is away). Without max-buckets, continuation-token, prefix or
 * bucket-region it lists every bucket, as S3 always did; with any of them it pages
 * (10,000 a page unless max-buckets says less), as S3 does since 2024.
 */
import { scanUserBuckets } from '../../../stanchion/reader.js';
import type { BucketRecord } from '../../../stanchion/core/records.js';
import type { S3Context } from '../../http/context.js';
import { S3Error } from '../../http/errors.js';
import { renderXml } from '../../http/xml.js';
import { signedUser } from './access.js';
import { sendXml } from './responses.js';

/** S3's page size when a paging parameter is given without max-buckets. */
export const MAX_BUCKETS_DEFAULT = 10_000;

const SCAN_BATCH = 1000;

/** The paging parameters of a ListBuckets request. */
export interface ListBucketsParams {
  maxBuckets: number;
  /** List names after this one (from continuation-token). */
  after?: string;
  prefix?: string;
  bucketRegion?: string;
  /** Whether any paging parameter was given; without one every bucket is listed. */
  paged: boolean;
}

/** Parses max-buckets, continuation-token, prefix and bucket-region; InvalidArgument if bad. */
export function listBucketsParams(q: URLSearchParams): ListBucketsParams {
  const rawMax = q.get('max-buckets');
  const token = q.get('continuation-token');
  const prefix = q.get('prefix') ?? undefined;
  const bucketRegion = q.get('bucket-region') ?? undefined;
  const paged = rawMax !== null || token !== null || prefix !== undefined || !!bucketRegion;
  let maxBuckets = MAX_BUCKETS_DEFAULT;
  if (rawMax !== null) {
    maxBuckets = /^\d{1,5}$/.test(rawMax) ? Number(rawMax) : 0;
    if (maxBuckets < 1 || maxBuckets > MAX_BUCKETS_DEFAULT) {
      throw new S3Error('InvalidArgument', 'max-buckets must be an integer from 1 to 10000.', {
        fields: { ArgumentName: 'max-buckets', ArgumentValue: rawMax },
      });
    }
  }
  const after = token ? decodeBucketToken(token) : undefined;
  return {
    maxBuckets,
    paged,
    ...(after !== undefined ? { after } : {}),
    ...(prefix ? { prefix } : {}),
    ...(bucketRegion ? { bucketRegion } : {}),
  };
}

/** The continuation token that resumes a listing after bucket `name`. */
export function bucketToken(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}

function decodeBucketToken(token: string): string {
  const name = Buffer.from(token, 'base64url').toString('utf8');
  if (name === '' || bucketToken(name) !== token) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', {
      fields: { ArgumentName: 'continuation-token', ArgumentValue: token },
    });
  }
  return name;
}

/** GET / */
export async function listBuckets(ctx: S3Context): Promise<void> {
  const user = signedUser(ctx);
  const params = listBucketsParams(ctx.query);
  const region = ctx.deps.config.region;
  // Every bucket lives in this endpoint's region: another region has none of them.
  const inRegion = params.bucketRegion === undefined || params.bucketRegion === region;
  const limit = params.paged ? params.maxBuckets : Number.MAX_SAFE_INTEGER;
  const page = inRegion
    ? await bucketPage(ctx, user.id, params, limit)
    : { buckets: [], more: false };
  const body: Record<string, unknown> = {
    Owner: { ID: user.id, DisplayName: user.displayName },
    Buckets: {
      Bucket: page.buckets.map((b) => ({
        Name: b.name,
        CreationDate: new Date(b.createdAtMs).toISOString(),
        BucketRegion: region,
      })),
    },
  };
  const last = page.buckets.at(-1);
  if (page.more && last) body['ContinuationToken'] = bucketToken(last.name);
  if (params.prefix !== undefined) body['Prefix'] = params.prefix;
  sendXml(ctx, 200, renderXml('ListAllMyBucketsResult', body));
}

/** Up to `limit` live buckets after the cursor, and whether more follow. */
async function bucketPage(
  ctx: S3Context,
  ownerId: string,
  params: ListBucketsParams,
  limit: number,
): Promise<{ buckets: BucketRecord[]; more: boolean }> {
  const buckets: BucketRecord[] = [];
  let after = params.after;
  for (;;) {
    const batch = await scanUserBuckets(ctx.deps.ring, ownerId, {
      ...(after !== undefined ? { after } : {}),
      ...(params.prefix !== undefined ? { prefix: params.prefix } : {}),
      limit: SCAN_BATCH,
    });
    for (const bucket of batch) {
      if (bucket.deleted) continue;
      if (buckets.length === limit) return { buckets, more: true };
      buckets.push(bucket);
    }
    if (batch.length < SCAN_BATCH) return { buckets, more: false };
    after = batch.at(-1)!.name;
  }
}
