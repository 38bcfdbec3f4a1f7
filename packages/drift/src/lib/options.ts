/** The stage's options from params (`drift.*`): every key is read here. */
import type { Params } from '@mlops/core';
import type { DetectOptions } from './detect.js';
import type { SimulateOptions } from './simulate.js';

export function detectOptions(params: Params): DetectOptions {
  const d = params.drift;
  return {
    pvalueThreshold: d.pvalue_threshold,
    distanceThreshold: d.distance_threshold,
    driftShare: d.drift_share,
    minRows: d.min_rows,
    psiThreshold: d.psi_threshold,
    ksThreshold: d.ks_threshold,
    alertThreshold: d.alert_threshold,
    psiBins: d.psi_bins,
    psiBinning: d.psi_binning,
    performanceWarning: d.performance_warning,
    performanceCritical: d.performance_critical,
    importantFeatures: d.important_features,
    baselineVersion: d.baseline_version,
  };
}

export function simulateOptions(params: Params): SimulateOptions {
  const s = params.drift.simulate;
  return {
    seed: s.seed,
    generator: s.generator,
    shifts: Object.entries(s.shifts),
    shiftNoise: s.shift_noise,
    noise: Object.entries(s.noise),
  };
}
