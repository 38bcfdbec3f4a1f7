/** Walking the workspace (with .dvcignore) and collecting the tracked outputs named by targets. */
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { InputError, isErrnoException, readTextFileBounded } from '@mlops/core';
import { parseDvcFile, type DvcOut } from './dvcfile.js';
import { isIgnored, parseIgnore, type IgnoreRule } from './ignore.js';

export interface TrackedOut {
  /** Absolute path of the .dvc file. */
  dvcFile: string;
  out: DvcOut;
  /** Absolute workspace path of the data. */
  abs: string;
  /** POSIX path relative to the repo root, for messages. */
  rel: string;
}

export const toPosix = (p: string): string => p.split(sep).join('/');
export const relFromRoot = (root: string, abs: string): string => toPosix(relative(root, abs)) || '.';

async function readIgnoreFile(dir: string, base: string): Promise<IgnoreRule[]> {
  try {
    return parseIgnore(await readFile(join(dir, '.dvcignore'), 'utf8'), base);
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

async function loadDvcFile(root: string, file: string): Promise<TrackedOut[]> {
  let text: string;
  try {
    text = await readTextFileBounded(file, MAX_DVC_FILE_BYTES, 'a .dvc file');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT')
      throw new InputError(`${relFromRoot(root, file)} does not exist`);
    throw error;
  }
  const parsed = parseDvcFile(text, relFromRoot(root, file));
  return parsed.outs.map((out) => {
    const abs = resolve(dirname(file), ...out.path.split('/'));
    const rel = relFromRoot(root, abs);
    if (rel.startsWith('../') || rel === '..')
      throw new InputError(`${relFromRoot(root, file)}: output '${out.path}' is outside the repository`);
    return { dvcFile: file, out, abs, rel };
  });
}

/**
 * The outputs named by `targets` (a .dvc file, a data path with a .dvc beside it, or a folder searched for .dvc
 * files), or every .dvc file of the repo when there are none. node_modules is never searched.
 */
export async function collectOuts(
  root: string,
  cwd: string,
  targets: readonly string[],
): Promise<TrackedOut[]> {
  const files = new Set<string>();
  const add = (f: string) => files.add(resolve(f));
  const searchDir = async (dir: string) => {
    for (const rel of await walkFiles(root, dir, { skipDirs: COLLECT_SKIP }))
      if (rel.endsWith('.dvc') && !rel.split('/').pop()!.startsWith('.dvc'))
        add(join(dir, ...rel.split('/')));
  };
  if (targets.length === 0) await searchDir(root);
  for (const t of targets) {
    const abs = resolve(cwd, t);
    const rel = relFromRoot(root, abs);
    if (rel.startsWith('..')) throw new InputError(`target '${t}' is outside the repository ${root}`);
    const st = await lstat(abs).catch(() => undefined);
    if (abs.endsWith('.dvc') && st?.isFile()) add(abs);
    else if (
      await lstat(`${abs}.dvc`)
        .then((s) => s.isFile())
        .catch(() => false)
    )
      add(`${abs}.dvc`);
    else if (st?.isDirectory()) {
      const before = files.size;
      await searchDir(abs);
      if (files.size === before) throw new InputError(`target '${t}': no .dvc files in this folder`);
    } else throw new InputError(`target '${t}' is neither a .dvc file nor a tracked output (no ${t}.dvc)`);
  }
  const outs: TrackedOut[] = [];
  for (const f of [...files].sort()) outs.push(...(await loadDvcFile(root, f)));
  return outs;
}
