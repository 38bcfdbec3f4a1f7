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
  canVote,
  checkLearners,
  learnerFor,
  type CandidateSpec,
  type HyperParams,
} from './learners/index.js';
import { argmaxRows, score, type Scoring } from './metrics.js';
import { TaskScheduler, sharedCopy, type TaskRunner } from './pool.js';
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
import type {
  CvResult,
  FittedFold,
  ImportanceResult,
  RefitResult,
  SharedData,
  Task,
  TaskResult,
} from './tasks.js';

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
  readonly onPhase?: (label: string, tasks: number, unit?: string) => void;
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

/**
 * A task's rough cost, only to start the long ones first (so a phase does not end on one long task while the other
 * threads idle): boosted trees grow n_estimators rounds whose cost grows with the depth; other learners are
 * cheaper than a mid-sized search draw.
 */
export function roughCost(task: Task): number {
  const n = task.hyper['n_estimators'];
  const depth = task.hyper['max_depth'];
  if (task.key.startsWith('XGBoost') && typeof n === 'number' && typeof depth === 'number')
    return n * (depth + 5);
  return 1500;
}

/** Soft vote of equally weighted probability matrices, added in member order (as the soft_voting predictor does). */
export function softVote(probas: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(probas[0]!.length);
  const share = 1 / probas.length;
  for (const p of probas) for (let i = 0; i < out.length; i++) out[i] += share * p[i]!;
  return out;
}

/**
 * Ensemble selection (Caruana et al., 2004, without replacement): start from the model with the best mean CV score,
 * then add, one at a time, the model whose soft vote with those already in raises the mean CV score the most
 * (ties: the earlier model); stop when none raises it. Scores come from the held-out probabilities every model
 * already produced in cross-validation, so no model is fitted again, and the test split is never looked at.
 */
