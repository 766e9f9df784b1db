/** Times and counts as a person reads them on the console's pages. Pure. */

/** A duration in seconds as "45 s", "5 min", "1 h 30 min", "1 day"; "never" for infinity. */
export function duration(seconds: number | string): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return 'never';
  const s = Math.round(seconds);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) {
    const minutes = Math.round((s % 3600) / 60);
    return `${Math.floor(s / 3600)} h${minutes ? ` ${minutes} min` : ''}`;
  }
  const days = Math.round(s / 86_400);
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** How long before `nowMs` a moment was: "12 s ago"; `never` when there is none. */
export function ago(atMs: number | null | undefined, nowMs: number, never = 'not yet'): string {
  if (atMs === null || atMs === undefined) return never;
  return `${duration(Math.max(0, (nowMs - atMs) / 1000))} ago`;
}

/** How long after `nowMs` a moment comes: "in 40 s" (or "now" once passed). */
export function until(atMs: number | null | undefined, nowMs: number): string {
  if (atMs === null || atMs === undefined) return 'not reported';
  return atMs <= nowMs ? 'now' : `in ${duration((atMs - nowMs) / 1000)}`;
}

/** "1 partition", "3 partitions". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}
