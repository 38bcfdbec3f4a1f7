/**
 * Inference for kind "mlp": a multilayer perceptron's forward pass in plain TypeScript, so serving (the api, drift)
 * needs no tfjs. The ml stage trains it with tfjs and stores its weights here as plain arrays.
 *
 * JSON fields (besides kind, nFeatures, nClasses):
 *   activation  "relu": the activation of every hidden layer; the last layer is a softmax over nClasses
 *   layers[]    dense layers in order: { units, kernel, bias }; kernel is inputs × units, row-major (tfjs's
 *               [inputs, units] layout), so output_j = bias_j + Σ_i input_i · kernel[i · units + j]
 */
import type { Matrix, ModelJson, Predictor, PredictorFactory } from '../types.js';

export interface MlpLayerJson {
  readonly units: number;
  readonly kernel: readonly number[];
  readonly bias: readonly number[];
}

export interface MlpModelJson extends ModelJson {
  readonly kind: 'mlp';
  readonly activation: 'relu';
  readonly layers: readonly MlpLayerJson[];
}

function fail(field: string, what: string): never {
  throw new Error(`mlp model: field "${field}" ${what}`);
}

function positiveInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    fail(field, 'must be a positive integer');
  return value;
}

function numbers(value: unknown, field: string, length: number): Float64Array {
  if (!Array.isArray(value)) fail(field, 'must be an array of numbers');
  if (value.length !== length) fail(field, `must hold ${length} numbers, found ${value.length}`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${field}[${i}]`, 'must be a finite number');
    out[i] = v;
  }
  return out;
}

interface Layer {
  readonly inputs: number;
  readonly units: number;
  readonly kernel: Float64Array;
  readonly bias: Float64Array;
}

export const mlpPredictor: PredictorFactory = (json: ModelJson): Predictor => {
  if (json.kind !== 'mlp') fail('kind', `must be "mlp", found ${JSON.stringify(json.kind)}`);
  const nFeatures = positiveInt(json.nFeatures, 'nFeatures');
  const nClasses = positiveInt(json.nClasses, 'nClasses');
  if (json['activation'] !== 'relu') fail('activation', 'must be "relu"');
  const raw = json['layers'];
  if (!Array.isArray(raw) || raw.length === 0) fail('layers', 'must be a non-empty array of dense layers');
  let inputs = nFeatures;
  const layers: Layer[] = raw.map((entry: unknown, i: number): Layer => {
    const field = `layers[${i}]`;
    if (entry === null || typeof entry !== 'object') fail(field, 'must be an object');
    const l = entry as Record<string, unknown>;
    const units = positiveInt(l['units'], `${field}.units`);
    const layer = {
      inputs,
      units,
      kernel: numbers(l['kernel'], `${field}.kernel`, inputs * units),
      bias: numbers(l['bias'], `${field}.bias`, units),
    };
    inputs = units;
    return layer;
  });
  if (inputs !== nClasses) fail(`layers[${layers.length - 1}].units`, `must equal nClasses (${nClasses})`);

  // Two activation buffers, swapped layer to layer: prediction allocates nothing per row.
  const widest = Math.max(nFeatures, ...layers.map((l) => l.units));
  let current = new Float64Array(widest);
  let next = new Float64Array(widest);

  return {
    kind: 'mlp',
    nFeatures,
    nClasses,
    predictProba(x: Matrix, out?: Float64Array): Float64Array {
      if (x.cols !== nFeatures)
        throw new Error(`mlp: input has ${x.cols} columns, the model expects ${nFeatures}`);
      const result = out ?? new Float64Array(x.rows * nClasses);
      for (let row = 0; row < x.rows; row++) {
        for (let j = 0; j < nFeatures; j++) current[j] = x.data[row * nFeatures + j]!;
        for (let l = 0; l < layers.length; l++) {
          const { inputs: nIn, units, kernel, bias } = layers[l]!;
          for (let u = 0; u < units; u++) next[u] = bias[u]!;
          for (let i = 0; i < nIn; i++) {
            const v = current[i]!;
            if (v === 0) continue; // ReLU zeros are common: skip their row of the kernel
            const base = i * units;
            for (let u = 0; u < units; u++) next[u] = next[u]! + v * kernel[base + u]!;
          }
          if (l < layers.length - 1) for (let u = 0; u < units; u++) if (next[u]! < 0) next[u] = 0;
          const swap = current;
          current = next;
          next = swap;
        }
        // Softmax, shifted by the maximum logit so exp cannot overflow.
        let max = -Infinity;
        for (let c = 0; c < nClasses; c++) if (current[c]! > max) max = current[c]!;
        let total = 0;
        const base = row * nClasses;
        for (let c = 0; c < nClasses; c++) {
          const e = Math.exp(current[c]! - max);
          result[base + c] = e;
          total += e;
        }
        for (let c = 0; c < nClasses; c++) result[base + c] = result[base + c]! / total;
      }
      return result;
    },
  };
};
