/**
 * What the cluster may hold for each key the workload touched. An acknowledged PUT leaves
 * exactly its bytes; an acknowledged DELETE leaves nothing; a request that failed (error,
 * timeout, a node restarting) may or may not have happened, so it adds its outcome to the
 * ones already allowed. At the end every key is read back: a key whose only allowed state is
 * present and which reads back missing or with other bytes is a loss. Pure.
 */

/** sha256 hex and size of a body, or null for "no object". */
export type KeyState = { sha256: string; bytes: number } | null;

const ABSENT = 'absent';

function stateId(state: KeyState): string {
  return state === null ? ABSENT : `${state.sha256}:${state.bytes}`;
}

/** Verdict on one key's read-back. */
export type Verdict = 'ok' | 'lost' | 'corrupt' | 'resurrected';

/** The allowed states of every key, built from the workload's outcomes. */
export class Ledger {
  private readonly allowed = new Map<string, Set<string>>();

  /** An acknowledged write (`state` non-null) or delete (null): the only state now. */
  acknowledged(key: string, state: KeyState): void {
    this.allowed.set(key, new Set([stateId(state)]));
  }

  /** A write or delete whose outcome is unknown: its state joins the allowed ones. */
  uncertain(key: string, state: KeyState): void {
    const set = this.allowed.get(key) ?? new Set([ABSENT]);
    set.add(stateId(state));
    this.allowed.set(key, set);
  }

  /** The one state `key` must be in, when it is certain; undefined when not. */
  certain(key: string): KeyState | undefined {
    const set = this.allowed.get(key);
    if (set?.size !== 1) return undefined;
    const [id] = [...set];
    if (id === ABSENT) return null;
    const [sha256, bytes] = id!.split(':');
    return { sha256: sha256!, bytes: Number(bytes) };
  }

  /** Every key the workload touched. */
  keys(): string[] {
    return [...this.allowed.keys()];
  }

  /** How many keys must be present with certain bytes (acknowledged and not since in doubt). */
  acknowledgedPresent(): number {
    let count = 0;
    for (const set of this.allowed.values()) if (set.size === 1 && !set.has(ABSENT)) count++;
    return count;
  }

  /** Judges what `key` read back as. */
  judge(key: string, found: KeyState): Verdict {
    const set = this.allowed.get(key) ?? new Set([ABSENT]);
    if (set.has(stateId(found))) return 'ok';
    if (found === null) return 'lost';
    return set.has(ABSENT) && set.size === 1 ? 'resurrected' : 'corrupt';
  }
}
