#!/usr/bin/env node
/**
 * mlops-compare: compare a dataset with a reference, aligned (same rows) or by distribution, and write
 * <output>/comparison.json + <output>/comparison.md. Exit 0 when it ran (differences allowed unless failing on
 * them), 1 when differences were found and --fail-on-diff (or compare.fail_on_diff) is set, 2 on bad input.
 */
import {
  ExitCode,
  InputError,
  checkOutputPaths,
  loadParams,
  parseCli,
  runCli,
  DEFAULT_PARAMS_PATH,
  type Logger,
} from '@mlops/core';
import { REPORT_JSON, REPORT_MARKDOWN } from './lib/report.js';
import { reportDiffers, runComparison, writeReports } from './lib/stage.js';

const USAGE = `Usage: mlops-compare --input CLEAN.csv --reference REF.csv [--mode aligned|distribution] [--output DIR]
                     [--fail-on-diff] [--rtol X] [--atol X] [--alpha X] [--params FILE]

Compares a dataset with a reference and writes DIR/${REPORT_JSON} and DIR/${REPORT_MARKDOWN}.
  aligned       same rows in the same order: shape, columns and order, dtypes, missing counts, values
                (numbers within atol + rtol·|reference|, text exactly), first differing cells per column
  distribution  different rows: schema, summaries side by side, KS / chi-square per column, class balance,
                rows only in one file, duplicates

Defaults come from params (--params, default ${DEFAULT_PARAMS_PATH}): --input data.interim_path,
--reference data.reference_path, --mode compare.mode, --output data.compare_dir,
--fail-on-diff compare.fail_on_diff, --rtol/--atol/--alpha compare.rtol/atol/alpha.
Exit codes: 0 ran, 1 differences found with --fail-on-diff, 2 bad input.`;

function numberOption(value: string | undefined, flag: string, fallback: number, max = Infinity): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0 || x > max)
    throw new InputError(
      `--${flag}: "${value}" is not ${max === Infinity ? 'a number ≥ 0' : `a number between 0 and ${max}`}`,
    );
  return x;
}

const OPTIONS = {
  input: { type: 'string' },
  reference: { type: 'string' },
  mode: { type: 'string' },
  output: { type: 'string' },
  'fail-on-diff': { type: 'boolean' },
  rtol: { type: 'string' },
  atol: { type: 'string' },
  alpha: { type: 'string' },
  params: { type: 'string' },
} as const;

/** The CLI: exit 0 ran, 1 differences with --fail-on-diff; bad input throws (runCli: one line, exit 2). */
export async function main(argv: string[], logger: Logger): Promise<number> {
  const { values } = parseCli(argv, OPTIONS, USAGE);
  const params = await loadParams(values.params ?? DEFAULT_PARAMS_PATH, { logger });
  const cfg = params.compare;
  const mode = values.mode ?? cfg.mode;
  if (mode !== 'aligned' && mode !== 'distribution')
    throw new InputError(`--mode: "${mode}" is not one of aligned, distribution`);
  const inputPath = values.input ?? params.data.interim_path;
  const referencePath = values.reference ?? params.data.reference_path;
  const outputDir = values.output ?? params.data.compare_dir;
  const failOnDiff = values['fail-on-diff'] ?? cfg.fail_on_diff;
  const rtol = numberOption(values.rtol, 'rtol', cfg.rtol);
  const atol = numberOption(values.atol, 'atol', cfg.atol);
  const alpha = numberOption(values.alpha, 'alpha', cfg.alpha, 1);
  // Before the work: the reports may not land on an input, and an unusable output folder fails at once.
  checkOutputPaths({
    inputs: [
      { flag: values.input ? '--input' : 'data.interim_path', path: inputPath },
      { flag: values.reference ? '--reference' : 'data.reference_path', path: referencePath },
    ],
    outputs: [
      {
        flag: values.output ? '--output' : 'data.compare_dir',
        path: outputDir,
        files: [REPORT_JSON, REPORT_MARKDOWN],
      },
    ],
  });

  const { report, inputRows, referenceRows } = await runComparison(inputPath, referencePath, {
    mode,
    rtol,
    atol,
    alpha,
    maxExamples: cfg.max_examples,
    maxRecordChars: params.csv.max_line_chars,
  });
  logger.info(`comparing ${inputPath} (${inputRows} rows) with ${referencePath} (${referenceRows} rows)`, {
    mode,
  });
  const files = await writeReports(report, outputDir, { input: inputPath, reference: referencePath });

  const different = reportDiffers(report);
  for (const line of report.differences) logger.info(line);
  logger.info(
    `${different ? 'differences found' : 'no difference'}; report: ${files.json}, ${files.markdown}`,
  );
  if (different && failOnDiff) {
    logger.error(
      `${mode} comparison found differences (${report.differences.length}); see ${files.markdown}`,
    );
    return ExitCode.failure;
  }
  return ExitCode.ok;
}

void runCli('mlops-compare', main);
