/**
 * Pipelines: `dvc.yaml` (stages: cmd, deps, params, outs, metrics, plots) and `dvc.lock` (schema 2.0: per stage
 * the cmd, deps and outs with their hashes, and the values of the params keys it reads). A stage's outputs are
 * tracked data exactly like a `.dvc` file's: their hashes come from the lock; a stage with no lock entry has
 * outputs without version info. Paths in both files are relative to the dvc.yaml's folder (no `wdir`).
 */
import { dirname, join } from 'node:path';
import { InputError, isErrnoException, readTextFileBounded } from '@mlops/core';
import { type DvcOut } from './dvcfile.js';
import { MD5_RE } from './hash.js';
import { parseYamlValue, type YMap, type YValue } from './ryaml.js';

export const DEFAULT_PARAMS_FILE = 'params.yaml';

export interface StageOutDef {
  path: string;
  cache: boolean;
  push: boolean;
  persist: boolean;
  remote?: string;
  kind: 'outs' | 'metrics' | 'plots';
}

export interface ParamsDef {
  file: string;
  /** undefined: the whole file. */
  keys?: string[];
}

export interface StageDef {
  name: string;
  cmd: string | string[];
  deps: string[];
  params: ParamsDef[];
  outs: StageOutDef[];
  frozen: boolean;
  alwaysChanged: boolean;
}

export interface PipelineFile {
  /** Absolute path of dvc.yaml. */
  file: string;
  dir: string;
  stages: StageDef[];
  metrics: string[];
  params: string[];
}

export interface LockEntry {
  path: string;
  md5?: string;
  size?: number;
  nfiles?: number;
  isexec?: boolean;
  legacy: boolean;
}

export interface LockStage {
  cmd: string | string[];
  deps: LockEntry[];
  params: Map<string, YMap>;
  outs: LockEntry[];
}

const asMap = (v: YValue | undefined): YMap | undefined => (v instanceof Map ? v : undefined);

function checkRel(file: string, what: string, p: string): string {
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.split(/[\\/]/).includes('..'))
    throw new InputError(
      `${file}: ${what} '${p}' is outside the repository (external paths are not supported)`,
    );
  return p.replace(/\\/g, '/').replace(/\/+$/, '');
}

export function parsePipeline(text: string, abs: string, label: string): PipelineFile {
  const doc = asMap(parseYamlValue(text, label));
  if (!doc) throw new InputError(`${label}: expected a mapping with "stages"`);
  for (const k of doc.keys())
    if (!['stages', 'vars', 'metrics', 'params', 'plots', 'artifacts', 'datasets'].includes(k))
      throw new InputError(`${label}: unknown top-level key '${k}'`);
  if (doc.has('vars')) throw new InputError(`${label}: 'vars' (templating) is not supported by mlops-dvc`);
  const stagesMap = asMap(doc.get('stages')) ?? new Map();
  const stages: StageDef[] = [];
  for (const [name, raw] of stagesMap) {
    const s = asMap(raw);
    const where = `${label}: stage '${name}'`;
    if (!s) throw new InputError(`${where} is not a mapping`);
    if (s.has('foreach') || s.has('matrix'))
      throw new InputError(`${where}: foreach/matrix stages are not supported by mlops-dvc`);
    if (s.has('wdir') && s.get('wdir') !== '.') throw new InputError(`${where}: 'wdir' is not supported`);
    const cmd = s.get('cmd');
    if (typeof cmd !== 'string' && !(Array.isArray(cmd) && cmd.every((c) => typeof c === 'string')))
      throw new InputError(`${where}: 'cmd' must be a string or a list of strings`);
    const deps: string[] = [];
    for (const d of (s.get('deps') as YValue[] | undefined) ?? []) {
      if (typeof d !== 'string') throw new InputError(`${where}: every dep must be a path`);
      deps.push(checkRel(label, 'dep', d));
    }
    const params: ParamsDef[] = [];
    const defaultKeys: string[] = [];
    for (const p of (s.get('params') as YValue[] | undefined) ?? []) {
      if (typeof p === 'string') defaultKeys.push(p);
      else if (p instanceof Map) {
        for (const [file, keys] of p) {
          if (keys === null) params.push({ file: checkRel(label, 'params file', file) });
          else if (Array.isArray(keys) && keys.every((k) => typeof k === 'string'))
            params.push({ file: checkRel(label, 'params file', file), keys: keys as string[] });
          else throw new InputError(`${where}: params of '${file}' must be a list of keys`);
        }
      } else throw new InputError(`${where}: params entries must be keys or {file: [keys]}`);
    }
    if (defaultKeys.length > 0) {
      const existing = params.find((p) => p.file === DEFAULT_PARAMS_FILE);
      if (existing?.keys) existing.keys.push(...defaultKeys);
      else if (!existing) params.push({ file: DEFAULT_PARAMS_FILE, keys: defaultKeys });
    }
    const outs: StageOutDef[] = [];
    for (const kind of ['outs', 'metrics', 'plots'] as const) {
      for (const o of (s.get(kind) as YValue[] | undefined) ?? []) {
        let path: string;
        let flags: YMap = new Map();
        if (typeof o === 'string') path = o;
        else if (o instanceof Map && o.size === 1) {
          const [k, v] = [...o][0]!;
          path = k;
          flags = asMap(v) ?? new Map();
        } else throw new InputError(`${where}: every ${kind} entry must be a path or {path: flags}`);
        const out: StageOutDef = {
          path: checkRel(label, 'output', path),
          cache: flags.get('cache') !== false,
          push: flags.get('push') !== false,
          persist: flags.get('persist') === true,
          kind,
        };
        const remote = flags.get('remote');
        if (typeof remote === 'string') out.remote = remote;
        outs.push(out);
      }
    }
    stages.push({
      name,
      cmd: cmd as string | string[],
      deps,
      params,
      outs,
      frozen: s.get('frozen') === true,
      alwaysChanged: s.get('always_changed') === true,
    });
  }
  const list = (k: string) =>
    ((doc.get(k) as YValue[] | undefined) ?? []).filter((x): x is string => typeof x === 'string');
  return { file: abs, dir: dirname(abs), stages, metrics: list('metrics'), params: list('params') };
}

