/**
 * The workspace's Nx plugin: infers every project's targets, so project.json files hold only a name and tags.
 *
 * - Standard targets from what a project has: `build` (tsc; plus the CLI bundle when package.json has a "bin"),
 *   `typecheck`, `lint`, `test` (when it has tests/), `bench` (when it has bench/bench.mjs). Their inputs, outputs
 *   and dependencies come from nx.json targetDefaults.
 * - Stage targets from `stage.json` manifests (see manifest.mjs): command, inputs (sources, the catalog paths it
 *   reads, its environment, and a digest of exactly the params keys it reads), outputs, and `dependsOn` the targets
 *   that write what it reads.
 */
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { loadStages, MANIFEST } from './manifest.mjs';
import { nxTarget } from './generate.mjs';
import { loadWorkspaceParams, paramsModule } from './params.mjs';

export const name = '@mlops/stages';

function standardTargets(root, projectRoot, pkg) {
  const has = (p) => existsSync(join(root, projectRoot, p));
  const targets = {};
  if (has('tsconfig.lib.json')) {
    // Each CLI of package.json "bin" whose source exists is bundled (dist/X.js → dist/X.cjs + loader).
    const bins = Object.values(pkg.bin ?? {})
      .map((b) => b.replace(/^\.\//, ''))
      .filter((b) => has(b.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')));
    const bundle = bins.map((b) => ` && node ../../tools/workspace/bundle-cli.mjs ${b}`).join('');
    targets.build = { command: `tsc -p tsconfig.lib.json${bundle}` };
  }
  if (has('tsconfig.json')) targets.typecheck = {};
  targets.lint = {};
  if (has('tests')) targets.test = {};
  if (has('bench/bench.mjs'))
    targets.bench = {
      executor: 'nx:run-commands',
      options: { command: `node ${projectRoot}/bench/bench.mjs`, cwd: '{workspaceRoot}' },
      // Benches generate their large inputs with the demo-data tool.
      dependsOn: ['build', { projects: ['demo-data'], target: 'build' }],
      cache: false,
    };
  return targets;
}

export const createNodes = [
  '{packages,apps,tools}/*/{package.json,stage.json}',
  async (files, _options, context) => {
    const root = context.workspaceRoot;
    const { readFileSync } = await import('node:fs');
    const projects = new Map();
    for (const file of files) {
      if (!file.endsWith('/package.json')) continue;
      const projectRoot = posix.dirname(file);
      if (!existsSync(join(root, projectRoot, 'project.json'))) continue; // not an Nx project
      const pkg = JSON.parse(readFileSync(join(root, file), 'utf8'));
      projects.set(projectRoot, { file, targets: standardTargets(root, projectRoot, pkg) });
    }
    if (files.some((f) => f.endsWith(`/${MANIFEST}`))) {
      const { paramAt } = await paramsModule(root);
      const params = await loadWorkspaceParams(root);
      const stages = loadStages(root, params, paramAt);
      for (const stage of stages) {
        const entry = projects.get(stage.projectRoot);
        if (!entry) throw new Error(`${stage.manifest}: ${stage.projectRoot} is not an Nx project`);
        if (entry.targets[stage.target])
          throw new Error(`${stage.manifest}: target ${stage.target} clashes with a standard target`);
        entry.targets[stage.target] = nxTarget(stage, stages, params, paramAt);
      }
      // `nx run workspace:pipeline` (npm run pipeline): every stage that feeds the pipeline, in dependency order,
      // then `mlops-dvc commit` of their dvc.yaml stages, so dvc.lock and .dvc/cache record what Nx ran (real
      // `dvc status` is clean, `dvc push` uploads the outputs). Not cached: it reads the workspace Nx restored.
      const workspace = projects.get('tools/workspace');
      const run = stages.filter((s) => s.feeds && !s.continuous);
      const dvcStages = run.filter((s) => s.dvc).map((s) => s.dvc);
      if (workspace)
        workspace.targets.pipeline = {
          ...(dvcStages.length
            ? {
                executor: 'nx:run-commands',
                options: {
                  command: `node packages/dvc-pull/dist/main.js commit ${dvcStages.join(' ')}`,
                  cwd: '{workspaceRoot}',
                },
                cache: false,
              }
            : { executor: 'nx:noop' }),
          dependsOn: run.map((s) => ({ projects: [s.project], target: s.target })),
          metadata: {
            description:
              'The whole pipeline: every stage target of the stage manifests, then dvc.lock (mlops-dvc commit)',
          },
        };
    }
    return [...projects.entries()].map(([projectRoot, { file, targets }]) => [
      file,
      { projects: { [projectRoot]: { targets } } },
    ]);
  },
];
