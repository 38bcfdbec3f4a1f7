/**
 * Training: split, cross-validate every selected model (and every random-search draw), pick the best by mean CV
 * score on the training split, refit every model on the whole training split, evaluate once on the test split,
 * compute the winner's permutation importances on held-out folds, and assemble the bundle. Pure of disk and
 * tracking: main.ts writes what this returns.
 */
import { basename } from 'node:path';
import { InputError, type Params } from '@mlops/core';
import {
  Preprocessor,
  featureNames,
  predictorFromJson,
  referenceStatistics,
  selectRows,
  type BundleContent,
  type FeatureImportances,
  type FeatureSpec,
  type ModelJson,
  type PreprocessingJson,
  type RawBatch,
} from '@mlops/model';
import type { LabeledData } from './data.js';
import { complementRows, evaluationReport, type EvaluationReport } from './evaluate.js';
import {
  candidatesFor,
  checkLearners,
  learnerFor,
  type CandidateSpec,
  type HyperParams,
} from './learners/index.js';
import { argmaxRows, score, type Scoring } from './metrics.js';
import type { TaskRunner } from './pool.js';
import { randomSearchDraws } from './search.js';
import {
  classCounts,
  foldRows,
  stratifiedKFold,
  stratifiedTrainTestSplit,
  type TrainTestSplit,
} from './split.js';
import type { CvResult, ImportanceResult, RefitResult, SharedData, Task } from './tasks.js';

export interface DrawResult {
  readonly hyper: HyperParams;
  /** One score per CV fold run (all folds, or fold 0 only when training.cross_validation is false). */
  readonly foldScores: number[];
  readonly fitSeconds: number[];
  readonly mean: number;
  readonly std: number;
}

export interface CandidateResult {
  readonly spec: CandidateSpec;
  readonly draws: DrawResult[];
  /** Index of the best draw (the model's CV result). */
  readonly best: number;
  readonly refit: {
    readonly model: ModelJson;
    readonly preprocessing: PreprocessingJson;
    readonly fitSeconds: number;
  };
  readonly report: EvaluationReport;
}

export interface TrainOutcome {
  readonly split: TrainTestSplit;
  readonly folds: number[];
  readonly scoring: Scoring;
  readonly candidates: CandidateResult[];
  readonly winner: number;
  readonly importances: FeatureImportances;
  readonly bundle: BundleContent;
}

export interface TrainOptions {
  readonly spec: FeatureSpec;
  /** Builds the runner for the shared training data (worker pool or in process). */
  readonly runner: (shared: SharedData) => Promise<TaskRunner>;
  /** Called once per phase with its task count, then per finished task. */
  readonly onPhase?: (label: string, tasks: number) => void;
  readonly onTask?: () => void;
}

/** The candidates to train, checked against the learners of this build (InputError before any work). */
export function planCandidates(params: Params): CandidateSpec[] {
  const candidates = candidatesFor(params);
  checkLearners(candidates);
  return candidates;
}

function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

/** Checks a training split can be cross-validated: every class needs at least cv_folds rows. */
export function checkFoldable(data: LabeledData, trainY: Int32Array, folds: number): void {
  const counts = classCounts(trainY, data.labels.length);
  counts.forEach((n, c) => {
    if (n < folds)
      throw new InputError(
        `${data.file}: class "${data.labels[c]}" has ${n} training row${n === 1 ? '' : 's'}, fewer than training.cv_folds (${folds})`,
      );
  });
}