export function selectEnsemble(
  pool: readonly CandidateSpec[],
  bestDraw: (key: string) => { draw: number; mean: number } | undefined,
  foldScores: (members: readonly { key: string; draw: number }[]) => number[],
): { key: string; draw: number }[] {
  const options = pool.flatMap((c) => {
    const b = bestDraw(c.key);
    return b ? [{ key: c.key, draw: b.draw, mean: b.mean }] : [];
  });
  if (options.length === 0)
    throw new InputError(
      'models.algorithms: soft_voting needs at least one other selected model that can vote (not an MLP, k-NN or RBF SVM)',
    );
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const first = options.reduce((b, o) => (o.mean > b.mean ? o : b), options[0]!);
  const picked = [{ key: first.key, draw: first.draw }];
  let current = mean(foldScores(picked));
  for (;;) {
    let bestAdd: { key: string; draw: number } | undefined;
    let bestScore = current;
    for (const o of options) {
      if (picked.some((p) => p.key === o.key)) continue;
      const s = mean(foldScores([...picked, { key: o.key, draw: o.draw }]));
      if (s > bestScore) {
        bestScore = s;
        bestAdd = { key: o.key, draw: o.draw };
      }
    }
    if (!bestAdd) return picked;
    picked.push(bestAdd);
    current = bestScore;
  }
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
    if (c.tunedFrom || c.ensemble) continue;
    const draws = c.search
      ? randomSearchDraws(c.hyperParams, c.search.space, c.search.iterations, params.training.random_state)
      : [c.hyperParams];
    for (const hyper of draws) learnerFor(c.key, hyper);
    drawsOf.set(c.key, draws);
  }

  let runner = await options.runner(shared);
  let closed = false;
  const scheduler = new TaskScheduler(runner);
  try {
    const validY = new Map(
      foldList.map((f) => [f, Int32Array.from(foldRows(folds, f).valid, (r) => searchY[r]!)]),
    );
    // fold results per candidate draw: `${key}#${draw}` → fold → score and fit time
    const scored = new Map<
      string,
      Map<number, { score: number; fitSeconds: number; proba?: Float64Array; fitted?: FittedFold }>
    >();
    // The fold models of the single-draw candidates are kept until the winner is known: the winner's permutation
    // importances are computed on its held-out folds, with exactly these fits (same rows, same seeds), so they are
    // not fitted twice. A search's many draws are not kept (a searched winner is refit per fold instead).
    const keepsFoldModels = (key: string) => !candidates.find((c) => c.key === key)!.search;
    // the held-out probabilities are kept only when a soft-voting ensemble will be built from them
    const ensemble = candidates.find((c) => c.ensemble);
    // Phases run one after the other (each needs the scores of the one before), their tasks longest first; a
    // refit whose hyper-parameters are known is queued at once behind them, so no thread idles at a phase's end.
    const runCv = async (label: string, jobs: { key: string; draw: number; fold: number }[]) => {
      if (jobs.length === 0) return;
      const tasks: Task[] = jobs.map((j) => ({
        kind: 'cv',
        key: j.key,
        hyper: drawsOf.get(j.key)![j.draw]!,
        fold: j.fold,
        ...(keepsFoldModels(j.key) ? { keepModel: true } : {}),
      }));
      options.onPhase?.(label, tasks.length);
      const order = tasks
        .map((_, i) => i)
        .sort((a, b) => roughCost(tasks[b]!) - roughCost(tasks[a]!) || a - b);
      const pending = new Array<Promise<TaskResult>>(tasks.length);
      for (const i of order)
        pending[i] = scheduler.submit(tasks[i]!, 0).then((result) => {
          options.onTask?.();
          return result;
        });
      const results = (await Promise.all(pending)) as CvResult[];
      jobs.forEach((j, i) => {
        const id = `${j.key}#${j.draw}`;
        if (!scored.has(id)) scored.set(id, new Map());
        const yValid = validY.get(j.fold)!;
        scored.get(id)!.set(j.fold, {
          score: score(scoring, yValid, argmaxRows(results[i]!.proba, k), k),
          fitSeconds: results[i]!.fitSeconds,
          ...(ensemble ? { proba: results[i]!.proba } : {}),
          ...(results[i]!.fitted ? { fitted: results[i]!.fitted } : {}),
        });
      });
    };
    let membersOf: { key: string; hyper: HyperParams }[] = [];
    // refits queued early: their progress ticks wait for the phase that reports them
    const refitOf = new Map<string, { result: Promise<TaskResult>; done: boolean }>();
    let refitsReported = false;
    const queueRefit = (c: CandidateSpec, hyper: HyperParams) => {
      const entry = { done: false } as { done: boolean; result: Promise<TaskResult> };
      entry.result = scheduler.submit({ kind: 'refit', key: c.key, hyper }, 1).then((result) => {
        entry.done = true;
        if (refitsReported) options.onTask?.();
        return result;
      });
      // a failure surfaces where the refit is awaited; until then it must not count as unhandled
      entry.result.catch(() => undefined);
      refitOf.set(c.key, entry);
    };
    for (const c of candidates)
      if (!c.search && !c.tunedFrom && !c.ensemble) queueRefit(c, drawsOf.get(c.key)![0]!);
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
    // all its draws on the first ⌊folds/2⌋ folds (at least 2, so a draw is never judged on one fold), and only the
    // best third of them on the rest: most draws cost 2 fits instead of 5
    const phase1 = candidates.filter((c) => !c.tunedFrom && !c.ensemble);
    const halving = (c: CandidateSpec) =>
      Boolean(c.search) &&
      params.training.successive_halving &&
      foldList.length >= 3 &&
      drawsOf.get(c.key)!.length > 3;
    const rung0 = foldList.slice(0, Math.max(2, Math.floor(foldList.length / 2)));
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
    const bestHyper = (key: string) => {
      const draws = drawResultsOf(key);
      return draws[bestOf(draws)]!.hyper;
    };
    // every draw is now known: the searched and tuned candidates' refits can be queued
    for (const c of candidates) {
      if (refitOf.has(c.key) || c.ensemble) continue;
      queueRefit(c, c.tunedFrom ? drawsOf.get(c.key)![0]! : bestHyper(c.key));
    }
    await runCv(
      'cross-validation (tuned)',
      phase2.flatMap((c) => jobsFor(c.key, [0], foldList)),
    );
    if (ensemble) {
      const members = selectEnsemble(
        candidates.filter(canVote),
        (key) => {
          const draws = drawResultsOf(key);
          const d = bestOf(draws);
          return d < 0 ? undefined : { draw: d, mean: draws[d]!.mean };
        },
        (picked) =>
          foldList.map((f) => {
            const probas = picked.map((m) => scored.get(`${m.key}#${m.draw}`)!.get(f)!.proba!);
            return score(scoring, validY.get(f)!, argmaxRows(softVote(probas), k), k);
          }),
      );
      const memberHyper = members.map((m) => ({ key: m.key, hyper: drawsOf.get(m.key)![m.draw]! }));
      drawsOf.set(ensemble.key, [{ members: members.map((m) => m.key).join('+') }]);
      membersOf = memberHyper;
      scored.set(
        `${ensemble.key}#0`,
        new Map(
          foldList.map((f) => {
            const folds = members.map((m) => scored.get(`${m.key}#${m.draw}`)!.get(f)!);
            return [
              f,
              {
                score: score(scoring, validY.get(f)!, argmaxRows(softVote(folds.map((r) => r.proba!)), k), k),
                fitSeconds: folds.reduce((a, r) => a + r.fitSeconds, 0),
              },
            ];
          }),
        ),
      );
      // its refit is its members' refits, put together (they share the preprocessing: same rows, same spec)
      const entry = { done: false } as { done: boolean; result: Promise<TaskResult> };
      entry.result = Promise.all(memberHyper.map((m) => refitOf.get(m.key)!.result)).then((results) => {
        const refits = results as RefitResult[];
        entry.done = true;
        if (refitsReported) options.onTask?.();
        return {
          kind: 'refit',
          preprocessing: refits[0]!.preprocessing,
          fitSeconds: refits.reduce((a, r) => a + r.fitSeconds, 0),
          model: {
            kind: 'soft_voting',
            nFeatures: refits[0]!.model.nFeatures,
            nClasses: k,
            weights: refits.map(() => 1),
            members: refits.map((r) => r.model),
          },
        } satisfies RefitResult;
      });
      entry.result.catch(() => undefined);
      refitOf.set(ensemble.key, entry);
      for (const v of scored.values()) for (const r of v.values()) delete r.proba;
    }
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
    const winnerKey = candidates[winner]!.key;
    const foldModelOf = (fold: number): FittedFold | undefined => {
      if (!candidates[winner]!.ensemble)
        return scored.get(`${winnerKey}#${best[winner]!}`)!.get(fold)!.fitted;
      // the ensemble's fold model is its members' fold models (they share the fold's preprocessing)
      const members = membersOf.map((m) => {
        const draw = drawsOf.get(m.key)!.indexOf(m.hyper);
        return scored.get(`${m.key}#${draw}`)?.get(fold)?.fitted;
      });
      if (members.some((m) => !m)) return undefined;
      const nFeatures = members[0]!.nFeatures;
      const weights = JSON.stringify(members.map(() => 1));
      return {
        preprocessing: members[0]!.preprocessing,
        modelText: `{"kind":"soft_voting","nFeatures":${nFeatures},"nClasses":${k},"weights":${weights},"members":[${members.map((m) => m!.modelText).join(',')}]}`,
        nFeatures,
      };
    };
    const importanceTasks: Task[] = foldList.map((fold) => {
      const fitted = foldModelOf(fold);
      return {
        kind: 'importance',
        key: winnerKey,
        hyper: chosen[winner]!,
        ...(candidates[winner]!.ensemble ? { members: membersOf } : {}),
        fold,
        repeats: params.training.importance_repeats,
        scoring,
        ...(fitted ? { fitted } : {}),
      };
    });
    for (const v of scored.values()) for (const r of v.values()) delete r.fitted;
    options.onPhase?.(
      sampled ? 'importances and refits on the sample' : 'refit and importances',
      candidates.length + importanceTasks.length,
    );
    refitsReported = true;
    for (const entry of refitOf.values()) if (entry.done) options.onTask?.();
    const importancePending = importanceTasks.map((t) =>
      scheduler.submit(t, 0).then((result) => {
        options.onTask?.();
        return result;
      }),
    );
    const [refitsOnSplit, importanceResults] = (await Promise.all([
      Promise.all(candidates.map((c) => refitOf.get(c.key)!.result)),
      Promise.all(importancePending),
    ])) as [RefitResult[], ImportanceResult[]];
    let refits = refitsOnSplit;
    if (sampled) {
      // Past the search cap the refits above used the sample (the other models are refit only for the comparison);
      // the chosen model is refit on every training row, alone and in process, so a large split costs one full
      // fit and one fit's memory (no idle worker holding its own heap beside it).
      await runner.close();
      runner = await options.runner(trainShared, 1);
      // one long fit: its progress in percent, from the learner (trees or epochs done)
      options.onPhase?.('refit of the chosen model on every training row', 100, '%');
      let reported = 0;
      const [full] = (await runner.run(
        [
          {
            kind: 'refit',
            key: winnerKey,
            hyper: chosen[winner]!,
            ...(candidates[winner]!.ensemble ? { members: membersOf } : {}),
          },
        ],
        () => {
          for (; reported < 100; reported++) options.onTask?.();
        },
        (_task, fraction) => {
          for (const done = Math.floor(fraction * 100); reported < done; reported++) options.onTask?.();
        },
      )) as RefitResult[];
      refits = refits.map((r, i) => (i === winner ? full! : r));
    }
    // Every task has run: the worker threads (each with its own heap and copy of the code) are released before the
    // evaluation, the bundle and the caller's tracking, which run on this thread alone and make the peak otherwise.
    await runner.close();
    closed = true;
    const sampling = samplingInfo(params, candidates, {
      trainingRows: trainY.length,
      searchRows: searchRows.length,
      testRows: split.test.length,
      winner: winnerKey,
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
      candidates[winner]!.ensemble ? membersOf : undefined,
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
  } catch (error) {
    scheduler.cancel();
    throw error;
  } finally {
    if (!closed) await runner.close();
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
  members?: readonly { key: string; hyper: HyperParams }[],
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
      // a soft-voting ensemble: each member's model key and hyper-parameters, in the order of `model.members`
      ...(members ? { members } : {}),
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
