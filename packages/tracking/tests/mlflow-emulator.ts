/**
 * Kept only for what the real MLflow server (../shared/tools/mlflow, used by compat.test.ts and registry.test.ts)
 * cannot be made to do: answer 503/429 on demand, hang past a timeout, ask for credentials, and record every
 * request so a test can count log-batch calls and check their limits.
 *
 * A loopback MLflow tracking server for tests, written from MLflow's REST API documentation
 * (docs/api_reference/source/rest-api.rst, mlflow/protos/service.proto) and its server behaviour
 * (mlflow/server/handlers.py, mlflow/exceptions.py ERROR_CODE_TO_HTTP_STATUS, mlflow/utils/validation.py).
 * Every request is checked: method, path under /api/2.0/mlflow/, Content-Type on POST, required fields and their
 * JSON types, log-batch limits. Violations are answered as MLflow answers them (400 INVALID_PARAMETER_VALUE,
 * 404 ENDPOINT_NOT_FOUND / RESOURCE_DOES_NOT_EXIST, 400 RESOURCE_ALREADY_EXISTS) and also recorded in
 * `violations`, so a test can assert that the client never sent a bad request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: unknown;
  rawBody: Buffer;
  status: number;
}

interface Exp {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}
interface RunState {
  info: {
    run_id: string;
    run_uuid: string;
    run_name: string;
    experiment_id: string;
    user_id: string;
    status: string;
    start_time: number;
    end_time?: number;
    artifact_uri: string;
    lifecycle_stage: string;
  };
  params: Map<string, string>;
  tags: Map<string, string>;
  metrics: Array<{ key: string; value: number | string; timestamp: number; step: number }>;
}

export interface Fault {
  /** e.g. 'POST /api/2.0/mlflow/runs/log-batch'; undefined matches any request. */
  endpoint?: string;
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

