import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultParams, SeededRng } from '@mlops/core';
import { mlpPredictor, type ModelJson } from '@mlops/model';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadMlpBackend,
  mlpLearner,
  TFJS_MODEL_FILE,
  TFJS_WEIGHTS_FILE,
  writeMlpTfjsFiles,
  type MlpParams,
} from '../src/lib/learners/mlp.js';
import {
  accuracy,
  HAS_REAL_DATA,
  loadRealSplit,
  matrix,
  separableBlobs,
  SKIP_MESSAGE,
  xor,
} from './helpers/data.js';

const PARAMS: MlpParams = {
  hidden_layers: [16, 8],
  epochs: 150,
  batch_size: 16,
  learning_rate: 0.01,
  l2: 0,
  patience: 150,
  validation_fraction: 0,
};

function fit(
  params: MlpParams,
  data: { x: ReturnType<typeof matrix>; y: Int32Array },
  nClasses: number,
  seed = 1,
) {
  return mlpLearner(params).fit({ ...data, nClasses }, { rng: new SeededRng(seed) });
}

let backend = '';
beforeAll(async () => {
  backend = (await loadMlpBackend()).backend;
});

describe('mlp learner', () => {
  it('starts the wasm backend (tfjs-node is not installed here)', () => {
    expect(backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('separates linearly separable blobs; probabilities sum to 1; records the backend', () => {
    const json = fit(PARAMS, separableBlobs(3, 30, 5), 3);
    expect((json['training'] as { backend: string }).backend).toBe('wasm');
    const test = separableBlobs(3, 20, 6);
    const proba = mlpPredictor(json).predictProba(test.x);
    expect(accuracy(proba, test.y, 3)).toBe(1);
    for (let i = 0; i < test.y.length; i++)
      expect(proba[i * 3]! + proba[i * 3 + 1]! + proba[i * 3 + 2]!).toBeCloseTo(1, 12);
  });

  it('learns XOR', () => {
    const json = fit(
      { ...PARAMS, epochs: 120, patience: 120, batch_size: 32, learning_rate: 0.03 },
      xor(40, 1),
      2,
    );
    const test = xor(25, 2);
    expect(accuracy(mlpPredictor(json).predictProba(test.x), test.y, 2)).toBeGreaterThanOrEqual(0.97);
  });

  it('is deterministic for a seed (same JSON bytes) and differs for another seed', () => {
    const data = separableBlobs(3, 20, 9);
    const params = { ...PARAMS, epochs: 20, validation_fraction: 0.2, patience: 5 };
    const first = JSON.stringify(fit(params, data, 3, 42));
    expect(JSON.stringify(fit(params, data, 3, 42))).toBe(first);
    expect(JSON.stringify(fit(params, data, 3, 43))).not.toBe(first);
  });

  it('stops early on the validation loss and keeps the best epoch', () => {
    const json = fit(
      { ...PARAMS, epochs: 500, patience: 5, validation_fraction: 0.25 },
      separableBlobs(3, 40, 3),
      3,
    );
    const training = json['training'] as { epochs: number; best_epoch: number; monitored: string };
    expect(training.monitored).toBe('validation_loss');
    expect(training.epochs).toBeLessThan(500);
    expect(training.best_epoch).toBe(training.epochs - 5);
  });

  it('round-trips through JSON text with identical predictions, and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const json = fit({ ...PARAMS, epochs: 10 }, separableBlobs(2, 20, 4), 2);
    expect(tf.memory().numTensors).toBe(before);
    const x = separableBlobs(2, 10, 5).x;
    const reloaded = mlpPredictor(JSON.parse(JSON.stringify(json)) as ModelJson).predictProba(x);
    expect(Array.from(reloaded)).toEqual(Array.from(mlpPredictor(json).predictProba(x)));
  });

  it('writes tfjs files that tfjs loads back with the same outputs as the plain forward pass (1e-5)', async () => {
    const json = fit({ ...PARAMS, epochs: 30 }, separableBlobs(4, 20, 8), 4);
    const dir = await mkdtemp(join(tmpdir(), 'mlp-tfjs-'));
    try {
      const written = await writeMlpTfjsFiles(json, dir);
      expect(written).toEqual([join(dir, TFJS_MODEL_FILE), join(dir, TFJS_WEIGHTS_FILE)]);
      const modelJson = JSON.parse(await readFile(join(dir, TFJS_MODEL_FILE), 'utf8')) as tf.io.ModelJSON;
      const weights = await readFile(join(dir, TFJS_WEIGHTS_FILE));
      const model = await tf.loadLayersModel({
        load: async () => ({
          modelTopology: modelJson.modelTopology,
          weightSpecs: modelJson.weightsManifest[0]!.weights,
          weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
        }),
      });
      const x = separableBlobs(4, 15, 9).x;
      const input = tf.tensor2d(Float32Array.from(x.data), [x.rows, x.cols]);
      const output = model.predict(input) as tf.Tensor;
      const fromTfjs = output.dataSync();
      const plain = mlpPredictor(json).predictProba(x);
      let maxDiff = 0;
      for (let i = 0; i < plain.length; i++) maxDiff = Math.max(maxDiff, Math.abs(plain[i]! - fromTfjs[i]!));
      expect(maxDiff).toBeLessThan(1e-5);
      tf.dispose([input, output]);
      model.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad input with a one-line error naming it', () => {
    const x = matrix([[0], [1]]);
    expect(() => fit(PARAMS, { x, y: Int32Array.from([0]) }, 2)).toThrow('mlp: 1 labels for 2 rows');
    expect(() => fit(PARAMS, { x, y: Int32Array.from([0, 3]) }, 2)).toThrow(
      'mlp: row 1: class index 3 outside 0..1',
    );
    expect(() => fit(PARAMS, { x: matrix([[0], [Infinity]]), y: Int32Array.from([0, 1]) }, 2)).toThrow(
      'mlp: row 1, column 0: value is not a finite number',
    );
  });
});

describe.skipIf(!HAS_REAL_DATA)('mlp on the real clean data', () => {
  it('reaches a test accuracy near the other learners on a stratified 80/20 split', () => {
    const params = defaultParams().models.mlp;
    const split = loadRealSplit();
    const k = split.classes.length;
    const started = performance.now();
    const json = mlpLearner(params).fit({ ...split.train, nClasses: k }, { rng: new SeededRng(42) });
    const seconds = (performance.now() - started) / 1000;
    const acc = accuracy(mlpPredictor(json).predictProba(split.test.x), split.test.y, k);
    console.log(
      `mlp ${JSON.stringify(params.hidden_layers)} on ${backend}: test accuracy ${acc.toFixed(4)}, fit ${seconds.toFixed(2)} s, ` +
        JSON.stringify(json['training']),
    );
    expect(acc).toBeGreaterThanOrEqual(0.9);
  }, 300_000); // a few seconds alone; far longer on a machine shared with other jobs

  it('gives identical bytes for two fits with the same seed (a few epochs of the default network)', () => {
    const params = { ...defaultParams().models.mlp, epochs: 3 };
    const split = loadRealSplit();
    const run = () =>
      JSON.stringify(mlpLearner(params).fit({ ...split.train, nClasses: 7 }, { rng: new SeededRng(42) }));
    expect(run()).toBe(run());
  });
});
if (!HAS_REAL_DATA) console.warn(SKIP_MESSAGE);
