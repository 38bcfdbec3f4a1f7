/**
 * Grows one regression tree on gradient/hessian histograms (XGBoost's second-order "exact greedy on bins"):
 * gain = GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ), a split must gain more than γ (and more than 0) with both children's
 * hessian sums ≥ min_child_weight; a leaf's weight is −G/(H+λ) times the learning rate. Depth-wise to max_depth.
 *
 * Speed: every buffer is allocated once per fit and reused by every tree; a node builds the histogram of its smaller
 * child only and gets the larger one by subtracting it from its own (in place); nodes at the last level need no
 * histogram at all.
 */
import type { BinnedFeatures } from './binning.js';
import type { EnsembleBuilder } from './ensemble.js';

export interface BoostTreeParams {
  readonly maxDepth: number;
  readonly lambda: number;
  readonly minChildWeight: number;
  readonly gamma: number;
  readonly learningRate: number;
}

/** Leaf weights are stored to 9 significant digits: the JSON stays compact and training uses the stored value. */
function roundLeaf(v: number): number {
  return v === 0 ? 0 : Number(v.toPrecision(9));
}

export class BoostTreeGrower {
  private readonly offsets: Int32Array;
  private readonly histSize: number;
  private readonly pool: Float64Array[] = [];
  private readonly free: number[] = [];
  private readonly leafValue = new Float64Array(1);
  /** Row ranges and values of the last tree's leaves, for the caller's margin update. */
  leafStart: number[] = [];
  leafEnd: number[] = [];
  leafWeight: number[] = [];

  private grad!: Float64Array;
  private hess!: Float64Array;
  private rows!: Int32Array;
  private features!: Int32Array;
  private nFeatures = 0;
  private out!: EnsembleBuilder;

  constructor(
    private readonly binned: BinnedFeatures,
    private readonly params: BoostTreeParams,
  ) {
    const offsets = new Int32Array(binned.cols + 1);
    for (let f = 0; f < binned.cols; f++) offsets[f + 1] = offsets[f]! + binned.nBins[f]!;
    this.offsets = offsets;
    this.histSize = offsets[binned.cols]! * 2;
  }

  /**
   * Grows a tree over rows[0..count) (indices into the binned matrix, reordered in place so each leaf owns a
   * contiguous range), using the features listed in features[0..nFeatures), and appends it to `out`.
   */
  grow(
    rows: Int32Array,
    count: number,
    grad: Float64Array,
    hess: Float64Array,
    features: Int32Array,
    nFeatures: number,
    out: EnsembleBuilder,
  ): void {
    this.grad = grad;
    this.hess = hess;
    this.rows = rows;
    this.features = features;
    this.nFeatures = nFeatures;
    this.out = out;
    this.leafStart.length = 0;
    this.leafEnd.length = 0;
    this.leafWeight.length = 0;
    let G = 0;
    let H = 0;
    for (let i = 0; i < count; i++) {
      const r = rows[i]!;
      G += grad[r]!;
      H += hess[r]!;
    }
    out.startTree();
    if (this.params.maxDepth === 0 || count < 2) {
      this.leaf(0, count, G, H);
      return;
    }
    const hist = this.acquire();
    this.build(hist, 0, count);
    this.node(hist, 0, count, G, H, 0);
  }

  private acquire(): number {
    const id = this.free.pop();
    if (id !== undefined) return id;
    this.pool.push(new Float64Array(this.histSize));
    return this.pool.length - 1;
  }

  /** Histogram of rows[start..end) over the active features into pool buffer `id`. */
  private build(id: number, start: number, end: number): void {
    const h = this.pool[id]!;
    const { bins, rows: n } = this.binned;
    const { rows, grad, hess, offsets, features } = this;
    for (let fi = 0; fi < this.nFeatures; fi++) {
      const f = features[fi]!;
      const off = offsets[f]! * 2;
      h.fill(0, off, offsets[f + 1]! * 2);
      const col = f * n;
      for (let i = start; i < end; i++) {
        const r = rows[i]!;
        const b = off + bins[col + r]! * 2;
        h[b] += grad[r]!;
        h[b + 1] += hess[r]!;
      }
    }
  }

