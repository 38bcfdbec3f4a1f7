/** `checkout` (cache → workspace, never over local modifications without --force) and `pull` (fetch + checkout). */
import { createReadStream } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FailureError, InputError, createProgress, isErrnoException, makeFolders } from '@mlops/core';
import { isDirOid } from '../dvcfile.js';
import { hashFile } from '../hash.js';
import { cachePath, refKey, streamVerified, type ObjectRef } from '../odb.js';
import { runPool } from '../pool.js';
import { type Repo } from '../repo.js';
import { type TreeEntry } from '../tree.js';
import { walkFiles, type TrackedOut } from '../workspace.js';
import { type OpContext, plural, errText, outRef, usable, loadTree, lstatOrNull, fail } from './common.js';
import { fetch } from './fetch.js';

type CheckoutState = 'added' | 'modified' | 'unchanged';

export interface CheckoutResult {
  changes: { rel: string; state: CheckoutState; dir: boolean }[];
  errors: string[];
}

const modeFor = (isexec: boolean | undefined) => (isexec ? 0o755 : 0o644);

async function copyFromCache(
  repo: Repo,
  ref: ObjectRef,
  dest: string,
  isexec: boolean | undefined,
): Promise<void> {
  const src = cachePath(repo.cacheDir, ref);
  try {
    await streamVerified(
      createReadStream(src),
      dest,
      ref,
      `cache object ${src} for '${ref.name}'`,
      modeFor(isexec),
    );
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT' && error.path === src)
      throw new FailureError(`missing cache for '${ref.name}' (object ${ref.oid}); run \`mlops-dvc pull\``);
    throw error;
  }
}

export async function sameContent(path: string, ref: ObjectRef): Promise<boolean> {
  return (await hashFile(path, ref.hashName)).md5 === ref.oid;
}

const modifiedError = (what: string[]) =>
  new FailureError(
    `not overwriting local changes: ${what.slice(0, 5).join(', ')}${what.length > 5 ? ` and ${what.length - 5} more` : ''}; ` +
      'use --force to discard them',
  );

async function checkoutFile(ctx: OpContext, t: TrackedOut, force: boolean): Promise<CheckoutState> {
  const ref = outRef(t);
  const st = await lstatOrNull(t.abs);
  if (st) {
    if (st.isFile() && (await sameContent(t.abs, ref))) {
      if (t.out.isexec && (st.mode & 0o111) === 0) await chmod(t.abs, st.mode | 0o111);
      return 'unchanged';
    }
    if (!force) throw modifiedError([`'${t.rel}' is modified`]);
    if (!st.isFile()) await rm(t.abs, { recursive: true, force: true });
  }
  await copyFromCache(ctx.repo, ref, t.abs, t.out.isexec);
  return st ? 'modified' : 'added';
}

