import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bmi,
  bmiClass,
  CATEGORICAL_COLUMNS,
  COLUMNS,
  createLogger,
  createProgress,
  exitCodeOf,
  FailureError,
  formatFromDigits,
  formatPythonFloat,
  InputError,
  parseLogLevel,
  SeededRng,
  TARGET_CLASSES,
  checkWritableFile,
  checkWritableFolder,
  writeFileAtomic,
  writeStreamAtomic,
  writeFileAtomicSync,
} from '../src/index.js';

describe('SeededRng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = new SeededRng(42);
    const b = new SeededRng(42);
    const c = new SeededRng(43);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('pins its output stream (a platform or refactor change must not move it)', () => {
    const rng = new SeededRng(42);
    // Reference values from an independent Python implementation of splitmix32 + xoshiro128**.
    expect(Array.from({ length: 3 }, () => rng.nextUint32())).toEqual([3704290710, 166753127, 957952423]);
  });

  it('draws uniforms in [0,1) and normals with the right moments', () => {
    const rng = new SeededRng(7);
    let sum = 0;
    let sumSq = 0;
    const n = 100_000;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(hi - lo).toBeGreaterThan(0.999);
    for (let i = 0; i < n; i++) {
      const z = rng.normal(10, 2);
      sum += z;
      sumSq += z * z;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    expect(mean).toBeCloseTo(10, 1);
    expect(Math.sqrt(variance)).toBeCloseTo(2, 1);
  });

  it('shuffles into a permutation and picks integers without bias outside [0,n)', () => {
    const rng = new SeededRng(1);
    const perm = Array.from(rng.permutation(100));
    expect([...perm].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(perm).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const counts = new Array(3).fill(0);
    for (let i = 0; i < 30_000; i++) counts[rng.int(3)]++;
    for (const c of counts) expect(c).toBeGreaterThan(9_500);
    expect(rng.weightedIndex([0, 0, 1])).toBe(2);
    expect(() => rng.int(0)).toThrow(RangeError);
  });
});

describe('formatPythonFloat (pandas to_csv float text)', () => {
  it.each([
    [21, '21.0'],
    [1.62, '1.62'],
    [0.1 + 0.2, '0.30000000000000004'],
    [-3.5, '-3.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e16, '1e+16'],
    [1234567890123456.0, '1234567890123456.0'],
    [1.2345678901234567e19, '1.2345678901234567e+19'],
    [0, '0.0'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [22.846153846153847, '22.846153846153847'],
  ])('%s → %s', (value, text) => {
    expect(formatPythonFloat(value)).toBe(text);
  });
});

describe('dataset schema', () => {
  it('has the 17 clean columns with kinds, ranges and categories', () => {
    expect(COLUMNS).toHaveLength(17);
    expect(CATEGORICAL_COLUMNS).toHaveLength(9);
    expect(TARGET_CLASSES).toHaveLength(7);
    expect([...TARGET_CLASSES].sort()).toEqual([...TARGET_CLASSES]);
  });
  it('maps BMI to WHO classes', () => {
    expect(bmi(64, 1.62)).toBeCloseTo(24.3865, 4);
    expect(bmiClass(bmi(64, 1.62))).toBe('normal_weight');
    expect(bmiClass(17)).toBe('insufficient_weight');
    expect(bmiClass(26)).toBe('overweight_level_i');
    expect(bmiClass(29)).toBe('overweight_level_ii');
    expect(bmiClass(31)).toBe('obesity_type_i');
    expect(bmiClass(37)).toBe('obesity_type_ii');
    expect(bmiClass(45)).toBe('obesity_type_iii');
  });
});

describe('errors', () => {
  it('map to exit codes', () => {
    expect(exitCodeOf(new InputError('x'))).toBe(2);
    expect(exitCodeOf(new FailureError('x'))).toBe(1);
    expect(exitCodeOf(new Error('x'))).toBe(1);
  });
});

describe.each([
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', async (p: string, d: string | Uint8Array) => writeFileAtomicSync(p, d)],
])('%s', (_name, write) => {
  it('creates folders and leaves no temp file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
    const path = join(dir, 'a', 'b', 'c.json');
    await write(path, '{"ok":true}');
    expect(await readFile(path, 'utf8')).toBe('{"ok":true}');
    await write(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['c.json']);
  });

  it('leaves the old file and no temp file when the write fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
    const path = join(dir, 'keep.txt');
    await write(path, 'old');
    // the target is a folder: the rename fails after the temp file was written
    await mkdir(join(dir, 'folder', 'x'), { recursive: true });
    await expect(write(join(dir, 'folder'), 'new')).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe('old');
    expect((await readdir(dir)).sort()).toEqual(['folder', 'keep.txt']);
  });
});

describe('unusable output paths', () => {
  it('are found before any work, naming the path: a folder, a file in the way, nothing wrong with a new path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
    const file = join(dir, 'file.txt');
    await writeFile(file, 'x');
    expect(() => checkWritableFile(dir)).toThrow(
      new InputError(`${dir}: cannot write: it is a folder, not a file`),
    );
    expect(() => checkWritableFile(join(file, 'out.csv'))).toThrow(
      new InputError(`${join(file, 'out.csv')}: cannot write: ${file} is a file, not a folder`),
    );
    expect(() => checkWritableFolder(file)).toThrow(/cannot write: .* is a file, not a folder/);
    expect(() => checkWritableFile(join(dir, 'new/deeper/out.csv'))).not.toThrow();
    expect(() => checkWritableFolder(join(dir, 'new/deeper'))).not.toThrow();
  });

  it('fail the atomic writers with exit-2 errors naming the target, never the temp file, and leave nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
    const file = join(dir, 'file.txt');
    await writeFile(file, 'x');
    const target = join(file, 'sub', 'out.csv');
    for (const write of [
      () => writeFileAtomic(target, 'data'),
      async () => writeFileAtomicSync(target, 'data'),
      () => writeStreamAtomic(target, async (s) => void s.write('data')),
      () => writeStreamAtomic(dir, async (s) => void s.write('data')),
    ]) {
      const error = await write().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(new RegExp(`^${dir}.*: cannot write: `));
      expect((error as InputError).message).not.toMatch(/\.tmp/);
    }
    expect((await readdir(dir)).sort()).toEqual(['file.txt']);
  });
});

