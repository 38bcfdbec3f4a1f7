/**
 * The server's configuration: environment variables over the params file. An empty variable counts as unset,
 * because compose passes every declared variable through as `${NAME:-}`. A bad value is an InputError naming the
 * variable (exit 2 before anything listens).
 */
import { InputError, type Params } from '@mlops/core';
import { resolveTrackingUri } from '@mlops/tracking';
import { checkModelUri } from './registry-source.js';

export type ServerLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface DriftThresholds {
  /** PSI above this is a drift alert. */
  readonly psiThreshold: number;
  /** A test p-value below this is significant. */
  readonly pThreshold: number;
  /** PSI above this is a critical (high-severity) alert. */
  readonly alertThreshold: number;
}

export interface ApiConfig {
  readonly port: number;
  readonly host: string;
  /** The model folder (holding model_bundle.json); the catalog's models.output_dir by default. */
  readonly modelDir: string;
  /** A registry URI (models:/NAME@ALIAS or models:/NAME/VERSION) to serve instead of the folder. */
  readonly modelUri?: string;
  /** The tracking backend the registry lives in: MLFLOW_TRACKING_URI, else params mlflow.tracking_uri. */
  readonly trackingUri: string;
  /** Exact origins allowed by CORS; empty: no CORS headers (same origin only). */
  readonly corsOrigins: readonly string[];
  /** Credentials are allowed only with an explicit origin list, never with `*`. */
  readonly corsCredentials: boolean;
  readonly logLevel: ServerLogLevel;
  /** Largest request body, in bytes (413 above). */
  readonly bodyLimit: number;
  /** Most rows in one batch request (/predict/batch, /invocations, /v2 infer, /drift): 413 above. */
  readonly maxBatchRows: number;
  /** How often the model file is checked for a new or changed bundle (ms; 0: only on SIGHUP). */
  readonly modelPollMs: number;
  /** How long SIGTERM waits for in-flight requests before closing (ms). */
  readonly shutdownTimeoutMs: number;
  readonly drift: DriftThresholds;
}

export type Env = Readonly<Record<string, string | undefined>>;

const LEVELS: Record<string, ServerLogLevel> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  critical: 'fatal',
  fatal: 'fatal',
  silent: 'silent',
};

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new InputError(`${name}=${JSON.stringify(raw)}: must be a whole number from ${min} to ${max}`);
  return Number(raw);
}

/** The log level from LOG_LEVEL, spelt as params.yaml or pino spell it (INFO, warning, CRITICAL, debug…). */
export function parseServerLogLevel(raw: string | undefined): ServerLogLevel {
  if (raw === undefined || raw.trim() === '') return 'info';
  const level = LEVELS[raw.trim().toLowerCase()];
  if (!level)
    throw new InputError(
      `LOG_LEVEL=${JSON.stringify(raw)}: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (or trace, silent)`,
    );
  return level;
}

/** CORS_ORIGINS: a comma-separated list of exact origins (scheme://host[:port]), or `*` alone (no credentials). */
export function parseCorsOrigins(raw: string | undefined): { origins: string[]; credentials: boolean } {
  if (raw === undefined || raw.trim() === '') return { origins: [], credentials: false };
  const origins = raw
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  if (origins.includes('*')) {
    if (origins.length > 1)
      throw new InputError(`CORS_ORIGINS=${JSON.stringify(raw)}: "*" cannot be combined with other origins`);
    // Any origin, so no credentials: browsers refuse `*` with credentials, and allowing every site to send
    // a user's cookies is the predecessor's defect this fixes.
    return { origins: ['*'], credentials: false };
  }
  for (const o of origins) {
    let url: URL | undefined;
    try {
      url = new URL(o);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== o.replace(/\/$/, ''))
      throw new InputError(
        `CORS_ORIGINS: ${JSON.stringify(o)} is not an origin (scheme://host[:port], e.g. https://app.example.com)`,
      );
  }
  return { origins: origins.map((o) => o.replace(/\/$/, '')), credentials: true };
}

/** The configuration from the environment and the params file (for the model folder and drift thresholds). */
export function readConfig(env: Env, params: Params): ApiConfig {
  const modelUri = value(env, 'MODEL_URI');
  if (modelUri !== undefined) checkModelUri(modelUri);
  const cors = parseCorsOrigins(env['CORS_ORIGINS']);
  return {
    port: integer(env, 'PORT', 8000, 0, 65535),
    host: value(env, 'HOST') ?? '0.0.0.0',
    modelDir: value(env, 'MODEL_DIR') ?? params.models.output_dir,
    ...(modelUri !== undefined ? { modelUri } : {}),
    trackingUri: resolveTrackingUri(params.mlflow.tracking_uri, {
      MLFLOW_TRACKING_URI: value(env, 'MLFLOW_TRACKING_URI'),
    }),
    corsOrigins: cors.origins,
    corsCredentials: cors.credentials,
    logLevel: parseServerLogLevel(env['LOG_LEVEL']),
    bodyLimit: integer(env, 'BODY_LIMIT', 1024 * 1024, 1024, 256 * 1024 * 1024),
    maxBatchRows: integer(env, 'MAX_BATCH_ROWS', 1000, 1, 1_000_000),
    modelPollMs: integer(env, 'MODEL_POLL_MS', 2000, 0, 3_600_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    drift: {
      psiThreshold: params.drift.psi_threshold,
      pThreshold: params.drift.ks_threshold,
      alertThreshold: params.drift.alert_threshold,
    },
  };
}
