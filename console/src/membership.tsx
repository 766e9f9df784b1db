/**
 * Staged membership changes, as riak-admin's `cluster join|leave`, `plan`, `commit`,
 * `clear`: nothing changes until the admin commits the plan it was shown.
 */
import { useState } from 'preact/hooks';
import { api } from './api.js';
import type { Ring } from './cluster-types.js';
import { PlanView, type Plan } from './plan-view.js';
import { count } from './format.js';

/** What a commit answers. */
interface Committed {
  committed: number;
  epoch?: number | null;
}

type Run = (path: string, body: unknown, said: (answer: unknown) => string) => Promise<void>;

/** A commit in words: the changes staged, the ring epoch it made, the transfers to follow. */
function committedText({ committed: transfers, epoch }: Committed, plan: Plan | undefined) {
  const changes = count(plan?.staged.length ?? 0, 'change');
  const ring = typeof epoch === 'number' ? `; ring epoch ${epoch}` : '';
  return `Committed: ${changes}${ring}; ${count(transfers, 'partition')} to transfer.`;
}

/** Stage a join (of a node by address) or a leave (of a member). */
function StageForms({ members, run }: { members: Array<{ nodeId: string }>; run: Run }) {
  const submitJoin = (event: Event) => {
    event.preventDefault();
    const node = String(new FormData(event.currentTarget as HTMLFormElement).get('node') ?? '');
    void run('join', { node: node.trim() }, () => `Staged: ${node} joins.`);
  };
  const submitLeave = (event: Event) => {
    event.preventDefault();
    const nodeId = String(new FormData(event.currentTarget as HTMLFormElement).get('nodeId'));
    void run('leave', { nodeId }, () => `Staged: ${nodeId} leaves.`);
  };
  return (
    <>
      <form onSubmit={submitJoin} class="inline">
        <label for="join-node">Join node (HOST:PORT)</label>
        <input id="join-node" name="node" placeholder="127.0.0.1:8087" required />
        <button type="submit">Stage join</button>
      </form>
      <form onSubmit={submitLeave} class="inline">
        <label for="leave-node">Member to leave</label>
        <select id="leave-node" name="nodeId">
          {members.map((m) => (
            <option value={m.nodeId}>{m.nodeId}</option>
          ))}
        </select>
        <button type="submit">Stage leave</button>
      </form>
    </>
  );
}

/** The admin's membership form. */
export function Membership(props: { embedded: boolean; ring: Ring; done: () => void }) {
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [plan, setPlan] = useState<Plan | undefined>(undefined);
  if (props.embedded) {
    return (
      <div class="panel">
        <h2>Membership</h2>
        <p>The embedded store is one member; join and leave need a cluster.</p>
      </div>
    );
  }
  const run: Run = async (path, body, said) => {
    setError('');
    try {
      const answer = await api<unknown>('POST', `cluster/${path}`, body);
      setMessage(said(answer));
      if (path === 'plan') setPlan(answer as Plan);
      if (path === 'commit' || path === 'clear') setPlan(undefined);
      props.done();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const committed = (a: unknown) => committedText(a as Committed, plan);
  return (
    <div class="panel">
      <h2>Membership</h2>
      <StageForms members={props.ring.members} run={run} />
      <div class="actions">
        <button type="button" onClick={() => void run('plan', {}, () => 'Plan computed.')}>
          Plan
        </button>
        <button
          type="button"
          disabled={!plan || typeof plan.plan === 'string'}
          onClick={() => void run('commit', {}, committed)}
        >
          Commit
        </button>
        <button
          type="button"
          onClick={() => void run('clear', {}, () => 'Staged changes cleared.')}
        >
          Clear
        </button>
      </div>
      {plan && <PlanView plan={plan} ring={props.ring} />}
      {message && <p role="status">{message}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
