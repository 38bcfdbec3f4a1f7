import { describe, expect, it } from 'vitest';
import {
  coupleProbabilities,
  mlpPredictor,
  plattProbability,
  svmPredictor,
  type Matrix,
  type ModelJson,
} from '../src/index.js';

function matrix(rows: readonly (readonly number[])[]): Matrix {
  return { data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0]!.length };
}

describe('pairwise coupling', () => {
  it('recovers a distribution from its exact pairwise ratios', () => {
    const truth = [0.5, 0.3, 0.2];
    const k = 3;
    const r = new Float64Array(k * k);
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) if (i !== j) r[i * k + j] = truth[i]! / (truth[i]! + truth[j]!);
    const p = new Float64Array(k);
    coupleProbabilities(k, r, p, new Float64Array(k * k), new Float64Array(k));
    // libsvm's stopping rule (every |Qp_t - pQp| < 0.005 / k) leaves errors of about 1e-3
    for (let i = 0; i < k; i++) expect(p[i]).toBeCloseTo(truth[i]!, 2);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 12);
  });

  it('computes the Platt sigmoid without overflow', () => {
    expect(plattProbability(0, -1, 0)).toBe(0.5);
    expect(plattProbability(1000, -1, 0)).toBe(1);
    expect(plattProbability(-1000, -1, 0)).toBe(0);
  });
});

describe('svm predictor', () => {
  const json = (): Record<string, unknown> => ({
    kind: 'svm',
    nFeatures: 2,
    nClasses: 2,
    kernel: 'linear',
    gamma: 0,
    classes: [0, 1],
    pairs: [{ a: 0, b: 1, probA: -1, probB: 0, bias: 0, weights: [1, 0] }],
    supportVectors: [],
  });

  it('computes the Platt probability of the decision value', () => {
    const proba = svmPredictor(json() as ModelJson).predictProba(
      matrix([
        [2, 5],
        [0, 0],
      ]),
    );
    expect(proba[0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(proba[2]).toBeCloseTo(0.5, 6);
  });

  it('names the malformed field', () => {
    const broken = (patch: Record<string, unknown>) => () =>
      svmPredictor({ ...json(), ...patch } as ModelJson);
    expect(broken({ kernel: 'poly' })).toThrow('svm model: field "kernel" must be "linear" or "rbf"');
    expect(broken({ pairs: [{ a: 0, b: 1, probA: -1, probB: 0, bias: 0, weights: [1] }] })).toThrow(
      'svm model: field "pairs[0].weights" must hold 2 numbers, found 1',
    );
    expect(broken({ pairs: [] })).toThrow('svm model: field "pairs" must hold 1 pairs for 2 classes');
    expect(broken({ classes: [0] })).toThrow('svm model: field "classes" must list at least 2 class indices');
    expect(() => svmPredictor(json() as ModelJson).predictProba(matrix([[1, 2, 3]]))).toThrow(
      'svm: input has 3 columns, the model expects 2',
    );
  });
});

describe('mlp predictor', () => {
  it('names the malformed field', () => {
    const base = { kind: 'mlp', nFeatures: 2, nClasses: 2, activation: 'relu' };
    const layer = { units: 2, kernel: [1, 0, 0, 1], bias: [0, 0] };
    expect(() => mlpPredictor({ ...base, layers: [{ ...layer, kernel: [1] }] } as ModelJson)).toThrow(
      'mlp model: field "layers[0].kernel" must hold 4 numbers, found 1',
    );
    expect(() => mlpPredictor({ ...base, nClasses: 3, layers: [layer] } as ModelJson)).toThrow(
      'mlp model: field "layers[0].units" must equal nClasses (3)',
    );
    expect(() => mlpPredictor({ ...base, activation: 'tanh', layers: [layer] } as ModelJson)).toThrow(
      'mlp model: field "activation" must be "relu"',
    );
    const proba = mlpPredictor({ ...base, layers: [layer] } as ModelJson).predictProba(matrix([[1, 0]]));
    expect(proba[0]).toBeCloseTo(Math.E / (Math.E + 1), 12);
  });
});
