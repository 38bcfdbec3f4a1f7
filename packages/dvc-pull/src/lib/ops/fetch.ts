/** `fetch`: remote → cache, verified, per remote group, in parallel. */
import { InputError, createProgress } from '@mlops/core';
import { isDirOid } from '../dvcfile.js';
import { downloadToCache, refKey, verifyCached, type ObjectRef, type TransferContext } from '../odb.js';
import { runPool } from '../pool.js';
import { type TreeEntry } from '../tree.js';
import { type TrackedOut } from '../workspace.js';
import {
  type OpContext,
  plural,
  errText,
  outRef,
  entryRefs,
  usable,
  loadTree,
  remoteContext,
  groupByRemote,
  fail,
} from './common.js';

export interface FetchResult {
  /** Parsed trees of directory outputs, by ref key. */
  trees: Map<string, TreeEntry[]>;
  /** Outputs whose objects could not all be fetched. */
  failed: Set<TrackedOut>;
  errors: string[];
  downloaded: number;
}

/** Make sure every object the outputs need is in the cache and intact. */
export async function fetch(ctx: OpContext, outsIn: readonly TrackedOut[]): Promise<FetchResult> {
  const result: FetchResult = { trees: new Map(), failed: new Set(), errors: [], downloaded: 0 };
  const outs = usable(ctx, outsIn);
  for (const [remoteName, group] of groupByRemote(ctx, outs)) {
    let transfer: TransferContext | undefined;
    const getTransfer = async () => (transfer ??= await remoteContext(ctx, remoteName));
    try {
      // Which cached objects are present and intact (a corrupt one is removed and fetched again).
      const ensure = async (refs: ObjectRef[], label: string): Promise<Map<string, unknown>> => {
        const failures = new Map<string, unknown>();
        const unique = [...new Map(refs.map((r) => [refKey(r), r])).values()];
        const checked = await runPool(unique, ctx.jobs, async (r) => {
          const state = await verifyCached(ctx.repo.cacheDir, r);
          if (state === 'corrupt')
            ctx.logger.warn(`cache object for '${r.name}' (${r.oid}) was corrupt; fetching it again`);
          return state;
        });
        for (const e of checked.errors) failures.set(refKey(e.item), e.error);
        // Bad input (no credentials) is the same for every object: one error, exit 2, not one line per object.
        const rethrow = (errors: { error: unknown }[]) => {
          const bad = errors.find((e) => e.error instanceof InputError);
          if (bad) throw bad.error;
        };
        const missing = unique.filter(
          (_, i) => checked.results[i] !== undefined && checked.results[i] !== 'ok',
        );
        if (missing.length === 0) return failures;
        const t = await getTransfer();
        const progress = createProgress({ label, total: missing.length, logger: ctx.logger, unit: 'files' });
        const done = await runPool(missing, ctx.jobs, async (r) => {
          const n = await downloadToCache(t, r);
          progress.tick();
          return n;
        });
        progress.done();
        rethrow(done.errors);
        result.downloaded += done.results.filter((x) => x !== undefined).length;
        for (const e of done.errors) failures.set(refKey(e.item), e.error);
        return failures;
      };

      const dirOuts = group.filter((t) => isDirOid(t.out.md5!));
      const dirFailures = await ensure(dirOuts.map(outRef), 'Fetching directory objects');
      const fileRefs: [TrackedOut, ObjectRef[]][] = [];
      for (const t of group) {
        const ref = outRef(t);
        if (!isDirOid(ref.oid)) {
          fileRefs.push([t, [ref]]);
          continue;
        }
        const failure = dirFailures.get(refKey(ref));
        if (failure) {
          result.failed.add(t);
          result.errors.push(errText(failure));
          continue;
        }
        try {
          const entries = await loadTree(ctx.repo, ref);
          result.trees.set(refKey(ref), entries);
          fileRefs.push([t, entryRefs(t, entries)]);
        } catch (error) {
          if (error instanceof InputError) throw error;
          result.failed.add(t);
          result.errors.push(errText(error));
        }
      }
      const failures = await ensure(
        fileRefs.flatMap(([, refs]) => refs),
        'Fetching',
      );
      const reported = new Set<string>();
      for (const [t, refs] of fileRefs) {
        for (const r of refs) {
          const f = failures.get(refKey(r));
          if (!f) continue;
          result.failed.add(t);
          if (!reported.has(refKey(r))) {
            reported.add(refKey(r));
            result.errors.push(errText(f));
          }
        }
      }
    } finally {
      await transfer?.remote.close();
    }
  }
  return result;
}

export async function runFetch(ctx: OpContext, outs: TrackedOut[]): Promise<void> {
  const res = await fetch(ctx, outs);
  if (res.errors.length > 0) fail(`fetch of ${plural(res.failed.size, 'output')}`, res.errors);
  ctx.print(res.downloaded > 0 ? `${plural(res.downloaded, 'file')} fetched` : 'Everything is up to date.');
}
