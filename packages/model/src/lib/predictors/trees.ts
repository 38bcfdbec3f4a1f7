/**
 * Inference for the tree ensembles the ml stage's histogram learner writes ("random_forest", "gradient_boosting").
 *
 * JSON layout (all trees in one set of flat arrays, each tree in preorder from roots[t]):
 *   feature[i]   split feature of node i, or -1 for a leaf
 *   threshold[i] a row goes left when x[feature[i]] <= threshold[i] (a real value on the preprocessed scale)
 *   left[i], right[i]  child node indices (always greater than i); for a leaf, left[i] is the offset of its values
 *                in `value` and right[i] is -1
 *   value        leaf values: nClasses class probabilities per leaf (random forest) or one weight (boosting)
 * random_forest: predict_proba is the mean of the trees' leaf distributions (as scikit-learn).
 * gradient_boosting: tree t adds its leaf weight to the margin of class t mod nClasses, starting from baseScore;
 *   probabilities are the softmax of the margins.
 */
import { InputError } from '@mlops/core';
import type { Matrix, ModelJson, Predictor, PredictorFactory } from '../types.js';

interface Trees {
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  /** For boosting, a leaf's slot holds its weight, so the walk ends with one read. */
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
}

function readTrees(json: ModelJson, nFeatures: number, valueSize: number): Trees {
  const kind = json.kind;
  const feature = intArray(json, 'feature', -1, nFeatures - 1);
  const nodes = feature.length;
  const threshold = floatArray(json, 'threshold');
  const left = intArray(json, 'left', -1, 2 ** 31 - 1);
  const right = intArray(json, 'right', -1, 2 ** 31 - 1);
  const value = floatArray(json, 'value');
  for (const [name, arr] of [
    ['threshold', threshold],
    ['left', left],
    ['right', right],
  ] as const) {
    if (arr.length !== nodes) fail(kind, `${name} has ${arr.length} entries, feature has ${nodes}`);
  }
  const roots = intArray(json, 'roots', 0, Math.max(0, nodes - 1));
  if (roots.length === 0) fail(kind, 'roots is empty: the model has no trees');
  const nTrees = intField(json, 'nTrees', 1);
  if (nTrees !== roots.length) fail(kind, `nTrees is ${nTrees} but roots lists ${roots.length} trees`);
  for (let i = 0; i < nodes; i++) {
    if (feature[i]! >= 0) {
      // children after their parent: every walk moves forward, so no JSON can make it loop
      if (left[i]! <= i || left[i]! >= nodes) fail(kind, `left[${i}] = ${left[i]} must be a node after ${i}`);
      if (right[i]! <= i || right[i]! >= nodes)
        fail(kind, `right[${i}] = ${right[i]} must be a node after ${i}`);
    } else {
      if (left[i]! < 0 || left[i]! + valueSize > value.length) {
        fail(kind, `left[${i}] = ${left[i]}: leaf value offset outside value (length ${value.length})`);
      }
      if (right[i] !== -1) fail(kind, `right[${i}] must be -1 for a leaf`);
    }
  }
  return { roots, feature, threshold, left, right, value };
}

/**
 * The serving layout: each tree re-laid breadth-first so that a node's children are adjacent (right = left + 1);
 * the walk is then `node = child[node] + (x > threshold)`, one comparison and no second child lookup. A leaf has
 * feature -1 and `child` holding its value offset. In the boosting layout (`selfLoopLeaves`) a leaf instead reads
 * the sentinel feature `nFeatures` (always −Infinity), points to itself and holds its value in its threshold slot:
 * a walk of exactly `depth[t]` steps then ends on the leaf whatever its depth, with no test for leaves, so several
 * trees can be walked in lockstep.
 */
interface Compact {
  readonly roots: Int32Array;
  /** For each leaf, the offset of its values in the JSON's `value` (0 for split nodes). */
  readonly leafOffset: Int32Array;
  /** Levels below the root of each tree's deepest leaf. */
  readonly depth: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly child: Int32Array;
}

