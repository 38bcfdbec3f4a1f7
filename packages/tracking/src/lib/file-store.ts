/**
 * MLflow's FileStore layout (what `mlflow ui --backend-store-uri file:…` reads), written safely by several
 * processes at once:
 * - an experiment folder is claimed with `mkdir` (exclusive) under an id derived from its name, so two processes
 *   creating the same experiment agree on one folder and exactly one writes its meta.yaml;
 * - meta.yaml and tag files are replaced by write-to-temp + rename; temp files sit where MLflow never lists them
 *   (the run or experiment folder itself, which MLflow only scans for sub-folders and meta.yaml);
 * - params are created with link() (exclusive): a param is write-once, as in MLflow;
 * - metric points are appended with O_APPEND, one write() per key per batch, so lines never interleave.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, link, mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from './local-fs.js';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { statSync } from 'node:fs';
import { FailureError, InputError, checkWritableFolder, isErrnoException, trackTempFile } from '@mlops/core';
import { deletedExperimentError } from './rest-store.js';
import {
  experimentIdForName,
  experimentMetaYaml,
  formatMetricLine,
  latestMetric,
  parseExperimentMeta,
  parseMetricFile,
  parseRunMeta,
  runMetaYaml,
} from './filestore-format.js';
import type { Experiment, Metric, RunBatch, RunInfo, RunRecord, RunStatus, TrackingStore } from './types.js';

const TRASH = '.trash';
const META = 'meta.yaml';
const RESERVED_EXPERIMENT_FOLDERS = new Set(['tags', 'datasets', 'traces']);
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

function tempName(base: string): string {
  return `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return undefined;
    throw error;
  }
}

/** Replace `target` atomically; the temp file is created in `tempDir` (same filesystem, never listed by MLflow). */
export async function replaceFile(target: string, data: string, tempDir: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = join(tempDir, tempName('w'));
  const release = trackTempFile(temp); // removed by core's SIGINT/SIGTERM handler if interrupted
  try {
    await writeFile(temp, data, 'utf8');
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    release();
  }
}

/** Create `target` only if absent (link() is exclusive). Returns false when it already existed. */
async function createFileExclusive(target: string, data: string, tempDir: string): Promise<boolean> {
  await mkdir(dirname(target), { recursive: true });
  const temp = join(tempDir, tempName('p'));
  const release = trackTempFile(temp);
  try {
    await writeFile(temp, data, 'utf8');
    await link(temp, target);
    return true;
  } catch (error) {
    if (isErrnoException(error) && error.code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
    release();
  }
}

export async function listDirs(path: string): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return [];
    throw error;
  }
}

/** Files under `dir`, as POSIX paths relative to it (keys with '/' live in sub-folders). */
export async function listFilesRecursive(dir: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return [];
    throw error;
  }
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFilesRecursive(join(dir, e.name), rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!;
}

/** `file:./mlruns`, `file:///abs/mlruns`, `file:/abs`, or a plain path → an absolute folder. */
export function fileUriToPath(uri: string, cwd = process.cwd()): string {
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (uri.startsWith('file:')) {
    const rest = decodeURIComponent(uri.slice('file:'.length));
    return isAbsolute(rest) ? rest : resolve(cwd, rest);
  }
  return isAbsolute(uri) ? uri : resolve(cwd, uri);
}

export interface FileStoreOptions {
  /** How long to wait for another process to finish writing an experiment's meta.yaml (ms). */
  claimWaitMs?: number;
  now?: () => number;
  /**
   * Told about each entry that cannot be read (a corrupt or empty meta.yaml, an unknown run status) and is left
   * out of a listing; MLflow's reader raises on them, so they must not vanish silently.
   */
  onWarning?: (message: string) => void;
}

/**
 * Check that `root` can hold a file store: not a file (for readers and writers alike), and, with `writable`
 * (a stage about to log), an existing folder it can write in or a folder it can create (nothing is created). Bad
 * input naming it, before the stage's work.
 */
export function checkFileStoreRoot(root: string, options: { writable?: boolean } = {}): void {
  let info;
  try {
    info = statSync(root);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOTDIR')
      throw new InputError(
        `${root}: the MLflow tracking store is under a file, not a folder (set MLFLOW_TRACKING_URI to a folder)`,
      );
    info = undefined;
  }
  if (info && !info.isDirectory())
    throw new InputError(
      `${root}: the MLflow tracking store is a file, not a folder (set MLFLOW_TRACKING_URI to a folder)`,
    );
  if (!options.writable) return;
  try {
    checkWritableFolder(root);
  } catch (error) {
    if (error instanceof InputError)
      throw new InputError(`MLflow tracking store ${root}: ${error.message.replace(`${root}: `, '')}`, {
        cause: error,
      });
    throw error;
  }
}

