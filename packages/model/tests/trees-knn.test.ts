import { describe, expect, it } from 'vitest';
import { knnPredictor } from '../src/lib/predictors/knn.js';
import { gradientBoostingPredictor, randomForestPredictor } from '../src/lib/predictors/trees.js';
import type { ModelJson } from '../src/lib/types.js';

// Two stumps on feature 1 (x1 <= 0.5 goes left), written by hand in the documented flat layout.
const forest: ModelJson = {
  kind: 'random_forest',
  nFeatures: 2,
  nClasses: 2,
  nTrees: 2,
  roots: [0, 3],
  feature: [1, -1, -1, 0, -1, -1],
  threshold: [0.5, 0, 0, 2, 0, 0],
  left: [1, 0, 2, 4, 4, 6],
  right: [2, -1, -1, 5, -1, -1],
  value: [1, 0, 0.25, 0.75, 0.5, 0.5, 0, 1],
};

const boosted: ModelJson = {
  kind: 'gradient_boosting',
  nFeatures: 1,
  nClasses: 2,
  nTrees: 4,
  baseScore: [0, 0],
  roots: [0, 3, 6, 9],
  feature: [0, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1],
  threshold: [1.5, 0, 0, 1.5, 0, 0, 0.5, 0, 0, 0.5, 0, 0],
  left: [1, 0, 1, 4, 2, 3, 7, 4, 5, 10, 6, 7],
  right: [2, -1, -1, 5, -1, -1, 8, -1, -1, 11, -1, -1],
  value: [0.5, -0.5, -0.5, 0.5, 0.25, -0.25, -0.25, 0.25],
};

const m = (rows: number[][]) => ({
  data: Float64Array.from(rows.flat()),
  rows: rows.length,
  cols: rows[0]!.length,
});

describe('tree predictors', () => {
  it('average the leaf distributions of a forest', () => {
    const p = randomForestPredictor(forest);
    // row (0, 0): tree 1 leaf [1, 0], tree 2 (x0 <= 2) leaf [0.5, 0.5]; row (3, 1): [0.25, 0.75] and [0, 1]
    expect(
      Array.from(
        p.predictProba(
          m([
            [0, 0],
            [3, 1],
          ]),
        ),
      ),
    ).toEqual([0.75, 0.25, 0.125, 0.875]);
    expect(p.kind).toBe('random_forest');
  });

  it('sum the boosted margins per class and apply the softmax', () => {
    const p = gradientBoostingPredictor(boosted);
    // x = 0: class 0 margin 0.5 + 0.25, class 1 −0.5 − 0.25 → p0 = sigmoid(1.5)
    const proba = p.predictProba(m([[0], [1], [2]]));
    const s = (z: number) => 1 / (1 + Math.exp(-z));
    expect(proba[0]).toBeCloseTo(s(1.5), 14);
    expect(proba[2]).toBeCloseTo(s(0.5), 14); // x = 1: 0.5 − 0.25 vs −0.5 + 0.25
    expect(proba[4]).toBeCloseTo(s(-1.5), 14);
    for (let r = 0; r < 3; r++) expect(proba[r * 2]! + proba[r * 2 + 1]!).toBeCloseTo(1, 15);
  });

  it('write into a given output buffer', () => {
    const p = gradientBoostingPredictor(boosted);
    const out = new Float64Array(4);
    expect(p.predictProba(m([[0], [2]]), out)).toBe(out);
    expect(out[0]).toBeGreaterThan(0.5);
  });

  it('reject malformed JSON naming the field', () => {
    expect(() => randomForestPredictor({ ...forest, kind: 'knn' })).toThrow(
      /random_forest model: kind is "knn"/,
    );
    expect(() => randomForestPredictor({ ...forest, left: [0, 0, 2, 4, 4, 6] })).toThrow(
      /random_forest model: left\[0\] = 0 must be a node after 0/,
    );
    expect(() => randomForestPredictor({ ...forest, feature: [2, -1, -1, 0, -1, -1] })).toThrow(
      /feature\[0\] must be an integer in -1..1, got 2/,
    );
    expect(() => randomForestPredictor({ ...forest, threshold: [Number.NaN, 0, 0, 2, 0, 0] })).toThrow(
      /threshold\[0\] must be a finite number/,
    );
    expect(() => randomForestPredictor({ ...forest, nTrees: 3 })).toThrow(
      /nTrees is 3 but roots lists 2 trees/,
    );
    expect(() => randomForestPredictor({ ...forest, value: [1, 0] })).toThrow(
      /leaf value offset outside value/,
    );
    expect(() => gradientBoostingPredictor({ ...boosted, baseScore: [0] })).toThrow(
      /baseScore has 1 entries/,
    );
    expect(() => gradientBoostingPredictor({ ...boosted, threshold: 'x' })).toThrow(
      /threshold must be an array/,
    );
  });

  it('reject bad input naming the row and column', () => {
    const p = randomForestPredictor(forest);
    expect(() => p.predictProba(m([[1, 2, 3]]))).toThrow(/input has 3 columns, the model expects 2/);
    expect(() =>
      p.predictProba(
        m([
          [0, 0],
          [1, Number.NaN],
        ]),
      ),
    ).toThrow(/input row 1, column 1: value NaN is not finite/);
    expect(() => p.predictProba(m([[0, 0]]), new Float64Array(1))).toThrow(
      /output buffer holds 1 values, 2 needed/,
    );
  });
});

describe('knn predictor', () => {
  const knn: ModelJson = { kind: 'knn', nFeatures: 1, nClasses: 3, k: 2, x: [0, 1, 5, 6], y: [0, 1, 2, 2] };

  it('returns neighbour shares', () => {
    expect(Array.from(knnPredictor(knn).predictProba(m([[0.2], [5.4]])))).toEqual([0.5, 0.5, 0, 0, 0, 1]);
  });

  it('rejects malformed JSON and input naming the field', () => {
    expect(() => knnPredictor({ ...knn, x: [0, 1, 5] })).toThrow(/knn model: x holds 3 values, not 4 rows/);
    expect(() => knnPredictor({ ...knn, y: [0, 1, 2, 3] })).toThrow(
      /y\[3\] must be an integer in 0..2, got 3/,
    );
    expect(() => knnPredictor({ ...knn, k: 9 })).toThrow(/k = 9 exceeds the 4 stored training rows/);
    expect(() => knnPredictor(knn).predictProba(m([[Number.POSITIVE_INFINITY]]))).toThrow(
      /input row 0, column 0: value Infinity is not finite/,
    );
  });
});
