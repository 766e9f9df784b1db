/**
 * How front ends reach stanchion. The embedded store calls the server in-process; a cluster
 * front end speaks HTTP to every stanchion it knows until the active one answers. Both
 * give each command an id, so a retry after a timeout or a failover is answered, not
 * applied twice.
 */
import { randomUUID } from 'node:crypto';
import type { Command, CommandResult } from './core/commands.js';
import { STANCHION_COOKIE_HEADER } from './http-server.js';
import { StanchionUnavailableError, type StanchionServer, type StanchionStatus } from './server.js';

/** Submits mutations to stanchion. */
export interface StanchionClient {
  execute(command: Command): Promise<CommandResult>;
  /** Where it sends commands, the one that answered last first (absent: in-process). */
  addresses?(): string[];
  /** Tries `address` first from now on, until the process restarts (stanchion switch). */
  switchTo?(address: string): void;
  /** Each stanchion's status, or why it did not answer (for diagnostics). */
  statuses?(): Promise<StanchionAnswer[]>;
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
}

/**
 * A client for stanchion processes over HTTP: tries each address in turn, starting with
 * the one that answered last; when none answers, StanchionUnavailableError (the front end
 * says 503).
 */
export class HttpStanchionClient implements StanchionClient {
  private preferred = 0;
  private list: string[];

  constructor(
    addresses: readonly string[],
    private readonly cookie: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.list = [...addresses];
  }

  addresses(): string[] {
    return [...this.list.slice(this.preferred), ...this.list.slice(0, this.preferred)];
  }

  statuses(): Promise<StanchionAnswer[]> {
    return Promise.all(this.list.map((address) => this.statusOf(address)));
  }

  private async statusOf(address: string): Promise<StanchionAnswer> {
    try {
      const response = await fetch(`http://${address}/status`, {
        headers: { [STANCHION_COOKIE_HEADER]: this.cookie },
        signal: AbortSignal.timeout(5000),
      });
      if (response.status !== 200) return { address, error: `HTTP ${response.status}` };
      return { address, status: (await response.json()) as StanchionStatus };
    } catch (error) {
      return { address, error: (error as Error).message };
    }
  }

  switchTo(address: string): void {
    this.list = [address, ...this.list.filter((a) => a !== address)];
    this.preferred = 0;
  }

  async execute(command: Command): Promise<CommandResult> {
    const body = JSON.stringify(withId(command));
    const errors: string[] = [];
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const index = (this.preferred + i) % list.length;
      try {
        const response = await fetch(`http://${list[index]}/command`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [STANCHION_COOKIE_HEADER]: this.cookie },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (response.status === 200) {
          if (list === this.list) this.preferred = index;
          return (await response.json()) as CommandResult;
        }
        // A refusal says why (a front end with another key file: see http-server.ts).
        const why =
          response.status === 400
            ? `: ${((await response.json()) as { error?: string }).error}`
            : '';
        errors.push(`${list[index]}: HTTP ${response.status}${why}`);
      } catch (error) {
        errors.push(`${list[index]}: ${(error as Error).message}`);
      }
    }
    throw new StanchionUnavailableError(`no stanchion answered: ${errors.join('; ')}`);
  }
}
