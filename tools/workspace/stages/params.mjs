/**
 * params.yaml as the stages read it, for workspace tooling (the Nx plugin, the sync generator, tests).
 *
 * One truth: the stages validate params.yaml with packages/core/src/lib/params.ts (defaults included). Tooling must
 * see exactly the same values, so it runs that very module: esbuild bundles it once into .nx/workspace-data (keyed
 * by a hash of core's sources and the lockfile), and later graph builds import the cached file (~20 ms) instead of
 * bundling again (~200 ms). No build of core is needed first, so a fresh clone's first `nx` command works.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const PARAMS_FILE = 'config/params.yaml';

const loaded = new Map();

/** The params module of packages/core (loadParams, parseParamsYaml, paramAt, defaultParams…), bundled and cached. */
export async function paramsModule(root) {
  const coreLib = join(root, 'packages/core/src/lib');
  const hash = createHash('sha256');
  for (const name of readdirSync(coreLib).sort()) {
    if (name.endsWith('.ts')) hash.update(name).update(readFileSync(join(coreLib, name)));
  }
  hash.update(readFileSync(join(root, 'package-lock.json')));
  const key = hash.digest('hex').slice(0, 16);
  if (loaded.has(key)) return loaded.get(key);
  const dir = join(root, '.nx/workspace-data/mlops');
  const file = join(dir, `params-${key}.mjs`);
  if (!existsSync(file)) {
    const { buildSync } = await import('esbuild');
    const out = buildSync({
      entryPoints: [join(coreLib, 'params.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    mkdirSync(dir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, out.outputFiles[0].text);
    renameSync(temp, file);
  }
  const mod = await import(pathToFileURL(file).href);
  loaded.set(key, mod);
  return mod;
}

/** Validated params (defaults filled in) of the workspace's params file. Throws the stages' own error messages. */
export async function loadWorkspaceParams(root, file = PARAMS_FILE) {
  const mod = await paramsModule(root);
  return mod.parseParamsYaml(readFileSync(join(root, file), 'utf8'), file);
}
