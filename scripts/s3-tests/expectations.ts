/**
 * The expected-failures list of the public S3 suite (ceph/s3-tests) and the comparison of a
 * run against it. Pure: the runner (main.ts) reads the files and prints. The list is prose a
 * reviewer reads: every test on it sits under a `## reason` heading, so no test is excused
 * without one.
 */

/** One test the list excuses, with the reason heading it sits under. */
export interface ExpectedFailure {
  /** `module::test_name`, e.g. `test_s3::test_versioning_obj_create_read_remove`. */
  id: string;
  reason: string;
  line: number;
}

/** A test's outcome in a JUnit report. */
export type Outcome = 'passed' | 'failed' | 'error' | 'skipped';

/** One test case of a run. */
export interface TestResult {
  id: string;
  outcome: Outcome;
  message: string;
}

/**
 * Parses the list: `## reason` headings, each followed by `module::test` lines; blank lines
 * and `#` comments are ignored. Throws on a test before any reason or listed twice.
 */
export function parseExpectedFailures(text: string): Map<string, ExpectedFailure> {
  const out = new Map<string, ExpectedFailure>();
  let reason: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    const lineNo = index + 1;
    if (line === '' || (line.startsWith('#') && !line.startsWith('##'))) return;
    if (line.startsWith('##')) {
      reason = line.slice(2).trim();
      if (reason === '') throw new Error(`line ${lineNo}: a reason heading needs text`);
      return;
    }
    if (!/^test_[a-z0-9_]+::test_[A-Za-z0-9_]+(\[[^\]\s]*\])?$/.test(line)) {
      throw new Error(`line ${lineNo}: expected 'module::test_name', got '${line}'`);
    }
    if (reason === undefined)
      throw new Error(`line ${lineNo}: ${line} has no '## reason' above it`);
    if (out.has(line)) throw new Error(`line ${lineNo}: ${line} is listed twice`);
    out.set(line, { id: line, reason, line: lineNo });
  });
  return out;
}

/** What a run says against the list. */
export interface Comparison {
  /** Failed or errored and not on the list: these fail the run. */
  unexpected: TestResult[];
  /** On the list and passed: the list should shrink. */
  fixed: TestResult[];
  /** On the list and failed, as expected. */
  expected: TestResult[];
  passed: number;
  skipped: number;
}

/** Compares a run with the list; only tests that ran are judged. */
export function compareRun(
  results: readonly TestResult[],
  expected: ReadonlyMap<string, ExpectedFailure>,
): Comparison {
  const comparison: Comparison = { unexpected: [], fixed: [], expected: [], passed: 0, skipped: 0 };
  for (const result of results) {
    const listed = expected.has(result.id);
    if (result.outcome === 'skipped') comparison.skipped++;
    else if (result.outcome === 'passed') {
      comparison.passed++;
      if (listed) comparison.fixed.push(result);
    } else if (listed) comparison.expected.push(result);
    else comparison.unexpected.push(result);
  }
  return comparison;
}
