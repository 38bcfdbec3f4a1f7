#!/usr/bin/env node
/**
 * mlops-compare: compare a dataset with a reference, aligned (same rows) or by distribution, and write
 * <output>/comparison.json + <output>/comparison.md. Exit 0 when it ran (differences allowed unless failing on
 * them), 1 when differences were found and --fail-on-diff (or compare.fail_on_diff) is set, 2 on bad input.
 */
import { join } from 'node:path';
import {
  ExitCode,
  InputError,
  checkWritableFile,
  loadParams,
  parseCli,
  runCli,
  writeFileAtomic,
  DEFAULT_PARAMS_PATH,
} from '@mlops/core';
import { compareAligned } from './lib/aligned.js';
import { compareDistribution } from './lib/distribution.js';
import { loadFrame } from './lib/load.js';
import {
  REPORT_JSON,
  REPORT_MARKDOWN,
  reportJson,
  reportMarkdown,
  type ComparisonReport,
} from './lib/report.js';

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
    throw new InputError(`--${flag}: "${value}" is not a number between 0 and ${max}`);
  return x;
}

runCli('mlops-compare', async (argv, logger) => {
  const { values } = parseCli(
    argv,
    {
      input: { type: 'string' },
      reference: { type: 'string' },
      mode: { type: 'string' },
      output: { type: 'string' },
      'fail-on-diff': { type: 'boolean' },
      rtol: { type: 'string' },
      atol: { type: 'string' },
      alpha: { type: 'string' },
      params: { type: 'string' },
    },
    USAGE,
  );
  const params = await loadParams(values.params ?? DEFAULT_PARAMS_PATH);
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
  checkWritableFile(join(outputDir, REPORT_JSON)); // before the work: an unusable output folder fails at once

  const [input, reference] = await Promise.all([loadFrame(inputPath), loadFrame(referencePath)]);
  logger.info(
    `comparing ${inputPath} (${input.rowCount} rows) with ${referencePath} (${reference.rowCount} rows)`,
    {
      mode,
    },
  );
  const report: ComparisonReport =
    mode === 'aligned'
      ? compareAligned(input, reference, { rtol, atol, maxExamples: cfg.max_examples })
      : compareDistribution(input, reference, { alpha, maxExamples: cfg.max_examples });
  const ctx = { input: inputPath, reference: referencePath };
  // Markdown first, JSON last: the JSON appearing means the run completed.
  await writeFileAtomic(join(outputDir, REPORT_MARKDOWN), reportMarkdown(report, ctx));
  await writeFileAtomic(join(outputDir, REPORT_JSON), reportJson(report, ctx));

  const different = report.mode === 'aligned' ? !report.identical : report.differs;
  for (const line of report.differences) logger.info(line);
  logger.info(
    `${different ? 'differences found' : 'no difference'}; report: ${join(outputDir, REPORT_JSON)}, ${join(outputDir, REPORT_MARKDOWN)}`,
  );
  if (different && failOnDiff) {
    process.stderr.write(
      `mlops-compare: ${mode} comparison found differences (${report.differences.length}); see ${join(outputDir, REPORT_MARKDOWN)}\n`,
    );
    return ExitCode.failure;
  }
  return ExitCode.ok;
});
