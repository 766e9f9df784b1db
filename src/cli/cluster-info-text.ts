/**
 * The text of a `cairn-admin cluster-info` bundle, from what was gathered: the front end's
 * answer, a storage node's status, log tails. Pure, and careful: log lines are redacted
 * (secrets printed at start-up, cookies) before they are written anywhere.
 */
import type { Ring } from '../../ring/core/ring.js';
import type { TransferStatus } from '../../ring/node/handoff.js';
import { banner, membershipTable, ringStatusText, transfersText } from './render-cluster.js';
import { gcStatusText, type GcStatusJson } from './render-gc.js';
import { statusText as stanchionText } from './stanchion-commands.js';
import { storageStatusText } from './storage-batch-commands.js';

/** What the bundle is made of; a part that could not be read is its error. */
export interface ClusterInfoParts {
  writtenAtMs: number;
  version: string;
  url: string;
  frontEnd: Record<string, unknown> | { error: string };
  node?:
    | { nodeId: string; ring: Ring; upNodes: string[]; transfers: TransferStatus[] }
    | { error: string };
  logs: Array<{ path: string; lines: string[] } | { path: string; error: string }>;
}

const REDACTIONS: Array<[RegExp, string]> = [
  [/(SECRET[A-Z_]*\s*[=:]\s*)\S+/gi, '$1(hidden)'],
  [/("(?:key_secret|secret|secretAccessKey|cookie|token)"\s*:\s*)"[^"]*"/gi, '$1"(hidden)"'],
  [/(--(?:cookie|metrics-token)[ =])\S+/g, '$1(hidden)'],
  [/(x-cairn-cookie"?\s*[:=]\s*"?)[^",\s]+/gi, '$1(hidden)'],
  [/((?:CAIRN_COOKIE|distributed_cookie)\s*[=:]\s*)\S+/g, '$1(hidden)'],
];

/** A log line with secrets hidden. */
export function redactLine(line: string): string {
  return REDACTIONS.reduce((text, [pattern, hidden]) => text.replace(pattern, hidden), line);
}

function section(title: string, body: string): string {
  return `${banner(title)}\n${body.trimEnd()}\n\n`;
}

/** The whole bundle. */
export function clusterInfoText(parts: ClusterInfoParts): string {
  let text =
    `Cairn cluster-info, written ${new Date(parts.writtenAtMs).toISOString()} ` +
    `by cairn-admin ${parts.version}\nStore: ${parts.url}\n\n`;
  text += frontEndText(parts.frontEnd, parts.writtenAtMs);
  if (parts.node === undefined) {
    text += section('Storage node', "(no --node given: the ring above is the front end's view)");
  } else if ('error' in parts.node) {
    text += section('Storage node', `(not reachable: ${parts.node.error})`);
  } else {
    const up = new Set(parts.node.upNodes);
    text += section(
      `member-status (from ${parts.node.nodeId})`,
      membershipTable(parts.node.ring, up),
    );
    text += section('ring-status', ringStatusText(parts.node.ring, up));
    text += section(
      'transfers',
      transfersText(parts.node.ring, parts.node.transfers, parts.writtenAtMs),
    );
  }
  for (const log of parts.logs) {
    const body =
      'error' in log ? `(not readable: ${log.error})` : log.lines.map(redactLine).join('\n');
    text += section(`log ${log.path}`, body);
  }
  return text;
}

function frontEndText(answer: ClusterInfoParts['frontEnd'], nowMs: number): string {
  if ('error' in answer && Object.keys(answer).length === 1) {
    return section('Front end', `(not reachable: ${String(answer['error'])})`);
  }
  const info = answer as Record<string, unknown>;
  const lines = Object.entries((info['process'] ?? {}) as Record<string, unknown>).map(
    ([name, value]) => `${name}: ${String(value)}`,
  );
  let text = section('Front end', [`version: ${String(info['version'])}`, ...lines].join('\n'));
  text += section('Settings (secrets hidden)', ((info['settings'] as string[]) ?? []).join('\n'));
  text += section('Ring (as the front end sees it)', ringText(info['ring']));
  text += section(
    'Stanchion',
    partText(info['stanchion'], (s) => stanchionText(s as never)),
  );
  text += section(
    'Garbage collection',
    partText(info['gc'], (gc) => gcStatusText(gc as GcStatusJson, nowMs)),
  );
  text += section(
    'Storage accounting',
    partText(info['storage'], (s) => {
      const storage = s as { batch?: Record<string, unknown>; schedule?: unknown };
      return storage.batch
        ? storageStatusText({ ...storage.batch, schedule: storage.schedule })
        : '(usage accounting is off)';
    }),
  );
  return text;
}

function partText(part: unknown, render: (part: unknown) => string): string {
  if (part && typeof part === 'object' && 'error' in part && !Array.isArray(part)) {
    return `(not readable: ${String((part as { error: unknown }).error)})`;
  }
  return render(part);
}

function ringText(ring: unknown): string {
  const r = ring as {
    partitionCount: number;
    claimant: string;
    pendingTransfers: number;
    members: Array<{
      nodeId: string;
      status: string;
      address: string;
      partitions: number;
      up: boolean;
    }>;
  };
  const head =
    `partitions: ${r.partitionCount}, claimant: ${r.claimant}, ` +
    `pending transfers: ${r.pendingTransfers}`;
  const rows = r.members.map((m) =>
    [`  ${m.nodeId}`, m.status, m.up ? 'up' : 'down', `${m.partitions} partitions`, m.address].join(
      '  ',
    ),
  );
  return [head, ...rows].join('\n');
}
