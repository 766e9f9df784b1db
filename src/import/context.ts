/**
 * What every phase of an import shares: both stores, the admin keys of each, the accounts
 * brought across, the report being filled in, progress and the interrupt signal.
 */
import type { SourceUser } from './core/plan.js';
import type { ImportReport } from './core/report.js';
import type { Progress } from './progress-bar.js';
import type { Keys } from './s3-http.js';
import type { Store } from './store.js';

/** A source user and whether the target now holds it with the same keys. */
export interface Account {
  user: SourceUser;
  keys: Keys;
  /** Why it is not on the target (so its buckets and objects cannot be written), if so. */
  missing?: string;
}

/** The shared state of one run. */
export interface ImportContext {
  source: Store;
  target: Store;
  sourceAdmin: Keys;
  targetAdmin: Keys;
  /** Accounts by canonical id. */
  accounts: Map<string, Account>;
  report: ImportReport;
  progress: Progress;
  /** Where plain log lines go. */
  log: (line: string) => void;
  concurrency: number;
  signal: AbortSignal;
}

/** The message of anything thrown. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
