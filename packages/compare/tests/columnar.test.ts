// The compact frame must give back every cell exactly as written, and the row grouping must be exact: these are
// what keep the reports byte-for-byte what they were when frames held every cell as a string.
import { describe, expect, it } from 'vitest';
import { compareDistribution, frameFromRows, groupRows, rowText } from '../src/index.js';
import {
  ks2samp,
  ks2sampSorted,
  psiQuantile,
  psiQuantileSorted,
  sortedFinite,
  wassersteinDistance,
  wassersteinSorted,
} from '@mlops/stats';

/** A small deterministic generator (Lehmer). */
function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

describe('frame: exact cell text from compact storage', () => {
  it('gives back tricky numeric spellings exactly', () => {
    const cells = [
      '0',
      '-0',
      '00',
      '1.',
      '+1',
      ' 1.5',
      '1.5 ',
      '3.0',
      '0.0',
      '-0.0',
      '0.10',
      '-0.5',
      '1e5',
      '1E-3',
      '.5',
      '0.000001',
      '0.0000001',
      '0.00000012',
      '123456789012345',
      '1234567890123456',
      '12345678901234567',
      '1.000000000000000',
      '0.1234567890123456789',
      '99999999999999999999999',
      'inf',
      '-Infinity',
      '+nan',
      '',
      'NA',
      'nan',
      ' NaN ',
      'null',
      '2.50',
      '-12.500',
      '100',
      '7.125000',
    ];
    const f = frameFromRows(
      't',
      ['x'],
      cells.map((c) => [c]),
    );
    const col = f.columns.get('x')!;
    expect(col.numbers).toBeDefined();
    expect(cells.map((_, i) => col.text(i))).toEqual(cells);
    expect(col.missingCount).toBe(5); // '', NA, nan, ' NaN ', null (pandas' list, after trimming)
  });
  it('gives back random decimals of every length exactly', () => {
    const r = rng(11);
    const cells: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const scale = 10 ** Math.floor(r() * 16 - 8);
      const v = (r() - 0.3) * scale;
      const d = Math.floor(r() * 12);
      cells.push(r() < 0.5 ? String(v) : v.toFixed(d));
    }
    const f = frameFromRows(
      't',
      ['x'],
      cells.map((c) => [c]),
    );
    const col = f.columns.get('x')!;
    for (let i = 0; i < cells.length; i++) if (col.text(i) !== cells[i]) expect(col.text(i)).toBe(cells[i]);
  });
  it('turns a numeric-looking column into text at its first word, keeping earlier cells exact', () => {
    const cells = ['1.50', '2', '', 'NA', ' 3 ', 'seven', '8.0'];
    const f = frameFromRows(
      't',
      ['x', 'y'],
      cells.map((c, i) => [c, String(i)]),
    );
    const col = f.columns.get('x')!;
    expect(col.dtype).toBe('object');
    expect(col.numbers).toBeUndefined();
    expect(cells.map((_, i) => col.text(i))).toEqual(cells);
    expect(col.missingCount).toBe(2);
    expect(rowText(f, 4)).toEqual([' 3 ', '4']);
  });
  it('widens an object column past 256 and 65,536 distinct texts', () => {
    const cells = Array.from({ length: 70000 }, (_, i) => `v${i % 66000}`);
    const f = frameFromRows(
      't',
      ['c'],
      cells.map((c) => [c]),
    );
    const col = f.columns.get('c')!;
    expect(col.codes).toBeInstanceOf(Int32Array);
    expect(col.levels).toHaveLength(66000);
    expect(col.text(69999)).toBe('v3999');
    expect(col.text(255)).toBe('v255');
  });
});

