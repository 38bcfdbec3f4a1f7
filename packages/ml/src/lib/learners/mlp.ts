/**
 * A multilayer perceptron trained with TensorFlow.js: ReLU hidden layers (`models.mlp.hidden_layers`), a softmax
 * output, Adam, L2 on the kernels (Keras' `l2`: l2 · Σ w²), mini-batches, early stopping on a stratified validation
 * slice that restores the best epoch's weights.
 *
 * Backends: tfjs backends start asynchronously while `Learner.fit` is synchronous, so `loadMlpBackend()` must be
 * awaited once before the first fit. It uses `@tensorflow/tfjs-node` when a user has installed it (it cannot install
 * from the registry alone: it downloads libtensorflow), otherwise the wasm backend, whose .wasm files ship inside
 * `@tensorflow/tfjs-backend-wasm` and are located from that package at run time (so a bundled CLI finds them), and
 * the pure-JS cpu backend only if wasm cannot start. The backend that ran is recorded in the model JSON.
 *
 * Determinism: the kernels are initialised (Glorot uniform) and the batches shuffled from the FitContext rng, with no
 * dropout; the wasm and cpu backends run single-threaded, so the same seed and data give the same weights on the
 * same backend (tested).
 *
 * Serving needs no tfjs: the weights go into the model JSON as plain arrays (@mlops/model's mlp predictor runs the
 * forward pass), and `writeMlpTfjsFiles` writes the tfjs `model.json` + weights file for users of tfjs.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, writeFileAtomic, type Params, type SeededRng } from '@mlops/core';
import type { ModelJson } from '@mlops/model';
import type * as TfModule from '@tensorflow/tfjs';
import type { FitContext, FitData, Learner } from '../learner.js';

export type MlpParams = Params['models']['mlp'];
export type MlpBackendName = 'tensorflow' | 'wasm' | 'cpu';

type Tf = typeof TfModule;
type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');
type TfjsEntry = typeof import('./tfjs-entry.js');

/**
 * tfjs and its wasm backend (tfjs-entry.ts): from a CLI bundle (dist/main.cjs, dist/worker.mjs) the chunk built
 * beside it, from tsc's output or the sources the module next to this one. The specifier is computed so that the
 * bundler leaves the import alone and tfjs stays out of the bundles.
 */
async function importTfjs(): Promise<{ tf: Tf; wasm: WasmModule }> {
  const here = import.meta.url;
  const bundled = here.endsWith('.cjs') || here.endsWith('.mjs');
  const rel = bundled ? './tfjs-entry.mjs' : `./tfjs-entry${here.endsWith('.ts') ? '.ts' : '.js'}`;
  const entry = (await import(new URL(rel, here).href)) as TfjsEntry;
  // CommonJS builds seen through ESM interop put the namespace on `default` in some loaders.
  const interop = <T extends object>(m: T & { default?: T }, probe: keyof T): T =>
    typeof m[probe] === 'function' ? m : m.default!;
  return {
    tf: interop(entry.tf as Tf & { default?: Tf }, 'tensor'),
    wasm: interop(entry.wasmBackend as WasmModule & { default?: WasmModule }, 'setWasmPaths'),
  };
}

let tf: Tf | undefined;
let backend: MlpBackendName | undefined;

/** The wasm backend's binaries: beside the package's entry (dist/), or beside this file when a build copied them. */
function wasmDirectory(): string {
  const candidates: string[] = [];
  try {
    const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    candidates.push(dirname(entry));
  } catch {
    // not resolvable from here (a bundle copied elsewhere): try the folder of the running file
  }
  candidates.push(dirname(fileURLToPath(import.meta.url)));
  const found = candidates.find((dir) => existsSync(join(dir, 'tfjs-backend-wasm.wasm')));
  if (found === undefined) {
    throw new Error(`mlp: tfjs-backend-wasm.wasm not found in ${candidates.join(' or ')}`);
  }
  return `${found}/`;
}

export interface MlpBackendInfo {
  /** The backend that runs the fits (also recorded in each model JSON as training.backend). */
  readonly backend: MlpBackendName;
  /** The faster backends that did not start, and why (tfjs-node is normally absent: it is not a dependency). */
  readonly skipped: readonly { readonly backend: MlpBackendName; readonly reason: string }[];
}

let info: MlpBackendInfo | undefined;