export class FileStore implements TrackingStore {
  readonly kind = 'file' as const;
  readonly root: string;
  readonly location: string;
  private readonly claimWaitMs: number;
  private readonly now: () => number;
  private readonly onWarning: (message: string) => void;
  private initialized = false;
  /** run id → run folder, for runs this store created or found (a run never moves while we log to it). */
  private readonly runDirs = new Map<string, string>();

  constructor(root: string, options: FileStoreOptions = {}) {
    this.root = resolve(root);
    this.location = this.root;
    this.claimWaitMs = options.claimWaitMs ?? 10_000;
    this.now = options.now ?? Date.now;
    // One warning per unreadable entry, however many listings read it.
    const warned = new Set<string>();
    const sink = options.onWarning ?? (() => undefined);
    this.onWarning = (message) => {
      if (warned.has(message)) return;
      warned.add(message);
      sink(message);
    };
  }

  private get artifactRootUri(): string {
    return pathToFileURL(this.root).href;
  }

  /** Create the root, `.trash` and the Default experiment "0" on first write, as FileStore.__init__ does. */
  private async init(): Promise<void> {
    if (this.initialized) return;
    await mkdir(this.root, { recursive: true });
    await mkdir(join(this.root, TRASH), { recursive: true });
    if (!(await exists(join(this.root, '0', META)))) await this.claimExperiment('0', 'Default');
    this.initialized = true;
  }