describe('groupRows: exact groups whatever the hash', () => {
  it('groups equal rows, counts per part, and keeps -0 = 0 and NaN = NaN', () => {
    const a = [
      { kind: 'number' as const, values: Float64Array.from([1, 0, NaN, 2, 1]) },
      { kind: 'id' as const, ids: Int32Array.from([5, 6, -1, 7, 5]) },
    ];
    const b = [
      { kind: 'number' as const, values: Float64Array.from([-0, 1, NaN, 2]) },
      { kind: 'code' as const, codes: Uint8Array.from([1, 0, 2, 1]), map: Int32Array.from([5, 6, -1]) },
    ];
    const g = groupRows([a, b], [5, 4]);
    const [ga, gb] = g.groupOf as [Int32Array, Int32Array];
    expect(ga[0]).toBe(ga[4]); // duplicate inside a part
    expect(gb[0]).toBe(ga[1]); // -0 with id 6 matches 0 with id 6
    expect(gb[1]).toBe(ga[0]);
    expect(gb[2]).toBe(ga[2]); // missing with missing
    expect(gb[3]).not.toBe(ga[3]); // (2, 6) vs (2, 7)
    expect(g.groupCount).toBe(5);
    expect([...g.counts[0]!]).toEqual([2, 1, 1, 1, 0]);
  });
  it('agrees with string keys on many random rows (collisions in the table are resolved exactly)', () => {
    const r = rng(5);
    const n = 5000;
    const vals = Float64Array.from({ length: n }, () => Math.floor(r() * 20) / 4);
    const ids = Int32Array.from({ length: n }, () => Math.floor(r() * 7));
    const g = groupRows(
      [
        [
          { kind: 'number', values: vals },
          { kind: 'id', ids },
        ],
      ],
      [n],
    );
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const k = `${vals[i]}|${ids[i]}`;
      if (!seen.has(k)) seen.set(k, g.groupOf[0]![i]!);
      expect(g.groupOf[0]![i]).toBe(seen.get(k));
    }
    expect(g.groupCount).toBe(seen.size);
  });
});

describe('statistics from samples sorted once equal @mlops/stats on the raw samples', () => {
  for (const [n1, n2] of [
    [300, 450],
    [12000, 15000],
  ] as const) {
    it(`KS, Wasserstein, PSI at ${n1} vs ${n2} rows (with ties)`, () => {
      const r = rng(n1);
      const x = Float64Array.from({ length: n1 }, () => Math.round(r() * 400) / 10);
      const y = Float64Array.from({ length: n2 }, () => Math.round((r() * 380 + 15) * 10) / 100);
      const xs = sortedFinite(x);
      const ys = sortedFinite(y);
      const ks = ks2samp(x, y);
      expect(ks2sampSorted(xs, ys)).toMatchObject({
        statistic: ks.statistic,
        pvalue: ks.pvalue,
        method: ks.method,
      });
      expect(wassersteinSorted(xs, ys)).toBe(wassersteinDistance(x, y));
      expect(psiQuantileSorted(ys, xs).psi).toBe(psiQuantile(y, x).psi);
    });
  }
});

describe('compareDistribution on rows that differ only in spelling', () => {
  it('matches 1.5 with 1.50 and Yes with yes, counts raw duplicates exactly', () => {
    const a = frameFromRows(
      'a',
      ['x', 'c'],
      [
        ['1.5', 'Yes'],
        ['1.5', 'Yes'],
        ['2', 'no'],
        ['3', 'no'],
      ],
    );
    const b = frameFromRows(
      'b',
      ['x', 'c'],
      [
        ['1.50', 'yes'],
        ['2.0', 'no'],
        ['4', 'no'],
      ],
    );
    const r = compareDistribution(a, b, { alpha: 0.05, maxExamples: 5 });
    expect(r.rows.matched).toBe(2);
    expect(r.rows.duplicatesInput).toBe(1);
    expect(r.rows.examplesOnlyInInput).toEqual([
      { row: 2, cells: ['1.5', 'Yes'] },
      { row: 4, cells: ['3', 'no'] },
    ]);
    expect(r.rows.examplesOnlyInReference).toEqual([{ row: 3, cells: ['4', 'no'] }]);
  });
});
