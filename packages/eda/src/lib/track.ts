/**
 * What an eda run logs to MLflow: the predecessor's params (row and column counts, the cleaning options) and
 * metrics (rows kept, values corrected and imputed, duplicates), the clean CSV and the profile as artifacts.
 */
import type { Run } from '@mlops/tracking';
import type { EdaProfile } from './profile.js';

export const EDA_EXPERIMENT = 'obesity-eda-refactored';
export const EDA_RUN_NAME = 'eda_data_cleaning';

export function edaRunParams(profile: EdaProfile): Record<string, unknown> {
  return {
    input_rows: profile.input.rows,
    input_columns: profile.input.columns,
    input_missing: profile.input.missing_cells,
    output_rows: profile.output.rows,
    output_columns: profile.output.columns,
    output_missing: profile.output.missing_cells,
    drop_missing_target: profile.options.drop_missing_target,
    drop_duplicates: profile.options.drop_duplicates,
    outlier_median_excludes_outliers: profile.options.outlier_median_excludes_outliers,
  };
}

export function edaRunMetrics(profile: EdaProfile): Record<string, number> {
  return {
    rows_preserved_pct: profile.summary.rows_preserved_pct,
    out_of_range_corrected: profile.summary.out_of_range_corrected,
    missing_imputed: profile.summary.missing_imputed,
    duplicate_rows: profile.summary.duplicate_rows,
  };
}

/** Log one eda run's params, metrics and artifacts. */
export async function logEdaRun(
  run: Run,
  profile: EdaProfile,
  output: string,
  profileFiles: readonly string[],
): Promise<void> {
  await run.logParams(edaRunParams(profile));
  await run.logMetrics(edaRunMetrics(profile));
  await run.logArtifact(output);
  for (const file of profileFiles) await run.logArtifact(file, 'profile');
}
