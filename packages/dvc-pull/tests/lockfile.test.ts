/**
 * The dvc.lock writer against a lock the real DVC 3.55.2 wrote (`dvc repro`, fixtures/dvc-3.55.2-repro.lock, for
 * the params in fixtures/dvc-3.55.2-repro.params.yaml: floats, exponents, a big int, null, lists, empty
 * collections, strings that need quotes, non-ASCII, a command folded past column 80). Runs without DVC.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dumpYaml, parseYamlValue, pyFloatRepr, type YMap } from '../src/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('dvc.lock as ruamel writes it', () => {
  it('a lock written by dvc repro reads and dumps back to the same bytes', () => {
    const text = fixture('dvc-3.55.2-repro.lock');
    expect(dumpYaml(parseYamlValue(text, 'lock') as YMap)).toBe(text);
  });

  it('params values read from the params file dump as DVC recorded them', () => {
    const lock = parseYamlValue(fixture('dvc-3.55.2-repro.lock'), 'lock') as YMap;
    const params = parseYamlValue(fixture('dvc-3.55.2-repro.params.yaml'), 'params') as YMap;
    const recorded = ((lock.get('stages') as YMap).get('eda') as YMap).get('params') as YMap;
    const values = recorded.get('cfg/params.yaml') as YMap;
    const fromFile = new Map([['compare', params.get('compare')!]]) as YMap;
    expect(dumpYaml(fromFile)).toBe(dumpYaml(new Map([['compare', values.get('compare')!]]) as YMap));
    expect(dumpYaml(new Map([['x', 12345678901234567890n]]) as YMap)).toBe('x: 12345678901234567890\n');
  });

  it("floats as Python's repr", () => {
    expect(
      [1e-6, 1e-5, 0.0001, 3, 0.05, 1e16, 1.5e16, 123456789012345.6, -0, Infinity, NaN].map(pyFloatRepr),
    ).toEqual([
      '1e-06',
      '1e-05',
      '0.0001',
      '3.0',
      '0.05',
      '1e+16',
      '1.5e+16',
      '123456789012345.6',
      '-0.0',
      '.inf',
      '.nan',
    ]);
  });
});

describe('pipeline outputs without a dvc.lock entry', () => {
  it('checkout fails naming them, as DVC does (exit 1); status says deleted', async () => {
    const { makeRepo, runCli, writeFiles } = await import('./helpers.js');
    const repo = await makeRepo();
    await writeFiles(repo, {
      'dvc.yaml':
        'stages:\n  three:\n    cmd: cp a three.json\n    deps:\n      - a\n    outs:\n      - three.json\n',
      a: '{}',
    });
    const co = await runCli(['checkout'], { cwd: repo });
    expect(co.code).toBe(1);
    expect(co.stderr).toContain("No file hash info found for 'three.json'. It won't be created");
    const st = await runCli(['status', '--json'], { cwd: repo });
    expect(JSON.parse(st.stdout)).toEqual({
      three: [{ 'changed deps': { a: 'modified' } }, { 'changed outs': { 'three.json': 'deleted' } }],
    });
  });
});
