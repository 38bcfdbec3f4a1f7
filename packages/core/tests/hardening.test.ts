/**
 * The shared defences every stage gets from core: outputs never resolve to an input or to each other, unusable
 * output folders fail before any work (also as root, also under /proc), temp files in flight are removed on
 * SIGINT/SIGTERM, secrets are masked in every log line and error, one retry policy, bounded CSV records, negative
 * numbers as option values, an empty params file is reported.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  checkOutputPaths,
  checkWritableFile,
  checkWritableFolder,
  classifyError,
  createLogger,
  describeNetworkError,
  executeCli,
  InputError,
  loadParams,
  makeFolders,
  makeFoldersSync,
  openCsvBatches,
  parseCli,
  redactText,
  redactUrl,
  urlHasCredentials,
  withRetry,
  writeFileAtomic,
} from '../src/index.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'core-hardening-'));

function expectInputError(fn: () => unknown, ...parts: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  for (const p of parts) expect((caught as Error).message).toContain(p);
}

describe('checkOutputPaths', () => {
  it('refuses an output that is an input: same path, through a symlink, a hard link, a ./ spelling', () => {
    const dir = fresh();
    const raw = join(dir, 'raw.csv');
    writeFileSync(raw, 'a\n1\n');
    symlinkSync(raw, join(dir, 'link.csv'));
    linkSync(raw, join(dir, 'hard.csv'));
    mkdirSync(join(dir, 'sub'));
    for (const out of [
      raw,
      join(dir, 'link.csv'),
      join(dir, 'hard.csv'),
      join(dir, 'sub', '..', 'raw.csv'),
    ]) {
      expectInputError(
        () =>
          checkOutputPaths({
            inputs: [{ flag: '--input', path: raw }],
            outputs: [{ flag: '--output', path: out }],
          }),
        `--output ${out}`,
        `--input ${raw}`,
        'same file',
      );
    }
    // the input given through the link, the output by its real name
    expectInputError(
      () =>
        checkOutputPaths({
          inputs: [{ flag: '--input', path: join(dir, 'link.csv') }],
          outputs: [{ flag: '--output', path: raw }],
        }),
      'same file',
    );
  });

  it('refuses an output folder whose files land on an input, or that is an input file', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'eda_profile.json'), '{}');
    expectInputError(
      () =>
        checkOutputPaths({
          inputs: [{ flag: '--input', path: join(dir, 'eda_profile.json') }],
          outputs: [{ flag: '--profile', path: dir, files: ['eda_profile.json', 'eda_profile.md'] }],
        }),
      `--profile ${dir} (${join(dir, 'eda_profile.json')})`,
      '--input',
    );
    const raw = join(dir, 'raw.csv');
    writeFileSync(raw, 'a\n1\n');
    expectInputError(
      () =>
        checkOutputPaths({
          inputs: [{ flag: '--input', path: raw }],
          outputs: [{ flag: '--profile', path: raw, files: ['p.json'] }],
        }),
      `--profile ${raw}`,
      `--input ${raw}`,
    );
  });

  it('refuses two outputs that are the same file, existing or not, also through a symlinked folder', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'alias'));
    expectInputError(
      () =>
        checkOutputPaths({
          inputs: [],
          outputs: [
            { flag: '--output', path: join(dir, 'alias', 'eda_profile.json') },
            { flag: '--profile', path: join(dir, 'real'), files: ['eda_profile.json'] },
          ],
        }),
      '--output',
      '--profile',
      'same file',
    );
  });

  it('accepts distinct paths and then checks each output is writable', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'raw.csv'), 'a\n');
    expect(() =>
      checkOutputPaths({
        inputs: [{ flag: '--input', path: join(dir, 'raw.csv') }],
        outputs: [
          { flag: '--output', path: join(dir, 'out', 'clean.csv') },
          { flag: '--profile', path: join(dir, 'prof'), files: ['a.json', 'a.md'] },
        ],
      }),
    ).not.toThrow();
    expect(existsSync(join(dir, 'out'))).toBe(false); // the check leaves nothing behind
    expectInputError(
      () =>
        checkOutputPaths({
          inputs: [],
          outputs: [{ flag: '--output', path: join(dir, 'raw.csv', 'x.csv') }],
        }),
      'is a file, not a folder',
    );
  });
});

describe('outputs that are not a plain file path', () => {
  it.skipIf(!existsSync('/dev/null'))(
    'a device is refused (renaming over /dev/null as root would replace it)',
    () => {
      expectInputError(
        () => checkWritableFile('/dev/null'),
        '/dev/null: cannot write: it is not a regular file',
      );
    },
  );
  it('an empty path and a path ending in a slash are refused', () => {
    expectInputError(() => checkWritableFile(''), 'an output path is empty');
    const dir = fresh();
    expectInputError(() => checkWritableFile(`${dir}/out/`), 'the path names a folder, not a file');
  });
  it.skipIf(!existsSync('/dev/zero'))('params from /dev/zero are refused, not read', async () => {
    await expect(loadParams('/dev/zero')).rejects.toThrow('/dev/zero: is not a regular file');
  });
});

describe.skipIf(!existsSync('/proc/self'))(
  'output folders the file system refuses (/proc), as root too',
  () => {
    it('are bad input at once, never a spin', async () => {
      expectInputError(() => checkWritableFolder('/proc/newdir'), '/proc/newdir', 'cannot write');
      expectInputError(() => checkWritableFile('/proc/newdir/clean.csv'), '/proc/newdir/clean.csv');
      expectInputError(() => checkWritableFile('/proc/rep/comparison.json'), '/proc/rep');
      expect(() => makeFoldersSync('/proc/newdir/a/b')).toThrow();
      await expect(makeFolders('/proc/newdir/a/b')).rejects.toThrow();
      await expect(writeFileAtomic('/proc/newdir/a/x.json', '{}')).rejects.toBeInstanceOf(InputError);
    });
  },
);

/** A child process running `body` inside runCli (core bundled from its sources with esbuild). */
async function childScript(dir: string, body: string): Promise<string> {
  const entry = join(dir, 'child.ts');
  writeFileSync(
    entry,
    `import { runCli, writeStreamAtomic, writeFileAtomic } from ${JSON.stringify(resolve(__dirname, '../src/index.ts'))};\n${body}\n`,
  );
  const out = join(dir, 'child.mjs');
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'error',
  });
  return out;
}

