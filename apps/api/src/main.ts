#!/usr/bin/env node
/**
 * mlops-api: serve the model bundle over HTTP. Configuration from the environment (see USAGE); the model folder
 * defaults to the catalog's models.output_dir. Starts without a model (degraded) and loads it when it appears, on
 * a change of the bundle file, or on SIGHUP; SIGTERM/SIGINT stop accepting work, let in-flight requests finish,
 * then exit 0. Exit 2 on a bad configuration, 1 when the server cannot listen.
 */
import { existsSync } from 'node:fs';
import pino from 'pino';
import {
  DEFAULT_PARAMS_PATH,
  FailureError,
  createLogger,
  defaultParams,
  executeCli,
  loadParams,
  parseCli,
} from '@mlops/core';
import { readConfig } from './lib/config.js';
import { buildServer } from './lib/server.js';

const USAGE = `Usage: mlops-api [--params FILE]

Serves the model bundle: the predecessor's endpoints (/predict, /predict/batch, /model/*, /health, /status),
MLflow scoring (/invocations, /ping, /version), KServe v2 (/v2/...), POST /drift, /metrics, /openapi.json, /docs.

Environment (an empty value counts as unset):
  PORT (8000)  HOST (0.0.0.0)  MODEL_DIR (params models.output_dir)  LOG_LEVEL (INFO)
  CORS_ORIGINS    comma-separated exact origins (credentials allowed), or * alone (no credentials); unset: no CORS
  MODEL_URI       models:/NAME@ALIAS or models:/NAME/VERSION: serve from the registry of MLFLOW_TRACKING_URI
                  (else params mlflow.tracking_uri) instead of MODEL_DIR
  BODY_LIMIT (1048576 bytes)  MAX_BATCH_ROWS (1000)  MODEL_POLL_MS (2000; 0: reload only on SIGHUP)
  SHUTDOWN_TIMEOUT_MS (10000)
Params (--params, default ${DEFAULT_PARAMS_PATH}; defaults when that file is absent): models.output_dir,
mlflow.tracking_uri,
drift.psi_threshold, drift.ks_threshold (p-value threshold), drift.alert_threshold.`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { params: { type: 'string' } }, USAGE);
  const paramsFile = values.params ?? DEFAULT_PARAMS_PATH;
  const params =
    values.params !== undefined || existsSync(paramsFile) ? await loadParams(paramsFile) : defaultParams();
  const config = readConfig(process.env, params);

  // JSON lines on stdout, buffered off the request path; flushed on exit.
  const destination = pino.destination({ dest: 1, sync: false });
  // A log reader that went away (EPIPE) must not stop the server: its lines are dropped, requests still served.
  destination.on('error', () => undefined);
  const flush = () => {
    try {
      destination.flushSync();
    } catch {
      // nowhere left to write to
    }
  };
  const log = pino(
    { level: config.logLevel, base: { service: 'mlops-api' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
  const { app, holder } = await buildServer(config, { logger: log });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    flush();
    throw new FailureError(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
  }
  holder.watch(config.modelPollMs);
  process.on('SIGHUP', () => {
    log.info('SIGHUP: reloading the model');
    void holder.reload(true);
  });
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info({ signal }, 'shutting down: no new requests, finishing the ones in flight');
  holder.stop();
  const timer = setTimeout(() => {
    log.warn({ timeout_ms: config.shutdownTimeoutMs }, 'in-flight requests did not finish in time; exiting');
    flush();
    process.exit(1);
  }, config.shutdownTimeoutMs);
  timer.unref();
  await app.close();
  clearTimeout(timer);
  log.info('stopped');
  flush();
  return 0;
}

// Not core's runCli: its SIGINT/SIGTERM handler exits at once (it removes a stage's temp files), and a server must
// instead stop accepting work and let the requests in flight finish. Errors still get core's one-line treatment.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined); // a closed pipe must not kill the server
void executeCli('mlops-api', main, process.argv.slice(2), createLogger({ name: 'mlops-api' })).then(
  (code) => {
    process.exitCode = code;
  },
);