function compact(trees: Trees, selfLoopLeaves: boolean, nFeatures: number): Compact {
  const nodes = trees.feature.length;
  const feature = new Int32Array(nodes);
  const threshold = new Float64Array(nodes);
  const child = new Int32Array(nodes);
  const leafOffset = new Int32Array(nodes);
  const roots = new Int32Array(trees.roots.length);
  const depth = new Int32Array(trees.roots.length);
  const queue = new Int32Array(nodes);
  const level = new Int32Array(nodes);
  let next = 0;
  for (let t = 0; t < trees.roots.length; t++) {
    // breadth-first from the root: queue[i] is the old index of new node i
    roots[t] = next;
    queue[next] = trees.roots[t]!;
    level[next] = 0;
    let head = next;
    next++;
    while (head < next) {
      const old = queue[head]!;
      const f = trees.feature[old]!;
      feature[head] = f;
      if (f >= 0) {
        if (next + 2 > nodes) fail('tree', `node ${old} is reached twice: trees must not share nodes`);
        threshold[head] = trees.threshold[old]!;
        child[head] = next;
        level[next] = level[head]! + 1;
        queue[next++] = trees.left[old]!;
        level[next] = level[head]! + 1;
        queue[next++] = trees.right[old]!;
      } else if (selfLoopLeaves) {
        feature[head] = nFeatures;
        child[head] = head;
        leafOffset[head] = trees.left[old]!;
        threshold[head] = trees.value[trees.left[old]!]!;
        if (level[head]! > depth[t]!) depth[t] = level[head]!;
      } else {
        child[head] = trees.left[old]!;
        if (level[head]! > depth[t]!) depth[t] = level[head]!;
      }
      head++;
    }
  }
  return { roots, leafOffset, depth, feature, threshold, child };
}

/**
 * The lockstep layout of a compacted tree set (built with self-loop leaves): thresholds become ranks. Per feature,
 * the sorted distinct thresholds its splits use; a node stores the rank j of its threshold, a row is ranked once
 * per feature (how many of those thresholds lie below x), and x > t_j becomes rank(x) > j, tested branch-free on
 * integers as (j − rank(x)) >>> 31. A leaf reads the sentinel rank −1 of feature nFeatures with j = 0, so it never
 * moves. Trees are walked four at a time for depth `groupDepth[g]` (the deepest of the four): the four dependent
 * load chains overlap instead of running one after another, and no walk tests for a leaf. The same comparisons as
 * x > threshold, so the same leaves.
 */
interface Lockstep {
  readonly cuts: Float64Array[];
  /**
   * Node i as four integers at 4i: its child's position (4 × child index), its split rank, its feature, padding.
   * One 16-byte record per node, and a node's two children adjacent: a step of a walk reads one cache line, not
   * one in each of three arrays (the trees of a large ensemble do not fit in the core's cache).
   */
  readonly nodes: Int32Array;
  /** Each tree's root position (4 × root index). */
  readonly roots: Int32Array;
  readonly groups: number;
  readonly groupDepth: Int32Array;
  /** Scratch: the ranks of the row being scored, plus the sentinel −1 that leaves read. */
  readonly rank: Int32Array;
}