describe('SIGINT/SIGTERM while writing', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`removes the temp files in flight and exits ${code} on ${signal}`, async () => {
      const dir = fresh();
      const outDir = join(dir, 'out');
      mkdirSync(outDir);
      const script = await childScript(
        dir,
        `void runCli('t', async () => {
          const a = writeStreamAtomic(${JSON.stringify(join(outDir, 'clean.csv'))}, async (s) => {
            s.write('x'.repeat(1 << 20));
            process.stdout.write('writing\\n');
            await new Promise(() => setInterval(() => undefined, 1000)); // busy until the signal
          });
          await a;
        });`,
      );
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      await new Promise<void>((res) =>
        child.stdout.on('data', (d) => String(d).includes('writing') && res()),
      );
      for (let i = 0; i < 200 && !readdirSync(outDir).some((f) => f.endsWith('.tmp')); i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(readdirSync(outDir).some((f) => f.endsWith('.tmp'))).toBe(true);
      child.kill(signal);
      const status = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
      expect(status).toBe(code);
      expect(readdirSync(outDir)).toEqual([]);
      expect(stderr).toContain(`interrupted by ${signal}`);
    });
  }
});

describe('redaction', () => {
  it('masks user info, signed query values and connection-string keys in any text', () => {
    const text =
      'failed http://bob:PW1234@host/store and https://acct.blob.core.windows.net/c?sv=2022&sig=SIGSECRET&x=1 ' +
      'DefaultEndpointsProtocol=https;AccountKey=KEYSECRET==;';
    const out = redactText(text);
    for (const secret of ['PW1234', 'SIGSECRET', 'KEYSECRET']) expect(out).not.toContain(secret);
    expect(out).toContain('http://***@host/store');
    expect(out).toContain('x=1');
    expect(redactUrl('https://user:hunter22@host/path?sig=abc')).toBe('https://host/path');
    expect(redactText('token abcdef here', ['abcdef'])).toBe('token *** here');
  });

  it('tells a URL with a credential from one with a user name only', () => {
    expect(urlHasCredentials('https://bob:pw@host/x')).toBe(true);
    expect(urlHasCredentials('https://a.blob.core.windows.net/c?sv=2022&sig=abc')).toBe(true);
    expect(urlHasCredentials('https://host/x?X-Amz-Signature=abc')).toBe(true);
    expect(urlHasCredentials('ssh://bob@host/path')).toBe(false);
    expect(urlHasCredentials('s3://bucket/prefix')).toBe(false);
    expect(urlHasCredentials('https://host/x?page=2')).toBe(false);
  });

  it('is applied to every log line and to the error line of a CLI', async () => {
    const lines: string[] = [];
    const logger = createLogger({ name: 't', sink: { write: (l: string) => lines.push(l) } });
    logger.warn('MLflow at http://alice:Pw55word@127.0.0.1:5000 failed', { uri: 'https://u:Pw55word@h/x' });
    const stderr: string[] = [];
    const code = await executeCli(
      't',
      async () => {
        throw new InputError('cannot reach http://alice:Pw55word@h/api?token=TOKSECRET');
      },
      [],
      logger,
      { stdout: { write: () => 0 }, stderr: { write: (l: string) => stderr.push(l) } },
    );
    expect(code).toBe(2);
    const all = lines.join('') + stderr.join('');
    expect(all).not.toContain('Pw55word');
    expect(all).not.toContain('TOKSECRET');
    expect(all).toContain('127.0.0.1:5000');
  });
});

