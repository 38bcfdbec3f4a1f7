/**
 * A client of MLflow's REST API 2.0 (`/api/2.0/mlflow/…`, mlflow/protos/service.proto) and of the proxied
 * artifact service (`/api/2.0/mlflow-artifacts/artifacts/…`, used when the server runs with --serve-artifacts,
 * the default since MLflow 2.0). Batches respect log-batch's limits; requests are retried by core's policy (5xx,
 * 429, resets and timeouts with backoff; a refused connection or an unknown host once, quickly); errors name the
 * server (without credentials), the endpoint, and MLflow's error_code or the network cause.
 */
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import {
  ExitCode,
  MlopsError,
  classifyError,
  describeNetworkError,
  redactUrl,
  withRetry,
  type ErrorClass,
} from '@mlops/core';
import { copyArtifactInto, copyTree, fileUriToPath } from './file-store.js';
import { LIMITS } from './values.js';
import type { Experiment, Metric, RunBatch, RunInfo, RunRecord, RunStatus, TrackingStore } from './types.js';

/** An MLflow server answered with an error (or never answered). Names the endpoint and MLflow's error code. */
export class TrackingError extends MlopsError {
  constructor(
    readonly endpoint: string,
    readonly status: number | undefined,
    readonly errorCode: string | undefined,
    detail: string,
    options?: { cause?: unknown; server?: string },
  ) {
    super(
      status === undefined
        ? `MLflow server ${options?.server ?? '(unknown)'} unreachable (${endpoint}): ${detail}`
        : `MLflow ${endpoint} failed: ${status}${errorCode ? ` ${errorCode}` : ''}: ${detail}${options?.server ? ` (server ${options.server})` : ''}`,
      // A rejected request (bad param, unknown run, a deleted experiment) is bad input; an unreachable or failing
      // server is a failure.
      status === 400 || status === 404 || errorCode === 'INVALID_PARAMETER_VALUE'
        ? ExitCode.badInput
        : ExitCode.failure,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
  }
}

/** An answer to retry (429/5xx): carries the status and the Retry-After the server asked for. */
class RetryableAnswer extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}`);
  }
}

export interface RestAuth {
  token?: string;
  username?: string;
  password?: string;
}

export interface RestStoreOptions {
  auth?: RestAuth;
  /** Attempts for a request that got 429/5xx or a network error (default 5 retries after the first try). */
  maxRetries?: number;
  /** First backoff in ms; doubles each retry (default 500; MLflow's client uses a backoff factor of 2). */
  backoffMs?: number;
  /** Upper bound of one backoff wait, Retry-After included (default 30 s). */
  maxBackoffMs?: number;
  /** Per-request timeout (default 120 s, as MLFLOW_HTTP_REQUEST_TIMEOUT). */
  timeoutMs?: number;
  /** Notified before each retry (for logs). */
  onRetry?: (info: {
    endpoint: string;
    attempt: number;
    status?: number;
    waitMs: number;
    cause?: string;
  }) => void;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);

/** fetch's errors by core's classes; a per-request timeout (AbortSignal.timeout) is transient. */
function classifyFetchError(error: unknown): ErrorClass {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'transient';
  return classifyError(error);
}

interface RestRunInfo {
  run_id?: string;
  run_uuid?: string;
  run_name?: string;
  experiment_id?: string;
  user_id?: string;
  status?: RunStatus;
  start_time?: number | string;
  end_time?: number | string | null;
  artifact_uri?: string;
  lifecycle_stage?: string;
}
interface RestRun {
  info: RestRunInfo;
  data?: {
    metrics?: Array<{
      key: string;
      value: number | string;
      timestamp?: number | string;
      step?: number | string;
    }>;
    params?: Array<{ key: string; value: string }>;
    tags?: Array<{ key: string; value: string }>;
  };
}
interface RestExperiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  creation_time?: number | string;
  last_update_time?: number | string;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    return Number(v);
  }
  return undefined;
}

/** Proto3 JSON writes non-finite doubles as strings; MLflow's server parses them back. */
function jsonDouble(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

function toExperiment(e: RestExperiment): Experiment {
  return {
    experimentId: String(e.experiment_id),
    name: e.name,
    artifactLocation: e.artifact_location ?? '',
    lifecycleStage: e.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    creationTime: num(e.creation_time),
    lastUpdateTime: num(e.last_update_time),
  };
}

function toRunInfo(i: RestRunInfo): RunInfo {
  return {
    runId: i.run_id ?? i.run_uuid ?? '',
    runName: i.run_name ?? '',
    experimentId: String(i.experiment_id ?? ''),
    userId: i.user_id ?? '',
    status: i.status ?? 'RUNNING',
    startTime: num(i.start_time) ?? 0,
    endTime: num(i.end_time) ?? null,
    artifactUri: i.artifact_uri ?? '',
    lifecycleStage: i.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
  };
}

function toRunRecord(r: RestRun): RunRecord {
  const params: Record<string, string> = {};
  for (const p of r.data?.params ?? []) params[p.key] = p.value;
  const tags: Record<string, string> = {};
  for (const t of r.data?.tags ?? []) tags[t.key] = t.value;
  const metrics: Record<string, number> = {};
  for (const m of r.data?.metrics ?? []) metrics[m.key] = num(m.value) ?? NaN;
  const info = toRunInfo(r.info);
  if (!info.runName && tags['mlflow.runName']) info.runName = tags['mlflow.runName'];
  return { info, params, metrics, tags };
}

type Item =
  | { kind: 'metric'; body: Record<string, unknown> }
  | { kind: 'param' | 'tag'; body: Record<string, unknown> };

/**
 * Split a batch into log-batch requests within MLflow's limits: ≤1000 metrics, ≤100 params, ≤100 tags,
 * ≤1000 entities in all, and a JSON body under 1 MB. Order within each kind is kept.
 */
export function chunkBatch(batch: RunBatch): Array<Required<Pick<RunBatch, 'metrics' | 'params' | 'tags'>>> {
  const items: Item[] = [
    ...(batch.params ?? []).map((p) => ({ kind: 'param' as const, body: { key: p.key, value: p.value } })),
    ...(batch.tags ?? []).map((t) => ({ kind: 'tag' as const, body: { key: t.key, value: t.value } })),
    ...(batch.metrics ?? []).map((m) => ({
      kind: 'metric' as const,
      body: { key: m.key, value: jsonDouble(m.value), timestamp: m.timestamp, step: m.step },
    })),
  ];
  const chunks: Array<Required<Pick<RunBatch, 'metrics' | 'params' | 'tags'>>> = [];
  // Greedy fill; params and tags come first so a model's params land in the first request.
  const byteBudget = LIMITS.maxBatchRequestBytes - 10_000; // leave room for run_id and the envelope
  let cur = {
    metrics: [] as Metric[],
    params: [] as Array<{ key: string; value: string }>,
    tags: [] as Array<{ key: string; value: string }>,
  };
  let bytes = 0;
  const flush = () => {
    if (cur.metrics.length + cur.params.length + cur.tags.length > 0) chunks.push(cur);
    cur = { metrics: [], params: [], tags: [] };
    bytes = 0;
  };
  for (const item of items) {
    const size = JSON.stringify(item.body).length + 1;
    const full =
      cur.metrics.length + cur.params.length + cur.tags.length >= LIMITS.maxEntitiesPerBatch ||
      (item.kind === 'metric' && cur.metrics.length >= LIMITS.maxMetricsPerBatch) ||
      (item.kind === 'param' && cur.params.length >= LIMITS.maxParamsPerBatch) ||
      (item.kind === 'tag' && cur.tags.length >= LIMITS.maxTagsPerBatch) ||
      bytes + size > byteBudget;
    if (full) flush();
    bytes += size;
    if (item.kind === 'metric') cur.metrics.push(item.body as unknown as Metric);
    else if (item.kind === 'param') cur.params.push(item.body as { key: string; value: string });
    else cur.tags.push(item.body as { key: string; value: string });
  }
  flush();
  return chunks;
}

/**
 * Resolve an `mlflow-artifacts:` URI to the HTTP URL of the artifact proxy, as MlflowArtifactsRepository.resolve_uri
 * does: host and port from the URI when it has them, else from the tracking URI; the path goes under
 * `<tracking path>/api/2.0/mlflow-artifacts/artifacts`.
 */
export function resolveMlflowArtifactsUri(artifactUri: string, trackingUri: string): string {
  const base = '/api/2.0/mlflow-artifacts/artifacts';
  const tracking = new URL(trackingUri);
  const m = /^mlflow-artifacts:(?:\/\/([^/]*))?(\/.*)?$/.exec(artifactUri);
  if (!m) throw new Error(`not an mlflow-artifacts URI: ${artifactUri}`);
  const netloc = m[1] ?? '';
  const path = m[2] ?? '/';
  const joined = path === '/' ? base : `${tracking.pathname}/${base}/${path}`;
  const resolved = joined.replace(/\/\/+/g, '/').replace(/\/$/, '');
  return `${tracking.protocol}//${netloc || tracking.host}${resolved}`;
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

