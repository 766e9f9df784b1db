/**
 * `cairn stanchion`: the serializer as its own process. Run two (or more) against the same
 * ring: one becomes active, the others follow its log and take over when it dies. Each
 * prints the admin keys once it knows them (the active one creates them on first start).
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildStanchionHttp } from '../../stanchion/http-server.js';
import { loadSelfId } from '../../stanchion/self-id.js';
import { StanchionServer } from '../../stanchion/server.js';
import { ensureAdmin } from '../../stanchion/users.js';
import { connectClusterRing } from './cluster-ring.js';
import { addressList, closeOnSignal, cookieOption, env, integer } from './options.js';
import { quorumOf, quorumOptions } from './quorum.js';

/** Registers `stanchion`. */
export function registerStanchion(program: Command): void {
  const command = program
    .command('stanchion')
    .description('run the serializer of user and bucket mutations (active or standby)')
    .option('--host <host>', 'address to listen on (CAIRN_HOST)', env.CAIRN_HOST ?? '127.0.0.1')
    .option(
      '--port <port>',
      'stanchion port (CAIRN_STANCHION_PORT)',
      integer(1, 65535),
      Number(env.CAIRN_STANCHION_PORT ?? 8085),
    )
    .option(
      '--advertise <host:port>',
      'address others reach this stanchion at (CAIRN_STANCHION_ADVERTISE; default host:port)',
      env.CAIRN_STANCHION_ADVERTISE,
    )
    .option('--data-dir <dir>', 'data directory (CAIRN_DATA_DIR)', env.CAIRN_DATA_DIR ?? './data')
    .requiredOption(
      '--nodes <host:port,...>',
      'storage nodes to reach the ring through',
      addressList,
      env.CAIRN_NODES ? addressList(env.CAIRN_NODES) : undefined,
    );
  quorumOptions(cookieOption(command)).action(runStanchion);
}

async function runStanchion(opts: Record<string, unknown>): Promise<void> {
  const dataDir = resolve(opts['dataDir'] as string);
  await mkdir(dataDir, { recursive: true });
  const cookie = opts['cookie'] as string;
  const quorum = quorumOf(opts);
  const ring = await connectClusterRing(opts['nodes'] as string[], cookie, quorum);
  const host = opts['host'] as string;
  const port = opts['port'] as number;
  const server = await StanchionServer.open({
    dir: join(dataDir, 'log'),
    ring: ring.client,
    selfId: await loadSelfId(dataDir),
    address: (opts['advertise'] as string | undefined) ?? `${host}:${port}`,
    strict: { pr: quorum.r, pw: quorum.w },
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const app = buildStanchionHttp(server, cookie);
  await app.listen({ host, port });
  process.stdout.write(
    `Cairn stanchion is running (pid ${process.pid}) on port ${port} ` +
      `as ${server.currentRole}.\n`,
  );
  closeOnSignal(async () => {
    await app.close();
    await server.close();
    ring.close();
  });
  const admin = await ensureAdmin({ randomBytes, clock: Date.now }, server, dataDir);
  process.stdout.write(
    `Admin credentials:\n` +
      `AWS_ACCESS_KEY_ID=${admin.keyId}\n` +
      `AWS_SECRET_ACCESS_KEY=${admin.secret}\n`,
  );
}