function isInt(v: unknown): boolean {
  return (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
}

export class MlflowEmulator {
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  readonly faults: Fault[] = [];
  readonly artifacts = new Map<string, Buffer>();
  readonly experiments = new Map<string, Exp>();
  readonly runs = new Map<string, RunState>();
  /** When set, every request must carry exactly this Authorization header (else 401). */
  requiredAuth?: string;
  /** Page size cap for search endpoints (to exercise pagination). */
  pageSize = 1000;
  private server?: Server;
  private nextExpId = 1;
  url = '';

  constructor() {
    this.experiments.set('0', this.makeExp('0', 'Default'));
  }

  private makeExp(id: string, name: string): Exp {
    const t = Date.now();
    return {
      experiment_id: id,
      name,
      artifact_location: `mlflow-artifacts:/${id}`,
      lifecycle_stage: 'active',
      creation_time: t,
      last_update_time: t,
    };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  callsTo(endpoint: string): RecordedCall[] {
    return this.calls.filter((c) => `${c.method} ${c.path}` === endpoint);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    const call: RecordedCall = {
      method: req.method ?? '',
      path: decodeURIComponent(url.pathname),
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: undefined,
      rawBody,
      status: 0,
    };
    this.calls.push(call);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(body);
    };
    const endpoint = `${call.method} ${url.pathname}`;
    const faultIndex = this.faults.findIndex((f) => !f.endpoint || f.endpoint === endpoint);
    if (faultIndex >= 0) {
      const f = this.faults.splice(faultIndex, 1)[0]!;
      send(f.status, f.body ?? '', f.headers);
      return;
    }
    if (this.requiredAuth !== undefined && req.headers.authorization !== this.requiredAuth) {
      call.status = 401;
      res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Basic realm="mlflow"' });
      res.end('You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html');
      return;
    }
    try {
      const result = this.route(call, url);
      send(200, JSON.stringify(result));
    } catch (error) {
      if (error instanceof ApiError) {
        send(error.status, JSON.stringify({ error_code: error.code, message: error.message }));
      } else {
        send(500, JSON.stringify({ error_code: 'INTERNAL_ERROR', message: String(error) }));
      }
    }
  }

  private invalid(message: string): never {
    this.violations.push(message);
    throw new ApiError(400, 'INVALID_PARAMETER_VALUE', message);
  }

  private requireString(body: Record<string, unknown>, field: string, optional = false): string | undefined {
    const v = body[field];
    if (v === undefined || v === null) {
      if (optional) return undefined;
      this.invalid(
        `Missing value for required parameter '${field}'. See the API docs for more information about request parameters.`,
      );
    }
    if (typeof v !== 'string')
      this.invalid(`Invalid value ${JSON.stringify(v)} for parameter '${field}' supplied: expected a string`);
    return v;
  }

  private requireInt(body: Record<string, unknown>, field: string, optional = false): number | undefined {
    const v = body[field];
    if (v === undefined || v === null) {
      if (optional) return undefined;
      this.invalid(`Missing value for required parameter '${field}'.`);
    }
    if (!isInt(v))
      this.invalid(`Invalid value ${JSON.stringify(v)} for parameter '${field}' supplied: expected an int64`);
    return Number(v);
  }

  private keyValues(body: Record<string, unknown>, field: string): Array<{ key: string; value: string }> {
    const v = body[field];
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.invalid(`Invalid value for parameter '${field}': expected an array`);
    return v.map((item: unknown, i: number) => {
      const o = item as Record<string, unknown>;
      if (!o || typeof o.key !== 'string' || typeof o.value !== 'string')
        this.invalid(`Invalid value for ${field}[${i}]: key and value must be strings`);
      return { key: o.key as string, value: o.value as string };
    });
  }

  private getRun(runId: string): RunState {
    const run = this.runs.get(runId);
    if (!run) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Run with id=${runId} not found`);
    return run;
  }

  private runJson(run: RunState) {
    return {
      info: { ...run.info, run_name: run.tags.get('mlflow.runName') ?? run.info.run_name },
      data: {
        // runs/get and runs/search return the latest value of each metric
        metrics: [...latest(run.metrics).values()],
        params: [...run.params].map(([key, value]) => ({ key, value })),
        tags: [...run.tags].map(([key, value]) => ({ key, value })),
      },
      inputs: {},
    };
  }

  private route(call: RecordedCall, url: URL): unknown {
    const { method, path } = call;
    if (method === 'PUT' && path.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) {
      const rel = path.slice('/api/2.0/mlflow-artifacts/artifacts/'.length);
      if (!rel || rel.split('/').some((s) => s === '..' || s === '')) this.invalid(`Invalid path: '${rel}'`);
      this.artifacts.set(rel, call.rawBody);
      return {};
    }
    if (!path.startsWith('/api/2.0/mlflow/')) {
      this.violations.push(`unknown path ${method} ${path}`);
      throw new ApiError(404, 'ENDPOINT_NOT_FOUND', `No API endpoint found for ${method} ${path}`);
    }
    let body: Record<string, unknown> = {};
    if (method === 'POST') {
      const ct = String(call.headers['content-type'] ?? '');
      if (!ct.startsWith('application/json'))
        this.invalid(`POST requires Content-Type application/json, got '${ct}'`);
      if (call.rawBody.length > 1_000_000)
        this.invalid(`request body of ${call.rawBody.length} bytes exceeds 1 MB`);
      try {
        body = JSON.parse(call.rawBody.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        this.invalid('request body is not JSON');
      }
    } else if (method === 'GET') {
      body = Object.fromEntries(url.searchParams);
      if (call.rawBody.length) this.violations.push(`GET ${path} with a body`);
    }
    call.body = body;
    const route = `${method} ${path.slice('/api/2.0/mlflow/'.length)}`;
    switch (route) {
      case 'GET experiments/get-by-name': {
        const name = this.requireString(body, 'experiment_name')!;
        const exp = [...this.experiments.values()].find((e) => e.name === name);
        if (!exp)
          throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`);
        return { experiment: { ...exp, tags: [] } };
      }
      case 'POST experiments/create': {
        const name = this.requireString(body, 'name')!;
        this.requireString(body, 'artifact_location', true);
        this.keyValues(body, 'tags');
        if (name === '') this.invalid("Invalid experiment name: ''");
        if ([...this.experiments.values()].some((e) => e.name === name))
          throw new ApiError(400, 'RESOURCE_ALREADY_EXISTS', `Experiment '${name}' already exists.`);
        const id = String(this.nextExpId++);
        this.experiments.set(id, this.makeExp(id, name));
        return { experiment_id: id };
      }
      case 'POST experiments/search': {
        const max = this.requireInt(body, 'max_results', true) ?? 1000;
        if (max > 50_000)
          this.invalid(`Invalid value for max_results. It must be at most 50000, but got ${max}`);
        const all = [...this.experiments.values()].map((e) => ({ ...e, tags: [] }));
        return this.page(all, body, max, 'experiments');
      }
      case 'POST runs/create': {
        const expId = this.requireString(body, 'experiment_id')!;
        this.requireString(body, 'user_id', true);
        const runName = this.requireString(body, 'run_name', true);
        const start = this.requireInt(body, 'start_time', true) ?? Date.now();
        const tags = this.keyValues(body, 'tags');
        const exp = this.experiments.get(expId);
        if (!exp) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${expId} exists`);
        const tagName = tags.find((t) => t.key === 'mlflow.runName')?.value;
        if (runName && tagName && runName !== tagName)
          this.invalid(
            `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values`,
          );
        const runId = randomUUID().replace(/-/g, '');
        const run: RunState = {
          info: {
            run_id: runId,
            run_uuid: runId,
            run_name: runName ?? tagName ?? 'random-name',
            experiment_id: expId,
            user_id: (body['user_id'] as string) ?? '',
            status: 'RUNNING',
            start_time: start,
            artifact_uri: `${exp.artifact_location}/${runId}/artifacts`,
            lifecycle_stage: 'active',
          },
          params: new Map(),
          tags: new Map(tags.map((t) => [t.key, t.value])),
          metrics: [],
        };
        if (!run.tags.has('mlflow.runName')) run.tags.set('mlflow.runName', run.info.run_name);
        this.runs.set(runId, run);
        return { run: this.runJson(run) };
      }
      case 'POST runs/update': {
        const runId = this.requireString(body, 'run_id')!;
        const status = this.requireString(body, 'status', true);
        if (status !== undefined && !STATUSES.includes(status))
          this.invalid(`Invalid value '${status}' for parameter 'status'`);
        const end = this.requireInt(body, 'end_time', true);
        const run = this.getRun(runId);
        if (status) run.info.status = status;
        if (end !== undefined) run.info.end_time = end;
        return { run_info: run.info };
      }
      case 'POST runs/set-tag': {
        const runId = this.requireString(body, 'run_id')!;
        const key = this.requireString(body, 'key')!;
        const value = this.requireString(body, 'value')!;
        this.getRun(runId).tags.set(key, value);
        return {};
      }
      case 'POST runs/log-batch': {
        const runId = this.requireString(body, 'run_id')!;
        const params = this.keyValues(body, 'params');
        const tags = this.keyValues(body, 'tags');
        const rawMetrics = body['metrics'] ?? [];
        if (!Array.isArray(rawMetrics))
          this.invalid("Invalid value for parameter 'metrics': expected an array");
        const metrics = rawMetrics.map((m: Record<string, unknown>, i: number) => {
          if (typeof m.key !== 'string') this.invalid(`metrics[${i}].key must be a string`);
          const okValue =
            typeof m.value === 'number' ||
            (typeof m.value === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(m.value));
          if (!okValue) this.invalid(`metrics[${i}].value must be a double, got ${JSON.stringify(m.value)}`);
          if (!isInt(m.timestamp))
            this.invalid(`Missing value for required parameter 'metrics[${i}].timestamp'`);
          if (m.step !== undefined && !isInt(m.step)) this.invalid(`metrics[${i}].step must be an int64`);
          return {
            key: m.key as string,
            value: m.value as number | string,
            timestamp: Number(m.timestamp),
            step: Number(m.step ?? 0),
          };
        });
        // mlflow/utils/validation.py _validate_batch_log_limits
        if (metrics.length > 1000)
          this.invalid(
            `A batch logging request can contain at most 1000 metrics. Got ${metrics.length} metrics. Please split up metrics across multiple requests and try again.`,
          );
        if (params.length > 100)
          this.invalid(
            `A batch logging request can contain at most 100 params. Got ${params.length} params. Please split up params across multiple requests and try again.`,
          );
        if (tags.length > 100)
          this.invalid(
            `A batch logging request can contain at most 100 tags. Got ${tags.length} tags. Please split up tags across multiple requests and try again.`,
          );
        const total = metrics.length + params.length + tags.length;
        if (total > 1000)
          this.invalid(
            `A batch logging request can contain at most 1000 metrics, params, and tags in total. Got ${total} total entities.`,
          );
        if (new Set(params.map((p) => p.key)).size !== params.length)
          this.invalid('Duplicate parameter keys have been submitted');
        const run = this.getRun(runId);
        for (const p of params) {
          const cur = run.params.get(p.key);
          if (cur !== undefined && cur !== p.value)
            throw new ApiError(
              400,
              'INVALID_PARAMETER_VALUE',
              `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${cur}' for run ID='${runId}'. Attempted logging new value '${p.value}'.`,
            );
          run.params.set(p.key, p.value);
        }
        run.metrics.push(...metrics);
        for (const t of tags) run.tags.set(t.key, t.value);
        return {};
      }
      case 'GET runs/get': {
        const runId = this.requireString(body, 'run_id')!;
        return { run: this.runJson(this.getRun(runId)) };
      }
      case 'POST runs/search': {
        const ids = body['experiment_ids'];
        if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string'))
          this.invalid("Invalid value for parameter 'experiment_ids': expected an array of strings");
        const max = this.requireInt(body, 'max_results', true) ?? 1000;
        if (max > 50_000)
          this.invalid(
            `Invalid value for parameter 'max_results' supplied. It must be at most 50000, but got value ${max}`,
          );
        const runs = [...this.runs.values()]
          .filter((r) => (ids as string[]).includes(r.info.experiment_id))
          .sort((a, b) => b.info.start_time - a.info.start_time)
          .map((r) => this.runJson(r));
        return this.page(runs, body, max, 'runs');
      }
      case 'GET metrics/get-history': {
        const runId = this.requireString(body, 'run_id')!;
        const key = this.requireString(body, 'metric_key')!;
        return { metrics: this.getRun(runId).metrics.filter((m) => m.key === key) };
      }
      default:
        this.violations.push(`unknown endpoint ${method} ${path}`);
        throw new ApiError(404, 'ENDPOINT_NOT_FOUND', `No API endpoint found for ${method} ${path}`);
    }
  }

  private page<T>(all: T[], body: Record<string, unknown>, max: number, field: string) {
    const size = Math.min(max, this.pageSize);
    const offset = body['page_token']
      ? Number(Buffer.from(String(body['page_token']), 'base64').toString())
      : 0;
    const slice = all.slice(offset, offset + size);
    const next =
      offset + size < all.length ? Buffer.from(String(offset + size)).toString('base64') : undefined;
    return { [field]: slice, ...(next ? { next_page_token: next } : {}) };
  }
}

function numeric(v: number | string): number {
  return typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity;
}

/** Latest value per key: max (step, timestamp, value), as the stores pick it. */
function latest(metrics: RunState['metrics']) {
  const out = new Map<string, RunState['metrics'][number]>();
  for (const m of metrics) {
    const cur = out.get(m.key);
    if (
      !cur ||
      m.step > cur.step ||
      (m.step === cur.step && m.timestamp > cur.timestamp) ||
      (m.step === cur.step && m.timestamp === cur.timestamp && numeric(m.value) > numeric(cur.value))
    )
      out.set(m.key, m);
  }
  return out;
}
