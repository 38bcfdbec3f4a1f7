/**
 * The data commands: fetch (remote → cache), checkout (cache → workspace), pull (both), push (cache → remote),
 * status (workspace vs cache, or cache vs remote) and add (workspace → cache + .dvc file).
 */
import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import {
  FailureError,
  InputError,
  createProgress,
  isErrnoException,
  writeFileAtomic,
  type Logger,
} from '@mlops/core';
import { isDirOid, serializeDvcFile, updateDvcFile } from './dvcfile.js';
import { hashBytes, hashFile, type HashName } from './hash.js';
import {
  addFileToCache,
  cachePath,
  downloadToCache,
  fileExists,
  IntegrityError,
  refKey,
  remoteHas,
  streamVerified,
  uploadFromCache,
  verifyCached,
  type ObjectRef,
  type TransferContext,
} from './odb.js';
import { runPool } from './pool.js';
import { openBackend, pickRemote, secretValues, selectRemotes, type Repo } from './repo.js';
import type { RetryOptions } from './retry.js';
import { parseTree, serializeTree, treeOid, type TreeEntry } from './tree.js';
import { relFromRoot, walkFiles, type TrackedOut } from './workspace.js';

/** DVC's default number of transfer jobs: 4 × cores. */
export const defaultJobs = (): number => 4 * availableParallelism();

export interface OpContext {
  repo: Repo;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  print: (line: string) => void;
  jobs: number;
  remoteName?: string;
  retry?: RetryOptions;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function outRef(t: TrackedOut): ObjectRef {
  return { oid: t.out.md5!, hashName: t.out.hashName, name: t.rel };
}

function entryRefs(t: TrackedOut, entries: readonly TreeEntry[]): ObjectRef[] {
  return entries.map((e) => ({ oid: e.md5, hashName: t.out.hashName, name: `${t.rel}/${e.relpath}` }));
}

/** Outputs that have data to move; warns for the others as DVC does. */
function usable(ctx: OpContext, outs: readonly TrackedOut[]): TrackedOut[] {
  return outs.filter((t) => {
    if (!t.out.cache) return false;
    if (!t.out.md5) {
      ctx.logger.warn(
        `output '${t.rel}' (${relFromRoot(ctx.repo.root, t.dvcFile)}) is missing version info; skipped`,
      );
      return false;
    }
    return true;
  });
}

/** Read a .dir object from the cache, verified, and parse it. */
export async function loadTree(repo: Repo, ref: ObjectRef): Promise<TreeEntry[]> {
  const path = cachePath(repo.cacheDir, ref);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT')
      throw new FailureError(
        `missing cache for directory '${ref.name}' (${ref.oid}); run \`mlops-dvc fetch\``,
      );
    throw error;
  }
  const got = `${hashBytes(bytes, ref.hashName)}.dir`;
  if (got !== ref.oid)
    throw new IntegrityError(
      `directory object ${path} for '${ref.name}' is corrupt: md5 ${got} ≠ ${ref.oid}`,
    );
  return parseTree(bytes, ref.oid);
}

async function remoteContext(ctx: OpContext, name: string | undefined): Promise<TransferContext> {
  const selection = selectRemotes(ctx.repo, ctx.env, ctx.cwd);
  const remote = pickRemote(selection, name);
  const ctxT: TransferContext = {
    remote: await openBackend(remote, ctx.jobs),
    remoteName: remote.name,
    cacheDir: ctx.repo.cacheDir,
    secrets: secretValues(remote),
    onRetry: (m) => ctx.logger.warn(m),
  };
  if (ctx.retry) ctxT.retry = ctx.retry;
  return ctxT;
}

function groupByRemote(ctx: OpContext, outs: readonly TrackedOut[]): Map<string | undefined, TrackedOut[]> {
  const groups = new Map<string | undefined, TrackedOut[]>();
  for (const t of outs) {
    const name = t.out.remote ?? ctx.remoteName;
    groups.set(name, [...(groups.get(name) ?? []), t]);
  }
  return groups;
}

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

type CheckoutState = 'added' | 'modified' | 'unchanged';

export interface CheckoutResult {
  changes: { rel: string; state: CheckoutState; dir: boolean }[];
  errors: string[];
}

