/**
 * `cairn s3`: an S3 front end of a cluster. It reaches the ring through any of --nodes and
 * stanchion at --stanchion (a list, tried in turn).
 */
import type { Command } from 'commander';
import { InternalClient } from '../../ring/transport/internal-client.js';
import { HttpStanchionClient } from '../../stanchion/client.js';
import { readUserByKey } from '../../stanchion/reader.js';
import type { SecretBox } from '../../stanchion/secret-box.js';
import { secretBoxFor } from '../../stanchion/secret-key-file.js';
import { addSettingOptions, loadSettings } from '../config/load.js';
import { renderSettings } from '../config/render.js';
import { frontEndDeps, startFrontEnd } from '../front-end.js';
import { S3Metrics } from '../metrics/s3-metrics.js';
import { connectClusterRing } from './cluster-ring.js';
import { internalSecurityOf } from './internal-security.js';
import { adminKeysOf, closeOnSignal, frontEndSettings, type Settings } from './options.js';
import { quorumOf } from './quorum.js';
import { reloadTlsOnSignal, tlsOf } from './tls.js';
import { sseConfigOf } from './sse-config.js';
import type { RingClient } from '../../ring/client.js';
import { peerCall } from '../../ring/transport/peer-client.js';

/** The console's way to a storage node's admin interface: signed with the cluster cookie. */
function nodeAdminOf(client: InternalClient) {
  return (address: string, path: string, body?: unknown) =>
    peerCall<unknown>(client, address, path, { body, timeoutMs: 15_000 });
}

/** Registers `s3`. */
export function registerS3(program: Command): void {
  const command = program.command('s3').description('run an S3 front end of a cluster');
  addSettingOptions(command, 's3').action(async () => {
    const resolved = await loadSettings(command, 's3');
    const s = resolved.values;
    const operator = {
      program: 's3',
      settings: renderSettings('s3', resolved),
      startedAtMs: Date.now(),
    };
    const client = new InternalClient(await internalSecurityOf(s));
    const tls = await tlsOf(s);
    const secrets = await secretBoxFor(s['secretKeyFile'] as string | undefined, []);
    const metrics = new S3Metrics();
    const quorum = quorumOf(s);
    const ring = await connectClusterRing(s['nodes'] as string[], client, quorum, () =>
      metrics.countRepair(),
    );
    await checkAdminKeys(ring.client, s, secrets);
    const stanchion = new HttpStanchionClient(s['stanchion'] as string[], client, {
      waitMs: s['stanchionWait'] as number,
    });
    const base = frontEndSettings(s, false);
    const settings = {
      ...base,
      console: { ...base.console!, nodeAdmin: nodeAdminOf(client) },
      sse: await sseConfigOf(s, []),
      operator,
      secrets,
      ...(tls ? { tls: tls.material } : {}),
    };
    const frontEnd = await startFrontEnd(
      frontEndDeps(ring.client, stanchion, settings, metrics),
      settings,
    );
    process.stdout.write(
      `Cairn S3 front end is running (pid ${process.pid}).\nS3 endpoint: ${frontEnd.url}\n`,
    );
    if (tls) reloadTlsOnSignal(frontEnd.app.server, tls.files);
    closeOnSignal(async (graceMs) => {
      await frontEnd.close({ graceMs });
      ring.close();
    }, s);
  });
}

/**
 * admin.key and admin.secret in a front end's settings (as in riak-cs.conf) must name the
 * cluster's admin; the admin may not exist yet while the cluster is set up.
 */
async function checkAdminKeys(ring: RingClient, s: Settings, secrets: SecretBox): Promise<void> {
  const keys = adminKeysOf(s);
  if (!keys) return;
  const user = await readUserByKey(ring, keys.keyId);
  if (!user) {
    process.stderr.write(`cairn: notice: admin.key ${keys.keyId} names no user yet\n`);
    return;
  }
  if (!user.isAdmin || secrets.open(user.keyId, user.secret) !== keys.secret) {
    throw new Error(
      `admin.key ${keys.keyId} ${user.isAdmin ? 'has another secret' : 'is not the admin'}: ` +
        "set admin.key and admin.secret to the admin's keys (printed by cairn stanchion)",
    );
  }
}
