/**
 * Grows one classification tree on weighted class-count histograms with the Gini criterion, as scikit-learn's
 * DecisionTreeClassifier inside a RandomForestClassifier: at each node features are drawn at random without
 * replacement until `maxFeatures` non-constant ones were evaluated (constant ones do not count, as in scikit-learn);
 * the split maximises Σ_k wL_k²/WL + Σ_k wR_k²/WR (the weighted Gini decrease); a node is a leaf when pure, at
 * max_depth, or too small for two children of min_samples_leaf rows. A leaf stores its weighted class distribution.
 *
 * Histograms are built per node for the drawn features only: with sqrt(F) of F features drawn per node, that costs
 * fewer row visits than full-width histograms with sibling subtraction (the boosting grower's scheme), and only the
 * bins a node touches are scanned and reset, so deep small nodes stay cheap.
 */
import type { SeededRng } from '@mlops/core';
import type { BinnedFeatures } from './binning.js';
import type { EnsembleBuilder } from './ensemble.js';

export interface ForestTreeParams {
  readonly maxDepth: number;
  readonly maxFeatures: number;
  readonly minSamplesLeaf: number;
}

/** Leaf probabilities are stored to 6 decimals (the predictor renormalises): compact JSON, same decisions. */
function roundProbability(p: number): number {
  return Math.round(p * 1e6) / 1e6;
}

export class ForestTreeGrower {
  private readonly K: number;
  private readonly classHist: Float64Array;
  private readonly countHist: Int32Array;
  private readonly touched: Int32Array;
  private readonly ordered: Int32Array;
  private readonly leftClass: Float64Array;
  private readonly nodeClass: Float64Array[] = [];
  private readonly leafValues: Float64Array;
  private readonly featurePerm: Int32Array;

  private rows!: Int32Array;
  private y!: Int32Array;
  private weight!: Float64Array;
  private rng!: SeededRng;
  private out!: EnsembleBuilder;

  constructor(
    private readonly binned: BinnedFeatures,
    nClasses: number,
    private readonly params: ForestTreeParams,
  ) {
    this.K = nClasses;
    let maxBins = 1;
    for (let f = 0; f < binned.cols; f++) maxBins = Math.max(maxBins, binned.nBins[f]!);
    this.classHist = new Float64Array(maxBins * nClasses);
    this.countHist = new Int32Array(maxBins);
    this.touched = new Int32Array(maxBins);
    this.ordered = new Int32Array(maxBins);
    this.leftClass = new Float64Array(nClasses);
    this.leafValues = new Float64Array(nClasses);
    this.featurePerm = new Int32Array(binned.cols);
    for (let f = 0; f < binned.cols; f++) this.featurePerm[f] = f;
  }

  /** Per-depth scratch for a node's class totals (allocated once per depth, reused by every node and tree). */
  private classBuffer(depth: number): Float64Array {
    while (this.nodeClass.length <= depth + 1) this.nodeClass.push(new Float64Array(this.K * 2));
    return this.nodeClass[depth]!;
  }

  /** Grows a tree over rows[0..count) with per-row weights (bootstrap count × class weight) and appends it. */
  grow(
    rows: Int32Array,
    count: number,
    y: Int32Array,
    weight: Float64Array,
    rng: SeededRng,
    out: EnsembleBuilder,
  ): void {
    this.rows = rows;
    this.y = y;
    this.weight = weight;
    this.rng = rng;
    this.out = out;
    out.startTree();
    const totals = this.classBuffer(0);
    totals.fill(0, 0, this.K);
    for (let i = 0; i < count; i++) totals[y[rows[i]!]!] += weight[rows[i]!]!;
    this.node(0, count, 0);
  }

  private leaf(totals: Float64Array, offset: number): number {
    const K = this.K;
    let W = 0;
    for (let k = 0; k < K; k++) W += totals[offset + k]!;
    for (let k = 0; k < K; k++)
      this.leafValues[k] = W > 0 ? roundProbability(totals[offset + k]! / W) : 1 / K;
    return this.out.addLeaf(this.leafValues);
  }

