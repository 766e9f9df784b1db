/**
 * `cairn stanchion`: the serializer as its own process. On its first start it creates the
 * admin user and, like `cairn start`, prints the admin keys on every start.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildStanchionHttp } from '../../stanchion/http-server.js';
import { StanchionServer } from '../../stanchion/server.js';
import { ensureAdmin } from '../../stanchion/users.js';
import { connectClusterRing } from './cluster-ring.js';
import { addressList, closeOnSignal, cookieOption, env, integer } from './options.js';
import { quorumOf, quorumOptions } from './quorum.js';

/** Registers `stanchion`. */
export function registerStanchion(program: Command): void {
  const command = program
    .command('stanchion')
    .description('run the serializer of user and bucket mutations')
    .option('--host <host>', 'address to listen on (CAIRN_HOST)', env.CAIRN_HOST ?? '127.0.0.1')
    .option(
      '--port <port>',
      'stanchion port (CAIRN_STANCHION_PORT)',
      integer(1, 65535),
      Number(env.CAIRN_STANCHION_PORT ?? 8085),
    )
    .option('--data-dir <dir>', 'data directory (CAIRN_DATA_DIR)', env.CAIRN_DATA_DIR ?? './data')
    .requiredOption(
      '--nodes <host:port,...>',
      'storage nodes to reach the ring through',
      addressList,
      env.CAIRN_NODES ? addressList(env.CAIRN_NODES) : undefined,
    );
  quorumOptions(cookieOption(command)).action(async (opts: Record<string, unknown>) => {
    const dataDir = resolve(opts['dataDir'] as string);
    await mkdir(dataDir, { recursive: true });
    const cookie = opts['cookie'] as string;
    const ring = await connectClusterRing(opts['nodes'] as string[], cookie, quorumOf(opts));
    const server = await StanchionServer.open(join(dataDir, 'log'), ring.client);
    const world = { randomBytes, clock: Date.now };
    const admin = await ensureAdmin(world, ring.client, (c) => server.execute(c), dataDir);
    const app = buildStanchionHttp(server, cookie);
    await app.listen({ host: opts['host'] as string, port: opts['port'] as number });
    process.stdout.write(
      `Cairn stanchion is running (pid ${process.pid}) on port ${opts['port']}.\n` +
        `Admin credentials:\n` +
        `AWS_ACCESS_KEY_ID=${admin.keyId}\n` +
        `AWS_SECRET_ACCESS_KEY=${admin.secret}\n`,
    );
    closeOnSignal(async () => {
      await app.close();
      await server.close();
      ring.close();
    });
  });
}
