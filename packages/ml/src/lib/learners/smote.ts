/**
 * SMOTE oversampling (imbalanced-learn's SMOTE with sampling_strategy "auto", as the predecessor's XGBoost_SMOTE):
 * every class except the largest is topped up to the largest class's count with synthetic rows
 * x_i + u · (x_nn − x_i), where x_i is a random row of the class, x_nn one of its k nearest neighbours within the
 * class (Euclidean; the row itself excluded; equal distances ordered by row) and u uniform in [0, 1).
 * The original rows come first, unchanged; synthetic rows follow, class by class. With sample weights, a synthetic
 * row carries the weight of the row it was grown from.
 *
 * Bounded work: a class of more than SMOTE_NEIGHBOUR_POOL rows looks for neighbours among a random subset of that
 * many of its rows (drawn once per class; base rows still come from the whole class), so the search costs
 * synthetic rows × pool rather than synthetic rows × class rows (quadratic in the data). The neighbours are then
 * nearest within the subset, an approximation of the kind large-data SMOTE implementations make (approximate
 * nearest neighbours); a class at or under the pool (every class of the real data) is searched exactly, as before.
 */
import { InputError, type SeededRng } from '@mlops/core';
import type { Matrix } from '@mlops/model';
import type { FitData } from '../learner.js';
import { checkFitData, classCounts } from './trees/fit-data.js';

/** Rows of a class searched for neighbours (see above). */
export const SMOTE_NEIGHBOUR_POOL = 5000;

export interface SmoteOptions {
  readonly kNeighbors: number;
  readonly rng: SeededRng;
}

/**
 * SMOTE's synthetic rows as a recipe: synthetic row s is x[base[s]] + u[s] · (x[other[s]] − x[base[s]]), of class
 * y[n + s]. `y` and `sampleWeight` cover the original rows then the synthetic ones. A learner that only bins its
 * matrix (the boosted trees) reads the synthetic values through `syntheticValue` instead of holding a second,
 * larger copy of the matrix: 16 bytes a synthetic row instead of 8 per feature.
 */
export interface SmotePlan {
  readonly base: Int32Array;
  readonly other: Int32Array;
  readonly u: Float64Array;
  readonly y: Int32Array;
  readonly sampleWeight?: Float64Array;
}

/** Feature f of synthetic row s of `plan` over the original matrix `x` (the value `smote` writes). */
export function syntheticValue(x: Matrix, plan: SmotePlan, s: number, f: number): number {
  const a = x.data[plan.base[s]! * x.cols + f]!;
  return a + plan.u[s]! * (x.data[plan.other[s]! * x.cols + f]! - a);
}

/** The synthetic rows SMOTE adds to `data` (none when every class already has the largest class's count). */
export function smotePlan(data: FitData, options: SmoteOptions): SmotePlan {
  const { kNeighbors: k, rng } = options;
  if (!Number.isInteger(k) || k < 1)
    throw new InputError(`smote: k_neighbors must be an integer >= 1, got ${k}`);
  checkFitData(data, 'smote');
  const { x, y, nClasses: K, sampleWeight } = data;
  const F = x.cols;
  const counts = classCounts(y, K);
  let majority = 0;
  for (let c = 1; c < K; c++) if (counts[c]! > counts[majority]!) majority = c;
  const target = counts[majority]!;
  let extra = 0;
  for (let c = 0; c < K; c++) if (c !== majority && counts[c]! > 0) extra += target - counts[c]!;

  const n = x.rows;
  const plan = {
    base: new Int32Array(extra),
    other: new Int32Array(extra),
    u: new Float64Array(extra),
    y: new Int32Array(n + extra),
    ...(sampleWeight ? { sampleWeight: new Float64Array(n + extra) } : {}),
  };
  plan.y.set(y);
  plan.sampleWeight?.set(sampleWeight!);
  let s = 0;
  const neighbors = new Int32Array(k);
  const dist = new Float64Array(k);
  for (let c = 0; c < K; c++) {
    const need = c === majority || counts[c] === 0 ? 0 : target - counts[c]!;
    if (need === 0) continue;
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (y[i] === c) members.push(i);
    if (members.length <= k) {
      throw new InputError(
        `smote: class ${c} has ${members.length} row(s); k_neighbors ${k} needs at least ${k + 1} rows of every class`,
      );
    }
    const pool = members.length > SMOTE_NEIGHBOUR_POOL ? poolOf(members, rng) : members;
    // neighbours of each base row, found once and reused by every synthetic row grown from it
    const cache = new Map<number, Int32Array>();
    for (let j = 0; j < need; j++, s++) {
      const base = members[rng.int(members.length)]!;
      let nn = cache.get(base);
      if (!nn) {
        nearestInClass(x.data, F, base, pool, k, neighbors, dist);
        nn = neighbors.slice();
        cache.set(base, nn);
      }
      plan.base[s] = base;
      plan.other[s] = nn[rng.int(k)]!;
      plan.u[s] = rng.uniform();
      plan.y[n + s] = c;
      if (plan.sampleWeight) plan.sampleWeight[n + s] = sampleWeight![base]!;
    }
  }
  return plan;
}

/** `data` with SMOTE's synthetic rows appended (the same object when there are none). */
export function smote(data: FitData, options: SmoteOptions): FitData {
  const plan = smotePlan(data, options);
  const extra = plan.base.length;
  if (extra === 0) return data;
  const { x } = data;
  const F = x.cols;
  const n = x.rows;
  const outX = new Float64Array((n + extra) * F);
  outX.set(x.data);
  for (let s = 0; s < extra; s++)
    for (let f = 0; f < F; f++) outX[(n + s) * F + f] = syntheticValue(x, plan, s, f);
  return {
    x: { data: outX, rows: n + extra, cols: F },
    y: plan.y,
    nClasses: data.nClasses,
    ...(plan.sampleWeight ? { sampleWeight: plan.sampleWeight } : {}),
  };
}

/** A uniform random subset of SMOTE_NEIGHBOUR_POOL rows of `members`, in row order. */
function poolOf(members: readonly number[], rng: SeededRng): number[] {
  const copy = members.slice();
  for (let i = 0; i < SMOTE_NEIGHBOUR_POOL; i++) {
    const j = i + rng.int(copy.length - i);
    const tmp = copy[i]!;
    copy[i] = copy[j]!;
    copy[j] = tmp;
  }
  return copy.slice(0, SMOTE_NEIGHBOUR_POOL).sort((a, b) => a - b);
}

/** The k rows of `members` nearest to row `base` (itself excluded), nearest first, ties by lower row index. */
function nearestInClass(
  data: Float64Array,
  F: number,
  base: number,
  members: number[],
  k: number,
  neighbors: Int32Array,
  dist: Float64Array,
): void {
  dist.fill(Infinity);
  neighbors.fill(-1);
  const bo = base * F;
  for (const m of members) {
    if (m === base) continue;
    const mo = m * F;
    let d = 0;
    for (let f = 0; f < F; f++) {
      const diff = data[bo + f]! - data[mo + f]!;
      d += diff * diff;
    }
    if (d >= dist[k - 1]!) continue; // members are in row order, so an equal distance keeps the earlier row
    let j = k - 1;
    while (j > 0 && dist[j - 1]! > d) {
      dist[j] = dist[j - 1]!;
      neighbors[j] = neighbors[j - 1]!;
      j--;
    }
    dist[j] = d;
    neighbors[j] = m;
  }
}
