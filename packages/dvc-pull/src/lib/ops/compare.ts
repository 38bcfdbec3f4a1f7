/**
 * `params diff` and `metrics show` / `metrics diff`, the commands DVC users compare experiments with, with DVC's
 * output: the params each dvc.yaml stage declares (values read from its params file) and the metrics files the
 * stages and dvc.yaml declare, at git HEAD and in the workspace; dicts flattened with dots; rows sorted by key;
 * DVC's plain table (a column is as wide as its widest cell and at least its header plus 2, two spaces between
 * columns) or --md (GitHub) table, or --json as Python's json.dumps writes it.
 */
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { parsePipeline, paramAt, pyEqual, readOptional } from '../pipeline.js';
import { compareCodePoints, pyEncodeString } from '../pyjson.js';
import { parseYamlValue, pyFloatRepr, type YMap, type YValue } from '../ryaml.js';
import { findStageFiles, toPosix } from '../workspace.js';
import { loadYaml } from '../yamllib.js';
import { type OpContext } from './common.js';

type Rev = 'HEAD' | 'workspace';
type Flat = Map<string, YValue>;

/** A file's text at `rev` (git HEAD via `git show`), or undefined when it is absent there. */
function readAt(root: string, rel: string, rev: Rev): Promise<string | undefined> {
  if (rev === 'workspace') return readOptional(join(root, ...rel.split('/')));
  const r = spawnSync('git', ['show', `HEAD:${rel}`], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  return Promise.resolve(r.status === 0 ? r.stdout : undefined);
}

/** The dvc.yaml files of the workspace (root-relative); at HEAD the same paths are read from git. */
async function pipelineFiles(root: string): Promise<string[]> {
  return (await findStageFiles(root))
    .filter((f) => f.endsWith('dvc.yaml'))
    .map((f) => toPosix(relative(root, f)));
}

/** DVC's flatten: nested mappings joined with '.', everything else a leaf. */
function flatten(v: YValue, prefix: string, out: Flat): void {
  if (v instanceof Map && v.size > 0) {
    for (const [k, x] of v) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, v);
}

const dirOf = (rel: string) => (rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '');

/** Params of every stage at `rev`: params file (root-relative) → flattened key → value. */
async function paramsAt(root: string, files: string[], rev: Rev): Promise<Map<string, Flat>> {
  await loadYaml();
  const out = new Map<string, Flat>();
  for (const f of files) {
    const text = await readAt(root, f, rev);
    if (text === undefined) continue;
    const pipeline = parsePipeline(text, join(root, f), f);
    const docs = new Map<string, YValue | undefined>();
    for (const s of pipeline.stages)
      for (const p of s.params) {
        const file = `${dirOf(f)}${p.file}`;
        if (!docs.has(file)) {
          const t = await readAt(root, file, rev);
          docs.set(file, t === undefined ? undefined : parseYamlValue(t, file));
        }
        const doc = docs.get(file);
        if (doc === undefined) continue;
        const flat = out.get(file) ?? new Map();
        out.set(file, flat);
        if (!p.keys) flatten(doc, '', flat);
        for (const k of p.keys ?? []) {
          const v = paramAt(doc, k);
          if (v !== undefined) flatten(v, k, flat);
        }
      }
  }
  return out;
}

/** Metrics files at `rev`: path → flattened values (lists as Python's str of them). */
async function metricsAt(root: string, files: string[], rev: Rev): Promise<Map<string, Flat>> {
  await loadYaml();
  const out = new Map<string, Flat>();
  for (const f of files) {
    const text = await readAt(root, f, rev);
    if (text === undefined) continue;
    const pipeline = parsePipeline(text, join(root, f), f);
    const paths = [
      ...pipeline.stages.flatMap((s) => s.outs.filter((o) => o.kind === 'metrics').map((o) => o.path)),
      ...pipeline.metrics,
    ].map((p) => `${dirOf(f)}${p}`);
    for (const p of paths) {
      const t = await readAt(root, p, rev);
      if (t === undefined) continue;
      const flat: Flat = new Map();
      // JSON is YAML 1.2: one reader for both formats.
      const m = extractMetrics(parseYamlValue(t, p));
      if (m !== undefined) flatten(m, '', flat);
      out.set(p, flat);
    }
  }
  return out;
}

/** DVC's `_extract_metrics`: numbers, booleans and strings are metrics; lists, nulls and empty mappings are dropped. */
function extractMetrics(v: YValue): YValue | undefined {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || typeof v === 'string')
    return v;
  if (!(v instanceof Map)) return undefined;
  const out: YMap = new Map();
  for (const [k, x] of v) {
    const m = extractMetrics(x);
    if (m !== undefined && !(m instanceof Map && m.size === 0)) out.set(k, m);
  }
  return out;
}

