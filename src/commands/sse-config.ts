/** The server-side encryption settings of a front end program, its key file read. */
import type { SseConfig } from '../http/context.js';
import { readKmsKeyFile } from '../objects/encryption/kms-key-file.js';
import type { Settings } from './options.js';

/** --kms-key-file (read and checked), --allow-sse-c-over-http and --sse-chunk-bytes. */
export async function sseConfigOf(s: Settings, dataDirs: string[]): Promise<SseConfig> {
  const path = s['kmsKeyFile'] as string | undefined;
  return {
    allowCustomerKeysOverHttp: s['allowSseCOverHttp'] === true,
    ...(typeof s['sseChunkBytes'] === 'number' ? { chunkBytes: s['sseChunkBytes'] } : {}),
    ...(path === undefined ? {} : { masterKeys: await readKmsKeyFile(path, dataDirs) }),
  };
}
