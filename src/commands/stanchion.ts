/**
 * `cairn stanchion`: the serializer as its own process. Run two (or more) against the same
 * ring: one becomes active, the others follow its log and take over when it dies. Each
 * prints the admin keys once it knows them (the active one creates them on first start).
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { RingClient } from '../../ring/client.js';
import { prepareDataDir } from '../../ring/storage/data-dir.js';
import { explainStartupError } from '../../ring/storage/startup-errors.js';
import { InternalClient } from '../../ring/transport/internal-client.js';
import { buildStanchionHttp } from '../../stanchion/http-server.js';
import { loadSelfId } from '../../stanchion/self-id.js';
import { StanchionServer, type StanchionOptions } from '../../stanchion/server.js';
import { ensureAdmin } from '../../stanchion/users.js';
import { secretBoxFor } from '../../stanchion/secret-key-file.js';
import { addSettingOptions, loadSettings } from '../config/load.js';
import { snapshotPolicyOf } from '../config/settings-stanchion.js';
import { cairnVersion } from '../version.js';
import { connectClusterRing } from './cluster-ring.js';
import { internalSecurityOf } from './internal-security.js';
import { adminKeysOf, closeOnSignal, type Settings } from './options.js';
import { writePidFile } from './pid-file.js';
import { quorumOf } from './quorum.js';

/** Registers `stanchion`. */
export function registerStanchion(program: Command): void {
  const command = program
    .command('stanchion')
    .description('run the serializer of user and bucket mutations (active or standby)');
  addSettingOptions(command, 'stanchion').action(async () => {
    await runStanchion((await loadSettings(command, 'stanchion')).values);
  });
}

async function runStanchion(s: Settings): Promise<void> {
  const dataDir = resolve(s['dataDir'] as string);
  await prepareDataDir(dataDir, cairnVersion());
  const wanted = adminKeysOf(s);
  const box = await secretBoxFor(s['secretKeyFile'] as string | undefined, [dataDir]);
  // The HTTP server reads its log level from the environment when it is built.
  process.env.CAIRN_LOG_LEVEL = s['logLevel'] as string;
  const security = await internalSecurityOf(s);
  const quorum = quorumOf(s);
  const ring = await connectClusterRing(
    s['nodes'] as string[],
    new InternalClient(security),
    quorum,
  );
  const host = s['host'] as string;
  const port = s['port'] as number;
  const server = await openStanchion(dataDir, ring.client, {
    address: (s['advertise'] as string | undefined) ?? `${host}:${port}`,
    strict: { pr: quorum.r, pw: quorum.w },
    snapshot: snapshotPolicyOf(s),
  });
  const app = buildStanchionHttp(server, security, box);
  await app.listen({ host, port });
  process.stdout.write(
    `Cairn stanchion is running (pid ${process.pid}) on port ${port} ` +
      `as ${server.currentRole}.\n`,
  );
  const removePid = writePidFile(dataDir);
  // The active one hands its role over as it closes (StanchionServer.close).
  closeOnSignal(async () => {
    await app.close();
    await server.close();
    ring.close();
    removePid();
  }, s);
  const world = { randomBytes, clock: Date.now };
  const admin = await ensureAdmin(world, server, dataDir, { ...(wanted ? { wanted } : {}), box });
  process.stdout.write(
    `Admin credentials:\n` +
      `AWS_ACCESS_KEY_ID=${admin.keyId}\n` +
      `AWS_SECRET_ACCESS_KEY=${admin.secret}\n`,
  );
}

/** Opens the stanchion's log under `dataDir`/log; a locked or unwritable dir is explained. */
async function openStanchion(
  dataDir: string,
  ring: RingClient,
  options: {
    address: string;
    strict: { pr: number; pw: number };
    snapshot: StanchionOptions['snapshot'];
  },
): Promise<StanchionServer> {
  try {
    return await StanchionServer.open({
      dir: join(dataDir, 'log'),
      ring,
      selfId: await loadSelfId(dataDir),
      ...options,
      log: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (error) {
    throw explainStartupError(error, dataDir);
  }
}
