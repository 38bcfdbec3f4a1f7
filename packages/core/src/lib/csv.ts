/**
 * CSV reading and writing (RFC 4180: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM), streaming: a file is
 * never held as one string. Reading gives raw text records (for the cleaner) or typed columns (Float64Array for
 * numbers, codes + levels for categories). Every error is an InputError naming the file and the row, line or
 * column: empty file, header only, ragged row, unterminated quote, invalid UTF-8, a non-number in a numeric column.
 */
import { createReadStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { InputError, isErrnoException } from './errors.js';
import { writeChunk, writeStreamAtomic } from './fs.js';

export interface CsvRecord {
  /** The fields, as text. */
  readonly fields: string[];
  /** 1-based data row number (the header is row 0). */
  readonly row: number;
  /** 1-based physical line where the record starts. */
  readonly line: number;
}

export interface CsvReadOptions {
  /** Accept a file with a header and no data rows (default false: that is an error). */
  allowEmpty?: boolean;
  /** Bytes per read (default 1 MiB). */
  highWaterMark?: number;
}

/** Decodes UTF-8 strictly, naming the byte offset and line of the first invalid sequence. */
class StrictUtf8Decoder extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private bytes = 0;
  private lines = 1;
  constructor(private readonly file: string) {
    super({ decodeStrings: true, readableObjectMode: false, encoding: 'utf8' });
  }
  private fail(chunk: Uint8Array | undefined): Error {
    // Find where the bad sequence is, for the message.
    let offset = this.bytes;
    let line = this.lines;
    if (chunk) {
      const probe = new TextDecoder('utf-8', { fatal: false });
      const text = probe.decode(chunk);
      const bad = text.indexOf('\uFFFD');
      const before = bad >= 0 ? text.slice(0, bad) : text;
      offset += Buffer.byteLength(before, 'utf8');
      for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
    }
    return new InputError(
      `${this.file}: invalid UTF-8 at byte ${offset} (line ${line}); save the file as UTF-8`,
    );
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      callback(this.fail(chunk));
      return;
    }
    this.bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) this.lines++;
    callback(null, text);
  }
  override _flush(callback: TransformCallback): void {
    try {
      const rest = this.decoder.decode();
      callback(null, rest);
    } catch {
      callback(this.fail(undefined));
    }
  }
}

function describeParseError(file: string, error: CsvError, header: string[] | undefined): InputError {
  const e = error as CsvError & {
    lines?: number;
    record?: string[];
    index?: number;
    column?: string | number;
  };
  const line = e.lines;
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new InputError(
        `${file}: unterminated quoted field (the quote opened on or before line ${line} is never closed)`,
      );
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS': {
      const got = e.record?.length;
      return new InputError(
        `${file}: ragged row at line ${line}: ${got} fields where the header has ${header?.length ?? '?'}`,
      );
    }
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new InputError(
        `${file}: malformed quoted field at line ${line}: a closing quote is followed by other characters`,
      );
    default:
      return new InputError(`${file}: not a valid CSV file at line ${line ?? '?'}: ${e.message}`);
  }
}

function openFile(file: string, highWaterMark: number) {
  return createReadStream(file, { highWaterMark });
}

/**
 * Stream a CSV file: resolves the header first, then yields each data record. Blank lines are skipped (as pandas
 * does). The returned iterator must be consumed or returned, so the file is closed.
 */
export async function openCsv(
  file: string,
  options: CsvReadOptions = {},
): Promise<{ header: string[]; records: AsyncGenerator<CsvRecord, void, undefined> }> {
  const input = openFile(file, options.highWaterMark ?? 1 << 20);
  const decoder = new StrictUtf8Decoder(file);
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: false,
    info: true,
  });
  // Errors from any stage reach the parser's iterator.
  input.on('error', (error) => parser.destroy(error));
  decoder.on('error', (error) => parser.destroy(error));
  input.pipe(decoder).pipe(parser);

  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;
  const seenHeader: { value?: string[] } = {};
  const translate = (error: unknown): unknown => {
    if (error instanceof InputError) return error;
    if (isErrnoException(error)) {
      if (error.code === 'ENOENT') return new InputError(`${file}: file not found`);
      if (error.code === 'EISDIR') return new InputError(`${file}: is a folder, not a CSV file`);
      if (error.code === 'EACCES') return new InputError(`${file}: permission denied`);
    }
    if (
      error instanceof Error &&
      typeof (error as CsvError).code === 'string' &&
      (error as CsvError).code.startsWith('CSV_')
    ) {
      return describeParseError(file, error as CsvError, seenHeader.value);
    }
    return error;
  };
  const next = async () => {
    try {
      return await iterator.next();
    } catch (error) {
      input.destroy();
      throw translate(error);
    }
  };

  const first = await next();
  if (first.done) throw new InputError(`${file}: empty file (no header row)`);
  const header = first.value.record;
  seenHeader.value = header;
  if (header.length === 0 || header.every((h) => h.trim() === '')) {
    input.destroy();
    throw new InputError(`${file}: the header row is blank`);
  }
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      input.destroy();
      throw new InputError(`${file}: duplicate column name "${name}" in the header`);
    }
    seen.add(name);
  }
  const second = await next();
  if (second.done && !options.allowEmpty) throw new InputError(`${file}: header only, no data rows`);

  async function* records(): AsyncGenerator<CsvRecord, void, undefined> {
    let row = 0;
    let lineAfter = first.done ? 1 : first.value.info.lines;
    let current = second;
    try {
      while (!current.done) {
        row++;
        const line = lineAfter + 1;
        lineAfter = current.value.info.lines;
        yield { fields: current.value.record, row, line };
        current = await next();
      }
    } finally {
      input.destroy();
    }
  }
  return { header, records: records() };
}

