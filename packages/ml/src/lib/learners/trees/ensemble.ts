/**
 * Accumulates the trees of an ensemble as flat arrays in the layout `@mlops/model`'s tree predictors read: nodes of
 * all trees in one array set, each tree in preorder from `roots[t]`, children as global node indices.
 * An internal node has feature >= 0 and goes left when x[feature] <= threshold; a leaf has feature -1, left holding
 * the offset of its `valueSize` values in `value`, and right -1.
 */
export interface FlatTrees {
  readonly roots: number[];
  readonly feature: number[];
  readonly threshold: number[];
  readonly left: number[];
  readonly right: number[];
  readonly value: number[];
}

export class EnsembleBuilder implements FlatTrees {
  readonly roots: number[] = [];
  readonly feature: number[] = [];
  readonly threshold: number[] = [];
  readonly left: number[] = [];
  readonly right: number[] = [];
  readonly value: number[] = [];
  /** Split bin of each internal node (training only: walks binned rows that are not in a leaf's row range). */
  readonly splitBin: number[] = [];

  constructor(readonly valueSize: number) {}

  get nodeCount(): number {
    return this.feature.length;
  }

  startTree(): void {
    this.roots.push(this.feature.length);
  }

  /** Appends an internal node; its children are set with setChildren once they exist. */
  addSplit(feature: number, bin: number, threshold: number): number {
    const id = this.feature.length;
    this.feature.push(feature);
    this.threshold.push(threshold);
    this.left.push(-1);
    this.right.push(-1);
    this.splitBin.push(bin);
    return id;
  }

  setChildren(node: number, left: number, right: number): void {
    this.left[node] = left;
    this.right[node] = right;
  }

  /** Appends a leaf with `valueSize` values read from `values` starting at `offset`. */
  addLeaf(values: ArrayLike<number>, offset = 0): number {
    const id = this.feature.length;
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(this.value.length);
    this.right.push(-1);
    this.splitBin.push(-1);
    for (let v = 0; v < this.valueSize; v++) this.value.push(values[offset + v]!);
    return id;
  }

  /** Drops every tree from index `trees` on (early stopping keeps the best round). */
  truncate(trees: number): void {
    if (trees >= this.roots.length) return;
    const firstNode = this.roots[trees]!;
    // a tree's leaves are appended after its root, so the first value of the dropped trees is its first leaf's
    let firstValue = this.value.length;
    for (let node = firstNode; node < this.feature.length; node++) {
      if (this.feature[node] === -1) {
        firstValue = this.left[node]!;
        break;
      }
    }
    this.roots.length = trees;
    this.feature.length = firstNode;
    this.threshold.length = firstNode;
    this.left.length = firstNode;
    this.right.length = firstNode;
    this.splitBin.length = firstNode;
    this.value.length = firstValue;
  }

  /** Leaf reached by row `row` of column-major bins starting at node `root`. */
  leafOfBinned(root: number, bins: Uint8Array, rows: number, row: number): number {
    let node = root;
    const feature = this.feature;
    for (;;) {
      const f = feature[node]!;
      if (f < 0) return node;
      node = bins[f * rows + row]! <= this.splitBin[node]! ? this.left[node]! : this.right[node]!;
    }
  }

  toJson(): FlatTrees {
    return {
      roots: this.roots.slice(),
      feature: this.feature.slice(),
      threshold: this.threshold.slice(),
      left: this.left.slice(),
      right: this.right.slice(),
      value: this.value.slice(),
    };
  }
}
