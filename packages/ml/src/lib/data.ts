/**
 * Reading a clean CSV into a labeled raw batch: every problem is an InputError naming the file and the row,
 * column or class (a missing column, text in a numeric column, a value outside its valid range, a missing or
 * badly spelled target, a single class).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { InputError, isErrnoException, readCsvTyped } from '@mlops/core';
import {
  LOWER_SNAKE,
  describeIssues,
  describeUnknown,
  encodeColumns,
  labelMapOf,
  type FeatureSpec,
  type RawBatch,
} from '@mlops/model';

export interface LabeledData {
  readonly file: string;
  readonly md5: string;
  /** Data rows of the file (every row is kept: a bad row is an error). */
  readonly rows: number;
  readonly batch: RawBatch;
  /** Class index per row, into `labels`. */
  readonly y: Int32Array;
  readonly labels: string[];
  /** A warning about unknown categories, if any (they are encoded as all zeros). */
  readonly warning?: string;
}

/** md5 of a file's bytes (streamed). */
export async function fileMd5(file: string): Promise<string> {
  const hash = createHash('md5');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') throw new InputError(`${file}: file not found`);
    if (isErrnoException(error) && error.code === 'EISDIR')
      throw new InputError(`${file}: is a folder, not a CSV file`);
    throw error;
  }
  return hash.digest('hex');
}

/**
 * Reads a labeled CSV. `labels` given (evaluation): classes are coded by that stored label map and a class outside
 * it is an error; absent (training): the label map is the file's classes in alphabetical order.
 */
export async function readLabeledCsv(
  file: string,
  spec: FeatureSpec,
  labels?: readonly string[],
): Promise<LabeledData> {
  const md5 = await fileMd5(file);
  const target = spec.target.name;
  const typed = await readCsvTyped(file, {
    numeric: spec.numeric.map((f) => f.name),
    categorical: [...spec.categorical.map((f) => f.name), target],
  });
  const encoded = encodeColumns(spec, typed.rowCount, typed.numeric, typed.categorical);
  if (encoded.issues.length > 0) throw new InputError(`${file}: ${describeIssues(encoded.issues)}`);
  const column = typed.categorical.get(target)!;
  for (let r = 0; r < typed.rowCount; r++) {
    if (column.codes[r]! < 0)
      throw new InputError(`${file}: row ${r + 1}, column "${target}": the target is missing`);
  }
  for (const level of column.levels) {
    if (!LOWER_SNAKE.test(level))
      throw new InputError(
        `${file}: column "${target}": class "${level}" is not lower snake case (e.g. "normal_weight")`,
      );
  }
  const labelMap = labels ? [...labels] : labelMapOf(column.levels);
  const index = new Map(labelMap.map((l, i) => [l, i]));
  const levelToClass = column.levels.map((level) => {
    const c = index.get(level);
    if (c === undefined)
      throw new InputError(
        `${file}: column "${target}": class "${level}" is not one the model knows (${labelMap.join(', ')})`,
      );
    return c;
  });
  if (!labels && labelMap.length < 2)
    throw new InputError(
      `${file}: column "${target}" has a single class ("${labelMap[0] ?? ''}"); training needs at least 2`,
    );
  const y = new Int32Array(typed.rowCount);
  for (let r = 0; r < typed.rowCount; r++) y[r] = levelToClass[column.codes[r]!]!;
  const warning = describeUnknown(encoded.unknown);
  return {
    file,
    md5,
    rows: typed.rowCount,
    batch: encoded.batch,
    y,
    labels: labelMap,
    ...(warning ? { warning } : {}),
  };
}