  /** parent -= child over the active features: the sibling's histogram without another pass over its rows. */
  private subtract(parent: number, child: number): void {
    const p = this.pool[parent]!;
    const c = this.pool[child]!;
    const { offsets, features } = this;
    for (let fi = 0; fi < this.nFeatures; fi++) {
      const f = features[fi]!;
      for (let j = offsets[f]! * 2, end = offsets[f + 1]! * 2; j < end; j++) p[j] -= c[j]!;
    }
  }

  private leaf(start: number, end: number, G: number, H: number): number {
    const w = roundLeaf((-G / (H + this.params.lambda)) * this.params.learningRate);
    this.leafValue[0] = w;
    this.leafStart.push(start);
    this.leafEnd.push(end);
    this.leafWeight.push(w);
    return this.out.addLeaf(this.leafValue);
  }

  /** Splits (or not) the node of rows[start..end) whose histogram is pool buffer `hist`; releases `hist`. */
  private node(hist: number, start: number, end: number, G: number, H: number, depth: number): number {
    const { lambda, minChildWeight, gamma, maxDepth } = this.params;
    const h = this.pool[hist]!;
    const parentScore = (G * G) / (H + lambda);
    let bestGain = Math.max(gamma, 0);
    let bestF = -1;
    let bestB = -1;
    let bestGL = 0;
    let bestHL = 0;
    const { offsets, features } = this;
    const minHess = minChildWeight;
    for (let fi = 0; fi < this.nFeatures; fi++) {
      const f = features[fi]!;
      const off = offsets[f]! * 2;
      const nb = offsets[f + 1]! - offsets[f]!;
      // the last non-empty bin (weights are positive, so a bin is empty exactly when its hessian sum is 0):
      // a split after it would leave the right child empty
      let last = nb - 1;
      while (last > 0 && h[off + last * 2 + 1] === 0) last--;
      let GL = 0;
      let HL = 0;
      for (let b = 0; b < last; b++) {
        GL += h[off + b * 2]!;
        HL += h[off + b * 2 + 1]!;
        if (HL === 0 || HL < minHess) continue;
        const HR = H - HL;
        if (HR < minHess) break;
        const GR = G - GL;
        const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestF = f;
          bestB = b;
          bestGL = GL;
          bestHL = HL;
        }
      }
    }
    if (bestF < 0) {
      this.free.push(hist);
      return this.leaf(start, end, G, H);
    }
    // partition rows[start..end): bin <= bestB to the front
    const { bins, rows: n } = this.binned;
    const rows = this.rows;
    const col = bestF * n;
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if (bins[col + rows[i]!]! <= bestB) i++;
      else {
        const t = rows[i]!;
        rows[i] = rows[j]!;
        rows[j] = t;
        j--;
      }
    }
    const mid = i;
    const id = this.out.addSplit(bestF, bestB, this.binned.cuts[bestF]![bestB]!);
    const GL = bestGL;
    const HL = bestHL;
    const GR = G - GL;
    const HR = H - HL;
    const nL = mid - start;
    const nR = end - mid;
    const childDepth = depth + 1;
    const leftSplits = childDepth < maxDepth && nL >= 2;
    const rightSplits = childDepth < maxDepth && nR >= 2;
    let leftHist = -1;
    let rightHist = -1;
    if (leftSplits && rightSplits) {
      const small = this.acquire();
      if (nL <= nR) {
        this.build(small, start, mid);
        this.subtract(hist, small);
        leftHist = small;
        rightHist = hist;
      } else {
        this.build(small, mid, end);
        this.subtract(hist, small);
        leftHist = hist;
        rightHist = small;
      }
    } else if (leftSplits) {
      this.build(hist, start, mid);
      leftHist = hist;
    } else if (rightSplits) {
      this.build(hist, mid, end);
      rightHist = hist;
    } else {
      this.free.push(hist);
    }
    const left = leftHist >= 0 ? this.node(leftHist, start, mid, GL, HL, childDepth) : this.leaf(start, mid, GL, HL);
    const right = rightHist >= 0 ? this.node(rightHist, mid, end, GR, HR, childDepth) : this.leaf(mid, end, GR, HR);
    this.out.setChildren(id, left, right);
    return id;
  }
}
