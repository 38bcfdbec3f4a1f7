/**
 * The tracking API the stages use: `createTracker` picks the backend from the tracking URI (http(s) → MLflow
 * REST, anything else → MLflow's file store), resolves the experiment, and opens runs that carry MLflow's
 * standard tags plus the caller's base tags.
 */
import { readdir, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { ExitCode, FailureError, InputError, exitCodeOf, redactUrl, type Logger } from '@mlops/core';
import { registryOf, type ModelRegistry } from './registry.js';
import { FileStore, checkFileStoreRoot, fileUriToPath } from './file-store.js';
import { gitHeadCommit } from './git.js';
import { RestStore } from './rest-store.js';
import type { EndStatus, Experiment, Metric, RunInfo, RunRecord, TrackingStore } from './types.js';
import {
  flattenObject,
  toMetricValue,
  toParamList,
  toTagList,
  validateArtifactPath,
  validateKey,
  validateStep,
  validateTimestamp,
} from './values.js';

export const DEFAULT_TRACKING_URI = 'file:./mlruns';
/** The tag a caller should put the params hash under (see paramsHash). */
export const PARAMS_HASH_TAG = 'mlops.params_hash';

export interface CreateTrackerOptions {
  /** Default: env MLFLOW_TRACKING_URI, else 'file:./mlruns'. When MLFLOW_TRACKING_URI is set it wins (see README). */
  trackingUri?: string;
  /** env MLFLOW_EXPERIMENT_NAME overrides it. */
  experimentName: string;
  logger?: Logger;
  /** Tags added to every run (e.g. the params hash). */
  baseTags?: Record<string, string>;
  /** false → a tracker that writes nothing (for --no-mlflow). */
  enabled?: boolean;
  /** Environment to read MLFLOW_* from (default process.env). */
  env?: Record<string, string | undefined>;
  /** REST tuning (retries, backoff, timeout). */
  rest?: { maxRetries?: number; backoffMs?: number; maxBackoffMs?: number; timeoutMs?: number };
  /** Injected clock (ms since epoch), for tests. */
  now?: () => number;
}

export interface StartRunOptions {
  runName: string;
  tags?: Record<string, string>;
  /** Makes this a nested run (tag mlflow.parentRunId), as MLflow's UI groups them. */
  parentRunId?: string;
}

export interface MetricOptions {
  step?: number;
  timestamp?: number;
}

export interface MetricPoint {
  key: string;
  value: number;
  step?: number;
  timestamp?: number;
}

export interface Run {
  readonly runId: string;
  readonly experimentId: string;
  readonly runName: string;
  /** Where the run's artifacts live (file:… or mlflow-artifacts:…); '' for a disabled tracker. */
  readonly artifactUri: string;
  /** Nested objects are flattened to dotted keys; values are stringified as MLflow's Python client does. */
  logParams(params: Record<string, unknown>): Promise<void>;
  /** Nested objects are flattened too; one step/timestamp for all of them. */
  logMetrics(metrics: Record<string, unknown>, options?: MetricOptions): Promise<void>;
  /** Many points at once (per-step curves, CV folds): one batch per MLflow limits. */
  logMetricPoints(points: MetricPoint[]): Promise<void>;
  setTags(tags: Record<string, string>): Promise<void>;
  /** A file goes to `<artifactDir>/<file name>`; a folder's contents go under `<artifactDir>/` (MLflow's log_artifacts). */
  logArtifact(localPath: string, artifactDir?: string): Promise<void>;
  /** Ends the run (default FINISHED). A second call does nothing. */
  end(status?: EndStatus): Promise<void>;
}

export interface Tracker {
  readonly enabled: boolean;
  readonly trackingUri: string;
  readonly experimentName: string;
  readonly backend: 'file' | 'rest' | 'disabled';
  /** The experiment runs go to (resolved or created on first use); undefined when disabled. */
  experiment(): Promise<Experiment | undefined>;
  startRun(options: StartRunOptions): Promise<Run>;
  /** Run `fn` inside a run: FINISHED when it resolves, FAILED (then rethrown) when it throws. */
  withRun<T>(options: StartRunOptions, fn: (run: Run) => Promise<T>): Promise<T>;
  listExperiments(): Promise<Experiment[]>;
  /** Runs of an experiment (default: this tracker's), newest first, with params, latest metrics and tags. */
  searchRuns(experimentName?: string): Promise<RunRecord[]>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  getMetricHistory(runId: string, key: string): Promise<Metric[]>;
  /** The model registry of the same backend (a file store's `models/` folder, or the server's registry). */
  registry(): ModelRegistry;
}

/**
 * MLflow's own client settings for the REST store, when set: MLFLOW_HTTP_REQUEST_TIMEOUT (seconds per request) and
 * MLFLOW_HTTP_REQUEST_MAX_RETRIES. A value that is not a number is bad input naming the variable.
 */
function restFromEnv(env: Record<string, string | undefined>): { timeoutMs?: number; maxRetries?: number } {
  const out: { timeoutMs?: number; maxRetries?: number } = {};
  const read = (name: string, min: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new InputError(`${name}: "${raw}" is not a number ≥ ${min}`);
    return n;
  };
  const timeout = read('MLFLOW_HTTP_REQUEST_TIMEOUT', 1);
  if (timeout !== undefined) out.timeoutMs = timeout * 1000;
  const retries = read('MLFLOW_HTTP_REQUEST_MAX_RETRIES', 0);
  if (retries !== undefined) out.maxRetries = Math.floor(retries);
  return out;
}

/** The store a tracking URI designates. */
export function storeFor(
  trackingUri: string,
  env: Record<string, string | undefined> = process.env,
  rest: CreateTrackerOptions['rest'] = {},
  logger?: Logger,
): TrackingStore {
  if (/^https?:\/\//i.test(trackingUri)) {
    return new RestStore(trackingUri, {
      ...restFromEnv(env),
      ...rest,
      auth: {
        token: env['MLFLOW_TRACKING_TOKEN'] || undefined,
        username: env['MLFLOW_TRACKING_USERNAME'],
        password: env['MLFLOW_TRACKING_PASSWORD'],
      },
      onRetry: ({ endpoint, attempt, status, waitMs, cause }) =>
        logger?.warn(
          `MLflow ${endpoint} ${status !== undefined ? `answered ${status}` : `failed: ${cause ?? 'no answer'}`}; retry ${attempt} in ${waitMs} ms`,
        ),
    });
  }
  if (
    /^[a-z][a-z0-9+.-]*:/i.test(trackingUri) &&
    !trackingUri.startsWith('file:') &&
    !/^[a-z]:[\\/]/i.test(trackingUri)
  )
    throw new InputError(
      `unsupported MLflow tracking URI '${redactUrl(trackingUri)}': use file:<folder> (MLflow's file store) or http(s)://<mlflow server>`,
    );
  return new FileStore(fileUriToPath(trackingUri), {
    onWarning: (message) => logger?.warn(message),
  });
}

/** The tracking URI in effect: MLFLOW_TRACKING_URI, else the caller's (params.yaml), else file:./mlruns. */
export function resolveTrackingUri(
  trackingUri: string | undefined,
  env: Record<string, string | undefined>,
): string {
  return env['MLFLOW_TRACKING_URI'] || trackingUri || DEFAULT_TRACKING_URI;
}

function osUser(env: Record<string, string | undefined>): string {
  try {
    return userInfo().username;
  } catch {
    return env['USER'] || env['USERNAME'] || 'unknown';
  }
}

function entryScript(): string {
  const script = process.argv[1];
  if (!script) return basename(process.argv0);
  const rel = relative(process.cwd(), script);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : script;
}

/** Tags MLflow's Python client sets on every run (mlflow/tracking/context/default_context.py and git_context.py). */
export function defaultRunTags(
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const tags: Record<string, string> = {
    'mlflow.user': osUser(env),
    'mlflow.source.name': entryScript(),
    'mlflow.source.type': 'LOCAL',
  };
  const script = process.argv[1];
  const commit = gitHeadCommit(script ? dirname(script) : process.cwd()) ?? gitHeadCommit(process.cwd());
  if (commit) tags['mlflow.source.git.commit'] = commit;
  return tags;
}

async function filesUnder(dir: string, prefix = ''): Promise<Array<{ abs: string; rel: string }>> {
  const out: Array<{ abs: string; rel: string }> = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const abs = join(dir, e.name);
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(abs, rel)));
    else if (e.isFile()) out.push({ abs, rel });
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

