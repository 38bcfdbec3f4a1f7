/**
 * The ml CLI ships as one esbuild CommonJS bundle (tools/workspace/bundle-cli.mjs): tfjs and its wasm backend must
 * still start from there. The wasm binaries are found through the package (bundle inside the workspace) or beside
 * the bundle (a bundle copied elsewhere with them); with neither, the pure-JS cpu backend runs and the skipped wasm
 * backend is reported.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const workspace = fileURLToPath(new URL('../../..', import.meta.url));
const learner = join(packageDir, 'src/lib/learners/mlp.ts');
const folders: string[] = [];
afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const IMPORTS = `
import { SeededRng } from '@mlops/core';
import { loadMlpBackend, mlpLearner } from ${JSON.stringify(learner)};
`;
const BODY = `
const { backend, skipped } = await loadMlpBackend();
const x = { data: Float64Array.from([-2, -1, -1.5, 1, 2, 1.5]), rows: 6, cols: 1 };
const json = mlpLearner({ hidden_layers: [4], epochs: 5, batch_size: 2, learning_rate: 0.05, l2: 0, patience: 5,
  validation_fraction: 0 }).fit({ x, y: Int32Array.from([0, 0, 0, 1, 1, 1]), nClasses: 2 }, { rng: new SeededRng(1) });
console.log(JSON.stringify({ backend, recorded: json.training.backend, skipped: skipped.map((s) => s.backend) }));
`;

/** Bundles the entry as the CLI build does (CommonJS, import.meta.url defined as the bundle's own URL). */
async function bundleInto(dir: string): Promise<string> {
  const entry = join(dir, 'entry.ts');
  writeFileSync(
    entry,
    `${IMPORTS}(async () => {${BODY}})().catch((e) => { console.error(e.message); process.exit(1); });`,
  );
  const outfile = join(dir, 'cli.cjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    tsconfig: join(workspace, 'tsconfig.base.json'), // @mlops/* from sources, as vitest resolves them
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'error',
  });
  return outfile;
}

describe('mlp in an esbuild CommonJS bundle', () => {
  it('starts the wasm backend from a bundle inside the workspace', async () => {
    const dir = mkdtempSync(join(packageDir, '.bundle-test-'));
    folders.push(dir);
    const run = spawnSync(process.execPath, [await bundleInto(dir)], { encoding: 'utf8', cwd: tmpdir() });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ backend: 'wasm', recorded: 'wasm', skipped: ['tensorflow'] });
  });

  it('outside the workspace: falls back to cpu without the .wasm files, and finds them copied beside the bundle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlp-bundle-'));
    folders.push(dir);
    const bundle = await bundleInto(dir);
    // without the binaries: the pure-JS cpu backend runs, and says so
    const missing = spawnSync(process.execPath, [bundle], { encoding: 'utf8', cwd: dir });
    expect(missing.stderr).toBe('');
    expect(JSON.parse(missing.stdout)).toEqual({
      backend: 'cpu',
      recorded: 'cpu',
      skipped: ['tensorflow', 'wasm'],
    });

    const wasmDist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    for (const file of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) {
      copyFileSync(join(wasmDist, file), join(dir, file));
    }
    const run = spawnSync(process.execPath, [bundle], { encoding: 'utf8', cwd: dir });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ backend: 'wasm', recorded: 'wasm', skipped: ['tensorflow'] });
  });
});
