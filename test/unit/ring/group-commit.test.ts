/**
 * Group commit: concurrent writers share syncs, nobody is acknowledged before the sync that
 * covers it returned, and a failed sync fails every write of its batch.
 */
import { describe, expect, it } from 'vitest';
import type { KvBackend, KvOp } from '../../../ring/storage/kv-backend.js';
import { memoryBackend } from '../../../ring/storage/memory-backend.js';
import { GroupCommitter, type PendingFile } from '../../../ring/storage/group-commit.js';

/** A backend whose synced writes wait until the test lets them finish. */
function gatedBackend() {
  const inner = memoryBackend();
  const gates: Array<{ ops: readonly KvOp[]; sync: boolean; open: (error?: Error) => void }> = [];
  const backend: KvBackend = {
    ...inner,
    get: (key) => inner.get(key),
    range: (range) => inner.range(range),
    write: (ops, options) =>
      new Promise<void>((resolve, reject) => {
        gates.push({
          ops,
          sync: options.sync,
          open: (error) => (error ? reject(error) : void inner.write(ops, options).then(resolve)),
        });
      }),
  };
  return { backend, gates };
}

function fakeFile(log: string[], name: string, dir: string, fail = false): PendingFile {
  return {
    dirs: [dir],
    datasync: async () => {
      log.push(`datasync ${name}`);
      if (fail) throw new Error(`EIO: ${name}`);
    },
    close: async () => void log.push(`close ${name}`),
  };
}

const put = (key: string): KvOp => ({
  type: 'put',
  key: Buffer.from(key),
  value: Buffer.from('v'),
});
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommitter', () => {
  it('group commit: 64 concurrent writers share two syncs (sync on)', async () => {
    const { backend, gates } = gatedBackend();
    const committer = new GroupCommitter(backend, true);
    const acked: number[] = [];
    const write = (i: number) => committer.write([put(`k${i}`)]).then(() => acked.push(i));
    // 16 writers in one turn of the event loop go to disk together...
    const writes = Array.from({ length: 16 }, (_, i) => write(i));
    await tick();
    expect(gates).toHaveLength(1);
    expect(gates[0]!.ops).toHaveLength(16);
    // ...and 48 arriving while that batch is on its way queue behind it, in later turns.
    for (let i = 16; i < 64; i++) {
      writes.push(write(i));
      if (i % 8 === 0) await tick();
    }
    expect(gates).toHaveLength(1);
    expect(acked).toEqual([]);
    gates[0]!.open();
    await tick();
    expect(acked).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(gates).toHaveLength(2);
    expect(gates[1]!.ops).toHaveLength(48);
    expect(gates[1]!.sync).toBe(true);
    gates[1]!.open();
    await Promise.all(writes);
    expect(acked).toHaveLength(64);
    expect(committer.stats).toMatchObject({ writes: 64, batches: 2 });
  });

  it('group commit: no write resolves before the sync of its batch returned', async () => {
    const { backend, gates } = gatedBackend();
    const committer = new GroupCommitter(backend, true);
    let firstDone = false;
    let secondDone = false;
    const first = committer.write([put('a')]).then(() => (firstDone = true));
    await tick();
    const second = committer.write([put('b')]).then(() => (secondDone = true));
    for (let i = 0; i < 5; i++) await tick();
    expect([firstDone, secondDone]).toEqual([false, false]);
    gates[0]!.open();
    await first;
    await tick();
    expect(secondDone).toBe(false);
    gates[1]!.open();
    await second;
    expect(await backend.get(Buffer.from('b'))).toEqual(Buffer.from('v'));
  });

  it('group commit: a failed LevelDB sync fails its whole batch, not the next', async () => {
    const { backend, gates } = gatedBackend();
    const committer = new GroupCommitter(backend, true);
    const first = committer.write([put('a')]);
    await tick();
    const batch = [committer.write([put('b')]), committer.write([put('c')])];
    gates[0]!.open();
    await first;
    await tick();
    gates[1]!.open(new Error('EIO: fsync'));
    const outcomes = await Promise.allSettled(batch);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    const later = committer.write([put('d')]);
    await tick();
    gates[2]!.open();
    await expect(later).resolves.toBeUndefined();
  });

  it('group commit: blob files are synced before their entries, dirs once per batch', async () => {
    const log: string[] = [];
    const { backend, gates } = gatedBackend();
    const disk = { syncDir: async (dir: string) => void log.push(`syncdir ${dir}`) };
    const committer = new GroupCommitter(backend, true, disk);
    const first = committer.write([put('x')]);
    await tick();
    const writes = ['f1', 'f2', 'f3'].map((name) =>
      committer.write([put(name)], [fakeFile(log, name, '/blobs/ab')]),
    );
    gates[0]!.open();
    await first;
    for (let i = 0; i < 5; i++) await tick();
    expect(log).toEqual(['datasync f1', 'datasync f2', 'datasync f3', 'syncdir /blobs/ab']);
    expect(gates).toHaveLength(2);
    gates[1]!.open();
    await Promise.all(writes);
    expect(log.filter((l) => l.startsWith('close'))).toHaveLength(3);
    expect(committer.stats).toMatchObject({ batches: 2, fileSyncs: 3, dirSyncs: 1 });
  });

  it('group commit: a failed blob fdatasync fails its batch, commits none of it', async () => {
    const log: string[] = [];
    const { backend, gates } = gatedBackend();
    const disk = { syncDir: async (dir: string) => void log.push(`syncdir ${dir}`) };
    const committer = new GroupCommitter(backend, true, disk);
    const first = committer.write([put('x')]);
    await tick();
    const writes = [
      committer.write([put('ok')], [fakeFile(log, 'ok', '/d')]),
      committer.write([put('bad')], [fakeFile(log, 'bad', '/d', true)]),
      committer.write([put('inline')]),
    ];
    gates[0]!.open();
    await first;
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(gates).toHaveLength(1);
    expect(await backend.get(Buffer.from('ok'))).toBeUndefined();
    expect(log).toContain('close bad');
    expect(log).toContain('close ok');
  });

  it("group commit: durability 'none' batches the same way and syncs nothing", async () => {
    const log: string[] = [];
    const { backend, gates } = gatedBackend();
    const disk = { syncDir: async (dir: string) => void log.push(`syncdir ${dir}`) };
    const committer = new GroupCommitter(backend, false, disk);
    const write = committer.write([put('a')], [fakeFile(log, 'a', '/d')]);
    await tick();
    expect(gates[0]!.sync).toBe(false);
    gates[0]!.open();
    await write;
    expect(log).toEqual(['close a']);
  });
});
