#!/usr/bin/env node
/**
 * mlops-eda: clean the raw obesity CSV exactly as the predecessor did (spec §2, with opt-in improvements from
 * params `cleaning`), write the clean CSV and the EDA profile (JSON + Markdown), and log the run to MLflow.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_PARAMS_PATH,
  checkWritableFile,
  InputError,
  createProgress,
  loadParams,
  openCsvBatches,
  parseCli,
  runCli,
  writeChunk,
  writeStreamAtomic,
  writeFileAtomic,
  writeFileAtomicSync,
  type Logger,
  type Params,
} from '@mlops/core';
import { RawAccumulator, maxRowsForFileSize } from './lib/accumulate.js';
import { cleanTable, type CleanedTable, type CleaningOptions } from './lib/clean.js';
import { outputCsvChunks } from './lib/output.js';
import {
  PROFILE_JSON,
  PROFILE_MARKDOWN,
  buildProfile,
  renderProfileMarkdown,
  type EdaProfile,
} from './lib/profile.js';

const USAGE = `Usage: mlops-eda [--input RAW.csv] [--output CLEAN.csv] [--profile DIR] [--params FILE] [--no-mlflow]

Cleans the raw obesity CSV as the predecessor did (spec §2) and writes:
  CLEAN.csv                 the cleaned data (17 columns, no missing values)
  DIR/${PROFILE_JSON}      the EDA profile for machines
  DIR/${PROFILE_MARKDOWN}        the same for people

Options:
  --input FILE       raw CSV (default: params data.raw_path)
  --output FILE      clean CSV (default: params data.interim_path)
  --profile DIR      profile folder (default: params data.profile_dir)
  --params FILE      params file (default: ${DEFAULT_PARAMS_PATH})
  --no-mlflow        do not log the run (otherwise: params mlflow.tracking_uri, env MLFLOW_TRACKING_URI wins)
  --stats-json FILE  write timing and peak memory of this run as JSON (for benchmarks)
  -h, --help         this text

Exit codes: 0 ok, 1 failure, 2 bad input (missing column, empty column, empty or non-CSV file, bad params).`;

/** Milliseconds since the process started (process.uptime: the global `performance` would load perf_hooks). */
const msSinceStart = () => process.uptime() * 1000;

const EXPERIMENT = 'obesity-eda-refactored';
/** Up to this many output rows (~13 MB of CSV) the clean CSV is built whole and written in one call. */
const WHOLE_OUTPUT_MAX_ROWS = 100_000;
const RUN_NAME = 'eda_data_cleaning';

async function readRaw(input: string, logger: Logger) {
  const { header, batches } = await openCsvBatches(input);
  let accumulator: RawAccumulator;
  try {
    const bytes = (await stat(input)).size;
    accumulator = new RawAccumulator(header, input, maxRowsForFileSize(bytes, header.length));
  } catch (error) {
    await batches.return();
    throw error;
  }
  const progress = createProgress({ label: 'reading', logger, unit: 'rows' });
  for await (const batch of batches) {
    for (let i = 0; i < batch.length; i++) accumulator.push(batch[i]!.fields);
    progress.tick(batch.length);
  }
  return accumulator.finish();
}

function checkUsable(table: CleanedTable, input: string): void {
  if (table.emptyColumns.length > 0) {
    const names = table.emptyColumns.map((c) => `"${c}"`).join(', ');
    throw new InputError(
      `${input}: column${table.emptyColumns.length > 1 ? 's' : ''} ${names} ha${table.emptyColumns.length > 1 ? 've' : 's'} no usable value ` +
        `(all ${table.inputRows - table.droppedMissingTarget} cells are empty, N/A or not a value), so it cannot be imputed`,
    );
  }
  if (table.outputRows === 0) throw new InputError(`${input}: no row is left after cleaning`);
}

async function track(
  params: Params,
  logger: Logger,
  enabled: boolean,
  profile: EdaProfile,
  output: string,
  profileFiles: string[],
): Promise<void> {
  if (!enabled) return;
  // Loaded only when used: --no-mlflow runs skip the module entirely.
  const { createTracker, paramsHash, PARAMS_HASH_TAG } = await import('@mlops/tracking');
  const tracker = await createTracker({
    trackingUri: params.mlflow.tracking_uri,
    experimentName: EXPERIMENT,
    logger,
    enabled,
    baseTags: { [PARAMS_HASH_TAG]: paramsHash(params.cleaning), 'mlops.stage': 'eda' },
  });
  await tracker.withRun({ runName: RUN_NAME }, async (run) => {
    await run.logParams({
      input_rows: profile.input.rows,
      input_columns: profile.input.columns,
      input_missing: profile.input.missing_cells,
      output_rows: profile.output.rows,
      output_columns: profile.output.columns,
      output_missing: profile.output.missing_cells,
      drop_missing_target: profile.options.drop_missing_target,
      drop_duplicates: profile.options.drop_duplicates,
      outlier_median_excludes_outliers: profile.options.outlier_median_excludes_outliers,
    });
    await run.logMetrics({
      rows_preserved_pct: profile.summary.rows_preserved_pct,
      out_of_range_corrected: profile.summary.out_of_range_corrected,
      missing_imputed: profile.summary.missing_imputed,
      duplicate_rows: profile.summary.duplicate_rows,
    });
    await run.logArtifact(output);
    for (const file of profileFiles) await run.logArtifact(file, 'profile');
    logger.info(`logged run ${run.runId} to ${tracker.trackingUri} (experiment ${EXPERIMENT})`);
  });
}

