// simulate: numpy's legacy generator bit for bit, the predecessor's transformation (numpy-computed fixture), and
// its guarantees (missing values kept, clipping, order, determinism, input untouched).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from '@mlops/core';
import { simulateDrift, simulatedColumns, type SimulateOptions } from '../src/index.js';

const fx = JSON.parse(
  readFileSync(new URL('./fixtures/numpy/numpy-random.json', import.meta.url), 'utf8'),
) as {
  normal: { seed: number; index: number[]; value: number[] }[];
  uniform: { seed: number; value: number[] }[];
  simulate: { input: Record<string, (number | null)[]>; output: Record<string, (number | null)[]> };
};

const PREDECESSOR: SimulateOptions = {
  seed: 42,
  generator: 'numpy',
  shifts: [
    ['Age', 0.1],
    ['Weight', 0.15],
    ['Height', 0.05],
  ],
  shiftNoise: 0.1,
  noise: [['FCVC', 0.03]],
};

const column = (v: (number | null)[]) => Float64Array.from(v, (x) => (x === null ? NaN : x));

describe('NumpyRandomState reproduces np.random (legacy MT19937)', () => {
  for (const c of fx.normal) {
    // The uniforms are bit-exact; a normal may differ in its last bit (V8's Math.log vs the C library's).
    it(`normal draws, seed ${c.seed} (across state refills)`, () => {
      const rng = new NumpyRandomState(c.seed);
      const draws = Array.from({ length: 5000 }, () => rng.normal(0, 1));
      c.index.forEach((i, k) =>
        expect(Math.abs(draws[i]! - c.value[k]!)).toBeLessThanOrEqual(4e-16 * Math.abs(c.value[k]!)),
      );
    });
  }
  for (const c of fx.uniform) {
    it(`random_sample, seed ${c.seed}`, () => {
      const rng = new NumpyRandomState(c.seed);
      expect(c.value.map(() => rng.uniform())).toEqual(c.value);
    });
  }
  it('rejects seeds numpy rejects', () => {
    expect(() => new NumpyRandomState(-1)).toThrow(/\[0, 2\^32 - 1\]/);
    expect(() => new NumpyRandomState(2 ** 32)).toThrow();
    expect(() => new NumpyRandomState(1.5)).toThrow();
  });
});

describe('simulateDrift', () => {
  const input = new Map(Object.entries(fx.simulate.input).map(([k, v]) => [k, column(v)]));
  it("equals the predecessor's numpy transformation value for value", () => {
    const { columns } = simulateDrift(input, PREDECESSOR);
    for (const [name, expected] of Object.entries(fx.simulate.output)) {
      const got = columns.get(name)!;
      expected.forEach((e, i) => {
        if (e === null) expect(got[i]).toBeNaN();
        else expect(Math.abs(got[i]! - e)).toBeLessThanOrEqual(1e-12 * Math.abs(e));
      });
    }
  });
  it('keeps missing values missing, clips to the valid range and leaves its input alone', () => {
    const before = Float64Array.from(input.get('Weight')!);
    const { columns, summary } = simulateDrift(input, PREDECESSOR);
    expect(columns.get('Age')![3]).toBeNaN();
    expect(columns.get('Weight')![0]).toBe(200); // 189 + 15% of the mean: clipped to the valid maximum
    expect(input.get('Weight')).toEqual(before);
    const age = summary.find((s) => s.column === 'Age')!;
    expect(age.transformation).toBe('shift');
    expect(age.clippedTo).toEqual([14, 100]);
    expect(age.meanChangePct).toBeGreaterThan(9);
    expect(summary.map((s) => s.column)).toEqual(['Age', 'Weight', 'Height', 'FCVC']);
  });
  it('is deterministic per seed and generator, and the generators differ', () => {
    const a = simulateDrift(input, PREDECESSOR).columns.get('Height');
    const b = simulateDrift(input, PREDECESSOR).columns.get('Height');
    const c = simulateDrift(input, { ...PREDECESSOR, generator: 'core' }).columns.get('Height');
    const d = simulateDrift(input, { ...PREDECESSOR, seed: 7 }).columns.get('Height');
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(d);
  });
  it('does not clip a column without a valid range, and names an absent column', () => {
    const m = new Map([['x', Float64Array.from([1000, 2000])]]);
    const { columns } = simulateDrift(m, { ...PREDECESSOR, shifts: [['x', 0.5]], noise: [], shiftNoise: 0 });
    expect([...columns.get('x')!]).toEqual([1750, 2750]);
    expect(() => simulateDrift(m, PREDECESSOR)).toThrow(/no column "Age"/);
    expect(simulatedColumns({ ...PREDECESSOR, noise: [['Age', 0.1]] })).toEqual(['Age', 'Weight', 'Height']);
  });
});
