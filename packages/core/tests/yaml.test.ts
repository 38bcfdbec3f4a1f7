/**
 * parseYamlData, the one YAML reader of the workspace (params.yaml, .dvc files): its guarantees, and a differential
 * test against the implementation it replaced (the `yaml` package: parseDocument with uniqueKeys, 'core' schema,
 * toJS with maxAliasCount 100). The DIFFERENTIAL expectations were computed once with that implementation and are
 * committed as literals; the repository's live YAML files and generated scalars are also compared with `yaml`
 * itself (a root devDependency), so later edits stay covered.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { InputError, parseYamlData, SeededRng } from '../src/index.js';
import { PREDECESSOR_PARAMS_YAML } from './fixtures/predecessor-params.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** What the previous implementation (`yaml` 2.9.1) gave for the predecessor's params.yaml. */
const PREDECESSOR_VALUES = {
  data: {
    raw_path: 'data/raw/obesity_estimation_modified.csv',
    interim_path: 'data/interim/dataset_limpio_refactored.csv',
    processed_path: 'data/processed/dataset_final.csv',
    test_size: 0.2,
    random_state: 42,
  },
  preprocessing: {
    create_bmi: true,
    handle_outliers: true,
    scale_features: true,
    outlier_method: 'iqr',
    iqr_multiplier: 1.5,
  },
  models: {
    output_dir: 'models',
    algorithms: ['random_forest', 'xgboost', 'knn', 'svm'],
    random_forest: { n_estimators: 200, max_depth: 10, random_state: 42 },
    xgboost: { n_estimators: 200, max_depth: 5, learning_rate: 0.1, random_state: 42 },
    knn: { n_neighbors: 5 },
    svm: { kernel: 'linear', C: 1 },
  },
  training: {
    cross_validation: true,
    cv_folds: 5,
    scoring: 'f1_weighted',
    random_search_iterations: 20,
    random_state: 42,
  },
  evaluation: {
    metrics: ['accuracy', 'precision', 'recall', 'f1', 'roc_auc'],
    generate_plots: true,
    confusion_matrix: true,
  },
  reports: { figures_dir: 'reports/figures', metrics_dir: 'reports/metrics', format: 'png', dpi: 300 },
  mlflow: {
    experiment_name: 'Clasificacion_Niveles_Obesidad',
    tracking_uri: 'file:./mlruns',
    run_name: 'dvc_pipeline_run',
  },
  drift: {
    baseline_version: 'v1.0.0',
    psi_threshold: 0.25,
    ks_threshold: 0.1,
    output_dir: 'reports/drift',
    alert_threshold: 0.5,
  },
  logging: { level: 'INFO', format: '%(asctime)s - %(name)s - %(levelname)s - %(message)s' },
};

