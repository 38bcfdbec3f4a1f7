/**
 * CSV reading and writing (RFC 4180: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM), streaming: a file is
 * never held as one string. Reading gives raw text records (for the cleaner) or typed columns (Float64Array for
 * numbers, codes + levels for categories). Every error is an InputError naming the file and the row, line or
 * column: empty file, header only, ragged row, unterminated quote, invalid UTF-8, a non-number in a numeric column.
 */
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { WriteStream } from 'node:fs';
import { CsvSyntaxError, CsvTokenizer, DEFAULT_MAX_RECORD_CHARS } from './csv-tokenizer.js';

export { DEFAULT_MAX_RECORD_CHARS } from './csv-tokenizer.js';
import { InputError, isErrnoException } from './errors.js';
import { listForMessage } from './format.js';
import { writeChunk, writeStreamAtomic } from './fs.js';
import { GrowableArray } from './growable.js';

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
  /** Bytes per read (default 64 KiB: smaller batches of records keep peak memory down; 1M rows: 238 MB vs 295 MB at 1 MiB). */
  highWaterMark?: number;
  /**
   * A regular file of at most this many bytes (default 4 MiB) is read whole, in one synchronous read, and tokenized
   * as one batch: no stream, no round trips through the thread pool (on a cold start that is a good part of a
   * small file's reading time). Larger files are streamed. 0 always streams.
   */
  wholeFileMaxBytes?: number;
  /**
   * The longest record accepted, in characters (default DEFAULT_MAX_RECORD_CHARS, 8 Mi; params csv.max_line_chars):
   * a longer line is bad input naming the file and line, and memory stays bounded whatever the input.
   */
  maxRecordChars?: number;
}

/**
 * The error for the first invalid UTF-8 sequence of `chunk`, with its byte offset and line; `line` is where the chunk
 * starts (the tokenizer's count, so the hot path does not count lines a second time).
 */
function invalidUtf8(file: string, chunk: Uint8Array | undefined, bytes: number, line: number): InputError {
  let offset = bytes;
  if (chunk) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(chunk);
    const bad = text.indexOf('\uFFFD');
    const before = bad >= 0 ? text.slice(0, bad) : text;
    offset += Buffer.byteLength(before, 'utf8');
    for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
  }
  return new InputError(`${file}: invalid UTF-8 at byte ${offset} (line ${line}); save the file as UTF-8`);
}

function translateError(file: string, error: unknown): unknown {
  if (error instanceof InputError) return error;
  if (isErrnoException(error) && error.code?.startsWith('Z_')) {
    return new InputError(`${file}: not a valid gzip file (${error.message})`);
  }
  if (error instanceof CsvSyntaxError) return new InputError(`${file}: ${error.message}`);
  if (isErrnoException(error)) {
    if (error.code === 'ENOENT') return new InputError(`${file}: file not found`);
    if (error.code === 'EISDIR') return new InputError(`${file}: is a folder, not a CSV file`);
    if (error.code === 'EACCES') return new InputError(`${file}: permission denied`);
  }
  return error;
}

/** Leading bytes of compressed formats: gzip is read; the others get a clear error instead of "invalid UTF-8". */
const COMPRESSED: ReadonlyArray<readonly [name: string, magic: readonly number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
];

/** 'gzip' when the file is gzip-compressed; an InputError for another compressed format; else undefined. */
function sniffCompression(file: string): 'gzip' | undefined {
  const head = Buffer.alloc(6);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  for (const [name, magic] of COMPRESSED) {
    if (n >= magic.length && magic.every((b, i) => head[i] === b)) {
      if (name === 'gzip') return 'gzip';
      throw new InputError(
        `${file}: is a ${name}-compressed file; decompress it first (gzip is read directly)`,
      );
    }
  }
  return undefined;
}

/** The records of a small file read whole: strict UTF-8, one batch. */
function wholeFileRecords(file: string, maxRecordChars: number): CsvRecord[] {
  const bytes = readFileSync(file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw invalidUtf8(file, bytes, 0, 1);
  }
  const tokenizer = new CsvTokenizer(maxRecordChars);
  tokenizer.feed(text);
  tokenizer.end();
  return tokenizer.records;
}

/**
 * Decoded batches of records from a file: strict UTF-8, read whole when it is a regular file of at most
 * `wholeFileMaxBytes`, else streamed in `highWaterMark`-byte reads.
 */
