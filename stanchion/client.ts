/**
 * How front ends reach stanchion. The embedded store calls the server in-process; a cluster
 * front end will speak HTTP to it. Both implement StanchionClient, so src/ never knows.
 */
import type { Command, CommandResult } from './core/commands.js';
import type { StanchionServer } from './server.js';

/** Submits mutations and asks the one question front ends need answered by stanchion. */
export interface StanchionClient {
  execute(command: Command): Promise<CommandResult>;
}

/** A client for a stanchion running in this process. */
export class LocalStanchionClient implements StanchionClient {
  constructor(private readonly server: StanchionServer) {}

  execute(command: Command): Promise<CommandResult> {
    return this.server.execute(command);
  }
}
