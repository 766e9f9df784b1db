/**
 * Deciding many queued commands at once (a group commit): each is decided against the state
 * as the ones before it in the batch leave it, exactly as if they had gone one at a time,
 * but nothing of the shell's state changes until the whole batch is durable. The shell then
 * writes the batch's entries to the ring log together, confirms its leadership once, syncs
 * them locally in one write and projects them together; only then does it answer.
 */
import type { Command, CommandResult, LogEntry } from './commands.js';
import { applyEntry, decide, makeEntry, type StanchionState } from './decide.js';

/**
 * One command's outcome in a batch: its answer (and entry, if it changed anything), or the
 * error deciding it threw, which fails that command alone, as it did one at a time.
 */
export type BatchAnswer = { result: CommandResult; entry?: LogEntry } | { error: unknown };

/** A batch decided: its entries in log order and every command's answer, in queue order. */
export interface DecidedBatch {
  entries: LogEntry[];
  answers: BatchAnswer[];
}

/**
 * A copy of `state` that applying entries to leaves `state` as it was. Records are never
 * changed in place (applyEvent replaces them), so copying the maps is enough; insertion
 * order, which decides which remembered answer is dropped first, is kept.
 */
export function copyState(state: StanchionState): StanchionState {
  return {
    users: new Map(state.users),
    userIdByEmail: new Map(state.userIdByEmail),
    userIdByKey: new Map(state.userIdByKey),
    buckets: new Map(state.buckets),
    bucketCountByOwner: new Map(state.bucketCountByOwner),
    results: new Map(state.results),
    appliedSeq: state.appliedSeq,
    epoch: state.epoch,
  };
}

/**
 * Decides `commands` in order at `epoch`, entries numbered on from `state.appliedSeq`.
 * `state` is not changed: a batch of one reads it directly, a larger one works on a copy.
 */
export function decideBatch(
  state: StanchionState,
  epoch: number,
  commands: readonly Command[],
): DecidedBatch {
  const scratch = commands.length > 1 ? copyState(state) : state;
  let seq = state.appliedSeq;
  const entries: LogEntry[] = [];
  const answers = commands.map((command): BatchAnswer => {
    let decision: ReturnType<typeof decide>;
    try {
      decision = decide(scratch, command);
    } catch (error) {
      return { error };
    }
    if (decision.events.length === 0) return { result: decision.result };
    const entry = makeEntry(++seq, epoch, command.id, decision);
    if (scratch !== state) applyEntry(scratch, entry);
    entries.push(entry);
    return { result: entry.result, entry };
  });
  return { entries, answers };
}
