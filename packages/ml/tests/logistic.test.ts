import { readFileSync } from 'node:fs';
import { SeededRng } from '@mlops/core';
import { logisticRegressionPredictor } from '@mlops/model';
import { describe, expect, it } from 'vitest';
import { logisticRegressionLearner } from '../src/lib/learners/logistic.js';
import { lbfgs } from '../src/lib/optim/lbfgs.js';

const golden = JSON.parse(
  readFileSync(new URL('./fixtures/logistic_golden.json', import.meta.url), 'utf8'),
) as {
  X: number[][];
  y: number[];
  fits: { C: number; coef: number[][]; intercept: number[]; proba: number[][] }[];
};

describe('L-BFGS', () => {
  it('minimises an ill-conditioned quadratic and the Rosenbrock function', () => {
    const quad = lbfgs(
      (x, g) => {
        g[0] = 2 * (x[0]! - 3);
        g[1] = 200 * (x[1]! + 1);
        return (x[0]! - 3) ** 2 + 100 * (x[1]! + 1) ** 2;
      },
      new Float64Array(2),
      { maxIterations: 100, tolerance: 1e-10 },
    );
    expect(quad.x[0]).toBeCloseTo(3, 8);
    expect(quad.x[1]).toBeCloseTo(-1, 8);
    const rosen = lbfgs(
      (x, g) => {
        const [a, b] = [x[0]!, x[1]!];
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.of(-1.2, 1),
      { maxIterations: 500, tolerance: 1e-9 },
    );
    expect(rosen.converged).toBe(true);
    expect(rosen.x[0]).toBeCloseTo(1, 6);
    expect(rosen.x[1]).toBeCloseTo(1, 6);
  });
});

describe('logistic regression', () => {
  const x = { data: Float64Array.from(golden.X.flat()), rows: golden.X.length, cols: golden.X[0]!.length };
  const y = Int32Array.from(golden.y);

  for (const fit of golden.fits) {
    it(`matches scikit-learn's multinomial fit at C=${fit.C}`, () => {
      const json = logisticRegressionLearner({ C: fit.C, max_iter: 1000, tol: 1e-8 }).fit(
        { x, y, nClasses: 3 },
        { rng: new SeededRng(1) },
      );
      // scikit-learn's coefficients are identified up to a per-feature shift across classes only without a
      // penalty; with L2 they are unique, so they must agree
      json.coef.forEach((v, i) => expect(v).toBeCloseTo(fit.coef.flat()[i]!, 4));
      json.intercept.forEach((v, i) => expect(v).toBeCloseTo(fit.intercept[i]!, 4));
      const proba = logisticRegressionPredictor(json).predictProba({
        data: x.data.subarray(0, 40),
        rows: 10,
        cols: 4,
      });
      expect(Math.max(...[...proba].map((p, i) => Math.abs(p - fit.proba.flat()[i]!)))).toBeLessThan(1e-5);
    });
  }

  it('separates a linearly separable problem', () => {
    const rng = new SeededRng(5);
    const n = 200;
    const data = new Float64Array(n * 2);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const a = rng.uniformRange(-1, 1);
      const b = rng.uniformRange(-1, 1);
      data[2 * i] = a;
      data[2 * i + 1] = b;
      labels[i] = a + 0.5 * b > 0.1 ? 1 : 0;
    }
    const json = logisticRegressionLearner({ C: 100, max_iter: 500 }).fit(
      { x: { data, rows: n, cols: 2 }, y: labels, nClasses: 2 },
      { rng },
    );
    const proba = logisticRegressionPredictor(json).predictProba({ data, rows: n, cols: 2 });
    let correct = 0;
    for (let i = 0; i < n; i++) if ((proba[2 * i + 1]! > 0.5 ? 1 : 0) === labels[i]) correct++;
    expect(correct / n).toBeGreaterThanOrEqual(0.98);
  });

  it('sample weights count as repeated rows', () => {
    const data = Float64Array.of(0, 1, 2, 3);
    const labels = Int32Array.of(0, 0, 1, 1);
    const learner = logisticRegressionLearner({ C: 1, max_iter: 500 });
    const weighted = learner.fit(
      { x: { data, rows: 4, cols: 1 }, y: labels, nClasses: 2, sampleWeight: Float64Array.of(2, 1, 1, 1) },
      { rng: new SeededRng(1) },
    );
    const repeated = learner.fit(
      {
        x: { data: Float64Array.of(0, 0, 1, 2, 3), rows: 5, cols: 1 },
        y: Int32Array.of(0, 0, 0, 1, 1),
        nClasses: 2,
      },
      { rng: new SeededRng(1) },
    );
    weighted.coef.forEach((v, i) => expect(v).toBeCloseTo(repeated.coef[i]!, 5));
  });
});
