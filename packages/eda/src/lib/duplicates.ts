/**
 * Exact duplicate rows over typed columns, in O(n) time and 4 bytes a row: an open-addressing table of row
 * indices keyed by a hash of the row, with every hash match confirmed by comparing the values (so a hash
 * collision can never count as a duplicate).
 */

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

function rowHash(i: number, numeric: readonly Float64Array[], codes: readonly Int32Array[]): number {
  // Indexed loops and the mix step written out: this runs once per row, mostly before the engine has optimised it.
  let h = 0x9747b28c;
  for (let j = 0; j < numeric.length; j++) {
    scratch[0] = numeric[j]![i]! + 0; // -0 → 0, as they compare equal
    h = Math.imul(h ^ scratchWords[0]!, 0x85ebca6b);
    h = (h << 13) | (h >>> 19);
    h = Math.imul(h ^ scratchWords[1]!, 0x85ebca6b);
    h = (h << 13) | (h >>> 19);
  }
  for (let j = 0; j < codes.length; j++) {
    h = Math.imul(h ^ codes[j]![i]!, 0x85ebca6b);
    h = (h << 13) | (h >>> 19);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

function rowsEqual(
  a: number,
  b: number,
  numeric: readonly Float64Array[],
  codes: readonly Int32Array[],
): boolean {
  for (let j = 0; j < numeric.length; j++) {
    const x = numeric[j]![a]!;
    const y = numeric[j]![b]!;
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return false;
  }
  for (let j = 0; j < codes.length; j++) if (codes[j]![a] !== codes[j]![b]) return false;
  return true;
}

/**
 * Mark (with 1) every kept row equal to an earlier kept row, as pandas' `duplicated(keep='first')`. `codes`
 * columns compare by code, so each must map one code to one value.
 */
export function findDuplicates(
  rowCount: number,
  keep: Uint8Array,
  numeric: readonly Float64Array[],
  codes: readonly Int32Array[],
): Uint8Array {
  const duplicate = new Uint8Array(rowCount);
  let size = 16;
  while (size < rowCount * 2) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  for (let i = 0; i < rowCount; i++) {
    if (keep[i] === 0) continue;
    let slot = rowHash(i, numeric, codes) & mask;
    for (;;) {
      const other = table[slot]!;
      if (other < 0) {
        table[slot] = i;
        break;
      }
      if (rowsEqual(other, i, numeric, codes)) {
        duplicate[i] = 1;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return duplicate;
}