export async function trainModels(
  data: LabeledData,
  params: Params,
  options: TrainOptions,
): Promise<TrainOutcome> {
  const candidates = planCandidates(params);
  const { spec } = options;
  const k = data.labels.length;
  const scoring = params.training.scoring;
  const split = stratifiedTrainTestSplit(data.y, k, params.data.test_size, params.data.random_state);
  const trainY = Int32Array.from(split.train, (r) => data.y[r]!);
  const nFolds = params.training.cv_folds;
  checkFoldable(data, trainY, nFolds);
  const trainBatch = selectRows(data.batch, split.train);
  const folds = stratifiedKFold(trainY, k, nFolds, params.training.random_state);
  const foldList = params.training.cross_validation ? Array.from({ length: nFolds }, (_, f) => f) : [0];
  const shared: SharedData = {
    spec,
    batch: trainBatch,
    y: trainY,
    nClasses: k,
    folds,
    seed: params.training.random_state,
  };

  // every draw of every candidate, checked for hyper-parameter errors before any work
  const drawsOf = new Map<string, HyperParams[]>();
  for (const c of candidates) {
    if (c.tunedFrom) continue;
    const draws = c.search
      ? randomSearchDraws(c.hyperParams, c.search.space, c.search.iterations, params.training.random_state)
      : [c.hyperParams];
    for (const hyper of draws) learnerFor(c.key, hyper);
    drawsOf.set(c.key, draws);
  }

  const runner = await options.runner(shared);
  try {
    const validRows = foldList.map((f) => foldRows(folds, f).valid);
    const cvTasks = (key: string, draws: HyperParams[]): Task[] =>
      draws.flatMap((hyper) => foldList.map((fold) => ({ kind: 'cv' as const, key, hyper, fold })));
    const scoreDraws = (draws: HyperParams[], results: CvResult[]): DrawResult[] =>
      draws.map((hyper, d) => {
        const foldScores: number[] = [];
        const fitSeconds: number[] = [];
        foldList.forEach((_, i) => {
          const result = results[d * foldList.length + i]!;
          const rows = validRows[i]!;
          const yValid = Int32Array.from(rows, (r) => trainY[r]!);
          foldScores.push(score(scoring, yValid, argmaxRows(result.proba, k), k));
          fitSeconds.push(result.fitSeconds);
        });
        return { hyper, foldScores, fitSeconds, ...meanStd(foldScores) };
      });
    const bestOf = (draws: DrawResult[]) =>
      draws.reduce((best, d, i) => (d.mean > draws[best]!.mean ? i : best), 0);

    // phase 1: the candidates with their own hyper-parameters or search
    const phase1 = candidates.filter((c) => !c.tunedFrom);
    const tasks1 = phase1.flatMap((c) => cvTasks(c.key, drawsOf.get(c.key)!));
    options.onPhase?.('cross-validation', tasks1.length);
    const results1 = (await runner.run(tasks1, () => options.onTask?.())) as CvResult[];
    const drawResults = new Map<string, DrawResult[]>();
    let at = 0;
    for (const c of phase1) {
      const draws = drawsOf.get(c.key)!;
      drawResults.set(c.key, scoreDraws(draws, results1.slice(at, at + draws.length * foldList.length)));
      at += draws.length * foldList.length;
    }

    // phase 2: the candidates that reuse another's tuned hyper-parameters
    const phase2 = candidates.filter((c) => c.tunedFrom);
    for (const c of phase2) {
      const from = drawResults.get(c.tunedFrom!.key);
      const tuned = from ? { ...from[bestOf(from)]!.hyper } : { ...c.hyperParams };
      for (const key of c.tunedFrom!.drop) delete (tuned as Record<string, unknown>)[key];
      learnerFor(c.key, tuned);
      drawsOf.set(c.key, [tuned]);
    }
    if (phase2.length > 0) {
      const tasks2 = phase2.flatMap((c) => cvTasks(c.key, drawsOf.get(c.key)!));
      options.onPhase?.('cross-validation (tuned)', tasks2.length);
      const results2 = (await runner.run(tasks2, () => options.onTask?.())) as CvResult[];
      phase2.forEach((c, i) => {
        drawResults.set(
          c.key,
          scoreDraws(drawsOf.get(c.key)!, results2.slice(i * foldList.length, (i + 1) * foldList.length)),
        );
      });
    }

    // selection by mean CV score (ties: the earlier model), then refits and the winner's importances
    const best = candidates.map((c) => bestOf(drawResults.get(c.key)!));
    const winner = candidates.reduce(
      (w, c, i) =>
        drawResults.get(c.key)![best[i]!]!.mean > drawResults.get(candidates[w]!.key)![best[w]!]!.mean
          ? i
          : w,
      0,
    );
    const chosen = candidates.map((c, i) => drawResults.get(c.key)![best[i]!]!.hyper);
    const refitTasks: Task[] = candidates.map((c, i) => ({ kind: 'refit', key: c.key, hyper: chosen[i]! }));
    const importanceTasks: Task[] = foldList.map((fold) => ({
      kind: 'importance',
      key: candidates[winner]!.key,
      hyper: chosen[winner]!,
      fold,
      repeats: params.training.importance_repeats,
      scoring,
    }));
    options.onPhase?.('refit and importances', refitTasks.length + importanceTasks.length);
    const results3 = await runner.run([...refitTasks, ...importanceTasks], () => options.onTask?.());
    const refits = results3.slice(0, candidates.length) as RefitResult[];
    const importanceResults = results3.slice(candidates.length) as ImportanceResult[];

    const candidateResults: CandidateResult[] = candidates.map((c, i) => {
      const refit = refits[i]!;
      const scorer = scorerOf(refit.preprocessing, refit.model);
      const report = evaluationReport(
        scorer,
        c.key,
        c.algorithm,
        data.labels,
        data.batch,
        data.y,
        split.train,
        split.test,
      );
      return {
        spec: c,
        draws: drawResults.get(c.key)!,
        best: best[i]!,
        refit: { model: refit.model, preprocessing: refit.preprocessing, fitSeconds: refit.fitSeconds },
        report,
      };
    });
    const importances = aggregateImportances(spec, importanceResults, scoring);
    const bundle = bundleOf(
      data,
      params,
      split,
      candidateResults[winner]!,
      importances,
      trainBatch,
      spec,
      scoring,
    );
    return { split, folds: foldList, scoring, candidates: candidateResults, winner, importances, bundle };
  } finally {
    await runner.close();
  }
}

