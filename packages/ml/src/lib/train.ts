/**
 * Training: split, cross-validate every selected model (and every random-search draw), pick the best by mean CV
 * score on the training split, refit every model on the whole training split, evaluate once on the test split,
 * compute the winner's permutation importances on held-out folds, and assemble the bundle. Pure of disk and
 * tracking: main.ts writes what this returns.
 */
import { basename } from 'node:path';
import { InputError, SeededRng, type Params } from '@mlops/core';
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
import { sharedCopy, type TaskRunner } from './pool.js';
import { randomSearchDraws } from './search.js';
import {
  classCounts,
  foldRows,
  stratifiedKFold,
  stratifiedSample,
  stratifiedTrainTestSplit,
  type TrainTestSplit,
} from './split.js';
import { samplingInfo, type SamplingInfo } from './sampling.js';
import type { CvResult, ImportanceResult, RefitResult, SharedData, Task } from './tasks.js';

export interface DrawResult {
  readonly hyper: HyperParams;
  /** The folds scored: all of them (or fold 0 only when training.cross_validation is false); fewer for a search
   * draw that successive halving dropped. */
  readonly folds: number[];
  /** One score per fold of `folds`. */
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
  /** What ran on samples (CV rows, evaluation rows, per-model caps), so reports and logs can say so. */
  readonly sampling: SamplingInfo;
}

