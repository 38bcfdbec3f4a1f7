import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bmiClass,
  COLUMNS,
  createLogger,
  NUMERIC_COLUMNS,
  readCsvText,
  TARGET_CLASSES_TITLE,
  VALUE_RANGES,
  type TargetClass,
} from '@mlops/core';
import { cleanRow, DIRTY_HEADER, generateDemo, planRows, writeDemoData } from '../src/index.js';

const silent = createLogger({ name: 'test', level: 'silent' });
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

async function writeTo(rows: number, seed: number) {
  const dir = await mkdtemp(join(tmpdir(), 'demo-'));
  const dirtyPath = join(dir, 'dirty.csv');
  const cleanPath = join(dir, 'clean.csv');
  await writeDemoData({ rows, seed, dirtyPath, cleanPath, logger: silent });
  return { dirtyPath, cleanPath, dirty: await readFile(dirtyPath), clean: await readFile(cleanPath) };
}

const TITLE_TO_CLASS = new Map(Object.entries(TARGET_CLASSES_TITLE).map(([k, v]) => [v, k as TargetClass]));

describe('demo data generator', () => {
  it('plans 2153 dirty rows as 2111 clean rows plus 42 repeats, like the real file', () => {
    expect(planRows(2153)).toEqual({ cleanRows: 2111, extraRows: 42 });
    expect(planRows(1)).toEqual({ cleanRows: 1, extraRows: 0 });
    expect(() => planRows(0)).toThrow(RangeError);
  });

  it('is deterministic: the same seed gives the same bytes, another seed other bytes', async () => {
    const a = await writeTo(500, 7);
    const b = await writeTo(500, 7);
    const c = await writeTo(500, 8);
    expect(md5(a.dirty)).toBe(md5(b.dirty));
    expect(md5(a.clean)).toBe(md5(b.clean));
    expect(md5(a.dirty)).not.toBe(md5(c.dirty));
    // a row depends on its seed and index only
    expect(cleanRow(7, 123)).toEqual(cleanRow(7, 123));
  });

  it('writes the dirty file with CRLF and 18 columns, the clean one with LF and 17', async () => {
    const { dirty, clean, dirtyPath, cleanPath } = await writeTo(2153, 42);
    expect(dirty.toString('utf8').split('\r\n')[0]).toBe(DIRTY_HEADER.join(','));
    expect(clean.includes('\r')).toBe(false);
    const d = await readCsvText(dirtyPath);
    const k = await readCsvText(cleanPath);
    expect(d.rows).toHaveLength(2153);
    expect(k.rows).toHaveLength(2111);
    expect(d.header).toHaveLength(18);
    expect(k.header).toEqual(COLUMNS.map((c) => c.name));
  });

  it('labels agree with the WHO BMI class for at least 95% of clean rows, with a plausible balance', async () => {
    const { cleanPath } = await writeTo(2153, 42);
    const { header, rows } = await readCsvText(cleanPath);
    const at = (name: string) => header.indexOf(name);
    let agree = 0;
    const counts = new Map<string, number>();
    for (const r of rows) {
      const label = TITLE_TO_CLASS.get(r[at('NObeyesdad')]!);
      expect(label).toBeDefined();
      counts.set(label!, (counts.get(label!) ?? 0) + 1);
      const bmi = Number(r[at('Weight')]) / Number(r[at('Height')]) ** 2;
      if (bmiClass(bmi) === label) agree++;
    }
    expect(agree / rows.length).toBeGreaterThanOrEqual(0.95);
    expect(agree / rows.length).toBeLessThan(1); // some label noise, as in the UCI file
    expect(counts.size).toBe(7);
    const sizes = [...counts.values()];
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeLessThan(1.6);
  });

  it('keeps clean values inside the schema: ranges and categories', async () => {
    const { cleanPath } = await writeTo(3000, 3);
    const { header, rows } = await readCsvText(cleanPath);
    for (const spec of COLUMNS) {
      const j = header.indexOf(spec.name);
      for (const r of rows) {
        const cell = r[j]!;
        if (spec.range) {
          const x = Number(cell);
          expect(x).toBeGreaterThanOrEqual(spec.range[0]);
          expect(x).toBeLessThanOrEqual(spec.range[1]);
        } else if (spec.kind === 'target') {
          expect(TITLE_TO_CLASS.has(cell)).toBe(true);
        } else {
          expect(spec.categories).toContain(cell);
        }
      }
    }
  });

  it("carries the real file's kinds and rates of dirt", async () => {
    const { dirtyPath } = await writeTo(20_000, 11);
    const { header, rows } = await readCsvText(dirtyPath);
    const n = rows.length;
    let outOfRange = 0;
    for (const col of NUMERIC_COLUMNS) {
      const j = header.indexOf(col);
      const [lo, hi] = VALUE_RANGES[col]!;
      for (const r of rows) {
        const x = Number(r[j]!.trim());
        if (r[j]!.trim() !== '' && Number.isFinite(x) && (x < lo || x > hi)) outOfRange++;
      }
    }
    // real file: 165 of 8 x 2153 numeric cells (0.96%)
    expect(outOfRange / (n * 8)).toBeGreaterThan(0.006);
    expect(outOfRange / (n * 8)).toBeLessThan(0.013);
    const gender = rows.map((r) => r[header.indexOf('Gender')]!);
    const padded = gender.filter((g) => g === ' mALE ' || g === ' fEMALE ').length / n;
    expect(padded).toBeGreaterThan(0.035);
    expect(padded).toBeLessThan(0.065);
    const blanks = gender.filter((g) => g === '').length / n;
    expect(blanks).toBeGreaterThan(0.005);
    expect(blanks).toBeLessThan(0.015);
    const all = rows.flat();
    for (const token of [
      'N/A',
      '?',
      ' NAN ',
      ' pUBLIC_tRANSPORTATION ',
      ' oBESITY_tYPE_iii ',
      ' sOMETIMES ',
    ]) {
      expect(all, token).toContain(token);
    }
    const junk = rows.map((r) => r[17]!);
    expect(junk).toContain('bad');
    expect(junk.some((v) => /^\d+$/.test(v))).toBe(true);
    expect(junk.filter((v) => v === '').length / n).toBeGreaterThan(0.08);
  });

  it('repeats earlier rows in its extra ~2% (duplicates before dirt)', () => {
    const records = [...generateDemo(1000, 5)];
    expect(records.filter((r) => r.clean).length).toBe(980);
    expect(records.slice(980).every((r) => r.clean === undefined)).toBe(true);
  });
});
