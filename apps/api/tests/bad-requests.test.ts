/**
 * The table of bad requests: each gets the right 4xx (never a 5xx) and a message that names the offending field,
 * on the predecessor's endpoints, the MLflow and KServe protocols, batch and drift.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startInProcess, trainBundle, type Running, type Trained } from './helpers.js';

let trained: Trained;
let server: Running;
let row: Record<string, string | number>;

beforeAll(async () => {
  trained = trainBundle(11, 300);
  server = await startInProcess(trained.modelDir);
  row = trained.rows[0]!;
});

afterAll(async () => {
  await server?.close();
});

const without = (r: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(r).filter(([k]) => k !== key));
const json = (v: unknown) => JSON.stringify(v);
/** The row's JSON text with one field's value replaced by raw text (NaN, Infinity: not expressible in JSON). */
const rawField = (r: Record<string, unknown>, key: string, raw: string) =>
  json({ ...r, [key]: '__RAW__' }).replace('"__RAW__"', raw);
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

interface Case {
  name: string;
  path?: string;
  body: () => string;
  type?: string;
  status: number;
  /** What the message must say (the field, and why). */
  says: RegExp;
}

const cases: Case[] = [
  { name: 'missing field', body: () => json(without(row, 'Age')), status: 422, says: /Age: is required/ },
  {
    name: 'wrong type (number as text)',
    body: () => json({ ...row, Age: '25' }),
    status: 422,
    says: /Age: must be a number, not "25"/,
  },
  {
    name: 'wrong type (null)',
    body: () => json({ ...row, Weight: null }),
    status: 422,
    says: /Weight: must be a number, not null/,
  },
  {
    name: 'categorical as number',
    body: () => json({ ...row, Gender: 1 }),
    status: 422,
    says: /Gender: must be a string/,
  },
  {
    name: 'NaN',
    body: () => rawField(row, 'Age', 'NaN'),
    status: 400,
    says: /field "Age": NaN is not a JSON number/,
  },
  {
    name: 'Infinity',
    body: () => rawField(row, 'Height', 'Infinity'),
    status: 400,
    says: /field "Height": Infinity is not a JSON number/,
  },
  {
    name: '-Infinity',
    body: () => rawField(row, 'FAF', '-Infinity'),
    status: 400,
    says: /field "FAF": -Infinity/,
  },
  {
    name: '1e309 (overflows to Infinity)',
    body: () => rawField(row, 'Weight', '1e309'),
    status: 422,
    says: /Weight: must be a finite number/,
  },
  {
    name: 'out of range (above)',
    body: () => json({ ...row, Age: 101 }),
    status: 422,
    says: /Age: 101 is out of range: must be <= 100/,
  },
  {
    name: 'out of range (below)',
    body: () => json({ ...row, Height: 0.5 }),
    status: 422,
    says: /Height: 0\.5 is out of range: must be >= 1/,
  },
  {
    name: 'unknown category',
    body: () => json({ ...row, MTRANS: 'Private_Car' }),
    status: 422,
    says: /MTRANS: "Private_Car" is not one of Public_Transportation, Automobile, Walking, Motorbike, Bike/,
  },
  {
    name: 'category in the wrong case',
    body: () => json({ ...row, Gender: 'male' }),
    status: 422,
    says: /Gender: "male" is not one of Female, Male/,
  },
  {
    name: 'extra field',
    body: () => json({ ...row, BMI: 27.8 }),
    status: 422,
    says: /BMI: is not an accepted field/,
  },
  {
    name: 'prototype key',
    body: () => `{"__proto__": {"x": 1}, ${json(row).slice(1)}`,
    status: 400,
    says: /"__proto__" is not accepted/,
  },
  {
    name: 'malformed JSON',
    body: () => json(row).slice(0, -1),
    status: 400,
    says: /malformed JSON: .*position/,
  },
  { name: 'empty body', body: () => '', status: 400, says: /body is empty/ },
  {
    name: 'a list instead of an object',
    body: () => json([row]),
    status: 422,
    says: /\(body\): must be an object, not a list/,
  },
  {
    name: 'wrong content type (text/plain)',
    body: () => json(row),
    type: 'text/plain',
    status: 415,
    says: /Unsupported Media Type: "text\/plain"; send application\/json/,
  },
  {
    name: 'wrong content type (form)',
    body: () => 'Age=25',
    type: 'application/x-www-form-urlencoded',
    status: 415,
    says: /content-type|Media Type/i,
  },
  {
    name: 'deeply nested JSON in a field',
    body: () => rawField(row, 'Age', nested(100_000)),
    status: 422,
    says: /Age: must be a number, not a list/,
  },
  {
    name: 'deeply nested JSON as the body',
    body: () => nested(100_000),
    status: 422,
    says: /\(body\): must be an object/,
  },
  {
    name: 'a 1 MB string',
    body: () => json({ ...row, CAEC: 'x'.repeat(1_000_000) }),
    status: 422,
    says: /CAEC: "x{40}…" is not one of/,
  },
  {
    name: 'oversize body (2 MB)',
    body: () => json({ ...row, CAEC: 'x'.repeat(2_000_000) }),
    status: 413,
    says: /too large/i,
  },
  // batch
  {
    name: 'empty batch',
    path: '/predict/batch',
    body: () => json({ samples: [] }),
    status: 422,
    says: /samples: No samples provided/,
  },
  {
    name: 'batch without samples',
    path: '/predict/batch',
    body: () => json({ rows: [row] }),
    status: 422,
    says: /rows: is not an accepted field/,
  },
  {
    name: 'batch of a non-list',
    path: '/predict/batch',
    body: () => json({ samples: row }),
    status: 422,
    says: /samples: must be a list/,
  },
  {
    name: 'oversize batch (1001 rows)',
    path: '/predict/batch',
    body: () => json({ samples: Array(1001).fill(row) }),
    status: 413,
    says: /samples: 1001 rows is more than the limit of 1000 \(MAX_BATCH_ROWS\)/,
  },
  {
    name: 'batch with no valid item',
    path: '/predict/batch',
    body: () => json({ samples: [{ ...row, Age: 5 }] }),
    status: 422,
    says: /samples\[0\]\.Age: 5 is out of range/,
  },
  // MLflow
  {
    name: 'invocations: two formats',
    path: '/invocations',
    body: () => json({ instances: [row], inputs: [row] }),
    status: 400,
    says: /exactly one of the input fields/,
  },
  {
    name: 'invocations: bad row',
    path: '/invocations',
    body: () => json({ dataframe_records: [row, { ...row, NCP: 9 }] }),
    status: 400,
    says: /rows\[1\]\.NCP: 9 is out of range/,
  },
  {
    name: 'invocations: split with a missing column',
    path: '/invocations',
    body: () => json({ dataframe_split: { columns: ['Age'], data: [[30]] } }),
    status: 400,
    says: /rows\[0\]\.Height: is required/,
  },
  {
    name: 'invocations: ragged split',
    path: '/invocations',
    body: () => json({ dataframe_split: { columns: ['Age', 'Height'], data: [[30]] } }),
    status: 400,
    says: /dataframe_split\.data\[0\] has 1 values for 2 columns/,
  },
  {
    name: 'invocations: CSV with a bad number',
    path: '/invocations',
    type: 'text/csv',
    body: () =>
      `${trained.header.join(',')}\n${trained.header.map((c) => (c === 'Age' ? 'old' : row[c])).join(',')}\n`,
    status: 400,
    says: /rows\[0\]\.Age: must be a number, not "old"/,
  },
  {
    name: 'invocations: latin1 charset',
    path: '/invocations',
    type: 'application/json; charset=latin1',
    body: () => json({ instances: [row] }),
    status: 415,
    says: /charset/,
  },
  {
    name: 'invocations: no rows',
    path: '/invocations',
    body: () => json({ instances: [] }),
    status: 400,
    says: /no rows/,
  },
  {
    name: 'invocations: oversize',
    path: '/invocations',
    body: () => json({ instances: Array(1001).fill(row) }),
    status: 413,
    says: /1001 rows is more than the limit/,
  },
  {
    name: 'invocations: deeply nested',
    path: '/invocations',
    body: () => `{"inputs": ${nested(100_000)}}`,
    status: 400,
    says: /inputs/,
  },
  // KServe
  {
    name: 'infer: missing inputs',
    path: '/v2/models/LogisticRegression/infer',
    body: () => json({ inputs: [{ name: 'Age', shape: [1], datatype: 'FP64', data: [30] }] }),
    status: 400,
    says: /inputs: missing Height/,
  },
  {
    name: 'infer: BYTES for a number',
    path: '/v2/models/LogisticRegression/infer',
    body: () => json({ inputs: [{ name: 'Age', shape: [1], datatype: 'BYTES', data: ['30'] }] }),
    status: 400,
    says: /Age\): datatype must be numeric/,
  },
  {
    name: 'infer: shape and data disagree',
    path: '/v2/models/LogisticRegression/infer',
    body: () => json({ inputs: [{ name: 'Age', shape: [2], datatype: 'FP64', data: [30] }] }),
    status: 400,
    says: /shape says 2 values, data has 1/,
  },
  {
    name: 'infer: unknown input',
    path: '/v2/models/LogisticRegression/infer',
    body: () => json({ inputs: [{ name: 'BMI', shape: [1], datatype: 'FP64', data: [30] }] }),
    status: 400,
    says: /"BMI" is not an input of this model/,
  },
  // drift
  {
    name: 'drift: a bad row',
    path: '/drift',
    body: () => json({ samples: [row, { ...row, TUE: 3 }] }),
    status: 422,
    says: /samples\[1\]\.TUE: 3 is out of range/,
  },
];