/** Python's str() of a loaded value. */
export function pyStr(v: YValue | undefined): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number')
    return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : pyFloatRepr(v);
  if (typeof v === 'string') return v;
  return pyRepr(v);
}

function pyRepr(v: YValue): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return pyStr(v);
}

/** Python's json.dumps of a loaded value (insertion order, ensure_ascii). */
export function pyJson(v: YValue | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number')
    return Number.isNaN(v)
      ? 'NaN'
      : v === Infinity
        ? 'Infinity'
        : v === -Infinity
          ? '-Infinity'
          : pyFloatRepr(v);
  if (typeof v === 'string') return pyEncodeString(v);
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  return `{${[...v].map(([k, x]) => `${pyEncodeString(k)}: ${pyJson(x)}`).join(', ')}}`;
}

const isNum = (v: YValue | undefined) =>
  typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';
const asNum = (v: YValue) => (typeof v === 'boolean' ? BigInt(v ? 1 : 0) : v) as number | bigint;

/** `new - old` as Python computes it (int - int stays an int). */
function pyDiff(oldV: YValue, newV: YValue): YValue {
  const a = asNum(oldV);
  const b = asNum(newV);
  if (typeof a === 'bigint' && typeof b === 'bigint') return b - a;
  return Number(b) - Number(a);
}

interface Change {
  old: YValue | undefined;
  new: YValue | undefined;
  diff?: YValue;
}

/** dvc.utils.diff: per file, every flattened key whose value differs (a one-element list compares its element). */
function diffAll(
  a: Map<string, Flat>,
  b: Map<string, Flat>,
  withUnchanged: boolean,
): Map<string, Map<string, Change>> {
  const res = new Map<string, Map<string, Change>>();
  for (const file of new Set([...a.keys(), ...b.keys()])) {
    const o = a.get(file) ?? new Map();
    const n = b.get(file) ?? new Map();
    const changes = new Map<string, Change>();
    for (const key of new Set([...o.keys(), ...n.keys()])) {
      let ov = o.get(key);
      let nv = n.get(key);
      if (Array.isArray(ov) && Array.isArray(nv) && ov.length === 1 && nv.length === 1)
        [ov, nv] = [ov[0], nv[0]];
      if (!withUnchanged && pyEqual(ov ?? null, nv ?? null)) continue;
      const c: Change = { old: ov ?? null, new: nv ?? null };
      if (isNum(ov) && isNum(nv)) c.diff = pyDiff(ov!, nv!);
      changes.set(key, c);
    }
    if (changes.size > 0) res.set(file, changes);
  }
  return res;
}

