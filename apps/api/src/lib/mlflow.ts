/**
 * The MLflow scoring-server protocol (`POST /invocations`), as `mlflow models serve` speaks it: a JSON body with
 * exactly one of `dataframe_split`, `dataframe_records`, `instances`, `inputs` (plus optional `params`), or a CSV
 * body with a header. These functions turn a payload into row objects; the rows are then validated like any other.
 */
import { type FieldIssue } from './validation.js';

export const SUPPORTED_FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/** A payload that is not in any accepted shape: 400 with MLflow's error body. */
export class PayloadShapeError extends Error {
  readonly statusCode = 400;
  constructor(
    message: string,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
  }
}

type Row = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rows from a list of column names and a list of value lists (positional). */
function rowsFromLists(columns: readonly string[], data: unknown, where: string): Row[] {
  if (!Array.isArray(data)) throw new PayloadShapeError(`${where} must be a list of rows`);
  return data.map((values, i) => {
    if (!Array.isArray(values))
      throw new PayloadShapeError(`${where}[${i}] must be a list of ${columns.length} values`);
    if (values.length !== columns.length)
      throw new PayloadShapeError(`${where}[${i}] has ${values.length} values for ${columns.length} columns`);
    const row: Row = {};
    for (let j = 0; j < columns.length; j++) row[columns[j]!] = values[j];
    return row;
  });
}

function columnNames(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((c) => typeof c !== 'string'))
    throw new PayloadShapeError(`${where} must be a list of column names`);
  const seen = new Set<string>();
  for (const c of value as string[]) {
    if (seen.has(c)) throw new PayloadShapeError(`${where}: column ${JSON.stringify(c)} appears twice`);
    seen.add(c);
  }
  return value as string[];
}

/** Rows from a dict of columns (`{"Age": [25, 31], …}`): every column the same length. */
function rowsFromColumns(columns: Record<string, unknown>, where: string): Row[] {
  const names = Object.keys(columns);
  let n = -1;
  for (const name of names) {
    const values = columns[name];
    if (!Array.isArray(values)) throw new PayloadShapeError(`${where}.${name} must be a list of values`);
    if (n >= 0 && values.length !== n)
      throw new PayloadShapeError(
        `${where}.${name} has ${values.length} values; the other columns have ${n}`,
      );
    n = values.length;
  }
  const rows: Row[] = [];
  for (let i = 0; i < Math.max(n, 0); i++) {
    const row: Row = {};
    for (const name of names) row[name] = (columns[name] as unknown[])[i];
    rows.push(row);
  }
  return rows;
}

/** Tensor-style input (`instances`/`inputs`): a list of records, a list of positional lists, or a dict of columns. */
function rowsFromTensor(value: unknown, fields: readonly string[], where: string): Row[] {
  if (isObject(value)) return rowsFromColumns(value, where);
  if (!Array.isArray(value))
    throw new PayloadShapeError(`${where} must be a list of rows or a dict of columns`);
  if (value.every(isObject)) return value as Row[];
  if (value.every(Array.isArray)) return rowsFromLists(fields, value, where);
  throw new PayloadShapeError(
    `${where} must hold only records ({field: value}) or only lists of ${fields.length} values`,
  );
}

/**
 * The rows of a JSON /invocations payload. `fields` are the model's input fields in order (for positional
 * lists without column names).
 */
export function rowsFromJsonPayload(body: unknown, fields: readonly string[]): Row[] {
  if (!isObject(body))
    throw new PayloadShapeError(
      `The input must be a JSON dictionary with exactly one of the input fields ${SUPPORTED_FORMATS.join(', ')}`,
    );
  const keys = Object.keys(body);
  const formats = keys.filter((k) => (SUPPORTED_FORMATS as readonly string[]).includes(k));
  const others = keys.filter((k) => k !== 'params' && !formats.includes(k));
  if (formats.length !== 1 || others.length > 0)
    throw new PayloadShapeError(
      `The input must be a JSON dictionary with exactly one of the input fields ${SUPPORTED_FORMATS.join(', ')} ` +
        `(and optionally params); received the fields: ${keys.length ? keys.join(', ') : 'none'}`,
    );
  if (body['params'] !== undefined && !isObject(body['params']))
    throw new PayloadShapeError('params must be a dictionary');
  const format = formats[0]!;
  const value = body[format];
  switch (format) {
    case 'dataframe_split': {
      if (!isObject(value))
        throw new PayloadShapeError(
          'dataframe_split must be a dictionary with columns and data (pandas split orient)',
        );
      const extra = Object.keys(value).filter((k) => !['columns', 'data', 'index'].includes(k));
      if (extra.length) throw new PayloadShapeError(`dataframe_split: unexpected key ${extra[0]}`);
      const columns =
        value['columns'] === undefined
          ? [...fields]
          : columnNames(value['columns'], 'dataframe_split.columns');
      const rows = rowsFromLists(columns, value['data'], 'dataframe_split.data');
      if (
        value['index'] !== undefined &&
        (!Array.isArray(value['index']) || value['index'].length !== rows.length)
      )
        throw new PayloadShapeError(`dataframe_split.index must be a list of ${rows.length} labels`);
      return rows;
    }
    case 'dataframe_records':
      if (isObject(value)) return [value];
      if (!Array.isArray(value) || !value.every(isObject))
        throw new PayloadShapeError('dataframe_records must be a list of records ({field: value})');
      return value as Row[];
    default:
      return rowsFromTensor(value, fields, format);
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The rows of a CSV /invocations body (a header, then one row per line). Numbers in `numericFields` are parsed;
 * text that is not a number stays text so the validator names it.
 */
export function rowsFromCsv(text: string, numericFields: ReadonlySet<string>): Row[] {
  const records = parseCsvRecords(text);
  const [header, ...rest] = records;
  if (!header) throw new PayloadShapeError('CSV body: empty (expected a header line and rows)');
  const columns = columnNames(
    header.fields.map((f) => f.trim()),
    'CSV header',
  );
  return rest.map((r) => {
    if (r.fields.length !== columns.length)
      throw new PayloadShapeError(
        `CSV body, line ${r.line}: ${r.fields.length} fields for ${columns.length} columns`,
      );
    const row: Row = {};
    for (let j = 0; j < columns.length; j++) {
      const name = columns[j]!;
      const cell = r.fields[j]!;
      if (numericFields.has(name))
        row[name] = NUMBER.test(cell.trim()) ? Number(cell) : cell === '' ? null : cell;
      else row[name] = cell === '' ? null : cell;
    }
    return row;
  });
}

/**
 * RFC 4180 records of a small CSV text: quoted fields with doubled quotes, LF or CRLF, a leading BOM, blank lines
 * skipped. An unterminated quote or text after a closing quote is a PayloadShapeError naming the line.
 */
export function parseCsvRecords(text: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const open = line;
        i++;
        for (;;) {
          if (i >= n)
            throw new PayloadShapeError(`CSV body: the quote opened on line ${open} is never closed`);
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r')
          throw new PayloadShapeError(`CSV body, line ${line}: text after a closing quote`);
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
        field = text.slice(i, j);
        i = j;
      }
      fields.push(field);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (!(fields.length === 1 && fields[0] === '')) out.push({ fields, line: start });
  }
  return out;
}