function lockstep(c: Compact, nFeatures: number): Lockstep {
  const { feature, threshold, depth } = c;
  const perFeature: number[][] = Array.from({ length: nFeatures }, () => []);
  for (let i = 0; i < feature.length; i++)
    if (feature[i]! < nFeatures) perFeature[feature[i]!]!.push(threshold[i]!);
  const cuts = perFeature.map((values) => Float64Array.from(new Set(values)).sort());
  const nodes = new Int32Array(feature.length * 4);
  for (let i = 0; i < feature.length; i++) {
    const f = feature[i]!;
    nodes[4 * i] = 4 * c.child[i]!;
    if (f < nFeatures) nodes[4 * i + 1] = lowerBound(cuts[f]!, threshold[i]!);
    nodes[4 * i + 2] = f;
  }
  const roots = c.roots.map((r) => 4 * r);
  const nTrees = c.roots.length;
  const groups = nTrees >> 2;
  const groupDepth = new Int32Array(groups);
  for (let g = 0; g < groups; g++) {
    groupDepth[g] = Math.max(depth[4 * g]!, depth[4 * g + 1]!, depth[4 * g + 2]!, depth[4 * g + 3]!);
  }
  const rank = new Int32Array(nFeatures + 1);
  rank[nFeatures] = -1;
  return { cuts, nodes, roots, groups, groupDepth, rank };
}

/** Ranks row `base` of `data` into ls.rank (see Lockstep). */
function rankRow(ls: Lockstep, data: Float64Array, base: number, nFeatures: number): void {
  const { cuts, rank } = ls;
  for (let f = 0; f < nFeatures; f++) rank[f] = lowerBound(cuts[f]!, data[base + f]!);
}

