// Helpers for the scipy golden fixtures (packages/stats/fixtures/*.json, written by make_fixtures.py).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export function loadFixture<T>(name: string): T {
  const text = readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
  return JSON.parse(text) as T;
}

export type Num = number | 'NaN' | 'Infinity' | '-Infinity';

export function num(v: Num): number {
  return typeof v === 'number' ? v : Number(v);
}

export interface Generator {
  n: number;
  mul: number;
  add: number;
  mod: number;
  div: number;
  offset: number;
}

/** Rebuild a fixture vector: literal values, or value[i] = ((i·mul + add) mod m)/div + offset, as numpy does. */
export function vector(v: number[] | Generator): Float64Array {
  if (Array.isArray(v)) return Float64Array.from(v);
  const out = new Float64Array(v.n);
  for (let i = 0; i < v.n; i++) {
    const k = Number((BigInt(i) * BigInt(v.mul) + BigInt(v.add)) % BigInt(v.mod));
    out[i] = k / v.div + v.offset;
  }
  return out;
}

/**
 * |actual − expected| ≤ rel·|expected|, with an absolute floor `abs` for values near 0 (p-values of exactly 0
 * must be matched by values below `abs`).
 */
export function expectClose(actual: number, expected: number, rel: number, abs = 0, what = ''): void {
  if (Number.isNaN(expected)) {
    expect(actual, what).toBeNaN();
    return;
  }
  if (!Number.isFinite(expected)) {
    expect(actual, what).toBe(expected);
    return;
  }
  const tol = Math.max(rel * Math.abs(expected), abs);
  if (!(Math.abs(actual - expected) <= tol)) {
    expect.fail(`${what}: got ${actual}, scipy ${expected} (tolerance ${tol})`);
  }
}
