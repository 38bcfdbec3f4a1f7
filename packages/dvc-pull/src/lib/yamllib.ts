/**
 * The `yaml` library (dvc.yaml, dvc.lock, params and metrics files; writing .dvc files), loaded on first use (see
 * yaml-entry.ts). The readers stay synchronous: every asynchronous entry point that parses or writes YAML awaits
 * `loadYaml()` first (the package's library entry at import), and `yamlLib()` hands the module out.
 */
type YamlModule = typeof import('./yaml-entry.js');

let lib: YamlModule | undefined;

export async function loadYaml(): Promise<YamlModule> {
  if (lib) return lib;
  // From the CLI bundle (dist/main.cjs) the chunk bundled beside it; from tsc's output or the sources, the module
  // next to this one. The specifier is computed so that the bundler leaves the import alone.
  const here = import.meta.url;
  const rel = here.endsWith('.cjs')
    ? './yaml-entry.mjs'
    : `./yaml-entry${here.endsWith('.ts') ? '.ts' : '.js'}`;
  lib = (await import(new URL(rel, here).href)) as YamlModule;
  return lib;
}

export function yamlLib(): YamlModule {
  if (!lib) throw new Error('internal error: the yaml library is used before loadYaml() was awaited');
  return lib;
}
