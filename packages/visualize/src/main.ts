#!/usr/bin/env node
/**
 * mlops-visualize: the figures of the data and the models (Vega-Lite spec + SVG and/or PNG each) and one
 * self-contained HTML report. Exit 0 ok, 1 failure (e.g. the chart font is missing), 2 bad input.
 */
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import {
  DEFAULT_PARAMS_PATH,
  ExitCode,
  FailureError,
  InputError,
  MlopsError,
  loadParams,
  parseCli,
  runCli,
} from '@mlops/core';
import { COMPARISON_FILE, DRIFT_REPORT_FILE, EDA_PROFILE_FILE, METRICS_FILES } from './lib/inputs.js';

const USAGE = `Usage: mlops-visualize --input CLEAN.csv --metrics METRICS_DIR --output-dir FIGURES_DIR
                       [--report reports/index.html] [--format png|svg|both] [--dpi N] [--params FILE]

Draws figures 01-06 from the clean CSV and 07-09 from the ml stage's metrics (${Object.values(METRICS_FILES).join(', ')};
skipped with a warning when absent) into FIGURES_DIR, each as NAME.vl.json (the Vega-Lite spec with its data) plus
NAME.png and/or NAME.svg, and writes one self-contained HTML report (the figures interactive, the EDA profile
${EDA_PROFILE_FILE}, the CV table, the evaluation, the compare result ${COMPARISON_FILE} and the drift report
${DRIFT_REPORT_FILE} when present) that opens from disk with no server.

Defaults come from params (--params, default ${DEFAULT_PARAMS_PATH}): --input data.interim_path, --metrics
reports.metrics_dir, --output-dir reports.figures_dir, --report reports.report_path, --format reports.format,
--dpi reports.dpi (PNG pixels = SVG pixels × dpi / 96); the EDA profile from data.profile_dir, the comparison from
data.compare_dir, the drift report from drift.output_dir and the drift figures' specs from
data.drift_figures_dir.
Text is drawn with DejaVu Sans (Debian fonts-dejavu-core); MLOPS_CHART_FONT (+ MLOPS_CHART_FONT_FAMILY) picks another.
Exit codes: 0 ok, 1 failure, 2 bad input.`;

/**
 * The engine's errors come from its own copy of @mlops/core (loaded at run time, not from the CLI's bundle), so
 * `instanceof` does not know them: they are turned into this copy's by their exit code.
 */
function sameKind(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof MlopsError) return error;
  const code = (error as { exitCode?: unknown }).exitCode;
  if (code === ExitCode.badInput) return new InputError(error.message, { cause: error });
  if (code === ExitCode.failure) return new FailureError(error.message, { cause: error });
  return error;
}

runCli('mlops-visualize', async (argv, logger) => {
  const { values } = parseCli(
    argv,
    {
      input: { type: 'string' },
      metrics: { type: 'string' },
      'output-dir': { type: 'string' },
      report: { type: 'string' },
      format: { type: 'string' },
      dpi: { type: 'string' },
      params: { type: 'string' },
    },
    USAGE,
  );
  const params = await loadParams(values.params ?? DEFAULT_PARAMS_PATH);
  const format = values.format ?? params.reports.format;
  if (format !== 'png' && format !== 'svg' && format !== 'both')
    throw new InputError(`--format: "${format}" is not one of png, svg, both`);
  let dpi = params.reports.dpi;
  if (values.dpi !== undefined) {
    dpi = Number(values.dpi);
    if (!Number.isInteger(dpi) || dpi < 1 || dpi > 2400)
      throw new InputError(`--dpi: "${values.dpi}" is not a whole number from 1 to 2400`);
  }
  const input = values.input ?? params.data.interim_path;
  const reportPath = values.report ?? params.reports.report_path;
  const outputDir = values['output-dir'] ?? params.reports.figures_dir;
  if (resolve(reportPath) === resolve(input))
    throw new InputError(`--report ${reportPath}: is the input file; choose another report path`);
  // The engine is loaded after the arguments are checked (--help and bad options answer without loading vega), and
  // as ES modules from dist/lib at run time, never inside the CLI's CommonJS bundle: vega's Node build has a
  // top-level await and resvg is a native addon, neither of which a CommonJS bundle can hold.
  // A short run through a large library: at V8's default budget TurboFan optimises hundreds of vega functions that
  // run a few times more, most of the stage's CPU time being that compilation (the real data: 1.7 -> 1.2 s CPU
  // without PNGs at 16x the budget); the loops over a million rows still get optimised within their first pass.
  setFlagsFromString(`--interrupt-budget=${16 * 67584}`);
  // Loading vega grows V8's young generation to its largest (2 x 16 MB semi-spaces, kept to the end, through the
  // rendering); kept at its initial size the run's peak RSS is ~25 MB lower (real data: same CPU; 1M rows: ~1.5 s
  // more CPU, the CSV parser allocating a string per cell), which keeps 1M rows under the 300 MB goal.
  setFlagsFromString('--semi-space-growth-factor=1');
  const engine = new URL('./lib/run.js', import.meta.url).href;
  const { visualize } = (await import(engine)) as typeof import('./lib/run.js');
  try {
    await visualize(
      {
        input,
        metricsDir: values.metrics ?? params.reports.metrics_dir,
        outputDir,
        reportPath,
        format,
        dpi,
        profileDir: params.data.profile_dir,
        compareDir: params.data.compare_dir,
        driftDir: params.drift.output_dir,
        driftFiguresDir: params.data.drift_figures_dir,
      },
      logger,
    );
  } catch (error) {
    throw sameKind(error);
  }
});
