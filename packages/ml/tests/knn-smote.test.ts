import { SeededRng, defaultParams } from '@mlops/core';
import { describe, expect, it } from 'vitest';
// The predictors are not exported by @mlops/model until the lead wires them into its registry at merge.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { knnPredictor } from '../../model/src/lib/predictors/knn.js';
import { knnLearner } from '../src/lib/learners/knn.js';
import { smote, smotePlan } from '../src/lib/learners/smote.js';
import { binFeatures } from '../src/lib/learners/trees/binning.js';
import { accuracy, blobs, noisyMulticlass } from './helpers/synthetic.js';

const ctx = { rng: new SeededRng(42) };

describe('knn', () => {
  it('votes among the k nearest rows with uniform weights', () => {
    const train = {
      x: { data: Float64Array.from([0, 0, 1, 0, 0, 1, 10, 10, 11, 10]), rows: 5, cols: 2 },
      y: Int32Array.from([0, 0, 1, 1, 1]),
      nClasses: 2,
    };
    const model = knnLearner({ n_neighbors: 3 }).fit(train, ctx);
    const proba = knnPredictor(model).predictProba({
      data: Float64Array.from([0.1, 0.1, 10.4, 10]),
      rows: 2,
      cols: 2,
    });
    // the second query: rows 3 and 4 (class 1), then row 1 (class 0) at 13.73 just before row 2 at 13.75
    expect(Array.from(proba)).toEqual([2 / 3, 1 / 3, 1 / 3, 2 / 3]);
  });

  it('breaks distance ties by the lower training row', () => {
    // the query is equidistant from rows 0 (class 1) and 1 (class 0): with k = 1 the earlier row wins
    const train = {
      x: { data: Float64Array.from([-1, 1, 5]), rows: 3, cols: 1 },
      y: Int32Array.from([1, 0, 0]),
      nClasses: 2,
    };
    const predictor = knnPredictor(knnLearner({ n_neighbors: 1 }).fit(train, ctx));
    expect(Array.from(predictor.predictProba({ data: Float64Array.from([0]), rows: 1, cols: 1 }))).toEqual([
      0, 1,
    ]);
  });

  it('learns blobs and a noisy multiclass problem as a k-NN should', () => {
    const easy = blobs(3, 40);
    const p1 = knnPredictor(knnLearner(defaultParams().models.knn).fit(easy.train, ctx)).predictProba(
      easy.test.x,
    );
    expect(accuracy(p1, easy.test.y, 3)).toBe(1);
    const noisy = noisyMulticlass(4, 100);
    const p2 = knnPredictor(knnLearner({ n_neighbors: 15 }).fit(noisy.train, ctx)).predictProba(noisy.test.x);
    expect(accuracy(p2, noisy.test.y, 4)).toBeGreaterThan(0.7);
  });

  it('survives a JSON round trip and rejects bad input naming it', () => {
    const problem = blobs(2, 10);
    const model = knnLearner({ n_neighbors: 5 }).fit(problem.train, ctx);
    const copy = knnPredictor(JSON.parse(JSON.stringify(model)));
    expect(Array.from(copy.predictProba(problem.test.x))).toEqual(
      Array.from(knnPredictor(model).predictProba(problem.test.x)),
    );
    expect(() => knnLearner({ n_neighbors: 0 })).toThrow(/knn: n_neighbors must be an integer >= 1, got 0/);
    expect(() => knnLearner({ n_neighbors: 50 }).fit(problem.train, ctx)).toThrow(
      /n_neighbors 50 exceeds the \d+ training rows/,
    );
  });
});

