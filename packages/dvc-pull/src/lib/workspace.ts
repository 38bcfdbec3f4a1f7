/** Walking the workspace (with .dvcignore) and collecting the tracked outputs named by targets. */
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { opendir } from 'node:fs/promises';
import { InputError, isErrnoException, readTextFileBounded } from '@mlops/core';
import { parseDvcFile, type DvcOut } from './dvcfile.js';
import { loadYaml } from './yamllib.js';
import {
  lockPathOf,
  parseLock,
  parsePipeline,
  readOptional,
  stageOut,
  type LockStage,
  type PipelineFile,
  type StageDef,
} from './pipeline.js';
import { isIgnored, parseIgnore, type IgnoreRule } from './ignore.js';

export interface TrackedOut {
  /** Absolute path of the .dvc file. */
  dvcFile: string;
  out: DvcOut;
  /** Absolute workspace path of the data. */
  abs: string;
  /** POSIX path relative to the repo root, for messages. */
  rel: string;
  /** The stage it belongs to: the .dvc file's path, or a pipeline stage's name (`sub/dvc.yaml:name` below the root). */
  addressing: string;
}

export const toPosix = (p: string): string => p.split(sep).join('/');
export const relFromRoot = (root: string, abs: string): string => toPosix(relative(root, abs)) || '.';

async function readIgnoreFile(dir: string, base: string, name = '.dvcignore'): Promise<IgnoreRule[]> {
  try {
    return parseIgnore(await readFile(join(dir, name), 'utf8'), base);
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return [];
    throw error;
  }
}

/** The .dvcignore rules of `dir`'s ancestors up to the repo root (root first), bases relative to the root. */
export async function ancestorIgnoreRules(root: string, dir: string): Promise<IgnoreRule[]> {
  const rules: IgnoreRule[] = [];
  const rel = relFromRoot(root, dir);
  const parts = rel === '.' ? [] : rel.split('/');
  for (let k = 0; k < parts.length; k++) {
    const base = parts.slice(0, k).join('/');
    rules.push(...(await readIgnoreFile(join(root, ...parts.slice(0, k)), base)));
  }
  return rules;
}

export interface WalkOptions {
  /** Folder names never entered (beyond .git/.hg/.dvc). */
  skipDirs?: ReadonlySet<string>;
}

/**
 * Files under `start` (inside repo `root`), as POSIX paths relative to `start`, honouring .dvcignore files found
 * at or above `start`. Symlinked folders are not followed (no loops, no escaping the tree).
 */
export async function walkFiles(root: string, start: string, options: WalkOptions = {}): Promise<string[]> {
  const rules = await ancestorIgnoreRules(root, start);
  const startRel = relFromRoot(root, start);
  const prefix = startRel === '.' ? '' : `${startRel}/`;
  const out: string[] = [];
  const visit = async (dir: string, relToStart: string) => {
    rules.push(...(await readIgnoreFile(dir, (prefix + relToStart).replace(/\/$/, ''))));
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const rel = relToStart === '' ? e.name : `${relToStart}/${e.name}`;
      const full = join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const s = await stat(full).catch(() => undefined);
        isFile = Boolean(s?.isFile());
        isDir = false;
      }
      if (isDir && options.skipDirs?.has(e.name)) continue;
      if (isIgnored(rules, prefix + rel, isDir)) continue;
      if (isDir) await visit(full, rel);
      else if (isFile) out.push(rel);
    }
  };
  await visit(start, '');
  return out;
}

const COLLECT_SKIP = new Set(['node_modules']);
/** A .dvc file is a few lines; anything over this is not one (and is not read into memory). */
const MAX_DVC_FILE_BYTES = 16 * 1024 * 1024;

/** A stage: a .dvc file, or a stage of a dvc.yaml with its lock entry. */
export interface TrackedStage {
  addressing: string;
  /** Absolute path of the .dvc file or dvc.yaml. */
  file: string;
  outs: TrackedOut[];
  pipeline?: PipelineFile;
  def?: StageDef;
  lock?: LockStage;
}

