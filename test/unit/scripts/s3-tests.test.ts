import { describe, expect, it } from 'vitest';
import {
  compareRun,
  parseExpectedFailures,
  type TestResult,
} from '../../../scripts/s3-tests/expectations.js';
import { parseJunit } from '../../../scripts/s3-tests/junit.js';

const LIST = `# comment
## Versioning is not built yet
test_s3::test_versioning_a
test_s3::test_copy_enc[sse-c-1024]

## A limit of Debian's botocore
test_headers::test_b
`;

describe('s3-tests: expected-failures list', () => {
  it('gives every test the reason heading above it', () => {
    const list = parseExpectedFailures(LIST);
    expect([...list.keys()]).toEqual([
      'test_s3::test_versioning_a',
      'test_s3::test_copy_enc[sse-c-1024]',
      'test_headers::test_b',
    ]);
    expect(list.get('test_headers::test_b')?.reason).toBe("A limit of Debian's botocore");
  });

  it('refuses a test without a reason, a test listed twice and a malformed line', () => {
    expect(() => parseExpectedFailures('test_s3::test_a\n')).toThrow(/no '## reason'/);
    expect(() => parseExpectedFailures('## r\ntest_s3::test_a\ntest_s3::test_a\n')).toThrow(
      /listed twice/,
    );
    expect(() => parseExpectedFailures('## r\ntest_a\n')).toThrow(/line 2/);
    expect(() => parseExpectedFailures('##\ntest_s3::test_a\n')).toThrow(/needs text/);
  });

  it('fails unlisted failures, reports listed passes, ignores listed failures', () => {
    const list = parseExpectedFailures(LIST);
    const results: TestResult[] = [
      { id: 'test_s3::test_versioning_a', outcome: 'failed', message: '' },
      { id: 'test_headers::test_b', outcome: 'passed', message: '' },
      { id: 'test_s3::test_new', outcome: 'error', message: 'boom' },
      { id: 'test_s3::test_ok', outcome: 'passed', message: '' },
      { id: 'test_s3::test_skip', outcome: 'skipped', message: '' },
    ];
    const comparison = compareRun(results, list);
    expect(comparison.unexpected.map((t) => t.id)).toEqual(['test_s3::test_new']);
    expect(comparison.fixed.map((t) => t.id)).toEqual(['test_headers::test_b']);
    expect(comparison.expected.map((t) => t.id)).toEqual(['test_s3::test_versioning_a']);
    expect(comparison).toMatchObject({ passed: 2, skipped: 1 });
  });
});

describe('s3-tests: JUnit report', () => {
  it('keys tests by module and name and keeps the worse of a doubled report', () => {
    const xml =
      '<?xml version="1.0"?><testsuites><testsuite name="pytest">' +
      '<testcase classname="s3tests.functional.test_s3" name="test_a" time="1"/>' +
      '<testcase classname="s3tests.functional.test_s3" name="test_b" time="1">' +
      '<failure message="AssertionError: x&#10;second line">trace</failure></testcase>' +
      '<testcase classname="s3tests.functional.test_s3" name="test_b" time="0">' +
      '<error message="teardown">trace</error></testcase>' +
      '<testcase classname="s3tests.functional.test_headers" name="test_c" time="0">' +
      '<skipped message="no"/></testcase>' +
      '</testsuite></testsuites>';
    expect(parseJunit(xml)).toEqual([
      { id: 'test_s3::test_a', outcome: 'passed', message: '' },
      { id: 'test_s3::test_b', outcome: 'failed', message: 'AssertionError: x' },
      { id: 'test_headers::test_c', outcome: 'skipped', message: 'no' },
    ]);
  });
});
