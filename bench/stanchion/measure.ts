/**
 * What a compacted stanchion log looks like at a checkpoint of a long command load, on a
 * real `scripts/dev-cluster.sh` cluster with two stanchions: both logs' bytes on disk (just
 * after each snapshotted), a restarted standby's time to be caught up, and the time from
 * killing the active one to the other answering a command. Shared by `npm run
 * bench:stanchion` and test/integration/stanchion-snapshot.test.ts.
 */
import { join } from 'node:path';
import { bytesUnder, loadClient, sendCommand, type LoadTarget, type Owner } from './load.js';

/** What the measurement needs of a dev cluster (the bench's and the tests' helpers). */
export interface StanchionCluster {
  dir: string;
  basePort: number;
  cookie: string;
  /** Runs scripts/dev-cluster.sh with `args` for this cluster. */
  script(...args: string[]): Promise<unknown>;
}

/** The two stanchions a dev cluster runs. */
export const STANCHION_NAMES = ['stanchion1', 'stanchion2'] as const;

interface Status {
  role: string;
  appliedSeq: number;
  snapshotSeq: number;
  logTail: number;
}

/** Figures at one checkpoint. */
export interface Figures {
  commands: number;
  /** Both stanchions' log tables and write-ahead logs (entries and snapshot), in bytes. */
  logBytes: number;
  /** LevelDB's info logs and manifests: a few lines per compaction, reset at each open. */
  levelDbOwnBytes: number;
  /** Commands a second during the load before this checkpoint. */
  perSecond?: number;
  restartMs: number;
  takeoverMs: number;
  snapshotSeq: number;
  logTail: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Status, targets and timings of one cluster's stanchions. */
export class StanchionProbe {
  constructor(
    private readonly cluster: StanchionCluster,
    /** Snapshot interval in entries (the cluster's stanchion.snapshot.every_entries). */
    private readonly every: number,
  ) {}

  /** Where `name` takes commands. */
  target(name: string): LoadTarget {
    const index = STANCHION_NAMES.indexOf(name as (typeof STANCHION_NAMES)[number]);
    const address = `127.0.0.1:${this.cluster.basePort + 85 + index}`;
    return { client: loadClient(this.cluster.cookie), address };
  }

  async statusOf(name: string): Promise<Status | undefined> {
    const { client, address } = this.target(name);
    const reply = await client
      .request(address, { method: 'GET', path: '/status', timeoutMs: 5000 })
      .catch(() => undefined);
    return reply?.status === 200 ? (JSON.parse(reply.body.toString()) as Status) : undefined;
  }

  async activeName(): Promise<string> {
    for (let i = 0; i < 200; i++) {
      for (const name of STANCHION_NAMES) {
        if ((await this.statusOf(name))?.role === 'active') return name;
      }
      await sleep(100);
    }
    throw new Error('no active stanchion');
  }

  /** Waits until `name` has applied `seq`; the time it took since `startedMs`, in ms. */
  async caughtUp(name: string, seq: number, startedMs: number): Promise<number> {
    for (let i = 0; i < 1200; i++) {
      if (((await this.statusOf(name))?.appliedSeq ?? -1) >= seq) return Date.now() - startedMs;
      await sleep(50);
    }
    throw new Error(`${name} did not catch up to ${seq}`);
  }

  /**
   * The bytes of `name`'s log just after it snapshotted (at most 1 % of the interval, or 5
   * entries, after one):
   * between snapshots the log holds up to every_entries more, so figures are compared in
   * one phase. Sends the active one what `name` lacks to snapshot, the last few singly.
   */
  async bytesJustSnapshotted(name: string, owner: Owner) {
    for (let i = 0; i < 4 * Math.min(this.every, 100); i++) {
      const logTail = (await this.statusOf(name))?.logTail ?? this.every;
      // Within 1 % of the interval past it (5 entries at the tests' 100): one phase.
      if (logTail <= Math.max(5, this.every / 100)) {
        return bytesUnder(join(this.cluster.dir, name, 'log'));
      }
      // To whichever is active now (the first checkpoint sometimes sees a takeover).
      const target = this.target(await this.activeName());
      await this.sendUpdates(target, owner, this.every - logTail - 5);
      await sleep(150);
    }
    throw new Error(`${name} took no snapshot`);
  }

  /** `count` (at least one) user updates, up to 64 in flight; refusals do not matter. */
  private async sendUpdates(target: LoadTarget, owner: Owner, count: number): Promise<void> {
    const command = { type: 'update-user' as const, keyId: owner.keyId, changes: {} };
    const total = Math.max(1, count);
    const lanes = Array.from({ length: Math.min(total, 64) }, async (_, lane) => {
      for (let i = lane; i < total; i += 64) {
        await sendCommand(target, command).catch(() => undefined);
      }
    });
    await Promise.all(lanes);
  }

  /** Restarts the standby, then kills the active one and times the takeover. */
  async measure(commands: number, owner: Owner): Promise<Figures> {
    const active = await this.activeName();
    const standby = STANCHION_NAMES.find((n) => n !== active)!;
    const seq = (await this.statusOf(active))!.appliedSeq;
    await this.caughtUp(standby, seq, Date.now());
    await sleep(1500); // the last snapshot and its trim settle
    const one = await this.bytesJustSnapshotted('stanchion1', owner);
    const two = await this.bytesJustSnapshotted('stanchion2', owner);
    const [logBytes, levelDbOwnBytes] = [one.data + two.data, one.own + two.own];
    const { snapshotSeq, logTail, appliedSeq } = (await this.statusOf(active))!;
    let startedMs = Date.now();
    await this.cluster.script('restart', standby);
    const restartMs = await this.caughtUp(standby, appliedSeq, startedMs);
    startedMs = Date.now();
    await this.cluster.script('kill', active);
    await this.untilAnswered(standby, owner, startedMs);
    const takeoverMs = Date.now() - startedMs;
    await this.cluster.script('restart', active);
    return { commands, logBytes, levelDbOwnBytes, restartMs, takeoverMs, snapshotSeq, logTail };
  }

  private async untilAnswered(name: string, owner: Owner, startedMs: number): Promise<void> {
    const command = { type: 'update-user' as const, keyId: owner.keyId, changes: {} };
    for (;;) {
      const answer = await sendCommand(this.target(name), command).catch(() => undefined);
      if (answer?.ok) return;
      if (Date.now() - startedMs > 60_000) throw new Error('no takeover within 60 s');
      await sleep(50);
    }
  }
}