/** [name, YAML text, the value the previous implementation (`yaml` 2.9.1) gave]. */
const DIFFERENTIAL: ReadonlyArray<readonly [name: string, text: string, expected: unknown]> = [
  ['predecessor config/params.yaml', PREDECESSOR_PARAMS_YAML, PREDECESSOR_VALUES],
  [
    'repo config/params.yaml (snapshot)',
    `
# Pipeline parameters. Every key of the predecessor's params.yaml is here (a predecessor user can bring theirs);
# keys marked "ours" are new. Every key is read by the code: an unknown key is an error.

# The dataset catalog: every stage, Nx input/output, dvc.yaml dep/out and compose mount derives its paths from here.
data:
  raw_path: data/raw/obesity_estimation_modified.csv
  interim_path: data/interim/dataset_limpio_refactored.csv
  processed_path: data/processed/dataset_final.csv
  test_size: 0.2
  random_state: 42
  drifted_path: data/interim/dataset_with_drift.csv # ours
  profile_dir: reports/eda # ours: the EDA profile (JSON + Markdown)

preprocessing:
  create_bmi: true
  handle_outliers: true
  scale_features: true
  outlier_method: iqr
  iqr_multiplier: 1.5

# ours: cleaning improvements over the predecessor, each off by default (the default reproduces it exactly)
cleaning:
  drop_missing_target: false
  drop_duplicates: false
  outlier_median_excludes_outliers: false

models:
  output_dir: models
  algorithms:
    - random_forest
    - xgboost
    - knn
    - svm
  random_forest:
    n_estimators: 200
    max_depth: 10
    random_state: 42
  xgboost:
    n_estimators: 200
    max_depth: 5
    learning_rate: 0.1
    random_state: 42
  knn:
    n_neighbors: 5
  svm:
    kernel: linear
    C: 1.0

training:
  cross_validation: true
  cv_folds: 5
  scoring: f1_weighted
  random_search_iterations: 20
  random_state: 42

evaluation:
  metrics:
    - accuracy
    - precision
    - recall
    - f1
    - roc_auc
  generate_plots: true
  confusion_matrix: true

reports:
  figures_dir: reports/figures
  metrics_dir: reports/metrics
  format: png
  dpi: 300

mlflow:
  experiment_name: Clasificacion_Niveles_Obesidad
  tracking_uri: file:./mlruns
  run_name: dvc_pipeline_run

drift:
  baseline_version: v1.0.0
  psi_threshold: 0.25
  ks_threshold: 0.1
  output_dir: reports/drift
  alert_threshold: 0.5

# ours: the compare stage
compare:
  reference_path: data/raw/obesity_clean_reference.csv # the clean reference the eda output is checked against
  mode: distribution
  output_dir: reports/compare
  fail_on_diff: false
  rtol: 1.0e-6
  atol: 1.0e-6
  alpha: 0.05
  max_examples: 5

logging:
  level: INFO
  format: '%(asctime)s - %(name)s - %(levelname)s - %(message)s'
`.slice(1),
    {
      ...PREDECESSOR_VALUES,
      data: {
        ...PREDECESSOR_VALUES.data,
        drifted_path: 'data/interim/dataset_with_drift.csv',
        profile_dir: 'reports/eda',
      },
      cleaning: {
        drop_missing_target: false,
        drop_duplicates: false,
        outlier_median_excludes_outliers: false,
      },
      compare: {
        reference_path: 'data/raw/obesity_clean_reference.csv',
        mode: 'distribution',
        output_dir: 'reports/compare',
        fail_on_diff: false,
        rtol: 0.000001,
        atol: 0.000001,
        alpha: 0.05,
        max_examples: 5,
      },
    },
  ],
  [
    'data/raw/obesity_estimation_modified.csv.dvc',
    `
outs:
- md5: 7ace3fc00b6f408eba6fb6a17c3eea4c
  size: 291480
  hash: md5
  path: obesity_estimation_modified.csv
`.slice(1),
    {
      outs: [
        {
          md5: '7ace3fc00b6f408eba6fb6a17c3eea4c',
          size: 291480,
          hash: 'md5',
          path: 'obesity_estimation_modified.csv',
        },
      ],
    },
  ],
  [
    'data/raw/obesity_clean_reference.csv.dvc',
    `
outs:
- md5: 8917494a312c6c985855a489d0a15a00
  size: 273821
  hash: md5
  path: obesity_clean_reference.csv
`.slice(1),
    {
      outs: [
        {
          md5: '8917494a312c6c985855a489d0a15a00',
          size: 273821,
          hash: 'md5',
          path: 'obesity_clean_reference.csv',
        },
      ],
    },
  ],
  [
    'dvc add (test_add.py): md5 of "foo"',
    `
outs:
- md5: acbd18db4cc2f85cedef654fccc4a4d8
  size: 3
  hash: md5
  path: foo
`.slice(1),
    { outs: [{ md5: 'acbd18db4cc2f85cedef654fccc4a4d8', size: 3, hash: 'md5', path: 'foo' }] },
  ],
  [
    'dvc directory output (test_install.py)',
    `
outs:
- md5: 5ea40360f5b4ec688df672a4db9c17d1.dir
  size: 6
  nfiles: 2
  hash: md5
  path: data
`.slice(1),
    {
      outs: [{ md5: '5ea40360f5b4ec688df672a4db9c17d1.dir', size: 6, nfiles: 2, hash: 'md5', path: 'data' }],
    },
  ],
  [
    'legacy 2.x .dvc (no hash:), extra fields',
    `
md5: 0123456789abcdef0123456789abcdef
frozen: true
outs:
- md5: b371b6c2f50af512a1d71333499e3212
  size: 292930
  path: obesity_estimation_modified.csv
  isexec: true
  cache: false
  persist: false
  desc: the raw data
  remote: myremote
`.slice(1),
    {
      md5: '0123456789abcdef0123456789abcdef',
      frozen: true,
      outs: [
        {
          md5: 'b371b6c2f50af512a1d71333499e3212',
          size: 292930,
          path: 'obesity_estimation_modified.csv',
          isexec: true,
          cache: false,
          persist: false,
          desc: 'the raw data',
          remote: 'myremote',
        },
      ],
    },
  ],
  [
    '.dvc with md5s that look like numbers',
    `
outs:
- md5: 12345678901234567890123456789012
  path: a
- md5: '12345678901234567890123456789012'
  path: b
- md5: 1234e678901234567890123456789012
  path: c
- md5: 00000000000000000000000000000000
  path: d
- md5: 0e462097431906509019562988736854
  path: e
`.slice(1),
    {
      outs: [
        { md5: 1.2345678901234567e31, path: 'a' },
        { md5: '12345678901234567890123456789012', path: 'b' },
        { md5: Infinity, path: 'c' },
        { md5: 0, path: 'd' },
        { md5: 0, path: 'e' },
      ],
    },
  ],
  [
    'dvc.lock-like (schema 2.0, quoted keys)',
    `
schema: '2.0'
stages:
  eda:
    cmd: node packages/eda/dist/cli.cjs --params config/params.yaml
    deps:
    - path: data/raw/obesity_estimation_modified.csv
      hash: md5
      md5: 7ace3fc00b6f408eba6fb6a17c3eea4c
      size: 291480
    params:
      config/params.yaml:
        data.test_size: 0.2
        models.algorithms:
        - random_forest
        - knn
    outs:
    - path: reports/eda
      hash: md5
      md5: 5ea40360f5b4ec688df672a4db9c17d1.dir
      size: 6
      nfiles: 2
`.slice(1),
    {
      schema: '2.0',
      stages: {
        eda: {
          cmd: 'node packages/eda/dist/cli.cjs --params config/params.yaml',
          deps: [
            {
              path: 'data/raw/obesity_estimation_modified.csv',
              hash: 'md5',
              md5: '7ace3fc00b6f408eba6fb6a17c3eea4c',
              size: 291480,
            },
          ],
          params: {
            'config/params.yaml': { 'data.test_size': 0.2, 'models.algorithms': ['random_forest', 'knn'] },
          },
          outs: [
            {
              path: 'reports/eda',
              hash: 'md5',
              md5: '5ea40360f5b4ec688df672a4db9c17d1.dir',
              size: 6,
              nfiles: 2,
            },
          ],
        },
      },
    },
  ],
  [
    'ints: decimal, signs, leading zeros, hex, octal, underscores, binary',
    `
a: 0
b: -0
c: +12
d: 017
e: 00012
f: 0x1F
g: 0xff
h: 0o17
i: -0x1F
j: +0x1F
k: -0o17
l: 0XFF
m: 0b101
n: 1_000
o: 1__0
p: 0x
q: 0o
r: 9007199254740993
s: 123456789012345678901234567890
t: 0o18
u: 0xG
v: 1:20
w: 190:20:30
y: +
z: -1
aa: -a
`.slice(1),
    {
      a: 0,
      b: -0,
      c: 12,
      d: 17,
      e: 12,
      f: 31,
      g: 255,
      h: 15,
      i: '-0x1F',
      j: '+0x1F',
      k: '-0o17',
      l: '0XFF',
      m: '0b101',
      n: '1_000',
      o: '1__0',
      p: '0x',
      q: '0o',
      r: 9007199254740992,
      s: 1.2345678901234568e29,
      t: '0o18',
      u: '0xG',
      v: '1:20',
      w: '190:20:30',
      y: '+',
      z: -1,
      aa: '-a',
    },
  ],
  [
    'floats: dots, exponents, special values',
    `
a: 1.0
b: 1.
c: .5
d: -.5
e: +.5
f: 1e3
g: 1E3
h: 1e-6
i: 1.5e+3
j: -1.5E-3
k: .5e1
l: 1e400
m: -1e400
n: 0012.5
o: -0.0
p: .inf
q: -.inf
r: +.inf
s: .Inf
t: -.INF
u: .nan
v: .NaN
w: .NAN
x: -.nan
y: inf
z: nan
aa: .e3
ab: 1e
ac: 1.2.3
ad: 1,5
ae: 6.8523015e+5
af: 685.230_15e+03
ag: 0.1
ah: 0.30000000000000004
ai: 1e-7
aj: 5e-324
ak: 1.7976931348623157e308
`.slice(1),
    {
      a: 1,
      b: 1,
      c: 0.5,
      d: -0.5,
      e: 0.5,
      f: 1000,
      g: 1000,
      h: 0.000001,
      i: 1500,
      j: -0.0015,
      k: 5,
      l: Infinity,
      m: -Infinity,
      n: 12.5,
      o: -0,
      p: Infinity,
      q: -Infinity,
      r: Infinity,
      s: Infinity,
      t: -Infinity,
      u: Number.NaN,
      v: Number.NaN,
      w: Number.NaN,
      x: '-.nan',
      y: 'inf',
      z: 'nan',
      aa: '.e3',
      ab: '1e',
      ac: '1.2.3',
      ad: '1,5',
      ae: 685230.15,
      af: '685.230_15e+03',
      ag: 0.1,
      ah: 0.30000000000000004,
      ai: 1e-7,
      aj: 5e-324,
      ak: 1.7976931348623157e308,
    },
  ],
  [
    'booleans and nulls: 1.2 core only (yes/no/on/off stay strings)',
    `
a: true
b: True
c: TRUE
d: tRue
e: false
f: False
g: FALSE
h: yes
i: no
j: Yes
k: on
l: off
m: y
n: n
o: Y
p: null
q: Null
r: NULL
s: nUll
t: ~
u:
v: ""
w: ''
x: "null"
y: "true"
z: none
aa: None
`.slice(1),
    {
      a: true,
      b: true,
      c: true,
      d: 'tRue',
      e: false,
      f: false,
      g: false,
      h: 'yes',
      i: 'no',
      j: 'Yes',
      k: 'on',
      l: 'off',
      m: 'y',
      n: 'n',
      o: 'Y',
      p: null,
      q: null,
      r: null,
      s: 'nUll',
      t: null,
      u: null,
      v: '',
      w: '',
      x: 'null',
      y: 'true',
      z: 'none',
      aa: 'None',
    },
  ],
  [
    'strings that look like other types',
    'a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: 2001-12-14 21:59:43.10 -5\nd: 12:30:45\ne: "quoted"\nf: \'single\'\ng: \'it\'\'s\'\nh: "123"\ni: "1e3"\nj: "0x1F"\nk: v1.0.0\nl: 1.0.0\nm: file:./mlruns\nn: "%(asctime)s - %(message)s"\no: http://example.com/a?b=c#d\np: a b  c\nq: -1x\nr: 1e3x\ns: =\nt: <<\nu: "\\u00e9\\t\\x41\\\\"\nv: ünïcödé ✓\nw: "#not a comment"\nx: a # a comment\ny: a#b\n',
    {
      a: '2001-12-14',
      b: '2001-12-14t21:59:43.10-05:00',
      c: '2001-12-14 21:59:43.10 -5',
      d: '12:30:45',
      e: 'quoted',
      f: 'single',
      g: "it's",
      h: '123',
      i: '1e3',
      j: '0x1F',
      k: 'v1.0.0',
      l: '1.0.0',
      m: 'file:./mlruns',
      n: '%(asctime)s - %(message)s',
      o: 'http://example.com/a?b=c#d',
      p: 'a b  c',
      q: '-1x',
      r: '1e3x',
      s: '=',
      t: '<<',
      u: 'é\tA\\',
      v: 'ünïcödé ✓',
      w: '#not a comment',
      x: 'a',
      y: 'a#b',
    },
  ],
  [
    'multi-line strings: literal, folded, chomping, plain and quoted continuation',
    'lit: |\n  line 1\n    indented\n  line 3\nlit_strip: |-\n  x\n  y\n\nlit_keep: |+\n  x\n\nfold: >\n  a\n  b\n\n  c\nfold_strip: >-\n  a\n  b\nindicator: |2\n   leading space\nplain: this is\n  a plain\n  multi-line scalar\ndq: "double\n  quoted \\\n  joined"\nsq: \'single\n\n  quoted\'\nlast: end\n',
    {
      lit: 'line 1\n  indented\nline 3\n',
      lit_strip: 'x\ny',
      lit_keep: 'x\n\n',
      fold: 'a b\nc\n',
      fold_strip: 'a b',
      indicator: ' leading space\n',
      plain: 'this is a plain multi-line scalar',
      dq: 'double quoted joined',
      sq: 'single\nquoted',
      last: 'end',
    },
  ],
  [
    'flow and block collections, empty ones, nesting, comments, markers',
    `
%YAML 1.2
---
# comment
flow_map: {a: 1, b: [x, y], "c d": {e: null}}
flow_seq: [1, "2", three, [4], {five: 5}]
empty_map: {}
empty_seq: []
block:
  - a
  - - nested
    - 2
  - key: value
    other: [1]
  -
  - ~
keys:
  1: int key
  1.5: float key
  true: bool key
  "quoted key": q
  key with spaces: s
  <<: not a merge in 1.2
...
`.slice(1),
    {
      flow_map: { a: 1, b: ['x', 'y'], 'c d': { e: null } },
      flow_seq: [1, '2', 'three', [4], { five: 5 }],
      empty_map: {},
      empty_seq: [],
      block: ['a', ['nested', 2], { key: 'value', other: [1] }, null, null],
      keys: {
        '1': 'int key',
        '1.5': 'float key',
        true: 'bool key',
        'quoted key': 'q',
        'key with spaces': 's',
        '<<': 'not a merge in 1.2',
      },
    },
  ],
  [
    'anchors and aliases used normally',
    `
defaults: &defaults
  n_estimators: 200
  random_state: 42
rf: *defaults
list: &l [a, b]
again: *l
scalar: &s 0.25
threshold: *s
nested:
  - *defaults
  - {x: *l, y: *s}
redefined: &s 1
latest: *s
merge_is_plain_key:
  <<: *defaults
  extra: 1
`.slice(1),
    {
      defaults: { n_estimators: 200, random_state: 42 },
      rf: { n_estimators: 200, random_state: 42 },
      list: ['a', 'b'],
      again: ['a', 'b'],
      scalar: 0.25,
      threshold: 0.25,
      nested: [
        { n_estimators: 200, random_state: 42 },
        { x: ['a', 'b'], y: 0.25 },
      ],
      redefined: 1,
      latest: 1,
      merge_is_plain_key: { '<<': { n_estimators: 200, random_state: 42 }, extra: 1 },
    },
  ],
  [
    'CRLF line endings and a byte-order mark',
    '﻿a: 1\r\nb:\r\n  - x\r\n  - "y"\r\nc: |\r\n  l1\r\n  l2\r\n',
    { a: 1, b: ['x', 'y'], c: 'l1\nl2\n' },
  ],
  [
    'top-level scalar document',
    `
42
`.slice(1),
    42,
  ],
  [
    'top-level sequence document',
    `
- a
- 1
- null
`.slice(1),
    ['a', 1, null],
  ],
  ['empty document', '', null],
  [
    'comment-only document',
    `
# nothing here

`.slice(1),
    null,
  ],
  [
    'explicit document end only',
    `
---
...
`.slice(1),
    null,
  ],
  [
    'explicit core tags',
    `
a: !!str 12
b: !!int "12"
c: !!float 1.5
d: !!bool true
e: !!null ""
f: !!map {x: 1}
g: !!seq [1]
h: !!str true
i: !!int 0x1F
`.slice(1),
    { a: '12', b: 12, c: 1.5, d: true, e: null, f: { x: 1 }, g: [1], h: 'true', i: 31 },
  ],
  [
    '__proto__ as a key',
    `
__proto__:
  polluted: true
ok: 1
`.slice(1),
    JSON.parse('{"__proto__":{"polluted":true},"ok":1}') as unknown,
  ],
];

