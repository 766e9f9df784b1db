/**
 * Apache CloudStack secondary storage against a 5-node cluster (scripts/dev-cluster.sh:
 * five storage nodes joined into one ring, two stanchions, one S3 front end): the same
 * emulation as cloudstack.test.ts, with memory sampled from the S3 front end's process.
 * CAIRN_CLOUDSTACK_TEMPLATE_MIB=600 runs the full 600 MiB template.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { setUpWorld, VHOST_BASE, type CsWorld } from '../cloudstack/cs-world.js';
import { cloudStackScenario } from '../cloudstack/scenario.js';

let cluster: DevCluster | undefined;
let world: CsWorld | undefined;

async function errorLines(dir: string): Promise<string[]> {
  const log = await readFile(join(dir, 'log', 's3.log'), 'utf8').catch(() => '');
  return log.split('\n').filter((line) => /"level":(50|60)/.test(line));
}

beforeAll(async () => {
  cluster = await startDevCluster(5, { CAIRN_ROOT_HOST: VHOST_BASE });
  await cluster.script('join');
  const started = cluster;
  const s3Pid = Number(await readFile(join(started.dir, 'pids', 's3.pid'), 'utf8'));
  world = await setUpWorld({
    endpoint: started.endpoint,
    port: Number(new URL(started.endpoint).port),
    admin: { keyId: started.keyId, secret: started.secret },
    s3Pid,
    errorLogs: () => errorLines(started.dir),
  });
}, 180_000);

afterAll(async () => {
  await world?.close();
  const errors = cluster ? await errorLines(cluster.dir) : [];
  await cluster?.cleanup();
  expect(errors).toEqual([]);
}, 60_000);

// CI runs S2–S8 in M1 (SigV2, path-style) and M3 (SigV4, virtual-host), which between
// them cover both signers and both addressings; CAIRN_CLOUDSTACK_CLUSTER_MODES=all (or a
// list such as M2,M4) chooses others.
const modesEnv = process.env.CAIRN_CLOUDSTACK_CLUSTER_MODES ?? 'M1,M3';
cloudStackScenario('cloudstack (5-node cluster)', () => world!, {
  slowdown: 3,
  ...(modesEnv === 'all' ? {} : { modes: modesEnv.split(',') }),
});
