/**
 * JSON schemas generated from a bundle's feature spec: the request row (every input required, numbers within the
 * spec's valid range, an enum for every categorical, no other field) and the responses. The same schemas validate
 * requests, shape responses and feed the OpenAPI document, so the three cannot disagree.
 */
import { COLUMNS } from '@mlops/core';
import { BMI_FEATURE, inputFields, type FeatureSpec } from '@mlops/model';

export type JsonSchema = Record<string, unknown>;

const DESCRIPTIONS = new Map(COLUMNS.map((c) => [c.name, c.description]));

/** A field's description for people (the dataset schema's, else its name). */
export function describeField(name: string): string {
  if (name === BMI_FEATURE) return 'Body mass index, Weight / Height² in kg/m² (derived by the model)';
  return DESCRIPTIONS.get(name) ?? name;
}

/** The predecessor's example body (its documented example), filled in for any field it does not have. */
const PREDECESSOR_EXAMPLE: Record<string, number | string> = {
  Age: 25,
  Height: 1.75,
  Weight: 85,
  Gender: 'Male',
  FCVC: 2,
  NCP: 3,
  CAEC: 'Sometimes',
  CH2O: 2.5,
  FAF: 1.5,
  TUE: 1,
  MTRANS: 'Automobile',
  family_history_with_overweight: 'yes',
  FAVC: 'no',
  SMOKE: 'no',
  SCC: 'no',
  CALC: 'no',
};

/** A valid example row for `spec` (every field present and within its range or categories). */
export function exampleRow(spec: FeatureSpec): Record<string, number | string> {
  const row: Record<string, number | string> = {};
  for (const f of spec.numeric) {
    const v = PREDECESSOR_EXAMPLE[f.name];
    row[f.name] =
      typeof v === 'number' && v >= f.range[0] && v <= f.range[1] ? v : (f.range[0] + f.range[1]) / 2;
  }
  for (const f of spec.categorical) {
    const v = PREDECESSOR_EXAMPLE[f.name];
    row[f.name] = typeof v === 'string' && f.categories.includes(v) ? v : f.categories[0]!;
  }
  return row;
}

/** The schema of one input row. */
export function rowSchema(spec: FeatureSpec): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of spec.numeric)
    properties[f.name] = {
      type: 'number',
      minimum: f.range[0],
      maximum: f.range[1],
      description: `${describeField(f.name)}${f.unit ? ` (${f.unit})` : ''}, ${f.range[0]}–${f.range[1]}`,
    };
  for (const f of spec.categorical)
    properties[f.name] = { type: 'string', enum: [...f.categories], description: describeField(f.name) };
  return {
    type: 'object',
    title: 'ObesityFeatures',
    description: 'One person: every input field is required; no other field is accepted',
    additionalProperties: false,
    required: inputFields(spec),
    properties,
    examples: [exampleRow(spec)],
  };
}

/** The echo of a row in a response (no constraints: it was validated on the way in). */
export function rowEchoSchema(spec: FeatureSpec): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of spec.numeric) properties[f.name] = { type: 'number' };
  for (const f of spec.categorical) properties[f.name] = { type: 'string' };
  return { type: 'object', properties };
}

export function probabilitiesSchema(labels: readonly string[]): JsonSchema {
  return {
    type: 'object',
    description: 'Probability of each class (they sum to 1)',
    properties: Object.fromEntries(labels.map((l) => [l, { type: 'number' }])),
  };
}

/** One prediction, as /predict answers it (the predecessor's PredictionResponse plus `probabilities`). */
export function predictionSchema(spec: FeatureSpec, labels: readonly string[]): JsonSchema {
  return {
    type: 'object',
    required: [
      'prediction',
      'confidence',
      'probabilities',
      'features_received',
      'model_name',
      'model_version',
    ],
    properties: {
      prediction: { type: 'string', description: 'The predicted class (plain name, no index prefix)' },
      confidence: { type: 'number', description: 'The probability of the predicted class' },
      probabilities: probabilitiesSchema(labels),
      features_received: rowEchoSchema(spec),
      model_name: { type: 'string' },
      model_version: { type: 'string', description: 'The bundle checksum (first 12 hex digits)' },
    },
  };
}

export function batchRequestSchema(spec: FeatureSpec, maxRows: number): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['samples'],
    properties: {
      samples: {
        type: 'array',
        minItems: 1,
        maxItems: maxRows,
        items: rowSchema(spec),
        description: `1 to ${maxRows} rows; each is validated on its own and reported per item`,
      },
    },
  };
}

export function batchResponseSchema(spec: FeatureSpec, labels: readonly string[]): JsonSchema {
  const prediction = predictionSchema(spec, labels);
  return {
    type: 'object',
    properties: {
      predictions: {
        type: 'array',
        description: 'The valid items, in input order, each with its `index` in `samples`',
        items: {
          ...prediction,
          properties: { index: { type: 'integer' }, ...(prediction['properties'] as object) },
        },
      },
      errors: {
        type: 'array',
        description: 'The invalid items: index in `samples`, field and message',
        items: {
          type: 'object',
          properties: {
            index: { type: 'integer' },
            field: { type: 'string' },
            message: { type: 'string' },
          },
        },
      },
      total_samples: { type: 'integer' },
      successful: { type: 'integer' },
      failed: { type: 'integer' },
    },
  };
}

export const errorSchema: JsonSchema = {
  type: 'object',
  description: 'Every error: a one-line message, the field-level details for invalid input, and a timestamp',
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    detail: {},
    timestamp: { type: 'string' },
  },
};
