/**
 * One declaration per stage (packages/*\/stage.json) drives the Nx targets, dvc.yaml and compose: every path they
 * hold comes from the params catalog, the generated files are in sync, and a catalog rename moves all three.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const env = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_ISOLATE_PLUGINS: 'false',
  FORCE_COLOR: '0',
};
const nxIn = (cwd: string, ...args: string[]) =>
  run(join(root, 'node_modules/.bin/nx'), args, { cwd, env, maxBuffer: 1 << 26 });

interface Stage {
  project: string;
  target: string;
  dvc?: string;
  service?: string;
  argv: string[];
  files: string[];
  folders: string[];
  bin?: string;
  code: string[];
}

const stagesLib = () => import(pathToFileURL(join(root, 'tools/workspace/stages/manifest.mjs')).href);
const paramsLib = () => import(pathToFileURL(join(root, 'tools/workspace/stages/params.mjs')).href);

/** Every path value of the catalog: the data section and the predecessor's path keys. */
function catalogPaths(params: Record<string, Record<string, unknown>>): string[] {
  const paths = Object.values(params['data']!).filter((v): v is string => typeof v === 'string');
  paths.push(
    String(params['models']!['output_dir']),
    String(params['reports']!['figures_dir']),
    String(params['reports']!['metrics_dir']),
    String(params['reports']!['report_path']),
    String(params['drift']!['output_dir']),
  );
  return paths;
}

/** A path is declared when it is a catalog path, inside one, or the folder holding a catalog file. */
function fromCatalog(path: string, catalog: string[]): boolean {
  return catalog.some((c) => path === c || path.startsWith(`${c}/`) || c.startsWith(`${path}/`));
}

