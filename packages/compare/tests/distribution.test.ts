import { describe, expect, it } from 'vitest';
import { compareDistribution, frameFromRows, type Frame } from '../src/index.js';

const opts = { alpha: 0.05, maxExamples: 5 };
const CLASSES = ['Normal_Weight', 'Obesity_Type_I', 'Overweight_Level_I'];

/** A deterministic synthetic table: a numeric column, a categorical one and a target. */
function table(name: string, n: number, shift = 0, lowerTarget = false, seed = 1): Frame {
  const rows: string[][] = [];
  let s = seed;
  const rand = () => (s = (s * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < n; i++) {
    const x = (rand() + rand() + rand()) * 10 + shift;
    const cls = CLASSES[Math.floor(rand() * 3)]!;
    rows.push([x.toFixed(4), rand() < 0.3 ? 'yes' : 'no', lowerTarget ? cls.toLowerCase() : cls]);
  }
  return frameFromRows(name, ['x', 'flag', 'NObeyesdad'], rows);
}

describe('compareDistribution', () => {
  it('finds no difference between identical inputs, and every row matched', () => {
    const a = table('a', 500);
    const r = compareDistribution(a, a, opts);
    expect(r.differs).toBe(false);
    expect(r.differingColumns).toEqual([]);
    expect(r.rows.matched).toBe(500);
    expect(r.rows.onlyInInput).toBe(0);
    expect(r.numeric[0]!.ks!.pvalue).toBe(1);
    expect(r.categorical.every((c) => c.chi2!.pvalue === 1)).toBe(true);
  });
  it('flags a shifted numeric column (KS p < alpha) and nothing else', () => {
    const r = compareDistribution(table('a', 600, 3, false, 7), table('b', 550, 0, false, 99), opts);
    expect(r.differs).toBe(true);
    expect(r.differingColumns).toEqual(['x']);
    expect(r.numeric[0]!.ks!.pvalue).toBeLessThan(1e-6);
    expect(r.numeric[0]!.input.mean - r.numeric[0]!.reference.mean).toBeCloseTo(3, 0);
    expect(r.checks.distributionsMatch).toBe(false);
  });
  it('matches target spellings case-insensitively and reports the mapping', () => {
    const r = compareDistribution(table('clean', 400, 0, true), table('ref', 400, 0, false), opts);
    expect(r.differs).toBe(false);
    const mapped = r.categoryMapping.filter((m) => m.column === 'NObeyesdad');
    expect(mapped).toContainEqual({
      column: 'NObeyesdad',
      category: 'normal_weight',
      input: ['normal_weight'],
      reference: ['Normal_Weight'],
    });
    expect(r.classBalance!.classes).toHaveLength(3);
    expect(r.classBalance!.classes.every((c) => c.inputCount === c.referenceCount)).toBe(true);
    // Same rows once the target is case-folded.
    expect(r.rows.matched).toBe(400);
  });
  it('flags a category whose frequencies moved (chi-square on the 2×k table)', () => {
    const a = frameFromRows('a', ['c'], [...Array(300).fill(['u']), ...Array(100).fill(['v'])]);
    const b = frameFromRows('b', ['c'], [...Array(200).fill(['u']), ...Array(200).fill(['v']), ['w']]);
    const r = compareDistribution(a, b, opts);
    expect(r.differingColumns).toEqual(['c']);
    expect(r.categorical[0]!.chi2!.dof).toBe(2);
    expect(r.categorical[0]!.categories).toContainEqual({ category: 'w', input: 0, reference: 1 });
  });
  it('counts duplicates and rows only in one file as multisets', () => {
    const a = frameFromRows(
      'a',
      ['k', 'v'],
      [
        ['1', 'x'],
        ['1', 'x'],
        ['2', 'y'],
        ['3', 'z'],
      ],
    );
    const b = frameFromRows(
      'b',
      ['k', 'v'],
      [
        ['1.0', 'X'],
        ['2', 'y'],
        ['2', 'y'],
        ['4', 'w'],
      ],
    );
    const r = compareDistribution(a, b, opts).rows;
    expect(r.duplicatesInput).toBe(1);
    expect(r.duplicatesReference).toBe(1);
    expect(r.matched).toBe(2); // one (1,x) and one (2,y)
    expect(r.onlyInInput).toBe(2);
    expect(r.onlyInReference).toBe(2);
    expect(r.examplesOnlyInInput.map((e) => e.row)).toEqual([2, 4]);
    expect(r.examplesOnlyInReference.map((e) => e.row)).toEqual([3, 4]);
  });
  it('reports schema differences as a difference', () => {
    const a = frameFromRows(
      'a',
      ['x', 'y'],
      [
        ['1', 'a'],
        ['2', 'b'],
      ],
    );
    const b = frameFromRows(
      'b',
      ['x', 'z'],
      [
        ['1', 'a'],
        ['2', 'b'],
      ],
    );
    const r = compareDistribution(a, b, opts);
    expect(r.differs).toBe(true);
    expect(r.schema.onlyInInput).toEqual(['y']);
    expect(r.schema.onlyInReference).toEqual(['z']);
    expect(r.checks.columnsMatch).toBe(false);
  });
});
