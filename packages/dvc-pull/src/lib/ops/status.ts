/** `status`: workspace vs cache, or with -c cache vs remote, in DVC's words and layout. */
import { join } from 'node:path';
import { isDirOid } from '../dvcfile.js';
import { cachePath, downloadToCache, fileExists, refKey, remoteHas, type ObjectRef } from '../odb.js';
import { runPool } from '../pool.js';
import { type TreeEntry } from '../tree.js';
import { relFromRoot, walkFiles, type TrackedOut } from '../workspace.js';
import {
  type OpContext,
  outRef,
  entryRefs,
  usable,
  loadTree,
  remoteContext,
  groupByRemote,
  lstatOrNull,
} from './common.js';
import { sameContent } from './checkout.js';

export interface StatusReport {
  [dvcFile: string]: { 'changed outs': Record<string, string> }[];
}

/** Workspace vs cache, per .dvc file, with DVC's words: deleted, modified, not in cache. */
export async function localStatus(ctx: OpContext, outs: TrackedOut[]): Promise<StatusReport> {
  const report: StatusReport = {};
  for (const t of usable(ctx, outs)) {
    const ref = outRef(t);
    let state: string | undefined;
    const st = await lstatOrNull(t.abs);
    let entries: TreeEntry[] | undefined;
    if (isDirOid(ref.oid)) entries = await loadTree(ctx.repo, ref).catch(() => undefined);
    if (!st) state = 'deleted';
    else if (!isDirOid(ref.oid))
      state = st.isFile() && (await sameContent(t.abs, ref)) ? undefined : 'modified';
    else if (!st.isDirectory()) state = 'modified';
    else if (entries) {
      const files = await walkFiles(ctx.repo.root, t.abs);
      const want = new Map(entries.map((e) => [e.relpath, e.md5]));
      if (files.length !== want.size || files.some((f) => !want.has(f))) state = 'modified';
      else {
        for (const f of files) {
          if (
            !(await sameContent(join(t.abs, ...f.split('/')), {
              oid: want.get(f)!,
              hashName: t.out.hashName,
              name: '',
            }))
          ) {
            state = 'modified';
            break;
          }
        }
      }
    }
    if (!state) {
      const refs = entries ? [ref, ...entryRefs(t, entries)] : [ref];
      if (isDirOid(ref.oid) && !entries) state = 'not in cache';
      else
        for (const r of refs)
          if (!(await fileExists(cachePath(ctx.repo.cacheDir, r)))) state = 'not in cache';
    }
    if (state) {
      const key = relFromRoot(ctx.repo.root, t.dvcFile);
      (report[key] ??= []).push({ 'changed outs': { [t.rel]: state } });
    }
  }
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

const STATUS_LEN = 30;
const pad = (s: string) => {
  const t = `${s}:`;
  return t + ' '.repeat(Math.max(1, STATUS_LEN - t.length));
};

export async function runStatus(
  ctx: OpContext,
  outs: TrackedOut[],
  options: { cloud: boolean; json: boolean },
): Promise<number> {
  if (options.cloud) {
    const { remote, status } = await cloudStatus(ctx, outs);
    if (options.json) ctx.print(JSON.stringify(status));
    else if (Object.keys(status).length === 0) ctx.print(`Cache and remote '${remote}' are in sync.`);
    else for (const [name, s] of Object.entries(status)) ctx.print(`\t${pad(s)}${name}`);
    return 0;
  }
  const report = await localStatus(ctx, outs);
  if (options.json) ctx.print(JSON.stringify(report));
  else if (outs.length === 0) ctx.print('There are no data or pipelines tracked in this project yet.');
  else if (Object.keys(report).length === 0) ctx.print('Data and pipelines are up to date.');
  else
    for (const [file, entries] of Object.entries(report)) {
      ctx.print(`${file}:`);
      for (const e of entries) {
        ctx.print('\tchanged outs:');
        for (const [p, s] of Object.entries(e['changed outs'])) ctx.print(`\t\t${pad(s)}${p}`);
      }
    }
  return 0;
}