class StoreRun implements Run {
  private ended = false;
  constructor(
    private readonly store: TrackingStore,
    private readonly info: RunInfo,
    private readonly now: () => number,
    private readonly logger?: Logger,
  ) {}
  get runId() {
    return this.info.runId;
  }
  get experimentId() {
    return this.info.experimentId;
  }
  get runName() {
    return this.info.runName;
  }
  get artifactUri() {
    return this.info.artifactUri;
  }

  async logParams(params: Record<string, unknown>): Promise<void> {
    const list = toParamList(params);
    if (list.length) await this.store.logBatch(this.runId, { params: list });
  }

  async logMetrics(metrics: Record<string, unknown>, options: MetricOptions = {}): Promise<void> {
    const step = validateStep(options.step);
    const timestamp = validateTimestamp(options.timestamp ?? this.now());
    const points = flattenObject(metrics).map(([key, raw]) => {
      validateKey('metric', key);
      return { key, value: toMetricValue(key, raw), step, timestamp };
    });
    if (points.length) await this.store.logBatch(this.runId, { metrics: points });
  }

  async logMetricPoints(points: MetricPoint[]): Promise<void> {
    const now = this.now();
    const metrics = points.map((p) => {
      validateKey('metric', p.key);
      return {
        key: p.key,
        value: toMetricValue(p.key, p.value),
        step: validateStep(p.step),
        timestamp: validateTimestamp(p.timestamp ?? now),
      };
    });
    if (metrics.length) await this.store.logBatch(this.runId, { metrics });
  }

