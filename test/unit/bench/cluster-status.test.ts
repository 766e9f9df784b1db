/** Reading member-status and transfers, the dev cluster's ports, and the join figures. */
import { describe, expect, it } from 'vitest';
import {
  clusterPorts,
  movedFraction,
  ownershipConverged,
  parseDuBytes,
  parseMemberStatus,
  pickBasePort,
  transfersIdle,
} from '../../../bench/core/cluster-status.js';

const PENDING = `================================= Membership ==================================
Status     Ring    Pending    Node
-------------------------------------------------------------------------------
valid     48.4%      34.4%    'dev1@127.0.0.1'
valid     25.0%      32.8%    'dev2@127.0.0.1'
valid     26.6%      32.8%    'dev3@127.0.0.1'
-------------------------------------------------------------------------------
Valid:3 / Leaving:0 / Exiting:0 / Joining:0 / Down:0
`;

const SETTLED = `================================= Membership ==================================
Status     Ring    Pending    Node
-------------------------------------------------------------------------------
valid     34.4%         --    'dev1@127.0.0.1'
valid     32.8%         --    'dev2@127.0.0.1'
valid     32.8%         --    'dev3@127.0.0.1'
-------------------------------------------------------------------------------
Valid:3 / Leaving:0 / Exiting:0 / Joining:0 / Down:0
`;

describe('member-status parsing', () => {
  it('reads each member row, `--` as nothing pending', () => {
    expect(parseMemberStatus(PENDING)[0]).toEqual({
      status: 'valid',
      node: 'dev1@127.0.0.1',
      ringPercent: 48.4,
      pendingPercent: 34.4,
    });
    expect(parseMemberStatus(SETTLED).map((r) => r.pendingPercent)).toEqual([null, null, null]);
    expect(parseMemberStatus('Error: connect ECONNREFUSED')).toEqual([]);
  });

  it('converged: nothing pending, the expected member count, transfers idle', () => {
    expect(ownershipConverged(PENDING)).toBe(false);
    expect(ownershipConverged(SETTLED)).toBe(true);
    expect(ownershipConverged(SETTLED, 3)).toBe(true);
    expect(ownershipConverged(SETTLED, 4)).toBe(false);
    expect(ownershipConverged(SETTLED, 3, 'No transfers active\n')).toBe(true);
    expect(ownershipConverged(SETTLED, 3, "1 transfer from 'dev1' to 'dev4'")).toBe(false);
    expect(ownershipConverged('')).toBe(false);
    const joining = SETTLED.replace(
      "valid     32.8%         --    'dev3",
      "joining    0.0%         --    'dev3",
    );
    expect(ownershipConverged(joining, 3)).toBe(false);
  });

  it('transfers idle', () => {
    expect(transfersIdle('No transfers active')).toBe(true);
    expect(transfersIdle('Active transfers: 2')).toBe(false);
  });
});

describe('cluster ports and figures', () => {
  it('ports: devI on base+I, S3 on base+80, stanchion on base+85', () => {
    expect(clusterPorts(30_000, 3)).toEqual([
      30_001, 30_002, 30_003, 30_080, 30_081, 30_085, 30_086,
    ]);
  });

  it('base ports in 100-steps from 30000, all below 65535 with their offsets', () => {
    expect(pickBasePort(0)).toBe(30_000);
    expect(pickBasePort(0.5)).toBe(45_000);
    expect(pickBasePort(0.999999)).toBe(59_900);
    expect(pickBasePort(1)).toBe(59_900);
  });

  it('moved fraction: moved bytes over data x n_val; 1/5 is ideal for a 5th node', () => {
    expect(movedFraction(30e6, 50e6, 3)).toBeCloseTo(0.2);
    expect(movedFraction(0, 50e6, 3)).toBe(0);
    expect(movedFraction(1, 0, 3)).toBeNaN();
  });

  it('du -sb output', () => {
    expect(parseDuBytes('34123456\t/tmp/x/dev1\n')).toBe(34_123_456);
    expect(() => parseDuBytes('du: cannot access')).toThrow();
  });
});
