import { SeededRng, defaultParams } from '@mlops/core';
import { describe, expect, it } from 'vitest';
// The predictors are not exported by @mlops/model until the lead wires them into its registry at merge.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { gradientBoostingPredictor, randomForestPredictor } from '../../model/src/lib/predictors/trees.js';
import { gradientBoostingLearner, stratifiedHoldout } from '../src/lib/learners/boosting.js';
import { randomForestLearner, resolveMaxFeatures } from '../src/lib/learners/forest.js';
import { binFeatures, binOf, featureCuts, midpoint } from '../src/lib/learners/trees/binning.js';
import { accuracy, blobs, noisyMulticlass, xor } from './helpers/synthetic.js';

const P = defaultParams().models;
const rf = (over: Partial<typeof P.random_forest> = {}) =>
  randomForestLearner({ ...P.random_forest, n_estimators: 50, ...over });
const gb = (over: Partial<typeof P.xgboost> = {}) =>
  gradientBoostingLearner({ ...P.xgboost, n_estimators: 50, ...over });
const ctx = (seed = 42) => ({ rng: new SeededRng(seed) });

describe('binning', () => {
  it('gives every distinct value its own bin when there are few, with thresholds between them', () => {
    const cuts = featureCuts(Float64Array.from([3, 1, 2, 2, 1, 3]), 255);
    expect(Array.from(cuts)).toEqual([1.5, 2.5]);
    expect([1, 1.5, 1.6, 2, 2.5, 3, 99].map((v) => binOf(cuts, v))).toEqual([0, 0, 1, 1, 1, 2, 2]);
  });

  it('caps the bins at maxBins with roughly equal counts, and bins agree with the real-valued thresholds', () => {
    const rng = new SeededRng(7);
    const values = Float64Array.from({ length: 5000 }, () => rng.normal());
    const cuts = featureCuts(values, 16);
    expect(cuts.length).toBe(15);
    const counts = new Array<number>(16).fill(0);
    for (const v of values) counts[binOf(cuts, v)]++;
    for (const c of counts) expect(c).toBeGreaterThan(200);
    const binned = binFeatures({ data: values, rows: values.length, cols: 1 }, undefined, 16);
    for (let i = 0; i < values.length; i++) {
      const b = binned.bins[i]!;
      if (b < cuts.length) expect(values[i]! <= cuts[b]!).toBe(true);
      if (b > 0) expect(values[i]! > cuts[b - 1]!).toBe(true);
    }
  });

  it('picks short thresholds near the middle between neighbours, even for adjacent doubles', () => {
    expect(midpoint(0.1234, 0.1299)).toBe(0.1266);
    expect(midpoint(12, 20.3)).toBe(16.1); // near the middle of a wide gap, not the round 20
    const a = 1;
    const b = 1 + Number.EPSILON;
    const t = midpoint(a, b);
    expect(t >= a && t < b).toBe(true);
  });
});