  async setTags(tags: Record<string, string>): Promise<void> {
    const list = toTagList(tags);
    if (list.length) await this.store.logBatch(this.runId, { tags: list });
  }

  async logArtifact(localPath: string, artifactDir = ''): Promise<void> {
    const dir = validateArtifactPath(artifactDir);
    let st;
    try {
      st = await stat(localPath);
    } catch {
      throw new InputError(`artifact '${localPath}' does not exist`);
    }
    const join2 = (a: string, b: string) => (a ? `${a}/${b}` : b);
    if (st.isDirectory()) {
      for (const f of await filesUnder(localPath))
        await this.store.logArtifactFile(this.info, f.abs, join2(dir, f.rel));
    } else {
      await this.store.logArtifactFile(this.info, localPath, join2(dir, basename(localPath)));
    }
    this.logger?.debug(`logged artifact ${localPath}`, { run: this.runId, path: dir || '.' });
  }

  async end(status: EndStatus = 'FINISHED'): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.store.updateRun(this.runId, status, this.now());
    this.logger?.info(`MLflow run ${this.info.runName} ${status.toLowerCase()}`, {
      run_id: this.runId,
      experiment_id: this.experimentId,
      store: this.store.location,
    });
  }
}

/** The run of a disabled tracker: writes nothing, but still rejects what MLflow would reject, so --no-mlflow
 * cannot hide a bug that would fail with tracking on. */
class NoopRun implements Run {
  readonly runId = '';
  readonly experimentId = '';
  readonly artifactUri = '';
  constructor(readonly runName: string) {}
  async logParams(params: Record<string, unknown>): Promise<void> {
    toParamList(params);
  }
  async logMetrics(metrics: Record<string, unknown>, options: MetricOptions = {}): Promise<void> {
    validateStep(options.step);
    if (options.timestamp !== undefined) validateTimestamp(options.timestamp);
    for (const [key, raw] of flattenObject(metrics)) {
      validateKey('metric', key);
      toMetricValue(key, raw);
    }
  }
  async logMetricPoints(points: MetricPoint[]): Promise<void> {
    for (const p of points)
      await this.logMetrics({ [p.key]: p.value }, { step: p.step, timestamp: p.timestamp });
  }
  async setTags(tags: Record<string, string>): Promise<void> {
    toTagList(tags);
  }
  async logArtifact(_localPath: string, artifactDir = ''): Promise<void> {
    validateArtifactPath(artifactDir);
  }
  end(): Promise<void> {
    return Promise.resolve();
  }
}

