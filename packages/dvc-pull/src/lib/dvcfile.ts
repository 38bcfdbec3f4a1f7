/**
 * `.dvc` files (DVC 3.x): YAML with `outs:`, each out carrying `md5` (`<hex>` or `<hex>.dir`), `size`, `nfiles`
 * (directories), `isexec`, `hash: md5` and `path` (relative to the .dvc file's folder, POSIX separators).
 * An out without `hash:` is a 2.x output hashed as md5-dos2unix (dvc/output.py `_compute_hash_info_from_meta`).
 * Written in DVC's own key order (`Output.dumpd`: hash value, meta, `hash`, `path`), sequences not indented.
 */
import { InputError, parseYamlData } from '@mlops/core';
import { MD5_RE, type HashName } from './hash.js';
import { yamlLib } from './yamllib.js';

export interface DvcOut {
  /** As written in the file, relative to the .dvc file's folder. */
  path: string;
  /** `<hex>` or `<hex>.dir`; undefined when the out has no version info yet. */
  md5?: string;
  size?: number;
  nfiles?: number;
  isexec?: boolean;
  hashName: HashName;
  /** Per-output remote (`remote:` key). */
  remote?: string;
  /** `cache: false` outputs are not in the cache and never transferred. */
  cache: boolean;
  /** `push: false` outputs are never pushed. */
  push: boolean;
}

export interface DvcFile {
  outs: DvcOut[];
}

export const isDirOid = (oid: string): boolean => oid.endsWith('.dir');

function fail(file: string, message: string): never {
  throw new InputError(`${file}: ${message}`);
}

export function parseDvcFile(text: string, file: string): DvcFile {
  const data = parseYamlData(text, file);
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    fail(file, 'expected a mapping with "outs"');
  const outsRaw = (data as Record<string, unknown>)['outs'];
  if (!Array.isArray(outsRaw) || outsRaw.length === 0) fail(file, '"outs" must be a non-empty list');
  const outs = outsRaw.map((o, i): DvcOut => {
    if (typeof o !== 'object' || o === null) fail(file, `outs[${i}] is not a mapping`);
    const r = o as Record<string, unknown>;
    const path = r['path'];
    if (typeof path !== 'string' || path === '') fail(file, `outs[${i}].path is missing`);
    if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.split(/[\\/]/).includes('..'))
      fail(file, `outs[${i}].path '${path}' is outside the repository (external outputs are not supported)`);
    const hash = r['hash'];
    if (hash !== undefined && hash !== 'md5')
      fail(file, `outs[${i}].hash '${String(hash)}' is not supported (md5 only)`);
    const md5 = r['md5'];
    if (md5 !== undefined && md5 !== null) {
      if (typeof md5 !== 'string' || !MD5_RE.test(md5.replace(/\.dir$/, '')))
        fail(file, `outs[${i}].md5 '${String(md5)}' is not an md5 hex digest`);
    }
    for (const key of ['size', 'nfiles'] as const) {
      const v = r[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0))
        fail(file, `outs[${i}].${key} must be a non-negative integer`);
    }
    const out: DvcOut = {
      path: path.replace(/\\/g, '/'),
      hashName: hash === 'md5' ? 'md5' : 'md5-dos2unix',
      cache: r['cache'] !== false,
      push: r['push'] !== false,
    };
    if (typeof md5 === 'string') out.md5 = md5;
    if (typeof r['size'] === 'number') out.size = r['size'];
    if (typeof r['nfiles'] === 'number') out.nfiles = r['nfiles'];
    if (r['isexec'] === true) out.isexec = true;
    if (typeof r['remote'] === 'string') out.remote = r['remote'];
    return out;
  });
  return { outs };
}

/** A fresh single-output .dvc file, as `dvc add` writes it. */
export function serializeDvcFile(out: {
  md5: string;
  size: number;
  nfiles?: number;
  isexec?: boolean;
  path: string;
}): string {
  const entry: Record<string, unknown> = { md5: out.md5, size: out.size };
  if (out.nfiles !== undefined) entry['nfiles'] = out.nfiles;
  if (out.isexec) entry['isexec'] = true;
  entry['hash'] = 'md5';
  entry['path'] = out.path;
  return yamlLib().stringify({ outs: [entry] }, { indentSeq: false, lineWidth: 0 });
}

/**
 * Update the first out of an existing .dvc file in place (comments and other keys kept, as DVC's ruamel round
 * trip does); drops keys that no longer apply (nfiles on a file, isexec when not executable).
 */
export function updateDvcFile(
  text: string,
  out: { md5: string; size: number; nfiles?: number; isexec?: boolean },
): string {
  const doc = yamlLib().parseDocument(text);
  const set = (k: string, v: unknown) => doc.setIn(['outs', 0, k], v);
  set('md5', out.md5);
  set('size', out.size);
  if (out.nfiles !== undefined) set('nfiles', out.nfiles);
  else doc.deleteIn(['outs', 0, 'nfiles']);
  if (out.isexec) set('isexec', true);
  else doc.deleteIn(['outs', 0, 'isexec']);
  set('hash', 'md5');
  return doc.toString({ indentSeq: false, lineWidth: 0 });
}
