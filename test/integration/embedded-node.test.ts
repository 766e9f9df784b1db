/**
 * `cairn start` runs the cluster's node path as a ring of one member: its metrics carry the
 * storage node's series (ring members, handoff, hinted handoff, anti-entropy), all idle,
 * and the process listens on no port but the S3 one (internal traffic stays in-process).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';

/** Inodes of the TCP sockets `pid` listens on (from /proc: Linux only, as CI is). */
async function listeningPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; st 0A is LISTEN; the inode is the tenth column.
      if (cols[3] === '0A' && inodes.has(cols[9] ?? '')) {
        ports.push(parseInt(cols[1]!.split(':')[1]!, 16));
      }
    }
  }
  return ports;
}

describe('embedded store: a ring of one on the cluster path', () => {
  let server: CairnProcess;
  let s3: S3Client;
  useCairn({ buckets: ['node-path'] }, (started) => ({ server, s3 } = started));

  it('serves the node series, idle with one member; listens on the S3 port only', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'node-path', Key: 'k', Body: 'v' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'node-path', Key: 'k' }));
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/^cairn_ring_members 1$/m);
    expect(text).toMatch(/^cairn_handoff_transfers_active 0$/m);
    expect(text).toMatch(/^cairn_hinted_handoff_delivered_items_total 0$/m);
    expect(text).toMatch(/^cairn_aae_exchanges_total 0$/m);
    expect(text).toMatch(/^cairn_aae_repaired_keys_total 0$/m);
    expect(await listeningPorts(server.pid)).toEqual([server.port]);
  });
});
