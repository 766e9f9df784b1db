/**
 * Shows an import's progress: on a terminal, one line redrawn a few times a second (a bar,
 * objects, bytes, rate, ETA); otherwise nothing here (the run logs a line per bucket).
 */
import type { WriteStream } from 'node:tty';
import { progressLine, type ProgressState } from './core/progress.js';

const REDRAW_MS = 250;

/** The counters a run advances, and their drawing. */
export class Progress {
  readonly state: ProgressState;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly terminal: WriteStream | undefined,
    nowMs: number,
  ) {
    this.state = {
      objectsDone: 0,
      objectsTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      startedAtMs: nowMs,
    };
  }

  /** Whether a bar is drawn (the output is a terminal). */
  get drawn(): boolean {
    return this.terminal !== undefined;
  }

  /** Starts redrawing. */
  start(): void {
    if (!this.terminal || this.timer) return;
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  /** Prints a line above the bar (or plainly, off a terminal). */
  log(line: string, plain: NodeJS.WritableStream): void {
    if (!this.terminal) return void plain.write(line + '\n');
    this.terminal.write(`\r\x1b[K${line}\n`);
    this.draw();
  }

  private draw(): void {
    const columns = this.terminal?.columns || 80;
    this.terminal?.write(`\r\x1b[K${progressLine(this.state, Date.now(), columns)}`);
  }

  /** Stops redrawing and clears the bar. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.terminal) {
      this.draw();
      this.terminal.write('\n');
    }
  }
}
