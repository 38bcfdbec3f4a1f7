/**
 * The HTTP server (Fastify 5): the predecessor's endpoints, the MLflow scoring protocol, KServe v2, drift, metrics,
 * OpenAPI and its UI. Routes are declared with JSON schemas built from the feature spec; the request row is
 * validated by the *served* model's compiled validator (a model with another spec may be swapped in at run time),
 * and a prediction is serialized by that model's compiled serializer.
 */
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyError,
} from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastJson from 'fast-json-stringify';
import { encodeRows, inputFields, obesityFeatureSpec, type FeatureSpec } from '@mlops/model';
import type { ApiConfig } from './config.js';
import { servingDrift } from './drift.js';
import { parseInferRequest, tensorMetadata } from './kserve.js';
import { createMetrics, type ApiMetrics } from './metrics.js';
import { PayloadShapeError, rowsFromCsv, rowsFromJsonPayload } from './mlflow.js';
import { ModelHolder, type ServedModel } from './model-state.js';
import { registryLocator } from './registry-source.js';
import {
  batchRequestSchema,
  batchResponseSchema,
  describeField,
  errorSchema,
  predictionSchema,
  rowSchema,
} from './schemas.js';
import {
  createAjv,
  describeIssues,
  issuesOf,
  PayloadTooLargeError,
  RequestValidationError,
  validate,
  type FieldIssue,
} from './validation.js';

export const API_NAME = 'Obesity Classification API';
export const API_VERSION = '0.1.0';
export const API_DESCRIPTION =
  'ML API for predicting obesity levels based on physical and nutritional features';

/** No model is loaded: 503 with the reason. */
export class ModelUnavailableError extends Error {
  readonly statusCode = 503;
}

/** A body that is not JSON (or not acceptable JSON): 400 with what is wrong and, where it can tell, the field. */
export class MalformedBodyError extends Error {
  readonly statusCode = 400;
}