function lockEntries(label: string, stage: string, kind: string, raw: YValue | undefined): LockEntry[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new InputError(`${label}: stages.${stage}.${kind} must be a list`);
  return raw.map((r, i) => {
    const m = asMap(r);
    const path = m?.get('path');
    if (!m || typeof path !== 'string')
      throw new InputError(`${label}: stages.${stage}.${kind}[${i}] has no path`);
    const e: LockEntry = { path: checkRel(label, kind, path), legacy: m.get('hash') !== 'md5' };
    const md5 = m.get('md5');
    if (typeof md5 === 'string') {
      if (!MD5_RE.test(md5.replace(/\.dir$/, '')))
        throw new InputError(`${label}: stages.${stage}.${kind}[${i}].md5 '${md5}' is not an md5 hex digest`);
      e.md5 = md5;
    }
    for (const k of ['size', 'nfiles'] as const) {
      const v = m.get(k);
      if (typeof v === 'bigint') e[k] = Number(v);
      else if (v !== undefined && v !== null)
        throw new InputError(`${label}: stages.${stage}.${kind}[${i}].${k} must be an integer`);
    }
    if (m.get('isexec') === true) e.isexec = true;
    return e;
  });
}

export function parseLock(text: string, label: string): Map<string, LockStage> {
  const doc = asMap(parseYamlValue(text, label));
  const out = new Map<string, LockStage>();
  if (!doc) return out;
  const schema = doc.get('schema');
  if (schema !== '2.0')
    throw new InputError(`${label}: unsupported lock file schema '${String(schema)}' (2.0 expected)`);
  for (const [name, raw] of asMap(doc.get('stages')) ?? new Map()) {
    const s = asMap(raw);
    if (!s) throw new InputError(`${label}: stages.${name} is not a mapping`);
    const params = new Map<string, YMap>();
    for (const [file, vals] of asMap(s.get('params')) ?? new Map())
      params.set(file, asMap(vals) ?? new Map());
    out.set(name, {
      cmd: s.get('cmd') as string | string[],
      deps: lockEntries(label, name, 'deps', s.get('deps')),
      params,
      outs: lockEntries(label, name, 'outs', s.get('outs')),
    });
  }
  return out;
}

/** A pipeline, lock, params or metrics file is text of modest size: devices, pipes and huge files are refused unread. */
const MAX_TEXT_BYTES = 64 * 1024 * 1024;

export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readTextFileBounded(path, MAX_TEXT_BYTES, 'a DVC pipeline, lock, params or metrics file');
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return undefined;
    throw error;
  }
}

export const lockPathOf = (pipelineFile: string): string => join(dirname(pipelineFile), 'dvc.lock');

/** The DvcOut a stage output has: its hash from the lock entry (if any), its flags from dvc.yaml. */
export function stageOut(def: StageOutDef, lock: LockEntry | undefined): DvcOut {
  const out: DvcOut = {
    path: def.path,
    hashName: lock?.legacy ? 'md5-dos2unix' : 'md5',
    cache: def.cache,
    push: def.push,
  };
  if (lock?.md5) out.md5 = lock.md5;
  if (lock?.size !== undefined) out.size = lock.size;
  if (lock?.nfiles !== undefined) out.nfiles = lock.nfiles;
  if (lock?.isexec) out.isexec = true;
  if (def.remote) out.remote = def.remote;
  return out;
}

/** A dotted params key (`data.raw_path`) looked up in a params document, as DVC does; undefined when absent. */
export function paramAt(doc: YValue, key: string): YValue | undefined {
  if (doc instanceof Map && doc.has(key)) return doc.get(key);
  let cur: YValue | undefined = doc;
  for (const part of key.split('.')) {
    if (cur instanceof Map && cur.has(part)) cur = cur.get(part);
    else if (Array.isArray(cur) && /^\d+$/.test(part) && Number(part) < cur.length) cur = cur[Number(part)];
    else return undefined;
  }
  return cur;
}

/** Python's `==` on loaded YAML values (1 == 1.0, True == 1, lists and dicts deeply). */
export function pyEqual(a: YValue | undefined, b: YValue | undefined): boolean {
  const num = (v: unknown) =>
    typeof v === 'number'
      ? v
      : typeof v === 'bigint'
        ? Number(v)
        : typeof v === 'boolean'
          ? Number(v)
          : undefined;
  const na = num(a);
  const nb = num(b);
  if (na !== undefined && nb !== undefined) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
    return na === nb;
  }
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => pyEqual(x, b[i]));
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !pyEqual(v, b.get(k))) return false;
    return true;
  }
  return a === b;
}
