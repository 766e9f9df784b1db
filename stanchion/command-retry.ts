/**
 * Why a front end waits for stanchion instead of failing at once: a takeover (the standby
 * claiming the leader record after the active one died) takes a few seconds, and clients
 * at their default retries (aws CLI v2: 3 attempts within ~3 s) give up sooner. So a
 * command that no stanchion accepted is sent again, with backoff, until one does or the
 * wait runs out. This is safe only because every command carries one id for all its
 * attempts: stanchion answers a command id it already applied with the first answer
 * (core/decide.ts), so a retry after an attempt that committed but whose answer was lost
 * can never apply it twice or answer a spurious refusal. It must never retry a refusal of
 * configuration (a request the cluster's key did not sign): waiting cannot fix that.
 * Time and randomness are passed in.
 */
import { StanchionUnavailableError } from './server.js';

/** How long to wait for an active stanchion, and the clock and timers to do it with. */
export interface CommandRetryOptions {
  /** Longest wait from the first attempt to the start of the last, in ms (0: one round). */
  waitMs: number;
  nowMs: () => number;
  sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1), for jitter. */
  random: () => number;
}

/** What one round over every stanchion address came to. */
export type RoundOutcome<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      /** Why each address failed, for the log (never sent to S3 clients). */
      failures: string[];
      /** Some stanchion answered 503 as a standby or one that stood down. */
      standbyAnswered: boolean;
      /** Only refusals waiting cannot fix (a 4xx such as 401): give up now. */
      hopeless: boolean;
    };

/** First delay between rounds, in ms; it doubles up to RETRY_DELAY_MAX_MS. */
export const RETRY_DELAY_FIRST_MS = 100;
/** Longest delay between rounds, in ms: a takeover is noticed within this of finishing. */
export const RETRY_DELAY_MAX_MS = 500;

/** The delay before round `round` + 1 (0-based), jittered down by up to a half. */
export function commandRetryDelayMs(round: number, random: number): number {
  const full = Math.min(RETRY_DELAY_MAX_MS, RETRY_DELAY_FIRST_MS * 2 ** Math.min(round, 10));
  return Math.round(full * (0.5 + random / 2));
}

/**
 * Runs `round` until it succeeds, it fails hopelessly, or `options.waitMs` has passed;
 * then throws StanchionUnavailableError (failingOver when a standby answered last).
 */
export async function retryThroughFailover<T>(
  round: () => Promise<RoundOutcome<T>>,
  options: CommandRetryOptions,
): Promise<T> {
  const startMs = options.nowMs();
  const deadlineMs = startMs + options.waitMs;
  for (let n = 0; ; n++) {
    const outcome = await round();
    if (outcome.ok) return outcome.value;
    const delayMs = commandRetryDelayMs(n, options.random());
    if (outcome.hopeless || options.nowMs() + delayMs > deadlineMs) {
      const tried = n === 0 ? '' : ` (${n + 1} rounds in ${options.nowMs() - startMs} ms)`;
      throw new StanchionUnavailableError(
        `no stanchion answered${tried}: ${outcome.failures.join('; ')}`,
        outcome.standbyAnswered,
      );
    }
    await options.sleep(delayMs);
  }
}