describe('random forest', () => {
  it('separates blobs and solves XOR', () => {
    // XOR has no informative first split, so greedy trees need more rows than for blobs
    for (const [problem, min] of [
      [blobs(3, 60), 0.97],
      [xor(800), 0.93],
    ] as const) {
      const model = rf().fit(problem.train, ctx());
      const proba = randomForestPredictor(model).predictProba(problem.test.x);
      expect(accuracy(proba, problem.test.y, problem.train.nClasses)).toBeGreaterThanOrEqual(min);
    }
  });

  it('beats chance by far on a noisy multiclass problem, with rows of probabilities summing to 1', () => {
    const problem = noisyMulticlass(5, 120);
    const model = rf().fit(problem.train, ctx());
    const proba = randomForestPredictor(model).predictProba(problem.test.x);
    expect(accuracy(proba, problem.test.y, 5)).toBeGreaterThan(0.7);
    for (let i = 0; i < problem.test.y.length; i++) {
      let sum = 0;
      for (let k = 0; k < 5; k++) sum += proba[i * 5 + k]!;
      expect(sum).toBeCloseTo(1, 12);
    }
  });

  it('is deterministic for a seed and changes with it', () => {
    const problem = noisyMulticlass(3, 50);
    const a = JSON.stringify(rf().fit(problem.train, ctx(1)));
    expect(JSON.stringify(rf().fit(problem.train, ctx(1)))).toBe(a);
    expect(JSON.stringify(rf().fit(problem.train, ctx(2)))).not.toBe(a);
  });

  it('respects max_depth and min_samples_leaf', () => {
    const problem = noisyMulticlass(4, 80);
    const model = rf({ max_depth: 2, n_estimators: 5 }).fit(problem.train, ctx());
    const trees = model as unknown as { roots: number[]; feature: number[] };
    // depth 2: at most 7 nodes per tree
    for (let t = 0; t < trees.roots.length; t++) {
      const end = t + 1 < trees.roots.length ? trees.roots[t + 1]! : trees.feature.length;
      expect(end - trees.roots[t]!).toBeLessThanOrEqual(7);
    }
    const big = rf({ min_samples_leaf: 1000, n_estimators: 3 }).fit(problem.train, ctx());
    expect((big as unknown as { feature: number[] }).feature).toEqual([-1, -1, -1]);
  });

  it('balanced class weights raise the recall of a rare class', () => {
    // 10 % minority overlapping the majority: unweighted trees favour the majority in the overlap
    const rng = new SeededRng(5);
    const n = 1000;
    const data = new Float64Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 10 === 0 ? 1 : 0;
      data[i * 2] = (y[i] ? 1.2 : 0) + rng.normal();
      data[i * 2 + 1] = rng.normal();
    }
    const train = { x: { data, rows: n, cols: 2 }, y, nClasses: 2 };
    const recall = (classWeight: 'balanced' | 'none') => {
      const model = rf({ class_weight: classWeight, max_depth: 3 }).fit(train, ctx());
      const proba = randomForestPredictor(model).predictProba(train.x);
      let hit = 0;
      let pos = 0;
      for (let i = 0; i < n; i++) {
        if (y[i] !== 1) continue;
        pos++;
        if (proba[i * 2 + 1]! > proba[i * 2]!) hit++;
      }
      return hit / pos;
    };
    expect(recall('balanced')).toBeGreaterThan(recall('none') + 0.3);
  });

  it('resolves max_features as scikit-learn and rejects bad parameters naming them', () => {
    expect(resolveMaxFeatures('sqrt', 33)).toBe(5);
    expect(resolveMaxFeatures('log2', 33)).toBe(5);
    expect(resolveMaxFeatures('all', 33)).toBe(33);
    expect(resolveMaxFeatures(0.5, 33)).toBe(16);
    expect(resolveMaxFeatures(7, 33)).toBe(7);
    expect(() => resolveMaxFeatures(40, 33)).toThrow(/max_features 40 exceeds the 33 features/);
    expect(() => rf({ n_estimators: 0 })).toThrow(
      /random_forest: n_estimators must be an integer >= 1, got 0/,
    );
    expect(() => rf({ max_depth: 'ten' as unknown as number })).toThrow(/max_depth/);
  });

  it('rejects inconsistent fit data naming the row or field', () => {
    const problem = blobs(2, 10);
    const bad = { ...problem.train, y: problem.train.y.slice(1) };
    expect(() => rf().fit(bad, ctx())).toThrow(/random_forest: \d+ labels for \d+ rows/);
    const data = problem.train.x.data.slice();
    data[3] = Number.NaN;
    expect(() => rf().fit({ ...problem.train, x: { ...problem.train.x, data } }, ctx())).toThrow(
      /row 1, column 1: value NaN is not finite/,
    );
    const y = problem.train.y.slice();
    y[2] = 5;
    expect(() => rf().fit({ ...problem.train, y }, ctx())).toThrow(/row 2: label 5 is outside 0..1/);
  });
});