export interface TrainOptions {
  readonly spec: FeatureSpec;
  /** Builds the runner for the shared training data (worker pool or in process), with at most `maxThreads`
   * threads when given (1: in process). */
  readonly runner: (shared: SharedData, maxThreads?: number) => Promise<TaskRunner>;
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

/** Successive halving's survivors: the indices of the best third of the scores (at least one), ascending. */
export function bestThird(means: readonly number[]): number[] {
  return means
    .map((mean, i) => ({ i, mean }))
    .sort((a, b) => b.mean - a.mean || a.i - b.i)
    .slice(0, Math.ceil(means.length / 3))
    .map((r) => r.i)
    .sort((a, b) => a - b);
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
  // CV, search and importances run on a stratified sample past training.search_max_rows (each class keeps at least
  // cv_folds rows); the chosen model's refit uses every training row. At or under the cap the sample is the split.
  const searchRows = stratifiedSample(
    trainY,
    Int32Array.from(trainY, (_, i) => i),
    k,
    params.training.search_max_rows,
    new SeededRng(params.training.random_state),
    nFolds,
  );
  const sampled = searchRows.length < trainY.length;
  const searchY = sampled ? Int32Array.from(searchRows, (r) => trainY[r]!) : trainY;
  const folds = stratifiedKFold(searchY, k, nFolds, params.training.random_state);
  const foldList = params.training.cross_validation ? Array.from({ length: nFolds }, (_, f) => f) : [0];
  const sharedOf = (batch: RawBatch, y: Int32Array, foldOf: Int32Array): SharedData =>
    sharedCopy({
      spec,
      batch,
      y,
      nClasses: k,
      folds: foldOf,
      seed: params.training.random_state,
      scale: params.preprocessing.scale_features,
    });
  // in SharedArrayBuffers from the start: worker threads then read this one copy of the training split (and of
  // its sample); the main thread keeps no other copy
  const trainShared = sharedOf(
    selectRows(data.batch, split.train),
    trainY,
    sampled ? new Int32Array(trainY.length) : folds,
  );
  const trainBatch = trainShared.batch;
  const shared = sampled ? sharedOf(selectRows(trainBatch, searchRows), searchY, folds) : trainShared;

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

  let runner = await options.runner(shared);
  try {
    const validY = new Map(
      foldList.map((f) => [f, Int32Array.from(foldRows(folds, f).valid, (r) => searchY[r]!)]),
    );
    // fold results per candidate draw: `${key}#${draw}` → fold → score and fit time
    const scored = new Map<string, Map<number, { score: number; fitSeconds: number }>>();
    const runCv = async (label: string, jobs: { key: string; draw: number; fold: number }[]) => {
      if (jobs.length === 0) return;
      const tasks: Task[] = jobs.map((j) => ({
        kind: 'cv',
        key: j.key,
        hyper: drawsOf.get(j.key)![j.draw]!,
        fold: j.fold,
      }));
      options.onPhase?.(label, tasks.length);
      const results = (await runner.run(tasks, () => options.onTask?.())) as CvResult[];
      jobs.forEach((j, i) => {
        const id = `${j.key}#${j.draw}`;
        if (!scored.has(id)) scored.set(id, new Map());
        const yValid = validY.get(j.fold)!;
        scored.get(id)!.set(j.fold, {
          score: score(scoring, yValid, argmaxRows(results[i]!.proba, k), k),
          fitSeconds: results[i]!.fitSeconds,
        });
      });
    };
    const drawResultsOf = (key: string): DrawResult[] =>
      drawsOf.get(key)!.map((hyper, d) => {
        const byFold = scored.get(`${key}#${d}`)!;
        const done = foldList.filter((f) => byFold.has(f));
        const foldScores = done.map((f) => byFold.get(f)!.score);
        return {
          hyper,
          folds: done,
          foldScores,
          fitSeconds: done.map((f) => byFold.get(f)!.fitSeconds),
          ...meanStd(foldScores),
        };
      });
    // the best draw among those scored on every fold (ties: the earlier draw)
    const bestOf = (draws: DrawResult[]) =>
      draws.reduce(
        (best, d, i) =>
          d.folds.length === foldList.length && (best < 0 || d.mean > draws[best]!.mean) ? i : best,
        -1,
      );
    const jobsFor = (key: string, draws: readonly number[], foldsToRun: readonly number[]) =>
      draws.flatMap((draw) => foldsToRun.map((fold) => ({ key, draw, fold })));
    const indices = (n: number) => Array.from({ length: n }, (_, i) => i);

    // phase 1: every candidate with its own hyper-parameters or search; with successive halving a search scores
    // all its draws on the first half of the folds, and only the best third of them on the rest
    const phase1 = candidates.filter((c) => !c.tunedFrom);
    const halving = (c: CandidateSpec) =>
      Boolean(c.search) &&
      params.training.successive_halving &&
      foldList.length >= 3 &&
      drawsOf.get(c.key)!.length > 3;
    const rung0 = foldList.slice(0, Math.ceil(foldList.length / 2));
    await runCv(
      'cross-validation',
      phase1.flatMap((c) =>
        jobsFor(c.key, indices(drawsOf.get(c.key)!.length), halving(c) ? rung0 : foldList),
      ),
    );
    const rest = foldList.slice(rung0.length);
    const survivors = phase1.filter(halving).flatMap((c) => {
      return jobsFor(c.key, bestThird(drawResultsOf(c.key).map((d) => d.mean)), rest);
    });
    await runCv('cross-validation (search, best third)', survivors);

    // phase 2: the candidates that reuse another's tuned hyper-parameters
    const phase2 = candidates.filter((c) => c.tunedFrom);
    for (const c of phase2) {
      const fromKey = c.tunedFrom!.key;
      const from = drawsOf.has(fromKey) ? drawResultsOf(fromKey) : undefined;
      const tuned = from ? { ...from[bestOf(from)]!.hyper } : { ...c.hyperParams };
      for (const key of c.tunedFrom!.drop) delete (tuned as Record<string, unknown>)[key];
      learnerFor(c.key, tuned);
      drawsOf.set(c.key, [tuned]);
    }
    await runCv(
      'cross-validation (tuned)',
      phase2.flatMap((c) => jobsFor(c.key, [0], foldList)),
    );
    const drawResults = new Map(candidates.map((c) => [c.key, drawResultsOf(c.key)]));

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
    let refits: RefitResult[];
    let importanceResults: ImportanceResult[];
    if (!sampled) {
      options.onPhase?.('refit and importances', refitTasks.length + importanceTasks.length);
      const results3 = await runner.run([...refitTasks, ...importanceTasks], () => options.onTask?.());
      refits = results3.slice(0, candidates.length) as RefitResult[];
      importanceResults = results3.slice(candidates.length) as ImportanceResult[];
    } else {
      // the chosen model is refit on every training row; the others, scored only for the comparison, on the
      // search sample (with the importances), so a large split costs one full fit and one fit's memory
      const others = refitTasks.filter((_, i) => i !== winner);
      options.onPhase?.('importances and refits on the sample', importanceTasks.length + others.length);
      const onSample = await runner.run([...importanceTasks, ...others], () => options.onTask?.());
      importanceResults = onSample.slice(0, importanceTasks.length) as ImportanceResult[];
      const otherRefits = onSample.slice(importanceTasks.length) as RefitResult[];
      await runner.close();
      // one task: in process, so no idle worker holds memory beside the one large fit
      runner = await options.runner(trainShared, 1);
      options.onPhase?.('refit of the chosen model on every training row', 1);
      const [chosenRefit] = (await runner.run([refitTasks[winner]!], () =>
        options.onTask?.(),
      )) as RefitResult[];
      refits = candidates.map((_, i) => (i === winner ? chosenRefit! : otherRefits[i < winner ? i : i - 1]!));
    }
    const sampling = samplingInfo(params, candidates, {
      trainingRows: trainY.length,
      searchRows: searchRows.length,
      testRows: split.test.length,
      winner: candidates[winner]!.key,
    });

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
        { maxRows: params.training.evaluation_max_rows, seed: params.training.random_state },
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
      sampling,
    );
    return {
      split,
      folds: foldList,
      scoring,
      candidates: candidateResults,
      winner,
      importances,
      bundle,
      sampling,
    };
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
  sampling: SamplingInfo,
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
      // evaluate scores the same stratified samples of the train and test rows as train did
      evaluation_sample: {
        max_rows: params.training.evaluation_max_rows,
        seed: params.training.random_state,
      },
    },
    params: {
      hyper_parameters: draw.hyper,
      training: {
        scoring,
        cv_folds: params.training.cv_folds,
        cross_validation: params.training.cross_validation,
        random_state: params.training.random_state,
        random_search_iterations: params.training.random_search_iterations,
        sampling,
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
