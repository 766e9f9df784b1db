/**
 * How front ends reach stanchion. The embedded store calls the server in-process; a cluster
 * front end speaks HTTP to every stanchion it knows until the active one answers. Both
 * give each command an id, so a retry after a timeout or a failover is answered, not
 * applied twice.
 */
import { randomUUID } from 'node:crypto';
import type { ChangeAnswer, LogPosition } from './core/change-feed.js';
import type { Command, CommandResult } from './core/commands.js';
import { realScheduler } from '../ring/real-scheduler.js';
import type { InternalClient } from '../ring/transport/internal-client.js';
import {
  retryThroughFailover,
  type CommandRetryOptions,
  type RoundOutcome,
} from './command-retry.js';
import { StanchionUnavailableError, type StanchionServer, type StanchionStatus } from './server.js';

/** How long a command waits for an active stanchion by default, in ms (stanchion.wait). */
export const STANCHION_WAIT_MS_DEFAULT = 10_000;

/** Submits mutations to stanchion. */
export interface StanchionClient {
  execute(command: Command): Promise<CommandResult>;
  /** Where it sends commands, the one that answered last first (absent: in-process). */
  addresses?(): string[];
  /** Tries `address` first from now on, until the process restarts (stanchion switch). */
  switchTo?(address: string): void;
  /** Each stanchion's status, or why it did not answer (for diagnostics). */
  statuses?(): Promise<StanchionAnswer[]>;
  /** The role of the stanchion at `address` (its unsigned /ping); rejects when none answers. */
  ping?(address: string): Promise<string>;
  /**
   * What changed after `from`, from the active stanchion within its lease
   * (StanchionServer.changesSince); rejects when none can say. Front ends' caches use it.
   */
  changes?(from: LogPosition): Promise<ChangeAnswer>;
}

/** One stanchion's answer to a status request. */
export type StanchionAnswer =
  { address: string; status: StanchionStatus } | { address: string; error: string };

function withId(command: Command): Command {
  return command.id === undefined ? { ...command, id: randomUUID() } : command;
}

/** A client for a stanchion running in this process. */
export class LocalStanchionClient implements StanchionClient {
  constructor(private readonly server: StanchionServer) {}

  statuses(): Promise<StanchionAnswer[]> {
    return Promise.resolve([{ address: 'in-process', status: this.server.status() }]);
  }

  execute(command: Command): Promise<CommandResult> {
    return this.server.execute(withId(command));
  }

  // async: a throw of changesSince becomes a rejection, as over HTTP.
  async changes(from: LogPosition): Promise<ChangeAnswer> {
    return this.server.changesSince(from);
  }
}

/**
 * A client for stanchion processes over HTTP: tries each address in turn, starting with
 * the one that answered last, and again while a takeover runs (up to `waitMs`); when none
 * answers, StanchionUnavailableError (the front end says 503).
 */
export class HttpStanchionClient implements StanchionClient {
  private preferred = 0;
  /**
   * Where change checks start: apart from `preferred`, so that a frequent read only the
   * active stanchion answers never undoes an operator's `stanchion switch`.
   */
  private changesPreferred = 0;
  private list: string[];

  private readonly timeoutMs: number;
  private readonly retry: CommandRetryOptions;

  /**
   * @param options.timeoutMs - longest wait for one stanchion's answer to a command, in ms.
   * @param options.waitMs - how long a command waits for an active stanchion (a takeover)
   *   before the front end answers 503, in ms (default STANCHION_WAIT_MS_DEFAULT).
   */
  constructor(
    addresses: readonly string[],
    private readonly client: InternalClient,
    options: { timeoutMs?: number; waitMs?: number; retry?: Partial<CommandRetryOptions> } = {},
  ) {
    this.list = [...addresses];
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retry = {
      waitMs: options.waitMs ?? STANCHION_WAIT_MS_DEFAULT,
      // A clock that never jumps measures the wait; timers go through the Scheduler.
      nowMs: () => performance.now(),
      sleep: (ms) => realScheduler.sleep(ms, { label: 'stanchion-command-retry' }),
      random: Math.random,
      ...options.retry,
    };
  }

  addresses(): string[] {
    return [...this.list.slice(this.preferred), ...this.list.slice(0, this.preferred)];
  }

  statuses(): Promise<StanchionAnswer[]> {
    return Promise.all(this.list.map((address) => this.statusOf(address)));
  }

