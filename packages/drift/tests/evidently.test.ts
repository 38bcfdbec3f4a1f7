// Our Evidently-style tests against the real Evidently 0.4.40 on the same files: its outputs are committed in
// tests/fixtures/evidently/expected.json by make_fixtures.py (run with ../shared/tools/evidently/python).
// Kinds, test names, thresholds and decisions must be equal; scores to 1e-9 relative (p-values 1e-6).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectScore } from './helpers.js';
import {
  columnKind,
  defaultStatTest,
  evidentlyDatasetDrift,
  loadTable,
  tableFromRows,
  type EvidentlyOptions,
} from '../src/index.js';

const DIR = new URL('./fixtures/evidently/', import.meta.url);
const DEFAULTS: EvidentlyOptions = {
  pvalueThreshold: 0.05,
  distanceThreshold: 0.1,
  driftShare: 0.5,
  minRows: 1,
};

interface ExpectedColumn {
  column_type: 'num' | 'cat';
  stattest_name: string;
  stattest_threshold: number;
  drift_score: number | string;
  drift_detected: boolean;
}
interface ExpectedCase {
  name: string;
  reference: string;
  current: string;
  dataset: {
    number_of_columns: number;
    number_of_drifted_columns: number;
    share_of_drifted_columns: number;
    dataset_drift: boolean;
  };
  columns: Record<string, ExpectedColumn>;
}

const expected = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as { cases: ExpectedCase[] };

describe('Evidently parity on committed files (every default test)', () => {
  it('covers K-S, chi-square, Z, Wasserstein and Jensen-Shannon, drifted and not', () => {
    const tests = new Set(
      expected.cases.flatMap((c) => Object.values(c.columns).map((v) => v.stattest_name)),
    );
    expect(tests).toEqual(
      new Set([
        'K-S p_value',
        'chi-square p_value',
        'Z-test p_value',
        'Wasserstein distance (normed)',
        'Jensen-Shannon distance',
      ]),
    );
    expect(expected.cases.some((c) => c.dataset.dataset_drift)).toBe(true);
    expect(expected.cases.some((c) => !c.dataset.dataset_drift)).toBe(true);
  });
  for (const c of expected.cases) {
    it(c.name, async () => {
      const reference = await loadTable(new URL(c.reference, DIR).pathname);
      const current = await loadTable(new URL(c.current, DIR).pathname);
      const pairs = reference.header.map(
        (h) => [reference.columns.get(h)!, current.columns.get(h)!] as const,
      );
      const result = evidentlyDatasetDrift(pairs, DEFAULTS);
      expect(result.columns.map((r) => r.column).sort()).toEqual(Object.keys(c.columns).sort());
      for (const r of result.columns) {
        const e = c.columns[r.column]!;
        const what = `${c.name}/${r.column}`;
        expect(r.column_type, what).toBe(e.column_type);
        expect(r.stattest_name, what).toBe(e.stattest_name);
        expect(r.stattest_threshold, what).toBe(e.stattest_threshold);
        expect(r.drift_detected, what).toBe(e.drift_detected);
        expectScore(r.drift_score, Number(e.drift_score), r.stattest_name!.endsWith('p_value'), what);
      }
      expect(result.number_of_columns).toBe(c.dataset.number_of_columns);
      expect(result.number_of_drifted_columns).toBe(c.dataset.number_of_drifted_columns);
      expect(result.share_of_drifted_columns).toBeCloseTo(c.dataset.share_of_drifted_columns, 12);
      expect(result.dataset_drift).toBe(c.dataset.dataset_drift);
    });
  }
});

describe('Evidently selection rules', () => {
  it('picks the test by kind, reference size and distinct values', () => {
    expect(defaultStatTest('num', 1000, 6)).toBe('ks');
    expect(defaultStatTest('num', 1000, 5)).toBe('chisquare');
    expect(defaultStatTest('num', 1000, 2)).toBe('z');
    expect(defaultStatTest('cat', 1000, 3)).toBe('chisquare');
    expect(defaultStatTest('cat', 1000, 2)).toBe('z');
    expect(defaultStatTest('num', 1001, 6)).toBe('wasserstein');
    expect(defaultStatTest('num', 1001, 5)).toBe('jensenshannon');
    expect(defaultStatTest('cat', 1001, 40)).toBe('jensenshannon');
  });
  it('types columns by the reference dtype, with the target rule', () => {
    const t = tableFromRows(
      't.csv',
      ['a', 'b', 'target', 'flag'],
      [
        ['1', 'x', '1', 'True'],
        ['2', 'y', '2', 'False'],
      ],
    );
    const col = (n: string) => t.columns.get(n)!;
    expect(col('a').dtype).toBe('int64');
    expect(col('flag').dtype).toBe('bool');
    expect(columnKind(col('a'), col('a'))).toBe('num');
    expect(columnKind(col('b'), col('b'))).toBe('cat');
    expect(columnKind(col('flag'), col('flag'))).toBe('cat');
    expect(columnKind(col('target'), col('target'), 'classification')).toBe('cat');
    expect(columnKind(col('target'), col('target'), 'regression')).toBe('num');
  });
});
