import type { RequestContext } from '../context.js';
import { S3Error } from '../errors.js';

/** POST /bucket with a multipart/form-data body: a browser upload. */
export async function postObject(_ctx: RequestContext, _bucket: string): Promise<void> {
  throw S3Error.notImplemented('POST Object');
}
