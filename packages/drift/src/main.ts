#!/usr/bin/env node
/**
 * mlops-drift: simulate drift, detect it, draw it. Argument parsing, paths and IO only; the work is in src/lib.
 * Exit codes: 0 ok, 1 failure, 2 bad input, 3 the release verdict fired and failing on it was asked.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import {
  DEFAULT_PARAMS_PATH,
  ExitCode,
  InputError,
  checkOutputPaths,
  checkWritableFolder,
  loadParams,
  parseCli,
  runCli,
  writeFileAtomic,
  type Logger,
} from '@mlops/core';
import { driftFigures } from './lib/charts.js';
import { EXIT_DRIFT, detectDrift, type DriftReport, type ModelEvaluation } from './lib/detect.js';
import { loadNumericColumns, loadTable, writeWithColumns } from './lib/load.js';
import { evaluateModel } from './lib/model.js';
import { detectOptions, simulateOptions } from './lib/options.js';
import {
  ALERTS_TEXT,
  REPORT_JSON,
  REPORT_MARKDOWN,
  alertsText,
  reportJson,
  reportMarkdown,
} from './lib/report.js';
import { simulateDrift, simulatedColumns } from './lib/simulate.js';

const USAGE = `Usage: mlops-drift <command> [options] [--params FILE]

Commands:
  simulate  --input CLEAN.csv --output DRIFTED.csv
            Writes a copy with the drift scenario of drift.simulate applied (shifted means, noise, clipped to
            each column's valid range), seeded. Defaults: data.interim_path -> data.drifted_path.
  detect    --reference CLEAN.csv --current DRIFTED.csv (--model MODEL_DIR | --no-model) --output DIR
            [--fail-on-drift]
            Writes DIR/${REPORT_JSON}, DIR/${REPORT_MARKDOWN} and DIR/${ALERTS_TEXT}: per column Evidently's
            default test (score, threshold, decision) and the predecessor's PSI / KS numbers, model performance on
            the reference's held-out rows vs the current data, dataset_drift and the release verdict.
            Defaults: data.interim_path, data.drifted_path, models.output_dir, drift.output_dir.
  visualize --reference CLEAN.csv --current DRIFTED.csv --report DIR/${REPORT_JSON} --output-dir DIR
            Writes the drift figures as Vega-Lite specs (<name>.vl.json): 10_drift_distributions, and with a
            report 11_drift_performance_comparison, 12_drift_psi_heatmap and drift_overlay_<column> per drifted
            column. Defaults: data.interim_path, data.drifted_path, drift.output_dir/${REPORT_JSON},
            data.drift_figures_dir.

Thresholds and rules come from params drift.* (--params, default ${DEFAULT_PARAMS_PATH}).
Exit codes: 0 ok, 1 failure, 2 bad input, 3 the release verdict fired with --fail-on-drift (or drift.fail_on_drift).`;

const OPTIONS = {
  input: { type: 'string' },
  output: { type: 'string' },
  reference: { type: 'string' },
  current: { type: 'string' },
  model: { type: 'string' },
  'no-model': { type: 'boolean' },
  report: { type: 'string' },
  'output-dir': { type: 'string' },
  'fail-on-drift': { type: 'boolean' },
  params: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseCli<typeof OPTIONS>>['values'];

const ALLOWED: Record<string, ReadonlyArray<keyof Values>> = {
  simulate: ['input', 'output', 'params'],
  detect: ['reference', 'current', 'model', 'no-model', 'output', 'fail-on-drift', 'params'],
  visualize: ['reference', 'current', 'report', 'output-dir', 'params'],
};

/** An output path must not be one of the inputs (nothing overwrites an input). */
function requireFile(path: string, what: string): void {
  if (!existsSync(path)) throw new InputError(`${path}: ${what} not found`);
}

