/**
 * Directory objects (`<md5>.dir`): a JSON list of `{"md5": …, "relpath": …}` sorted by relpath (POSIX `/`),
 * serialised with Python's `json.dumps(sort_keys=True)` (dvc-data hashfile/tree.py `as_list`/`as_bytes`); the
 * oid is the md5 of those bytes plus `.dir`. Parsing is strict: a manifest is remote data and may be hostile.
 */
import { InputError } from '@mlops/core';
import { hashBytes, MD5_RE, type HashName } from './hash.js';
import { compareCodePoints, pyJsonDumps } from './pyjson.js';

export interface TreeEntry {
  relpath: string;
  md5: string;
}

export function sortTree(entries: readonly TreeEntry[]): TreeEntry[] {
  return [...entries].sort((a, b) => compareCodePoints(a.relpath, b.relpath));
}

/** The exact bytes DVC stores for a directory object. */
export function serializeTree(entries: readonly TreeEntry[]): Buffer {
  const list = sortTree(entries).map((e) => ({ md5: e.md5, relpath: e.relpath }));
  return Buffer.from(pyJsonDumps(list), 'utf8');
}

/** `<md5 of the manifest bytes>.dir`. */
export function treeOid(entries: readonly TreeEntry[], hashName: HashName = 'md5'): string {
  return `${hashBytes(serializeTree(entries), hashName)}.dir`;
}

/** The reason a manifest relpath is unsafe to join under the output folder, or undefined when it is fine. */
export function unsafeRelpath(relpath: string): string | undefined {
  if (relpath.length === 0) return 'empty path';
  if (relpath.includes('\0')) return 'NUL byte';
  if (relpath.includes('\\')) return 'backslash (a Windows separator) in path';
  if (relpath.startsWith('/') || /^[A-Za-z]:/.test(relpath)) return 'absolute path';
  for (const part of relpath.split('/')) {
    if (part === '..') return "'..' component escapes the output folder";
    if (part === '' || part === '.') return 'empty or "." path component';
    if (part === '.dvc' || part === '.git') return `reserved component '${part}'`;
  }
  return undefined;
}

/** Parse and validate a `.dir` object. `label` names the object in errors. */
export function parseTree(bytes: Uint8Array, label: string): TreeEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new InputError(`directory object ${label} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new InputError(`directory object ${label} is not a JSON list`);
  const seen = new Set<string>();
  const entries: TreeEntry[] = [];
  for (const [i, item] of raw.entries()) {
    if (typeof item !== 'object' || item === null)
      throw new InputError(`directory object ${label}: entry ${i} is not an object`);
    const { md5, relpath } = item as Record<string, unknown>;
    if (typeof relpath !== 'string')
      throw new InputError(`directory object ${label}: entry ${i} has no string relpath`);
    if (typeof md5 !== 'string' || !MD5_RE.test(md5))
      throw new InputError(`directory object ${label}: entry '${relpath}' has no valid md5`);
    const why = unsafeRelpath(relpath);
    if (why) throw new InputError(`directory object ${label}: entry '${relpath}' rejected: ${why}`);
    if (seen.has(relpath)) throw new InputError(`directory object ${label}: duplicate entry '${relpath}'`);
    seen.add(relpath);
    entries.push({ md5, relpath });
  }
  // A path that is both a file and a folder ("a" and "a/b") cannot be checked out.
  for (const e of entries) {
    const parts = e.relpath.split('/');
    for (let k = 1; k < parts.length; k++) {
      const prefix = parts.slice(0, k).join('/');
      if (seen.has(prefix))
        throw new InputError(`directory object ${label}: '${prefix}' is both a file and a folder`);
    }
  }
  return entries;
}