/**
 * What MLflow's set_experiment raises for a name held by a deleted experiment (it is not re-created: the deleted one
 * would come back as a second active experiment of the same name when restored).
 */
export function deletedExperimentError(name: string, location: string): MlopsError {
  return new MlopsError(
    `Cannot set a deleted experiment '${name}' as the active experiment. You can restore the experiment, or ` +
      `permanently delete the experiment to create a new one. (tracking store: ${location})`,
    ExitCode.badInput,
  );
}

export class RestStore implements TrackingStore {
  readonly kind = 'rest' as const;
  readonly location: string;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly maxRetries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly timeoutMs: number;
  private readonly onRetry?: RestStoreOptions['onRetry'];

  constructor(
    readonly trackingUri: string,
    options: RestStoreOptions = {},
  ) {
    // User info in the URI (http://user:password@host) is sent as basic auth, as MLflow's client (requests) does;
    // fetch refuses a URL with credentials, and they must never appear in a message.
    let url: URL;
    try {
      url = new URL(trackingUri);
    } catch {
      throw new MlopsError(`invalid MLflow tracking URI '${redactUrl(trackingUri)}'`, ExitCode.badInput);
    }
    const userInfo = url.username
      ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
      : undefined;
    url.username = '';
    url.password = '';
    this.base = url.toString().replace(/\/+$/, '');
    this.location = redactUrl(this.base);
    this.maxRetries = options.maxRetries ?? 5;
    this.backoffMs = options.backoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.onRetry = options.onRetry;
    this.headers = {};
    const auth: RestAuth = { ...options.auth };
    if (!auth.token && auth.username === undefined && userInfo) Object.assign(auth, userInfo);
    if (auth.token) this.headers['Authorization'] = `Bearer ${auth.token}`;
    else if (auth.username !== undefined && auth.password !== undefined)
      this.headers['Authorization'] =
        `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  }

  /** One HTTP exchange with retries. `body` is made afresh for each attempt (streams cannot be replayed). */
  private async send(
    method: string,
    url: string,
    endpoint: string,
    makeBody?: () => { body: string | Readable; headers: Record<string, string> },
  ): Promise<{ status: number; text: string; bytes: Buffer }> {
    const exchange = async (): Promise<{ status: number; text: string; bytes: Buffer }> => {
      const made = makeBody?.();
      const init: RequestInit & { duplex?: 'half' } = {
        method,
        headers: { ...this.headers, ...(made?.headers ?? {}) },
        signal: AbortSignal.timeout(this.timeoutMs),
      };
      if (made) {
        init.body = made.body instanceof Readable ? (Readable.toWeb(made.body) as ReadableStream) : made.body;
        if (made.body instanceof Readable) init.duplex = 'half';
      }
      const res = await fetch(url, init);
      const bytes = Buffer.from(await res.arrayBuffer());
      const text = bytes.toString('utf8');
      if (RETRY_STATUS.has(res.status)) {
        const ra = res.headers.get('retry-after');
        throw new RetryableAnswer(
          res.status,
          text,
          ra && /^\d+(\.\d+)?$/.test(ra) ? Number(ra) * 1000 : undefined,
        );
      }
      return { status: res.status, text, bytes };
    };
    try {
      return await withRetry(exchange, {
        attempts: this.maxRetries + 1,
        baseDelayMs: this.backoffMs,
        maxDelayMs: this.maxBackoffMs,
        classify: (error): ErrorClass =>
          error instanceof RetryableAnswer ? 'transient' : classifyFetchError(error),
        retryAfterMs: (error) => (error instanceof RetryableAnswer ? error.retryAfterMs : undefined),
        onRetry: (error, attempt, waitMs) =>
          this.onRetry?.({
            endpoint,
            attempt,
            status: error instanceof RetryableAnswer ? error.status : undefined,
            waitMs,
            cause: error instanceof RetryableAnswer ? undefined : describeNetworkError(error),
          }),
      });
    } catch (error) {
      // Retries exhausted on a 429/5xx: the answer is reported as any other error answer.
      if (error instanceof RetryableAnswer)
        return { status: error.status, text: error.text, bytes: Buffer.from(error.text) };
      throw new TrackingError(endpoint, undefined, undefined, describeNetworkError(error), {
        cause: error,
        server: this.location,
      });
    }
  }

  /** One REST API 2.0 call (`/api/2.0/mlflow/<path>`): JSON in and out, retried, errors as TrackingError. */
  async call<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    payload?: Record<string, unknown>,
  ): Promise<T> {
    let url = `${this.base}/api/2.0/mlflow/${path}`;
    const endpoint = `${method} /api/2.0/mlflow/${path}`;
    if ((method === 'GET' || method === 'DELETE') && payload) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(payload)) if (v !== undefined) q.set(k, String(v));
      url += `?${q.toString()}`;
    }
    const { status, text } = await this.send(
      method,
      url,
      endpoint,
      method === 'POST' || method === 'PATCH'
        ? () => ({ body: JSON.stringify(payload ?? {}), headers: { 'Content-Type': 'application/json' } })
        : undefined,
    );
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = undefined;
    }
    if (status < 200 || status >= 300) {
      const err = (json ?? {}) as { error_code?: string; message?: string };
      throw new TrackingError(
        endpoint,
        status,
        err.error_code,
        err.message ?? (text.slice(0, 200) || 'no body'),
        {
          server: this.location,
        },
      );
    }
    if (json === undefined)
      throw new TrackingError(endpoint, status, undefined, `response is not JSON: ${text.slice(0, 120)}`, {
        server: this.location,
      });
    return json as T;
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      const res = await this.call<{ experiment: RestExperiment }>('GET', 'experiments/get-by-name', {
        experiment_name: name,
      });
      return toExperiment(res.experiment);
    } catch (error) {
      if (error instanceof TrackingError && error.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw error;
    }
  }

  async getOrCreateExperiment(name: string): Promise<Experiment> {
    const found = await this.getExperimentByName(name);
    if (found) {
      if (found.lifecycleStage === 'deleted') throw deletedExperimentError(name, this.location);
      return found;
    }
    try {
      const { experiment_id } = await this.call<{ experiment_id: string }>('POST', 'experiments/create', {
        name,
      });
      return (
        (await this.getExperimentByName(name)) ?? {
          experimentId: String(experiment_id),
          name,
          artifactLocation: '',
          lifecycleStage: 'active',
        }
      );
    } catch (error) {
      // Another client created it between our get and create.
      if (error instanceof TrackingError && error.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const again = await this.getExperimentByName(name);
        if (again) return again;
      }
      throw error;
    }
  }

  async listExperiments(): Promise<Experiment[]> {
    const out: Experiment[] = [];
    let pageToken: string | undefined;
    do {
      const res = await this.call<{ experiments?: RestExperiment[]; next_page_token?: string }>(
        'POST',
        'experiments/search',
        { max_results: 1000, ...(pageToken ? { page_token: pageToken } : {}) },
      );
      out.push(...(res.experiments ?? []).map(toExperiment));
      pageToken = res.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  async createRun(input: {
    experimentId: string;
    runName: string;
    userId: string;
    startTime: number;
    tags: Array<{ key: string; value: string }>;
  }): Promise<RunInfo> {
    const first = input.tags.slice(0, LIMITS.maxTagsPerBatch);
    const res = await this.call<{ run: RestRun }>('POST', 'runs/create', {
      experiment_id: input.experimentId,
      user_id: input.userId,
      run_name: input.runName,
      start_time: input.startTime,
      tags: first,
    });
    const info = toRunInfo(res.run.info);
    if (input.tags.length > first.length)
      await this.logBatch(info.runId, { tags: input.tags.slice(first.length) });
    return info;
  }

  async logBatch(runId: string, batch: RunBatch): Promise<void> {
    const total = (batch.metrics?.length ?? 0) + (batch.params?.length ?? 0) + (batch.tags?.length ?? 0);
    if (total === 0) return;
    // A single tag goes through runs/set-tag, the endpoint MLflow's own client uses for set_tag.
    if (total === 1 && batch.tags?.length === 1) {
      await this.call('POST', 'runs/set-tag', {
        run_id: runId,
        key: batch.tags[0]!.key,
        value: batch.tags[0]!.value,
      });
      return;
    }
    for (const chunk of chunkBatch(batch))
      await this.call('POST', 'runs/log-batch', { run_id: runId, ...chunk });
  }

  async updateRun(runId: string, status: RunStatus, endTime: number): Promise<void> {
    await this.call('POST', 'runs/update', { run_id: runId, status, end_time: endTime });
  }

  async logArtifactFile(run: RunInfo, localFile: string, artifactPath: string): Promise<void> {
    const uri = run.artifactUri;
    if (uri.startsWith('mlflow-artifacts:')) {
      const url = `${resolveMlflowArtifactsUri(uri, this.base)}/${encodePath(artifactPath)}`;
      const endpoint = `PUT ${new URL(url).pathname}`;
      const size = (await stat(localFile)).size;
      const { status, text } = await this.send('PUT', url, endpoint, () => ({
        body: createReadStream(localFile),
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
      }));
      if (status < 200 || status >= 300) {
        let err: { error_code?: string; message?: string } = {};
        try {
          err = JSON.parse(text) as typeof err;
        } catch {
          /* not JSON */
        }
        throw new TrackingError(
          endpoint,
          status,
          err.error_code,
          err.message ?? (text.slice(0, 200) || 'no body'),
        );
      }
      return;
    }
    if (uri.startsWith('file:') || uri.startsWith('/')) {
      // The server stores artifacts in a folder this machine can reach (a local server without --serve-artifacts).
      await copyArtifactInto(fileUriToPath(uri), localFile, artifactPath);
      return;
    }
    throw new TrackingError(
      'artifacts',
      undefined,
      'UNSUPPORTED_ARTIFACT_URI',
      `run ${run.runId} stores artifacts at ${uri}; only mlflow-artifacts: (mlflow server --serve-artifacts) and local file: locations are supported`,
    );
  }

  /**
   * Download every file under an artifact URI (`mlflow-artifacts:`, as runs of a server with --serve-artifacts
   * have, or a local `file:` folder) into `destDir`, keeping the relative layout. Returns the files written.
   */
  async downloadArtifacts(artifactUri: string, destDir: string): Promise<string[]> {
    if (artifactUri.startsWith('file:')) return copyTree(fileUriToPath(artifactUri), destDir);
    if (!artifactUri.startsWith('mlflow-artifacts:'))
      throw new TrackingError(
        'artifacts',
        undefined,
        undefined,
        `cannot download ${artifactUri}: only mlflow-artifacts: and file: locations are supported`,
        { server: this.location },
      );
    const root = resolveMlflowArtifactsUri(artifactUri, this.base);
    const listBase = root.replace(
      /\/api\/2\.0\/mlflow-artifacts\/artifacts.*$/,
      '/api/2.0/mlflow-artifacts/artifacts',
    );
    const rootPath = decodeURIComponent(root.slice(listBase.length).replace(/^\//, ''));
    const written: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      const path = rel ? `${rootPath}/${rel}` : rootPath;
      const endpoint = 'GET /api/2.0/mlflow-artifacts/artifacts';
      const listed = await this.send('GET', `${listBase}?path=${encodeURIComponent(path)}`, endpoint);
      if (listed.status !== 200)
        throw new TrackingError(endpoint, listed.status, undefined, listed.text.slice(0, 200), {
          server: this.location,
        });
      const files =
        (JSON.parse(listed.text || '{}') as { files?: Array<{ path: string; is_dir?: boolean }> }).files ??
        [];
      for (const f of files) {
        // The proxy lists paths relative to the folder asked for (older servers: relative to the root).
        const full = rootPath && f.path.startsWith(`${rootPath}/`) ? f.path : path ? `${path}/${f.path}` : f.path;
        const childRel = full.slice(rootPath.length).replace(/^\//, '');
        if (f.is_dir) {
          await walk(childRel);
          continue;
        }
        const got = await this.send('GET', `${listBase}/${encodePath(full)}`, `GET ${endpoint}/…`);
        if (got.status !== 200)
          throw new TrackingError(`${endpoint}/${full}`, got.status, undefined, got.text.slice(0, 200), {
            server: this.location,
          });
        const target = join(destDir, ...childRel.split('/'));
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, got.bytes);
        written.push(childRel);
      }
    };
    await walk('');
    return written.sort();
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    try {
      const res = await this.call<{ run: RestRun }>('GET', 'runs/get', { run_id: runId });
      return toRunRecord(res.run);
    } catch (error) {
      if (error instanceof TrackingError && error.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw error;
    }
  }

  async searchRuns(experimentId: string): Promise<RunRecord[]> {
    const out: RunRecord[] = [];
    let pageToken: string | undefined;
    do {
      const res = await this.call<{ runs?: RestRun[]; next_page_token?: string }>('POST', 'runs/search', {
        experiment_ids: [experimentId],
        run_view_type: 'ACTIVE_ONLY',
        max_results: 1000,
        order_by: ['attributes.start_time DESC'],
        ...(pageToken ? { page_token: pageToken } : {}),
      });
      out.push(...(res.runs ?? []).map(toRunRecord));
      pageToken = res.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const res = await this.call<{
      metrics?: Array<{ key: string; value: number | string; timestamp: number; step?: number }>;
    }>('GET', 'metrics/get-history', { run_id: runId, metric_key: key });
    return (res.metrics ?? []).map((m) => ({
      key: m.key,
      value: num(m.value) ?? NaN,
      timestamp: num(m.timestamp) ?? 0,
      step: num(m.step) ?? 0,
    }));
  }
}
