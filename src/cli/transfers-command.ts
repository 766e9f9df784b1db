/**
 * `cairn-admin transfers [--watch [seconds]] [--json]`: asks every member that is up for its
 * ownership and hinted handoffs (`/admin/transfers`; a node from before that route answers
 * from `/admin/status`), adds the ring's pending moves no node has started, and prints them.
 * `--watch` refreshes until Ctrl-C, clearing the screen only on a terminal.
 */
import type { Command } from 'commander';
import type { Ring } from '../../ring/core/ring.js';
import type { TransferReport } from '../../ring/core/transfer-progress.js';
import type { TransferStatus } from '../../ring/node/handoff.js';
import type { InternalClient } from '../../ring/transport/internal-client.js';
import { peerCall, PeerError } from '../../ring/transport/peer-client.js';
import {
  fromLegacyStatus,
  renderTransfers,
  waitingOwnership,
  type TransfersView,
} from './render-transfers.js';

/** The node `--node` names and the signed client to reach it. */
export interface TransfersTarget {
  node: string;
  client: InternalClient;
  /** Asks `node` itself, saying for the operator why it could not (cluster-commands' call). */
  ask?: <T>(path: string) => Promise<T>;
}

interface NodeStatus {
  ring: Ring;
  upNodes: string[];
  transfers: TransferStatus[];
}

/** A member that does not answer in this long is reported as not answering. */
const MEMBER_TIMEOUT_MS = 5_000;

/** Seconds between refreshes of `--watch` without a value. */
const WATCH_DEFAULT_SECONDS = 2;

/** `--watch`'s value: true (the default period) or seconds, 0.5 to 3600. */
export function watchSeconds(value: string | true): number {
  if (value === true) return WATCH_DEFAULT_SECONDS;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(seconds >= 0.5 && seconds <= 3600)) {
    throw new Error(`--watch takes seconds from 0.5 to 3600, not '${value.slice(0, 20)}'`);
  }
  return seconds;
}

async function memberTransfers(client: InternalClient, address: string): Promise<TransferReport[]> {
  const options = { timeoutMs: MEMBER_TIMEOUT_MS };
  try {
    const answer = await peerCall<{ transfers: TransferReport[] }>(
      client,
      address,
      '/admin/transfers',
      options,
    );
    return answer.transfers;
  } catch (error) {
    if (!(error instanceof PeerError && error.status === 404)) throw error;
    // A node from before /admin/transfers: its ownership transfers, no hints.
    const status = await peerCall<NodeStatus>(client, address, '/admin/status', options);
    return status.transfers.map(fromLegacyStatus);
  }
}

/** Collects the view from the cluster `target` belongs to. */
export async function collectTransfers(
  target: TransfersTarget,
  nowMs: () => number,
): Promise<TransfersView> {
  const status = target.ask
    ? await target.ask<NodeStatus>('/admin/status')
    : await peerCall<NodeStatus>(target.client, target.node, '/admin/status', {
        timeoutMs: 15_000,
      });
  const up = new Set(status.upNodes);
  const view: TransfersView = { nowMs: 0, transfers: [], unreachable: [] };
  await Promise.all(
    status.ring.members.map(async (m) => {
      if (!up.has(m.nodeId)) {
        view.unreachable.push({ nodeId: m.nodeId, reason: 'is down' });
        return;
      }
      try {
        view.transfers.push(...(await memberTransfers(target.client, m.address)));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        view.unreachable.push({ nodeId: m.nodeId, reason: `did not answer (${reason})` });
      }
    }),
  );
  const unanswered = new Set(view.unreachable.map((u) => u.nodeId));
  view.transfers.push(...waitingOwnership(status.ring, up, view.transfers, unanswered));
  view.unreachable.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  view.nowMs = nowMs();
  return view;
}

interface TransfersOptions {
  watch?: string | true;
  json?: boolean;
}

/** The text (or JSON) of one look at the transfers. */
async function snapshot(target: TransfersTarget, json: boolean, pretty: boolean) {
  const view = await collectTransfers(target, Date.now);
  if (json) return JSON.stringify(view, null, pretty ? 2 : undefined);
  const out = process.stdout;
  return renderTransfers(view, { tty: out.isTTY === true, columns: out.columns ?? 80 });
}

/** Refreshes every `seconds` until Ctrl-C, which exits 0 with the cursor on a fresh line. */
async function watch(target: TransfersTarget, seconds: number, json: boolean): Promise<void> {
  const tty = process.stdout.isTTY === true;
  process.once('SIGINT', () => {
    process.stdout.write('\n');
    process.exit(0);
  });
  for (;;) {
    const text = await snapshot(target, json, false).catch(
      (error: unknown) => `cannot read transfers: ${(error as Error).message}`,
    );
    if (tty && !json) process.stdout.write('\x1b[2J\x1b[H');
    const stamp = `Every ${seconds} s, ${new Date().toISOString()} (Ctrl-C to stop)`;
    process.stdout.write(json ? `${text}\n` : `${stamp}\n\n${text}\n${tty ? '' : '\n'}`);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
}

/** Adds `transfers`; `targetOf` resolves --node and the cookie as the other commands do. */
export function registerTransfersCommand(
  program: Command,
  targetOf: () => Promise<TransfersTarget>,
): void {
  program
    .command('transfers')
    .description('ownership and hinted handoffs: state, objects and bytes done of total, rate, ETA')
    .option('--watch [seconds]', `refresh every few seconds (${WATCH_DEFAULT_SECONDS})`)
    .option('--json', 'print the transfers as JSON, for scripts')
    .action(async (options: TransfersOptions) => {
      const json = options.json === true;
      if (options.watch !== undefined) {
        const seconds = watchSeconds(options.watch);
        return watch(await targetOf(), seconds, json);
      }
      process.stdout.write(`${await snapshot(await targetOf(), json, true)}\n`);
    });
}