  /** mkdir the experiment folder; the process that creates it writes meta.yaml. Returns the experiment. */
  private async claimExperiment(id: string, name: string): Promise<Experiment> {
    const dir = join(this.root, id);
    let created = false;
    try {
      await mkdir(dir);
      created = true;
    } catch (error) {
      if (!(isErrnoException(error) && error.code === 'EEXIST')) throw error;
    }
    const metaPath = join(dir, META);
    const writeMeta = async (): Promise<Required<Experiment>> => {
      const t = this.now();
      const exp: Required<Experiment> = {
        experimentId: id,
        name,
        artifactLocation: `${this.artifactRootUri}/${id}`,
        lifecycleStage: 'active',
        creationTime: t,
        lastUpdateTime: t,
      };
      await replaceFile(metaPath, experimentMetaYaml(exp), dir);
      return exp;
    };
    if (created) return writeMeta();
    // Another process claimed it: wait for its meta.yaml (written by rename, so it is whole when it appears).
    const deadline = Date.now() + this.claimWaitMs;
    for (;;) {
      const text = await readText(metaPath);
      if (text !== undefined) return parseExperimentMeta(text);
      // The claimer died before writing meta.yaml: finish its work (the content is the same).
      if (Date.now() > deadline) return writeMeta();
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** An experiment's meta.yaml; a missing one is no experiment, an unreadable one is reported and skipped. */
  private async readExperiment(parent: string, id: string): Promise<Experiment | undefined> {
    const path = join(parent, id, META);
    const text = await readText(path);
    if (text === undefined) return undefined;
    try {
      return parseExperimentMeta(text);
    } catch (error) {
      this.onWarning(
        `${path}: unreadable experiment meta.yaml (${reasonOf(error)}); experiment ${id} skipped`,
      );
      return undefined;
    }
  }

  async listExperiments(): Promise<Experiment[]> {
    const ids = (await listDirs(this.root)).filter((d) => d !== TRASH && d !== 'models');
    const out: Experiment[] = [];
    for (const id of ids) {
      const exp = await this.readExperiment(this.root, id);
      if (exp && exp.experimentId === id) out.push(exp);
      else if (exp)
        this.onWarning(
          `${join(this.root, id, META)}: experiment_id '${exp.experimentId}' does not match its folder; experiment ${id} skipped`,
        );
    }
    return out.sort(
      (a, b) => (b.creationTime ?? 0) - (a.creationTime ?? 0) || a.experimentId.localeCompare(b.experimentId),
    );
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    return (await this.listExperiments()).find((e) => e.name === name && e.lifecycleStage === 'active');
  }

  async getOrCreateExperiment(name: string): Promise<Experiment> {
    if (typeof name !== 'string' || name.trim() === '')
      throw new InputError('experiment name must not be empty');
    await this.init();
    const found = await this.getExperimentByName(name);
    if (found) return found;
    // A deleted experiment (in .trash) keeps its name: MLflow refuses to set it as the active experiment rather
    // than create a second one that would clash with it when it is restored.
    for (const id of await listDirs(join(this.root, TRASH))) {
      const deleted = await this.readExperiment(join(this.root, TRASH), id);
      if (deleted?.name === name) throw deletedExperimentError(name, this.root);
    }
    // Deterministic id; skip ids already used by another experiment (active or in .trash).
    for (let attempt = 0; attempt < 100; attempt++) {
      const id = experimentIdForName(name, attempt);
      if (await exists(join(this.root, TRASH, id))) continue;
      const exp = await this.claimExperiment(id, name);
      if (exp.name === name) return exp;
    }
    throw new FailureError(`could not allocate an experiment id for '${name}' in ${this.root}`);
  }

  private async findRunDir(runId: string): Promise<{ dir: string; experimentId: string } | undefined> {
    if (!RUN_ID.test(runId)) return undefined;
    const candidates = [
      ...(await listDirs(this.root))
        .filter((d) => d !== TRASH && d !== 'models')
        .map((d) => join(this.root, d)),
      ...(await listDirs(join(this.root, TRASH))).map((d) => join(this.root, TRASH, d)),
    ];
    for (const expDir of candidates) {
      const dir = join(expDir, runId);
      if (await exists(join(dir, META))) return { dir, experimentId: expDir.split(/[\\/]/).pop()! };
    }
    return undefined;
  }

  private async requireRunDir(runId: string): Promise<string> {
    const cached = this.runDirs.get(runId);
    if (cached) return cached;
    const found = await this.findRunDir(runId);
    if (!found) throw new InputError(`run '${runId}' not found in ${this.root}`);
    this.runDirs.set(runId, found.dir);
    return found.dir;
  }

  async createRun(input: {
    experimentId: string;
    runName: string;
    userId: string;
    startTime: number;
    tags: Array<{ key: string; value: string }>;
  }): Promise<RunInfo> {
    await this.init();
    const expDir = join(this.root, input.experimentId);
    const exp = await this.readExperiment(this.root, input.experimentId);
    if (!exp) throw new InputError(`experiment '${input.experimentId}' does not exist in ${this.root}`);
    const runId = randomUUID().replace(/-/g, '');
    const runDir = join(expDir, runId);
    const info: RunInfo = {
      runId,
      runName: input.runName,
      experimentId: input.experimentId,
      userId: input.userId,
      status: 'RUNNING',
      startTime: input.startTime,
      endTime: null,
      artifactUri: `${exp.artifactLocation.replace(/\/+$/, '')}/${runId}/artifacts`,
      lifecycleStage: 'active',
    };
    await mkdir(runDir);
    this.runDirs.set(runId, runDir);
    await replaceFile(join(runDir, META), runMetaYaml(info, { withDeletedTime: true }), runDir);
    await Promise.all(
      ['metrics', 'params', 'artifacts'].map((d) => mkdir(join(runDir, d), { recursive: true })),
    );
    await this.logBatch(runId, { tags: input.tags }, runDir);
    return info;
  }

  async logBatch(runId: string, batch: RunBatch, knownDir?: string): Promise<void> {
    const runDir = knownDir ?? (await this.requireRunDir(runId));
    for (const p of batch.params ?? []) {
      const path = join(runDir, 'params', ...p.key.split('/'));
      if (!(await createFileExclusive(path, p.value, runDir))) {
        const current = await readFile(path, 'utf8');
        if (current !== p.value)
          throw new InputError(
            `changing param values is not allowed: param '${p.key}' of run ${runId} was already logged with value '${current}', new value '${p.value}'`,
          );
      }
    }
    const byKey = new Map<string, string>();
    for (const m of batch.metrics ?? []) byKey.set(m.key, (byKey.get(m.key) ?? '') + formatMetricLine(m));
    await Promise.all(
      [...byKey].map(async ([key, lines]) => {
        const path = join(runDir, 'metrics', ...key.split('/'));
        await mkdir(dirname(path), { recursive: true });
        const handle = await open(
          path,
          fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_APPEND,
          0o666,
        );
        try {
          await handle.write(lines);
        } finally {
          await handle.close();
        }
      }),
    );
    for (const t of batch.tags ?? []) {
      await replaceFile(join(runDir, 'tags', ...t.key.split('/')), t.value, runDir);
      if (t.key === 'mlflow.runName')
        await this.rewriteRunMeta(runDir, (info) => ({ ...info, runName: t.value }));
    }
  }

  private async rewriteRunMeta(runDir: string, change: (info: RunInfo) => RunInfo): Promise<void> {
    const text = await readText(join(runDir, META));
    if (text === undefined) throw new FailureError(`run meta.yaml missing in ${runDir}`);
    const info = change(parseRunMeta(text));
    await replaceFile(join(runDir, META), runMetaYaml(info), runDir);
  }

  async updateRun(runId: string, status: RunStatus, endTime: number): Promise<void> {
    const runDir = await this.requireRunDir(runId);
    await this.rewriteRunMeta(runDir, (info) => ({ ...info, status, endTime }));
  }

  /** Local path of a run's artifact folder, from its artifact_uri (file: URIs only). */
  artifactDirOf(run: RunInfo): string {
    if (!run.artifactUri.startsWith('file:'))
      throw new FailureError(
        `run ${run.runId} stores artifacts at ${run.artifactUri}, which is not a local folder`,
      );
    return fileUriToPath(run.artifactUri);
  }

  async logArtifactFile(run: RunInfo, localFile: string, artifactPath: string): Promise<void> {
    await copyArtifactInto(this.artifactDirOf(run), localFile, artifactPath);
  }

  /**
   * A run folder read back. An unreadable meta.yaml is reported and skipped in a listing; with `strict` (one run
   * asked for by id) it is a failure naming the file, as MLflow's get_run raises.
   */
  private async readRun(runDir: string, strict = false): Promise<RunRecord | undefined> {
    const path = join(runDir, META);
    const text = await readText(path);
    if (text === undefined) return undefined;
    let info: RunInfo;
    try {
      info = parseRunMeta(text);
    } catch (error) {
      if (strict)
        throw new FailureError(`${path}: unreadable run meta.yaml: ${reasonOf(error)}`, { cause: error });
      this.onWarning(`${path}: unreadable run meta.yaml (${reasonOf(error)}); run skipped`);
      return undefined;
    }
    const params: Record<string, string> = {};
    for (const key of await listFilesRecursive(join(runDir, 'params')))
      params[key] = (await readText(join(runDir, 'params', key))) ?? '';
    const tags: Record<string, string> = {};
    for (const key of await listFilesRecursive(join(runDir, 'tags')))
      tags[key] = (await readText(join(runDir, 'tags', key))) ?? '';
    const metrics: Record<string, number> = {};
    for (const key of await listFilesRecursive(join(runDir, 'metrics'))) {
      const file = join(runDir, 'metrics', key);
      let points;
      try {
        points = parseMetricFile(key, (await readText(file)) ?? '');
      } catch (error) {
        // A corrupt metric file makes the run unreadable, as in MLflow: reported, never a half-read run.
        if (strict)
          throw new FailureError(`${file}: unreadable metric file: ${reasonOf(error)}`, { cause: error });
        this.onWarning(`${file}: unreadable metric file (${reasonOf(error)}); run skipped`);
        return undefined;
      }
      const latest = latestMetric(points);
      if (latest) metrics[key] = latest.value;
    }
    if (!info.runName && tags['mlflow.runName']) info.runName = tags['mlflow.runName'];
    return { info, params, metrics, tags };
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const found = await this.findRunDir(runId);
    return found ? this.readRun(found.dir, true) : undefined;
  }

  async searchRuns(experimentId: string): Promise<RunRecord[]> {
    const expDir = join(this.root, experimentId);
    const runs: RunRecord[] = [];
    for (const d of await listDirs(expDir)) {
      if (RESERVED_EXPERIMENT_FOLDERS.has(d)) continue;
      const rec = await this.readRun(join(expDir, d));
      if (rec && rec.info.experimentId === experimentId && rec.info.lifecycleStage === 'active')
        runs.push(rec);
    }
    // MLflow's default order: start_time DESC, then run_id.
    return runs.sort(
      (a, b) => b.info.startTime - a.info.startTime || a.info.runId.localeCompare(b.info.runId),
    );
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const runDir = await this.requireRunDir(runId);
    return parseMetricFile(key, (await readText(join(runDir, 'metrics', ...key.split('/')))) ?? '');
  }
}

/** Copy one file into `artifactsDir/artifactPath` atomically (temp in artifactsDir's parent, then rename). */
export async function copyArtifactInto(
  artifactsDir: string,
  localFile: string,
  artifactPath: string,
): Promise<void> {
  const target = join(artifactsDir, ...artifactPath.split('/'));
  await mkdir(dirname(target), { recursive: true });
  const temp = join(dirname(artifactsDir), tempName('a'));
  const release = trackTempFile(temp);
  try {
    await copyFile(localFile, temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    release();
  }
}

/** Copy every file under `src` into `destDir` (same relative layout). Returns the relative paths copied. */
export async function copyTree(src: string, destDir: string): Promise<string[]> {
  const files = await listFilesRecursive(src);
  if (files.length === 0 && !(await exists(src)))
    throw new FailureError(`artifact folder ${src} does not exist`);
  for (const rel of files) {
    const target = join(destDir, ...rel.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(src, ...rel.split('/')), target);
  }
  return files;
}
