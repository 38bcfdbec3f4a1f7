/** `status`: workspace vs cache, or with -c cache vs remote, in DVC's words and layout. */
import { join, relative } from 'node:path';
import { pyJsonDumps, type PyJson } from '../pyjson.js';
import { paramAt, pyEqual, readOptional } from '../pipeline.js';
import { parseYamlValue } from '../ryaml.js';
import { HashState, hashPath } from '../state.js';
import { isDirOid } from '../dvcfile.js';
import { cachePath, downloadToCache, fileExists, refKey, remoteHas, type ObjectRef } from '../odb.js';
import { runPool } from '../pool.js';
import { toPosix, type Selection, type TrackedOut, type TrackedStage } from '../workspace.js';
import { loadYaml } from '../yamllib.js';
import {
  type OpContext,
  outRef,
  entryRefs,
  usable,
  loadTree,
  remoteContext,
  groupByRemote,
} from './common.js';

export type DepsStatus = Record<string, string | Record<string, string>>;
export type StageStatus = (
  string | { 'changed deps': DepsStatus } | { 'changed outs': Record<string, string> }
)[];
export type StatusReport = Record<string, StageStatus>;

/** Every object of a cached output is in the cache (DVC's `changed_cache` is false). */
async function inCache(ctx: OpContext, t: TrackedOut): Promise<boolean> {
  const ref = outRef(t);
  if (!(await fileExists(cachePath(ctx.repo.cacheDir, ref)))) return false;
  if (!isDirOid(ref.oid)) return true;
  const entries = await loadTree(ctx.repo, ref).catch(() => undefined);
  if (!entries) return false;
  const checks = await runPool(entryRefs(t, entries), ctx.jobs, (r) =>
    fileExists(cachePath(ctx.repo.cacheDir, r)),
  );
  if (checks.errors.length > 0) throw checks.errors[0]!.error;
  return checks.results.every(Boolean);
}

/** DVC's `Output.status`: not in cache (hash known, cached, objects missing), else deleted, modified. */
async function outStatus(ctx: OpContext, t: TrackedOut, state: HashState): Promise<string | undefined> {
  if (t.out.md5 && t.out.cache && !(await inCache(ctx, t))) return 'not in cache';
  const h = await hashPath(ctx.repo.root, t.abs, state, ctx.jobs, t.out.hashName);
  if (!h) return 'deleted';
  if (!t.out.md5 || h.md5 !== t.out.md5) return 'modified';
  return undefined;
}

/** How DVC names a path in status: relative to the current folder. */
const shown = (ctx: OpContext, abs: string) => toPosix(relative(ctx.cwd, abs));

async function paramsStatus(ctx: OpContext, stage: TrackedStage, into: DepsStatus): Promise<void> {
  await loadYaml();
  const pipeline = stage.pipeline!;
  for (const p of stage.def!.params) {
    const abs = join(pipeline.dir, ...p.file.split('/'));
    const text = await readOptional(abs);
    const name = shown(ctx, abs);
    if (text === undefined) {
      into[name] = 'deleted';
      continue;
    }
    const info = stage.lock?.params.get(p.file);
    if (!info) {
      into[name] = 'new';
      continue;
    }
    const doc = parseYamlValue(text, p.file);
    const keys = p.keys ?? [...new Set([...(doc instanceof Map ? doc.keys() : []), ...info.keys()])];
    const changed: Record<string, string> = {};
    for (const k of keys) {
      const actual = paramAt(doc, k);
      if (actual === undefined) changed[k] = 'deleted';
      else if (!info.has(k)) changed[k] = 'new';
      else if (!pyEqual(actual, info.get(k))) changed[k] = 'modified';
    }
    if (Object.keys(changed).length > 0) into[name] = changed;
  }
}

/** DVC's `Stage.status`: changed deps (paths, then params), changed outs, always changed, changed command. */
export async function stageStatus(
  ctx: OpContext,
  stage: TrackedStage,
  state: HashState,
): Promise<StageStatus> {
  const items: StageStatus = [];
  if (stage.def && !stage.def.frozen) {
    const deps: DepsStatus = {};
    for (const d of stage.def.deps) {
      const abs = join(stage.pipeline!.dir, ...d.split('/'));
      const entry = stage.lock?.deps.find((e) => e.path === d);
      const h = await hashPath(ctx.repo.root, abs, state, ctx.jobs, entry?.legacy ? 'md5-dos2unix' : 'md5');
      if (!h) deps[shown(ctx, abs)] = 'deleted';
      else if (!entry?.md5 || entry.md5 !== h.md5) deps[shown(ctx, abs)] = 'modified';
    }
    await paramsStatus(ctx, stage, deps);
    if (Object.keys(deps).length > 0) items.push({ 'changed deps': deps });
  }
  const outs: Record<string, string> = {};
  for (const t of stage.outs) {
    const s = await outStatus(ctx, t, state);
    if (s) outs[shown(ctx, t.abs)] = s;
  }
  if (Object.keys(outs).length > 0) items.push({ 'changed outs': outs });
  if (stage.def?.alwaysChanged) items.push('always changed');
  if (stage.def && stage.lock && JSON.stringify(stage.lock.cmd) !== JSON.stringify(stage.def.cmd))
    items.push('changed command');
  return items;
}

