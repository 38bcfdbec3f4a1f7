/** Synthetic training data for the orchestration tests: rows in the product's feature spec, labelled with the WHO
 * class of their BMI, so the problem is learnable and BMI is what matters. */
import { SeededRng, bmi, bmiClass, defaultParams, type Params } from '@mlops/core';
import { RowEncoder, encodeRows, labelMapOf, obesityFeatureSpec } from '@mlops/model';
import type { LabeledData } from '../../src/lib/data.js';

export const spec = obesityFeatureSpec();

export function bmiLabelledData(n: number, seed: number): LabeledData {
  const rng = new SeededRng(seed);
  const rows: Record<string, unknown>[] = [];
  const classes: string[] = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    for (const f of spec.numeric) row[f.name] = rng.uniformRange(f.range[0], f.range[1]);
    row['Height'] = rng.uniformRange(1.5, 1.9);
    row['Weight'] = rng.uniformRange(45, 140);
    for (const f of spec.categorical) row[f.name] = rng.pick(f.categories);
    rows.push(row);
    classes.push(bmiClass(bmi(row['Weight'] as number, row['Height'] as number)));
  }
  const labels = labelMapOf(classes);
  return {
    file: 'synthetic.csv',
    md5: 'f'.repeat(32),
    rows: n,
    batch: encodeRows(new RowEncoder(spec), rows).batch,
    y: Int32Array.from(classes, (c) => labels.indexOf(c)),
    labels,
  };
}

/** Default params for a quick orchestration run: one algorithm, 3 folds, `importanceRepeats` shuffles, then `patch`. */
export function quickParams(
  algorithm: string,
  importanceRepeats: number,
  patch: (p: Params) => void = () => undefined,
): Params {
  const p = defaultParams();
  p.models.algorithms = [algorithm as Params['models']['algorithms'][number]];
  p.training.cv_folds = 3;
  p.training.importance_repeats = importanceRepeats;
  patch(p);
  return p;
}
