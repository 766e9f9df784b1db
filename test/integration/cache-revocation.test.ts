/**
 * The embedded store's record cache never serves a revoked permission: each revocation
 * (test/helpers/revocations.ts) is refused on the very next request after its answer.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { revocationTests } from '../helpers/revocations.js';

let server: CairnProcess;

beforeAll(async () => {
  server = await startCairn();
}, 30_000);

afterAll(async () => {
  await server?.cleanup();
});

describe('record cache: revocations bite on the next request (embedded store)', () => {
  revocationTests(
    () => ({ mutateUrl: server.url, checkUrls: [server.url], admin: server }),
    30_000,
  );
});