describe('gradient boosting', () => {
  it('matches the second-order stump computed by hand', () => {
    // margins 0 → p = 0.5, g = p − y = ∓0.5, h = 2p(1−p) = 0.5; the split x <= 1.5 puts G = −1, H = 1 on the left:
    // weight −G/(H+λ) = 0.5 with λ = 1 and learning rate 1; class 1's tree mirrors it.
    const train = {
      x: { data: Float64Array.from([0, 1, 2, 3]), rows: 4, cols: 1 },
      y: Int32Array.from([0, 0, 1, 1]),
      nClasses: 2,
    };
    const model = gb({ n_estimators: 1, max_depth: 1, learning_rate: 1 }).fit(train, ctx()) as unknown as {
      feature: number[];
      threshold: number[];
      value: number[];
      roots: number[];
    };
    expect(model.roots).toEqual([0, 3]);
    expect(model.feature).toEqual([0, -1, -1, 0, -1, -1]);
    expect(model.threshold[0]).toBe(1.5);
    expect(model.value).toEqual([0.5, -0.5, -0.5, 0.5]);
    const proba = gradientBoostingPredictor(model as never).predictProba(train.x);
    const sigmoid1 = 1 / (1 + Math.exp(-1));
    expect(proba[0]).toBeCloseTo(sigmoid1, 12);
    expect(proba[7]).toBeCloseTo(sigmoid1, 12);
  });

  it('separates blobs, solves XOR and learns a noisy multiclass problem', () => {
    for (const [problem, min] of [
      [blobs(4, 50), 0.97],
      [xor(400), 0.95],
      [noisyMulticlass(5, 120), 0.7],
    ] as const) {
      const model = gb().fit(problem.train, ctx());
      const proba = gradientBoostingPredictor(model).predictProba(problem.test.x);
      expect(accuracy(proba, problem.test.y, problem.train.nClasses)).toBeGreaterThanOrEqual(min);
    }
  });

  it('is deterministic for a seed, with row and column subsampling', () => {
    const problem = noisyMulticlass(3, 60);
    const learner = gb({ subsample: 0.6, colsample_bytree: 0.6 });
    const a = JSON.stringify(learner.fit(problem.train, ctx(3)));
    expect(JSON.stringify(learner.fit(problem.train, ctx(3)))).toBe(a);
    expect(JSON.stringify(learner.fit(problem.train, ctx(4)))).not.toBe(a);
  });

  it('stops early on the validation slice and keeps the best round', () => {
    const problem = noisyMulticlass(4, 100, 1.5);
    const learner = gb({
      n_estimators: 400,
      learning_rate: 0.3,
      early_stopping_rounds: 10,
      validation_fraction: 0.2,
    });
    const model = learner.fit(problem.train, ctx());
    const info = learner.lastFit!;
    expect(info.rounds).toBeLessThan(400);
    expect(model.nTrees).toBe(info.rounds * 4);
    const best = Math.min(...info.validationLoss);
    expect(info.validationLoss[info.bestRound]).toBe(best);
    expect(info.validationLoss.length).toBe(info.bestRound + 11);
    const off = gb({ n_estimators: 30 });
    expect(off.fit(problem.train, ctx()).nTrees).toBe(30 * 4);
    expect(off.lastFit!.validationLoss).toEqual([]);
  });

  it('holds out a stratified validation slice', () => {
    const y = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
    const { train, validation } = stratifiedHoldout(y, 2, 0.25, new SeededRng(1));
    expect(validation.length).toBe(25);
    expect(Array.from(validation).filter((i) => y[i] === 1).length).toBe(5);
    expect(train.length + validation.length).toBe(100);
    expect(new Set([...train, ...validation]).size).toBe(100);
  });

  it('oversamples with SMOTE when asked, under its predecessor name', () => {
    const learner = gb({ smote: true, n_estimators: 10 });
    expect(learner.name).toBe('XGBoost_SMOTE');
    expect(gb().name).toBe('XGBoost_Simple');
    const problem = blobs(3, 30);
    const y = problem.train.y;
    // drop half of class 2 so SMOTE has work to do
    const keep = Array.from(y.keys()).filter((i) => y[i] !== 2 || i % 2 === 0);
    const cols = problem.train.x.cols;
    const data = new Float64Array(keep.length * cols);
    keep.forEach((i, r) => data.set(problem.train.x.data.subarray(i * cols, i * cols + cols), r * cols));
    const train = {
      x: { data, rows: keep.length, cols },
      y: Int32Array.from(keep.map((i) => y[i]!)),
      nClasses: 3,
    };
    const proba = gradientBoostingPredictor(learner.fit(train, ctx())).predictProba(problem.test.x);
    expect(accuracy(proba, problem.test.y, 3)).toBeGreaterThanOrEqual(0.95);
    // with early stopping the validation slice is held out first and only the training rows are oversampled
    const stopping = gb({
      smote: true,
      n_estimators: 200,
      early_stopping_rounds: 5,
      validation_fraction: 0.25,
    });
    const model = stopping.fit(train, ctx());
    expect(stopping.lastFit!.rounds).toBeLessThan(200);
    expect(JSON.stringify(stopping.fit(train, ctx()))).toBe(JSON.stringify(model));
    const p2 = gradientBoostingPredictor(model).predictProba(problem.test.x);
    expect(accuracy(p2, problem.test.y, 3)).toBeGreaterThanOrEqual(0.95);
  });

  it('rejects bad hyper-parameters naming them', () => {
    expect(() => gb({ learning_rate: 0 })).toThrow(/xgboost: learning_rate must be a number > 0, got 0/);
    expect(() => gb({ subsample: 1.5 })).toThrow(/xgboost: subsample must be in \(0, 1\], got 1.5/);
    expect(() => gb({ early_stopping_rounds: 2.5 })).toThrow(/early_stopping_rounds/);
    expect(() => gb({ smote: 'yes' as unknown as boolean })).toThrow(/smote must be true or false/);
  });
});