describe('smote', () => {
  function imbalanced() {
    const rng = new SeededRng(11);
    const sizes = [40, 12, 5];
    const rows: number[][] = [];
    const y: number[] = [];
    sizes.forEach((size, c) => {
      for (let i = 0; i < size; i++) {
        rows.push([c * 5 + rng.normal(), rng.normal(), c === 2 ? 1 : 0]);
        y.push(c);
      }
    });
    return {
      x: { data: Float64Array.from(rows.flat()), rows: rows.length, cols: 3 },
      y: Int32Array.from(y),
      nClasses: 3,
    };
  }

  it('tops every class up to the largest, keeps the original rows first and unchanged', () => {
    const data = imbalanced();
    const out = smote(data, { kNeighbors: 1, rng: new SeededRng(42) });
    expect(out.x.rows).toBe(120);
    const counts = [0, 0, 0];
    for (const c of out.y) counts[c]!++;
    expect(counts).toEqual([40, 40, 40]);
    expect(Array.from(out.x.data.subarray(0, data.x.data.length))).toEqual(Array.from(data.x.data));
    expect(Array.from(out.y.subarray(0, 57))).toEqual(Array.from(data.y));
  });

  it('puts each synthetic row on the segment from a row to its nearest same-class neighbour (k = 1)', () => {
    const data = imbalanced();
    const out = smote(data, { kNeighbors: 1, rng: new SeededRng(42) });
    const F = 3;
    const row = (m: Float64Array, i: number) => Array.from(m.subarray(i * F, i * F + F));
    const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, f) => v - b[f]!));
    for (let s = data.x.rows; s < out.x.rows; s++) {
      const c = out.y[s]!;
      const point = row(out.x.data, s);
      const members = Array.from(data.y.keys()).filter((i) => data.y[i] === c);
      // some member a and its nearest neighbour b (within the class) with |a−p| + |p−b| = |a−b|
      const found = members.some((a) => {
        const pa = row(data.x.data, a);
        let nearest = -1;
        for (const b of members) {
          if (b === a) continue;
          if (nearest < 0 || dist(pa, row(data.x.data, b)) < dist(pa, row(data.x.data, nearest))) nearest = b;
        }
        const pb = row(data.x.data, nearest);
        return Math.abs(dist(pa, point) + dist(point, pb) - dist(pa, pb)) < 1e-9;
      });
      expect(found, `synthetic row ${s}`).toBe(true);
      expect(point[2]).toBe(c === 2 ? 1 : 0); // a feature constant within the class stays constant
    }
  });

  it('binning its recipe gives the bins of the materialised oversampled matrix (boosting never builds it)', () => {
    const data = imbalanced();
    const plan = smotePlan(data, { kNeighbors: 1, rng: new SeededRng(7) });
    const out = smote(data, { kNeighbors: 1, rng: new SeededRng(7) });
    const rows = Int32Array.from({ length: out.x.rows }, (_, i) => i);
    const fromRecipe = binFeatures(data.x, rows, 16, plan);
    const fromMatrix = binFeatures(out.x, rows, 16);
    expect(fromRecipe.rows).toBe(out.x.rows);
    expect(Array.from(fromRecipe.bins)).toEqual(Array.from(fromMatrix.bins));
    expect(fromRecipe.cuts.map((c) => Array.from(c))).toEqual(fromMatrix.cuts.map((c) => Array.from(c)));
    expect(Array.from(plan.y)).toEqual(Array.from(out.y));
  });

  it('is deterministic, carries sample weights and leaves balanced data alone', () => {
    const data = imbalanced();
    const a = smote(data, { kNeighbors: 2, rng: new SeededRng(1) });
    const b = smote(data, { kNeighbors: 2, rng: new SeededRng(1) });
    expect(Array.from(a.x.data)).toEqual(Array.from(b.x.data));
    const weighted = smote(
      { ...data, sampleWeight: new Float64Array(57).fill(2) },
      { kNeighbors: 1, rng: new SeededRng(1) },
    );
    expect(weighted.sampleWeight!.length).toBe(120);
    expect(Array.from(weighted.sampleWeight!).every((w) => w === 2)).toBe(true);
    const balanced = blobs(3, 10).train;
    const counts = [0, 0, 0];
    for (const c of balanced.y) counts[c]!++;
    if (counts[0] === counts[1] && counts[1] === counts[2])
      expect(smote(balanced, { kNeighbors: 1, rng: new SeededRng(1) })).toBe(balanced);
  });

  it('refuses a class too small for k_neighbors, naming it', () => {
    const data = {
      x: { data: Float64Array.from([0, 1, 2, 3, 10]), rows: 5, cols: 1 },
      y: Int32Array.from([0, 0, 0, 0, 1]),
      nClasses: 2,
    };
    expect(() => smote(data, { kNeighbors: 1, rng: new SeededRng(1) })).toThrow(
      /smote: class 1 has 1 row\(s\); k_neighbors 1 needs at least 2 rows of every class/,
    );
    expect(() => smote(data, { kNeighbors: 0, rng: new SeededRng(1) })).toThrow(
      /k_neighbors must be an integer >= 1/,
    );
  });
});
