import { defineConfig } from 'vitest/config';
import SkipReasonsReporter from './test/reporters/skip-reasons.js';

// Integration tests start real cairn processes; each file gets its own, on a free port.
// Two workers at most: this is a 2-core machine and the servers need CPU too.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    // One scratch directory for the run (test/helpers/scratch-dir.ts), removed at its end.
    globalSetup: ['test/setup/scratch-root.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Marks every process the tests start as the suite's: a `cairn` that finds a CAIRN_TEST_*
    // variable (the suite's own knobs, inherited) refuses to start unless this is set.
    env: { CAIRN_TESTING: '1' },
    // The JSON report lets .ci/run print a plain 'N passed, N failed' closing line; the last
    // lists every skipped test with its reason (test/helpers/skip.ts).
    reporters: [
      'default',
      ['json', { outputFile: '.test-results.json' }],
      new SkipReasonsReporter(import.meta.dirname),
    ],
  },
});
