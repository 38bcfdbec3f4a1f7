/**
 * The files the visualize stage reads besides the clean CSV, named in this one place, and their readers. Every one
 * is optional: a missing file or folder gives `undefined` and a warning line (its figures or report section are
 * skipped); a file that exists but is not JSON is bad input (InputError naming it).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, isErrnoException } from '@mlops/core';

/** In reports.metrics_dir, written by the ml stage. */
export const METRICS_FILES = {
  evaluation: 'evaluation_metrics.json',
  cv: 'cv_results.json',
  comparison: 'model_comparison.json',
} as const;
/** In data.profile_dir, written by the eda stage. */
export const EDA_PROFILE_FILE = 'eda_profile.json';
/** In data.compare_dir, written by the compare stage. */
export const COMPARISON_FILE = 'comparison.json';
/** In drift.output_dir, written by the drift stage. */
export const DRIFT_REPORT_FILE = 'drift_report.json';

export type OptionalJson =
  { found: true; path: string; value: unknown } | { found: false; path: string; reason: string };

/** Read a JSON file that may be absent. Absent (or its folder absent) → found false; not JSON → InputError. */
export async function readOptionalJson(path: string): Promise<OptionalJson> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR'))
      return { found: false, path, reason: `${path} not found` };
    if (isErrnoException(error) && error.code === 'EISDIR')
      throw new InputError(`${path}: is a folder, not a JSON file`);
    throw error;
  }
  try {
    return { found: true, path, value: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InputError(`${path}: not valid JSON (${detail})`);
  }
}

export interface StageInputs {
  evaluation: OptionalJson;
  cv: OptionalJson;
  comparison: OptionalJson;
  edaProfile: OptionalJson;
  compare: OptionalJson;
  drift: OptionalJson;
}

export interface InputFolders {
  metricsDir: string;
  profileDir: string;
  compareDir: string;
  driftDir: string;
  /** The drift stage's figures (their Vega-Lite specs are shown in the report). */
  driftFiguresDir?: string;
}

export async function readStageInputs(folders: InputFolders): Promise<StageInputs> {
  const [evaluation, cv, comparison, edaProfile, compare, drift] = await Promise.all([
    readOptionalJson(join(folders.metricsDir, METRICS_FILES.evaluation)),
    readOptionalJson(join(folders.metricsDir, METRICS_FILES.cv)),
    readOptionalJson(join(folders.metricsDir, METRICS_FILES.comparison)),
    readOptionalJson(join(folders.profileDir, EDA_PROFILE_FILE)),
    readOptionalJson(join(folders.compareDir, COMPARISON_FILE)),
    readOptionalJson(join(folders.driftDir, DRIFT_REPORT_FILE)),
  ]);
  return { evaluation, cv, comparison, edaProfile, compare, drift };
}

/** A figure spec another stage wrote (the drift stage's figures 10-12 and overlays), shown in the report. */
export interface ForeignFigure {
  name: string;
  path: string;
  spec: Record<string, unknown>;
}

const SPEC_FILE = /^([A-Za-z0-9][A-Za-z0-9_.-]*)\.vl\.json$/;

/**
 * The Vega-Lite specs (`NAME.vl.json`, as @mlops/charts writes them) in `dirs` other than `own` names, sorted by
 * name, each once. A missing folder has none; a spec that is not a JSON object, or loads data from a URL, is skipped
 * with a warning (it is another stage's output, shown when usable).
 */
export async function readForeignFigures(
  dirs: readonly string[],
  own: ReadonlySet<string>,
  warnings: string[],
): Promise<ForeignFigure[]> {
  const found = new Map<string, ForeignFigure>();
  for (const dir of new Set(dirs)) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const file of names.sort()) {
      const name = SPEC_FILE.exec(file)?.[1];
      if (!name || own.has(name) || found.has(name)) continue;
      const path = join(dir, file);
      try {
        const text = await readFile(path, 'utf8');
        const spec = JSON.parse(text) as unknown;
        if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
          throw new Error('not a JSON object');
        // the report makes no request when it is viewed: a spec that loads data from somewhere is left out
        if (/"url"\s*:/.test(text))
          throw new Error('it loads data from a URL; the report embeds inline data only');
        found.set(name, { name, path, spec: spec as Record<string, unknown> });
      } catch (error) {
        warnings.push(`${path}: skipped (${error instanceof Error ? error.message : String(error)})`);
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
