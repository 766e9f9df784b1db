/**
 * Skipping a test with its reason kept: `it(name, skipWith(missingTool('boto')), fn)` skips
 * when there is a reason and records it in the test's meta, where the summary reporter
 * (test/reporters/skip-reasons.ts) finds it. Vitest's own `skipIf` keeps no reason, so a
 * skipped test would show none; test/unit/skip-reasons.test.ts refuses it in test files.
 */
import type { TestOptions } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** Why the test (or every test of the suite) was skipped. */
    skipReason?: string;
  }
}

/**
 * Options that skip a test or suite when `reason` is given, keeping the reason; with the
 * test's own time bound, if it has one (vitest reads no trailing timeout after options).
 */
export function skipWith(reason: string | undefined, timeoutMs?: number): TestOptions {
  const bound = timeoutMs === undefined ? {} : { timeout: timeoutMs };
  return reason === undefined ? bound : { ...bound, skip: true, meta: { skipReason: reason } };
}
