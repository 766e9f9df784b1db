/**
 * Reads the JUnit report pytest writes for ceph/s3-tests into one outcome per test, ranked
 * as the suite's own summarize_junit.py ranks them: a test pytest reports twice (a teardown
 * error after its body) counts by its worse outcome.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Outcome, TestResult } from './expectations.js';

const RANK: Record<Outcome, number> = { passed: 0, skipped: 1, error: 2, failed: 3 };

interface RawCase {
  '@_classname'?: string;
  '@_name'?: string;
  failure?: { '@_message'?: string } | string;
  error?: { '@_message'?: string } | string;
  skipped?: { '@_message'?: string } | string;
}

function outcomeOf(test: RawCase): { outcome: Outcome; message: string } {
  for (const outcome of ['failure', 'error', 'skipped'] as const) {
    const node = test[outcome];
    if (node === undefined) continue;
    const message = typeof node === 'object' ? (node['@_message'] ?? '') : '';
    const name: Outcome = outcome === 'failure' ? 'failed' : outcome;
    return { outcome: name, message: message.split('\n')[0]!.slice(0, 200) };
  }
  return { outcome: 'passed', message: '' };
}

/** Every test case of a report, keyed `module::name` (module without its package path). */
export function parseJunit(xml: string): TestResult[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    htmlEntities: true,
    isArray: (name) => name === 'testcase' || name === 'testsuite',
  });
  const doc = parser.parse(xml) as {
    testsuites?: { testsuite?: { testcase?: RawCase[] }[] };
    testsuite?: { testcase?: RawCase[] }[];
  };
  const suites = doc.testsuites?.testsuite ?? doc.testsuite ?? [];
  const byId = new Map<string, TestResult>();
  for (const suite of suites) {
    for (const test of suite.testcase ?? []) {
      const module = (test['@_classname'] ?? '').split('.').pop() ?? '';
      const id = `${module}::${test['@_name'] ?? ''}`;
      const result = { id, ...outcomeOf(test) };
      const seen = byId.get(id);
      if (!seen || RANK[result.outcome] > RANK[seen.outcome]) byId.set(id, result);
    }
  }
  return [...byId.values()];
}
