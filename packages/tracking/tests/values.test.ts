import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  defaultCompareMetric,
  flattenObject,
  lowerIsBetter,
  paramsHash,
  rankRuns,
  stringifyParamValue,
  toParamList,
  validateArtifactPath,
  type RunRecord,
} from '../src/index.js';

describe('params', () => {
  it('flattens nested objects to dotted keys, keeps arrays whole, drops undefined', () => {
    expect(
      flattenObject({ a: 1, model: { max_depth: 10, inner: { x: 'y' } }, list: [1, 2], u: undefined }),
    ).toEqual([
      ['a', 1],
      ['model.max_depth', 10],
      ['model.inner.x', 'y'],
      ['list', [1, 2]],
    ]);
  });

  it('stringifies values as Python str() would for the predecessor’s params', () => {
    expect(stringifyParamValue(200)).toBe('200');
    expect(stringifyParamValue(0.1)).toBe('0.1');
    expect(stringifyParamValue(1e-5)).toBe('1e-05');
    expect(stringifyParamValue(false)).toBe('False');
    expect(stringifyParamValue(null)).toBe('None');
    expect(stringifyParamValue('sqrt')).toBe('sqrt');
    expect(stringifyParamValue([1, 'a'])).toBe('[1,"a"]');
    expect(toParamList({ input_rows: 2153, model: { max_depth: 10 } })).toEqual([
      { key: 'input_rows', value: '2153' },
      { key: 'model.max_depth', value: '10' },
    ]);
  });

  it('validates artifact paths', () => {
    expect(validateArtifactPath('')).toBe('');
    expect(validateArtifactPath('/models/rf/')).toBe('models/rf');
    expect(() => validateArtifactPath('../x')).toThrow();
    expect(() => validateArtifactPath('a/../../x')).toThrow();
  });
});

describe('paramsHash', () => {
  it('is the sha256 of canonical JSON: key order does not matter, values do', () => {
    const a = { models: { rf: { max_depth: 10, n: 200 } }, seed: 42 };
    const b = { seed: 42, models: { rf: { n: 200, max_depth: 10 } } };
    expect(canonicalJson(a)).toBe('{"models":{"rf":{"max_depth":10,"n":200}},"seed":42}');
    expect(paramsHash(a)).toBe(paramsHash(b));
    expect(paramsHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(paramsHash({ ...a, seed: 43 })).not.toBe(paramsHash(a));
    // An independent vector: Python's json.dumps(obj, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
    // hashed with hashlib.sha256 gives the same text and digest.
    const v = { b: [1, { d: null, c: 'x' }], a: true, é: 0.1 };
    expect(canonicalJson(v)).toBe('{"a":true,"b":[1,{"c":"x","d":null}],"\u00e9":0.1}');
    expect(paramsHash(v)).toBe('3043e72d6a2c827c93c175aed87dfe58458f35d02921f6f57503de8402ae3f02');
  });
});

describe('compare', () => {
  const rec = (name: string, metrics: Record<string, number>): RunRecord => ({
    info: {
      runId: name,
      runName: name,
      experimentId: '1',
      userId: 'u',
      status: 'FINISHED',
      startTime: 1,
      endTime: 2,
      artifactUri: '',
      lifecycleStage: 'active',
    },
    params: {},
    metrics,
    tags: {},
  });

  it('picks the f1/accuracy metric most runs share, f1 first', () => {
    const runs = [
      rec('rf', { rf_f1_weighted: 0.9, test_accuracy: 0.95 }),
      rec('knn', { knn_f1_weighted: 0.8, test_accuracy: 0.85 }),
    ];
    expect(defaultCompareMetric(runs)).toBe('test_accuracy');
    expect(defaultCompareMetric([rec('a', { cv_f1: 1, accuracy: 1 })])).toBe('cv_f1');
    expect(defaultCompareMetric([rec('a', { loss: 1 })])).toBeUndefined();
  });

  it('ranks descending for scores, ascending for losses, missing and NaN last', () => {
    const runs = [
      rec('a', { f1: 0.5, loss: 3 }),
      rec('b', { f1: NaN }),
      rec('c', { f1: 0.9, loss: 1 }),
      rec('d', {}),
    ];
    expect(rankRuns(runs, 'f1').map((r) => r.info.runName)).toEqual(['c', 'a', 'b', 'd']);
    expect(lowerIsBetter('loss')).toBe(true);
    expect(lowerIsBetter('test_accuracy')).toBe(false);
    expect(rankRuns(runs, 'loss').map((r) => r.info.runName)).toEqual(['c', 'a', 'b', 'd']);
  });
});
