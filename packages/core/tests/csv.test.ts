import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  COLUMN_NAMES,
  formatCsvField,
  InputError,
  JUNK_COLUMN,
  NUMERIC_COLUMNS,
  openCsv,
  openCsvBatches,
  parseNumberCell,
  readCsvText,
  readCsvTyped,
  writeCsv,
} from '../src/index.js';

const SHARED = fileURLToPath(new URL('../../../../shared/data/obesity/', import.meta.url));
const REAL_DIRTY = join(SHARED, 'obesity_estimation_modified.csv');
const hasReal = existsSync(REAL_DIRTY);
if (!hasReal)
  console.warn(`SKIPPED real-data CSV tests: ${REAL_DIRTY} is absent (../shared/data not beside the repo)`);

/** Small files are read whole; every error must read the same when the file is streamed in tiny reads. */
const READ_MODES = [{}, { highWaterMark: 3, wholeFileMaxBytes: 0 }];

async function tempFile(name: string, content: string | Uint8Array): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'csv-'));
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe.skipIf(!hasReal)('the real dirty file (../shared/data)', () => {
  it('reads 2153 data rows x 18 columns, CRLF handled, every raw cell kept as text', async () => {
    const bytes = await readFile(REAL_DIRTY);
    expect(createHash('md5').update(bytes).digest('hex')).toBe('b371b6c2f50af512a1d71333499e3212');
    const { header, rows } = await readCsvText(REAL_DIRTY);
    expect(header).toEqual([...COLUMN_NAMES, JUNK_COLUMN]);
    expect(rows).toHaveLength(2153);
    for (const row of rows) {
      expect(row).toHaveLength(18);
      for (const cell of row) expect(cell).not.toMatch(/[\r\n]/);
    }
    // Padded, inverted-case and N/A tokens survive untouched.
    expect(rows[0]).toEqual(
      'Female,21.0,1.62,64.0,yes,no,2.0,3.0,Sometimes,no,2.0,no,0.0,1.0, NO ,Public_Transportation,Normal_Weight,bad'.split(
        ',',
      ),
    );
    expect(rows[1]![12]).toBe(' 3.0 ');
    expect(rows[1]![16]).toBe(' nORMAL_wEIGHT ');
    expect(rows[1]![17]).toBe('');
    const gender = rows.map((r) => r[0]);
    expect(gender.filter((g) => g === ' mALE ')).toHaveLength(51);
    expect(gender.filter((g) => g === '')).toHaveLength(18);
    expect(rows.map((r) => r[13]).filter((v) => v === '?').length).toBeGreaterThan(0);
    // The text form keeps every cell: rejoining the cells gives back the file's lines.
    const lines = bytes
      .toString('utf8')
      .split('\r\n')
      .filter((l) => l !== '');
    expect(rows.map((r) => r.join(','))).toEqual(lines.slice(1));
  });

  it('streams row numbers and physical lines', async () => {
    const { records } = await openCsv(REAL_DIRTY, { highWaterMark: 4096, wholeFileMaxBytes: 0 });
    let last = { row: 0, line: 0 };
    for await (const r of records) last = { row: r.row, line: r.line };
    expect(last).toEqual({ row: 2153, line: 2154 });
  });
});

