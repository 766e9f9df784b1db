/** The JSON shape scripts compare runs by, and the text tables. */
import { describe, expect, it } from 'vitest';
import { ResultBook, benchDocument, roundFigure } from '../../../bench/core/results.js';
import { formatFigure, formatRatio, renderResults } from '../../../bench/core/report.js';

const PUT = { name: 'put-4KiB-c16', unit: 'ops/s', better: 'higher' } as const;
const MULTI = { name: 'put-64MiB-multipart', unit: 'MB/s', better: 'higher' } as const;

function sampleBook(): ResultBook {
  const book = new ResultBook();
  book.record(PUT, 'cairn', 1876.4321, 0);
  book.record(PUT, 'peer', 900.1, 2);
  book.record(PUT, 'ceiling', 7400);
  book.record(MULTI, 'cairn', null);
  book.note(MULTI, 'cairn: not implemented (501 NotImplemented)');
  return book;
}

describe('bench results: book and JSON document', () => {
  it('one entry per figure, in first-recorded order, roles side by side', () => {
    const entries = sampleBook().list();
    expect(entries.map((e) => e.name)).toEqual(['put-4KiB-c16', 'put-64MiB-multipart']);
    expect(entries[0]).toMatchObject({ cairn: 1876.4321, peer: 900.1, ceiling: 7400, errors: 2 });
  });

  it('the document is {"results": [{name, unit, cairn, peer?, ceiling?}]}, rounded', () => {
    const book = sampleBook();
    const machine = [{ name: 'md5-one-core', unit: 'MB/s', value: 612.345 }];
    const doc = benchDocument(book.list(), machine, {
      goals: [],
      errorSamples: ['x'],
      meta: { quick: true },
    });
    const parsed = JSON.parse(JSON.stringify(doc)) as typeof doc;
    expect(parsed.results[0]).toEqual({
      name: 'put-4KiB-c16',
      unit: 'ops/s',
      better: 'higher',
      cairn: 1876,
      peer: 900.1,
      ceiling: 7400,
      errors: 2,
    });
    expect(parsed.results[1]).toMatchObject({ name: 'put-64MiB-multipart', cairn: null });
    expect(parsed.results[1]).not.toHaveProperty('peer');
    expect(parsed.machine[0]!.value).toBe(612.3);
    expect(parsed.flagged).toBe(true);
  });

  it('a run without failed requests is not flagged; NaN is stored as null', () => {
    const book = new ResultBook();
    book.record(PUT, 'cairn', Number.NaN);
    const doc = benchDocument(book.list(), [], { goals: [], errorSamples: [], meta: {} });
    expect(doc.flagged).toBe(false);
    expect(doc.results[0]!.cairn).toBeNull();
    expect(roundFigure(Infinity)).toBeNull();
  });
});

describe('bench report: text', () => {
  it('formats figures and ratios for humans', () => {
    expect(formatFigure(7400.4)).toBe('7,400');
    expect(formatFigure(14.78)).toBe('14.8');
    expect(formatFigure(1.014)).toBe('1.01');
    expect(formatFigure(0.0123)).toBe('0.012');
    expect(formatFigure(null)).toBe('-');
    expect(formatRatio(1, 4)).toBe('0.25');
    expect(formatRatio(1, null)).toBe('-');
  });

  it('the table shows each figure with ratios, errors and notes', () => {
    const text = renderResults(sampleBook().list());
    const line = text.split('\n').find((l) => l.startsWith('put-4KiB-c16'))!;
    expect(line).toMatch(/1,876\s+7,400\s+0\.25\s+900\s+2\.08\s+ERRORS: 2/);
    expect(text).toContain('not implemented (501 NotImplemented)');
  });
});
