/**
 * The S3 calls an import makes, on either side: buckets with their ACL and policy, object
 * listings (V1, every store has it), object reads and writes. Every call is signed with the
 * keys it is given, so buckets and objects are read and written as their owners. The admin
 * API's calls are in admin-calls.ts, multipart uploads' in upload-calls.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { uriEncode } from '../auth/request-parts.js';
import { parseAcl } from './core/acl.js';
import { parseListBuckets, parseListObjects, type ListedObject } from './core/xml.js';
import {
  answerError,
  call,
  open,
  S3CallError,
  type Endpoint,
  type Keys,
  type S3Request,
} from './s3-http.js';

const ACL_BYTES_MAX = 256 * 1024;
const POLICY_BYTES_MAX = 64 * 1024;

/** `/bucket` or `/bucket/key`, percent-encoded as S3 signs it. */
export function objectPath(bucket: string, key?: string): string {
  return key === undefined
    ? `/${uriEncode(bucket)}`
    : `/${uriEncode(bucket)}/${uriEncode(key, true)}`;
}

/** One side of the import. */
export class Store {
  constructor(
    readonly endpoint: Endpoint,
    readonly name: 'source' | 'target',
    readonly signal?: AbortSignal,
  ) {}

  /** A request whose answer is read whole (see `call`). */
  call(keys: Keys, request: S3Request & { body?: Buffer }, what: string, options = {}) {
    const signed = this.signal ? { ...request, signal: this.signal } : request;
    return call(this.endpoint, keys, signed, `${this.name}: ${what}`, options);
  }

  /** Opens a request whose answer is streamed (its status not yet checked). */
  open(keys: Keys, request: S3Request): Promise<IncomingMessage> {
    return open(this.endpoint, keys, this.signal ? { ...request, signal: this.signal } : request);
  }

  /** ListBuckets as `keys`: the names of the buckets that user owns. */
  async listBuckets(keys: Keys): Promise<string[]> {
    const answer = await this.call(keys, { method: 'GET', path: '/' }, 'list buckets');
    return parseListBuckets(answer.text).buckets;
  }

  /** CreateBucket; 'present' when the caller owns it already, 'taken' when another does. */
  /**
   * Creates `bucket` as the user `keys` sign for (canonical id `ownerId`). A 409 is 'present'
   * when that user owns it already: S3 answers a re-create by its owner with
   * BucketAlreadyOwnedByYou, or (us-east-1) with BucketAlreadyExists when the bucket's ACL is
   * not the one asked for, so ownership is read from the bucket's ACL, which only its owner
   * (or a grantee) may read.
   */
  async createBucket(
    keys: Keys,
    bucket: string,
    ownerId: string,
  ): Promise<'created' | 'present' | 'taken'> {
    const answer = await this.call(
      keys,
      { method: 'PUT', path: objectPath(bucket), body: Buffer.alloc(0) },
      `create bucket ${bucket}`,
      { accept: [409] },
    );
    if (answer.status !== 409) return 'created';
    if (answer.text.includes('<Code>BucketAlreadyOwnedByYou</Code>')) return 'present';
    const acl = await this.getAcl(keys, bucket).catch(() => undefined);
    return acl !== undefined && parseAcl(acl).ownerId === ownerId ? 'present' : 'taken';
  }

  /** GET ?acl of a bucket or object: the AccessControlPolicy XML. */
  async getAcl(keys: Keys, bucket: string, key?: string): Promise<string> {
    const what =
      key === undefined ? `read the ACL of bucket ${bucket}` : `read the ACL of ${bucket}/${key}`;
    const answer = await this.call(
      keys,
      { method: 'GET', path: objectPath(bucket, key), query: 'acl' },
      what,
      {
        maxBytes: ACL_BYTES_MAX,
      },
    );
    return answer.text;
  }

  /** PUT ?acl of a bucket or object with AccessControlPolicy XML. */
  async putAcl(keys: Keys, bucket: string, xml: string, key?: string): Promise<void> {
    await this.call(
      keys,
      {
        method: 'PUT',
        path: objectPath(bucket, key),
        query: 'acl',
        headers: { 'content-type': 'application/xml' },
        body: Buffer.from(xml),
      },
      key === undefined ? `set the ACL of bucket ${bucket}` : `set the ACL of ${bucket}/${key}`,
    );
  }

  /** GET ?tagging of an object: the Tagging XML. */
  async getTagging(keys: Keys, bucket: string, key: string): Promise<string> {
    const request = { method: 'GET', path: objectPath(bucket, key), query: 'tagging' };
    const answer = await this.call(keys, request, `read the tags of ${bucket}/${key}`, {
      maxBytes: ACL_BYTES_MAX,
    });
    return answer.text;
  }