async function lstatOrNull(p: string) {
  try {
    return await lstat(p);
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return null;
    throw error;
  }
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

async function sameContent(path: string, ref: ObjectRef): Promise<boolean> {
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
  await mkdir(t.abs, { recursive: true });
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

function reportCheckout(ctx: OpContext, res: CheckoutResult, fetched?: number): void {
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
  else if (res.errors.length === 0) ctx.print('Everything is up to date.');
}

function fail(kind: string, errors: string[]): never {
  throw new FailureError(`${kind} failed:\n  ${errors.join('\n  ')}`);
}

export async function runFetch(ctx: OpContext, outs: TrackedOut[]): Promise<void> {
  const res = await fetch(ctx, outs);
  if (res.errors.length > 0) fail(`fetch of ${plural(res.failed.size, 'output')}`, res.errors);
  ctx.print(res.downloaded > 0 ? `${plural(res.downloaded, 'file')} fetched` : 'Everything is up to date.');
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
  reportCheckout(ctx, res, fetched.downloaded);
  const errors = [...fetched.errors, ...res.errors];
  if (errors.length > 0) fail('pull', errors);
}

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

async function ensureGitignore(root: string, abs: string): Promise<void> {
  if (!(await lstatOrNull(join(root, '.git')))) return;
  const file = join(dirname(abs), '.gitignore');
  const entry = `/${basename(abs)}`;
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (!(isErrnoException(error) && error.code === 'ENOENT')) throw error;
  }
  if (text.split(/\r?\n/).includes(entry)) return;
  await writeFile(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${entry}\n`);
}

/** `add PATH`: hash (md5, DVC 3), cache the object(s), write PATH.dvc and the .gitignore entry. */
export async function runAdd(ctx: OpContext, target: string): Promise<void> {
  const abs = resolve(ctx.cwd, target);
  const rel = relFromRoot(ctx.repo.root, abs);
  if (rel === '.' || rel.startsWith('../') || rel === '..')
    throw new InputError(`cannot add '${target}': it is outside the repository or its root`);
  if (rel.split('/').some((p) => p === '.dvc' || p === '.git'))
    throw new InputError(`cannot add '${target}': inside .dvc/ or .git/`);
  if (abs.endsWith('.dvc')) throw new InputError(`cannot add '${target}': it is a .dvc file`);
  const st = await stat(abs).catch(() => null);
  if (!st) throw new InputError(`cannot add '${target}': no such file or folder`);
  const hashName: HashName = 'md5';
  let entry: { md5: string; size: number; nfiles?: number; isexec?: boolean };
  if (st.isFile()) {
    const h = await hashFile(abs);
    await addFileToCache(ctx.repo.cacheDir, { oid: h.md5, hashName }, abs);
    entry = { md5: h.md5, size: h.size, ...(st.mode & 0o100 ? { isexec: true } : {}) };
  } else if (st.isDirectory()) {
    const files = await walkFiles(ctx.repo.root, abs);
    const progress = createProgress({
      label: `Adding ${rel}`,
      total: files.length,
      logger: ctx.logger,
      unit: 'files',
    });
    const hashed = await runPool(files, ctx.jobs, async (f) => {
      const p = join(abs, ...f.split('/'));
      const h = await hashFile(p);
      await addFileToCache(ctx.repo.cacheDir, { oid: h.md5, hashName }, p);
      progress.tick();
      return { relpath: f, md5: h.md5, size: h.size };
    });
    progress.done();
    if (hashed.errors.length > 0) throw hashed.errors[0]!.error;
    const list = hashed.results.map((r) => r!);
    const tree = list.map(({ relpath, md5 }) => ({ relpath, md5 }));
    const oid = treeOid(tree);
    const dirPath = cachePath(ctx.repo.cacheDir, { oid, hashName });
    if (!(await fileExists(dirPath))) {
      await writeFileAtomic(dirPath, serializeTree(tree));
      await chmod(dirPath, 0o444);
    }
    entry = { md5: oid, size: list.reduce((a, r) => a + r.size, 0), nfiles: list.length };
  } else throw new InputError(`cannot add '${target}': not a regular file or folder`);
  const dvcFile = `${abs}.dvc`;
  const existing = await readFile(dvcFile, 'utf8').catch(() => undefined);
  const text = existing
    ? updateDvcFile(existing, entry)
    : serializeDvcFile({ ...entry, path: basename(abs) });
  await writeFileAtomic(dvcFile, text);
  await ensureGitignore(ctx.repo.root, abs);
  ctx.print(
    `Added ${rel} (${entry.md5}); track it with: git add ${relFromRoot(ctx.repo.root, dvcFile)} ${relFromRoot(ctx.repo.root, join(dirname(abs), '.gitignore'))}`,
  );
}
