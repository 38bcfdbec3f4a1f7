/**
 * Hashes of workspace paths with a state file, as DVC's state database does: a file whose inode, mtime (ns) and
 * size match the recorded ones is not read again. Kept in `.dvc/tmp/mlops-dvc-state.json` (git-ignored, local);
 * a missing or unreadable state file only costs re-hashing. Folders hash as DVC's tree objects (.dvcignore
 * honoured): md5 of the `.dir` manifest, total size, file count.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@mlops/core';
import { hashFile, type HashName } from './hash.js';
import { runPool } from './pool.js';
import { serializeTree, treeOid, type TreeEntry } from './tree.js';
import { walkFiles } from './workspace.js';

type Row = [ino: string, mtimeNs: string, size: number, md5: string];

export class HashState {
  private rows = new Map<string, Row>();
  private dirty = false;
  private constructor(private readonly file: string) {}

  static async open(dvcDir: string): Promise<HashState> {
    const s = new HashState(join(dvcDir, 'tmp', 'mlops-dvc-state.json'));
    try {
      const data = JSON.parse(await readFile(s.file, 'utf8')) as Record<string, Row>;
      if (data && typeof data === 'object')
        for (const [k, v] of Object.entries(data)) if (Array.isArray(v)) s.rows.set(k, v);
    } catch {
      // no state yet, or unreadable: everything is hashed again
    }
    return s;
  }

  async hashFile(
    path: string,
    hashName: HashName = 'md5',
  ): Promise<{ md5: string; size: number; isexec: boolean }> {
    const st = await stat(path, { bigint: true });
    const key = `${hashName}:${path}`;
    const row = this.rows.get(key);
    const ino = String(st.ino);
    const mtime = String(st.mtimeNs);
    const isexec = (Number(st.mode) & 0o100) !== 0;
    if (row && row[0] === ino && row[1] === mtime && row[2] === Number(st.size))
      return { md5: row[3], size: row[2], isexec };
    const h = await hashFile(path, hashName);
    // A file modified within the mtime granularity of its last hash could change unseen; DVC has the same rule.
    this.rows.set(key, [ino, mtime, h.size, h.md5]);
    this.dirty = true;
    return { md5: h.md5, size: h.size, isexec };
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    try {
      await writeFileAtomic(this.file, JSON.stringify(Object.fromEntries(this.rows)));
      this.dirty = false;
    } catch {
      // the state is an optimisation only (a read-only .dvc/tmp is fine)
    }
  }
}

export interface PathHash {
  md5: string;
  size: number;
  nfiles?: number;
  isexec?: boolean;
  /** For folders: the manifest entries, and its bytes (to store as the .dir object). */
  entries?: (TreeEntry & { size: number })[];
  manifest?: Buffer;
}

/** Hash a file or folder of the workspace; undefined when it does not exist. */
export async function hashPath(
  root: string,
  abs: string,
  state: HashState,
  jobs: number,
  hashName: HashName = 'md5',
): Promise<PathHash | undefined> {
  const st = await stat(abs).catch(() => undefined);
  if (!st) return undefined;
  if (st.isFile()) {
    const h = await state.hashFile(abs, hashName);
    return { md5: h.md5, size: h.size, ...(h.isexec ? { isexec: true } : {}) };
  }
  if (!st.isDirectory()) return undefined;
  const files = await walkFiles(root, abs);
  const hashed = await runPool(files, jobs, async (f) => {
    const h = await state.hashFile(join(abs, ...f.split('/')), hashName);
    return { relpath: f, md5: h.md5, size: h.size };
  });
  if (hashed.errors.length > 0) throw hashed.errors[0]!.error;
  const entries = hashed.results.map((r) => r!);
  return {
    md5: treeOid(entries, hashName),
    size: entries.reduce((a, e) => a + e.size, 0),
    nfiles: entries.length,
    entries,
    manifest: serializeTree(entries),
  };
}
