#!/usr/bin/env node
/**
 * mlops-ml: train (cross-validated model selection into a model bundle), evaluate (the held-out rows of the
 * training file) and predict (batch scoring of a CSV). Argument parsing, paths and files only; the work is in lib.
 */
import { join } from 'node:path';
import {
  DEFAULT_PARAMS_PATH,
  InputError,
  checkOutputPaths,
  createProgress,
  loadParams,
  openCsv,
  parseCli,
  requireOption,
  runCli,
  writeCsv,
  writeFileAtomicSync,
  type Logger,
  type Params,
  type Progress,
} from '@mlops/core';
import {
  BUNDLE_FILE,
  LoadedModel,
  bundleFileOf,
  checkModelFolder,
  describeIssues,
  describeUnknown,
  inputFields,
  obesityFeatureSpec,
  readBundle,
  writeModelFolder,
  type RowIssue,
  type UnknownCategories,
} from '@mlops/model';
import { fileMd5, readLabeledCsv } from './lib/data.js';
import { complementRows, evaluationReport } from './lib/evaluate.js';
import { createRunner, threadsFor } from './lib/pool.js';
import {
  COMPARISON_JSON,
  CV_CSV,
  CV_JSON,
  EVALUATION_CSV,
  EVALUATION_JSON,
  cvTableCsv,
  cvTableJson,
  modelComparisonJson,
  evaluationJson,
  evaluationSummaryCsv,
} from './lib/reports.js';
import { backendLines, modelFolderFiles } from './lib/model-folder.js';
import { trackTraining } from './lib/tracking.js';
import { samplingLines } from './lib/sampling.js';
import { planCandidates, trainModels } from './lib/train.js';

const USAGE = `Usage:
  mlops-ml train    [--input CLEAN.csv] [--output MODEL_DIR] [--metrics DIR] [--params FILE] [--no-mlflow]
  mlops-ml evaluate [--input CLEAN.csv] [--model MODEL_DIR] [--output METRICS_DIR] [--params FILE]
  mlops-ml predict  --input ROWS.csv --output PRED.csv [--model MODEL_DIR] [--skip-invalid] [--params FILE]

train     cross-validates every model of params models.algorithms (random search for the boosted trees) on the
          training split, picks the best mean CV score (training.scoring), refits it on the whole training split
          and writes MODEL_DIR/${BUNDLE_FILE}, plus DIR/${CV_JSON} and DIR/${CV_CSV} (every model, draw and fold)
evaluate  scores the rows train held out (the same file, checked by md5) and writes METRICS_DIR/${EVALUATION_JSON}
          and METRICS_DIR/${EVALUATION_CSV}
predict   scores every row of ROWS.csv (the 16 input columns; a target column is ignored) into PRED.csv: row,
          prediction, then one probability column per class

Options:
  --input FILE       clean CSV (default: params data.interim_path)
  --output PATH      train: the model folder (default: params models.output_dir); evaluate: the metrics folder
                     (default: params reports.metrics_dir); predict: the predictions CSV
  --model DIR        the model folder (default: params models.output_dir)
  --metrics DIR      train: where the CV tables go (default: params reports.metrics_dir)
  --skip-invalid     predict: leave invalid rows out (reported) instead of failing
  --params FILE      params file (default: ${DEFAULT_PARAMS_PATH})
  --no-mlflow        train: do not log runs (otherwise params mlflow.*; env MLFLOW_TRACKING_URI wins)
  --stats-json FILE  write timing and peak memory of this run as JSON (for benchmarks)
  -h, --help         this text

Exit codes: 0 ok, 1 failure, 2 bad input (a missing column, text in a numeric column, a target with one class,
fewer rows of a class than folds, an unknown algorithm or bad params, an unusable output path, invalid rows).`;

const OPTIONS = {
  input: { type: 'string' },
  output: { type: 'string' },
  model: { type: 'string' },
  metrics: { type: 'string' },
  params: { type: 'string' },
  'skip-invalid': { type: 'boolean' },
  'no-mlflow': { type: 'boolean' },
  'stats-json': { type: 'string' },
} as const;

