/**
 * A vitest reporter that ends the run with every skipped test and why: the note of
 * `ctx.skip(reason)`, or the reason kept by skipWith (test/helpers/skip.ts) on the test or a
 * suite above it. A skip with none says so, so nothing skips silently. Prints nothing when
 * nothing skipped.
 */
import type { Reporter, TestCase, TestModule, TestSuite, Vitest } from 'vitest/node';

/** One skipped test, as the summary lists it. */
export interface SkippedTest {
  /** The test file, relative to the project root. */
  file: string;
  /** Suite names and the test's own, joined with " > ". */
  name: string;
  reason: string | undefined;
}

/**
 * The summary's lines for `skipped`: grouped by reason, then by file. With `filtered` (a
 * run narrowed by -t), tests with no reason were left out by the filter: only counted.
 */
export function skipSummary(skipped: readonly SkippedTest[], filtered = false): string[] {
  const shown = filtered ? skipped.filter((test) => test.reason !== undefined) : skipped;
  const lines = shown.length > 0 ? [`Skipped ${shown.length} test(s):`] : [];
  const byReason = new Map<string, SkippedTest[]>();
  for (const test of shown) {
    const reason = test.reason ?? 'no reason given (use skipWith or ctx.skip(reason))';
    byReason.set(reason, [...(byReason.get(reason) ?? []), test]);
  }
  for (const [reason, tests] of byReason) {
    lines.push(`  ${reason}:`);
    for (const test of tests) lines.push(`    ${test.file} > ${test.name}`);
  }
  const left = skipped.length - shown.length;
  if (left > 0) lines.push(`${left} test(s) left out by the test name filter (-t)`);
  return lines;
}

/** The reason of a skipped test: its note, or the skipReason of it or a suite above it. */
function reasonOf(test: TestCase): string | undefined {
  const result = test.result();
  if (result.state === 'skipped' && result.note) return result.note;
  let task: TestCase | TestSuite | TestModule = test;
  for (;;) {
    const reason = task.meta().skipReason;
    if (reason) return reason;
    if (task.type === 'module') return undefined;
    task = task.parent;
  }
}

/** Prints {@link skipSummary} at the end of a run. */
export default class SkipReasonsReporter implements Reporter {
  private filtered = false;

  constructor(private readonly root: string = process.cwd()) {}

  onInit(vitest: Vitest): void {
    this.filtered = vitest.config.testNamePattern !== undefined;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped: SkippedTest[] = [];
    for (const module of modules) {
      const file = module.moduleId.startsWith(this.root + '/')
        ? module.moduleId.slice(this.root.length + 1)
        : module.moduleId;
      for (const test of module.children.allTests('skipped')) {
        skipped.push({ file, name: test.fullName, reason: reasonOf(test) });
      }
    }
    const lines = skipSummary(skipped, this.filtered);
    if (lines.length > 0) process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