describe('bad requests: the right 4xx, the field named, never a 5xx', () => {
  it.each(cases)('$name → $status', async (c) => {
    const r = await postJson(
      `${server.url}${c.path ?? '/predict'}`,
      c.body(),
      c.type ? { 'content-type': c.type } : {},
    );
    expect(r.status, r.text.slice(0, 500)).toBe(c.status);
    const message = String(r.json?.['message'] ?? r.json?.['error'] ?? r.text);
    expect(message, message.slice(0, 500)).toMatch(c.says);
    expect(message).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.text.length).toBeLessThan(20_000); // a 1 MB value is never echoed back
  });

  it('the predecessor-shaped error body: error, message, detail with field and loc, timestamp', async () => {
    const r = await postJson(`${server.url}/predict`, { ...row, Age: 101, CAEC: 'Never' });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ error: 'Validation Error', timestamp: expect.stringMatching(/Z$/) });
    expect(r.json['detail']).toEqual([
      expect.objectContaining({ field: 'Age', loc: ['body', 'Age'], msg: expect.stringContaining('<= 100') }),
      expect.objectContaining({ field: 'CAEC', loc: ['body', 'CAEC'] }),
    ]);
  });

  it('the server still serves after every bad request', async () => {
    const r = await postJson(`${server.url}/predict`, row);
    expect(r.status).toBe(200);
  });
});