/** An output path that is one of the inputs would destroy it: refused before any work. */
async function train(
  values: Record<string, unknown>,
  params: Params,
  logger: Logger,
): Promise<Record<string, unknown>> {
  const input = (values['input'] as string | undefined) ?? params.data.interim_path;
  const output = (values['output'] as string | undefined) ?? params.models.output_dir;
  const metricsDir = (values['metrics'] as string | undefined) ?? params.reports.metrics_dir;
  // everything that can be refused is refused now, before the work: output paths, learners
  checkOutputPaths({
    inputs: [{ flag: values['input'] ? '--input' : 'data.interim_path', path: input }],
    outputs: [
      { flag: values['output'] ? '--output' : 'models.output_dir', path: output, files: [BUNDLE_FILE] },
      {
        flag: values['metrics'] ? '--metrics' : 'reports.metrics_dir',
        path: metricsDir,
        files: [CV_JSON, CV_CSV, COMPARISON_JSON],
      },
    ],
  });
  const candidates = planCandidates(params);
  checkModelFolder(output);
  const spec = obesityFeatureSpec({ bmi: params.preprocessing.create_bmi });
  const data = await readLabeledCsv(input, spec);
  if (data.warning) logger.warn(`${input}: ${data.warning}`);
  logger.info(
    `${input}: ${data.rows} rows, ${data.labels.length} classes; models: ${candidates.map((c) => c.key).join(', ')}`,
  );
  const threads = threadsFor(params.training.n_jobs);
  let progress: Progress | undefined;
  const started = process.hrtime.bigint();
  const outcome = await trainModels(data, params, {
    spec,
    runner: (shared, maxThreads) => createRunner(shared, Math.min(threads, maxThreads ?? threads)),
    onPhase: (label, total, unit = 'fits') => {
      progress?.done();
      progress = createProgress({ label, total, logger, unit });
    },
    onTask: () => progress?.tick(),
  });
  progress?.done();
  const trainSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const line of samplingLines(outcome.sampling)) logger.info(line);
  for (const c of outcome.candidates) {
    const d = c.draws[c.best]!;
    logger.info(
      `${c.spec.key}: CV ${outcome.scoring} ${d.mean.toFixed(4)} ± ${d.std.toFixed(4)} (${c.draws.length} draw${c.draws.length === 1 ? '' : 's'}), test accuracy ${c.report.test_accuracy.toFixed(4)}`,
    );
  }
  for (const line of backendLines(outcome)) logger[line.level](line.text);
  const winner = outcome.candidates[outcome.winner]!;
  const files = await modelFolderFiles(outcome);
  const text = files[0]!.data as string;
  writeModelFolder(output, files);
  const cvJson = join(metricsDir, CV_JSON);
  const cvCsv = join(metricsDir, CV_CSV);
  writeFileAtomicSync(cvJson, cvTableJson(outcome));
  writeFileAtomicSync(cvCsv, cvTableCsv(outcome));
  writeFileAtomicSync(join(metricsDir, COMPARISON_JSON), modelComparisonJson(outcome));
  logger.info(
    `best: ${winner.spec.key} (CV ${outcome.scoring} ${winner.draws[winner.best]!.mean.toFixed(4)}, test accuracy ${winner.report.test_accuracy.toFixed(4)}) → ${join(output, BUNDLE_FILE)}`,
  );
  await trackTraining({
    params,
    logger,
    enabled: !values['no-mlflow'],
    outcome,
    modelFiles: files.map((f) => join(output, f.name)),
    bundleChecksum: /"checksum":"sha256:([0-9a-f]{64})"/.exec(text)![1]!,
    reportFiles: [cvJson, cvCsv],
    dataMd5: data.md5,
  });
  return {
    train_seconds: trainSeconds,
    threads,
    winner: winner.spec.key,
    sampling: outcome.sampling,
    models: outcome.candidates.map((c) => ({
      model: c.spec.key,
      cv_mean: c.draws[c.best]!.mean,
      cv_std: c.draws[c.best]!.std,
      draws: c.draws.length,
      fit_seconds_total: c.draws.reduce((s, d) => s + d.fitSeconds.reduce((a, b) => a + b, 0), 0),
      refit_seconds: c.refit.fitSeconds,
      test_accuracy: c.report.test_accuracy,
    })),
  };
}

