/**
 * Tracking of a training run: a parent run, then one child run per model with the predecessor's run names, params
 * and metric names (model_type, the hyper-parameters, smote_applied; test_accuracy, <prefix>_precision_weighted…,
 * train_score, test_score_ov_uf, gap_overfitting) plus ours (CV score per fold as steps, mean and std, ROC-AUC,
 * log loss, fit time); the winning bundle logged on the parent with an MLmodel file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, Params } from '@mlops/core';
import type { Run } from '@mlops/tracking';
import { mlmodelText } from './reports.js';
import type { CandidateResult, TrainOutcome } from './train.js';

/** The params a child run logs, as the predecessor named them. */
export function childParams(c: CandidateResult, params: Params): Record<string, unknown> {
  const hyper = c.draws[c.best]!.hyper;
  if (c.spec.key === 'XGBoost_SMOTE' && c.spec.search) {
    // the search's best parameters, keyed as the predecessor's pipeline steps were (clf__…, smote__…)
    const out: Record<string, unknown> = { model_type: c.spec.key };
    for (const key of Object.keys(c.spec.search.space)) {
      out[key === 'smote_k_neighbors' ? 'smote__k_neighbors' : `clf__${key}`] = hyper[key];
    }
    return { ...out, cv_folds: params.training.cv_folds, scoring: params.training.scoring };
  }
  return {
    model_type: c.spec.key,
    ...hyper,
    smote_applied: false,
    cv_folds: params.training.cv_folds,
    scoring: params.training.scoring,
  };
}

export function childMetrics(c: CandidateResult, scoring: string): Record<string, number> {
  const r = c.report;
  const p = c.spec.metricPrefix;
  const draw = c.draws[c.best]!;
  const metrics: Record<string, number> = {
    test_accuracy: r.test_accuracy,
    [`${p}_precision_weighted`]: r.test_precision,
    [`${p}_recall_weighted`]: r.test_recall,
    [`${p}_f1_weighted`]: r.test_f1,
    train_score: r.train_accuracy,
    test_score_ov_uf: r.test_accuracy,
    gap_overfitting: r.train_test_gap,
    [`cv_${scoring}_mean`]: draw.mean,
    [`cv_${scoring}_std`]: draw.std,
    test_f1_macro: r.test.f1_macro,
    test_balanced_accuracy: r.test.balanced_accuracy,
    test_log_loss: r.test.log_loss,
    fit_seconds: c.refit.fitSeconds,
  };
  if (r.test.roc_auc_ovr_macro !== null) metrics['test_roc_auc_ovr_macro'] = r.test.roc_auc_ovr_macro;
  if (r.test.roc_auc_ovr_weighted !== null)
    metrics['test_roc_auc_ovr_weighted'] = r.test.roc_auc_ovr_weighted;
  return metrics;
}

export interface TrackOptions {
  readonly params: Params;
  readonly logger: Logger;
  readonly enabled: boolean;
  readonly outcome: TrainOutcome;
  /** Every file of the model folder train wrote (the bundle and its companions), logged under `model/`. */
  readonly modelFiles: readonly string[];
  readonly bundleChecksum: string;
  readonly reportFiles: readonly string[];
  readonly dataMd5: string;
}

export async function trackTraining(options: TrackOptions): Promise<void> {
  const { params, logger, enabled, outcome } = options;
  if (!enabled) return;
  const { createTracker, paramsHash, PARAMS_HASH_TAG } = await import('@mlops/tracking');
  const tracker = await createTracker({
    trackingUri: params.mlflow.tracking_uri,
    experimentName: params.mlflow.experiment_name,
    logger,
    enabled,
    baseTags: {
      [PARAMS_HASH_TAG]: paramsHash({ models: params.models, training: params.training, data: params.data }),
      'mlops.stage': 'ml',
    },
  });
  const winner = outcome.candidates[outcome.winner]!;
  await tracker.withRun(
    { runName: params.mlflow.run_name, tags: { 'mlops.winner': winner.spec.key } },
    async (parent) => {
      await parent.logParams({
        algorithms: params.models.algorithms.join(','),
        scoring: outcome.scoring,
        cv_folds: params.training.cv_folds,
        cross_validation: params.training.cross_validation,
        test_size: params.data.test_size,
        random_state: params.data.random_state,
        random_search_iterations: params.training.random_search_iterations,
        data_md5: options.dataMd5,
        best_model: winner.spec.key,
      });
      for (const c of outcome.candidates) {
        await tracker.withRun(
          { runName: c.spec.runName, parentRunId: parent.runId, tags: { 'mlops.model_key': c.spec.key } },
          async (child: Run) => {
            await child.logParams(childParams(c, params));
            await child.logMetrics(childMetrics(c, outcome.scoring));
            const draw = c.draws[c.best]!;
            await child.logMetricPoints(
              draw.foldScores.map((value, i) => ({
                key: `cv_${outcome.scoring}`,
                value,
                step: draw.folds[i]!,
              })),
            );
          },
        );
      }
      await parent.logMetrics({
        best_cv_score: winner.draws[winner.best]!.mean,
        test_accuracy: winner.report.test_accuracy,
        test_f1_weighted: winner.report.test_f1,
      });
      for (const file of options.reportFiles) await parent.logArtifact(file, 'reports');
      // the bundle as an MLflow model folder: the bundle file and an MLmodel describing it
      const staging = mkdtempSync(join(tmpdir(), 'mlops-ml-model-'));
      try {
        writeFileSync(
          join(staging, 'MLmodel'),
          mlmodelText(outcome.bundle, parent.runId, new Date(), options.bundleChecksum),
        );
        await parent.logArtifact(staging, 'model');
        for (const file of options.modelFiles) await parent.logArtifact(file, 'model');
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
      logger.info(
        `logged run ${parent.runId} and ${outcome.candidates.length} model runs to ${tracker.trackingUri}`,
      );
      // The bundle becomes a new version of the registered model; the champion alias moves to it only when it
      // beats the current champion on mlflow.promote_metric (never a silent downgrade).
      const { registerAndPromote } = await import('@mlops/tracking');
      const scores = {
        cv_score: winner.draws[winner.best]!.mean,
        test_accuracy: winner.report.test_accuracy,
        test_f1: winner.report.test_f1,
      };
      const promoted = await registerAndPromote(tracker.registry(), {
        name: params.mlflow.registered_model_name,
        source: `${parent.artifactUri}/model`,
        runId: parent.runId,
        alias: params.mlflow.champion_alias,
        metricTag: `mlops.${params.mlflow.promote_metric}`,
        metricValue: scores[params.mlflow.promote_metric],
        tags: {
          'mlops.model': winner.spec.key,
          'mlops.data_md5': options.dataMd5,
          'mlops.bundle_sha256': options.bundleChecksum,
          ...Object.fromEntries(Object.entries(scores).map(([k, v]) => [`mlops.${k}`, String(v)])),
        },
      });
      logger.info(
        `registered ${params.mlflow.registered_model_name} version ${promoted.version.version}: ${promoted.reason}`,
      );
    },
  );
}
