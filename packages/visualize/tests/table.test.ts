import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@mlops/core';
import { describe, expect, it } from 'vitest';
import { columnMemoryBytes, pythonStrSize, readTable, summariseTable } from '../src/index.js';
import { hasRealData, realClean, skipRealData } from './helpers.js';

function csv(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'viz-table-'));
  const file = join(dir, 'in.csv');
  writeFileSync(file, text);
  return file;
}

describe('readTable', () => {
  it('types columns as pandas does: int64, float64 (decimals or missing), object', async () => {
    const t = await readTable(csv('i,f,m,s\n1,1.5,1,a\n2,2,,b\n3,3,3,a\n'));
    expect(t.rowCount).toBe(3);
    expect(t.columns.map((c) => [c.name, c.dtype])).toEqual([
      ['i', 'int64'],
      ['f', 'float64'],
      ['m', 'float64'],
      ['s', 'object'],
    ]);
    const m = t.columns[2]!;
    expect(m.kind === 'numeric' && Array.from(m.values)).toEqual([1, NaN, 3]);
    expect(m.missing).toBe(1);
    const s = t.columns[3]!;
    expect(s.kind === 'text' && [...s.counts]).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });

  it('counts a column that turns to text after numeric rows exactly (second pass)', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => (i === 2999 ? 'bad' : String(i % 3)));
    const t = await readTable(csv(`x,NA_col\n${rows.map((r) => `${r},NA`).join('\n')}\n`));
    const x = t.columns[0]!;
    expect(x.dtype).toBe('object');
    expect(x.kind === 'text' && Object.fromEntries(x.counts)).toEqual({
      '0': 1000,
      '1': 1000,
      '2': 999,
      bad: 1,
    });
    // a column of pandas NA strings only: numeric (float64), all missing
    expect(t.columns[1]!.dtype).toBe('float64');
    expect(t.columns[1]!.missing).toBe(3000);
  });

  it('reports bad input with the file named', async () => {
    await expect(readTable(csv('a,b\n1\n'))).rejects.toThrow(InputError);
    await expect(readTable(csv('a,b\n1\n'))).rejects.toThrow(/in\.csv: ragged row at line 2/);
    await expect(readTable(csv('a,b\n'))).rejects.toThrow(/header only/);
    await expect(readTable('/nonexistent/x.csv')).rejects.toThrow(/x\.csv: file not found/);
  });

  it("computes pandas' deep memory: 8 bytes a row, plus each Python str's size for text", async () => {
    expect(pythonStrSize('')).toBe(49);
    expect(pythonStrSize('yes')).toBe(52);
    expect(pythonStrSize('é')).toBe(74);
    expect(pythonStrSize('€')).toBe(76);
    const t = await readTable(csv('n,s\n1,yes\n2,no\n3,\n'));
    expect(columnMemoryBytes(t.columns[0]!, 3)).toBe(24);
    expect(columnMemoryBytes(t.columns[1]!, 3)).toBe(24 + 52 + 51 + 24);
  });
});

describe('the real clean data', () => {
  it.skipIf(!hasRealData)("matches the notebook's numbers: dtypes, outliers, no missing value", async () => {
    const s = summariseTable(await readTable(realClean));
    expect(s.rowCount).toBe(2153);
    expect(s.columns.filter((c) => c.dtype === 'float64')).toHaveLength(8);
    expect(s.columns.filter((c) => c.dtype === 'object')).toHaveLength(9);
    expect(s.columns.every((c) => c.missing === 0)).toBe(true);
    const outliers = Object.fromEntries(s.numeric.map((n) => [n.name, n.box.outliers]));
    // the predecessor's notebook: Age 167 (7.8%), Height 2, Weight 1, NCP 590 (27.4%), others 0
    expect(outliers).toEqual({ Age: 167, Height: 2, Weight: 1, FCVC: 0, NCP: 590, CH2O: 0, FAF: 0, TUE: 0 });
    expect(s.numeric.find((n) => n.name === 'Age')!.box.outlierPct.toFixed(1)).toBe('7.8');
    // no pair with |r| > 0.5 (the predecessor logged none)
    const r = s.correlation.r.flatMap((row, i) => row.filter((_, j) => j < i));
    expect(Math.max(...r.map(Math.abs))).toBeLessThan(0.5);
  });
  it.skipIf(hasRealData)(skipRealData, () => undefined);
});
