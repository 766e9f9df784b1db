/**
 * `cairn-admin cluster …`, `member-status`, `ring-status`, `transfers`: riak-admin's
 * cluster commands, spoken to a storage node's admin interface (--node, CAIRN_NODE).
 * Bad input and refusals print one clear line and exit non-zero; nothing is changed.
 */
import type { Command } from 'commander';
import type { Plan, StagedChange } from '../../ring/core/membership.js';
import type { Ring } from '../../ring/core/ring.js';
import type { TransferStatus } from '../../ring/node/handoff.js';
import { nodeAddress, nodeCall, nodeTargetOf, type NodeTarget } from './node-target.js';
import { membershipTable, planText, ringStatusText } from './render-cluster.js';
import { orEmbeddedRing, type RingView } from './embedded-ring.js';
import { registerTransfersCommand } from './transfers-command.js';

interface NodeStatus {
  nodeId: string;
  ring: Ring;
  upNodes: string[];
  transfers: TransferStatus[];
}

// The names the commands below were written against, kept so their bodies stay as they were.
type Target = NodeTarget;
const targetOf = nodeTargetOf;

const NODE_HELP = `
Speaks to a storage node (cairn node): --node HOST:PORT or NAME@HOST:PORT
(CAIRN_NODE; default 127.0.0.1:8087), signed with the cluster cookie:
--cookie SECRET (CAIRN_COOKIE). The embedded store (cairn start) has no
storage node: member-status and ring-status answer for its one member
(through --url and the admin keys); the other commands need a cluster.`;

/** The node's name (the part a ring knows it by) from `name@host[:port]`. */
function nodeName(node: string): string {
  return node.replace(/:\d+$/, '');
}

async function call<T>(target: Target, path: string, body?: unknown): Promise<T> {
  return nodeCall<T>(target, path, body);
}

const print = (text: string) => process.stdout.write(text + '\n');

/** Adds the cluster command group and the status commands. */
export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('stage and commit membership changes (needs --node and --cookie)')
    .addHelpText('after', NODE_HELP);
  registerJoinLeave(cluster, program);
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
  addNodeHelp(program, cluster);
}

/** cluster join, leave and force-remove. */
function registerJoinLeave(cluster: Command, program: Command): void {
  cluster
    .command('join <name@host:port>')
    .description(
      "stage joining the --node's node to the cluster of the node at name@host:port " +
        '(e.g. dev1@127.0.0.1:8101)',
    )
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
}

const embeddedMembers = (view: RingView) => membershipTable(view.ring, new Set(view.upNodes), []);
const embeddedRingStatus = (view: RingView) => ringStatusText(view.ring, new Set(view.upNodes));

/** Says under each node command's --help what it speaks to and what it needs. */
function addNodeHelp(program: Command, cluster: Command): void {
  const needNode = ['member-status', 'ring-status', 'transfers'];
  for (const command of [...cluster.commands, ...program.commands]) {
    if (command.parent === cluster || needNode.includes(command.name())) {
      command.addHelpText('after', NODE_HELP);
    }
  }
}

function registerStatusCommands(program: Command): void {
  program
    .command('member-status')
    .description('members, their ring share and pending share (needs --node and --cookie)')
    .action(() => orEmbeddedRing(program, memberStatus, embeddedMembers));
  const memberStatus = async () => {
    const target = await targetOf(program);
    const status = await call<NodeStatus>(target, '/admin/status');
    const plan = await call<{ staged: StagedChange[] }>(target, '/admin/cluster/plan', {}).catch(
      () => ({ staged: [] as StagedChange[] }),
    );
    const joining = plan.staged.filter((s) => s.kind === 'join').map((s) => s.nodeId);
    print(membershipTable(status.ring, new Set(status.upNodes), joining));
  };
  program
    .command('ring-status')
    .description('claimant, pending handoffs, unreachable nodes (needs --node and --cookie)')
    .action(() => orEmbeddedRing(program, ringStatus, embeddedRingStatus));
  const ringStatus = async () => {
    const status = await call<NodeStatus>(await targetOf(program), '/admin/status');
    print(ringStatusText(status.ring, new Set(status.upNodes)));
  };
  registerTransfersCommand(program, async () => {
    const target = await targetOf(program);
    return { ...target, ask: <T>(path: string) => call<T>(target, path) };
  });
}