  private async statusOf(address: string): Promise<StanchionAnswer> {
    return stanchionStatusOf(this.client, address);
  }

  async ping(address: string): Promise<string> {
    const reply = await this.client.request(address, {
      method: 'GET',
      path: '/ping',
      timeoutMs: 5000,
    });
    const role = (JSON.parse(reply.body.toString('utf8')) as { role?: unknown }).role;
    if (reply.status !== 200 || typeof role !== 'string') throw new Error('not a stanchion');
    return role;
  }

  /**
   * Asks the stanchion that answered last, then the others, with a short timeout: a front
   * end waits on this before serving from its cache, and falls back to the ring when none
   * answers, so a paused stanchion must not hold requests for long.
   */
  async changes(from: LogPosition, timeoutMs = 1000): Promise<ChangeAnswer> {
    const path = `/changes?epoch=${from.epoch}&seq=${from.seq}`;
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const index = (this.changesPreferred + i) % list.length;
      try {
        const reply = await this.client.request(list[index]!, { method: 'GET', path, timeoutMs });
        if (reply.status === 200) {
          if (list === this.list) this.changesPreferred = index;
          return JSON.parse(reply.body.toString('utf8')) as ChangeAnswer;
        }
      } catch {
        // Down or slow: the next one may be the active stanchion.
      }
    }
    throw new StanchionUnavailableError('no stanchion could say what changed');
  }

  switchTo(address: string): void {
    this.list = [address, ...this.list.filter((a) => a !== address)];
    this.preferred = 0;
    this.changesPreferred = 0;
  }

  /**
   * Sends `command` to each stanchion in turn, starting with the one that answered last,
   * and again with backoff while none is active (a takeover), for up to the wait: one id
   * for every attempt, so stanchion applies it once (see command-retry.ts).
   */
  async execute(command: Command): Promise<CommandResult> {
    const body = Buffer.from(JSON.stringify(withId(command)));
    return retryThroughFailover(() => this.executeRound(body), this.retry);
  }

  private async executeRound(body: Buffer): Promise<RoundOutcome<CommandResult>> {
    const failures: string[] = [];
    let standbyAnswered = false;
    let hopeless = true;
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const index = (this.preferred + i) % list.length;
      try {
        const reply = await this.client.request(list[index]!, {
          method: 'POST',
          path: '/command',
          body,
          contentType: 'application/json',
          timeoutMs: this.timeoutMs,
        });
        if (reply.status === 200) {
          if (list === this.list) this.preferred = index;
          return { ok: true, value: JSON.parse(reply.body.toString('utf8')) as CommandResult };
        }
        failures.push(`${list[index]}: ${httpError(reply)}`);
        standbyAnswered ||= reply.status === 503 && roleOf(reply.body) === 'standby';
        // 4xx: unsigned (another cookie), another secret key file, too large: not a takeover.
        hopeless &&= reply.status >= 400 && reply.status < 500;
      } catch (error) {
        failures.push(`${list[index]}: ${(error as Error).message}`);
        hopeless = false;
      }
    }
    return { ok: false, failures, standbyAnswered, hopeless };
  }
}

/** The role a stanchion's error answer names (http-server.ts), if any. */
function roleOf(body: Buffer): unknown {
  try {
    return (JSON.parse(body.toString('utf8')) as { role?: unknown }).role;
  } catch {
    return undefined;
  }
}

/**
 * An error answer and why: a 401 (a request the cluster's key did not sign) and a 400 (a
 * front end with another secret key file: see http-server.ts) say so in their body.
 */
function httpError(reply: { status: number; body: Buffer }): string {
  if (reply.status !== 401 && reply.status !== 400) return `HTTP ${reply.status}`;
  try {
    const why = (JSON.parse(reply.body.toString('utf8')) as { error?: string }).error;
    return `HTTP ${reply.status}: ${why}`;
  } catch {
    return `HTTP ${reply.status}`;
  }
}

/** One stanchion's GET /status, signed by `client`; the error instead when it fails. */
export async function stanchionStatusOf(
  client: InternalClient,
  address: string,
): Promise<StanchionAnswer> {
  try {
    const reply = await client.request(address, {
      method: 'GET',
      path: '/status',
      timeoutMs: 5000,
    });
    if (reply.status !== 200) return { address, error: httpError(reply) };
    return { address, status: JSON.parse(reply.body.toString('utf8')) as StanchionStatus };
  } catch (error) {
    return { address, error: (error as Error).message };
  }
}