/**
 * Loads tfjs and starts the fastest backend available; call (and await) once before fitting an MLP. The stage
 * should log `backend` and warn when wasm was skipped. `prefer` forces one backend (tests compare them; "tensorflow"
 * needs @tensorflow/tfjs-node), and throws when it cannot start.
 */
export async function loadMlpBackend(prefer?: MlpBackendName): Promise<MlpBackendInfo> {
  if (info !== undefined && (prefer === undefined || prefer === info.backend)) return info;
  const { tf: loaded, wasm } = await importTfjs();
  // Production mode: no debug checks per op and no "install tfjs-node" banner on stderr.
  loaded.enableProdMode();
  const order: MlpBackendName[] = prefer ? [prefer] : ['tensorflow', 'wasm', 'cpu'];
  const skipped: { backend: MlpBackendName; reason: string }[] = [];
  for (const name of order) {
    try {
      if (name === 'tensorflow') {
        // Optional and not a dependency: a variable specifier keeps bundlers and tsc from resolving it.
        const optional = '@tensorflow/tfjs-node';
        await import(optional);
      } else if (name === 'wasm') {
        if (typeof wasm?.setWasmPaths !== 'function')
          throw new Error('@tensorflow/tfjs-backend-wasm has no setWasmPaths');
        wasm.setWasmPaths(wasmDirectory());
      }
      if (!(await loaded.setBackend(name))) throw new Error(`tfjs could not initialise the ${name} backend`);
      await loaded.ready();
      tf = loaded;
      backend = name;
      info = { backend: name, skipped };
      return info;
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0]!;
      if (prefer) throw new Error(`mlp: tfjs backend ${name} did not start: ${reason}`);
      skipped.push({ backend: name, reason });
    }
  }
  throw new Error(
    `mlp: no tfjs backend could start (${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')})`,
  );
}

function loadedTf(): Tf {
  if (tf === undefined)
    throw new Error('mlp: tfjs is not loaded; await loadMlpBackend() once before fitting');
  return tf;
}

function validate(data: FitData, params: MlpParams): void {
  const { x, y, nClasses } = data;
  if (x.data.length !== x.rows * x.cols) {
    throw new InputError(`mlp: the matrix holds ${x.data.length} values, not ${x.rows} × ${x.cols}`);
  }
  if (y.length !== x.rows) throw new InputError(`mlp: ${y.length} labels for ${x.rows} rows`);
  if (x.rows === 0) throw new InputError('mlp: no training rows');
  if (data.sampleWeight && data.sampleWeight.length !== x.rows) {
    throw new InputError(`mlp: ${data.sampleWeight.length} sample weights for ${x.rows} rows`);
  }
  for (let i = 0; i < y.length; i++) {
    if (!(y[i]! >= 0 && y[i]! < nClasses))
      throw new InputError(`mlp: row ${i}: class index ${y[i]} outside 0..${nClasses - 1}`);
  }
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i]!)) {
      throw new InputError(
        `mlp: row ${Math.floor(i / x.cols)}, column ${i % x.cols}: value is not a finite number`,
      );
    }
  }
  if (params.hidden_layers.length === 0) throw new InputError('models.mlp.hidden_layers: at least one layer');
}

/** Stratified validation slice: round(fraction × count) rows of each class with at least 2 rows, drawn by the rng. */
function validationMask(y: Int32Array, nClasses: number, fraction: number, rng: SeededRng): Uint8Array {
  const mask = new Uint8Array(y.length);
  if (fraction <= 0) return mask;
  for (let c = 0; c < nClasses; c++) {
    const members: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === c) members.push(i);
    if (members.length < 2) continue;
    rng.shuffle<number, number[]>(members);
    const take = Math.min(Math.round(members.length * fraction), members.length - 1);
    for (let k = 0; k < take; k++) mask[members[k]!] = 1;
  }
  return mask;
}

/** Shortest decimal that reads back as the same float32 (9 significant digits always do): smaller JSON. */
function float32Number(value: number): number {
  return Number(Math.fround(value).toPrecision(9));
}

interface Layer {
  readonly kernel: TfModule.Variable;
  readonly bias: TfModule.Variable;
}

