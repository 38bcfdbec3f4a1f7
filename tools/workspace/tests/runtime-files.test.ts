import { execFile } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const script = join(root, 'tools/workspace/containers/runtime-files.mjs');
const { runtimeFiles } = (await import(pathToFileURL(script).href)) as {
  runtimeFiles: (
    root: string,
    projectRoot: string,
  ) => { paths: string[]; links: [string, string][]; packages: string[] };
};

describe('runtime-files.mjs: what each runtime image holds', () => {
  it('a fully bundled CLI: its package.json, loader, bundle, assets and worker bundles, no node_modules', () => {
    const eda = runtimeFiles(root, 'packages/eda');
    expect(eda.paths).toEqual([
      'packages/eda/package.json',
      'packages/eda/dist/main.js',
      'packages/eda/dist/main.cjs',
    ]);
    expect(eda.links).toEqual([]);
    const ml = runtimeFiles(root, 'packages/ml');
    expect(ml.paths).toEqual(
      expect.arrayContaining([
        'packages/ml/dist/tfjs-backend-wasm.wasm',
        'packages/ml/dist/worker.mjs', // its own worker (dist/lib/worker.js), bundled
        'packages/ml/dist/worker.js', // piscina's worker bootstrap, bundled
      ]),
    );
    expect(ml.paths.some((p) => p.includes('node_modules'))).toBe(false);
  });

  it('a CLI that loads modules at run time: its production dependencies, the native add-on and its platform package', () => {
    for (const project of ['visualize', 'drift']) {
      const files = runtimeFiles(root, `packages/${project}`);
      expect(files.paths, project).toEqual(
        expect.arrayContaining([
          'packages/charts/package.json',
          'packages/charts/dist',
          'node_modules/@resvg/resvg-js',
          'node_modules/vega',
          'node_modules/vega-lite',
          'node_modules/vega-embed',
        ]),
      );
      expect(
        files.paths.some((p) => /^node_modules\/@resvg\/resvg-js-.+/.test(p)),
        project,
      ).toBe(true);
      expect(files.links, project).toContainEqual(['node_modules/@mlops/charts', '../../packages/charts']);
      // Never build tooling.
      expect(
        files.paths.some((p) => /node_modules\/(typescript|esbuild|nx|vitest)$/.test(p)),
        project,
      ).toBe(false);
    }
    expect(runtimeFiles(root, 'packages/visualize').paths).toContain('packages/visualize/dist');
  });

  const dir = mkdtempSync(join(tmpdir(), 'runtime-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (path: string, text = 'x') => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  it('copies the files at their workspace paths, without nested node_modules, types or maps; links kept', async () => {
    file(
      'packages/a/package.json',
      JSON.stringify({
        bin: { a: './dist/main.js' },
        stageCode: ['dist'],
        dependencies: { '@w/lib': '1', dep: '1' },
      }),
    );
    file('packages/a/dist/main.js');
    file('packages/a/dist/main.cjs');
    file('packages/a/dist/lib/run.js');
    file('packages/a/dist/lib/run.d.ts');
    file('packages/a/dist/lib/run.js.map');
    file('packages/a/src/main.ts');
    file('packages/lib/package.json', JSON.stringify({ files: ['dist'], dependencies: { dep: '1' } }));
    file('packages/lib/dist/index.js');
    file('packages/lib/src/index.ts');
    file(
      'node_modules/dep/package.json',
      JSON.stringify({ optionalDependencies: { 'dep-other-platform': '1' }, dependencies: { inner: '1' } }),
    );
    file('node_modules/dep/index.js');
    file('node_modules/dep/node_modules/inner/package.json', '{}');
    file('node_modules/unused/package.json', '{}');
    mkdirSync(join(dir, 'node_modules/@w'), { recursive: true });
    symlinkSync('../../packages/lib', join(dir, 'node_modules/@w/lib'));
    await promisify(execFile)('node', [script, join(dir, 'out'), 'a=packages/a'], { cwd: dir });
    const out = join(dir, 'out/a');
    for (const p of [
      'packages/a/dist/main.cjs',
      'packages/a/dist/lib/run.js',
      'packages/lib/dist/index.js',
      'node_modules/dep/index.js',
      'node_modules/dep/node_modules/inner/package.json',
    ])
      expect(existsSync(join(out, p)), p).toBe(true);
    for (const p of [
      'packages/a/dist/lib/run.d.ts',
      'packages/a/dist/lib/run.js.map',
      'packages/a/src',
      'packages/lib/src',
      'node_modules/unused',
    ])
      expect(existsSync(join(out, p)), p).toBe(false);
    expect(lstatSync(join(out, 'node_modules/@w/lib')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'node_modules/@w/lib'))).toBe('../../packages/lib');
  });

  it('fails naming the package when a required dependency is not installed', async () => {
    file(
      'packages/b/package.json',
      JSON.stringify({ bin: { b: './dist/main.js' }, bundleExternal: ['gone'], dependencies: { gone: '1' } }),
    );
    await expect(
      promisify(execFile)('node', [script, join(dir, 'out'), 'b=packages/b'], { cwd: dir }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/packages\/b: dependency gone is not installed/),
    });
  });
});
