/**
 * The compare stage's steps, as library functions the CLI calls in order: load both files, compare them in the
 * chosen mode, write the reports.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '@mlops/core';
import { compareAligned } from './aligned.js';
import { compareDistribution } from './distribution.js';
import { loadFrame } from './load.js';
import { REPORT_JSON, REPORT_MARKDOWN, reportJson, reportMarkdown, type ComparisonReport } from './report.js';

export interface ComparisonOptions {
  mode: 'aligned' | 'distribution';
  rtol: number;
  atol: number;
  alpha: number;
  maxExamples: number;
  /** The longest CSV line accepted (params csv.max_line_chars). */
  maxRecordChars?: number;
}

/** Load both files and compare them. */
export async function runComparison(
  inputPath: string,
  referencePath: string,
  options: ComparisonOptions,
): Promise<{ report: ComparisonReport; inputRows: number; referenceRows: number }> {
  // One after the other: parsing is single-threaded anyway, and one file's parsing garbage at a time keeps the peak
  // lower.
  const input = await loadFrame(inputPath, options.maxRecordChars);
  const reference = await loadFrame(referencePath, options.maxRecordChars);
  const report: ComparisonReport =
    options.mode === 'aligned'
      ? compareAligned(input, reference, {
          rtol: options.rtol,
          atol: options.atol,
          maxExamples: options.maxExamples,
        })
      : compareDistribution(input, reference, { alpha: options.alpha, maxExamples: options.maxExamples });
  return { report, inputRows: input.rowCount, referenceRows: reference.rowCount };
}

/** Whether the report found a difference (aligned: not identical; distribution: some column differs). */
export function reportDiffers(report: ComparisonReport): boolean {
  return report.mode === 'aligned' ? !report.identical : report.differs;
}

/**
 * Write `DIR/comparison.md` then `DIR/comparison.json`, each atomically: the JSON appearing means the run
 * completed. Returns their paths.
 */
export async function writeReports(
  report: ComparisonReport,
  outputDir: string,
  ctx: { input: string; reference: string },
): Promise<{ json: string; markdown: string }> {
  const markdown = join(outputDir, REPORT_MARKDOWN);
  const json = join(outputDir, REPORT_JSON);
  await writeFileAtomic(markdown, reportMarkdown(report, ctx));
  await writeFileAtomic(json, reportJson(report, ctx));
  return { json, markdown };
}