/** The previous implementation, as a reference: `yaml`'s core schema with the options parseYamlData used. */
function parseWithYamlPackage(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw doc.errors[0];
  return doc.toJS({ maxAliasCount: 100 });
}

/** The error parseYamlData throws for `text`, checked to be an InputError (exit code 2). */
function failure(text: string, source = 'f.yaml'): InputError {
  try {
    parseYamlData(text, source);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    return error as InputError;
  }
  return expect.unreachable(`accepted: ${JSON.stringify(text.slice(0, 200))}`);
}

/** Every value in the tree is a plain mapping, a list, a string, a number, a boolean or null. */
function assertPlain(value: unknown): void {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return;
  if (Array.isArray(value)) return value.forEach(assertPlain);
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  Object.values(value as object).forEach(assertPlain);
}

describe('parseYamlData: the same values as the previous implementation', () => {
  it.each(DIFFERENTIAL)('%s', (_name, text, expected) => {
    const value = parseYamlData(text, 'f.yaml');
    // toStrictEqual tells -0 from 0, NaN from a string, and plain objects from anything else
    expect(value).toStrictEqual(expected);
    assertPlain(value);
  });

  it('the committed expectations are what `yaml` gives today', () => {
    for (const [name, text, expected] of DIFFERENTIAL)
      expect(parseWithYamlPackage(text), name).toStrictEqual(expected);
  });

  it("reads the repository's live YAML files (params, dvc.yaml, .dvc files) as `yaml` does", () => {
    const files = ['config/params.yaml', 'dvc.yaml', 'dvc.lock', 'docker/compose.yaml'].filter((f) =>
      existsSync(join(root, f)),
    );
    for (const dir of ['data', 'config']) {
      if (!existsSync(join(root, dir))) continue;
      for (const entry of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })) {
        if (entry.endsWith('.dvc')) files.push(join(dir, entry));
      }
    }
    expect(files).toContain('config/params.yaml');
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(parseYamlData(text, file), file).toStrictEqual(parseWithYamlPackage(text));
    }
  });

  it('resolves generated plain scalars exactly as the YAML 1.2 core schema of `yaml` does', () => {
    // every string of up to 3 characters over the characters that decide a core-schema type, plus random longer
    // ones over a wider set: ints, hex/octal/binary look-alikes, floats, exponents, .inf/.nan, booleans, nulls
    const small = [...'018.eE+-_xoafnI~'];
    const wide = [...'0123456789.eE+-_xXoObBaAfFiInNtTrRuUlLsS~:'];
    const scalars = new Set<string>([
      'null',
      'Null',
      'NULL',
      'true',
      'True',
      'TRUE',
      'false',
      'FALSE',
      '.inf',
      '-.Inf',
    ]);
    for (const a of small) {
      scalars.add(a);
      for (const b of small) {
        scalars.add(a + b);
        for (const c of small) scalars.add(a + b + c);
      }
    }
    const rng = new SeededRng(20240611);
    while (scalars.size < 12_000) {
      const length = 1 + (rng.nextUint32() % 12);
      let s = '';
      for (let i = 0; i < length; i++) s += wide[rng.nextUint32() % wide.length];
      scalars.add(s);
    }
    // a lone "-" starts a block sequence and ":" ends a key: not scalars in block context
    const plain = [...scalars].filter((s) => s !== '-' && !s.includes(':'));
    for (let start = 0; start < plain.length; start += 2000) {
      const text = plain
        .slice(start, start + 2000)
        .map((s, i) => `k${i}: ${s}\n`)
        .join('');
      expect(parseYamlData(text, 'scalars.yaml')).toStrictEqual(parseWithYamlPackage(text));
    }
  });
});

