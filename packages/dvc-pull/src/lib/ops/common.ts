/** What every data command shares: its context, the selection of outputs and remotes, tree loading. */
import { lstat, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { FailureError, isErrnoException, type Logger } from '@mlops/core';
import { hashBytes } from '../hash.js';
import { cachePath, IntegrityError, type ObjectRef, type TransferContext } from '../odb.js';
import { openBackend, pickRemote, secretValues, selectRemotes, type Repo } from '../repo.js';
import type { RetryOptions } from '../retry.js';
import { parseTree, type TreeEntry } from '../tree.js';
import { relFromRoot, type TrackedOut } from '../workspace.js';

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

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
export const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function outRef(t: TrackedOut): ObjectRef {
  return { oid: t.out.md5!, hashName: t.out.hashName, name: t.rel };
}

export function entryRefs(t: TrackedOut, entries: readonly TreeEntry[]): ObjectRef[] {
  return entries.map((e) => ({ oid: e.md5, hashName: t.out.hashName, name: `${t.rel}/${e.relpath}` }));
}

/** Outputs that have data to move; warns for the others as DVC does. */
export function usable(ctx: OpContext, outs: readonly TrackedOut[]): TrackedOut[] {
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

export async function remoteContext(ctx: OpContext, name: string | undefined): Promise<TransferContext> {
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

export function groupByRemote(
  ctx: OpContext,
  outs: readonly TrackedOut[],
): Map<string | undefined, TrackedOut[]> {
  const groups = new Map<string | undefined, TrackedOut[]>();
  for (const t of outs) {
    const name = t.out.remote ?? ctx.remoteName;
    groups.set(name, [...(groups.get(name) ?? []), t]);
  }
  return groups;
}

export async function lstatOrNull(p: string) {
  try {
    return await lstat(p);
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return null;
    throw error;
  }
}

export function fail(kind: string, errors: string[]): never {
  throw new FailureError(`${kind} failed:\n  ${errors.join('\n  ')}`);
}
