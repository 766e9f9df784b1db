/**
 * Settings of stanchion's log compaction (stanchion/core/snapshot.ts): how often the state
 * is snapshotted and how much log stays below a snapshot. Read by `cairn stanchion` and by
 * the stanchion inside `cairn start`.
 */
import { SNAPSHOT_DEFAULTS } from '../../stanchion/core/snapshot.js';
import { bytesType, integerType } from './core/types.js';
import type { Setting } from './setting.js';

/** stanchion.snapshot.*: when to snapshot, how long a tail to keep. */
export const STANCHION_SNAPSHOT_SETTINGS: Setting[] = [
  {
    name: 'snapshotEveryEntries',
    programs: ['start', 'stanchion'],
    type: integerType(100, 100_000_000),
    default: SNAPSHOT_DEFAULTS.everyEntries,
    help:
      "snapshot stanchion's state after this many log entries, then drop the log below " +
      'it (restart replays at most about this many)',
    flag: '--snapshot-every-entries <n>',
    env: 'CAIRN_STANCHION_SNAPSHOT_ENTRIES',
    key: 'stanchion.snapshot.every_entries',
  },
  {
    name: 'snapshotEveryBytes',
    programs: ['start', 'stanchion'],
    type: bytesType(64 * 1024, 16 * 1024 * 1024 * 1024),
    default: SNAPSHOT_DEFAULTS.everyBytes,
    help: 'snapshot also once this much log was written since the last snapshot',
    flag: '--snapshot-every-bytes <size>',
    env: 'CAIRN_STANCHION_SNAPSHOT_BYTES',
    key: 'stanchion.snapshot.every_bytes',
  },
  {
    name: 'snapshotLogTail',
    programs: ['start', 'stanchion'],
    type: integerType(0, 10_000_000),
    default: SNAPSHOT_DEFAULTS.tailEntries,
    help:
      'log entries kept below a snapshot, for a standby that lags a little (one further ' +
      'behind loads the snapshot)',
    flag: '--snapshot-log-tail <n>',
    env: 'CAIRN_STANCHION_SNAPSHOT_TAIL',
    key: 'stanchion.snapshot.log_tail',
  },
];

/** The snapshot policy the settings give. */
export function snapshotPolicyOf(s: Record<string, unknown>) {
  return {
    everyEntries: s['snapshotEveryEntries'] as number,
    everyBytes: s['snapshotEveryBytes'] as number,
    tailEntries: s['snapshotLogTail'] as number,
  };
}
