/**
 * `commit [stage…]`: record pipeline stages in dvc.lock as `dvc commit`/`dvc repro` do (schema 2.0; per stage
 * `cmd`, `deps` and `outs` sorted by path with `hash: md5`, md5, size and nfiles/isexec, `params` with the values
 * of the keys it reads, the default params file first and keys sorted) and store its cached outputs in the cache
 * (files read-only, folders with their `.dir` manifest; `cache: false` outputs are recorded, never stored). Stage
 * order in the lock is kept; a new stage is appended. The lock is rewritten only when its text changes.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { FailureError, InputError, writeFileAtomic } from '@mlops/core';
import { addFileToCache, cachePath, fileExists } from '../odb.js';
import { lockPathOf, paramAt, readOptional, DEFAULT_PARAMS_FILE, type StageDef } from '../pipeline.js';
import { compareCodePoints } from '../pyjson.js';
import { runPool } from '../pool.js';
import { dumpYaml, parseYamlValue, type YMap, type YValue } from '../ryaml.js';
import { HashState, hashPath, type PathHash } from '../state.js';
import { relFromRoot, type Selection, type TrackedStage } from '../workspace.js';
import { loadYaml } from '../yamllib.js';
import { type OpContext } from './common.js';

function entryOf(path: string, h: PathHash): YMap {
  const m: YMap = new Map<string, YValue>([
    ['path', path],
    ['hash', 'md5'],
    ['md5', h.md5],
    ['size', BigInt(h.size)],
  ]);
  if (h.nfiles !== undefined) m.set('nfiles', BigInt(h.nfiles));
  if (h.isexec) m.set('isexec', true);
  return m;
}

const byPath = (a: string, b: string) => compareCodePoints(a, b);

/** Put a hashed output into the cache: its files, then (for a folder) its `.dir` manifest, read-only. */
async function storeOutput(ctx: OpContext, abs: string, h: PathHash): Promise<void> {
  const cacheDir = ctx.repo.cacheDir;
  if (!h.entries) return addFileToCache(cacheDir, { oid: h.md5, hashName: 'md5' }, abs);
  const done = await runPool(h.entries, ctx.jobs, (e) =>
    addFileToCache(cacheDir, { oid: e.md5, hashName: 'md5' }, join(abs, ...e.relpath.split('/'))),
  );
  if (done.errors.length > 0) throw done.errors[0]!.error;
  const dirPath = cachePath(cacheDir, { oid: h.md5, hashName: 'md5' });
  if (!(await fileExists(dirPath))) {
    await writeFileAtomic(dirPath, h.manifest!);
    await chmod(dirPath, 0o444);
  }
}

async function paramsValues(ctx: OpContext, stage: TrackedStage, def: StageDef): Promise<YMap> {
  await loadYaml();
  const files = [...def.params].sort((a, b) => byPath(a.file, b.file));
  const out: YMap = new Map();
  for (const p of files) {
    const abs = join(stage.pipeline!.dir, ...p.file.split('/'));
    const label = relFromRoot(ctx.repo.root, abs);
    const text = await readOptional(abs);
    if (text === undefined)
      throw new InputError(`stage '${stage.addressing}': parameters file '${label}' does not exist`);
    const doc = parseYamlValue(text, label);
    const keys = p.keys ?? (doc instanceof Map ? [...doc.keys()] : []);
    const missing = keys.filter((k) => paramAt(doc, k) === undefined);
    if (missing.length > 0)
      throw new InputError(
        `stage '${stage.addressing}': parameters '${missing.join(', ')}' are missing from '${label}'`,
      );
    const vals: YMap = new Map();
    for (const k of [...keys].sort(byPath)) vals.set(k, paramAt(doc, k)!);
    out.set(p.file, vals);
  }
  // DVC keeps the default params file first, the others in path order.
  if (out.has(DEFAULT_PARAMS_FILE)) {
    const d = out.get(DEFAULT_PARAMS_FILE)!;
    out.delete(DEFAULT_PARAMS_FILE);
    return new Map([[DEFAULT_PARAMS_FILE, d], ...out]);
  }
  return out;
}