async function evaluate(
  values: Record<string, unknown>,
  params: Params,
  logger: Logger,
): Promise<Record<string, unknown>> {
  const input = (values['input'] as string | undefined) ?? params.data.interim_path;
  const modelDir = (values['model'] as string | undefined) ?? params.models.output_dir;
  const output = (values['output'] as string | undefined) ?? params.reports.metrics_dir;
  const jsonPath = join(output, EVALUATION_JSON);
  const csvPath = join(output, EVALUATION_CSV);
  checkOutputPaths({
    inputs: [
      { flag: values['input'] ? '--input' : 'data.interim_path', path: input },
      { flag: values['model'] ? '--model' : 'models.output_dir', path: bundleFileOf(modelDir) },
    ],
    outputs: [
      {
        flag: values['output'] ? '--output' : 'reports.metrics_dir',
        path: output,
        files: [EVALUATION_JSON, EVALUATION_CSV],
      },
    ],
  });
  const bundle = readBundle(modelDir);
  const md5 = await fileMd5(input);
  const td = bundle.training_data;
  if (md5 !== td.md5)
    throw new InputError(
      `${input}: not the file the model was trained on (md5 ${md5}; the model's ${td.file} has md5 ${td.md5}): evaluate scores the rows train held out of that file`,
    );
  const data = await readLabeledCsv(input, bundle.feature_spec, bundle.labels);
  if (data.rows !== td.rows)
    throw new InputError(`${input}: ${data.rows} rows; the model was trained on ${td.rows}`);
  const model = new LoadedModel(bundle);
  const test = Int32Array.from(td.test_indices);
  const report = evaluationReport(
    model,
    bundle.model_name,
    bundle.algorithm,
    bundle.labels,
    data.batch,
    data.y,
    complementRows(data.rows, test),
    test,
    td.evaluation_sample
      ? { maxRows: td.evaluation_sample.max_rows, seed: td.evaluation_sample.seed }
      : undefined,
  );
  writeFileAtomicSync(
    jsonPath,
    evaluationJson(report, { data_md5: md5, scoring: bundle.metrics.scoring, cv: bundle.metrics.cv }),
  );
  writeFileAtomicSync(csvPath, evaluationSummaryCsv(report, params.evaluation.metrics));
  logger.info(
    `${bundle.model_name}: test accuracy ${report.test_accuracy.toFixed(4)}, F1 weighted ${report.test_f1.toFixed(4)} on ${report.test_rows_evaluated === report.test_set_size ? '' : `a stratified sample of ${report.test_rows_evaluated} of the `}${report.test_set_size} held-out rows; train accuracy ${report.train_accuracy.toFixed(4)} (${report.overfitting_status}) → ${jsonPath}`,
  );
  return { test_accuracy: report.test_accuracy };
}

const PREDICT_BATCH = 8192;