/** Read a whole CSV as raw text (header + records). For files that fit in memory; large files should stream. */
export async function readCsvText(
  file: string,
  options: CsvReadOptions = {},
): Promise<{ header: string[]; rows: string[][] }> {
  const { header, records } = await openCsv(file, options);
  const rows: string[][] = [];
  for await (const r of records) rows.push(r.fields);
  return { header, rows };
}

/** A categorical column: one code per row (-1 = missing) into `levels`. */
export interface CodeColumn {
  readonly codes: Int32Array;
  readonly levels: string[];
}

export interface TypedCsv {
  readonly header: string[];
  readonly rowCount: number;
  readonly numeric: Map<string, Float64Array>;
  readonly categorical: Map<string, CodeColumn>;
}

export interface TypedReadOptions extends CsvReadOptions {
  /** Columns to read as numbers (empty cell → NaN). */
  numeric: readonly string[];
  /** Columns to read as categories (empty cell → -1). Defaults to every other column. */
  categorical?: readonly string[];
}

class GrowableFloat64 {
  data = new Float64Array(1024);
  length = 0;
  push(v: number) {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  finish(): Float64Array {
    return this.data.slice(0, this.length);
  }
}
class GrowableInt32 {
  data = new Int32Array(1024);
  length = 0;
  push(v: number) {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  finish(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|Infinity|nan|NaN)$/;

/** Parse one numeric cell strictly; undefined when it is not a number. Empty → NaN (missing). */
export function parseNumberCell(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return NaN;
  if (!NUMBER_PATTERN.test(t)) return undefined;
  const lower = t.toLowerCase();
  if (lower.endsWith('nan')) return NaN;
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return t.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

/** Stream a CSV into typed columns. A missing requested column, or a non-number in a numeric one, is an InputError. */
export async function readCsvTyped(file: string, options: TypedReadOptions): Promise<TypedCsv> {
  const { header, records } = await openCsv(file, options);
  for (const name of [...options.numeric, ...(options.categorical ?? [])]) {
    if (!header.includes(name)) {
      await records.return();
      throw new InputError(`${file}: missing required column "${name}" (found: ${header.join(', ')})`);
    }
  }
  const numericSet = new Set(options.numeric);
  const categoricalNames = options.categorical ?? header.filter((h) => !numericSet.has(h));
  const numIdx = options.numeric.map((n) => header.indexOf(n));
  const catIdx = categoricalNames.map((n) => header.indexOf(n));
  const numCols = options.numeric.map(() => new GrowableFloat64());
  const catCols = categoricalNames.map(() => ({
    codes: new GrowableInt32(),
    levels: [] as string[],
    index: new Map<string, number>(),
  }));
  let rowCount = 0;
  for await (const { fields, row, line } of records) {
    rowCount++;
    for (let j = 0; j < numIdx.length; j++) {
      const cell = fields[numIdx[j]!]!;
      const value = parseNumberCell(cell);
      if (value === undefined) {
        await records.return();
        throw new InputError(
          `${file}: row ${row} (line ${line}), column "${options.numeric[j]}": "${cell}" is not a number`,
        );
      }
      numCols[j]!.push(value);
    }
    for (let j = 0; j < catIdx.length; j++) {
      const cell = fields[catIdx[j]!]!;
      const col = catCols[j]!;
      if (cell === '') {
        col.codes.push(-1);
        continue;
      }
      let code = col.index.get(cell);
      if (code === undefined) {
        code = col.levels.length;
        col.levels.push(cell);
        col.index.set(cell, code);
      }
      col.codes.push(code);
    }
  }
  return {
    header,
    rowCount,
    numeric: new Map(options.numeric.map((n, j) => [n, numCols[j]!.finish()])),
    categorical: new Map(
      categoricalNames.map((n, j) => [n, { codes: catCols[j]!.codes.finish(), levels: catCols[j]!.levels }]),
    ),
  };
}

/** Quote a field when it holds a delimiter, quote or line break (pandas' QUOTE_MINIMAL). */
export function formatCsvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function formatCsvRow(fields: readonly string[], eol = '\n'): string {
  return fields.map(formatCsvField).join(',') + eol;
}

export interface CsvWriter {
  writeRow(fields: readonly string[]): Promise<void>;
}

/**
 * Write a CSV atomically and streaming: `fill` writes rows; the file appears only when it completes, with LF line
 * endings by default (as pandas writes).
 */
export async function writeCsv(
  file: string,
  header: readonly string[],
  fill: (writer: CsvWriter) => Promise<void>,
  options: { eol?: '\n' | '\r\n' } = {},
): Promise<void> {
  const eol = options.eol ?? '\n';
  await writeStreamAtomic(file, async (stream: WriteStream) => {
    let buffer = formatCsvRow(header, eol);
    const flush = async () => {
      await writeChunk(stream, buffer);
      buffer = '';
    };
    await fill({
      async writeRow(fields) {
        buffer += formatCsvRow(fields, eol);
        if (buffer.length > 1 << 16) await flush();
      },
    });
    await flush();
  });
}