/**
 * The stage files of the repository in DVC's index order: a top-down walk in directory-listing order (Python's
 * os.walk: a folder's files, then its sub-folders), `.git`, `.dvc`, node_modules and .dvcignore'd folders skipped,
 * and in a git repository what .gitignore files ignore, as DVC's index skips git-ignored folders and files (which
 * also keeps the walk out of build and cache folders).
 */
export async function findStageFiles(root: string, start = root): Promise<string[]> {
  const rules = await ancestorIgnoreRules(root, start);
  const git = await lstat(join(root, '.git')).then(
    () => true,
    () => false,
  );
  const found: string[] = [];
  const visit = async (dir: string) => {
    const rel = relFromRoot(root, dir);
    rules.push(...(await readIgnoreFile(dir, rel === '.' ? '' : rel)));
    if (git) rules.push(...(await readIgnoreFile(dir, rel === '.' ? '' : rel, '.gitignore')));
    const subdirs: string[] = [];
    const handle = await opendir(dir);
    for await (const e of handle) {
      const relp = rel === '.' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (COLLECT_SKIP.has(e.name) || isIgnored(rules, relp, true)) continue;
        subdirs.push(join(dir, e.name));
      } else if (e.isFile() && (e.name === 'dvc.yaml' || (e.name.endsWith('.dvc') && e.name !== '.dvc'))) {
        if (!isIgnored(rules, relp, false)) found.push(join(dir, e.name));
      }
    }
    for (const d of subdirs) await visit(d);
  };
  await visit(start);
  return found;
}

async function loadDvcFile(root: string, file: string, cwd: string): Promise<TrackedStage> {
  let text: string;
  try {
    text = await readTextFileBounded(file, MAX_DVC_FILE_BYTES, 'a .dvc file');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT')
      throw new InputError(`${relFromRoot(root, file)} does not exist`);
    throw error;
  }
  // DVC names a stage relative to the current folder: `data/x.csv.dvc`, `../x.csv.dvc`.
  const addressing = relFromRoot(cwd, file);
  const parsed = parseDvcFile(text, relFromRoot(root, file));
  const outs = parsed.outs.map((out) => {
    const abs = resolve(dirname(file), ...out.path.split('/'));
    const rel = relFromRoot(root, abs);
    if (rel.startsWith('../') || rel === '..')
      throw new InputError(`${relFromRoot(root, file)}: output '${out.path}' is outside the repository`);
    return { dvcFile: file, out, abs, rel, addressing };
  });
  return { addressing, file, outs };
}

export async function loadPipelineFile(root: string, file: string, cwd = root): Promise<TrackedStage[]> {
  const label = relFromRoot(root, file);
  const text = await readOptional(file);
  if (text === undefined) throw new InputError(`${label} does not exist`);
  await loadYaml();
  const pipeline = parsePipeline(text, file, label);
  const lockFile = lockPathOf(file);
  const lockText = await readOptional(lockFile);
  const locks =
    lockText === undefined ? new Map<string, LockStage>() : parseLock(lockText, relFromRoot(root, lockFile));
  // DVC names a stage `name` in the dvc.yaml of the current folder, else `path/to/dvc.yaml:name`.
  const fromCwd = relFromRoot(cwd, file);
  const prefix = fromCwd === 'dvc.yaml' ? '' : `${fromCwd}:`;
  return pipeline.stages.map((def) => {
    const lock = locks.get(def.name);
    const addressing = `${prefix}${def.name}`;
    const outs = def.outs.map((o) => {
      const abs = resolve(pipeline.dir, ...o.path.split('/'));
      const entry = lock?.outs.find((e) => e.path === o.path);
      return { dvcFile: file, out: stageOut(o, entry), abs, rel: relFromRoot(root, abs), addressing };
    });
    const stage: TrackedStage = { addressing, file, outs, pipeline, def };
    if (lock) stage.lock = lock;
    return stage;
  });
}