/** The lock entry of one stage, from the workspace; its cached outputs are stored on the way. */
export async function lockEntry(ctx: OpContext, stage: TrackedStage, state: HashState): Promise<YMap> {
  const def = stage.def!;
  const dir = stage.pipeline!.dir;
  const entry: YMap = new Map<string, YValue>([['cmd', def.cmd]]);
  const deps: YMap[] = [];
  for (const d of [...new Set(def.deps)].sort(byPath)) {
    const h = await hashPath(ctx.repo.root, join(dir, ...d.split('/')), state, ctx.jobs);
    if (!h) throw new FailureError(`stage '${stage.addressing}': dependency '${d}' does not exist`);
    deps.push(entryOf(d, h));
  }
  if (deps.length > 0) entry.set('deps', deps);
  const params = await paramsValues(ctx, stage, def);
  if (params.size > 0) entry.set('params', params);
  const outs: YMap[] = [];
  for (const o of [...def.outs].sort((a, b) => byPath(a.path, b.path))) {
    const abs = join(dir, ...o.path.split('/'));
    const h = await hashPath(ctx.repo.root, abs, state, ctx.jobs);
    if (!h) throw new FailureError(`stage '${stage.addressing}': output '${o.path}' does not exist`);
    if (o.cache) await storeOutput(ctx, abs, h);
    outs.push(entryOf(o.path, h));
  }
  if (outs.length > 0) entry.set('outs', outs);
  return entry;
}

export interface CommitResult {
  /** Lock files rewritten (root-relative). */
  written: string[];
  stages: string[];
}

/** `explicit`: the stages were named by targets (a .dvc file among them is an error, not skipped). */
export async function commit(ctx: OpContext, selection: Selection, explicit = true): Promise<CommitResult> {
  await loadYaml();
  const stages = selection.stages.filter((s) => s.def);
  const skipped = explicit ? selection.stages.filter((s) => !s.def) : [];
  if (skipped.length > 0)
    throw new InputError(
      `commit records pipeline stages; ${skipped.map((s) => s.addressing).join(', ')} ${skipped.length === 1 ? 'is a .dvc file' : 'are .dvc files'} (use \`mlops-dvc add\`)`,
    );
  const state = await HashState.open(ctx.repo.dvcDir);
  const result: CommitResult = { written: [], stages: [] };
  const byFile = new Map<string, TrackedStage[]>();
  for (const s of stages) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  try {
    for (const [file, group] of byFile) {
      const lockFile = lockPathOf(file);
      const label = relFromRoot(ctx.repo.root, lockFile);
      const before = await readOptional(lockFile);
      let doc: YMap = new Map();
      if (before !== undefined) {
        const parsed = parseYamlValue(before, label);
        if (parsed instanceof Map) doc = parsed;
      }
      if (doc.size === 0) doc.set('schema', '2.0');
      let stagesMap = doc.get('stages');
      if (!(stagesMap instanceof Map)) {
        stagesMap = new Map();
        doc.set('stages', stagesMap);
      }
      for (const s of group) {
        (stagesMap as YMap).set(s.def!.name, await lockEntry(ctx, s, state));
        result.stages.push(s.addressing);
      }
      const text = dumpYaml(doc);
      if (text !== before) {
        await writeFileAtomic(lockFile, text);
        result.written.push(label);
      }
    }
  } finally {
    await state.save();
  }
  return result;
}

export async function runCommit(ctx: OpContext, selection: Selection, explicit: boolean): Promise<void> {
  const res = await commit(ctx, selection, explicit);
  if (res.stages.length === 0) ctx.print('No pipeline stages to commit.');
  else if (res.written.length === 0) ctx.logger.info(`${res.stages.length} stage(s) unchanged in dvc.lock`);
  else ctx.print(`Updated ${res.written.join(', ')}: ${res.stages.join(', ')}`);
}
