/**
 * The model bundle: one JSON file (`model_bundle.json`) in the model folder holding everything serving, evaluation
 * and drift need (format described in this package's README). Deterministic: the same content gives the same
 * bytes (no timestamps, fixed key order, JSON numbers as V8 prints them). Integrity: a SHA-256 of the exact
 * content text sits in the header, so a truncated or edited file is refused with an error naming it.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError, checkWritableFolder, isErrnoException, writeError } from '@mlops/core';
import { checkPreprocessing, type PreprocessingJson } from './preprocess.js';
import type { FeatureReference } from './reference.js';
import { LOWER_SNAKE, checkFeatureSpec, isObject, type FeatureSpec } from './spec.js';
import type { ModelJson } from './types.js';

export const BUNDLE_FORMAT = 'mlops-model-bundle';
export const BUNDLE_SCHEMA_VERSION = 1;
export const BUNDLE_FILE = 'model_bundle.json';

/** Where the model's training data came from, and the split, so evaluate scores exactly the held-out rows. */
export interface TrainingDataInfo {
  /** md5 of the training CSV's bytes. */
  readonly md5: string;
  /** Its file name (no folder: bundles do not carry machine paths). */
  readonly file: string;
  /** Data rows of the file. */
  readonly rows: number;
  readonly test_size: number;
  readonly random_state: number;
  /** 0-based data-row indices of the held-out test rows, ascending. */
  readonly test_indices: readonly number[];
  readonly train_rows: number;
  readonly test_rows: number;
  /** Training rows per class, in label order. */
  readonly class_counts: readonly number[];
  /** Train and test metrics were computed on stratified samples of at most max_rows rows of each split, drawn
   * with this seed (absent in older bundles: every row). */
  readonly evaluation_sample?: { readonly max_rows: number; readonly seed: number };
}

export interface FeatureImportances {
  /** "permutation": mean drop of the CV score when a feature's values are shuffled within a held-out fold. */
  readonly method: string;
  readonly scoring: string;
  /** The 16 input features and BMI. */
  readonly features: readonly string[];
  readonly importances: readonly number[];
  readonly std: readonly number[];
}

export interface BundleContent {
  /** The predecessor's model key of the winner (e.g. "XGBoost_SMOTE"). */
  readonly model_name: string;
  /** Its `models.algorithms` name (e.g. "xgboost"). */
  readonly algorithm: string;
  readonly feature_spec: FeatureSpec;
  readonly preprocessing: PreprocessingJson;
  /** The label map: class index → class name (alphabetical, lower snake case), fixed at training. */
  readonly labels: readonly string[];
  readonly model: ModelJson;
  readonly training_data: TrainingDataInfo;
  /** The hyper-parameters the winner was fitted with, and the params keys that shaped training. */
  readonly params: Readonly<Record<string, unknown>>;
  /** CV (`cv`) and test-split (`test`) metrics of the winner; free-form JSON objects. */
  readonly metrics: {
    readonly scoring: string;
    readonly cv: Readonly<Record<string, unknown>>;
    readonly test: Readonly<Record<string, unknown>>;
  };
  readonly feature_importances: FeatureImportances;
  /** Per-feature training statistics for drift checks at serving time. */
  readonly reference: readonly FeatureReference[];
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Throws naming the JSON path of the first value JSON cannot carry faithfully (NaN, ±Infinity, undefined, a typed array). */
function assertJsonSafe(value: unknown, path: string): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`bundle: ${path} is ${value}, which JSON cannot hold`);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw new Error(`bundle: ${path}[${i}] is ${v}, which JSON cannot hold`);
      } else assertJsonSafe(v, `${path}[${i}]`);
    }
  } else if (ArrayBuffer.isView(value)) {
    throw new Error(`bundle: ${path} is a typed array; store a plain list`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) throw new Error(`bundle: ${path}.${k} is undefined`);
      assertJsonSafe(v, `${path}.${k}`);
    }
  } else if (typeof value === 'function' || typeof value === 'bigint' || typeof value === 'symbol') {
    throw new Error(`bundle: ${path} is a ${typeof value}`);
  }
}