/** Number of values in sorted `cuts` strictly below x (so x > cuts[j] exactly when the result exceeds j). */
function lowerBound(cuts: Float64Array, x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Checks every row of x is finite before any walk, so an error names the first bad cell. */
function checkFinite(kind: string, x: Matrix, nFeatures: number): void {
  for (let r = 0; r < x.rows; r++) checkRowFinite(kind, x.data, r * nFeatures, nFeatures, r);
}

function header(json: ModelJson, kind: string): { nFeatures: number; nClasses: number } {
  if (json.kind !== kind) fail(kind, `kind is ${JSON.stringify(json.kind)}, expected "${kind}"`);
  return { nFeatures: intField(json, 'nFeatures', 1), nClasses: intField(json, 'nClasses', 2) };
}

/** result[o..o+K) += value[v..v+K) */
function addInto(result: Float64Array, o: number, value: Float64Array, v: number, K: number): void {
  for (let k = 0; k < K; k++) result[o + k] += value[v + k]!;
}

export const randomForestPredictor: PredictorFactory = (json) => {
  const kind = 'random_forest';
  const { nFeatures, nClasses } = header(json, kind);
  const trees = readTrees(json, nFeatures, nClasses);
  const value = trees.value;
  for (let i = 0; i < value.length; i++) {
    if (value[i]! < 0) fail(kind, `value[${i}] must be a probability >= 0`);
  }
  const compacted = compact(trees, true, nFeatures);
  const { depth, leafOffset } = compacted;
  const nTrees = depth.length;
  const K = nClasses;
  const ls = lockstep(compacted, nFeatures);
  const { nodes, roots, groups, groupDepth, rank } = ls;
  const predictor: Predictor = {
    kind,
    nFeatures,
    nClasses,
    predictProba(x: Matrix, out?: Float64Array): Float64Array {
      const result = checkPredictInput(kind, nFeatures, nClasses, x, out);
      checkFinite(kind, x, nFeatures);
      const data = x.data;
      const rows = x.rows;
      result.fill(0, 0, rows * K);
      for (let r = 0; r < rows; r++) {
        rankRow(ls, data, r * nFeatures, nFeatures);
        const o = r * K;
        for (let g = 0; g < groups; g++) {
          const t = 4 * g;
          let a = roots[t]!;
          let b = roots[t + 1]!;
          let c = roots[t + 2]!;
          let d = roots[t + 3]!;
          for (let s = groupDepth[g]!; s > 0; s--) {
            a = nodes[a]! + (((nodes[a + 1]! - rank[nodes[a + 2]!]!) >>> 31) << 2);
            b = nodes[b]! + (((nodes[b + 1]! - rank[nodes[b + 2]!]!) >>> 31) << 2);
            c = nodes[c]! + (((nodes[c + 1]! - rank[nodes[c + 2]!]!) >>> 31) << 2);
            d = nodes[d]! + (((nodes[d + 1]! - rank[nodes[d + 2]!]!) >>> 31) << 2);
          }
          // The walk of four trees is written out here and in the boosting predictor, not shared through a helper:
          // the helper version (leaves handed back in a scratch array) measured 10-15% slower per row.
          // the trees' distributions added in tree order, as a walk of one tree at a time would
          addInto(result, o, value, leafOffset[a >> 2]!, K);
          addInto(result, o, value, leafOffset[b >> 2]!, K);
          addInto(result, o, value, leafOffset[c >> 2]!, K);
          addInto(result, o, value, leafOffset[d >> 2]!, K);
        }
        for (let t = groups * 4; t < nTrees; t++) {
          let a = roots[t]!;
          for (let s = depth[t]!; s > 0; s--)
            a = nodes[a]! + (((nodes[a + 1]! - rank[nodes[a + 2]!]!) >>> 31) << 2);
          addInto(result, o, value, leafOffset[a >> 2]!, K);
        }
      }
      // leaves are stored rounded, so normalise the mean rather than divide by the tree count
      for (let r = 0; r < rows; r++) {
        const o = r * K;
        let sum = 0;
        for (let k = 0; k < K; k++) sum += result[o + k]!;
        for (let k = 0; k < K; k++) result[o + k] = sum > 0 ? result[o + k]! / sum : 1 / K;
      }
      return result;
    },
  };
  return predictor;
};

export const gradientBoostingPredictor: PredictorFactory = (json) => {
  const kind = 'gradient_boosting';
  const { nFeatures, nClasses } = header(json, kind);
  const trees = readTrees(json, nFeatures, 1);
  const baseScore = floatArray(json, 'baseScore');
  if (baseScore.length !== nClasses)
    fail(kind, `baseScore has ${baseScore.length} entries, nClasses is ${nClasses}`);
  if (trees.roots.length % nClasses !== 0) {
    fail(
      kind,
      `nTrees ${trees.roots.length} is not a multiple of nClasses ${nClasses} (one tree per class per round)`,
    );
  }
  const compacted = compact(trees, true, nFeatures);
  const { depth, feature, threshold } = compacted;
  const nTrees = depth.length;
  const K = nClasses;
  const ls = lockstep(compacted, nFeatures);
  const { nodes, roots, groups, groupDepth, rank } = ls;
  // a leaf's weight is in its threshold slot (self-loop leaves)
  const leafValue = new Float64Array(feature.length);
  for (let i = 0; i < feature.length; i++) if (feature[i]! === nFeatures) leafValue[i] = threshold[i]!;
  const treeClass = Int32Array.from({ length: nTrees }, (_, t) => t % K);
  const predictor: Predictor = {
    kind,
    nFeatures,
    nClasses,
    predictProba(x: Matrix, out?: Float64Array): Float64Array {
      const result = checkPredictInput(kind, nFeatures, nClasses, x, out);
      checkFinite(kind, x, nFeatures);
      const data = x.data;
      for (let r = 0; r < x.rows; r++) {
        rankRow(ls, data, r * nFeatures, nFeatures);
        const o = r * K;
        for (let k = 0; k < K; k++) result[o + k] = baseScore[k]!;
        for (let g = 0; g < groups; g++) {
          const t = 4 * g;
          let a = roots[t]!;
          let b = roots[t + 1]!;
          let c = roots[t + 2]!;
          let d = roots[t + 3]!;
          for (let s = groupDepth[g]!; s > 0; s--) {
            a = nodes[a]! + (((nodes[a + 1]! - rank[nodes[a + 2]!]!) >>> 31) << 2);
            b = nodes[b]! + (((nodes[b + 1]! - rank[nodes[b + 2]!]!) >>> 31) << 2);
            c = nodes[c]! + (((nodes[c + 1]! - rank[nodes[c + 2]!]!) >>> 31) << 2);
            d = nodes[d]! + (((nodes[d + 1]! - rank[nodes[d + 2]!]!) >>> 31) << 2);
          }
          result[o + treeClass[t]!] += leafValue[a >> 2]!;
          result[o + treeClass[t + 1]!] += leafValue[b >> 2]!;
          result[o + treeClass[t + 2]!] += leafValue[c >> 2]!;
          result[o + treeClass[t + 3]!] += leafValue[d >> 2]!;
        }
        for (let t = groups * 4; t < nTrees; t++) {
          let a = roots[t]!;
          for (let s = depth[t]!; s > 0; s--)
            a = nodes[a]! + (((nodes[a + 1]! - rank[nodes[a + 2]!]!) >>> 31) << 2);
          result[o + treeClass[t]!] += leafValue[a >> 2]!;
        }
        let max = -Infinity;
        for (let k = 0; k < K; k++) if (result[o + k]! > max) max = result[o + k]!;
        let sum = 0;
        for (let k = 0; k < K; k++) {
          const e = Math.exp(result[o + k]! - max);
          result[o + k] = e;
          sum += e;
        }
        for (let k = 0; k < K; k++) result[o + k] = result[o + k]! / sum;
      }
      return result;
    },
  };
  return predictor;
};

// ---- JSON field and input checks, shared with the k-NN predictor: every failure names the model kind and field.

export function fail(kind: string, message: string): never {
  throw new InputError(`${kind} model: ${message}`);
}

export function intField(json: ModelJson, field: string, min: number): number {
  const v = json[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    fail(json.kind, `${field} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A numeric array field as a typed array; integer arrays are checked element by element against [min, max]. */
export function floatArray(json: ModelJson, field: string): Float64Array {
  const v = json[field];
  if (!Array.isArray(v)) fail(json.kind, `${field} must be an array of numbers`);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (typeof e !== 'number' || !Number.isFinite(e))
      fail(json.kind, `${field}[${i}] must be a finite number`);
    out[i] = e;
  }
  return out;
}

export function intArray(json: ModelJson, field: string, min: number, max: number): Int32Array {
  const v = json[field];
  if (!Array.isArray(v)) fail(json.kind, `${field} must be an array of integers`);
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (typeof e !== 'number' || !Number.isInteger(e) || e < min || e > max) {
      fail(json.kind, `${field}[${i}] must be an integer in ${min}..${max}, got ${JSON.stringify(e)}`);
    }
    out[i] = e;
  }
  return out;
}

/** Checks a predictProba call's input and output buffer; returns the output buffer to write. */
export function checkPredictInput(
  kind: string,
  nFeatures: number,
  nClasses: number,
  x: Matrix,
  out: Float64Array | undefined,
): Float64Array {
  if (x.cols !== nFeatures) fail(kind, `input has ${x.cols} columns, the model expects ${nFeatures}`);
  if (!Number.isInteger(x.rows) || x.rows < 0 || x.data.length < x.rows * x.cols) {
    fail(kind, `input matrix holds ${x.data.length} values, fewer than ${x.rows} rows × ${x.cols} columns`);
  }
  const need = x.rows * nClasses;
  if (out !== undefined && out.length < need) {
    fail(
      kind,
      `output buffer holds ${out.length} values, ${need} needed (${x.rows} rows × ${nClasses} classes)`,
    );
  }
  return out ?? new Float64Array(need);
}

/** Throws naming the row and column of the first non-finite value of row r. */
export function checkRowFinite(
  kind: string,
  data: Float64Array,
  base: number,
  cols: number,
  r: number,
): void {
  for (let f = 0; f < cols; f++) {
    const v = data[base + f]!;
    if (v - v !== 0) fail(kind, `input row ${r}, column ${f}: value ${v} is not finite`);
  }
}