class StoreTracker implements Tracker {
  readonly enabled = true;
  readonly backend: 'file' | 'rest';
  private experimentPromise?: Promise<Experiment>;
  private defaultTagsCache?: Record<string, string>;
  constructor(
    readonly store: TrackingStore,
    readonly trackingUri: string,
    readonly experimentName: string,
    private readonly baseTags: Record<string, string>,
    private readonly env: Record<string, string | undefined>,
    private readonly now: () => number,
    private readonly logger?: Logger,
  ) {
    this.backend = store.kind;
  }

  experiment(): Promise<Experiment> {
    this.experimentPromise ??= this.store.getOrCreateExperiment(this.experimentName);
    // A failed lookup must not poison later calls.
    this.experimentPromise.catch(() => (this.experimentPromise = undefined));
    return this.experimentPromise;
  }

  async startRun(options: StartRunOptions): Promise<Run> {
    if (!options || typeof options.runName !== 'string' || options.runName.trim() === '')
      throw new InputError('startRun needs a runName');
    const exp = await this.experiment();
    this.defaultTagsCache ??= defaultRunTags(this.env);
    const tags = toTagList({
      ...this.defaultTagsCache,
      ...this.baseTags,
      ...(options.tags ?? {}),
      ...(options.parentRunId ? { 'mlflow.parentRunId': options.parentRunId } : {}),
      'mlflow.runName': options.runName,
    });
    const info = await this.store.createRun({
      experimentId: exp.experimentId,
      runName: options.runName,
      userId: this.defaultTagsCache['mlflow.user'] ?? 'unknown',
      startTime: this.now(),
      tags,
    });
    this.logger?.debug(`MLflow run ${options.runName} started`, {
      run_id: info.runId,
      store: this.store.location,
    });
    return new StoreRun(this.store, info, this.now, this.logger);
  }

  async withRun<T>(options: StartRunOptions, fn: (run: Run) => Promise<T>): Promise<T> {
    const run = await this.startRun(options);
    let result: T;
    try {
      result = await fn(run);
    } catch (error) {
      try {
        await run.end('FAILED');
      } catch (endError) {
        this.logger?.warn(`could not mark run ${run.runId} FAILED: ${String(endError)}`);
      }
      throw error;
    }
    await run.end('FINISHED');
    return result;
  }

  listExperiments() {
    return this.store.listExperiments();
  }

  async searchRuns(experimentName = this.experimentName): Promise<RunRecord[]> {
    const exp = await this.store.getExperimentByName(experimentName);
    return exp ? this.store.searchRuns(exp.experimentId) : [];
  }

  getRun(runId: string) {
    return this.store.getRun(runId);
  }

  getMetricHistory(runId: string, key: string) {
    return this.store.getMetricHistory(runId, key);
  }

  registry(): ModelRegistry {
    return registryOf(this.store);
  }
}

class NoopTracker implements Tracker {
  readonly enabled = false;
  readonly backend = 'disabled' as const;
  constructor(
    readonly trackingUri: string,
    readonly experimentName: string,
  ) {}
  async experiment() {
    return undefined;
  }
  async startRun(options: StartRunOptions) {
    return new NoopRun(options.runName);
  }
  async withRun<T>(options: StartRunOptions, fn: (run: Run) => Promise<T>) {
    return fn(new NoopRun(options.runName));
  }
  async listExperiments() {
    return [];
  }
  async searchRuns() {
    return [];
  }
  async getRun() {
    return undefined;
  }
  async getMetricHistory() {
    return [];
  }
  registry(): ModelRegistry {
    throw new InputError('tracking is disabled: no model registry');
  }
}

