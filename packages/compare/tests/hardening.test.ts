// The built CLI against hostile inputs: negative numbers as option values, a folder as params, output folders the
// file system refuses, a report folder that is an input, 100,000 columns only in one file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(root, 'packages/compare/dist/main.js');
const params = join(root, 'config/params.yaml');

function runCompare(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'compare-hard-'));
  const rows = Array.from({ length: 20 }, (_, i) => `${i},${i % 2 ? 'yes' : 'no'},Normal_Weight`);
  writeFileSync(join(dir, 'a.csv'), `x,flag,NObeyesdad\n${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'b.csv'), `x,flag,NObeyesdad\n${rows.join('\n')}\n`);
  return dir;
}

describe('mlops-compare under hostile inputs', () => {
  it('--rtol -1 is the range error, not "argument is ambiguous"', () => {
    const dir = files();
    for (const args of [
      ['--rtol', '-1'],
      ['--atol', '-0.5'],
      ['--alpha', '-1e-3'],
    ]) {
      const r = runCompare([
        '--params',
        params,
        '--input',
        join(dir, 'a.csv'),
        '--reference',
        join(dir, 'b.csv'),
        '--output',
        join(dir, 'o'),
        ...args,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${args[0]}: "${args[1]}" is not a number`);
      expect(r.stderr).not.toContain('ambiguous');
    }
  });

  it('--params naming a folder says so (exit 2)', () => {
    const dir = files();
    const r = runCompare([
      '--params',
      join(root, 'config'),
      '--input',
      join(dir, 'a.csv'),
      '--reference',
      join(dir, 'b.csv'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(root, 'config')}: is a folder, not a params file`);
  });

  it.skipIf(!existsSync('/proc/self'))('an output folder under /proc is exit 2 at once, never a spin', () => {
    const dir = files();
    const r = runCompare([
      '--params',
      params,
      '--input',
      join(dir, 'a.csv'),
      '--reference',
      join(dir, 'b.csv'),
      '--output',
      '/proc/rep',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/proc/rep/comparison.json: cannot write');
  });

  it('a report folder that is the reference is refused naming both, the reference unchanged', () => {
    const dir = files();
    const before = readFileSync(join(dir, 'b.csv'), 'utf8');
    const r = runCompare([
      '--params',
      params,
      '--input',
      join(dir, 'a.csv'),
      '--reference',
      join(dir, 'b.csv'),
      '--output',
      join(dir, 'b.csv'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--output ${join(dir, 'b.csv')}`);
    expect(r.stderr).toContain(`--reference ${join(dir, 'b.csv')}`);
    expect(readFileSync(join(dir, 'b.csv'), 'utf8')).toBe(before);
  });

  it('30,000 columns only in the input: the difference line is capped', () => {
    const dir = files();
    const extra = Array.from({ length: 30_000 }, (_, i) => `c${i}`);
    const rows = Array.from(
      { length: 20 },
      (_, i) => `${i},${i % 2 ? 'yes' : 'no'},Normal_Weight,${new Array(30_000).fill('1').join(',')}`,
    );
    writeFileSync(join(dir, 'wide.csv'), `x,flag,NObeyesdad,${extra.join(',')}\n${rows.join('\n')}\n`);
    const r = runCompare([
      '--params',
      params,
      '--input',
      join(dir, 'wide.csv'),
      '--reference',
      join(dir, 'b.csv'),
      '--output',
      join(dir, 'o'),
      '--mode',
      'aligned',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stderr.split('\n').find((l) => l.includes('columns only in the input'))!;
    expect(line).toContain('c0, c1');
    expect(line).toContain('and 29,990 more (30,000 in all)');
    expect(line.length).toBeLessThan(400);
  });
});
