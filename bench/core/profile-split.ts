/**
 * Splits one `.cpuprofile` of a mixed run (the bench's small phase: PUTs, then GETs) into
 * the parts where one request handler was running: time is cut into windows, each window
 * goes to the handler found in most of its stacks (at least `dominance` times any other),
 * and every sample of the window — HTTP parsing, socket writes and GC included, which no
 * handler's stack shows — counts for it. Pure: a profile in, one filtered profile per
 * handler out, for summarizeProfile.
 */
import type { CpuProfile } from './cpu-profile.js';

/** How windows are cut and labelled. */
export interface SplitOptions {
  /** Function names of the handlers (e.g. `putObject`, `getObject`). */
  handlers: readonly string[];
  /** Window length, µs; 250 ms by default. */
  windowUs?: number;
  /** How many times the top handler must outnumber each other one; 3 by default. */
  dominance?: number;
}

/** The profile restricted to the windows of each handler. */
export function splitProfileByHandler(
  profile: CpuProfile,
  options: SplitOptions,
): Map<string, CpuProfile> {
  const windowUs = options.windowUs ?? 250_000;
  const handlerOf = handlerLookup(profile, options.handlers);
  const times = sampleTimes(profile);
  const counts = new Map<number, Map<string, number>>();
  profile.samples.forEach((id, i) => {
    const handler = handlerOf(id);
    if (handler === undefined) return;
    const window = Math.floor(times[i]! / windowUs);
    const tally = counts.get(window) ?? new Map<string, number>();
    tally.set(handler, (tally.get(handler) ?? 0) + 1);
    counts.set(window, tally);
  });
  const labels = new Map<number, string>();
  for (const [window, tally] of counts) {
    const label = dominant(tally, options.dominance ?? 3);
    if (label !== undefined) labels.set(window, label);
  }
  const split = new Map<string, CpuProfile>();
  for (const handler of options.handlers) {
    const keep = profile.samples.map((_, i) => labels.get(Math.floor(times[i]! / windowUs)));
    const indexes = keep.flatMap((label, i) => (label === handler ? [i] : []));
    split.set(handler, {
      nodes: profile.nodes,
      samples: indexes.map((i) => profile.samples[i]!),
      timeDeltas: indexes.map((i) => profile.timeDeltas[i]!),
    });
  }
  return split;
}

/** Each sample's time from the start of the profile, µs. */
function sampleTimes(profile: CpuProfile): number[] {
  let at = 0;
  return profile.timeDeltas.map((delta) => (at += Math.max(0, delta)));
}

function dominant(tally: Map<string, number>, dominance: number): string | undefined {
  const sorted = [...tally].sort((a, b) => b[1] - a[1]);
  const [top, next] = sorted;
  if (!top) return undefined;
  return !next || top[1] >= dominance * next[1] ? top[0] : undefined;
}

/** Which handler (if any) a sampled node runs under, memoized per node. */
function handlerLookup(profile: CpuProfile, handlers: readonly string[]) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const memo = new Map<number, string | undefined>();
  const lookup = (id: number): string | undefined => {
    if (memo.has(id)) return memo.get(id);
    const name = byId.get(id)?.callFrame.functionName ?? '';
    const up = parent.get(id);
    const found = handlers.includes(name) ? name : up === undefined ? undefined : lookup(up);
    memo.set(id, found);
    return found;
  };
  return lookup;
}