async function loadStageFile(root: string, file: string, cwd: string): Promise<TrackedStage[]> {
  return file.endsWith('.dvc') ? [await loadDvcFile(root, file, cwd)] : loadPipelineFile(root, file, cwd);
}

export interface Selection {
  /** The selected stages, in index order; `outs` holds only the selected outputs of each. */
  stages: TrackedStage[];
  /** Every stage of the repository (for status of the whole project). */
  all: TrackedStage[];
}

/**
 * What `targets` name, as DVC resolves them: a .dvc file or dvc.yaml (all its stages), `[path/dvc.yaml:]stage`,
 * a tracked path (its .dvc file, or the one stage output at that path), a path inside a tracked folder (that
 * output), or a folder holding stage files. No targets: every stage of the repository.
 */
export async function collectStages(
  root: string,
  cwd: string,
  targets: readonly string[],
): Promise<Selection> {
  const files = await findStageFiles(root);
  const all: TrackedStage[] = [];
  for (const f of files) all.push(...(await loadStageFile(root, f, cwd)));
  if (targets.length === 0) return { stages: all, all };
  const picked = new Map<TrackedStage, Set<TrackedOut> | 'all'>();
  const pick = (s: TrackedStage, out?: TrackedOut) => {
    const cur = picked.get(s);
    if (cur === 'all') return;
    if (!out) picked.set(s, 'all');
    else picked.set(s, new Set([...(cur ?? []), out]));
  };
  for (const t of targets) {
    const colon = /^(.*?dvc\.yaml):([^/\\]+)$/.exec(t) ?? /^([^/\\:.][^/\\:]*)$/.exec(t);
    if (colon && colon[2]) {
      const file = resolve(cwd, colon[1]!);
      const s = all.find((x) => x.file === file && x.def?.name === colon[2]);
      if (!s) throw new InputError(`stage '${colon[2]}' not found in ${relFromRoot(root, file)}`);
      pick(s);
      continue;
    }
    const abs = resolve(cwd, t);
    const rel = relFromRoot(root, abs);
    if (rel.startsWith('..')) throw new InputError(`target '${t}' is outside the repository ${root}`);
    const byFile = all.filter((s) => s.file === abs || s.file === `${abs}.dvc`);
    if (
      byFile.length > 0 &&
      (abs.endsWith('.dvc') || abs.endsWith('dvc.yaml') || byFile[0]!.file === `${abs}.dvc`)
    ) {
      for (const s of byFile) pick(s);
      continue;
    }
    // A stage name in the dvc.yaml of the current folder.
    if (!t.includes('/') && !t.includes(sep)) {
      const s = all.find((x) => x.file === join(cwd, 'dvc.yaml') && x.def?.name === t);
      if (s) {
        pick(s);
        continue;
      }
    }
    const owner = all
      .flatMap((s) => s.outs.map((o) => [s, o] as const))
      .find(([, o]) => o.abs === abs || abs.startsWith(o.abs + sep));
    if (owner) {
      pick(owner[0], owner[1]);
      continue;
    }
    const st = await lstat(abs).catch(() => undefined);
    if (st?.isDirectory()) {
      const inside = all.filter((s) => s.file.startsWith(abs + sep));
      if (inside.length === 0)
        throw new InputError(`target '${t}': no .dvc files or dvc.yaml in this folder`);
      for (const s of inside) pick(s);
      continue;
    }
    throw new InputError(
      `target '${t}' is neither a .dvc file, a stage, nor a tracked output (no ${t}.dvc, no stage output at that path)`,
    );
  }
  const stages = all
    .filter((s) => picked.has(s))
    .map((s) => {
      const sel = picked.get(s)!;
      return sel === 'all' ? s : { ...s, outs: s.outs.filter((o) => sel.has(o)) };
    });
  return { stages, all };
}

/** The outputs `targets` name (see collectStages), in index order. */
export async function collectOuts(
  root: string,
  cwd: string,
  targets: readonly string[],
): Promise<TrackedOut[]> {
  return (await collectStages(root, cwd, targets)).stages.flatMap((s) => s.outs);
}