async function predict(
  values: Record<string, unknown>,
  params: Params,
  logger: Logger,
): Promise<Record<string, unknown>> {
  const input = requireOption(values['input'], 'input');
  const output = requireOption(values['output'], 'output');
  const modelDir = (values['model'] as string | undefined) ?? params.models.output_dir;
  const skipInvalid = Boolean(values['skip-invalid']);
  checkOutputPaths({
    inputs: [
      { flag: '--input', path: input },
      { flag: values['model'] ? '--model' : 'models.output_dir', path: bundleFileOf(modelDir) },
    ],
    outputs: [{ flag: '--output', path: output }],
  });
  const model = new LoadedModel(readBundle(modelDir));
  const fields = inputFields(model.bundle.feature_spec);
  const { header, records } = await openCsv(input);
  const columns = fields.map((f) => header.indexOf(f));
  const missing = fields.filter((_, i) => columns[i]! < 0);
  if (missing.length > 0) {
    await records.return();
    throw new InputError(
      `${input}: missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`,
    );
  }
  const issues: RowIssue[] = [];
  const unknown: UnknownCategories = {};
  let scored = 0;
  let total = 0;
  await writeCsv(output, ['row', 'prediction', ...model.labels.map((l) => `proba_${l}`)], async (writer) => {
    let rows: Record<string, unknown>[] = [];
    let first = 1;
    const flush = async () => {
      const result = model.predict(rows, { skipInvalid: true, firstRowNumber: first });
      issues.push(...result.invalid);
      for (const [field, entry] of Object.entries(result.unknownCategories)) {
        const into = (unknown[field] ??= { count: 0, values: [] });
        into.count += entry.count;
        for (const v of entry.values)
          if (into.values.length < 5 && !into.values.includes(v)) into.values.push(v);
      }
      for (let i = 0; i < result.predictions.length; i++) {
        const p = result.predictions[i]!;
        await writer.writeRow([
          String(first + result.rowIndex[i]!),
          p.label,
          ...model.labels.map((l) => String(p.probabilities[l])),
        ]);
      }
      scored += result.predictions.length;
      first += rows.length;
      rows = [];
    };
    for await (const record of records) {
      const row: Record<string, unknown> = {};
      for (let j = 0; j < fields.length; j++) row[fields[j]!] = record.fields[columns[j]!];
      rows.push(row);
      total++;
      if (rows.length === PREDICT_BATCH) await flush();
    }
    if (rows.length > 0) await flush();
    if (issues.length > 0) {
      for (const issue of issues.slice(0, 100))
        logger.error(`${input}: row ${issue.row}, field "${issue.field}": ${issue.message}`);
      if (issues.length > 100) logger.error(`${input}: … and ${issues.length - 100} more invalid fields`);
      if (!skipInvalid) {
        const rowsBad = new Set(issues.map((i) => i.row)).size;
        throw new InputError(
          `${input}: ${rowsBad} invalid row${rowsBad === 1 ? '' : 's'} (${describeIssues(issues, 2)}); nothing written (--skip-invalid scores the others)`,
        );
      }
    }
  });
  const warning = describeUnknown(unknown);
  if (warning) logger.warn(`${input}: ${warning}`);
  const skipped = new Set(issues.map((i) => i.row)).size;
  logger.info(
    `${input}: ${scored} of ${total} rows scored${skipped ? ` (${skipped} invalid skipped)` : ''} → ${output}`,
  );
  return { rows: total, scored };
}

/** The CLI, callable in-process (tests); the module runs it as the program through runCli below. */
export async function main(argv: string[], logger: Logger): Promise<number> {
  const { values, positionals } = parseCli(argv, OPTIONS, USAGE);
  const verb = positionals[0];
  if (positionals.length !== 1 || !['train', 'evaluate', 'predict'].includes(verb!))
    throw new InputError(
      `expected one command: train, evaluate or predict${verb ? ` (got "${positionals.join(' ')}")` : ''}\n\n${USAGE}`,
    );
  const params = await loadParams(values.params ?? DEFAULT_PARAMS_PATH);
  const started = process.hrtime.bigint();
  const run = verb === 'train' ? train : verb === 'evaluate' ? evaluate : predict;
  const stats = await run(values, params, logger);
  if (values['stats-json']) {
    writeFileAtomicSync(
      values['stats-json'],
      JSON.stringify(
        {
          command: verb,
          wall_seconds: Number(process.hrtime.bigint() - started) / 1e9,
          // CPU time of every thread of the process (workers included): the figure a loaded machine does not inflate
          cpu_seconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
          max_rss_mb: process.resourceUsage().maxRSS / 1024,
          ...stats,
        },
        null,
        2,
      ) + '\n',
    );
  }
  return 0;
}

void runCli('mlops-ml', main);