  /** Node of rows[start..end) whose class totals are in classBuffer(depth)[0..K). */
  private node(start: number, end: number, depth: number): number {
    const K = this.K;
    const totals = this.classBuffer(depth);
    const count = end - start;
    const { maxDepth, minSamplesLeaf, maxFeatures } = this.params;
    let nonZero = 0;
    let W = 0;
    for (let k = 0; k < K; k++) {
      const t = totals[k]!;
      if (t > 0) nonZero++;
      W += t;
    }
    if (depth >= maxDepth || count < 2 || count < 2 * minSamplesLeaf || nonZero <= 1 || !(W > 0)) {
      return this.leaf(totals, 0);
    }
    // best split: maximise the children's Σ w_k² / W (any valid split of an impure node is taken, as scikit-learn)
    let best = -Infinity;
    let bestF = -1;
    let bestB = -1;
    const F = this.binned.cols;
    const perm = this.featurePerm;
    let evaluated = 0;
    for (let j = 0; j < F && evaluated < maxFeatures; j++) {
      const pick = j + this.rng.int(F - j);
      const f = perm[pick]!;
      perm[pick] = perm[j]!;
      perm[j] = f;
      if (!this.scanFeature(f, start, end, W, count, totals)) continue; // constant in this node
      evaluated++;
      if (this.result.bin >= 0 && this.result.score > best) {
        best = this.result.score;
        bestF = f;
        bestB = this.result.bin;
      }
    }
    if (bestF < 0) return this.leaf(totals, 0);
    // partition and compute the left child's totals; the right child's are the difference
    const { bins, rows: n } = this.binned;
    const rows = this.rows;
    const col = bestF * n;
    const childTotals = this.classBuffer(depth + 1);
    childTotals.fill(0, 0, K);
    // the right child's totals go to this node's buffer (second half), which the left subtree does not touch
    totals.fill(0, K, 2 * K);
    const { y, weight } = this;
    let i = start;
    let j = end - 1;
    while (i <= j) {
      const r = rows[i]!;
      if (bins[col + r]! <= bestB) {
        childTotals[y[r]!] += weight[r]!;
        i++;
      } else {
        totals[K + y[r]!] += weight[r]!;
        rows[i] = rows[j]!;
        rows[j] = r;
        j--;
      }
    }
    const mid = i;
    const id = this.out.addSplit(bestF, bestB, this.binned.cuts[bestF]![bestB]!);
    const left = this.node(start, mid, depth + 1);
    const again = this.classBuffer(depth + 1);
    for (let k = 0; k < K; k++) again[k] = totals[K + k]!;
    const right = this.node(mid, end, depth + 1);
    this.out.setChildren(id, left, right);
    return id;
  }

  private readonly result = { score: 0, bin: 0 };

  /**
   * Best split of feature f for rows[start..end) into this.result (bin -1 when no split leaves min_samples_leaf rows
   * on both sides); false when the feature is constant there. Only the bins the node touches are visited and reset.
   */
  private scanFeature(
    f: number,
    start: number,
    end: number,
    W: number,
    count: number,
    totals: Float64Array,
  ): boolean {
    const K = this.K;
    const { bins, rows: n } = this.binned;
    const { rows, y, weight, classHist, countHist, touched, ordered, leftClass } = this;
    const col = f * n;
    let m = 0;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const b = bins[col + r]!;
      if (countHist[b]++ === 0) touched[m++] = b;
      classHist[b * K + y[r]!] += weight[r]!;
    }
    if (m <= 1) {
      this.reset(m);
      return false;
    }
    // the touched bins in increasing order: insertion sort when few, else a pass over all bins
    const nb = this.binned.nBins[f]!;
    if (m <= 24) {
      for (let a = 0; a < m; a++) ordered[a] = touched[a]!;
      for (let a = 1; a < m; a++) {
        const v = ordered[a]!;
        let c = a - 1;
        while (c >= 0 && ordered[c]! > v) {
          ordered[c + 1] = ordered[c]!;
          c--;
        }
        ordered[c + 1] = v;
      }
    } else {
      let o = 0;
      for (let b = 0; b < nb; b++) if (countHist[b]! > 0) ordered[o++] = b;
    }
    const minLeaf = this.params.minSamplesLeaf;
    leftClass.fill(0);
    let WL = 0;
    let nL = 0;
    // Σ_k wL_k² and Σ_k wR_k², updated only for the classes a bin holds (most bins hold one or two)
    let sqL = 0;
    let sqR = 0;
    for (let k = 0; k < K; k++) sqR += totals[k]! * totals[k]!;
    let bestScore = -Infinity;
    let bestBin = -1;
    for (let a = 0; a + 1 < m; a++) {
      const b = ordered[a]!;
      const base = b * K;
      for (let k = 0; k < K; k++) {
        const c = classHist[base + k]!;
        if (c === 0) continue;
        const l = leftClass[k]!;
        const r = totals[k]! - l;
        sqL += c * (2 * l + c);
        sqR -= c * (2 * r - c);
        leftClass[k] = l + c;
        WL += c;
      }
      nL += countHist[b]!;
      if (nL < minLeaf) continue;
      if (count - nL < minLeaf) break;
      const WR = W - WL;
      if (!(WL > 0) || !(WR > 0)) continue;
      const score = sqL / WL + sqR / WR;
      if (score > bestScore) {
        bestScore = score;
        bestBin = b;
      }
    }
    this.reset(m);
    this.result.score = bestScore;
    this.result.bin = bestBin;
    return true;
  }

  private reset(m: number): void {
    const K = this.K;
    for (let a = 0; a < m; a++) {
      const b = this.touched[a]!;
      this.countHist[b] = 0;
      this.classHist.fill(0, b * K, b * K + K);
    }
  }
}