async function simulate(values: Values, logger: Logger): Promise<number> {
  const params = await loadParams(values.params ?? DEFAULT_PARAMS_PATH);
  const input = values.input ?? params.data.interim_path;
  const output = values.output ?? params.data.drifted_path;
  checkOutputPaths({
    inputs: [{ flag: values.input ? '--input' : 'data.interim_path', path: input }],
    outputs: [{ flag: values.output ? '--output' : 'data.drifted_path', path: output }],
  });
  const options = simulateOptions(params);
  const { rowCount, columns } = await loadNumericColumns(input, simulatedColumns(options));
  const result = simulateDrift(columns, options);
  await writeWithColumns(input, output, result.columns);
  for (const s of result.summary) {
    logger.info(
      `${s.column}: ${s.transformation} ${s.transformation === 'shift' ? `+${s.shift.toPrecision(4)}` : `sd ${s.noiseSd.toPrecision(3)}`}, mean ${s.meanBefore.toFixed(4)} -> ${s.meanAfter.toFixed(4)} (${s.meanChangePct >= 0 ? '+' : ''}${s.meanChangePct.toFixed(2)}%)`,
    );
  }
  logger.info(`wrote ${output} (${rowCount} rows, seed ${options.seed})`);
  return ExitCode.ok;
}

async function detect(values: Values, logger: Logger): Promise<number> {
  const params = await loadParams(values.params ?? DEFAULT_PARAMS_PATH);
  const referencePath = values.reference ?? params.data.interim_path;
  const currentPath = values.current ?? params.data.drifted_path;
  const outputDir = values.output ?? params.drift.output_dir;
  const noModel = values['no-model'] ?? false;
  if (noModel && values.model) throw new InputError('--model and --no-model exclude each other');
  const modelDir = noModel ? undefined : (values.model ?? params.models.output_dir);
  const failOnDrift = values['fail-on-drift'] ?? params.drift.fail_on_drift;
  checkOutputPaths({
    inputs: [
      { flag: values.reference ? '--reference' : 'data.interim_path', path: referencePath },
      { flag: values.current ? '--current' : 'data.drifted_path', path: currentPath },
    ],
    outputs: [
      {
        flag: values.output ? '--output' : 'drift.output_dir',
        path: outputDir,
        files: [REPORT_JSON, REPORT_MARKDOWN, ALERTS_TEXT],
      },
    ],
  });
  if (modelDir !== undefined) {
    if (!existsSync(modelDir) || !statSync(modelDir).isDirectory())
      throw new InputError(
        `${modelDir}: model folder not found (train one with mlops-ml train, or run detect with --no-model)`,
      );
  }

  const [reference, current] = await Promise.all([loadTable(referencePath), loadTable(currentPath)]);
  const options = detectOptions(params);
  const model: ModelEvaluation =
    modelDir === undefined
      ? { computed: false, reason: 'no model (--no-model)' }
      : await evaluateModel(modelDir, reference, current, { minRows: options.minRows });
  const report = detectDrift(reference, current, options, model);

  // Markdown and alerts first, JSON last: the JSON appearing means the run completed.
  await writeFileAtomic(join(outputDir, REPORT_MARKDOWN), reportMarkdown(report));
  await writeFileAtomic(join(outputDir, ALERTS_TEXT), alertsText(report.alerts));
  await writeFileAtomic(join(outputDir, REPORT_JSON), reportJson(report));

  const ev = report.evidently;
  logger.info(
    `dataset_drift ${report.verdict.dataset_drift}: ${ev.number_of_drifted_columns} of ${ev.number_of_columns} columns drifted`,
  );
  if (!model.computed) logger.info(`model performance not computed: ${model.reason}`);
  const release = report.verdict.release;
  logger.info(
    `release verdict ${release.fires ? 'FIRES' : 'does not fire'}${release.reasons.length ? `: ${release.reasons.join('; ')}` : ''}`,
  );
  logger.info(
    `report: ${[REPORT_JSON, REPORT_MARKDOWN, ALERTS_TEXT].map((f) => join(outputDir, f)).join(', ')}`,
  );
  if (release.fires && failOnDrift) {
    process.stderr.write(`mlops-drift: release verdict fired: ${release.reasons.join('; ')}\n`);
    return EXIT_DRIFT;
  }
  return ExitCode.ok;
}