/** tabulate "plain" / "github" as DVC calls it (numbers not parsed, columns at least header + 2 wide). */
export function renderTable(headers: string[], rows: string[][], markdown: boolean): string {
  const len = (s: string) => [...s].length;
  const widths = headers.map((h, i) => Math.max(len(h) + 2, ...rows.map((r) => len(r[i]!))));
  const pad = (s: string, w: number) => s + ' '.repeat(w - len(s));
  if (markdown) {
    const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, widths[i]!)).join(' | ')} |`;
    return (
      [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n') +
      '\n'
    );
  }
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join('  ')
      .replace(/\s+$/, '');
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Python's round(x, n) then str(), as DVC formats metrics (round_digits). */
function roundField(v: YValue | undefined, precision: number): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number' && Number.isFinite(v)) return pyFloatRepr(Number(v.toFixed(precision)));
  return pyStr(v);
}

const fieldOf = (v: YValue | undefined) => (v === null || v === undefined ? '-' : pyStr(v));

function showDiff(
  ctx: OpContext,
  diff: Map<string, Map<string, Change>>,
  title: string,
  opts: { json: boolean; markdown: boolean; precision?: number; changes: boolean },
): void {
  const rel = (p: string) => toPosix(relative(ctx.cwd, join(ctx.repo.root, p)));
  if (opts.json) {
    const files = [...diff].map(
      ([f, ch]) =>
        `${pyEncodeString(rel(f))}: {${[...ch]
          .map(
            ([k, c]) =>
              `${pyEncodeString(k)}: {"old": ${pyJson(c.old)}, "new": ${pyJson(c.new)}${c.diff !== undefined ? `, "diff": ${pyJson(c.diff)}` : ''}}`,
          )
          .join(', ')}}`,
    );
    ctx.print(`{${files.join(', ')}}`);
    return;
  }
  const fmt = (v: YValue | undefined) => (opts.precision ? roundField(v, opts.precision) : fieldOf(v));
  const rows: string[][] = [];
  for (const [f, ch] of diff)
    for (const [k, c] of [...ch].sort(([a], [b]) => compareCodePoints(a, b))) {
      const row = [rel(f), k, fmt(c.old), fmt(c.new)];
      if (opts.changes) row.push(c.diff === undefined ? '-' : fmt(c.diff));
      rows.push(row);
    }
  if (rows.length === 0) return;
  const headers = ['Path', title, 'HEAD', 'workspace', ...(opts.changes ? ['Change'] : [])];
  ctx.print(renderTable(headers, rows, opts.markdown));
}

export interface CompareOptions {
  json: boolean;
  markdown: boolean;
  all: boolean;
  precision?: number;
}

export async function runParamsDiff(ctx: OpContext, opts: CompareOptions): Promise<void> {
  const files = await pipelineFiles(ctx.repo.root);
  const diff = diffAll(
    await paramsAt(ctx.repo.root, files, 'HEAD'),
    await paramsAt(ctx.repo.root, files, 'workspace'),
    opts.all,
  );
  showDiff(ctx, diff, 'Param', { json: opts.json, markdown: opts.markdown, changes: false });
}

export async function runMetricsDiff(ctx: OpContext, opts: CompareOptions): Promise<void> {
  const files = await pipelineFiles(ctx.repo.root);
  const diff = diffAll(
    await metricsAt(ctx.repo.root, files, 'HEAD'),
    await metricsAt(ctx.repo.root, files, 'workspace'),
    opts.all,
  );
  showDiff(ctx, diff, 'Metric', { ...opts, precision: opts.precision ?? 5, changes: true });
}

export async function runMetricsShow(ctx: OpContext, opts: CompareOptions): Promise<void> {
  await loadYaml();
  const files = await pipelineFiles(ctx.repo.root);
  const metrics = await metricsAt(ctx.repo.root, files, 'workspace');
  const rel = (p: string) => toPosix(relative(ctx.cwd, join(ctx.repo.root, p)));
  if (opts.json) {
    const data = new Map<string, YValue>();
    for (const [p] of metrics) {
      const text = await readAt(ctx.repo.root, p, 'workspace');
      data.set(rel(p), new Map([['data', extractMetrics(parseYamlValue(text!, p)) ?? new Map()]]) as YMap);
    }
    // DVC names the workspace revision '' in this JSON.
    ctx.print(pyJson(new Map([['', new Map([['data', data]]) as YMap]]) as YMap));
    return;
  }
  if (metrics.size === 0) {
    // DVC prints nothing and exits 0; say why on stderr only.
    ctx.logger.info(
      "no metrics files: declare them under a stage's `metrics:` or the top-level `metrics:` of dvc.yaml",
    );
    return;
  }
  const keys = [...new Set([...metrics.values()].flatMap((m) => [...m.keys()]))].sort(compareCodePoints);
  const rows = [...metrics].map(([p, m]) => [
    rel(p),
    ...keys.map((k) => roundField(m.get(k), opts.precision ?? 5)),
  ]);
  ctx.print(renderTable(['Path', ...keys], rows, opts.markdown));
}