/** Workspace vs cache and lock, per stage in index order, in DVC's words. */
export async function localStatus(ctx: OpContext, stages: readonly TrackedStage[]): Promise<StatusReport> {
  const report: StatusReport = {};
  const state = await HashState.open(ctx.repo.dvcDir);
  for (const stage of stages) {
    const items = await stageStatus(ctx, stage, state);
    if (items.length > 0) report[stage.addressing] = items;
  }
  await state.save();
  return report;
}

/** Cache vs remote, per object: new (only in cache), deleted (only on remote), missing (neither). */
export async function cloudStatus(
  ctx: OpContext,
  outs: TrackedOut[],
): Promise<{ remote: string; status: Record<string, string> }> {
  const status: Record<string, string> = {};
  let remoteLabel = '';
  for (const [remoteName, group] of groupByRemote(ctx, usable(ctx, outs))) {
    const transfer = await remoteContext(ctx, remoteName);
    remoteLabel = transfer.remoteName;
    try {
      const refs: ObjectRef[] = [];
      for (const t of group) {
        const ref = outRef(t);
        refs.push(ref);
        if (!isDirOid(ref.oid)) continue;
        let entries = await loadTree(ctx.repo, ref).catch(() => undefined);
        if (!entries) {
          // Read the manifest from the remote without touching the cache.
          if (await remoteHas(transfer, ref)) {
            await downloadToCache(transfer, ref);
            entries = await loadTree(ctx.repo, ref);
          }
        }
        if (entries) refs.push(...entryRefs(t, entries));
      }
      const unique = [...new Map(refs.map((r) => [refKey(r), r])).values()];
      const checks = await runPool(unique, ctx.jobs, async (r) => ({
        local: await fileExists(cachePath(ctx.repo.cacheDir, r)),
        remote: await remoteHas(transfer, r),
      }));
      if (checks.errors.length > 0) throw checks.errors[0]!.error;
      unique.forEach((r, i) => {
        const c = checks.results[i]!;
        if (c.local && !c.remote) status[r.name] = 'new';
        else if (!c.local && c.remote) status[r.name] = 'deleted';
        else if (!c.local && !c.remote) status[r.name] = 'missing';
      });
    } finally {
      await transfer.remote.close();
    }
  }
  return { remote: remoteLabel, status };
}

const STATUS_LEN = 20;
const pad = (s: string) => `${s}:`.padEnd(STATUS_LEN, ' ');

/** DVC's `CmdDataStatus._show`: nested entries, one tab per level, statuses padded to 20 columns. */
function show(print: (l: string) => void, value: unknown, indent: number): void {
  const ind = '\t'.repeat(indent);
  if (typeof value === 'string') return print(`${ind}${value}`);
  if (Array.isArray(value)) {
    for (const v of value) show(print, v, indent);
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string') print(`${ind}${pad(v)}${k}`);
    else if (v && (!Array.isArray(v) || v.length > 0) && Object.keys(v).length > 0) {
      print(`${ind}${k}:`);
      show(print, v, indent + 1);
    }
  }
}

export async function runStatus(
  ctx: OpContext,
  selection: Selection,
  options: { cloud: boolean; json: boolean },
): Promise<number> {
  if (options.cloud) {
    const { remote, status } = await cloudStatus(
      ctx,
      selection.stages.flatMap((s) => s.outs),
    );
    if (options.json) ctx.print(pyJsonDumps(status, false));
    else if (Object.keys(status).length === 0) ctx.print(`Cache and remote '${remote}' are in sync.`);
    else show(ctx.print, status, 1);
    return 0;
  }
  const report = await localStatus(ctx, selection.stages);
  if (options.json) ctx.print(pyJsonDumps(report as PyJson, false));
  else if (Object.keys(report).length > 0) show(ctx.print, report, 0);
  else if (selection.all.length === 0)
    ctx.print(
      'There are no data or pipelines tracked in this project yet.\nSee <https://dvc.org/doc/start> to get started!',
    );
  else ctx.print('Data and pipelines are up to date.');
  return 0;
}