describe('CSV reading', () => {
  it('handles RFC 4180 quoting, doubled quotes, embedded line breaks, CRLF and a BOM', async () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","he said ""hi"""\r\n2,"multi\r\nline",\r\n';
    const { header, rows } = await readCsvText(await tempFile('q.csv', text));
    expect(header).toEqual(['a', 'b', 'c']);
    expect(rows).toEqual([
      ['1', 'x, y', 'he said "hi"'],
      ['2', 'multi\r\nline', ''],
    ]);
  });

  it('gives the same records for LF and CRLF, and with tiny read chunks', async () => {
    const lf = 'a,b\n1,é\n2,"z"\n';
    const crlf = lf.replaceAll('\n', '\r\n');
    const a = await readCsvText(await tempFile('lf.csv', lf));
    const b = await readCsvText(await tempFile('crlf.csv', crlf), { highWaterMark: 1, wholeFileMaxBytes: 0 });
    expect(b).toEqual(a);
    expect(a.rows[0]).toEqual(['1', 'é']);
  });

  it('streams batches holding the same records as openCsv, row-numbered, closing the file when returned early', async () => {
    const lines = ['x,y', ...Array.from({ length: 3000 }, (_, i) => `${i},"v${i}"`)];
    const path = await tempFile('many.csv', lines.join('\r\n') + '\r\n');
    const { header, batches } = await openCsvBatches(path, { highWaterMark: 4096, wholeFileMaxBytes: 0 });
    expect(header).toEqual(['x', 'y']);
    const fromBatches = [];
    let count = 0;
    for await (const batch of batches) {
      count++;
      fromBatches.push(...batch);
    }
    expect(count).toBeGreaterThan(5);
    const { records } = await openCsv(path, { highWaterMark: 4096, wholeFileMaxBytes: 0 });
    const fromRecords = [];
    for await (const r of records) fromRecords.push(r);
    expect(fromBatches).toEqual(fromRecords);
    expect(fromBatches[2999]).toEqual({ fields: ['2999', 'v2999'], row: 3000, line: 3001 });
    const early = await openCsvBatches(path, { highWaterMark: 4096, wholeFileMaxBytes: 0 });
    await early.batches.return();
    await expect(early.batches.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('reads gzip-compressed files as pandas does, and names other compressed formats', async () => {
    const text = ['a,b', ...Array.from({ length: 5000 }, (_, i) => `${i},"x${i}"`)].join('\r\n') + '\r\n';
    const plain = await readCsvText(await tempFile('plain.csv', text));
    const gz = gzipSync(Buffer.from(text));
    expect(await readCsvText(await tempFile('data.csv.gz', gz))).toEqual(plain);
    expect(await readCsvText(await tempFile('no-extension', gz), { highWaterMark: 7 })).toEqual(plain);
    const truncated = await tempFile('cut.csv.gz', gz.subarray(0, gz.length >> 1));
    await expect(readCsvText(truncated)).rejects.toThrow(/cut\.csv\.gz: not a valid gzip file/);
    const bz = await tempFile('x.csv.bz2', Buffer.from('BZh91AY&SY'));
    await expect(readCsvText(bz)).rejects.toThrow(
      /x\.csv\.bz2: is a bzip2-compressed file; decompress it first/,
    );
  });

  it('reports an empty file (read whole and streamed)', async () => {
    for (const mode of READ_MODES) {
      const path = await tempFile('empty.csv', '');
      await expect(readCsvText(path, mode)).rejects.toThrow(
        new InputError(`${path}: empty file (no header row)`),
      );
    }
  });

  it('reports a header-only file unless allowed (read whole and streamed)', async () => {
    for (const mode of READ_MODES) {
      const path = await tempFile('h.csv', 'a,b\r\n');
      await expect(readCsvText(path, mode)).rejects.toThrow(/h\.csv: header only, no data rows/);
      await expect(readCsvText(path, { ...mode, allowEmpty: true })).resolves.toEqual({
        header: ['a', 'b'],
        rows: [],
      });
    }
  });

  it('reports a ragged row with its line (read whole and streamed)', async () => {
    for (const mode of READ_MODES) {
      const path = await tempFile('r.csv', 'a,b,c\n1,2,3\n4,5\n');
      await expect(readCsvText(path, mode)).rejects.toThrow(
        /r\.csv: ragged row at line 3: 2 fields where the header has 3/,
      );
    }
  });

  it('reports an unterminated quote (read whole and streamed)', async () => {
    for (const mode of READ_MODES) {
      const path = await tempFile('u.csv', 'a,b\n1,"open\n2,3\n');
      await expect(readCsvText(path, mode)).rejects.toThrow(/u\.csv: unterminated quoted field/);
    }
  });

  it('reports invalid UTF-8 with byte offset and line (read whole and streamed)', async () => {
    for (const mode of READ_MODES) {
      const bytes = Buffer.concat([
        Buffer.from('a,b\n1,ok\n2,'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('\n'),
      ]);
      const path = await tempFile('bad.csv', bytes);
      await expect(readCsvText(path, mode)).rejects.toThrow(/bad\.csv: invalid UTF-8 at byte 11 \(line 3\)/);
    }
  });

  it('reports a missing file, a folder and a duplicate header (read whole and streamed)', async () => {
    for (const mode of READ_MODES) {
      await expect(readCsvText('/nonexistent/x.csv', mode)).rejects.toThrow(
        '/nonexistent/x.csv: file not found',
      );
      await expect(readCsvText(tmpdir(), mode)).rejects.toThrow(/is a folder/);
      await expect(readCsvText(await tempFile('d.csv', 'a,a\n1,2\n'), mode)).rejects.toThrow(
        /duplicate column name "a"/,
      );
    }
  });

  it('reads typed columns: Float64Array numbers (NaN for blanks), coded categories (-1 for blanks)', async () => {
    const path = await tempFile('t.csv', 'Age,Gender,Height\n21.5,Female,1.6\n,Male,1.7\n30,,1e0\n');
    const typed = await readCsvTyped(path, { numeric: ['Age', 'Height'] });
    expect(typed.rowCount).toBe(3);
    const age = typed.numeric.get('Age')!;
    expect(age).toBeInstanceOf(Float64Array);
    expect(Array.from(age)).toEqual([21.5, NaN, 30]);
    expect(Array.from(typed.numeric.get('Height')!)).toEqual([1.6, 1.7, 1]);
    const gender = typed.categorical.get('Gender')!;
    expect(gender.levels).toEqual(['Female', 'Male']);
    expect(Array.from(gender.codes)).toEqual([0, 1, -1]);
  });

  it('names row, line and column of a non-number in a numeric column, and a missing column', async () => {
    const path = await tempFile('n.csv', 'Age,Gender\n21,Female\n"ab",Male\n');
    await expect(readCsvTyped(path, { numeric: ['Age'] })).rejects.toThrow(
      /n\.csv: row 2 \(line 3\), column "Age": "ab" is not a number/,
    );
    await expect(readCsvTyped(path, { numeric: ['Weight'] })).rejects.toThrow(
      /missing required column "Weight"/,
    );
  });

  it('parses numeric cells strictly', () => {
    expect(parseNumberCell(' 22.0 ')).toBe(22);
    expect(parseNumberCell('-1.5e-3')).toBe(-0.0015);
    expect(parseNumberCell('')).toBeNaN();
    expect(parseNumberCell('nan')).toBeNaN();
    expect(parseNumberCell('12abc')).toBeUndefined();
    expect(parseNumberCell('0x10')).toBeUndefined();
  });
});

describe('CSV writing', () => {
  it('quotes minimally and round-trips through the reader', async () => {
    expect(formatCsvField('plain')).toBe('plain');
    expect(formatCsvField('a,b')).toBe('"a,b"');
    expect(formatCsvField('say "x"')).toBe('"say ""x"""');
    const dir = await mkdtemp(join(tmpdir(), 'csvw-'));
    const path = join(dir, 'sub', 'out.csv');
    const rows = [
      ['1', 'a,b', 'line\nbreak'],
      ['2', '"q"', ''],
    ];
    await writeCsv(path, ['id', 'x', 'y'], async (w) => {
      for (const r of rows) await w.writeRow(r);
    });
    expect(await readFile(path, 'utf8')).toBe('id,x,y\n1,"a,b","line\nbreak"\n2,"""q""",\n');
    expect((await readCsvText(path)).rows).toEqual(rows);
  });

  it('leaves nothing behind when writing fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csvw-'));
    const path = join(dir, 'out.csv');
    await expect(
      writeCsv(path, ['a'], async (w) => {
        await w.writeRow(['1']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('numeric columns of the schema', () => {
  it('lists the 8 numeric columns in file order', () => {
    expect(NUMERIC_COLUMNS).toEqual(['Age', 'Height', 'Weight', 'FCVC', 'NCP', 'CH2O', 'FAF', 'TUE']);
  });
});

describe('invalid UTF-8 after the first read', () => {
  it('names the line counted across earlier chunks', async () => {
    const bytes = Buffer.concat([
      Buffer.from('a,b\n1,x\n2,y\n3,'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('\n'),
    ]);
    const path = await tempFile('late.csv', bytes);
    await expect(readCsvText(path, { highWaterMark: 4, wholeFileMaxBytes: 0 })).rejects.toThrow(
      /late\.csv: invalid UTF-8 at byte 14 \(line 4\)/,
    );
  });
});
