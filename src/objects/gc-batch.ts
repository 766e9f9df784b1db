/**
 * A garbage-collection batch an operator starts (`cairn-admin gc batch`, Riak CS's
 * riak-cs-admin gc batch): it walks the whole GC queue in the background and collects the
 * entries its options name — due now; or queued at least `leewaySeconds` ago; or queued
 * between `startMs` and `endMs` — until it is done, canceled, or GC is paused. One batch
 * runs at a time in a process; `gc status` reports its progress.
 */
import type { GcControl } from './gc-control.js';
import type { GcQueue } from './gc-queue.js';

/** Which entries a batch collects. */
export interface GcBatchOptions {
  leewaySeconds?: number;
  startMs?: number;
  endMs?: number;
}

/** What `gc status` shows of the batch. */
export interface GcBatchState {
  running: boolean;
  startedAtMs?: number;
  finishedAtMs?: number;
  collected: number;
  options?: GcBatchOptions;
  canceled?: boolean;
  error?: string;
}

/** The batch of one process. */
export class GcBatch {
  private current: GcBatchState = { running: false, collected: 0 };
  private cancelRequested = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly queue: GcQueue,
    private readonly control: GcControl,
    private readonly clock: () => number,
    private readonly log: (message: string, error: unknown) => void = () => undefined,
  ) {}

  get state(): GcBatchState {
    return this.current;
  }

  /** Starts a batch; 'running' when one already is, 'paused' when GC is paused. */
  start(options: GcBatchOptions): 'started' | 'running' | 'paused' {
    if (this.current.running) return 'running';
    if (this.control.paused) return 'paused';
    this.cancelRequested = false;
    this.current = { running: true, startedAtMs: this.clock(), collected: 0, options };
    this.done = this.run(options);
    return 'started';
  }

  /** Stops the batch after the entry in hand; false when none was running. */
  cancel(): boolean {
    if (!this.current.running) return false;
    this.cancelRequested = true;
    return true;
  }

  /** Resolves once the batch under way (if any) has stopped. */
  settled(): Promise<void> {
    return this.done;
  }

  private async run(options: GcBatchOptions): Promise<void> {
    const nowMs = this.clock();
    const eligible = eligibility(options, nowMs);
    const stop = () => this.cancelRequested || this.control.paused;
    let collected = 0;
    try {
      collected = await this.queue.collectWhere(eligible, (soFar) => {
        this.current.collected = soFar;
        return stop();
      });
    } catch (error) {
      this.current.error = String(error);
      this.log('gc batch failed', error);
    } finally {
      this.current = {
        ...this.current,
        running: false,
        finishedAtMs: this.clock(),
        collected: Math.max(collected, this.current.collected),
        ...(stop() ? { canceled: true } : {}),
      };
    }
  }
}

/** Which queue entries a batch started at `nowMs` with `options` collects. */
export function eligibility(options: GcBatchOptions, nowMs: number) {
  return (entry: { dueMs: number; queuedMs: number }): boolean => {
    if (options.startMs !== undefined && entry.queuedMs < options.startMs) return false;
    if (options.endMs !== undefined && entry.queuedMs >= options.endMs) return false;
    if (options.leewaySeconds !== undefined) {
      return entry.queuedMs + options.leewaySeconds * 1000 <= nowMs;
    }
    return options.startMs !== undefined || options.endMs !== undefined || entry.dueMs <= nowMs;
  };
}
