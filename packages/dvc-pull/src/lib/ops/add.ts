/** `add PATH`: workspace → cache + PATH.dvc and the .gitignore entry. */
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, createProgress, isErrnoException, writeFileAtomic } from '@mlops/core';
import { serializeDvcFile, updateDvcFile } from '../dvcfile.js';
import { hashFile, type HashName } from '../hash.js';
import { addFileToCache, cachePath, fileExists } from '../odb.js';
import { runPool } from '../pool.js';
import { serializeTree, treeOid } from '../tree.js';
import { relFromRoot, walkFiles } from '../workspace.js';
import { loadYaml } from '../yamllib.js';
import { type OpContext, lstatOrNull } from './common.js';

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
  await loadYaml();
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
