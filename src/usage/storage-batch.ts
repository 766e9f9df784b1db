/**
 * A storage calculation an operator starts (`cairn-admin storage batch`, Riak CS's
 * riak-cs-admin storage batch): in the background, every user's every bucket is recounted
 * from its manifests (correcting the counters, as the reconciler does one bucket at a
 * time), then a storage sample of the user is archived for the current period. It can be
 * paused, resumed and canceled between buckets; `storage status` shows its progress.
 */
import type { RingClient } from '../../ring/client.js';
import { listUserBuckets, listUsers } from '../../stanchion/reader.js';
import type { UsageReconciler } from './reconciler.js';
import type { StorageUsage } from './storage-archive.js';

/** What `storage status` shows. */
export interface StorageBatchState {
  state: 'idle' | 'calculating' | 'paused';
  startedAtMs?: number;
  usersDone: number;
  usersLeft: number;
  bucketsCorrected: number;
  last?: { startedAtMs: number; finishedAtMs: number; users: number; canceled: boolean };
  error?: string;
}

const USERS_PAGE = 100;

/** The storage batch of one front end. */
export class StorageBatch {
  private current: StorageBatchState = {
    state: 'idle',
    usersDone: 0,
    usersLeft: 0,
    bucketsCorrected: 0,
  };
  private canceled = false;
  private resumed: (() => void) | undefined;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly ring: RingClient,
    private readonly storage: StorageUsage,
    private readonly reconciler: UsageReconciler,
    private readonly options: { slotMs: number },
    private readonly clock: () => number,
  ) {}

  get state(): StorageBatchState {
    return this.current;
  }

  /** Starts a batch; 'running' when one already is. */
  start(): 'started' | 'running' {
    if (this.current.state !== 'idle') return 'running';
    this.canceled = false;
    this.current = {
      ...this.current,
      state: 'calculating',
      startedAtMs: this.clock(),
      usersDone: 0,
      usersLeft: 0,
      bucketsCorrected: 0,
    };
    delete this.current.error;
    this.done = this.run();
    return 'started';
  }

  /** Pauses between buckets; false when nothing is calculating. */
  pause(): boolean {
    if (this.current.state !== 'calculating') return false;
    this.current.state = 'paused';
    return true;
  }

  /** Resumes a paused batch; false when none is paused. */
  resume(): boolean {
    if (this.current.state !== 'paused') return false;
    this.current.state = 'calculating';
    this.resumed?.();
    return true;
  }

  /** Stops the batch at the next bucket; false when none is running. */
  cancel(): boolean {
    if (this.current.state === 'idle') return false;
    this.canceled = true;
    this.resume();
    return true;
  }

  /** Resolves once the batch under way (if any) has stopped. */
  settled(): Promise<void> {
    return this.done;
  }

  private async run(): Promise<void> {
    const startedAtMs = this.current.startedAtMs!;
    try {
      this.current.usersLeft = await this.countUsers();
      await this.eachUser(async (user) => {
        for (const bucket of await listUserBuckets(this.ring, user.id)) {
          if (!(await this.goOn())) return false;
          const result = await this.reconciler.reconcile(bucket.id);
          if (result.outcome === 'corrected') this.current.bucketsCorrected++;
        }
        await this.storage.archiveUser(user, this.options.slotMs);
        this.current.usersDone++;
        this.current.usersLeft = Math.max(0, this.current.usersLeft - 1);
        return this.goOn();
      });
    } catch (error) {
      this.current.error = String(error);
    } finally {
      const finishedAtMs = this.clock();
      const users = this.current.usersDone;
      this.current = { ...this.current, state: 'idle', usersLeft: 0 };
      this.current.last = { startedAtMs, finishedAtMs, users, canceled: this.canceled };
    }
  }

  /** Waits while paused; false once canceled. */
  private async goOn(): Promise<boolean> {
    while (this.current.state === 'paused' && !this.canceled) {
      await new Promise<void>((resolve) => (this.resumed = resolve));
    }
    return !this.canceled;
  }

  private async countUsers(): Promise<number> {
    let count = 0;
    await this.eachUser(async () => {
      count++;
      return !this.canceled;
    });
    return count;
  }

  private async eachUser(
    visit: (user: Awaited<ReturnType<typeof listUsers>>[number]) => Promise<boolean>,
  ): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const users = await listUsers(this.ring, after, USERS_PAGE);
      for (const user of users) if (!(await visit(user))) return;
      if (users.length < USERS_PAGE) return;
      after = users.at(-1)!.keyId;
    }
  }
}
