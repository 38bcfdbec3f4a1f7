/**
 * Soft voting (kind "soft_voting"): the weighted mean of its members' class probabilities, as scikit-learn's
 * VotingClassifier(voting="soft"). Every member reads the same preprocessed matrix (they were fitted on the same
 * rows with the same preprocessing). A member that needs files beside the bundle (an MLP) cannot be one.
 *
 * JSON: { kind: "soft_voting", nFeatures, nClasses, weights: one positive number per member, members: ModelJson[] }.
 */
import type { Matrix, ModelJson, Predictor } from '../types.js';
import { checkPredictInput, fail, intField } from './trees.js';

export function softVotingPredictor(json: ModelJson, build: (member: ModelJson) => Predictor): Predictor {
  const kind = 'soft_voting';
  if (json.kind !== kind) fail(kind, `kind is ${JSON.stringify(json.kind)}, expected "${kind}"`);
  const nFeatures = intField(json, 'nFeatures', 1);
  const nClasses = intField(json, 'nClasses', 2);
  const members = json['members'];
  const weights = json['weights'];
  if (!Array.isArray(members) || members.length === 0) fail(kind, 'members must be a non-empty list');
  if (!Array.isArray(weights) || weights.length !== members.length)
    fail(kind, `weights must be a list of ${members.length} numbers (one per member)`);
  weights.forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0)
      fail(kind, `weights[${i}] must be a positive number, got ${JSON.stringify(w)}`);
  });
  const total = (weights as number[]).reduce((a, b) => a + b, 0);
  const share = (weights as number[]).map((w) => w / total);
  const predictors = (members as ModelJson[]).map((m, i) => {
    if (typeof m !== 'object' || m === null) fail(kind, `members[${i}] is not a model`);
    if (m.kind === kind || m.kind === 'mlp')
      fail(kind, `members[${i}]: a ${m.kind} model cannot be a member`);
    const p = build(m);
    if (p.nFeatures !== nFeatures || p.nClasses !== nClasses)
      fail(
        kind,
        `members[${i}] expects ${p.nFeatures} features and ${p.nClasses} classes, not ${nFeatures} and ${nClasses}`,
      );
    return p;
  });
  // one buffer per call size, reused (a warm single-row prediction allocates nothing)
  let scratch = new Float64Array(nClasses);
  return {
    kind,
    nFeatures,
    nClasses,
    predictProba(x: Matrix, out?: Float64Array): Float64Array {
      const result = checkPredictInput(kind, nFeatures, nClasses, x, out);
      const size = x.rows * nClasses;
      if (scratch.length < size) scratch = new Float64Array(size);
      result.fill(0, 0, size);
      predictors.forEach((p, m) => {
        p.predictProba(x, scratch);
        const s = share[m]!;
        for (let i = 0; i < size; i++) result[i] += s * scratch[i]!;
      });
      return result;
    },
  };
}
