/**
 * KServe v2 / Open Inference Protocol for a tabular model: one input tensor per feature (the name is the field,
 * shape [n] or [n, 1], a numeric datatype for numeric fields and BYTES for categorical ones), the way MLServer's
 * pandas codec and Triton's tabular examples send columns. The answer has two outputs: `label` (BYTES [n]) and
 * `probabilities` (FP64 [n, classes]).
 */
import type { FeatureSpec } from '@mlops/model';
import { PayloadShapeError } from './mlflow.js';

const NUMERIC_TYPES = new Set([
  'FP16',
  'FP32',
  'FP64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
]);

export const OUTPUTS = ['label', 'probabilities'] as const;

export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

/** The model's inputs and outputs as v2 metadata describes them. */
export function tensorMetadata(
  spec: FeatureSpec,
  nClasses: number,
): {
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
} {
  return {
    inputs: [
      ...spec.numeric.map((f) => ({ name: f.name, datatype: 'FP64', shape: [-1] })),
      ...spec.categorical.map((f) => ({ name: f.name, datatype: 'BYTES', shape: [-1] })),
    ],
    outputs: [
      { name: 'label', datatype: 'BYTES', shape: [-1] },
      { name: 'probabilities', datatype: 'FP64', shape: [-1, nClasses] },
    ],
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export interface InferRequest {
  rows: Record<string, unknown>[];
  id?: string;
  outputs: (typeof OUTPUTS)[number][];
}

/** Parses a v2 infer request into rows (unvalidated values) and the outputs asked for. */
export function parseInferRequest(body: unknown, spec: FeatureSpec): InferRequest {
  if (!isObject(body)) throw new PayloadShapeError('the body must be a JSON object with "inputs"');
  for (const key of Object.keys(body))
    if (!['id', 'parameters', 'inputs', 'outputs'].includes(key))
      throw new PayloadShapeError(`unexpected field "${key}" (accepted: id, parameters, inputs, outputs)`);
  if (body['id'] !== undefined && typeof body['id'] !== 'string')
    throw new PayloadShapeError('id must be a string');
  if (body['parameters'] !== undefined && !isObject(body['parameters']))
    throw new PayloadShapeError('parameters must be an object');
  const inputs = body['inputs'];
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw new PayloadShapeError('inputs must be a non-empty list of tensors');
  const kinds = new Map<string, 'numeric' | 'categorical'>([
    ...spec.numeric.map((f) => [f.name, 'numeric'] as const),
    ...spec.categorical.map((f) => [f.name, 'categorical'] as const),
  ]);
  const columns = new Map<string, unknown[]>();
  let n = -1;
  inputs.forEach((t, i) => {
    const where = `inputs[${i}]`;
    if (!isObject(t)) throw new PayloadShapeError(`${where} must be a tensor object`);
    const name = t['name'];
    if (typeof name !== 'string') throw new PayloadShapeError(`${where}.name must be a string`);
    const kind = kinds.get(name);
    if (!kind)
      throw new PayloadShapeError(
        `${where}: "${name}" is not an input of this model (inputs: ${[...kinds.keys()].join(', ')})`,
      );
    if (columns.has(name)) throw new PayloadShapeError(`${where}: "${name}" is given twice`);
    const datatype = t['datatype'];
    if (kind === 'numeric' && !NUMERIC_TYPES.has(datatype as string))
      throw new PayloadShapeError(
        `${where} (${name}): datatype must be numeric (FP32, FP64, INT64…), not ${JSON.stringify(datatype)}`,
      );
    if (kind === 'categorical' && datatype !== 'BYTES')
      throw new PayloadShapeError(
        `${where} (${name}): datatype must be BYTES, not ${JSON.stringify(datatype)}`,
      );
    const shape = t['shape'];
    if (
      !Array.isArray(shape) ||
      !shape.every((d) => Number.isInteger(d) && d >= 0) ||
      !(shape.length === 1 || (shape.length === 2 && shape[1] === 1))
    )
      throw new PayloadShapeError(`${where} (${name}): shape must be [n] or [n, 1]`);
    let data = t['data'];
    if (!Array.isArray(data)) throw new PayloadShapeError(`${where} (${name}): data must be a list`);
    // Row-major data may come nested ([[v], [v]]) or flat.
    if (data.length > 0 && data.every((d) => Array.isArray(d) && d.length === 1))
      data = data.map((d) => d[0]);
    if ((data as unknown[]).length !== shape[0])
      throw new PayloadShapeError(
        `${where} (${name}): shape says ${shape[0]} values, data has ${(data as unknown[]).length}`,
      );
    if (n >= 0 && shape[0] !== n)
      throw new PayloadShapeError(`${where} (${name}): ${shape[0]} rows; the other inputs have ${n}`);
    n = shape[0] as number;
    columns.set(name, data as unknown[]);
  });
  const missing = [...kinds.keys()].filter((k) => !columns.has(k));
  if (missing.length) throw new PayloadShapeError(`inputs: missing ${missing.join(', ')}`);
  const rows: Record<string, unknown>[] = [];
  for (let r = 0; r < n; r++) {
    const row: Record<string, unknown> = {};
    for (const [name, values] of columns) row[name] = values[r];
    rows.push(row);
  }
  let outputs: (typeof OUTPUTS)[number][] = [...OUTPUTS];
  if (body['outputs'] !== undefined) {
    const asked = body['outputs'];
    if (!Array.isArray(asked) || !asked.every((o) => isObject(o) && typeof o['name'] === 'string'))
      throw new PayloadShapeError('outputs must be a list of {"name": …}');
    outputs = asked.map((o, i) => {
      const name = (o as { name: string }).name;
      if (!(OUTPUTS as readonly string[]).includes(name))
        throw new PayloadShapeError(
          `outputs[${i}]: "${name}" is not an output of this model (outputs: ${OUTPUTS.join(', ')})`,
        );
      return name as (typeof OUTPUTS)[number];
    });
  }
  return { rows, outputs, ...(typeof body['id'] === 'string' ? { id: body['id'] } : {}) };
}
