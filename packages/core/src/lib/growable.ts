/** The typed arrays a GrowableArray can hold. */
export type GrowableTypedArray = Float64Array | Int32Array | Uint16Array | Uint8Array;

/**
 * A typed array of a length not known in advance, filled one value at a time (a column read from a CSV): capacity
 * doubles when full, so a push is amortised O(1) and millions of numbers never become a boxed JS array.
 */
export class GrowableArray<A extends GrowableTypedArray> {
  private data: A;
  length = 0;

  constructor(
    private readonly make: (length: number) => A,
    capacity = 1024,
  ) {
    this.data = make(capacity);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  /** Value i (i < length). */
  get(i: number): number {
    return this.data[i]!;
  }

  /** Makes room for `n` values in all, at once (no doubling: fewer and smaller freed arrays). */
  reserve(n: number): void {
    if (n <= this.data.length) return;
    const next = this.make(n);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** The values moved into a wider array type (e.g. byte codes outgrowing 256), with the same capacity. */
  widen<B extends GrowableTypedArray>(make: (length: number) => B): GrowableArray<B> {
    const next = new GrowableArray(make, this.data.length);
    next.data.set(this.data);
    next.length = this.length;
    return next;
  }

  /** The values as a view of the buffer (no copy; the spare capacity stays allocated). */
  view(): A {
    return this.data.subarray(0, this.length) as A;
  }

  /** The values in an exact-length copy. */
  copy(): A {
    return this.data.slice(0, this.length) as A;
  }

  /** A view when the buffer is mostly used (no copy of a large column), else an exact copy (no spare kept). */
  compact(): A {
    return this.length >= this.data.length * 0.75 ? this.view() : this.copy();
  }
}
