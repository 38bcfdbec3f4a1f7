/**
 * Random search over a declared space: `iterations` distinct draws from the grid of its values (all of them, in
 * grid order, when the grid is no larger), as scikit-learn's ParameterSampler does for lists; seeded.
 */
import { SeededRng } from '@mlops/core';
import type { HyperParams, HyperValue } from './learners/index.js';

export function gridSize(space: Readonly<Record<string, readonly HyperValue[]>>): number {
  return Object.values(space).reduce((n, values) => n * values.length, 1);
}

/** The grid point of index `i` (mixed radix over the keys in declaration order, the last key fastest). */
function gridPoint(
  space: Readonly<Record<string, readonly HyperValue[]>>,
  i: number,
): Record<string, HyperValue> {
  const keys = Object.keys(space);
  const point: Record<string, HyperValue> = {};
  for (let k = keys.length - 1; k >= 0; k--) {
    const values = space[keys[k]!]!;
    point[keys[k]!] = values[i % values.length]!;
    i = Math.floor(i / values.length);
  }
  return Object.fromEntries(keys.map((key) => [key, point[key]!]));
}

export function randomSearchDraws(
  base: HyperParams,
  space: Readonly<Record<string, readonly HyperValue[]>>,
  iterations: number,
  seed: number,
): HyperParams[] {
  const total = gridSize(space);
  let indices: number[];
  if (iterations >= total) {
    indices = Array.from({ length: total }, (_, i) => i);
  } else {
    const rng = new SeededRng(seed);
    const seen = new Set<number>();
    indices = [];
    while (indices.length < iterations) {
      const i = rng.int(total);
      if (!seen.has(i)) {
        seen.add(i);
        indices.push(i);
      }
    }
  }
  return indices.map((i) => ({ ...base, ...gridPoint(space, i) }));
}
