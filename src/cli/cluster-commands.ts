/**
 * `cairn-admin cluster …`, `member-status`, `ring-status`, `transfers`: riak-admin's
 * cluster commands, spoken to a storage node's admin interface (--node, CAIRN_NODE).
 * Bad input and refusals print one clear line and exit non-zero; nothing is changed.
 */
import type { Command } from 'commander';
import type { Plan, StagedChange } from '../../ring/core/membership.js';
import type { Ring } from '../../ring/core/ring.js';
import type { TransferStatus } from '../../ring/node/handoff.js';
import { peerCall } from '../../ring/transport/peer-client.js';
import type { InternalClient } from '../../ring/transport/internal-client.js';
import { internalClientOf } from './internal-client-of.js';
import { membershipTable, planText, ringStatusText } from './render-cluster.js';
import { registerTransfersCommand } from './transfers-command.js';

interface NodeStatus {
  nodeId: string;
  ring: Ring;
  upNodes: string[];
  transfers: TransferStatus[];
}

interface Target {
  node: string;
  client: InternalClient;
}

async function targetOf(program: Command): Promise<Target> {
  const opts = program.opts<{ node?: string }>();
  return {
    node: opts.node ?? process.env.CAIRN_NODE ?? '127.0.0.1:8087',
    client: await internalClientOf(program),
  };
}

/** `name@host[:port]` or `host:port` → host:port (port defaults to 8087). */
export function nodeAddress(node: string): string {
  const at = node.indexOf('@');
  const hostPort = at < 0 ? node : node.slice(at + 1);
  if (!/^[\w.-]+(:\d{1,5})?$/.test(hostPort)) throw new Error(`not a node: ${node}`);
  return hostPort.includes(':') ? hostPort : `${hostPort}:8087`;
}

/** The node's name (the part a ring knows it by) from `name@host[:port]`. */
function nodeName(node: string): string {
  return node.replace(/:\d+$/, '');
}

async function call<T>(target: Target, path: string, body?: unknown): Promise<T> {
  return peerCall<T>(target.client, target.node, path, { body, timeoutMs: 15_000 });
}

const print = (text: string) => process.stdout.write(text + '\n');

/** Adds the cluster command group and the status commands. */
export function registerClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('stage and commit membership changes');
  cluster
    .command('join <node>')
    .description('stage joining the cluster of <node>')
    .action(async (node: string) => {
      const target = await targetOf(program);
      await call(target, '/admin/cluster/join', { target: nodeAddress(node) });
      const self = await call<NodeStatus>(target, '/admin/status');
      print(`Success: staged join request for '${self.nodeId}' to '${nodeName(node)}'`);
    });
  for (const kind of ['leave', 'force-remove'] as const) {
    cluster
      .command(`${kind} [node]`)
      .description(`stage ${kind} of a node (default: this one)`)
      .action(async (node?: string) => {
        const target = await targetOf(program);
        const nodeId = node
          ? nodeName(node)
          : (await call<NodeStatus>(target, '/admin/status')).nodeId;
        await call(target, '/admin/cluster/stage', { kind, nodeId } satisfies StagedChange);
        print(`Success: staged ${kind} request for '${nodeId}'`);
      });
  }
  cluster
    .command('replace <node1> <node2>')
    .description('stage replacing node1 by node2')
    .action(async (node1: string, node2: string) => {
      const change: StagedChange = {
        kind: 'replace',
        nodeId: nodeName(node1),
        by: nodeName(node2),
      };
      await call(await targetOf(program), '/admin/cluster/stage', change);
      print(`Success: staged replacement of '${change.nodeId}' with '${change.by}'`);
    });
  cluster
    .command('plan')
    .description('show what committing the staged changes would do')
    .action(async () => {
      const target = await targetOf(program);
      const answer = await call<{ staged: StagedChange[]; plan: Plan | string }>(
        target,
        '/admin/cluster/plan',
        {},
      );
      const status = await call<NodeStatus>(target, '/admin/status');
      print(planText(answer.staged, answer.plan, new Set(status.upNodes)));
    });
  cluster
    .command('commit')
    .description('commit the staged changes')
    .action(async () => {
      const answer = await call<{ committed: number }>(
        await targetOf(program),
        '/admin/cluster/commit',
        {},
      );
      print(`Cluster changes committed (${answer.committed} transfers)`);
    });
  cluster
    .command('clear')
    .description('drop the staged changes')
    .action(async () => {
      await call(await targetOf(program), '/admin/cluster/clear', {});
      print('Cleared staged cluster changes');
    });
  registerStatusCommands(program);
}

function registerStatusCommands(program: Command): void {
  program
    .command('member-status')
    .description('members, their ring share and pending share')
    .action(async () => {
      const target = await targetOf(program);
      const status = await call<NodeStatus>(target, '/admin/status');
      const plan = await call<{ staged: StagedChange[] }>(target, '/admin/cluster/plan', {}).catch(
        () => ({ staged: [] as StagedChange[] }),
      );
      const joining = plan.staged.filter((s) => s.kind === 'join').map((s) => s.nodeId);
      print(membershipTable(status.ring, new Set(status.upNodes), joining));
    });
  program
    .command('ring-status')
    .description('claimant, pending handoffs, unreachable nodes')
    .action(async () => {
      const status = await call<NodeStatus>(await targetOf(program), '/admin/status');
      print(ringStatusText(status.ring, new Set(status.upNodes)));
    });
  registerTransfersCommand(program, () => targetOf(program));
}
