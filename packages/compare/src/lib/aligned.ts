/**
 * Aligned comparison: the two files should hold the same rows in the same order (e.g. our cleaning output vs the
 * predecessor's). Checks shape, column set and order, dtypes, missing counts and cell values: numbers within
 * |a − b| ≤ atol + rtol·|b| (b = reference, numpy.isclose; NaN equals NaN, ±inf equal only to itself), everything
 * else exactly. Unlike the predecessor it does not stop at the first failed check: it reports everything that can
 * still be compared (values are compared only when the row counts agree).
 */
import { listForMessage } from '@mlops/core';
import { isNumericDtype, type Dtype, type Frame } from './frame.js';

export interface AlignedOptions {
  rtol: number;
  atol: number;
  /** How many differing cells to list per column. */
  maxExamples: number;
}

export interface CellDifference {
  /** 1-based data row (the header is row 0). */
  row: number;
  input: string;
  reference: string;
  /** |input − reference| when both are numbers. */
  absDiff?: number;
}

export interface AlignedColumn {
  name: string;
  inInput: boolean;
  inReference: boolean;
  /** 0-based position in each file (-1 when absent). */
  positionInput: number;
  positionReference: number;
  dtypeInput: Dtype | null;
  dtypeReference: Dtype | null;
  dtypeMatch: boolean;
  missingInput: number | null;
  missingReference: number | null;
  missingMatch: boolean;
  /** Values were compared (present in both, same row count). */
  compared: boolean;
  /** How they were compared: numerically within tolerance, or as exact text. */
  comparison: 'numeric' | 'text' | null;
  differingCells: number;
  /** Largest |input − reference| over the non-missing numeric pairs (null when not numeric). */
  maxAbsDiff: number | null;
  examples: CellDifference[];
}

export interface AlignedReport {
  mode: 'aligned';
  identical: boolean;
  checks: {
    shapeMatch: boolean;
    columnsMatch: boolean;
    columnOrderMatch: boolean;
    dtypesMatch: boolean;
    missingMatch: boolean;
    valuesMatch: boolean;
  };
  shape: { input: [number, number]; reference: [number, number] };
  onlyInInput: string[];
  onlyInReference: string[];
  tolerance: { rtol: number; atol: number };
  columns: AlignedColumn[];
  /** One line per difference, for people and logs. */
  differences: string[];
}

/** numpy.isclose(a, b, rtol, atol, equal_nan=True) for one pair. */
export function isClose(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

export function compareAligned(input: Frame, reference: Frame, options: AlignedOptions): AlignedReport {
  const differences: string[] = [];
  const shape = {
    input: [input.rowCount, input.header.length] as [number, number],
    reference: [reference.rowCount, reference.header.length] as [number, number],
  };
  const shapeMatch = shape.input[0] === shape.reference[0] && shape.input[1] === shape.reference[1];
  if (!shapeMatch)
    differences.push(
      `shape: input has ${shape.input[0]} rows × ${shape.input[1]} columns, reference ${shape.reference[0]} × ${shape.reference[1]}`,
    );
  const inputSet = new Set(input.header);
  const refSet = new Set(reference.header);
  const onlyInInput = input.header.filter((c) => !refSet.has(c));
  const onlyInReference = reference.header.filter((c) => !inputSet.has(c));
  const columnsMatch = onlyInInput.length === 0 && onlyInReference.length === 0;
  if (onlyInInput.length) differences.push(`columns only in the input: ${listForMessage(onlyInInput)}`);
  if (onlyInReference.length)
    differences.push(`columns only in the reference: ${listForMessage(onlyInReference)}`);
  const columnOrderMatch =
    input.header.length === reference.header.length &&
    input.header.every((c, i) => reference.header[i] === c);
  if (columnsMatch && !columnOrderMatch)
    differences.push(
      `column order differs: input [${listForMessage(input.header, 20)}], reference [${listForMessage(reference.header, 20)}]`,
    );

  const names = [...input.header, ...onlyInReference];
  // positions by name from maps: indexOf per column is quadratic (100,000 columns: minutes)
  const positionInput = new Map(input.header.map((c, i) => [c, i]));
  const positionReference = new Map(reference.header.map((c, i) => [c, i]));
  const sameRows = input.rowCount === reference.rowCount;
  const columns: AlignedColumn[] = names.map((name) => {
    const a = input.columns.get(name);
    const b = reference.columns.get(name);
    const col: AlignedColumn = {
      name,
      inInput: !!a,
      inReference: !!b,
      positionInput: positionInput.get(name) ?? -1,
      positionReference: positionReference.get(name) ?? -1,
      dtypeInput: a?.dtype ?? null,
      dtypeReference: b?.dtype ?? null,
      dtypeMatch: !!a && !!b && a.dtype === b.dtype,
      missingInput: a?.missingCount ?? null,
      missingReference: b?.missingCount ?? null,
      missingMatch: !!a && !!b && a.missingCount === b.missingCount,
      compared: false,
      comparison: null,
      differingCells: 0,
      maxAbsDiff: null,
      examples: [],
    };
    if (!a || !b) return col;
    if (!col.dtypeMatch)
      differences.push(`${name}: dtype ${a.dtype} in the input, ${b.dtype} in the reference`);
    if (!col.missingMatch)
      differences.push(`${name}: ${a.missingCount} missing in the input, ${b.missingCount} in the reference`);
    if (!sameRows) return col;
    col.compared = true;
    if (a.numbers && b.numbers && isNumericDtype(a.dtype) && isNumericDtype(b.dtype)) {
      col.comparison = 'numeric';
      let maxAbs = 0;
      for (let i = 0; i < input.rowCount; i++) {
        const x = a.numbers[i]!;
        const y = b.numbers[i]!;
        const d = Math.abs(x - y);
        if (Number.isFinite(d) && d > maxAbs) maxAbs = d;
        if (!isClose(x, y, options.rtol, options.atol)) {
          col.differingCells++;
          if (col.examples.length < options.maxExamples)
            col.examples.push({
              row: i + 1,
              input: a.text(i),
              reference: b.text(i),
              ...(Number.isFinite(d) ? { absDiff: d } : {}),
            });
        }
      }
      col.maxAbsDiff = maxAbs;
    } else {
      col.comparison = 'text';
      for (let i = 0; i < input.rowCount; i++) {
        const x = a.isMissing(i) ? null : a.text(i);
        const y = b.isMissing(i) ? null : b.text(i);
        if (x !== y) {
          col.differingCells++;
          if (col.examples.length < options.maxExamples)
            col.examples.push({ row: i + 1, input: a.text(i), reference: b.text(i) });
        }
      }
    }
    if (col.differingCells > 0) {
      const first = col.examples
        .map((e) => `row ${e.row}: ${JSON.stringify(e.input)} vs ${JSON.stringify(e.reference)}`)
        .join('; ');
      differences.push(`${name}: ${col.differingCells} differing cell(s); first: ${first}`);
    }
    return col;
  });
  const both = columns.filter((c) => c.inInput && c.inReference);
  const checks = {
    shapeMatch,
    columnsMatch,
    columnOrderMatch,
    dtypesMatch: both.every((c) => c.dtypeMatch),
    missingMatch: both.every((c) => c.missingMatch),
    valuesMatch: sameRows && both.every((c) => c.differingCells === 0),
  };
  if (!sameRows) differences.push('values not compared: the row counts differ');
  return {
    mode: 'aligned',
    identical: Object.values(checks).every(Boolean),
    checks,
    shape,
    onlyInInput,
    onlyInReference,
    tolerance: { rtol: options.rtol, atol: options.atol },
    columns,
    differences,
  };
}