function readReport(path: string): DriftReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(
      `${path}: not a drift report (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const r = parsed as Partial<DriftReport>;
  if (
    !r ||
    typeof r !== 'object' ||
    !Array.isArray(r.evidently?.columns) ||
    typeof r.feature_drift !== 'object'
  )
    throw new InputError(
      `${path}: not a drift report (no evidently.columns / feature_drift; written by mlops-drift detect?)`,
    );
  return r as DriftReport;
}

async function visualize(values: Values, logger: Logger): Promise<number> {
  const params = await loadParams(values.params ?? DEFAULT_PARAMS_PATH);
  const referencePath = values.reference ?? params.data.interim_path;
  const currentPath = values.current ?? params.data.drifted_path;
  const reportPath = values.report ?? join(params.drift.output_dir, REPORT_JSON);
  const outputDir = values['output-dir'] ?? params.data.drift_figures_dir;
  // the figure names depend on which columns drifted: the folder itself may not be (or hold) an input
  checkOutputPaths({
    inputs: [
      { flag: '--reference', path: referencePath },
      { flag: '--current', path: currentPath },
      { flag: '--report', path: reportPath },
    ],
    outputs: [{ flag: '--output-dir', path: outputDir, files: [] }],
  });
  checkWritableFolder(outputDir);
  requireFile(referencePath, 'reference CSV');
  requireFile(currentPath, 'current CSV');
  let report: DriftReport | null = null;
  if (existsSync(reportPath)) report = readReport(reportPath);
  else
    logger.warn(
      `${reportPath}: no drift report; drawing the distributions only (run mlops-drift detect first)`,
    );
  const [reference, current] = await Promise.all([loadTable(referencePath), loadTable(currentPath)]);
  const figures = driftFigures(reference, current, report, {
    psiThreshold: params.drift.psi_threshold,
    performanceWarning: params.drift.performance_warning,
  });
  for (const f of figures) {
    checkOutputPaths({
      inputs: [
        { flag: '--reference', path: referencePath },
        { flag: '--current', path: currentPath },
        { flag: '--report', path: reportPath },
      ],
      outputs: [{ flag: '--output-dir', path: join(outputDir, `${f.name}.vl.json`) }],
    });
  }
  // Rendering (vega → SVG, resvg → PNG) lives in @mlops/charts, loaded only here: it is kept out of the CLI's bundle
  // (resvg is a native add-on) and resolved from node_modules at run time.
  // A short run through a large library: at V8's default budget TurboFan spends more CPU optimising vega's
  // functions than they then save (the visualize stage: 1.7 -> 1.2 s CPU without PNGs at 16x the budget).
  setFlagsFromString(`--interrupt-budget=${16 * 67584}`);
  const charts = await import('@mlops/charts');
  const font = charts.resolveChartFont();
  const formats = charts.imageFormats(params.reports.format);
  mkdirSync(outputDir, { recursive: true });
  // vega renders each figure on this thread while a worker thread rasterises the previous one's PNG
  const rasteriser = formats.includes('png')
    ? charts.createRasterPool(font, { fallback: (svg, dpi) => charts.svgToPng(svg, { dpi, font }) })
    : undefined;
  try {
    const pending: Promise<unknown>[] = [];
    for (const f of figures) {
      const rendered = await charts.renderFigure(f.spec as Parameters<typeof charts.renderFigure>[0], font);
      const write = charts.writeRenderedFigure(outputDir, f.name, rendered, {
        formats,
        dpi: params.reports.dpi,
        font,
        ...(rasteriser ? { rasteriser } : {}),
      });
      write.catch(() => undefined); // awaited below; a failure must not be an unhandled rejection meanwhile
      pending.push(write);
    }
    await Promise.all(pending);
  } finally {
    await rasteriser?.close();
  }
  logger.info(
    `wrote ${figures.length} figures (${['spec', ...formats].join(', ')}) to ${outputDir}: ${figures.map((f) => f.name).join(', ')}`,
  );
  return ExitCode.ok;
}

/** The CLI, callable in-process (tests); the module runs it as the program through runCli below. */
export async function main(argv: string[], logger: Logger): Promise<number> {
  const { values, positionals } = parseCli(argv, OPTIONS, USAGE);
  const command = positionals[0];
  if (!command) throw new InputError(`missing command (simulate, detect or visualize)\n\n${USAGE}`);
  if (positionals.length > 1) throw new InputError(`unexpected argument "${positionals[1]}"\n\n${USAGE}`);
  const allowed = ALLOWED[command];
  if (!allowed)
    throw new InputError(`unknown command "${command}" (simulate, detect or visualize)\n\n${USAGE}`);
  for (const key of Object.keys(values) as (keyof Values)[]) {
    if (!allowed.includes(key)) throw new InputError(`--${key} is not an option of ${command}\n\n${USAGE}`);
  }
  if (command === 'simulate') return simulate(values, logger);
  if (command === 'detect') return detect(values, logger);
  return visualize(values, logger);
}

void runCli('mlops-drift', main);