  /** PUT ?tagging of an object with Tagging XML. */
  async putTagging(keys: Keys, bucket: string, key: string, xml: string): Promise<void> {
    const body = Buffer.from(xml);
    const request = { method: 'PUT', path: objectPath(bucket, key), query: 'tagging', body };
    await this.call(keys, request, `set the tags of ${bucket}/${key}`);
  }

  /** GET ?policy: the policy document, or undefined when the bucket has none. */
  async getPolicy(keys: Keys, bucket: string): Promise<string | undefined> {
    const answer = await this.call(
      keys,
      { method: 'GET', path: objectPath(bucket), query: 'policy' },
      `read the policy of bucket ${bucket}`,
      { accept: [404], maxBytes: POLICY_BYTES_MAX },
    );
    if (answer.status !== 404) return answer.text;
    if (answer.text.includes('<Code>NoSuchBucketPolicy</Code>')) return undefined;
    const what = `${this.name}: read the policy of bucket ${bucket}`;
    throw new S3CallError(`${what}: NoSuchBucket`, 404, 'NoSuchBucket');
  }

  /** PUT ?policy, or DELETE ?policy when `policy` is undefined. */
  async setPolicy(keys: Keys, bucket: string, policy: string | undefined): Promise<void> {
    const request: S3Request & { body?: Buffer } =
      policy === undefined
        ? { method: 'DELETE', path: objectPath(bucket), query: 'policy' }
        : { method: 'PUT', path: objectPath(bucket), query: 'policy', body: Buffer.from(policy) };
    await this.call(keys, request, `set the policy of bucket ${bucket}`);
  }

  /** Every object of a bucket, in key order, a page at a time. */
  async *listObjects(keys: Keys, bucket: string): AsyncGenerator<ListedObject> {
    let marker: string | undefined;
    for (;;) {
      const query =
        'encoding-type=url&max-keys=1000' +
        (marker === undefined ? '' : `&marker=${uriEncode(marker)}`);
      const answer = await this.call(
        keys,
        { method: 'GET', path: objectPath(bucket), query },
        `list bucket ${bucket}`,
      );
      const page = parseListObjects(answer.text);
      yield* page.objects;
      if (!page.truncated || page.nextMarker === undefined || page.nextMarker === marker) return;
      marker = page.nextMarker;
    }
  }

  /** GET an object (or a range of it), as `keys`; throws unless 200 or 206. */
  async getObject(keys: Keys, bucket: string, key: string, headers: Record<string, string> = {}) {
    const response = await this.open(keys, {
      method: 'GET',
      path: objectPath(bucket, key),
      headers,
    });
    if (response.statusCode === 200 || response.statusCode === 206) return response;
    throw await answerError(response, `${this.name}: read ${bucket}/${key}`);
  }

  /** HeadObject as `keys`: the answer's headers (stored headers, ETag, size). */
  async headObject(keys: Keys, bucket: string, key: string) {
    const response = await this.open(keys, { method: 'HEAD', path: objectPath(bucket, key) });
    response.resume();
    if (response.statusCode === 200) return response.headers;
    throw await answerError(response, `${this.name}: read ${bucket}/${key}`);
  }

  /** HEAD ?partNumber=N: the part's size and the parts count, or undefined if not served. */
  async headPart(keys: Keys, bucket: string, key: string, part: number) {
    const response = await this.open(keys, {
      method: 'HEAD',
      path: objectPath(bucket, key),
      query: `partNumber=${part}`,
    });
    response.resume();
    if (response.statusCode !== 206) return undefined;
    const size = Number(response.headers['content-length']);
    const count = Number(response.headers['x-amz-mp-parts-count']);
    if (!Number.isSafeInteger(size) || !Number.isSafeInteger(count)) return undefined;
    return { size, count, etag: String(response.headers['etag'] ?? '') };
  }

  /** PutObject with a streamed body; resolves with the stored ETag. */
  async putObject(
    keys: Keys,
    bucket: string,
    key: string,
    headers: Record<string, string>,
    body: Readable,
  ) {
    const response = await this.open(keys, {
      method: 'PUT',
      path: objectPath(bucket, key),
      headers,
      body,
    });
    if (response.statusCode !== 200)
      throw await answerError(response, `${this.name}: write ${bucket}/${key}`);
    response.resume();
    return String(response.headers['etag'] ?? '');
  }
}
