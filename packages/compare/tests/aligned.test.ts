import { describe, expect, it } from 'vitest';
import { compareAligned, frameFromRows, isClose } from '../src/index.js';

const opts = { rtol: 1e-6, atol: 1e-6, maxExamples: 5 };
const frame = (name: string, csv: string) => {
  const [head, ...rows] = csv
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  return frameFromRows(name, head!, rows);
};

describe('compareAligned', () => {
  const base = 'a,b,c\n1.0,x,3\n2.5,y,4\nNaN,z,5';
  it('finds two identical frames identical, NaN equal to NaN', () => {
    const r = compareAligned(frame('in', base), frame('ref', base), opts);
    expect(r.identical).toBe(true);
    expect(Object.values(r.checks).every(Boolean)).toBe(true);
    expect(r.differences).toEqual([]);
    expect(r.columns.find((c) => c.name === 'a')!.missingInput).toBe(1);
  });
  it('reports a shape mismatch and does not compare values', () => {
    const r = compareAligned(frame('in', base), frame('ref', 'a,b,c\n1.0,x,3\n2.5,y,4'), opts);
    expect(r.identical).toBe(false);
    expect(r.checks.shapeMatch).toBe(false);
    expect(r.checks.valuesMatch).toBe(false);
    expect(r.shape).toEqual({ input: [3, 3], reference: [2, 3] });
    expect(r.columns.every((c) => !c.compared)).toBe(true);
    expect(r.differences.join('\n')).toMatch(/row counts differ/);
  });
  it('tells a column-order mismatch from a column-set mismatch', () => {
    const reordered = compareAligned(
      frame('in', base),
      frame('ref', 'b,a,c\nx,1.0,3\ny,2.5,4\nz,NaN,5'),
      opts,
    );
    expect(reordered.checks.columnsMatch).toBe(true);
    expect(reordered.checks.columnOrderMatch).toBe(false);
    expect(reordered.checks.valuesMatch).toBe(true);
    expect(reordered.identical).toBe(false);
    const renamed = compareAligned(frame('in', base), frame('ref', 'a,b,d\n1.0,x,3\n2.5,y,4\nNaN,z,5'), opts);
    expect(renamed.checks.columnsMatch).toBe(false);
    expect(renamed.onlyInInput).toEqual(['c']);
    expect(renamed.onlyInReference).toEqual(['d']);
  });
  it('checks pandas-style dtypes (int64 vs float64 vs object) and missing counts', () => {
    const r = compareAligned(frame('in', 'a,b\n1,x\n2,y'), frame('ref', 'a,b\n1.0,x\n2.0,'), opts);
    const a = r.columns.find((c) => c.name === 'a')!;
    expect([a.dtypeInput, a.dtypeReference]).toEqual(['int64', 'float64']);
    expect(a.differingCells).toBe(0); // 1 and 1.0 are the same number
    expect(r.checks.dtypesMatch).toBe(false);
    expect(r.checks.missingMatch).toBe(false);
    expect(r.columns.find((c) => c.name === 'b')!.examples).toEqual([{ row: 2, input: 'y', reference: '' }]);
  });
  it('applies atol + rtol·|reference| at the edge of the tolerance', () => {
    expect(isClose(1 + 1.9e-6, 1, 1e-6, 1e-6)).toBe(true); // 1.9e-6 ≤ 1e-6 + 1e-6
    expect(isClose(1 + 2.1e-6, 1, 1e-6, 1e-6)).toBe(false);
    expect(isClose(0, 1e-9, 0, 1e-9)).toBe(true);
    expect(isClose(NaN, NaN, 0, 0)).toBe(true);
    expect(isClose(NaN, 0, 1, 1)).toBe(false);
    expect(isClose(Infinity, Infinity, 0, 0)).toBe(true);
    expect(isClose(Infinity, -Infinity, 1, 1)).toBe(false);
    const r = compareAligned(frame('in', 'v\n100.0001\n5'), frame('ref', 'v\n100\n5'), opts);
    expect(r.columns[0]!.differingCells).toBe(0); // 1e-4 ≤ 1e-6 + 1e-6·100
    const strict = compareAligned(frame('in', 'v\n100.0001\n5'), frame('ref', 'v\n100\n5'), {
      ...opts,
      rtol: 1e-9,
      atol: 1e-9,
    });
    expect(strict.columns[0]!.differingCells).toBe(1);
    expect(strict.columns[0]!.maxAbsDiff).toBeCloseTo(1e-4, 10);
  });
  it('lists the first differing cells per column, up to maxExamples, with their rows', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},t${i}`);
    const changed = rows.map((r, i) => (i % 2 ? `${i + 0.5},t${i}` : i === 4 ? `${i},T${i}` : r));
    const r = compareAligned(
      frame('in', `n,t\n${changed.join('\n')}`),
      frame('ref', `n,t\n${rows.join('\n')}`),
      { ...opts, maxExamples: 3 },
    );
    const n = r.columns.find((c) => c.name === 'n')!;
    expect(n.differingCells).toBe(10);
    expect(n.examples.map((e) => e.row)).toEqual([2, 4, 6]);
    expect(n.examples[0]).toEqual({ row: 2, input: '1.5', reference: '1', absDiff: 0.5 });
    const t = r.columns.find((c) => c.name === 't')!;
    expect(t.examples).toEqual([{ row: 5, input: 'T4', reference: 't4' }]);
    expect(r.differences.some((d) => d.startsWith('n: 10 differing'))).toBe(true);
  });
  it('compares a column that is numeric in one file and text in the other as text', () => {
    const r = compareAligned(frame('in', 'v\n1\n2'), frame('ref', 'v\n1\nb'), opts);
    expect(r.columns[0]!.comparison).toBe('text');
    expect(r.columns[0]!.differingCells).toBe(1);
  });
});