describe('parseYamlData: guarantees', () => {
  it('gives null for an empty document, like the previous implementation', () => {
    for (const text of ['', '\n', '# comment only\n', '---\n', '---\n...\n'])
      expect(parseYamlData(text, 'f')).toBeNull();
  });

  it('refuses duplicate keys, naming the line and column of the second one', () => {
    expect(failure('data: 1\ndata: 2\n', 'dup.yaml').message).toBe(
      'dup.yaml: bad YAML at line 2, column 1: duplicated mapping key',
    );
    expect(failure('a:\n  b: 1\n  c: 2\n  b: 3\n').message).toMatch(
      /^f\.yaml: bad YAML at line 4, column 3: duplicated/,
    );
    expect(failure('a: {b: 1, b: 2}\n').message).toMatch(
      /^f\.yaml: bad YAML at line 1, column \d+: duplicated/,
    );
    // the same key spelled two ways is still the same key of the result
    expect(failure('a: 1\n"a": 2\n').message).toMatch(/line 2, column 1: duplicated/);
    expect(failure("a: 1\n'a': 2\n").message).toMatch(/duplicated/);
    expect(failure('1: a\n1.0: b\n').message).toMatch(/duplicated/);
    expect(failure('- {x: 1, y: 2, x: 3}\n').message).toMatch(/duplicated/);
    // keys may repeat in different mappings
    expect(parseYamlData('a: {x: 1}\nb: {x: 2}\n', 'f')).toEqual({ a: { x: 1 }, b: { x: 2 } });
  });

  it('refuses syntax errors with the file, line and column', () => {
    const bad: Array<[string, number, number]> = [
      ['data:\n  raw_path: [unclosed\n', 3, 1],
      ['a: "unterminated\n', 2, 1],
      ['a: b\n\tc: d\n', 2, 1],
      ['a:\n  - b\n  c: d\n', 3, 3],
      ['a: b: c\n', 1, 5],
      ['a: @x\n', 1, 4],
      ['a: *nowhere\n', 1, 12],
      ['a: [1, 2\n', 2, 1],
      ['a: 1\n---\nb: 2\n', 3, 1],
      ['%YAML 1.1\n---\na: yes\n', 3, 1],
      ['%YAML 2.0\n---\na: 1\n', 2, 1],
      ['a: 1\0\n', 1, 5],
    ];
    for (const [text, line, column] of bad) {
      expect(failure(text, 'dir/p.yaml').message, JSON.stringify(text)).toMatch(
        new RegExp(`^dir/p\\.yaml: bad YAML at line ${line}, column ${column}: \\S`),
      );
    }
  });

  it('refuses nesting deeper than 100 as bad input, not a stack overflow', () => {
    const deep = 'x: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n';
    expect(failure(deep).message).toMatch(
      /^f\.yaml: bad YAML at line 1, column \d+: nesting exceeded maxDepth/,
    );
    const deepBlock = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1\n';
    expect(failure(deepBlock).message).toMatch(/nesting exceeded/);
    // 99 levels of text are fine
    expect(parseYamlData('x: ' + '['.repeat(99) + ']'.repeat(99) + '\n', 'f')).toBeTruthy();
    // aliases can nest deeper than the text does: 60 levels under 60 levels, each anchor expanded twice
    const inner = '['.repeat(60) + ']'.repeat(60);
    const viaAliases = `a: &a ${inner}\nb: ${'['.repeat(60)}*a${']'.repeat(60)}\n`;
    expect(failure(viaAliases).message).toMatch(
      /^f\.yaml: bad YAML: b(\[0\]){100}: aliases nest values deeper than 100 levels$/,
    );
  });

  it('refuses alias bombs quickly, whatever their shape', () => {
    // the classic: 9 levels of 9 aliases would be 9^9 strings once expanded
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]`,
      );
    }
    const billion = levels.join('\n') + '\n';
    expect(failure(billion, 'bomb.yaml').message).toMatch(
      /^bomb\.yaml: bad YAML: [a-z][[\]0-9]*: an alias is expanded more than 100 times/,
    );
    // mappings instead of lists, two-way fan-out but 40 levels deep
    const maps = ['m0: &m0 {k: v}'];
    for (let i = 1; i <= 40; i++) maps.push(`m${i}: &m${i} {l: *m${i - 1}, r: *m${i - 1}}`);
    expect(failure(maps.join('\n') + '\n').message).toMatch(/bad YAML: .*alias/);
    // a long string repeated through scalar aliases: cheap to parse, huge once written out
    const long = 'x'.repeat(100_000);
    const strings = `s: &s ${long}\nl: [${Array(2000).fill('*s').join(', ')}]\n`;
    expect(failure(strings).message).toMatch(
      /^f\.yaml: bad YAML: l\[\d+\]: aliases expand the file past \d+ values/,
    );
  });

  it('refuses aliases that make a value contain itself (a cycle), naming the key path', () => {
    expect(failure('a: &a [1, *a]\n').message).toBe(
      'f.yaml: bad YAML: a[1]: an alias refers to a value that contains it',
    );
    expect(failure('top:\n  a: &a\n    b:\n      c: *a\n').message).toBe(
      'f.yaml: bad YAML: top.a.b.c: an alias refers to a value that contains it',
    );
  });

  it('accepts ordinary aliases, up to 100 expansions of one anchor, and keeps values equal', () => {
    const hundred = `base: &b {n: 1, tags: [a, b]}\nuses: [${Array(100).fill('*b').join(', ')}]\n`;
    const value = parseYamlData(hundred, 'f') as { uses: unknown[] };
    expect(value.uses).toHaveLength(100);
    expect(value.uses[99]).toEqual({ n: 1, tags: ['a', 'b'] });
    expect(failure(hundred.replace('*b]', '*b, *b]')).message).toMatch(
      /^f\.yaml: bad YAML: uses\[100\]: an alias is expanded more than 100 times \(an alias bomb\?\)$/,
    );
    // a scalar alias costs nothing to expand
    const scalars = `t: &t 0.25\nl: [${Array(1000).fill('*t').join(', ')}]\n`;
    expect((parseYamlData(scalars, 'f') as { l: number[] }).l.every((x) => x === 0.25)).toBe(true);
  });

  it('refuses non-plain values (binary, sets, timestamps, custom tags) with the key path', () => {
    const nonPlain: Array<[string, string, string]> = [
      ['data:\n  raw_path: !!binary aGVsbG8=\n', 'data.raw_path', '!!binary'],
      ['a: !!binary |\n  aGVsbG8=\n', 'a', '!!binary'],
      ['a:\n  b:\n    - x\n    - {c: !!set {x, y}}\n', 'a.b[1].c', '!!set'],
      ['a: !!omap [x: 1, y: 2]\n', 'a', '!!omap'],
      ['a: !!pairs [x: 1]\n', 'a', '!!pairs'],
      ['when: !!timestamp 2001-12-14\n', 'when', '!!timestamp'],
      ['outs:\n- path: !!python/object:os.system x\n', 'outs[0].path', '!!python/object:os.system'],
      ['a: !local value\n', 'a', '!local'],
      ['a: !<tag:example.com,2000:x> [1]\n', 'a', 'tag:example.com,2000:x'],
      ['%TAG !e! tag:example.com,2000:\n---\na: !e!x {b: 1}\n', 'a', 'tag:example.com,2000:x'],
      ['a: !!str [1]\n', 'a', '!!str'],
      ['- !!binary aGVsbG8=\n', '[0]', '!!binary'],
      ['!!set {x}\n', '(top level)', '!!set'],
    ];
    for (const [text, path, tag] of nonPlain) {
      expect(failure(text, 'bin.yaml').message).toBe(
        `bin.yaml: ${path}: only mappings, lists, strings, numbers and booleans are allowed, not ${tag}`,
      );
    }
    // the first offending value in document order is named
    expect(failure('a: 1\nb: [!!binary aGk=]\nc: !!set {x}\n').message).toMatch(/^f\.yaml: b\[0\]: /);
  });

  it('keeps YAML 1.1 look-alikes as the 1.2 core schema says: strings', () => {
    const value = parseYamlData(
      'a: yes\nb: no\nc: on\nd: off\ne: y\nf: 2001-12-14\ng: 2001-12-14 21:59:43.10 -5\nh: 1:20\ni: 0b101\nj: 017\nk: 1_000\n',
      'f',
    );
    expect(value).toStrictEqual({
      a: 'yes',
      b: 'no',
      c: 'on',
      d: 'off',
      e: 'y',
      f: '2001-12-14',
      g: '2001-12-14 21:59:43.10 -5',
      h: '1:20',
      i: '0b101',
      j: 17,
      k: '1_000',
    });
  });

  it('refuses explicit core tags on values they cannot take, with a position', () => {
    expect(failure('a: !!int abc\n').message).toMatch(
      /^f\.yaml: bad YAML at line 1, column \d+: cannot resolve/,
    );
    expect(failure('a: !!bool yes\n').message).toMatch(/cannot resolve/);
    expect(failure('a: !!null x\n').message).toMatch(/cannot resolve/);
    expect(parseYamlData('a: !!float 1\nb: !!float .5\nc: !!str 0x1F\n', 'f')).toStrictEqual({
      a: 1,
      b: 0.5,
      c: '0x1F',
    });
  });

  it('does not let __proto__ keys change prototypes', () => {
    const value = parseYamlData('__proto__: {polluted: true}\n', 'f') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
