/**
 * ListBuckets: the caller's own buckets in name order (never those merely shared with it;
 * anonymous callers are refused), read from the ring (never through stanchion, so it works
 * while stanchion is away), with S3's prefix, bucket-region, max-buckets and
 * continuation-token parameters acted on: newer SDKs and the aws CLI page with them.
 */
import { listUserBuckets } from '../../../stanchion/reader.js';
import type { S3Context } from '../context.js';
import { S3Error } from '../errors.js';
import { renderXml } from '../xml.js';
import { signedUser } from './access.js';
import { sendXml } from './responses.js';

/** Largest max-buckets S3 accepts. */
export const MAX_BUCKETS_LIMIT = 10_000;

/** The parameters of one ListBuckets page. */
export interface BucketPageParams {
  prefix?: string;
  /** Only buckets in this region (all of them are in the endpoint's). */
  region?: string;
  /** Bucket names after this one (a continuation token, decoded). */
  after?: string;
  maxBuckets?: number;
}

/** The ListBuckets parameters of a query; InvalidArgument for a bad max-buckets or token. */
export function bucketPageParams(query: URLSearchParams): BucketPageParams {
  const params: BucketPageParams = {};
  const prefix = query.get('prefix');
  if (prefix !== null) params.prefix = prefix;
  const region = query.get('bucket-region');
  if (region !== null) params.region = region;
  const max = query.get('max-buckets');
  if (max !== null) {
    const n = /^\d{1,5}$/.test(max) ? Number(max) : NaN;
    if (!(n >= 1 && n <= MAX_BUCKETS_LIMIT)) {
      throw new S3Error('InvalidArgument', 'Argument max-buckets must be an integer 1-10000.', {
        fields: { ArgumentName: 'max-buckets', ArgumentValue: max },
      });
    }
    params.maxBuckets = n;
  }
  const token = query.get('continuation-token');
  if (token !== null) params.after = decodeBucketToken(token);
  return params;
}

/**
 * One page of `buckets` (sorted by name) under `params` at an endpoint in
 * `endpointRegion`: the page, and the token of the next page when there is one.
 */
export function bucketPage<T extends { name: string }>(
  buckets: readonly T[],
  params: BucketPageParams,
  endpointRegion: string,
): { buckets: T[]; next?: string } {
  if (params.region !== undefined && params.region !== endpointRegion) return { buckets: [] };
  const { prefix = '', after } = params;
  const matching = buckets.filter(
    (b) => b.name.startsWith(prefix) && (after === undefined || b.name > after),
  );
  const max = params.maxBuckets ?? matching.length;
  const page = matching.slice(0, max);
  const last = page[page.length - 1];
  return matching.length > max && last
    ? { buckets: page, next: encodeBucketToken(last.name) }
    : { buckets: page };
}

function encodeBucketToken(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64');
}

function decodeBucketToken(token: string): string {
  const name = Buffer.from(token, 'base64').toString('utf8');
  if (token === '' || encodeBucketToken(name) !== token) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', {
      fields: { ArgumentName: 'continuation-token', ArgumentValue: token },
    });
  }
  return name;
}

/** GET / */
export async function listBuckets(ctx: S3Context): Promise<void> {
  const user = signedUser(ctx);
  const params = bucketPageParams(ctx.query);
  const region = ctx.deps.config.region;
  const all = await listUserBuckets(ctx.deps.ring, user.id);
  const page = bucketPage(all, params, region);
  // As in S3, a request with any of the parameters learns each bucket's region too.
  const withRegion = Object.keys(params).length > 0;
  const body: Record<string, unknown> = {
    Owner: { ID: user.id, DisplayName: user.displayName },
    Buckets: {
      Bucket: page.buckets.map((b) => ({
        Name: b.name,
        CreationDate: new Date(b.createdAtMs).toISOString(),
        ...(withRegion ? { BucketRegion: region } : {}),
      })),
    },
  };
  if (page.next !== undefined) body['ContinuationToken'] = page.next;
  if (params.prefix !== undefined) body['Prefix'] = params.prefix;
  sendXml(ctx, 200, renderXml('ListAllMyBucketsResult', body));
}