/** predictBatch through the model package: the same transform and predictor serving uses. */
export function scorerOf(preprocessing: PreprocessingJson, model: ModelJson) {
  const pre = new Preprocessor(preprocessing);
  const predictor = predictorFromJson(model);
  return { predictBatch: (batch: RawBatch) => predictor.predictProba(pre.transform(batch)) };
}

function aggregateImportances(
  spec: FeatureSpec,
  results: ImportanceResult[],
  scoring: Scoring,
): FeatureImportances {
  const features = featureNames(spec);
  const importances: number[] = [];
  const std: number[] = [];
  features.forEach((_, j) => {
    const drops = results.flatMap((r) => r.drops[j]!);
    const { mean, std: s } = meanStd(drops);
    importances.push(mean);
    std.push(s);
  });
  return { method: 'permutation', scoring, features, importances, std };
}

function bundleOf(
  data: LabeledData,
  params: Params,
  split: TrainTestSplit,
  winner: CandidateResult,
  importances: FeatureImportances,
  trainBatch: RawBatch,
  spec: FeatureSpec,
  scoring: Scoring,
): BundleContent {
  const draw = winner.draws[winner.best]!;
  const trainY = Int32Array.from(split.train, (r) => data.y[r]!);
  return {
    model_name: winner.spec.key,
    algorithm: winner.spec.algorithm,
    feature_spec: spec,
    preprocessing: winner.refit.preprocessing,
    labels: data.labels,
    model: winner.refit.model,
    training_data: {
      md5: data.md5,
      file: basename(data.file),
      rows: data.rows,
      test_size: params.data.test_size,
      random_state: params.data.random_state,
      test_indices: Array.from(split.test),
      train_rows: split.train.length,
      test_rows: split.test.length,
      class_counts: Array.from(classCounts(trainY, data.labels.length)),
    },
    params: {
      hyper_parameters: draw.hyper,
      training: {
        scoring,
        cv_folds: params.training.cv_folds,
        cross_validation: params.training.cross_validation,
        random_state: params.training.random_state,
        random_search_iterations: params.training.random_search_iterations,
      },
    },
    metrics: {
      scoring,
      cv: { fold_scores: draw.foldScores, mean: draw.mean, std: draw.std },
      test: winner.report as unknown as Record<string, unknown>,
    },
    feature_importances: importances,
    reference: referenceStatistics(trainBatch, spec),
  };
}

/** The rows of the training split, for evaluate (the complement of the stored test rows). */
export { complementRows };
