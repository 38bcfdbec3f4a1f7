/**
 * The stage: read the clean CSV and the optional inputs, compute the summaries, write every figure (spec + images)
 * and the HTML report. Inputs are read and checked before anything is written.
 */
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  SPEC_SUFFIX,
  collectGarbage,
  createRasterPool,
  imageFormats,
  svgToPng,
  renderFigure,
  resolveChartFont,
  writeRenderedFigure,
  type ChartFont,
  type WrittenFigure,
} from '@mlops/charts';
import {
  checkWritableFile,
  checkWritableFolder,
  InputError,
  writeFileAtomic,
  type Logger,
} from '@mlops/core';
import { FIGURE_NAMES, planFigures, type ModelInputs, type SkippedFigure } from './figures.js';
import {
  readForeignFigures,
  readStageInputs,
  type InputFolders,
  type OptionalJson,
  type StageInputs,
} from './inputs.js';
import { parseCvResults, parseEvaluation, parseModelComparison, type Parsed } from './metrics.js';
import { buildReport } from './report.js';
import { summariseTable, type TableSummary } from './summaries.js';
import { readTable, type Table } from './table.js';

export interface VisualizeOptions extends InputFolders {
  input: string;
  outputDir: string;
  reportPath: string;
  format: 'png' | 'svg' | 'both';
  dpi: number;
  /** Chart font (default DejaVu Sans from fonts-dejavu-core, or $MLOPS_CHART_FONT). */
  font?: ChartFont;
  /**
   * Worker threads making the PNGs (default: one per core, at most 2); each holds one image in memory while it is
   * made (a 300-dpi figure: ~80 MB).
   */
  concurrency?: number;
}

export interface VisualizeResult {
  summary: TableSummary;
  figures: WrittenFigure[];
  skipped: SkippedFigure[];
  warnings: string[];
  reportPath: string;
}

function parsed<T>(
  input: OptionalJson,
  parse: (json: unknown, file: string) => Parsed<T>,
  warnings: string[],
) {
  if (!input.found) return undefined;
  const result = parse(input.value, input.path);
  warnings.push(...result.warnings);
  return result.value;
}

/** The model metrics from the stage inputs; a warning line per absent or unusable file. */
export function modelInputs(inputs: StageInputs, warnings: string[]): ModelInputs {
  const evaluation = parsed(inputs.evaluation, parseEvaluation, warnings);
  const comparison = parsed(inputs.comparison, parseModelComparison, warnings);
  const cv = parsed(inputs.cv, parseCvResults, warnings);
  const absent = [inputs.evaluation, inputs.comparison, inputs.cv].filter((i) => !i.found).map((i) => i.path);
  if (absent.length > 0) warnings.push(`model metrics not found: ${absent.join(', ')}`);
  const absentReason =
    !evaluation && !comparison
      ? inputs.evaluation.found || inputs.comparison.found
        ? `${inputs.evaluation.path} and ${inputs.comparison.path} are not usable`
        : `${inputs.evaluation.path} and ${inputs.comparison.path} not found`
      : undefined;
  return { evaluation, comparison, cv, absentReason };
}

/**
 * Columns past this size are returned to the system as soon as they are summarised: left to V8, whose heap is small
 * next to them (they live outside it), they stay until a full collection, i.e. through the rendering (1M rows: 64
 * MB more at the peak). A forced collection costs ~20 ms, so small tables are left to V8.
 */
export const COLLECT_TABLE_ABOVE_BYTES = 16 * 1024 * 1024;

function summariseAndDrop(table: Table): TableSummary {
  const summary = summariseTable(table);
  const bytes = table.columns.reduce((n, c) => n + (c.kind === 'numeric' ? c.values.byteLength : 0), 0);
  table.columns.length = 0; // no reference to the columns is left, even from a caller holding the table
  if (bytes > COLLECT_TABLE_ABOVE_BYTES) collectGarbage();
  return summary;
}

export async function visualize(options: VisualizeOptions, logger: Logger): Promise<VisualizeResult> {
  // Before any work: the font (a PNG without text is wrong) and the output paths.
  const font = options.font ?? resolveChartFont();
  checkWritableFolder(options.outputDir);
  checkWritableFile(options.reportPath);

  const warnings: string[] = [];
  // the table's columns (8 bytes a row each) are dropped once summarised: only the summary lives on
  const [summary, inputs, foreign] = await Promise.all([
    readTable(options.input).then(summariseAndDrop),
    readStageInputs(options),
    // the drift stage's figure specs, for the report: from its own folders only (declared inputs; the figures
    // folder is this stage's output)
    readForeignFigures(
      [options.driftFiguresDir ?? options.driftDir, options.driftDir],
      new Set(Object.values(FIGURE_NAMES)),
      warnings,
    ),
  ]);
  const model = modelInputs(inputs, warnings);
  const { figures, skipped } = planFigures(summary, basename(options.input), model);
  const formats = imageFormats(options.format);
  // No output may overwrite an input (say a CSV named like a figure, or the report path pointing at a metrics file).
  const inputPaths = new Set(
    [options.input, ...Object.values(inputs).map((i) => i.path)].map((p) => resolve(p)),
  );
  const outputs = [
    options.reportPath,
    ...figures.flatMap((f) =>
      [SPEC_SUFFIX, ...formats.map((x) => `.${x}`)].map((ext) => join(options.outputDir, f.name + ext)),
    ),
  ];
  for (const out of outputs)
    if (inputPaths.has(resolve(out)))
      throw new InputError(`${out}: is an input of this run; choose another output path`);
  for (const s of skipped) warnings.push(`figure ${s.name} skipped: ${s.reason}`);

  await mkdir(options.outputDir, { recursive: true });
  // Vega renders one figure after another on the main thread while worker threads rasterise and encode the PNGs
  // of the previous ones (in process, one at a time, where the worker module is absent).
  const rasteriser = formats.includes('png')
    ? createRasterPool(font, {
        ...(options.concurrency !== undefined ? { threads: options.concurrency } : {}),
        fallback: (svg, dpi) => svgToPng(svg, { dpi, font }),
      })
    : undefined;
  let written: WrittenFigure[];
  try {
    const pending: Promise<WrittenFigure>[] = [];
    for (const f of figures) {
      const rendered = await renderFigure(f.spec, font);
      const write = writeRenderedFigure(options.outputDir, f.name, rendered, {
        formats,
        dpi: options.dpi,
        font,
        ...(rasteriser ? { rasteriser } : {}),
      });
      write.catch(() => undefined); // awaited below; a failure must not be an unhandled rejection meanwhile
      pending.push(write);
    }
    written = await Promise.all(pending);
  } finally {
    await rasteriser?.close();
  }
  for (const w of written) for (const message of w.warnings) warnings.push(`figure ${w.name}: ${message}`);

  const html = buildReport({
    summary,
    figures: written.map((w, i) => ({ ...w, title: figures[i]!.title })),
    skipped,
    inputs,
    model,
    options,
    foreign,
  });
  await writeFileAtomic(options.reportPath, html);
  for (const line of warnings) logger.warn(line);
  logger.info(
    `${written.length} figures in ${options.outputDir} (${formats.join(' + ')}, ${options.dpi} dpi), report ${options.reportPath}`,
  );
  return { summary, figures: written, skipped, warnings, reportPath: options.reportPath };
}
