/**
 * `cairn start`: the embedded store (S3 front end, stanchion and one storage node in one
 * process). Prints the endpoint and the admin keys as copy-pasteable lines.
 */
import { snapshotPolicyOf } from '../config/settings-stanchion.js';
import type { Command } from 'commander';
import { addSettingOptions, loadSettings } from '../config/load.js';
import { renderSettings } from '../config/render.js';
import { startEmbedded } from '../embedded.js';
import { secretBoxFor } from '../../stanchion/secret-key-file.js';
import { adminKeysOf, closeOnSignal, frontEndSettings } from './options.js';
import { writePidFile } from './pid-file.js';
import { reloadTlsOnSignal, tlsOf } from './tls.js';
import { sseConfigOf } from './sse-config.js';

/** Registers `start`. */
export function registerStart(program: Command): void {
  const command = program
    .command('start')
    .description('run the embedded store: S3 front end, stanchion and one storage node');
  addSettingOptions(command, 'start').action(async () => {
    const resolved = await loadSettings(command, 'start');
    const s = resolved.values;
    const operator = {
      program: 'start',
      settings: renderSettings('start', resolved),
      startedAtMs: Date.now(),
    };
    const admin = adminKeysOf(s);
    const tls = await tlsOf(s);
    const keyFile = s['secretKeyFile'] as string | undefined;
    const secrets = await secretBoxFor(keyFile, [s['dataDir'] as string]);
    const store = await startEmbedded({
      ...frontEndSettings(s, true),
      sse: await sseConfigOf(s, [s['dataDir'] as string]),
      ...(tls ? { tls: tls.material } : {}),
      secrets,
      operator,
      dataDir: s['dataDir'] as string,
      partitionCount: s['ringSize'] as number,
      durability: s['durability'] as 'fsync' | 'none',
      snapshot: snapshotPolicyOf(s),
      ...(admin ? { adminKeys: admin } : {}),
    });
    process.stdout.write(
      `Cairn is running (pid ${process.pid}).\n` +
        `S3 endpoint: ${store.url}\n` +
        `Data dir: ${store.dataDir}\n` +
        `Admin credentials:\n` +
        `AWS_ACCESS_KEY_ID=${store.admin.keyId}\n` +
        `AWS_SECRET_ACCESS_KEY=${store.admin.secret}\n`,
    );
    const removePid = writePidFile(store.dataDir);
    if (tls) reloadTlsOnSignal(store.app.server, tls.files);
    closeOnSignal(async (graceMs) => {
      await store.close({ graceMs });
      removePid();
    }, s);
  });
}