export function mlpLearner(params: MlpParams): Learner {
  return {
    name: 'MLP',
    fit(data: FitData, context: FitContext): ModelJson {
      const t = loadedTf();
      validate(data, params);
      const { x, y, nClasses } = data;
      const p = x.cols;
      const rng = context.rng;
      const isValidation = validationMask(y, nClasses, params.validation_fraction, rng);
      const trainRows: number[] = [];
      const validRows: number[] = [];
      for (let i = 0; i < y.length; i++) (isValidation[i] ? validRows : trainRows).push(i);

      // Glorot-uniform kernels from the FitContext rng (Keras' default initialiser), zero biases.
      const widths = [p, ...params.hidden_layers, nClasses];
      const layers: Layer[] = [];
      for (let l = 0; l + 1 < widths.length; l++) {
        const fanIn = widths[l]!;
        const fanOut = widths[l + 1]!;
        const limit = Math.sqrt(6 / (fanIn + fanOut));
        const init = new Float32Array(fanIn * fanOut);
        for (let i = 0; i < init.length; i++) init[i] = rng.uniformRange(-limit, limit);
        // tidy: the initial tensors are released once the variables hold their values.
        layers.push(
          t.tidy(() => ({
            kernel: t.variable(t.tensor2d(init, [fanIn, fanOut]), true),
            bias: t.variable(t.zeros([fanOut]), true),
          })),
        );
      }
      const variables = layers.flatMap((layer) => [layer.kernel, layer.bias]);

      const gatherRows = (rows: readonly number[]) => {
        const values = new Float32Array(rows.length * p);
        rows.forEach((row, k) => values.set(x.data.subarray(row * p, (row + 1) * p), k * p));
        const oneHot = new Float32Array(rows.length * nClasses);
        rows.forEach((row, k) => (oneHot[k * nClasses + y[row]!] = 1));
        const weight = Float32Array.from(rows, (row) => (data.sampleWeight ? data.sampleWeight[row]! : 1));
        return {
          x: t.tensor2d(values, [rows.length, p]),
          y: t.tensor2d(oneHot, [rows.length, nClasses]),
          w: t.tensor1d(weight),
        };
      };
      const train = gatherRows(trainRows);
      const valid = validRows.length > 0 ? gatherRows(validRows) : undefined;

      const logits = (input: TfModule.Tensor2D): TfModule.Tensor2D => {
        let h = input;
        layers.forEach((layer, l) => {
          h = t.add(t.matMul(h, layer.kernel), layer.bias);
          if (l < layers.length - 1) h = t.relu(h);
        });
        return h;
      };
      // Weighted mean cross-entropy (weights: sample weights, all 1 when absent).
      const crossEntropy = (input: TfModule.Tensor2D, target: TfModule.Tensor2D, weight: TfModule.Tensor1D) =>
        t.div<TfModule.Scalar>(
          t.sum(t.mul(t.neg(t.sum(t.mul(target, t.logSoftmax(logits(input))), 1)), weight)),
          t.sum(weight),
        );
      const penalty = () =>
        layers.reduce<TfModule.Scalar>(
          (sum, layer) => t.add(sum, t.sum(t.square(layer.kernel))),
          t.scalar(0),
        );

      const optimizer = t.train.adam(params.learning_rate);
      const order = new Int32Array(trainRows.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      let best = Infinity;
      let bestEpoch = 0;
      let bestWeights: Float32Array[] = variables
        .map((v) => v.dataSync() as Float32Array)
        .map((a) => a.slice());
      let waited = 0;
      let epochsRun = 0;
      try {
        for (let epoch = 0; epoch < params.epochs; epoch++) {
          rng.shuffle<number, Int32Array>(order);
          for (let start = 0; start < order.length; start += params.batch_size) {
            const batch = t.tensor1d(
              order.subarray(start, Math.min(start + params.batch_size, order.length)),
              'int32',
            );
            optimizer.minimize(
              () => {
                const loss = crossEntropy(
                  t.gather(train.x, batch) as TfModule.Tensor2D,
                  t.gather(train.y, batch) as TfModule.Tensor2D,
                  t.gather(train.w, batch) as TfModule.Tensor1D,
                );
                return params.l2 > 0 ? t.add(loss, t.mul(params.l2, penalty())) : loss;
              },
              false,
              variables,
            );
            batch.dispose();
          }
          epochsRun = epoch + 1;
          // Early stopping watches the validation loss (the training loss when there is no validation slice).
          const watched = valid ?? train;
          const loss = t.tidy(() => crossEntropy(watched.x, watched.y, watched.w).dataSync()[0]!);
          if (loss < best - 1e-7) {
            best = loss;
            bestEpoch = epoch + 1;
            bestWeights = variables.map((v) => (v.dataSync() as Float32Array).slice());
            waited = 0;
          } else if (++waited >= params.patience) {
            break;
          }
          context.onProgress?.(epochsRun / params.epochs);
        }
      } finally {
        optimizer.dispose();
        for (const tensor of [train.x, train.y, train.w, valid?.x, valid?.y, valid?.w, ...variables])
          tensor?.dispose();
      }
      context.onProgress?.(1);

      return {
        kind: 'mlp',
        nFeatures: p,
        nClasses,
        activation: 'relu',
        layers: layers.map((_, l) => ({
          units: widths[l + 1]!,
          kernel: Array.from(bestWeights[2 * l]!, float32Number),
          bias: Array.from(bestWeights[2 * l + 1]!, float32Number),
        })),
        training: {
          backend: backend!,
          epochs: epochsRun,
          best_epoch: bestEpoch,
          best_loss: float32Number(best),
          monitored: valid ? 'validation_loss' : 'training_loss',
        },
      };
    },
  };
}

/**
 * The file names of an MLP's tfjs files (tfjs's own layout: a model JSON naming its weights file, loadable with
 * `tf.loadLayersModel('file://…/tfjs_model.json')`); they sit beside model_bundle.json in a model folder.
 */
export const TFJS_MODEL_FILE = 'tfjs_model.json';
export const TFJS_WEIGHTS_FILE = 'tfjs_weights.bin';

/** Builds the tfjs layers model of an "mlp" model JSON (weights copied in). Needs loadMlpBackend() first. */
export function mlpToTfjsModel(json: ModelJson): TfModule.Sequential {
  const t = loadedTf();
  const layers = json['layers'] as { units: number; kernel: number[]; bias: number[] }[];
  if (json.kind !== 'mlp' || !Array.isArray(layers)) throw new Error('mlp: not an "mlp" model JSON');
  const model = t.sequential();
  let inputs = json.nFeatures;
  layers.forEach((layer, l) => {
    model.add(
      t.layers.dense({
        units: layer.units,
        activation: l === layers.length - 1 ? 'softmax' : 'relu',
        ...(l === 0 ? { inputShape: [inputs] } : {}),
      }),
    );
    inputs = layer.units;
  });
  const weights = layers.flatMap((layer, l) => [
    t.tensor2d(layer.kernel, [l === 0 ? json.nFeatures : layers[l - 1]!.units, layer.units]),
    t.tensor1d(layer.bias),
  ]);
  model.setWeights(weights);
  weights.forEach((w) => w.dispose());
  return model;
}

/**
 * The tfjs files of an "mlp" model JSON, in memory (`TFJS_MODEL_FILE` and `TFJS_WEIGHTS_FILE`, for a model folder
 * written as a whole). Needs loadMlpBackend() first.
 */
export async function mlpTfjsFiles(json: ModelJson): Promise<{ name: string; data: string | Uint8Array }[]> {
  const t = loadedTf();
  const model = mlpToTfjsModel(json);
  try {
    let artifacts: TfModule.io.ModelArtifacts | undefined;
    await model.save(
      t.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
      }),
    );
    if (artifacts?.weightData === undefined || artifacts.weightSpecs === undefined) {
      throw new Error('mlp: tfjs returned no weights to save');
    }
    const modelJson = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    };
    return [
      { name: TFJS_MODEL_FILE, data: `${JSON.stringify(modelJson)}\n` },
      { name: TFJS_WEIGHTS_FILE, data: new Uint8Array(t.io.CompositeArrayBuffer.join(artifacts.weightData)) },
    ];
  } finally {
    model.dispose();
  }
}

/**
 * Writes the tfjs files of an "mlp" model JSON into `dir`, each file atomically. Returns the paths written. Needs
 * loadMlpBackend() first.
 */
export async function writeMlpTfjsFiles(json: ModelJson, dir: string): Promise<string[]> {
  const [modelFile, weightsFile] = await mlpTfjsFiles(json);
  const modelPath = join(dir, modelFile!.name);
  const weightsPath = join(dir, weightsFile!.name);
  // Weights first: a model JSON never names a weights file that is not there yet.
  await writeFileAtomic(weightsPath, weightsFile!.data);
  await writeFileAtomic(modelPath, modelFile!.data);
  return [modelPath, weightsPath];
}