describe('tree models as JSON', () => {
  it('give identical predictions after a JSON round trip', () => {
    const problem = noisyMulticlass(4, 60);
    for (const [learner, factory] of [
      [rf(), randomForestPredictor],
      [gb({ subsample: 0.8 }), gradientBoostingPredictor],
    ] as const) {
      const model = learner.fit(problem.train, ctx());
      const copy = JSON.parse(JSON.stringify(model));
      expect(copy).toEqual(model);
      expect(Array.from(factory(copy).predictProba(problem.test.x))).toEqual(
        Array.from(factory(model).predictProba(problem.test.x)),
      );
    }
  });

  it('predict exactly what a plain walk of the documented flat layout gives', () => {
    // the serving predictors re-lay and rank the trees; this walks the JSON as documented, node by node
    const problem = noisyMulticlass(3, 80, 1.2);
    const naive = (model: Record<string, unknown>, x: Float64Array, cols: number, boosted: boolean) => {
      const m = model as {
        roots: number[];
        feature: number[];
        threshold: number[];
        left: number[];
        right: number[];
        value: number[];
        nClasses: number;
      };
      const K = m.nClasses;
      const rows = x.length / cols;
      const out: number[] = [];
      for (let r = 0; r < rows; r++) {
        const acc = new Array<number>(K).fill(0);
        m.roots.forEach((root, t) => {
          let node = root;
          while (m.feature[node]! >= 0)
            node = x[r * cols + m.feature[node]!]! <= m.threshold[node]! ? m.left[node]! : m.right[node]!;
          if (boosted) acc[t % K]! += m.value[m.left[node]!]!;
          else for (let k = 0; k < K; k++) acc[k]! += m.value[m.left[node]! + k]!;
        });
        if (boosted) {
          const e = acc.map((v) => Math.exp(v - Math.max(...acc)));
          const sum = e.reduce((a, b) => a + b, 0);
          out.push(...e.map((v) => v / sum));
        } else {
          const sum = acc.reduce((a, b) => a + b, 0);
          out.push(...acc.map((v) => v / sum));
        }
      }
      return out;
    };
    // 13 rounds × 3 classes = 39 trees: not a multiple of the 4 trees the boosted predictor walks in lockstep
    const boosted = gb({ n_estimators: 13, max_depth: 4 }).fit(problem.train, ctx());
    const forest = rf({ n_estimators: 7 }).fit(problem.train, ctx());
    const { x } = problem.test;
    const got = Array.from(gradientBoostingPredictor(boosted).predictProba(x));
    naive(boosted, x.data, x.cols, true).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 12));
    const gotForest = Array.from(randomForestPredictor(forest).predictProba(x));
    naive(forest, x.data, x.cols, false).forEach((v, i) => expect(gotForest[i]).toBeCloseTo(v, 12));
    // rows exactly on a threshold go left, as the layout says
    const m = boosted as unknown as { feature: number[]; threshold: number[] };
    const onThreshold = Float64Array.from({ length: x.cols }, () => 0);
    onThreshold[m.feature[0]!] = m.threshold[0]!;
    const p1 = Array.from(
      gradientBoostingPredictor(boosted).predictProba({ data: onThreshold, rows: 1, cols: x.cols }),
    );
    naive(boosted, onThreshold, x.cols, true).forEach((v, i) => expect(p1[i]).toBeCloseTo(v, 12));
  });
});