async function checkoutDir(
  ctx: OpContext,
  t: TrackedOut,
  entries: TreeEntry[],
  force: boolean,
): Promise<CheckoutState> {
  const root = await lstatOrNull(t.abs);
  const conflicts: string[] = [];
  if (root && !root.isDirectory()) {
    if (!force) throw modifiedError([`'${t.rel}' is not a folder`]);
    await rm(t.abs, { recursive: true, force: true });
  }
  const existed = Boolean(root?.isDirectory());
  const want = new Set(entries.map((e) => e.relpath));
  const toWrite: TreeEntry[] = [];
  const toRemove: string[] = [];
  const folderOk = new Map<string, boolean>();
  // A folder inside the output must be a real folder (a symlink could point outside it) or absent.
  const foldersSafe = async (relpath: string): Promise<string | undefined> => {
    const parts = relpath.split('/');
    for (let k = 1; k < parts.length; k++) {
      const sub = parts.slice(0, k).join('/');
      if (folderOk.has(sub)) {
        if (!folderOk.get(sub)) return sub;
        continue;
      }
      const st = await lstatOrNull(join(t.abs, ...parts.slice(0, k)));
      const ok = st === null || st.isDirectory();
      folderOk.set(sub, ok);
      if (!ok) return sub;
    }
    return undefined;
  };
  if (existed) {
    const checks = await runPool(entries, ctx.jobs, async (e) => {
      const bad = await foldersSafe(e.relpath);
      if (bad) return { e, state: 'blocked' as const, bad };
      const p = join(t.abs, ...e.relpath.split('/'));
      const st = await lstatOrNull(p);
      if (!st) return { e, state: 'missing' as const };
      if (!st.isFile()) return { e, state: 'conflict' as const };
      const same = await sameContent(p, { oid: e.md5, hashName: t.out.hashName, name: '' });
      return { e, state: same ? ('same' as const) : ('conflict' as const) };
    });
    if (checks.errors.length > 0) throw checks.errors[0]!.error;
    for (const c of checks.results) {
      if (!c) continue;
      if (c.state === 'missing') toWrite.push(c.e);
      else if (c.state === 'conflict') {
        conflicts.push(`'${t.rel}/${c.e.relpath}' is modified`);
        toWrite.push(c.e);
        toRemove.push(c.e.relpath);
      } else if (c.state === 'blocked') {
        conflicts.push(`'${t.rel}/${c.bad}' is not a real folder`);
        toWrite.push(c.e);
        toRemove.push(c.bad);
      }
    }
    for (const rel of await walkFiles(ctx.repo.root, t.abs)) {
      if (want.has(rel)) continue;
      if (rel.split('/').some((_, k, parts) => toRemove.includes(parts.slice(0, k + 1).join('/')))) continue;
      conflicts.push(`'${t.rel}/${rel}' is not tracked`);
      toRemove.push(rel);
    }
    if (conflicts.length > 0 && !force) throw modifiedError(conflicts);
    for (const rel of [...new Set(toRemove)])
      await rm(join(t.abs, ...rel.split('/')), { recursive: true, force: true });
  } else toWrite.push(...entries);
  if (toWrite.length === 0) return 'unchanged';
  await makeFolders(t.abs);
  const progress = createProgress({
    label: `Checking out ${t.rel}`,
    total: toWrite.length,
    logger: ctx.logger,
    unit: 'files',
  });
  const written = await runPool(toWrite, ctx.jobs, async (e) => {
    await copyFromCache(
      ctx.repo,
      { oid: e.md5, hashName: t.out.hashName, name: `${t.rel}/${e.relpath}` },
      join(t.abs, ...e.relpath.split('/')),
      false,
    );
    progress.tick();
  });
  progress.done();
  if (written.errors.length > 0) {
    const first = errText(written.errors[0]!.error);
    throw new FailureError(
      written.errors.length === 1 ? first : `${first} (and ${written.errors.length - 1} more)`,
    );
  }
  return existed ? 'modified' : 'added';
}

export async function checkout(
  ctx: OpContext,
  outsIn: readonly TrackedOut[],
  options: { force: boolean; trees?: Map<string, TreeEntry[]>; skip?: ReadonlySet<TrackedOut> },
): Promise<CheckoutResult> {
  const result: CheckoutResult = { changes: [], errors: [] };
  for (const t of usable(ctx, outsIn)) {
    if (options.skip?.has(t)) continue;
    try {
      const ref = outRef(t);
      let state: CheckoutState;
      if (isDirOid(ref.oid)) {
        const entries = options.trees?.get(refKey(ref)) ?? (await loadTree(ctx.repo, ref));
        state = await checkoutDir(ctx, t, entries, options.force);
      } else state = await checkoutFile(ctx, t, options.force);
      result.changes.push({ rel: t.rel, state, dir: isDirOid(t.out.md5!) });
    } catch (error) {
      if (error instanceof InputError) throw error;
      result.errors.push(`${t.rel}: ${errText(error)}`);
    }
  }
  return result;
}

function reportCheckout(ctx: OpContext, res: CheckoutResult, fetched?: number, fetchFailed = false): void {
  let added = 0;
  let modified = 0;
  for (const c of res.changes) {
    if (c.state === 'unchanged') continue;
    ctx.print(`${c.state === 'added' ? 'A' : 'M'}       ${c.rel}${c.dir ? '/' : ''}`);
    if (c.state === 'added') added++;
    else modified++;
  }
  const parts: string[] = [];
  if (added) parts.push(`${plural(added, 'file')} added`);
  if (modified) parts.push(`${plural(modified, 'file')} modified`);
  if (fetched) parts.push(`${plural(fetched, 'file')} fetched`);
  if (parts.length > 0) ctx.print(parts.join(' and '));
  // never "up to date" when some objects could not be fetched: the error that follows says what is missing
  else if (res.errors.length === 0 && !fetchFailed) ctx.print('Everything is up to date.');
}

export async function runCheckout(ctx: OpContext, outs: TrackedOut[], force: boolean): Promise<void> {
  const res = await checkout(ctx, outs, { force });
  reportCheckout(ctx, res);
  if (res.errors.length > 0) fail('checkout', res.errors);
}

export async function runPull(ctx: OpContext, outs: TrackedOut[], force: boolean): Promise<void> {
  const fetched = await fetch(ctx, outs);
  // Outputs whose objects did not all arrive are not checked out at all: nothing partial reaches the workspace.
  const res = await checkout(ctx, outs, { force, trees: fetched.trees, skip: fetched.failed });
  reportCheckout(ctx, res, fetched.downloaded, fetched.errors.length > 0);
  const errors = [...fetched.errors, ...res.errors];
  if (errors.length > 0) fail('pull', errors);
}
