/**
 * Bucket website configuration (?website): PutBucketWebsite validates the document
 * (website-xml.ts) before storing it in the bucket settings record; GetBucketWebsite
 * answers NoSuchWebsiteConfiguration (404) when there is none, as AWS. The website
 * endpoint (s3/website/serve.ts) reads it through the bucket-settings cache.
 */
import type { S3Context } from '../../http/context.js';
import { readSmallBody } from '../../http/body.js';
import { S3Error } from '../../http/errors.js';
import { readBucketSettings, writeBucketSetting } from '../../objects/bucket-settings.js';
import type { WebsiteConfig } from '../../objects/website-config.js';
import { parseWebsiteXml, renderWebsiteXml } from '../website-xml.js';
import { authorizedBucket } from './access.js';
import { sendEmpty, sendXml } from './responses.js';

/** Largest WebsiteConfiguration accepted, in bytes (50 rules of long keys fit). */
const WEBSITE_XML_BYTES_MAX = 256 * 1024;

/** GET /bucket?website */
export async function getBucketWebsite(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:GetBucketWebsite');
  const { website } = await readBucketSettings(ctx.deps.ring, bucket.id);
  if (!website) {
    throw new S3Error('NoSuchWebsiteConfiguration', undefined, {
      fields: { BucketName: bucketName },
    });
  }
  sendXml(ctx, 200, renderWebsiteXml(website));
}

/** PUT /bucket?website */
export async function putBucketWebsite(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:PutBucketWebsite');
  const body = await readSmallBody(ctx, WEBSITE_XML_BYTES_MAX);
  const website = parseWebsiteXml(body.toString('utf8'));
  await writeWebsite(ctx, bucket.id, website);
  sendEmpty(ctx, 200);
}

/** DELETE /bucket?website */
export async function deleteBucketWebsite(ctx: S3Context, bucketName: string): Promise<void> {
  const bucket = await authorizedBucket(ctx, bucketName, 's3:DeleteBucketWebsite');
  await writeWebsite(ctx, bucket.id, null);
  sendEmpty(ctx, 204);
}

async function writeWebsite(ctx: S3Context, bucketId: string, website: WebsiteConfig | null) {
  const write = { nowMs: ctx.deps.clock(), writeId: ctx.deps.newId() };
  await writeBucketSetting(ctx.deps.ring, bucketId, 'website', website, write);
  ctx.deps.bucketSettings?.forget(bucketId);
}