export async function createTracker(options: CreateTrackerOptions): Promise<Tracker> {
  const env = options.env ?? process.env;
  const trackingUri = resolveTrackingUri(options.trackingUri, env);
  const experimentName = env['MLFLOW_EXPERIMENT_NAME'] || options.experimentName;
  if (typeof experimentName !== 'string' || experimentName.trim() === '')
    throw new InputError(
      'an MLflow experiment name is required (params mlflow.experiment_name or MLFLOW_EXPERIMENT_NAME)',
    );
  if (options.enabled === false) return new NoopTracker(trackingUri, experimentName);
  const baseTags = Object.fromEntries(toTagList(options.baseTags ?? {}).map((t) => [t.key, t.value]));
  const store = storeFor(trackingUri, env, options.rest, options.logger);
  // A file in place of the file store is bad input now, before the stage's work, not after it.
  if (store instanceof FileStore) checkFileStoreRoot(store.root);
  return new StoreTracker(
    store,
    trackingUri,
    experimentName,
    baseTags,
    env,
    options.now ?? Date.now,
    options.logger,
  );
}

export interface StageTrackingOptions extends CreateTrackerOptions {
  logger: Logger;
  /**
   * true: a tracking failure fails the stage (exit 1). false (default): the stage's data work does not depend on a
   * dashboard; a tracking failure is a warning and the stage succeeds without its run logged.
   */
  required?: boolean;
}

export interface LoggedRun {
  runId: string;
  experimentId: string;
  /** The experiment the run went to (MLFLOW_EXPERIMENT_NAME wins over the stage's default). */
  experimentName: string;
  trackingUri: string;
}

/** A stage's tracking, with the failure policy applied (see openStageTracking). */
export interface StageTracking {
  readonly tracker: Tracker;
  /**
   * Resolve the experiment (created if new; on a server, the first request): call it after the stage's checks and
   * before it writes its outputs, so a deleted experiment or a required server that is down stops the stage with
   * nothing written. Idempotent; logRun calls it when it was not called.
   */
  prepare(): Promise<void>;
  /** Log one run; undefined when tracking is off, or failed and is not required. */
  logRun(options: StartRunOptions, fn: (run: Run) => Promise<void>): Promise<LoggedRun | undefined>;
}

/**
 * Open a stage's tracking before its work, without side effects: an unsupported URI, a file store path that is a
 * file or cannot be created or written is bad input now (exit 2). `prepare()` then resolves the experiment: an
 * experiment deleted in MLflow is bad input (exit 2) whatever `required` says; a server that cannot be reached
 * (refused, unknown host, 5xx after retries) fails the stage only when `required`, otherwise one warning names the
 * server and the cause and the stage runs without logging.
 */
export async function openStageTracking(options: StageTrackingOptions): Promise<StageTracking> {
  const { logger, required = false } = options;
  const tracker = await createTracker(options);
  // A stage writes: its file store must be creatable and writable, checked now, before the stage's work.
  if (tracker.enabled && tracker.backend === 'file')
    checkFileStoreRoot(fileUriToPath(tracker.trackingUri), { writable: true });
  let usable = tracker.enabled;
  let prepared: Promise<void> | undefined;
  const handle = (error: unknown, what: string): undefined => {
    if (exitCodeOf(error) === ExitCode.badInput) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (required)
      throw new FailureError(`${what}: ${message} (tracking is required: --require-tracking)`, {
        cause: error,
      });
    logger.warn(`${what}: ${message}; the stage goes on without it (--require-tracking makes this an error)`);
    usable = false;
    return undefined;
  };
  const prepare = (): Promise<void> =>
    (prepared ??= (async () => {
      if (!usable) return;
      try {
        await tracker.experiment();
      } catch (error) {
        handle(error, `MLflow tracking at ${redactUrl(tracker.trackingUri)} is unavailable`);
      }
    })());
  return {
    tracker,
    prepare,
    async logRun(runOptions, fn) {
      await prepare();
      if (!usable) return undefined;
      try {
        let ids: { runId: string; experimentId: string } | undefined;
        await tracker.withRun(runOptions, async (run) => {
          ids = { runId: run.runId, experimentId: run.experimentId };
          await fn(run);
        });
        return {
          ...ids!,
          experimentName: tracker.experimentName,
          trackingUri: redactUrl(tracker.trackingUri),
        };
      } catch (error) {
        return handle(
          error,
          `the MLflow run '${runOptions.runName}' was not logged to ${redactUrl(tracker.trackingUri)}`,
        );
      }
    },
  };
}