const HEADER = new RegExp(
  `^\\{"format":"([^"]*)","schema_version":(-?\\d+),"checksum":"sha256:([0-9a-f]{64})","content":`,
);

/** The bundle file's text: a one-line header (format, schema version, checksum of the content text), then the content. */
export function serializeBundle(content: BundleContent): string {
  assertJsonSafe(content, 'content');
  const body = JSON.stringify(content);
  return `{"format":"${BUNDLE_FORMAT}","schema_version":${BUNDLE_SCHEMA_VERSION},"checksum":"sha256:${sha256Hex(body)}","content":${body}}\n`;
}

/** Parses and verifies a bundle file's text; every problem is an InputError naming `file`. */
export function parseBundle(text: string, file: string): BundleContent {
  const head = HEADER.exec(text.slice(0, 256));
  if (!head) {
    if (!text.startsWith(`{"format":"${BUNDLE_FORMAT}"`))
      throw new InputError(`${file}: not a model bundle (expected format "${BUNDLE_FORMAT}")`);
    throw new InputError(`${file}: damaged model bundle: unreadable header`);
  }
  if (head[1] !== BUNDLE_FORMAT) throw new InputError(`${file}: not a model bundle (format "${head[1]}")`);
  const version = Number(head[2]);
  if (version !== BUNDLE_SCHEMA_VERSION)
    throw new InputError(
      `${file}: model bundle schema version ${version}; this build reads version ${BUNDLE_SCHEMA_VERSION} (retrain, or use a matching build)`,
    );
  const end = text.endsWith('}\n') ? text.length - 2 : text.endsWith('}') ? text.length - 1 : -1;
  if (end < head[0].length) throw new InputError(`${file}: damaged model bundle: the file is truncated`);
  const body = text.slice(head[0].length, end);
  if (sha256Hex(body) !== head[3])
    throw new InputError(
      `${file}: damaged model bundle: checksum mismatch (the file was truncated or edited)`,
    );
  let content: unknown;
  try {
    content = JSON.parse(body);
  } catch (error) {
    throw new InputError(`${file}: damaged model bundle: ${(error as Error).message}`);
  }
  try {
    return checkContent(content);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${file}: invalid model bundle: ${(error as Error).message}`);
  }
}

/** Structural checks of parsed content (the checksum already vouches for the bytes; this guards the writer). */
function checkContent(value: unknown): BundleContent {
  if (!isObject(value)) throw new Error('content is not an object');
  for (const key of [
    'model_name',
    'algorithm',
    'feature_spec',
    'preprocessing',
    'labels',
    'model',
    'training_data',
    'params',
    'metrics',
    'feature_importances',
    'reference',
  ]) {
    if (!(key in value)) throw new Error(`missing field "${key}"`);
  }
  const spec = checkFeatureSpec(value['feature_spec'], 'feature_spec');
  checkPreprocessing(value['preprocessing'], spec, 'preprocessing');
  const labels = value['labels'];
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string'))
    throw new Error('labels: needs at least 2 class names');
  const badLabel = labels.find((l: string) => !LOWER_SNAKE.test(l));
  if (badLabel !== undefined) throw new Error(`labels: "${badLabel}" is not lower snake case`);
  if (new Set(labels).size !== labels.length) throw new Error('labels: a class name appears twice');
  const model = value['model'];
  if (!isObject(model) || typeof model['kind'] !== 'string') throw new Error('model: needs a kind');
  if (model['nClasses'] !== labels.length)
    throw new Error(`model: nClasses ${String(model['nClasses'])} differs from the ${labels.length} labels`);
  const td = value['training_data'];
  if (!isObject(td) || typeof td['md5'] !== 'string' || !Array.isArray(td['test_indices']))
    throw new Error('training_data: needs md5 and test_indices');
  if (!Array.isArray(value['reference'])) throw new Error('reference: not a list');
  return value as unknown as BundleContent;
}

/** The bundle file of a model folder (a path to the file itself is accepted too). */
export function bundleFileOf(path: string): string {
  try {
    if (statSync(path).isDirectory()) return join(path, BUNDLE_FILE);
  } catch {
    // reported by readBundle
  }
  return path;
}

/** Reads and verifies the bundle of a model folder; errors name the file. */
export function readBundle(dir: string): BundleContent {
  const file = bundleFileOf(dir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR'))
      throw new InputError(`${file}: no model bundle there (train one with mlops-ml train)`);
    if (isErrnoException(error) && error.code === 'EACCES')
      throw new InputError(`${file}: permission denied`);
    if (isErrnoException(error) && error.code === 'EISDIR')
      throw new InputError(`${file}: is a folder, not a model bundle`);
    throw error;
  }
  return parseBundle(text, file);
}

/** A file of a model folder: the bundle and any companions (an MLmodel description, model weights…). */
export interface FolderFile {
  readonly name: string;
  readonly data: string | Uint8Array;
}

/**
 * Checks, before any work, that a model folder can be written at `dir`; true when one is there already. Refuses a
 * file, a non-empty folder without a bundle (never replaced: it is not ours) and an unwritable parent.
 */
export function checkModelFolder(dir: string): boolean {
  let existing = false;
  try {
    const info = statSync(dir);
    if (!info.isDirectory()) throw new InputError(`${dir}: cannot write the model folder: it is a file`);
    existing = true;
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (!(isErrnoException(error) && error.code === 'ENOENT')) throw writeError(dir, error);
  }
  if (existing && !existsSync(join(dir, BUNDLE_FILE)) && readdirSync(dir).length > 0)
    throw new InputError(`${dir}: cannot write the model folder: it holds other files and no ${BUNDLE_FILE}`);
  // An existing folder is updated inside (its parent may be read-only: a bind mount in a container's /app); a new
  // one is created beside, in its parent.
  checkWritableFolder(existing ? dir : dirname(dir), dir);
  return existing;
}

/**
 * Writes a model folder so that a reader never sees a partial model. A new folder is written as a temp folder
 * beside `dir` and renamed into place. An existing model folder is updated in place, file by file (each written to
 * a temp file inside it and renamed over the old one, the bundle file last, files of the old model that the new one
 * lacks removed after): the folder itself is never swapped, so a bind mount of it (compose, Kubernetes) and a server
 * watching it see the new model. The bundle file carries a checksum of its content, so a reader that catches the
 * folder between two renames still loads either the old bundle or the new one, whole. An existing `dir` that is
 * not a model folder (no bundle file in it, yet not empty) is refused, never replaced.
 */
export function writeModelFolder(dir: string, files: readonly FolderFile[]): void {
  const existing = checkModelFolder(dir);
  const unique = `${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  if (!existing) {
    const temp = join(dirname(dir), `.${basename(dir)}.${unique}.tmp`);
    try {
      mkdirSync(temp, { recursive: true });
      for (const f of files) writeFileSync(join(temp, f.name), f.data);
      renameSync(temp, dir);
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      throw writeError(dir, error);
    }
    return;
  }
  const ordered = [
    ...files.filter((f) => f.name !== BUNDLE_FILE),
    ...files.filter((f) => f.name === BUNDLE_FILE),
  ];
  const temps: string[] = [];
  try {
    for (const f of ordered) {
      const temp = join(dir, `.${f.name}.${unique}.tmp`);
      temps.push(temp);
      writeFileSync(temp, f.data);
    }
    ordered.forEach((f, i) => renameSync(temps[i]!, join(dir, f.name)));
  } catch (error) {
    for (const t of temps) rmSync(t, { force: true });
    throw writeError(dir, error);
  }
  const keep = new Set(files.map((f) => f.name));
  for (const name of readdirSync(dir))
    if (!keep.has(name)) rmSync(join(dir, name), { recursive: true, force: true });
}
