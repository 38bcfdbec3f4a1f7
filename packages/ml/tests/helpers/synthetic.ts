/** Small known problems for the learner tests, generated from a seed. */
import { SeededRng } from '@mlops/core';
import type { Matrix } from '@mlops/model';
import type { FitData } from '../../src/lib/learner.js';

export interface Problem {
  readonly train: FitData;
  readonly test: { x: Matrix; y: Int32Array };
}

/** A quarter of the rows (drawn from a fixed seed) form the test set. */
function split(x: number[][], y: number[], nClasses: number): Problem {
  const draw = new SeededRng(99);
  const isTest = y.map(() => draw.uniform() < 0.25);
  const cols = x[0]!.length;
  const pick = (keep: (i: number) => boolean) => {
    const idx = y.map((_, i) => i).filter(keep);
    const data = new Float64Array(idx.length * cols);
    idx.forEach((i, r) => data.set(x[i]!, r * cols));
    return { x: { data, rows: idx.length, cols }, y: Int32Array.from(idx.map((i) => y[i]!)) };
  };
  const train = pick((i) => !isTest[i]);
  return { train: { ...train, nClasses }, test: pick((i) => isTest[i]!) };
}

/** k well-separated Gaussian blobs in `dims` dimensions (centres 10 apart, sd 1). */
export function blobs(k: number, perClass: number, dims = 2, seed = 1): Problem {
  const rng = new SeededRng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < perClass; i++) {
    for (let c = 0; c < k; c++) {
      x.push(
        Array.from(
          { length: dims },
          (_, d) => (d === c % dims ? 10 * (1 + Math.floor(c / dims)) : 0) + rng.normal(),
        ),
      );
      y.push(c);
    }
  }
  return split(x, y, k);
}

/** XOR: the class is 1 when x0 and x1 have different signs; plus `noiseDims` irrelevant features. */
export function xor(n: number, noiseDims = 2, seed = 2): Problem {
  const rng = new SeededRng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.uniformRange(-1, 1);
    const b = rng.uniformRange(-1, 1);
    x.push([a, b, ...Array.from({ length: noiseDims }, () => rng.uniformRange(-1, 1))]);
    y.push(a > 0 !== b > 0 ? 1 : 0);
  }
  return split(x, y, 2);
}

/** k overlapping Gaussian classes on a circle (sd `sd`): a noisy multiclass problem with a known Bayes-ish ceiling. */
export function noisyMulticlass(k: number, perClass: number, sd = 1, seed = 3): Problem {
  const rng = new SeededRng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < perClass; i++) {
    for (let c = 0; c < k; c++) {
      const angle = (2 * Math.PI * c) / k;
      x.push([
        3 * Math.cos(angle) + sd * rng.normal(),
        3 * Math.sin(angle) + sd * rng.normal(),
        rng.normal(),
      ]);
      y.push(c);
    }
  }
  return split(x, y, k);
}

export function accuracy(proba: Float64Array, y: Int32Array, nClasses: number): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let k = 1; k < nClasses; k++) if (proba[i * nClasses + k]! > proba[i * nClasses + best]!) best = k;
    if (best === y[i]) ok++;
  }
  return ok / y.length;
}
