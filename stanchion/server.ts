/**
 * The stanchion shell: one explicit, bounded single-writer queue in front of decide(). Each
 * command is decided against the current state, its events are logged (synced), applied,
 * and projected to the ring, and only then answered. Nothing else mutates the state.
 */
import type { RingClient } from '../ring/client.js';
import { CommandLog } from './command-log.js';
import type { Command, CommandResult, StanchionEvent } from './core/commands.js';
import { applyEvent, decide, emptyState, type StanchionState } from './core/decide.js';
import { projectEvent } from './projection.js';

/** Raised when stanchion is unreachable, stopping or its queue is full: callers answer 503. */
export class StanchionUnavailableError extends Error {
  readonly code = 'STANCHION_UNAVAILABLE';
}

interface Pending {
  command: Command;
  resolve: (result: CommandResult) => void;
  reject: (error: unknown) => void;
}

/** The serializer for one cluster. */
export class StanchionServer {
  private readonly queue: Pending[] = [];
  private running = false;
  private closed = false;

  private constructor(
    private readonly log: CommandLog,
    private readonly ring: RingClient,
    private readonly state: StanchionState,
    private readonly queueLengthMax: number,
  ) {}

  /** Opens the log in `dir`, replays it, and re-projects it to the ring. */
  static async open(
    dir: string,
    ring: RingClient,
    options: { queueLengthMax?: number } = {},
  ): Promise<StanchionServer> {
    const log = await CommandLog.open(dir);
    const state = emptyState();
    for await (const entry of log.replay()) {
      for (const event of entry.events) {
        applyEvent(state, event);
        await projectEvent(ring, event);
      }
    }
    return new StanchionServer(log, ring, state, options.queueLengthMax ?? 1024);
  }

  /** Submits a command; resolves with its result once it is durable and visible. */
  execute(command: Command): Promise<CommandResult> {
    if (this.closed) return Promise.reject(new StanchionUnavailableError('stanchion is stopping'));
    if (this.queue.length >= this.queueLengthMax) {
      return Promise.reject(new StanchionUnavailableError('stanchion queue is full'));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** Queue length and the last applied sequence number, for `cairn-admin stanchion status`. */
  status(): { role: 'active'; queueLength: number; users: number; buckets: number } {
    return {
      role: 'active',
      queueLength: this.queue.length,
      users: this.state.users.size,
      buckets: this.state.buckets.size,
    };
  }

  /** Finishes queued commands, then closes the log. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await new Promise((r) => setTimeout(r, 5));
    await this.log.close();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const pending = this.queue.shift()!;
      try {
        pending.resolve(await this.executeOne(pending.command));
      } catch (error) {
        pending.reject(error);
      }
    }
    this.running = false;
  }

  private async executeOne(command: Command): Promise<CommandResult> {
    const { events, result } = decide(this.state, command);
    if (events.length === 0) return result;
    await this.log.append(events);
    for (const event of events) applyEvent(this.state, event);
    for (const event of events) await this.projectWithRetry(event);
    return result;
  }

  /**
   * Projects a logged event to the ring, retrying through a short ring outage (a handoff
   * settling, a node restarting): the event is already decided and durable, so giving up
   * early would only turn a success into a 503 that the client's retry then contradicts.
   */
  private async projectWithRetry(event: StanchionEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await projectEvent(this.ring, event);
      } catch (error) {
        if (attempt >= 4) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      }
    }
  }
}