async function* recordBatches(
  file: string,
  highWaterMark: number,
  wholeFileMaxBytes: number,
  maxRecordChars: number,
): AsyncGenerator<CsvRecord[], void, undefined> {
  let compression: 'gzip' | undefined;
  try {
    const info = statSync(file);
    compression = info.isFile() ? sniffCompression(file) : undefined;
    if (info.isFile() && info.size <= wholeFileMaxBytes && !compression) {
      const records = wholeFileRecords(file, maxRecordChars);
      if (records.length > 0) yield records;
      return;
    }
  } catch (error) {
    throw translateError(file, error);
  }
  const raw = createReadStream(file, { highWaterMark });
  // gzip is read through zlib as it streams (as pandas' read_csv does for .gz), so memory stays bounded.
  const stream =
    compression === 'gzip' ? raw.pipe(createGunzip({ chunkSize: Math.max(highWaterMark, 64) })) : raw;
  if (stream !== raw) raw.on('error', (error) => stream.destroy(error));
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const tokenizer = new CsvTokenizer(maxRecordChars);
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw invalidUtf8(file, chunk, bytes, tokenizer.currentLine);
      }
      bytes += chunk.length;
      tokenizer.feed(text);
      if (tokenizer.records.length > 0) yield tokenizer.records.splice(0);
    }
    let rest: string;
    try {
      rest = decoder.decode();
    } catch {
      throw invalidUtf8(file, undefined, bytes, tokenizer.currentLine);
    }
    tokenizer.feed(rest);
    tokenizer.end();
    if (tokenizer.records.length > 0) yield tokenizer.records.splice(0);
  } catch (error) {
    throw translateError(file, error);
  } finally {
    stream.destroy();
    raw.destroy();
  }
}

/**
 * Stream a CSV file in batches of records (one batch per read, e.g. ~500 rows of a 64 KiB read): resolves the
 * header first, then yields the data records. Blank lines are skipped (as pandas does); a record whose field count
 * differs from the header's is an error naming its line. The returned iterator must be consumed or returned, so
 * the file is closed. Prefer it to openCsv on hot paths: one await per batch instead of one per row.
 */
export async function openCsvBatches(
  file: string,
  options: CsvReadOptions = {},
): Promise<{ header: string[]; batches: AsyncGenerator<readonly CsvRecord[], void, undefined> }> {
  const source = recordBatches(
    file,
    options.highWaterMark ?? 1 << 16,
    options.wholeFileMaxBytes ?? 1 << 22,
    options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS,
  );
  let first: CsvRecord[] = [];
  while (first.length === 0) {
    const r = await source.next();
    if (r.done) throw new InputError(`${file}: empty file (no header row)`);
    first = r.value;
  }
  const header = first[0]!.fields;
  const fail = async (message: string): Promise<never> => {
    await source.return();
    throw new InputError(`${file}: ${message}`);
  };
  if (header.every((h) => h.trim() === '')) await fail('the header row is blank');
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) await fail(`duplicate column name "${name}" in the header`);
    seen.add(name);
  }
  let pending = first.slice(1);
  while (pending.length === 0) {
    const r = await source.next();
    if (r.done) break;
    pending = r.value;
  }
  if (pending.length === 0 && !options.allowEmpty) await fail('header only, no data rows');

  const width = header.length;
  async function* batches(): AsyncGenerator<readonly CsvRecord[], void, undefined> {
    try {
      for (let batch = pending; ;) {
        for (const record of batch) {
          if (record.fields.length !== width) {
            throw new InputError(
              `${file}: ragged row at line ${record.line}: ${record.fields.length} fields where the header has ${width}`,
            );
          }
        }
        if (batch.length > 0) yield batch;
        const r = await source.next();
        if (r.done) return;
        batch = r.value;
      }
    } finally {
      await source.return();
    }
  }
  return { header, batches: batches() };
}

/**
 * Stream a CSV file record by record: resolves the header first, then yields each data record (see
 * openCsvBatches for the checks). The returned iterator must be consumed or returned, so the file is closed.
 */
export async function openCsv(
  file: string,
  options: CsvReadOptions = {},
): Promise<{ header: string[]; records: AsyncGenerator<CsvRecord, void, undefined> }> {
  const { header, batches } = await openCsvBatches(file, options);
  async function* records(): AsyncGenerator<CsvRecord, void, undefined> {
    try {
      for await (const batch of batches) yield* batch;
    } finally {
      await batches.return();
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
      throw new InputError(
        `${file}: missing required column "${name}" (found: ${listForMessage(header, 20)})`,
      );
    }
  }
  const numericSet = new Set(options.numeric);
  const categoricalNames = options.categorical ?? header.filter((h) => !numericSet.has(h));
  const numIdx = options.numeric.map((n) => header.indexOf(n));
  const catIdx = categoricalNames.map((n) => header.indexOf(n));
  const numCols = options.numeric.map(() => new GrowableArray((n) => new Float64Array(n)));
  const catCols = categoricalNames.map(() => ({
    codes: new GrowableArray((n) => new Int32Array(n)),
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
    numeric: new Map(options.numeric.map((n, j) => [n, numCols[j]!.copy()])),
    categorical: new Map(
      categoricalNames.map((n, j) => [n, { codes: catCols[j]!.codes.copy(), levels: catCols[j]!.levels }]),
    ),
  };
}

/**
 * pandas' default `na_values` for read_csv (`STR_NA_VALUES`, plus the empty cell): exact matches only, no stripping.
 * Stages that reproduce pandas' reading of a CSV (eda's faithful cleaner, compare's dtypes) share this list.
 */
export const PANDAS_NA_VALUES: ReadonlySet<string> = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

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
