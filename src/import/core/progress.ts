/**
 * The progress line of an import on a terminal: objects and bytes done out of what the
 * survey found to copy, the rate, and the time left. Pure: the clock is an argument.
 */
import { formatBytes } from './report.js';

/** What has been done and what there is to do. */
export interface ProgressState {
  objectsDone: number;
  objectsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  startedAtMs: number;
}

/** 0:07, 1:02:03, or "--:--" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return hms[0]! > 0 ? `${hms[0]}:${pad(hms[1]!)}:${pad(hms[2]!)}` : `${hms[1]}:${pad(hms[2]!)}`;
}

/** One line of at most `columns` characters: a bar, counts, rate and ETA. */
export function progressLine(state: ProgressState, nowMs: number, columns: number): string {
  const elapsedSec = Math.max((nowMs - state.startedAtMs) / 1000, 0.001);
  const rate = state.bytesDone / elapsedSec;
  const fraction =
    state.bytesTotal > 0
      ? state.bytesDone / state.bytesTotal
      : state.objectsTotal > 0
        ? state.objectsDone / state.objectsTotal
        : 1;
  const left = Math.max(state.bytesTotal - state.bytesDone, 0);
  const eta = rate > 0 ? left / rate : state.bytesTotal === state.bytesDone ? 0 : Infinity;
  const text =
    ` ${state.objectsDone}/${state.objectsTotal} objects` +
    ` ${formatBytes(state.bytesDone)}/${formatBytes(state.bytesTotal)}` +
    ` ${formatBytes(rate)}/s ETA ${formatDuration(eta)}`;
  const barWidth = Math.max(Math.min(30, columns - text.length - 3), 0);
  const filled = Math.round(Math.min(Math.max(fraction, 0), 1) * barWidth);
  const bar = barWidth > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]` : '';
  return (bar + text).slice(0, Math.max(columns - 1, 0));
}
