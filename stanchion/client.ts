/**
 * How front ends reach stanchion. The embedded store calls the server in-process; a cluster
 * front end speaks HTTP to every stanchion it knows until the active one answers. Both
 * give each command an id, so a retry after a timeout or a failover is answered, not
 * applied twice.
 */
import { randomUUID } from 'node:crypto';
import type { Command, CommandResult } from './core/commands.js';
import { STANCHION_COOKIE_HEADER } from './http-server.js';
import { StanchionUnavailableError, type StanchionServer } from './server.js';

/** Submits mutations to stanchion. */
export interface StanchionClient {
  execute(command: Command): Promise<CommandResult>;
}

function withId(command: Command): Command {
  return command.id === undefined ? { ...command, id: randomUUID() } : command;
}

/** A client for a stanchion running in this process. */
export class LocalStanchionClient implements StanchionClient {
  constructor(private readonly server: StanchionServer) {}

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

  constructor(
    private readonly addresses: readonly string[],
    private readonly cookie: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async execute(command: Command): Promise<CommandResult> {
    const body = JSON.stringify(withId(command));
    const errors: string[] = [];
    for (let i = 0; i < this.addresses.length; i++) {
      const index = (this.preferred + i) % this.addresses.length;
      try {
        const response = await fetch(`http://${this.addresses[index]}/command`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [STANCHION_COOKIE_HEADER]: this.cookie },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (response.status === 200) {
          this.preferred = index;
          return (await response.json()) as CommandResult;
        }
        errors.push(`${this.addresses[index]}: HTTP ${response.status}`);
      } catch (error) {
        errors.push(`${this.addresses[index]}: ${(error as Error).message}`);
      }
    }
    throw new StanchionUnavailableError(`no stanchion answered: ${errors.join('; ')}`);
  }
}
