/**
 * The predecessor's cleaning rules as data: which column is dropped, how each categorical column is
 * normalised in step 6, and the exact 21-entry target lookup.
 */
import { COLUMNS, JUNK_COLUMN, TARGET_CLASSES, TARGET_CLASSES_TITLE, type ColumnKind } from '@mlops/core';
import { pythonLower, pythonTitle } from './python-text.js';

/** Step 1: columns removed when present. */
export const COLUMNS_TO_DROP: readonly string[] = [JUNK_COLUMN];

/** Python's `str.swapcase` on ASCII letters (enough for the 7 class names). */
function swapAsciiCase(s: string): string {
  return s.replace(/[A-Za-z]/g, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()));
}

/**
 * Step 6 target lookup: the TitleCase (`Normal_Weight`), UPPER (`NORMAL_WEIGHT`) and inverted-case
 * (`nORMAL_wEIGHT`) spelling of each class → its lower-snake name. Anything else passes through unchanged.
 */
export const TARGET_LOOKUP: ReadonlyMap<string, string> = new Map(
  TARGET_CLASSES.flatMap((cls) => {
    const title = TARGET_CLASSES_TITLE[cls];
    return [
      [title, cls],
      [title.toUpperCase(), cls],
      [swapAsciiCase(title), cls],
    ] as [string, string][];
  }),
);

function titleThenNo(s: string): string {
  const t = pythonTitle(s);
  return t === 'No' ? 'no' : t;
}

/** Step 6 for one categorical column: a pure function of one (non-missing) value. */
export function normaliserFor(column: string, kind: ColumnKind): (value: string) => string {
  if (kind === 'target') return (v) => TARGET_LOOKUP.get(v) ?? v;
  if (kind === 'binary') return pythonLower;
  if (column === 'CAEC' || column === 'CALC') return titleThenNo;
  return pythonTitle;
}

/** The kinds of the 17 required columns, by name. */
export const REQUIRED_COLUMNS: ReadonlyMap<string, ColumnKind> = new Map(
  COLUMNS.map((c) => [c.name, c.kind]),
);

/** The fallback imputation value of a text column with no mode. */
export const MODE_FALLBACK = 'Unknown';