describe('logger and progress', () => {
  const capture = (isTTY = false) => {
    const lines: string[] = [];
    return { sink: { write: (l: string) => lines.push(l), isTTY }, lines };
  };
  const fixed = () => new Date(2024, 0, 15, 9, 5, 3);

  it('writes the predecessor line format, filtered by level', () => {
    const { sink, lines } = capture();
    const log = createLogger({ name: 'eda', level: 'info', json: false, sink, now: fixed });
    log.debug('hidden');
    log.info('Rows in: 2153', { rows: 2153 });
    log.warn('careful');
    expect(lines).toEqual([
      '2024-01-15 09:05:03 - eda - INFO - Rows in: 2153 rows=2153\n',
      '2024-01-15 09:05:03 - eda - WARNING - careful\n',
    ]);
  });

  it('writes JSON lines when asked', () => {
    const { sink, lines } = capture();
    createLogger({ name: 'ml', level: 'debug', json: true, sink, now: fixed })
      .child('rf')
      .debug('tree', { n: 3 });
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({ level: 'debug', logger: 'ml.rf', msg: 'tree', n: 3 });
  });

  it('parses level names as params.yaml spells them', () => {
    expect(parseLogLevel('WARNING')).toBe('warn');
    expect(parseLogLevel('INFO')).toBe('info');
    expect(parseLogLevel('bogus', 'error')).toBe('error');
  });

  it('logs progress at intervals off a TTY, and draws a bar on one', () => {
    let t = 0;
    const off = capture(false);
    const log = createLogger({ name: 'p', level: 'info', json: false, sink: off.sink, now: fixed });
    const p = createProgress({
      label: 'rows',
      total: 100,
      logger: log,
      unit: 'rows',
      intervalMs: 10,
      now: () => t,
    });
    for (let i = 0; i < 100; i++) {
      t += 1;
      p.tick();
    }
    p.done();
    expect(off.lines.length).toBe(11);
    expect(off.lines[4]).toMatch(/rows: 50\/100 rows 50\.0% \(1000 rows\/s, ETA 0s\)/);
    expect(off.lines.at(-1)).toMatch(/rows: 100\/100 rows 100\.0%/);

    const on = capture(true);
    const ttyLog = createLogger({ name: 'p', level: 'info', json: false, sink: on.sink });
    const bar = createProgress({ label: 'files', total: 4, logger: ttyLog, intervalMs: 0, now: () => t });
    bar.tick(4);
    bar.done();
    expect(on.lines.at(-1)).toMatch(/^\r\[#{24}\] files: 4\/4/);
  });
});

describe('formatPythonFloat fast path', () => {
  it('agrees with the general exponent-based formatting on random values of every magnitude', () => {
    const rng = new SeededRng(5);
    for (let i = 0; i < 20_000; i++) {
      const x = (rng.bernoulli(0.5) ? -1 : 1) * rng.uniform() * 10 ** (rng.int(22) - 5);
      const y = rng.bernoulli(0.2) ? Math.round(x) : x;
      if (y !== 0) expect(formatPythonFloat(y), String(y)).toBe(formatFromDigits(y));
    }
  });
});