describe('stage manifests', () => {
  let stages: Stage[];
  let catalog: string[];
  let nonCatalog: Set<string>;

  beforeAll(async () => {
    const { paramsModule, loadWorkspaceParams } = await paramsLib();
    const { paramAt } = await paramsModule(root);
    const params = await loadWorkspaceParams(root);
    stages = (await stagesLib()).loadStages(root, params, paramAt);
    catalog = catalogPaths(params);
    // What a manifest may name outside the catalog: code (bundles), config files and tool folders.
    nonCatalog = new Set([
      'config',
      'mlruns',
      ...stages.flatMap((s) => [
        ...s.files,
        ...s.folders,
        ...(s.bin ? [s.bin, s.bin.replace(/\.js$/, '.cjs')] : []),
        ...s.code,
      ]),
    ]);
  });

  it('declare the pipeline stages', () => {
    const names = stages.map((s) => `${s.project}:${s.target}`);
    expect(names).toEqual(expect.arrayContaining(['dvc-pull:pull', 'eda:run', 'compare:run']));
    expect(names.indexOf('dvc-pull:pull')).toBeLessThan(names.indexOf('eda:run'));
    expect(names.indexOf('eda:run')).toBeLessThan(names.indexOf('compare:run'));
  });

  it('give Nx targets whose every path comes from the catalog', async () => {
    for (const s of stages) {
      const { stdout } = await nxIn(root, 'show', 'project', s.project, '--json');
      const target = JSON.parse(stdout).targets[s.target];
      expect(target, `${s.project}:${s.target}`).toBeDefined();
      const paths = [
        ...(target.outputs ?? []),
        ...(target.inputs ?? []).flatMap((i: unknown) =>
          typeof i === 'string'
            ? [i]
            : typeof i === 'object' && i && 'dependentTasksOutputFiles' in i
              ? [String((i as { dependentTasksOutputFiles: string }).dependentTasksOutputFiles)]
              : [],
        ),
      ]
        .filter((p: string) => !['production', '^production'].includes(p))
        .map((p: string) =>
          p
            .replace('{workspaceRoot}/', '')
            .replace(/\/\*\*\/\*$/, '')
            .replace(/\.dvc$/, ''),
        );
      for (const p of paths)
        expect(fromCatalog(p, catalog) || nonCatalog.has(p), `${s.project}:${s.target}: ${p}`).toBe(true);
      // the command is the manifest's, with catalog paths filled in
      expect(target.options.command.split(' ')).toEqual(s.argv);
      expect(target.options.env.MLOPS_PARAMS_DIGEST).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('give dvc.yaml and compose stages whose every path comes from the catalog', async () => {
    const dvc = parse(await readFile(join(root, 'dvc.yaml'), 'utf8')) as {
      stages: Record<string, { cmd: string; deps?: string[]; outs?: unknown[]; metrics?: unknown[] }>;
    };
    for (const [name, stage] of Object.entries(dvc.stages)) {
      const outs = [...(stage.outs ?? []), ...(stage.metrics ?? [])].map((o) =>
        typeof o === 'string' ? o : Object.keys(o as object)[0]!,
      );
      for (const p of [...(stage.deps ?? []), ...outs])
        expect(fromCatalog(p, catalog) || nonCatalog.has(p), `dvc.yaml ${name}: ${p}`).toBe(true);
      const decl = stages.find((s) => s.dvc === name)!;
      expect(stage.cmd, name).toBe(decl.argv.join(' '));
    }
    const compose = parse(await readFile(join(root, 'docker/compose.yaml'), 'utf8')) as {
      services: Record<string, { command: string[]; volumes?: string[] }>;
    };
    for (const s of stages.filter((x) => x.service)) {
      const service = compose.services[s.service!]!;
      expect(service.command, s.service).toEqual(s.argv);
      for (const v of service.volumes ?? []) {
        const host = v.split(':')[0]!.replace(/^\.\.\//, '');
        expect(fromCatalog(host, catalog) || nonCatalog.has(host), `compose ${s.service}: ${v}`).toBe(true);
      }
    }
  });
});

/**
 * A throwaway copy of the workspace (tracked files, the built dist/ folders and the node_modules of the original),
 * with its own git history and Nx cache, to try what users do: rename a path, edit params, commit.
 */
describe('in a copy of the workspace', () => {
  let copy: string;
  const git = (...args: string[]) => run('git', args, { cwd: copy });
  // eda and every stage that reads what it (or a stage after it) writes
  let downstreamOfEda: string[];
  let downstreamOfCompare: string[];
  const pipeline = async () => {
    const { stdout } = await nxIn(copy, 'run', 'workspace:pipeline', '--outputStyle=static');
    // "> nx run eda:run" when it ran, "> nx run eda:run  [local cache]" (or "existing outputs match") when cached
    const ran = [
      ...stdout.matchAll(/^> nx run (\S+:(?:run|pull|train|evaluate|simulate|detect|visualize))(.*)$/gm),
    ]
      .filter((m) => !/cache/.test(m[2]!))
      .map((m) => m[1]!);
    return ran.sort();
  };

  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), 'ws-copy-'));
    const { stdout } = await run('git', ['ls-files', '-z'], { cwd: root, maxBuffer: 1 << 26 });
    for (const file of stdout.split('\0').filter(Boolean)) {
      if (!existsSync(join(root, file))) continue; // deleted in the work tree, not yet committed
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(root, file), join(copy, file));
    }
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    // What is tested here is the wiring, not the models: train one quick model so each pipeline run takes seconds.
    const paramsFile = join(copy, 'config/params.yaml');
    writeFileSync(
      paramsFile,
      readFileSync(paramsFile, 'utf8')
        .replace(/^ {2}algorithms:\n(?: {4}- \w+\n)+/m, '  algorithms:\n    - logistic_regression\n')
        .replace(/^ {2}random_search_iterations: \d+/m, '  random_search_iterations: 0')
        .replace(/^ {2}importance_repeats: \d+/m, '  importance_repeats: 1'),
    );
    {
      const { paramsModule, loadWorkspaceParams } = await paramsLib();
      const { paramAt } = await paramsModule(copy);
      const all: Stage[] = (await stagesLib()).loadStages(copy, await loadWorkspaceParams(copy), paramAt);
      downstreamOfEda = all
        .filter(
          (s) =>
            (s as Stage & { feeds: boolean; continuous: boolean }).feeds &&
            !(s as Stage & { continuous: boolean }).continuous &&
            s.project !== 'dvc-pull',
        )
        .map((s) => `${s.project}:${s.target}`)
        .sort();
      // compare's target and every target that reads one of its outputs (directly or further down)
      const { upstreamOf } = await import(
        pathToFileURL(join(root, 'tools/workspace/stages/manifest.mjs')).href
      );
      const after = new Set(['compare:run']);
      for (let grew = true; grew;) {
        grew = false;
        for (const s of all)
          if (
            !after.has(`${s.project}:${s.target}`) &&
            upstreamOf(all, s).some((u: Stage) => after.has(`${u.project}:${u.target}`))
          ) {
            after.add(`${s.project}:${s.target}`);
            grew = true;
          }
      }
      downstreamOfCompare = [...after].sort();
    }
    await run('git', ['init', '-q', '-b', 'main'], { cwd: copy });
    await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '-A');
    await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'copy');
  }, 120_000);

  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('a hand-edited dvc.yaml fails `nx sync:check`; `nx sync` fixes it', async () => {
    await nxIn(copy, 'sync:check');
    writeFileSync(
      join(copy, 'dvc.yaml'),
      readFileSync(join(copy, 'dvc.yaml'), 'utf8').replace('cmd: node', 'cmd:  node'),
    );
    await expect(nxIn(copy, 'sync:check')).rejects.toThrow(/dvc\.yaml/);
    await nxIn(copy, 'sync');
    await nxIn(copy, 'sync:check');
    expect(readFileSync(join(copy, 'dvc.yaml'), 'utf8')).toBe(readFileSync(join(root, 'dvc.yaml'), 'utf8'));
  }, 120_000);

  it('params edits rerun exactly the stages that read the keys; a comment reruns nothing', async () => {
    await pipeline();
    expect(await pipeline()).toEqual([]);
    const file = join(copy, 'config/params.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `${original}\n# a comment only\n`);
    expect(await pipeline()).toEqual([]);
    writeFileSync(file, original.replace(/^ {2}alpha: .*$/m, '  alpha: 0.01'));
    // compare, and what reads its report (the HTML report), only
    expect(await pipeline()).toEqual(downstreamOfCompare);
    writeFileSync(file, original.replace(/^ {2}drop_duplicates: false$/m, '  drop_duplicates: true'));
    // eda's output changed: every stage downstream of it reruns, and only those
    expect(await pipeline()).toEqual(downstreamOfEda);
    writeFileSync(file, original);
  }, 300_000);

  it('renaming data.interim_path moves the Nx outputs, dvc.yaml and compose together, and the pipeline runs', async () => {
    const file = join(copy, 'config/params.yaml');
    const renamed = 'data/interim/clean_renamed.csv';
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/^ {2}interim_path: .*$/m, `  interim_path: ${renamed}`),
    );
    await nxIn(copy, 'sync');
    const { stdout } = await nxIn(copy, 'show', 'project', 'eda', '--json');
    expect(JSON.parse(stdout).targets.run.outputs).toContain(`{workspaceRoot}/${renamed}`);
    const dvc = readFileSync(join(copy, 'dvc.yaml'), 'utf8');
    expect(dvc).toContain(renamed);
    expect(dvc).not.toContain('dataset_limpio_refactored');
    const compose = parse(readFileSync(join(copy, 'docker/compose.yaml'), 'utf8'));
    expect(compose.services.eda.command).toContain(renamed);
    expect(compose.services.compare.command).toContain(renamed);
    expect(await pipeline()).toEqual(downstreamOfEda);
    expect(existsSync(join(copy, renamed))).toBe(true);
  }, 300_000);

  it("builds deterministic CLI bundles: two builds give the same bytes (a stage's code dependency is its bundle)", async () => {
    const bundle = join(copy, 'packages/eda/dist/main.cjs');
    await nxIn(copy, 'run', 'eda:build', '--outputStyle=static');
    const first = readFileSync(bundle);
    await nxIn(copy, 'run', 'eda:build', '--skip-nx-cache', '--outputStyle=static');
    expect(readFileSync(bundle).equals(first)).toBe(true);
  }, 120_000);

  it('a commit touching only compare affects only compare', async () => {
    const ident = ['-c', 'user.email=t@example.com', '-c', 'user.name=t'];
    await git(...ident, 'add', '-A');
    await git(...ident, 'commit', '-qm', 'renamed');
    const main = join(copy, 'packages/compare/src/main.ts');
    writeFileSync(main, `${readFileSync(main, 'utf8')}\n// a change\n`);
    await git(...ident, 'commit', '-qam', 'compare only');
    const { stdout } = await nxIn(
      copy,
      'show',
      'projects',
      '--affected',
      '--base=HEAD~1',
      '--head=HEAD',
      '--json',
    );
    expect(JSON.parse(stdout)).toEqual(['compare']);
  }, 120_000);
});