/** Keys that would poison an object's prototype if the value were ever merged into another object. */
const POISON = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a JSON body. JSON has no NaN or Infinity: a client that writes them (Python's json.dumps does) gets a 400
 * naming the field. A `__proto__`/`constructor` key anywhere is refused (walked without recursion, so deeply
 * nested JSON cannot overflow the stack).
 */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw new MalformedBodyError('the body is empty: send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const bad = /"([^"\\]{1,100})"\s*:\s*(-?Infinity|NaN|undefined)\b/.exec(text);
    if (bad)
      throw new MalformedBodyError(
        `malformed JSON: field "${bad[1]}": ${bad[2]} is not a JSON number (numbers must be finite)`,
      );
    throw new MalformedBodyError(`malformed JSON: ${(error as Error).message}`);
  }
  if (text.includes('__proto__') || text.includes('"constructor"') || text.includes('"prototype"')) {
    const stack: unknown[] = [value];
    while (stack.length) {
      const v = stack.pop();
      if (typeof v !== 'object' || v === null) continue;
      for (const key of Object.keys(v)) {
        if (POISON.has(key)) throw new MalformedBodyError(`field "${key}" is not accepted (a prototype key)`);
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
  }
  return value;
}

export interface ApiServer {
  readonly app: FastifyInstance;
  readonly holder: ModelHolder;
  readonly metrics: ApiMetrics;
}

export interface BuildOptions {
  /** The environment the registry client reads its credentials from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** A pino logger (JSON lines); default: pino at the config's level on stdout. */
  logger?: FastifyBaseLogger;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Validation Error',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const now = () => new Date().toISOString();

function requireModel(holder: ModelHolder): ServedModel {
  const served = holder.current;
  if (!served)
    throw new ModelUnavailableError(
      `Model not loaded. Try again later: ${holder.lastError ?? `waiting for ${holder.file}`}`,
    );
  return served;
}

/**
 * The Swagger UI files served under /docs/static: the package.json `bundleAssets`, which the bundled CLI finds
 * beside itself (a container image holds dist/ only); unbundled (tests, tsc output) they come from the package.
 */
export const SWAGGER_ASSETS = new Set([
  'favicon-16x16.png',
  'favicon-32x32.png',
  'index.css',
  'logo.svg',
  'oauth2-redirect.html',
  'oauth2-redirect.js',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'swagger-ui.css',
]);

function swaggerUiStatic(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  if (existsSync(join(here, 'swagger-ui-bundle.js'))) return here;
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@fastify/swagger-ui/package.json')), 'static');
}

/**
 * Only the UI's own files under /docs: with a base folder, @fastify/swagger-ui serves any file in it, and beside
 * the bundle that folder also holds the server's code.
 */
function docsGuard(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const path = request.url.split('?')[0]!;
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (
    name.includes('.') &&
    !SWAGGER_ASSETS.has(name) &&
    name !== 'swagger-initializer.js' &&
    name !== 'index.html'
  ) {
    void reply
      .code(404)
      .send({ error: 'Not Found', message: `no route GET ${path}`, detail: 'Not Found', timestamp: now() });
    return;
  }
  done();
}

/** `/v2/...` and `/invocations` speak their protocols' error bodies; everything else the api's. */
function protocolOf(url: string | undefined): 'mlflow' | 'kserve' | 'api' {
  if (url === '/invocations') return 'mlflow';
  if (url?.startsWith('/v2')) return 'kserve';
  return 'api';
}

function errorDetail(issues: readonly FieldIssue[]) {
  return issues.map((i) => ({
    field: i.field,
    msg: i.message,
    loc:
      i.field === '(body)'
        ? ['body']
        : [
            'body',
            ...i.field
              .split(/\.|\[|\]\.?/)
              .filter((p) => p !== '')
              .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
          ],
    type: 'value_error',
  }));
}

export async function buildServer(config: ApiConfig, options: BuildOptions = {}): Promise<ApiServer> {
  const ajv = createAjv();
  // The holder is made below (its events report to the metrics); the metrics read it only at scrape time.
  const metrics = createMetrics(() => holder);
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: { level: config.logLevel } }),
    // One log line per request, written by the onResponse hook below (with route, status and duration).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    return503OnClosing: true,
    ajv: {
      customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: false },
    },
  });
  // Only JSON (and CSV on /invocations): a text/plain body is 415, not a string the validator has to reject.
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  const source = config.modelUri
    ? registryLocator(config.modelUri, config.trackingUri, options.env ?? process.env)
    : config.modelDir;
  const holder = new ModelHolder(source, ajv, {
    onLoad(served, previous) {
      metrics.modelLoaded(served);
      app.log.info(
        {
          model_name: served.name,
          model_version: served.version,
          file: served.file,
          replaced: previous?.version ?? null,
        },
        previous ? 'model reloaded' : 'model loaded',
      );
    },
    onError(message) {
      metrics.modelLoadFailed();
      app.log.warn({ file: holder.file }, message);
    },
  });
  await holder.reload();

  // The schemas of the docs: the served model's spec at start, else the product's.
  const docSpec: FeatureSpec = holder.current?.spec ?? obesityFeatureSpec();
  const docLabels = holder.current?.labels ?? docSpec.target.classes;
  const numericFields = (spec: FeatureSpec) => new Set(spec.numeric.map((f) => f.name));

  // ---- errors -------------------------------------------------------------------------------------------
  app.setErrorHandler((error: FastifyError & { issues?: FieldIssue[] }, request, reply) => {
    const protocol = protocolOf(request.routeOptions.url);
    let status = error.statusCode ?? 500;
    let issues: FieldIssue[] = [];
    if (error instanceof RequestValidationError) {
      issues = [...error.issues];
    } else if (error instanceof PayloadShapeError) {
      issues = [...error.issues];
    } else if (error.validation) {
      issues = issuesOf(
        error.validation as never,
        error.validationContext === 'body' ? '' : (error.validationContext ?? ''),
      );
      status = 422;
    }
    if (status >= 500 && status !== 503) {
      request.log.error({ err: error }, 'request failed');
      status = 500;
    }
    if (issues.length && protocol !== 'api' && status === 422) status = 400;
    if (status === 415 && error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const type = request.headers['content-type'];
      error.message = `Unsupported Media Type: ${type ? `"${type}"` : 'no Content-Type'}; send application/json${protocol === 'mlflow' ? ' or text/csv' : ''}`;
    }
    const message =
      status === 500
        ? 'internal error (logged on the server)'
        : issues.length
          ? `invalid input: ${describeIssues(issues)}`
          : error.message;
    reply.code(status);
    if (protocol === 'mlflow')
      return reply.send({
        error_code: status === 503 ? 'SERVICE_UNAVAILABLE' : status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST',
        message,
      });
    if (protocol === 'kserve') return reply.send({ error: message });
    return reply.send({
      error: STATUS_TEXT[status] ?? 'Error',
      message,
      detail: issues.length ? errorDetail(issues) : message,
      timestamp: now(),
    });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = ['GET', 'POST'].filter((m) => app.hasRoute({ url: path, method: m as 'GET' }));
    if (allowed.length) {
      reply.code(405).header('allow', allowed.join(', '));
      return {
        error: 'Method Not Allowed',
        message: `${request.method} ${path}: use ${allowed.join(' or ')}`,
        detail: 'Method Not Allowed',
        timestamp: now(),
      };
    }
    reply.code(404);
    return {
      error: 'Not Found',
      message: `no route ${request.method} ${path}`,
      detail: 'Not Found',
      timestamp: now(),
    };
  });

  // ---- metrics and request logs ---------------------------------------------------------------------------
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.observe(route, request.method, reply.statusCode, seconds);
    if (app.log.level === 'info' || app.log.level === 'debug' || app.log.level === 'trace')
      request.log.info(
        {
          method: request.method,
          url: request.url,
          route,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 1000) / 1000,
        },
        'request',
      );
    done();
  });

  if (config.corsOrigins.length)
    await app.register(cors, {
      origin: config.corsOrigins[0] === '*' ? '*' : [...config.corsOrigins],
      credentials: config.corsCredentials,
      methods: ['GET', 'POST', 'OPTIONS'],
    });

  // ---- OpenAPI ------------------------------------------------------------------------------------------------
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: API_NAME, version: API_VERSION, description: API_DESCRIPTION },
      tags: [
        { name: 'predecessor', description: "The predecessor's endpoints (same paths and fields)" },
        { name: 'mlflow', description: 'MLflow scoring-server protocol' },
        { name: 'kserve', description: 'KServe v2 / Open Inference Protocol' },
        { name: 'operations', description: 'Drift, metrics, health' },
      ],
    },
  });
  const staticDir = swaggerUiStatic();
  await app.register(async (docs) => {
    docs.addHook('onRequest', docsGuard);
    await docs.register(swaggerUi, {
      routePrefix: '/docs',
      baseDir: staticDir,
      logo: { type: 'image/svg+xml', content: readFileSync(join(staticDir, 'logo.svg')) },
      staticCSP: true,
    });
  });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  // ---- validation delegated to the served model -----------------------------------------------------------
  // A validator that throws becomes a 500 in Fastify: these return their errors instead.
  const unavailable = () => ({
    error: new ModelUnavailableError(
      `Model not loaded. Try again later: ${holder.lastError ?? `waiting for ${holder.file}`}`,
    ),
  });
  /** The body validator of a row route: the served model's compiled row schema (503 first when there is none). */
  const rowBodyValidator = () => (data: unknown) => {
    const served = holder.current;
    if (!served) return unavailable();
    if (served.validateRow(data)) return true;
    return { error: new RequestValidationError(issuesOf(served.validateRow.errors)) };
  };
  /** The envelope of a batch route: {samples: [...]}, 1 to maxBatchRows items; the items are checked one by one. */
  const samplesValidator = () => (data: unknown) => {
    if (!holder.current) return unavailable();
    const fail = (field: string, message: string, status = 422) => ({
      error: new RequestValidationError([{ field, message }], status),
    });
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      return fail('(body)', 'must be an object {"samples": [...]}');
    for (const key of Object.keys(data)) if (key !== 'samples') return fail(key, 'is not an accepted field');
    const samples = (data as { samples?: unknown }).samples;
    if (samples === undefined) return fail('samples', 'is required');
    if (!Array.isArray(samples)) return fail('samples', 'must be a list of rows');
    if (samples.length === 0) return fail('samples', 'No samples provided: send at least 1 row');
    if (samples.length > config.maxBatchRows)
      return fail(
        'samples',
        `${samples.length} rows is more than the limit of ${config.maxBatchRows} (MAX_BATCH_ROWS)`,
        413,
      );
    return true;
  };
  const noBodyValidator = () => () => (holder.current ? true : unavailable());

  const err = (description: string) => ({ description, ...errorSchema });
  const rowErrors = {
    400: err('Malformed JSON'),
    413: err('Body or batch too large'),
    415: err('Not application/json'),
    422: err('Invalid field (named in detail)'),
    503: err('No model loaded yet'),
  };

  // ---- the predecessor's endpoints ----------------------------------------------------------------------------
  app.get('/', { schema: { tags: ['predecessor'], summary: 'About the api' } }, () => ({
    name: API_NAME,
    version: API_VERSION,
    description: API_DESCRIPTION,
    docs: '/docs',
    openapi: '/openapi.json',
    redoc: '/docs',
    endpoints: {
      health: 'GET /health',
      status: 'GET /status',
      model_info: 'GET /model/info',
      model_features: 'GET /model/features',
      model_classes: 'GET /model/classes',
      predict: 'POST /predict',
      predict_batch: 'POST /predict/batch',
      invocations: 'POST /invocations',
      ping: 'GET /ping',
      version: 'GET /version',
      kserve_infer: 'POST /v2/models/{name}/infer',
      drift: 'POST /drift',
      metrics: 'GET /metrics',
    },
  }));

  app.get(
    '/health',
    {
      schema: {
        tags: ['predecessor'],
        summary: 'Health: "healthy" with a model, "degraded" without (always 200)',
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: ['healthy', 'degraded'] },
              model_loaded: { type: 'boolean' },
              version: { type: 'string' },
              timestamp: { type: 'string' },
              model_name: { type: ['string', 'null'] },
              model_version: { type: ['string', 'null'] },
              detail: { type: ['string', 'null'] },
            },
          },
        },
      },
    },
    () => {
      const served = holder.current;
      return {
        status: served ? 'healthy' : 'degraded',
        model_loaded: Boolean(served),
        version: API_VERSION,
        timestamp: now(),
        model_name: served?.name ?? null,
        model_version: served?.version ?? null,
        detail: served ? null : (holder.lastError ?? null),
      };
    },
  );

  app.get('/status', { schema: { tags: ['predecessor'], summary: 'Api and model status' } }, () => {
    const served = holder.current;
    const spec = served?.spec ?? docSpec;
    return {
      api_status: 'online',
      api_version: API_VERSION,
      api_name: API_NAME,
      model_loaded: Boolean(served),
      model_name: served?.name ?? null,
      model_version: served?.version ?? null,
      features_required: inputFields(spec).length,
      model_features: inputFields(spec).length + spec.derived.length,
      timestamp: now(),
    };
  });

  app.get(
    '/model/info',
    {
      schema: {
        tags: ['predecessor'],
        summary: 'The served model',
        response: { 503: err('No model loaded yet') },
      },
    },
    () => {
      const served = requireModel(holder);
      const b = served.model.bundle;
      const test = (b.metrics as { test?: Record<string, unknown> }).test ?? {};
      // The held-out test accuracy (the ml stage's key; `accuracy` in older bundles).
      const accuracy = [test['test_accuracy'], test['accuracy']].find((a) => typeof a === 'number') ?? null;
      return {
        model_name: served.name,
        model_version: served.version,
        accuracy,
        classes: served.labels,
        features_required: served.fields.length,
        model_features: served.fields.length + served.spec.derived.length,
        deployment_date: served.loadedAt.toISOString(),
        algorithm: b.algorithm,
        checksum: served.checksum,
        metrics: b.metrics,
        training_data: {
          file: b.training_data.file,
          md5: b.training_data.md5,
          train_rows: b.training_data.train_rows,
          test_rows: b.training_data.test_rows,
        },
      };
    },
  );

  app.get(
    '/model/features',
    { schema: { tags: ['predecessor'], summary: 'The input fields, their ranges and categories' } },
    () => {
      const spec = holder.current?.spec ?? docSpec;
      const numeric = spec.numeric.map((f) => f.name);
      const categorical = spec.categorical.map((f) => f.name);
      return {
        total_features: numeric.length + categorical.length,
        numeric_features: numeric,
        categorical_features: categorical,
        derived_features: spec.derived.map((d) => d.name),
        model_features: numeric.length + categorical.length + spec.derived.length,
        feature_descriptions: Object.fromEntries(
          [...numeric, ...spec.derived.map((d) => d.name), ...categorical].map((n) => [n, describeField(n)]),
        ),
        ranges: Object.fromEntries(spec.numeric.map((f) => [f.name, f.range])),
        categories: Object.fromEntries(spec.categorical.map((f) => [f.name, f.categories])),
      };
    },
  );

  app.get(
    '/model/classes',
    {
      schema: {
        tags: ['predecessor'],
        summary: 'The classes the model predicts',
        response: { 503: err('No model loaded yet') },
      },
    },
    () => {
      const served = requireModel(holder);
      return { classes: served.labels, total_classes: served.labels.length };
    },
  );

  app.post(
    '/predict',
    {
      schema: {
        tags: ['predecessor'],
        summary: 'Predict one row',
        body: rowSchema(docSpec),
        response: { 200: predictionSchema(docSpec, docLabels), ...rowErrors },
      },
      validatorCompiler: rowBodyValidator,
    },
    (request: FastifyRequest, reply: FastifyReply) => {
      const served = requireModel(holder);
      const k = served.model.predictOneInto(request.body as Record<string, unknown>, served.proba);
      served.classCounts[k]! += 1;
      return reply
        .type('application/json; charset=utf-8')
        .send(served.writePrediction(k, served.proba, 0, request.body as Record<string, unknown>));
    },
  );

  /** Predicts valid rows one by one on the allocation-free path; returns labels and per-row issues. */
  const predictRows = (served: ServedModel, rows: readonly unknown[], prefix: (i: number) => string) => {
    const issues: { index: number; field: string; message: string }[] = [];
    const out: { index: number; k: number; probabilities: number[] }[] = [];
    rows.forEach((row, i) => {
      const bad = validate(served.validateRow, row, prefix(i));
      if (bad.length) {
        for (const b of bad) issues.push({ index: i, field: b.field, message: b.message });
        return;
      }
      const k = served.model.predictOneInto(row as Record<string, unknown>, served.proba);
      served.classCounts[k]! += 1;
      out.push({ index: i, k, probabilities: Array.from(served.proba) });
    });
    return { issues, out };
  };

  app.post(
    '/predict/batch',
    {
      schema: {
        tags: ['predecessor'],
        summary: `Predict 1 to ${config.maxBatchRows} rows; invalid items are reported per item`,
        body: batchRequestSchema(docSpec, config.maxBatchRows),
        response: { 200: batchResponseSchema(docSpec, docLabels), ...rowErrors },
      },
      validatorCompiler: samplesValidator,
    },
    (request, reply) => {
      const served = requireModel(holder);
      const samples = (request.body as { samples: unknown[] }).samples;
      const { issues, out } = predictRows(served, samples, (i) => `samples[${i}]`);
      if (out.length === 0) throw new RequestValidationError(issues);
      let predictions = '';
      for (const { index, k, probabilities } of out)
        predictions +=
          (predictions ? ',' : '') +
          served.writePrediction(k, probabilities, 0, samples[index] as Record<string, unknown>, index);
      const failed = new Set(issues.map((i) => i.index)).size;
      return reply
        .type('application/json; charset=utf-8')
        .send(
          `{"predictions":[${predictions}],"errors":${JSON.stringify(issues)},"total_samples":${samples.length},"successful":${out.length},"failed":${failed}}`,
        );
    },
  );

  // ---- MLflow scoring protocol ------------------------------------------------------------------------------------
  const serializePredictions = fastJson({
    type: 'object',
    properties: { predictions: { type: 'array', items: { type: 'string' } } },
  });
  await app.register(async (scope) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.post(
      '/invocations',
      {
        schema: {
          tags: ['mlflow'],
          summary: 'MLflow scoring: dataframe_split, dataframe_records, instances, inputs (JSON) or text/csv',
          body: {
            description:
              'JSON with exactly one of dataframe_split {columns, data}, dataframe_records [{…}], instances, inputs (plus optional params); or a CSV text with a header',
          },
          response: {
            200: {
              type: 'object',
              properties: { predictions: { type: 'array', items: { type: 'string' } } },
            },
            400: {
              type: 'object',
              properties: { error_code: { type: 'string' }, message: { type: 'string' } },
            },
            415: {
              type: 'object',
              properties: { error_code: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
        validatorCompiler: noBodyValidator,
        onRequest: (request, reply, done) => {
          // MLflow accepts only UTF-8: another charset (or an unknown parameter) is 415.
          const type = request.headers['content-type'] ?? '';
          const params = type
            .split(';')
            .slice(1)
            .map((p) => p.trim().toLowerCase())
            .filter((p) => p !== '');
          const bad = params.find((p) => p !== 'charset=utf-8' && p !== 'charset="utf-8"');
          if (bad) {
            reply.code(415).send({
              error_code: 'BAD_REQUEST',
              message: `Unsupported content type parameter "${bad}": only charset=utf-8 is accepted`,
            });
            return;
          }
          done();
        },
      },
      (request, reply) => {
        const served = requireModel(holder);
        const isCsv = (request.headers['content-type'] ?? '').toLowerCase().startsWith('text/csv');
        const rows = isCsv
          ? rowsFromCsv(request.body as string, numericFields(served.spec))
          : rowsFromJsonPayload(request.body, served.fields);
        if (rows.length === 0) throw new PayloadShapeError('the input holds no rows');
        if (rows.length > config.maxBatchRows)
          throw new PayloadTooLargeError(
            `${rows.length} rows is more than the limit of ${config.maxBatchRows} (MAX_BATCH_ROWS)`,
          );
        const { issues, out } = predictRows(served, rows, (i) => `rows[${i}]`);
        if (issues.length) throw new RequestValidationError(issues, 400);
        return reply
          .type('application/json; charset=utf-8')
          .send(serializePredictions({ predictions: out.map((o) => served.labels[o.k]) }));
      },
    );
  });
  app.get(
    '/ping',
    { schema: { tags: ['mlflow'], summary: 'MLflow: 200 with a model, 404 without' } },
    (_request, reply) => {
      if (!holder.current) return reply.code(404).type('text/plain; charset=utf-8').send('no model loaded\n');
      return reply.type('text/plain; charset=utf-8').send('\n');
    },
  );
  app.get('/version', { schema: { tags: ['mlflow'], summary: 'The api version' } }, (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(API_VERSION),
  );

  // ---- KServe v2 ------------------------------------------------------------------------------------------------
  const servedNamed = (name: string, version?: string): ServedModel => {
    const served = requireModel(holder);
    if (name !== served.name || (version !== undefined && version !== served.version)) {
      const error = new Error(
        `model ${name}${version ? ` version ${version}` : ''} is not served here (serving ${served.name} version ${served.version})`,
      ) as Error & { statusCode: number };
      error.statusCode = 404;
      throw error;
    }
    return served;
  };
  app.get('/v2', { schema: { tags: ['kserve'], summary: 'Server metadata' } }, () => ({
    name: 'mlops-api',
    version: API_VERSION,
    extensions: [],
  }));
  app.get(
    '/v2/health/live',
    { schema: { tags: ['kserve'], summary: 'Liveness: 200 while the process serves' } },
    () => ({ live: true }),
  );
  app.get(
    '/v2/health/ready',
    { schema: { tags: ['kserve'], summary: 'Readiness: 200 with a model, 503 without' } },
    (_r, reply) => {
      if (!holder.current)
        return reply.code(503).send({ ready: false, error: holder.lastError ?? 'no model loaded' });
      return { ready: true };
    },
  );
  const modelMetadata = (served: ServedModel) => ({
    name: served.name,
    versions: [served.version],
    platform: 'mlops-ts',
    ...tensorMetadata(served.spec, served.labels.length),
    parameters: { algorithm: served.model.bundle.algorithm, labels: served.labels },
  });
  for (const base of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    type P = { Params: { name: string; version?: string } };
    app.get<P>(base, { schema: { tags: ['kserve'], summary: 'Model metadata' } }, (request) =>
      modelMetadata(servedNamed(request.params.name, request.params.version)),
    );
    app.get<P>(`${base}/ready`, { schema: { tags: ['kserve'], summary: 'Model readiness' } }, (request) => {
      servedNamed(request.params.name, request.params.version);
      return { name: request.params.name, ready: true };
    });
    app.post<P>(
      `${base}/infer`,
      {
        schema: {
          tags: ['kserve'],
          summary: 'Inference: one tensor per input field, outputs label and probabilities',
          body: {
            type: 'object',
            description: '{"id"?, "inputs": [{"name", "shape", "datatype", "data"}], "outputs"?}',
          },
        },
        validatorCompiler: noBodyValidator,
      },
      (request) => {
        const served = servedNamed(request.params.name, request.params.version);
        const parsed = parseInferRequest(request.body, served.spec);
        if (parsed.rows.length > config.maxBatchRows)
          throw new PayloadTooLargeError(
            `${parsed.rows.length} rows is more than the limit of ${config.maxBatchRows} (MAX_BATCH_ROWS)`,
          );
        const { issues, out } = predictRows(served, parsed.rows, (i) => `rows[${i}]`);
        if (issues.length) throw new RequestValidationError(issues, 400);
        const n = out.length;
        const k = served.labels.length;
        const outputs = parsed.outputs.map((name) =>
          name === 'label'
            ? { name, datatype: 'BYTES', shape: [n], data: out.map((o) => served.labels[o.k]!) }
            : { name, datatype: 'FP64', shape: [n, k], data: out.flatMap((o) => o.probabilities) },
        );
        return {
          model_name: served.name,
          model_version: served.version,
          ...(parsed.id !== undefined ? { id: parsed.id } : {}),
          outputs,
        };
      },
    );
  }

  // ---- drift ------------------------------------------------------------------------------------------------------
  app.post(
    '/drift',
    {
      schema: {
        tags: ['operations'],
        summary: "Drift of a batch of rows against the bundle's reference statistics (training split)",
        body: batchRequestSchema(docSpec, config.maxBatchRows),
        response: { ...rowErrors },
      },
      validatorCompiler: samplesValidator,
    },
    (request) => {
      const served = requireModel(holder);
      const samples = (request.body as { samples: unknown[] }).samples;
      const issues: FieldIssue[] = [];
      samples.forEach((row, i) => issues.push(...validate(served.validateRow, row, `samples[${i}]`)));
      if (issues.length) throw new RequestValidationError(issues);
      const { batch } = encodeRows(served.model.encoder, samples as Record<string, unknown>[]);
      const report = servingDrift(batch, served.model.bundle.reference, config.drift);
      return { model_name: served.name, model_version: served.version, timestamp: now(), ...report };
    },
  );

  // ---- metrics --------------------------------------------------------------------------------------------------
  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics (text format)' } },
    async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  return { app, holder, metrics };
}
