/**
 * Rows as keys, for duplicates and for the rows two files share: each row is a tuple of per-column key values
 * (a number, or an integer id of a text), grouped with an open-addressing hash table over typed arrays. A hash only
 * picks the bucket: rows land in the same group only when every key value is equal, so the counts are exact, and
 * memory is a few typed arrays per row (1M rows: tens of MB) instead of one string per row.
 */

/**
 * One column of a row key, in one file: numbers compared by value (NaN equal to NaN: the missing cells), or ids
 * compared as integers, given directly or as `map[codes[i]]` (a text column's codes mapped through its levels).
 */
export type KeyColumn =
  | { readonly kind: 'number'; readonly values: Float64Array }
  | { readonly kind: 'id'; readonly ids: Int32Array }
  | {
      readonly kind: 'code';
      readonly codes: Uint8Array | Uint16Array | Int32Array;
      readonly map: Int32Array;
    };

export interface Grouping {
  /** Per part: the group of each of its rows. */
  readonly groupOf: Int32Array[];
  /** Per part: how many of its rows each group holds. */
  readonly counts: Int32Array[];
  readonly groupCount: number;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Mix one 32-bit word into a running hash (murmur3's body step). */
function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's finaliser: every input bit affects every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The row hashes of one part, column by column (one pass per column keeps the loops monomorphic). */
function hashRows(columns: readonly KeyColumn[], n: number): Int32Array {
  const h = new Int32Array(n);
  for (const col of columns) {
    if (col.kind === 'number') {
      const v = col.values;
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        // -0 and 0 are one key (equal values); every NaN is one key (missing).
        if (x !== x) h[i] = mix(mix(h[i]!, 0x7ff80000), 1);
        else {
          f64[0] = x === 0 ? 0 : x;
          h[i] = mix(mix(h[i]!, u32[0]!), u32[1]!);
        }
      }
    } else if (col.kind === 'id') {
      const ids = col.ids;
      for (let i = 0; i < n; i++) h[i] = mix(h[i]!, ids[i]!);
    } else {
      const { codes, map } = col;
      for (let i = 0; i < n; i++) h[i] = mix(h[i]!, map[codes[i]!]!);
    }
  }
  for (let i = 0; i < n; i++) h[i] = fmix(h[i]!);
  return h;
}

function keyAt(col: KeyColumn, i: number): number {
  return col.kind === 'number' ? col.values[i]! : col.kind === 'id' ? col.ids[i]! : col.map[col.codes[i]!]!;
}

function sameRow(a: readonly KeyColumn[], i: number, b: readonly KeyColumn[], j: number): boolean {
  for (let c = 0; c < a.length; c++) {
    const x = keyAt(a[c]!, i);
    const y = keyAt(b[c]!, j);
    if (x !== y && !(x !== x && y !== y)) return false;
  }
  return true;
}

/**
 * Group the rows of one or more parts (files) by exact equality of their keys. Every part lists the same number of
 * key columns, column c of each part comparable with column c of the others.
 */
export function groupRows(parts: readonly (readonly KeyColumn[])[], lengths: readonly number[]): Grouping {
  const total = lengths.reduce((s, n) => s + n, 0);
  let size = 16;
  while (size < total * 2) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  // Per group: its first row (part and index) and hash, to check equality against.
  const repPart = new Uint8Array(Math.max(total, 1));
  const repRow = new Int32Array(Math.max(total, 1));
  const repHash = new Int32Array(Math.max(total, 1));
  let groupCount = 0;
  const groupOf = parts.map((_, p) => new Int32Array(lengths[p]!));
  parts.forEach((cols, p) => {
    const n = lengths[p]!;
    const hashes = hashRows(cols, n);
    const out = groupOf[p]!;
    for (let i = 0; i < n; i++) {
      const h = hashes[i]!;
      let slot = h & mask;
      for (;;) {
        const g = table[slot]!;
        if (g < 0) {
          table[slot] = groupCount;
          repPart[groupCount] = p;
          repRow[groupCount] = i;
          repHash[groupCount] = h;
          out[i] = groupCount++;
          break;
        }
        if (repHash[g] === h && sameRow(cols, i, parts[repPart[g]!]!, repRow[g]!)) {
          out[i] = g;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
  });
  const counts = groupOf.map((ids) => {
    const c = new Int32Array(groupCount);
    for (let i = 0; i < ids.length; i++) c[ids[i]!]!++;
    return c;
  });
  return { groupOf, counts, groupCount };
}
