/**
 * Parses the Linux /proc files the harness reads to cost a server: CPU time from
 * `/proc/<pid>/stat`, memory from `/proc/<pid>/status` and disk writes from `/proc/<pid>/io`.
 * Kept apart from the reads so the parsing is tested on fixed text.
 */

/**
 * User plus system CPU time of a process, in clock ticks (`utime` + `stime`, fields 14 and 15
 * of `/proc/<pid>/stat`). The command name may hold spaces and parentheses, so fields are
 * counted from the last `)`.
 */
export function parseStatCpuTicks(statText: string): number {
  const close = statText.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/<pid>/stat line');
  // After ") " the fields start at field 3 (state); utime is field 14, stime field 15.
  const fields = statText
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error('utime/stime missing from /proc/<pid>/stat');
  }
  return utime + stime;
}

/** A `Name:  123 kB` field of `/proc/<pid>/status` (e.g. `VmHWM`), in KiB. */
export function parseStatusKb(statusText: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(statusText);
  if (!match) throw new Error(`${field} missing from /proc/<pid>/status`);
  return Number(match[1]);
}

/** A `name: 123` field of `/proc/<pid>/io` (e.g. `write_bytes`), in bytes. */
export function parseIoField(ioText: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)$`, 'm').exec(ioText);
  if (!match) throw new Error(`${field} missing from /proc/<pid>/io`);
  return Number(match[1]);
}