describe('retry policy', () => {
  const refused = Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' }),
  });
  it('classifies and names network errors', () => {
    expect(classifyError(refused)).toBe('unreachable');
    expect(classifyError({ status: 503 })).toBe('transient');
    expect(classifyError({ status: 404 })).toBe('permanent');
    expect(classifyError({ cause: { code: 'ECONNRESET' } })).toBe('transient');
    expect(describeNetworkError(refused)).toMatch(/^connection refused .*\(ECONNREFUSED\)$/);
  });
  it('retries transient errors with backoff, unreachable ones once, permanent ones never', async () => {
    const sleeps: number[] = [];
    const opts = {
      attempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      sleep: async (ms: number) => void sleeps.push(ms),
    };
    let n = 0;
    await expect(withRetry(async () => ((n += 1), Promise.reject({ status: 500 })), opts)).rejects.toEqual({
      status: 500,
    });
    expect(n).toBe(4);
    n = 0;
    await expect(withRetry(async () => ((n += 1), Promise.reject(refused)), opts)).rejects.toBe(refused);
    expect(n).toBe(2);
    n = 0;
    await expect(withRetry(async () => ((n += 1), Promise.reject({ status: 403 })), opts)).rejects.toEqual({
      status: 403,
    });
    expect(n).toBe(1);
    expect(sleeps.every((s) => s <= 1000)).toBe(true);
  });
});

describe('CSV record bound', () => {
  it('a line longer than the limit is bad input naming the file and line, streamed or whole', async () => {
    const dir = fresh();
    const file = join(dir, 'long.csv');
    writeFileSync(file, `a,b\n1,2\n${'x'.repeat(5000)},3\n`);
    for (const wholeFileMaxBytes of [0, 1 << 22]) {
      const run = async () => {
        const { batches } = await openCsvBatches(file, {
          maxRecordChars: 1000,
          wholeFileMaxBytes,
          highWaterMark: 256,
        });
        for await (const _ of batches) void _;
      };
      await expect(run()).rejects.toThrow(`${file}: line 3 is longer than 1000 characters`);
    }
  });
  it.skipIf(!existsSync('/dev/zero'))('/dev/zero fails with a bounded read', async () => {
    const run = async () => {
      const { batches } = await openCsvBatches('/dev/zero', { maxRecordChars: 1 << 20 });
      for await (const _ of batches) void _;
    };
    await expect(run()).rejects.toThrow('/dev/zero: line 1 is longer than 1048576 characters');
  });
});

describe('CLI arguments and params', () => {
  it('takes a negative number as the value of an option', () => {
    const { values } = parseCli(
      ['--rtol', '-1', '--atol', '-1e-3'],
      { rtol: { type: 'string' }, atol: { type: 'string' } },
      'usage',
    );
    expect(values).toEqual({ rtol: '-1', atol: '-1e-3' });
  });
  it('names a folder given as params, and warns on an empty params file', async () => {
    const dir = fresh();
    await expect(loadParams(dir)).rejects.toThrow(`${dir}: is a folder, not a params file`);
    const empty = join(dir, 'params.yaml');
    writeFileSync(empty, '# nothing yet\n');
    const warnings: string[] = [];
    await loadParams(empty, { logger: { warn: (m) => warnings.push(m) } });
    expect(warnings).toEqual([`${empty}: the params file is empty; every parameter takes its default value`]);
  });
});
