/**
 * The built CLI (dist/: main.cjs, the worker bundle worker.mjs and the tfjs chunk tfjs-entry.mjs, made by
 * tools/workspace/bundle-cli.mjs) must start tfjs's wasm backend in its worker threads, where the MLP is fitted,
 * and say which backend ran. The wasm binaries ship beside the bundles (package.json "bundleAssets"); a copy of
 * dist/ without them falls back to the pure-JS cpu backend and warns. An MLP winner's tfjs files are written
 * beside its bundle and load back in tfjs.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, encodeRows, loadBundle, readBundle } from '@mlops/model';
import { TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE } from '../src/lib/learners/mlp.js';
import { demoCleanCsv, ML_DIST } from './helpers/demo.js';

let dir: string;
let clean: string;
let paramsFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ml-mlp-cli-'));
  clean = demoCleanCsv(dir, 300, 3).file;
  // two worker threads even on a one-core machine: the MLP is fitted in a worker, as on the real pipeline
  paramsFile = join(dir, 'params.yaml');
  writeFileSync(
    paramsFile,
    'models:\n  algorithms: [mlp]\n  mlp:\n    hidden_layers: [8]\n    epochs: 3\n' +
      'training:\n  cv_folds: 2\n  importance_repeats: 1\n  n_jobs: 2\n',
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Trains with `main`; tracking into dir/mlruns-OUTPUT when `track`, else --no-mlflow. */
function train(main: string, output: string, track = false) {
  const r = spawnSync(
    process.execPath,
    [
      main,
      'train',
      '--input',
      clean,
      '--output',
      output,
      '--metrics',
      `${output}-metrics`,
      '--params',
      paramsFile,
      ...(track ? [] : ['--no-mlflow']),
    ],
    {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, MLFLOW_TRACKING_URI: `file:${join(dir, `mlruns-${output}`)}` },
    },
  );
  return { code: r.status, stderr: r.stderr };
}

describe('mlops-ml train with an MLP, from the built CLI', () => {
  it('fits on the wasm backend in the worker threads, logs it, and writes the tfjs files beside the bundle', async () => {
    const r = train(join(ML_DIST, 'main.js'), 'model', true);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('MLP: trained on the tfjs wasm backend');
    expect(r.stderr).not.toMatch(/WARN/);
    const folder = join(dir, 'model');
    const files = [BUNDLE_FILE, TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE].sort();
    expect(readdirSync(folder).sort()).toEqual(files);
    // the parent run's model/ artifacts: the MLmodel description and every file of the model folder
    const mlruns = join(dir, 'mlruns-model');
    const experiment = readdirSync(mlruns).find((e) => /^\d+$/.test(e) && e !== '0')!;
    const parents = readdirSync(join(mlruns, experiment)).filter((id) =>
      existsSync(join(mlruns, experiment, id, 'artifacts/model/MLmodel')),
    );
    expect(parents).toHaveLength(1);
    expect(readdirSync(join(mlruns, experiment, parents[0]!, 'artifacts/model')).sort()).toEqual(
      ['MLmodel', ...files].sort(),
    );
    const bundle = readBundle(folder);
    expect((bundle.model['training'] as { backend: string }).backend).toBe('wasm');

    // the tfjs files load in tfjs and give the bundle's probabilities (the served forward pass) to 1e-5
    const modelJson = JSON.parse(readFileSync(join(folder, TFJS_MODEL_FILE), 'utf8')) as tf.io.ModelJSON;
    expect(modelJson.weightsManifest[0]!.paths).toEqual([TFJS_WEIGHTS_FILE]);
    const weights = readFileSync(join(folder, TFJS_WEIGHTS_FILE));
    const model = await tf.loadLayersModel({
      load: async () => ({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest[0]!.weights,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    });
    const loaded = loadBundle(folder);
    const header = readFileSync(clean, 'utf8').split('\n')[0]!.split(',');
    const cells = readFileSync(clean, 'utf8').split('\n')[1]!.split(',');
    const row = Object.fromEntries(
      header
        .map((h, i) => [h, /^[\d.-]+$/.test(cells[i]!) ? Number(cells[i]) : cells[i]] as const)
        .filter(([h]) => h !== 'NObeyesdad'),
    );
    const expected = loaded.predictOne(row).probabilities;
    const { batch } = encodeRows(loaded.encoder, [row]);
    const x = loaded.preprocessor.transform(batch);
    const input = tf.tensor2d(Float32Array.from(x.data), [1, x.cols]);
    const output = model.predict(input) as tf.Tensor;
    const got = Array.from(output.dataSync());
    const want = Object.values(expected);
    expect(got).toHaveLength(want.length);
    got.forEach((p, i) => expect(Math.abs(p - want[i]!)).toBeLessThan(1e-5));
    tf.dispose([input, output]);
    model.dispose();
  });

  it('a copy of dist/ without the .wasm files falls back to the cpu backend and warns; with them, wasm', () => {
    const copy = mkdtempSync(join(tmpdir(), 'ml-dist-copy-'));
    try {
      const code = readdirSync(ML_DIST).filter((f) => /\.(c|m)?js$/.test(f));
      for (const file of code) copyFileSync(join(ML_DIST, file), join(copy, file));
      const without = train(join(copy, 'main.js'), 'model-cpu');
      expect(without.code, without.stderr).toBe(0);
      expect(without.stderr).toMatch(/WARN.*MLP: trained on tfjs's pure-JS cpu backend/);
      expect((readBundle(join(dir, 'model-cpu')).model['training'] as { backend: string }).backend).toBe(
        'cpu',
      );

      for (const file of readdirSync(ML_DIST).filter((f) => f.endsWith('.wasm')))
        copyFileSync(join(ML_DIST, file), join(copy, file));
      const withWasm = train(join(copy, 'main.js'), 'model-wasm');
      expect(withWasm.code, withWasm.stderr).toBe(0);
      expect(withWasm.stderr).toContain('MLP: trained on the tfjs wasm backend');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
