/**
 * A membership plan in words: the staged changes, then each node's ownership now and after
 * the commit, and how many partitions move (riak-admin cluster plan).
 */
import type { Ring } from './cluster-types.js';
import { count } from './format.js';

/** What /console/api/cluster/plan answers (the claimant's plan). */
export interface Plan {
  staged: Array<{ kind: string; nodeId: string }>;
  /** The claimant's ring now. */
  ring?: Ring;
  plan: string | { ring?: Ring; transfers: unknown[] };
}

const KINDS: Record<string, string> = {
  join: 'join',
  leave: 'leave',
  'force-remove': 'force-remove',
  replace: 'replace',
};

/** The plan shown before a commit. */
export function PlanView({ plan, ring }: { plan: Plan; ring: Ring }) {
  return (
    <div class="plan" aria-label="Plan">
      <h3>Plan</h3>
      {plan.staged.length === 0 ? (
        <p>Nothing is staged.</p>
      ) : (
        <ul>
          {plan.staged.map((c) => (
            <li>
              {KINDS[c.kind] ?? c.kind} {c.nodeId}
            </li>
          ))}
        </ul>
      )}
      {typeof plan.plan === 'string' ? (
        <p>Cannot commit: {plan.plan}</p>
      ) : (
        <>
          <p>{count(plan.plan.transfers.length, 'partition transfer')} will follow the commit.</p>
          {plan.plan.ring && <Ownership now={plan.ring ?? ring} next={plan.plan.ring} />}
        </>
      )}
    </div>
  );
}

function Ownership({ now, next }: { now: Ring; next: Ring }) {
  const nodes = [...new Set([...now.members, ...next.members].map((m) => m.nodeId))];
  // Where each partition ends up: its next owner once its transfer is done, else its owner.
  const share = (ring: Ring, id: string) => {
    const n = ring.owners.filter((o, i) => (ring.nextOwners[i] ?? o) === id).length;
    return n === 0 ? 'none' : `${n} (${((100 * n) / ring.partitionCount).toFixed(1)}%)`;
  };
  return (
    <table aria-label="Ownership after the commit">
      <thead>
        <tr>
          <th>Node</th>
          <th>Owns now</th>
          <th>After the commit</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((id) => (
          <tr>
            <td>{id}</td>
            <td>{share(now, id)}</td>
            <td>{share(next, id)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
