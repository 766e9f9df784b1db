/**
 * Apache CloudStack secondary storage against the embedded store: the emulation of
 * shared/reference/cloudstack-s3-emulation.md (SDK-v1 wire, modes M1–M5, steps S0–S10)
 * driven against a real `cairn start` process. The template is 64 MiB + 12345 bytes;
 * CAIRN_CLOUDSTACK_TEMPLATE_MIB=600 runs the full 600 MiB one.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { setUpWorld, VHOST_BASE, type CsWorld } from '../cloudstack/cs-world.js';
import { cloudStackScenario } from '../cloudstack/scenario.js';

let server: CairnProcess | undefined;
let world: CsWorld | undefined;

beforeAll(async () => {
  server = await startCairn({ args: ['--root-host', VHOST_BASE, '--durability', 'none'] });
  const started = server;
  world = await setUpWorld({
    endpoint: started.url,
    port: started.port,
    admin: { keyId: started.keyId, secret: started.secret },
    s3Pid: started.pid,
    errorLogs: async () => started.errorLogs(),
  });
}, 120_000);

afterAll(async () => {
  await world?.close();
  const errors = server?.errorLogs() ?? [];
  await server?.cleanup();
  expect(errors).toEqual([]);
}, 60_000);

cloudStackScenario('cloudstack (embedded)', () => world!);
