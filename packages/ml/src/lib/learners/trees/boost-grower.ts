/**
 * Grows one regression tree on gradient/hessian histograms (XGBoost's second-order "exact greedy on bins"):
 * gain = GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ), a split must gain more than γ (and more than 0) with both children's
 * hessian sums ≥ min_child_weight; a leaf's weight is −G/(H+λ) times the learning rate. Depth-wise to max_depth.
 *
 * Speed: every buffer is allocated once per fit and reused by every tree; a node builds the histogram of its smaller
 * child only and gets the larger one by subtracting it from its own (in place); nodes at the last level need no
 * histogram at all. Histograms are built row by row from a compressed row layout: each row lists the global bin
 * index of every feature whose bin differs from the feature's dominant bin (the bin holding more than half the
 * rows, e.g. the 0 of a one-hot column), and a dominant bin's sums are the node's totals minus the feature's other
 * bins. Consecutive additions then hit different features' bins (no store-to-load chain on one bin) and a one-hot
 * matrix costs about half its width per row.
 *
 * Sums obtained by subtraction carry rounding, so a bin or child counts as empty when its hessian sum is at most
 * 1e-12 of the node's (a row's hessian is ≥ 1e-16 only in degenerate cases, which min_child_weight rejects anyway).
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
  /** Row r's non-dominant global bins are entries[rowPtr[r]..rowPtr[r + 1]). */
  private readonly rowPtr: Int32Array;
  private readonly entries: Uint16Array | Int32Array;
  /** Features with a dominant bin, and that bin's global index. */
  private readonly dominantFeature: Int32Array;
  private readonly dominantBin: Int32Array;
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
    const totalBins = offsets[binned.cols]!;
    this.histSize = totalBins * 2;
    const { rows: n, cols: F, bins } = binned;
    const dominant = new Int32Array(F).fill(-1);
    const counts = new Int32Array(256);
    const dominantFeatures: number[] = [];
    for (let f = 0; f < F; f++) {
      counts.fill(0);
      const col = f * n;
      for (let i = 0; i < n; i++) counts[bins[col + i]!]!++;
      let best = 0;
      for (let b = 1; b < 256; b++) if (counts[b]! > counts[best]!) best = b;
      if (counts[best]! * 2 > n) {
        dominant[f] = best;
        dominantFeatures.push(f);
      }
    }
    this.dominantFeature = Int32Array.from(dominantFeatures);
    this.dominantBin = Int32Array.from(dominantFeatures, (f) => offsets[f]! + dominant[f]!);
    const rowPtr = new Int32Array(n + 1);
    for (let f = 0; f < F; f++) {
      const col = f * n;
      const d = dominant[f]!;
      for (let i = 0; i < n; i++) if (bins[col + i] !== d) rowPtr[i + 1]!++;
    }
    for (let i = 0; i < n; i++) rowPtr[i + 1]! += rowPtr[i]!;
    const entries = totalBins <= 65536 ? new Uint16Array(rowPtr[n]!) : new Int32Array(rowPtr[n]!);
    const fill = rowPtr.slice(0, n);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < F; f++) {
        const b = bins[f * n + i]!;
        if (b !== dominant[f]) entries[fill[i]!++] = offsets[f]! + b;
      }
    }
    this.rowPtr = rowPtr;
    this.entries = entries;
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
    let G = 0;
    let H = 0;
    for (let i = 0; i < count; i++) {
      const r = rows[i]!;
      G += grad[r]!;
      H += hess[r]!;
    }
    this.grad = grad;
    this.hess = hess;
    this.rows = rows;
    this.features = features;
    this.nFeatures = nFeatures;
    this.out = out;
    this.leafStart.length = 0;
    this.leafEnd.length = 0;
    this.leafWeight.length = 0;
    out.startTree();
    if (this.params.maxDepth === 0 || count < 2) {
      this.leaf(0, count, G, H);
      return;
    }
    const hist = this.acquire();
    this.build(hist, 0, count, G, H);
    this.node(hist, 0, count, G, H, 0);
  }

  private acquire(): number {
    const id = this.free.pop();
    if (id !== undefined) return id;
    this.pool.push(new Float64Array(this.histSize));
    return this.pool.length - 1;
  }

  /** Histogram of rows[start..end), whose gradient and hessian sums are G and H, into pool buffer `id`. */
  private build(id: number, start: number, end: number, G: number, H: number): void {
    const h = this.pool[id]!;
    h.fill(0);
    const { rows, grad, hess, rowPtr, entries } = this;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const g = grad[r]!;
      const hh = hess[r]!;
      for (let e = rowPtr[r]!, eEnd = rowPtr[r + 1]!; e < eEnd; e++) {
        const b = entries[e]! << 1;
        h[b] += g;
        h[b + 1] += hh;
      }
    }
    this.fillDominant(h, G, H);
  }

  /** A dominant bin's sums: the node's totals minus the feature's other bins. */
  private fillDominant(h: Float64Array, G: number, H: number): void {
    const { dominantFeature, dominantBin, offsets } = this;
    const empty = H * 1e-12;
    for (let d = 0; d < dominantFeature.length; d++) {
      const f = dominantFeature[d]!;
      const db = dominantBin[d]! << 1;
      let sg = G;
      let sh = H;
      for (let j = offsets[f]! << 1, jEnd = offsets[f + 1]! << 1; j < jEnd; j += 2) {
        if (j === db) continue;
        sg -= h[j]!;
        sh -= h[j + 1]!;
      }
      if (sh <= empty) {
        sg = 0;
        sh = 0;
      }
      h[db] = sg;
      h[db + 1] = sh;
    }
  }

  /**
   * parent -= child: the sibling's histogram without another pass over its rows. Only the bins of the tree's
   * features are read later, so with column subsampling only theirs are subtracted.
   */
  private subtract(parent: number, child: number): void {
    const p = this.pool[parent]!;
    const c = this.pool[child]!;
    if (this.nFeatures === this.binned.cols) {
      for (let j = 0; j < p.length; j++) p[j] -= c[j]!;
      return;
    }
    const { features, offsets } = this;
    for (let fi = 0; fi < this.nFeatures; fi++) {
      const f = features[fi]!;
      for (let j = offsets[f]! << 1, end = offsets[f + 1]! << 1; j < end; j++) p[j] -= c[j]!;
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
    // Children score S = GL²/(HL+λ) + GR²/(HR+λ) must beat best = parent score + max(γ, 0); compared without
    // division as GL²(HR+λ) + GR²(HL+λ) > best (HL+λ)(HR+λ) (both denominators are positive).
    const parentScore = (G * G) / (H + lambda);
    let best = parentScore + Math.max(gamma, 0);
    let bestF = -1;
    let bestB = -1;
    let bestGL = 0;
    let bestHL = 0;
    const { offsets, features } = this;
    const empty = H * 1e-12;
    const minHess = Math.max(minChildWeight, empty);
    for (let fi = 0; fi < this.nFeatures; fi++) {
      const f = features[fi]!;
      const off = offsets[f]! * 2;
      const nb = offsets[f + 1]! - offsets[f]!;
      // the last non-empty bin: a split after it would leave the right child empty
      let last = nb - 1;
      while (last > 0 && h[off + last * 2 + 1]! <= empty) last--;
      let GL = 0;
      let HL = 0;
      for (let b = 0; b < last; b++) {
        const hb = h[off + b * 2 + 1]!;
        GL += h[off + b * 2]!;
        HL += hb;
        // an empty bin leaves the partition of the previous one; below min_child_weight nothing is allowed yet
        if (hb <= empty || HL < minHess) continue;
        const HR = H - HL;
        if (HR < minHess) break;
        const GR = G - GL;
        const dL = HL + lambda;
        const dR = HR + lambda;
        if (GL * GL * dR + GR * GR * dL > best * dL * dR) {
          best = (GL * GL) / dL + (GR * GR) / dR;
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
    // A child whose hessian sum is below 2 · min_child_weight cannot split (both of its children would need
    // min_child_weight): it becomes a leaf without a scan. Its histogram is still built when its sibling gets
    // its own by subtraction, so every histogram is computed as before.
    const twiceMin = 2 * minChildWeight;
    const leftCan = leftSplits && !(HL < twiceMin);
    const rightCan = rightSplits && !(HR < twiceMin);
    let leftHist = -1;
    let rightHist = -1;
    if (leftSplits && rightSplits && (leftCan || rightCan)) {
      const small = this.acquire();
      if (nL <= nR) {
        this.build(small, start, mid, GL, HL);
        this.subtract(hist, small);
        leftHist = small;
        rightHist = hist;
      } else {
        this.build(small, mid, end, GR, HR);
        this.subtract(hist, small);
        leftHist = hist;
        rightHist = small;
      }
      if (!leftCan) {
        this.free.push(leftHist);
        leftHist = -1;
      }
      if (!rightCan) {
        this.free.push(rightHist);
        rightHist = -1;
      }
    } else if (leftCan && !rightSplits) {
      this.build(hist, start, mid, GL, HL);
      leftHist = hist;
    } else if (rightCan && !leftSplits) {
      this.build(hist, mid, end, GR, HR);
      rightHist = hist;
    } else {
      this.free.push(hist);
    }
    const left =
      leftHist >= 0 ? this.node(leftHist, start, mid, GL, HL, childDepth) : this.leaf(start, mid, GL, HL);
    const right =
      rightHist >= 0 ? this.node(rightHist, mid, end, GR, HR, childDepth) : this.leaf(mid, end, GR, HR);
    this.out.setChildren(id, left, right);
    return id;
  }
}
