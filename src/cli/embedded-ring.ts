/**
 * member-status and ring-status for the embedded store (cairn start): it has no storage node
 * listening to ask, so when a command finds it instead of a node, the store's own view of
 * its one-member ring (GET /riak-cs/ring, admin-signed) is rendered as a node's would be.
 */
import type { Command } from 'commander';
import type { Ring } from '../../ring/core/ring.js';
import { adminRequest, resolveTarget, type TargetOptions } from './admin-client.js';
import { EmbeddedStoreError } from './endpoint-errors.js';

/** The ring and the members the store counts up. */
export interface RingView {
  ring: Ring;
  upNodes: string[];
}

/**
 * Runs `action`; when it met the embedded store, prints `render` of the store's ring
 * instead. Any other failure, or a store that cannot say (an older version), stands.
 */
export async function orEmbeddedRing(
  program: Command,
  action: () => Promise<void>,
  render: (view: RingView) => string,
): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof EmbeddedStoreError)) throw error;
    const view = await embeddedRingView(program);
    if (view === undefined) throw error;
    process.stdout.write(render(view) + '\n');
  }
}

async function embeddedRingView(program: Command): Promise<RingView | undefined> {
  try {
    const target = await resolveTarget(program.opts<TargetOptions>());
    const answer = await adminRequest(target, 'GET', '/riak-cs/ring');
    if (answer.status !== 200) return undefined;
    const view = JSON.parse(answer.text) as Partial<RingView> & { embedded?: unknown };
    if (view.embedded !== true || !view.ring || !Array.isArray(view.upNodes)) return undefined;
    return { ring: view.ring, upNodes: view.upNodes };
  } catch {
    return undefined;
  }
}
