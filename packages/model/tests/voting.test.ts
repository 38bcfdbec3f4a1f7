import { describe, expect, it } from 'vitest';
import { predictorFromJson, predictorKinds, type Matrix, type ModelJson } from '../src/index.js';

// two KNN members on one feature, 2 classes: k = 1 copies the nearest stored row's class
const near = (x: number[], y: number[]): ModelJson => ({
  kind: 'knn',
  nFeatures: 1,
  nClasses: 2,
  k: 1,
  x,
  y,
});
const input: Matrix = { data: Float64Array.from([0, 10]), rows: 2, cols: 1 };

describe('soft_voting predictor', () => {
  it('is served, and gives the weighted mean of its members probabilities', () => {
    expect(predictorKinds()).toContain('soft_voting');
    const a = near([0, 10], [0, 1]); // row 0 → class 0, row 1 → class 1
    const b = near([0, 10], [1, 1]); // always class 1
    const vote = predictorFromJson({
      kind: 'soft_voting',
      nFeatures: 1,
      nClasses: 2,
      weights: [3, 1],
      members: [a, b],
    });
    expect(Array.from(vote.predictProba(input))).toEqual([0.75, 0.25, 0, 1]);
    // warm, into a caller's buffer
    const out = new Float64Array(4);
    expect(vote.predictProba(input, out)).toBe(out);
    expect(Array.from(out)).toEqual([0.75, 0.25, 0, 1]);
  });

  it('refuses malformed JSON, naming the field', () => {
    const a = near([0, 10], [0, 1]);
    const base = { kind: 'soft_voting', nFeatures: 1, nClasses: 2 };
    expect(() => predictorFromJson({ ...base, weights: [], members: [] })).toThrow(
      /members must be a non-empty list/,
    );
    expect(() => predictorFromJson({ ...base, weights: [1, 1], members: [a] })).toThrow(
      /weights must be a list of 1/,
    );
    expect(() => predictorFromJson({ ...base, weights: [0], members: [a] })).toThrow(
      /weights\[0\] must be a positive/,
    );
    expect(() =>
      predictorFromJson({ ...base, weights: [1], members: [{ ...a, nFeatures: 2, x: [0, 0, 1, 1] }] }),
    ).toThrow(/members\[0\] expects 2 features/);
    expect(() =>
      predictorFromJson({ ...base, weights: [1], members: [{ ...base, weights: [1], members: [a] }] }),
    ).toThrow(/cannot be a member/);
  });
});
