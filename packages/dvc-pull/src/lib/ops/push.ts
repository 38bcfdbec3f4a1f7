/** `push`: cache → remote, each object verified before it leaves. */
import { InputError, createProgress } from '@mlops/core';
import { isDirOid } from '../dvcfile.js';
import { refKey, remoteHas, uploadFromCache, type ObjectRef } from '../odb.js';
import { runPool } from '../pool.js';
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

/** Every object an output needs, from the cache (a directory's .dir object last). */
async function cachedRefs(ctx: OpContext, t: TrackedOut): Promise<ObjectRef[]> {
  const ref = outRef(t);
  if (!isDirOid(ref.oid)) return [ref];
  return [...entryRefs(t, await loadTree(ctx.repo, ref)), ref];
}

export async function runPush(ctx: OpContext, outsIn: TrackedOut[]): Promise<void> {
  const outs = usable(ctx, outsIn).filter((t) => t.out.push);
  let pushed = 0;
  const errors: string[] = [];
  for (const [remoteName, group] of groupByRemote(ctx, outs)) {
    const transfer = await remoteContext(ctx, remoteName);
    if (transfer.remote.readOnly)
      throw new InputError(`remote '${transfer.remoteName}' (${transfer.remote.displayUrl}) is read-only`);
    try {
      const files = new Map<string, ObjectRef>();
      const dirs = new Map<string, ObjectRef>();
      for (const t of group) {
        try {
          for (const r of await cachedRefs(ctx, t)) (isDirOid(r.oid) ? dirs : files).set(refKey(r), r);
        } catch (error) {
          errors.push(errText(error));
        }
      }
      for (const batch of [[...files.values()], [...dirs.values()]]) {
        const present = await runPool(batch, ctx.jobs, (r) => remoteHas(transfer, r));
        const badPresent = present.errors.find((e) => e.error instanceof InputError);
        if (badPresent) throw badPresent.error; // no credentials: bad input, exit 2
        for (const e of present.errors) errors.push(errText(e.error));
        const missing = batch.filter((_, i) => present.results[i] === false);
        if (missing.length === 0) continue;
        const progress = createProgress({
          label: 'Pushing',
          total: missing.length,
          logger: ctx.logger,
          unit: 'files',
        });
        const up = await runPool(missing, ctx.jobs, async (r) => {
          await uploadFromCache(transfer, r);
          progress.tick();
        });
        progress.done();
        pushed += missing.length - up.errors.length;
        const badUp = up.errors.find((e) => e.error instanceof InputError);
        if (badUp) throw badUp.error;
        for (const e of up.errors) errors.push(errText(e.error));
        if (up.errors.length > 0) break; // never publish a .dir whose files did not all arrive
      }
    } finally {
      await transfer.remote.close();
    }
  }
  ctx.print(
    pushed > 0 ? `${plural(pushed, 'file')} pushed` : errors.length ? '' : 'Everything is up to date.',
  );
  if (errors.length > 0) fail('push', errors);
}