void runCli('mlops-eda', async (argv, logger) => {
  const started = msSinceStart();
  const startupMs = started; // module loading until here
  const { values } = parseCli(
    argv,
    {
      input: { type: 'string' },
      output: { type: 'string' },
      profile: { type: 'string' },
      params: { type: 'string' },
      'no-mlflow': { type: 'boolean' },
      'stats-json': { type: 'string' },
    },
    USAGE,
  );
  const params = await loadParams(values.params ?? DEFAULT_PARAMS_PATH);
  const input = values.input ?? params.data.raw_path;
  const output = values.output ?? params.data.interim_path;
  const profileDir = values.profile ?? params.data.profile_dir;
  // Unusable output paths fail now, with nothing written, not after the work with half the outputs on disk.
  checkWritableFile(output);
  checkWritableFile(join(profileDir, PROFILE_JSON));
  const options: CleaningOptions = {
    dropMissingTarget: params.cleaning.drop_missing_target,
    dropDuplicates: params.cleaning.drop_duplicates,
    outlierMedianExcludesOutliers: params.cleaning.outlier_median_excludes_outliers,
  };

  const memory: Record<string, Record<string, number>> = {};
  const snapshot = (phase: string) => {
    if (!values['stats-json']) return; // heap statistics and RSS are read only for --stats-json
    const m = process.memoryUsage();
    memory[phase] = {
      rss_mb: m.rss / 2 ** 20,
      heap_total_mb: m.heapTotal / 2 ** 20,
      heap_used_mb: m.heapUsed / 2 ** 20,
      array_buffers_mb: m.arrayBuffers / 2 ** 20,
      max_rss_mb: process.resourceUsage().maxRSS / 1024,
    };
  };
  const raw = await readRaw(input, logger);
  const readDone = msSinceStart();
  snapshot('after_read');
  const table = cleanTable(raw, options);
  checkUsable(table, input);
  const cleanDone = msSinceStart();
  snapshot('after_clean');
  if (table.unknownColumns.length > 0)
    logger.warn(`unknown column(s) kept out of the output: ${table.unknownColumns.join(', ')}`);

  // A small table is written in one synchronous write; a large one streams in 64K-character chunks.
  if (table.outputRows <= WHOLE_OUTPUT_MAX_ROWS) {
    writeFileAtomicSync(output, [...outputCsvChunks(table)].join(''));
  } else {
    await writeStreamAtomic(output, async (stream) => {
      for (const chunk of outputCsvChunks(table)) await writeChunk(stream, chunk);
    });
  }
  const profile = buildProfile(table, { input, output });
  const jsonPath = join(profileDir, PROFILE_JSON);
  const mdPath = join(profileDir, PROFILE_MARKDOWN);
  writeFileAtomicSync(jsonPath, JSON.stringify(profile, null, 2) + '\n');
  writeFileAtomicSync(mdPath, renderProfileMarkdown(profile));
  const writeDone = msSinceStart();
  snapshot('after_write');

  const s = profile.summary;
  logger.info(
    `${input}: ${profile.input.rows} rows × ${profile.input.columns} columns → ${output}: ${profile.output.rows} rows × ${profile.output.columns} columns, 0 missing`,
  );
  logger.info(
    `corrected ${s.out_of_range_corrected} out-of-range values, imputed ${s.missing_imputed} missing cells, ` +
      `${s.duplicate_rows} duplicate rows (${s.dropped_duplicates} dropped), ${s.dropped_missing_target} rows dropped for a missing target`,
  );
  logger.info(`profile: ${jsonPath}, ${mdPath}`);

  await track(params, logger, !values['no-mlflow'], profile, output, [jsonPath, mdPath]);

  if (values['stats-json']) {
    const usage = process.resourceUsage();
    await writeFileAtomic(
      values['stats-json'],
      JSON.stringify(
        {
          rows: profile.input.rows,
          startup_ms: startupMs,
          read_ms: readDone - started,
          clean_ms: cleanDone - readDone,
          write_ms: writeDone - cleanDone,
          total_ms: msSinceStart() - started,
          cpu_ms: (usage.userCPUTime + usage.systemCPUTime) / 1000,
          max_rss_mb: usage.maxRSS / 1024,
          memory,
        },
        null,
        2,
      ) + '\n',
    );
  }
});
