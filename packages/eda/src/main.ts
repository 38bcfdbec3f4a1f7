#!/usr/bin/env node
/**
 * mlops-eda: clean the raw obesity CSV exactly as the predecessor did (with opt-in improvements from params
 * `cleaning`), write the clean CSV and the EDA profile (JSON + Markdown), and log the run to MLflow. This file only
 * parses arguments, resolves paths and calls the library (src/lib); `main` runs in-process for tests.
 */
import {
  DEFAULT_PARAMS_PATH,
  checkOutputPaths,
  listForMessage,
  loadParams,
  parseCli,
  runCli,
  type Logger,
} from '@mlops/core';
import { cleanTable, type CleaningOptions } from './lib/clean.js';
import { PROFILE_JSON, PROFILE_MARKDOWN, buildProfile } from './lib/profile.js';
import { RunStats } from './lib/run-stats.js';
import { checkUsable, readRaw, writeCleanCsv, writeProfile } from './lib/stage.js';
import { EDA_EXPERIMENT, EDA_RUN_NAME, logEdaRun } from './lib/track.js';

const USAGE = `Usage: mlops-eda [--input RAW.csv] [--output CLEAN.csv] [--profile DIR] [--params FILE] [--no-mlflow]
                 [--require-tracking]

Cleans the raw obesity CSV as the predecessor did and writes:
  CLEAN.csv                 the cleaned data (17 columns, no missing values)
  DIR/${PROFILE_JSON}      the EDA profile for machines
  DIR/${PROFILE_MARKDOWN}        the same for people

Options:
  --input FILE         raw CSV (default: params data.raw_path)
  --output FILE        clean CSV (default: params data.interim_path)
  --profile DIR        profile folder (default: params data.profile_dir)
  --params FILE        params file (default: ${DEFAULT_PARAMS_PATH})
  --no-mlflow          do not log the run (otherwise: params mlflow.tracking_uri, env MLFLOW_TRACKING_URI wins;
                       the experiment is ${EDA_EXPERIMENT}, env MLFLOW_EXPERIMENT_NAME wins)
  --require-tracking   fail (exit 1) when the run cannot be logged; by default the data step succeeds and a
                       warning names the tracking server and the cause
  --stats-json FILE    write timing and peak memory of this run as JSON (for benchmarks)
  -h, --help           this text

Exit codes: 0 ok, 1 failure, 2 bad input (missing column, empty column, empty or non-CSV file, an output that is
an input, an unusable output path, bad params).`;

const OPTIONS = {
  input: { type: 'string' },
  output: { type: 'string' },
  profile: { type: 'string' },
  params: { type: 'string' },
  'no-mlflow': { type: 'boolean' },
  'require-tracking': { type: 'boolean' },
  'stats-json': { type: 'string' },
} as const;

/** The CLI: exit code 0, or an error runCli turns into one line and exit 1/2. */
export async function main(argv: string[], logger: Logger): Promise<number> {
  const measured = new RunStats(); // started here: module loading is the time before
  const { values } = parseCli(argv, OPTIONS, USAGE);
  measured.enabled = values['stats-json'] !== undefined;
  const params = await loadParams(values.params ?? DEFAULT_PARAMS_PATH, { logger });
  const input = values.input ?? params.data.raw_path;
  const output = values.output ?? params.data.interim_path;
  const profileDir = values.profile ?? params.data.profile_dir;
  // Before any work: no output may be the input or another output, and every output must be writable.
  checkOutputPaths({
    inputs: [{ flag: values.input ? '--input' : 'data.raw_path', path: input }],
    outputs: [
      { flag: values.output ? '--output' : 'data.interim_path', path: output },
      {
        flag: values.profile ? '--profile' : 'data.profile_dir',
        path: profileDir,
        files: [PROFILE_JSON, PROFILE_MARKDOWN],
      },
      ...(values['stats-json'] ? [{ flag: '--stats-json', path: values['stats-json'] }] : []),
    ],
  });
  // Tracking is opened before the work too: a bad tracking URI or store path is bad input now. Loaded only when
  // used: --no-mlflow runs skip the module entirely.
  const tracking = values['no-mlflow']
    ? undefined
    : await openTracking(params, logger, values['require-tracking']);
  const options: CleaningOptions = {
    dropMissingTarget: params.cleaning.drop_missing_target,
    dropDuplicates: params.cleaning.drop_duplicates,
    outlierMedianExcludesOutliers: params.cleaning.outlier_median_excludes_outliers,
  };

  const raw = await readRaw(input, logger, params.csv.max_line_chars);
  measured.mark('after_read');
  const table = cleanTable(raw, options);
  checkUsable(table, input);
  measured.mark('after_clean');
  if (table.unknownColumns.length > 0)
    logger.warn(
      `${table.unknownColumns.length} unknown column(s) kept out of the output: ${listForMessage(table.unknownColumns)}`,
    );
  // The experiment is resolved before any output is written: a deleted experiment, or a required server that is
  // down, stops the stage with nothing written (and bad input data stops it before the store is touched).
  await tracking?.prepare();
  await writeCleanCsv(table, output);
  const profile = buildProfile(table, { input, output });
  const files = writeProfile(profile, profileDir);
  measured.mark('after_write');

  const s = profile.summary;
  logger.info(
    `${input}: ${profile.input.rows} rows × ${profile.input.columns} columns → ${output}: ${profile.output.rows} rows × ${profile.output.columns} columns, 0 missing`,
  );
  logger.info(
    `corrected ${s.out_of_range_corrected} out-of-range values, imputed ${s.missing_imputed} missing cells, ` +
      `${s.duplicate_rows} duplicate rows (${s.dropped_duplicates} dropped), ${s.dropped_missing_target} rows dropped for a missing target`,
  );
  logger.info(`profile: ${files.json}, ${files.markdown}`);

  if (tracking) {
    const logged = await tracking.logRun({ runName: EDA_RUN_NAME }, (run) =>
      logEdaRun(run, profile, output, [files.json, files.markdown]),
    );
    if (logged)
      logger.info(
        `logged run ${logged.runId} to ${logged.trackingUri} (experiment ${logged.experimentName})`,
      );
  }
  if (values['stats-json']) await measured.write(values['stats-json'], profile.input.rows);
  return 0;
}

async function openTracking(
  params: Awaited<ReturnType<typeof loadParams>>,
  logger: Logger,
  required = false,
) {
  const { openStageTracking, paramsHash, PARAMS_HASH_TAG } = await import('@mlops/tracking');
  return openStageTracking({
    trackingUri: params.mlflow.tracking_uri,
    experimentName: EDA_EXPERIMENT,
    logger,
    required,
    baseTags: { [PARAMS_HASH_TAG]: paramsHash(params.cleaning), 'mlops.stage': 'eda' },
  });
}

void runCli('mlops-eda', main);
