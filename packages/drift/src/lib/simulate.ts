/**
 * The predecessor's drift scenario, on typed columns: for each shifted column (in order) shift = fraction × mean,
 * value ← value + shift + N(0, shift_noise × shift), then clipped to the column's valid range; then for each noisy
 * column (in order) value ← value + N(0, fraction × std (ddof 1)), clipped. One normal draw per row and column,
 * missing rows included (as numpy draws `len(df)` values), from one seeded generator in that column order:
 * numpy's legacy MT19937 (the predecessor's `np.random.seed`, so its drifted file is reproduced value for value)
 * or core's SeededRng. Missing values stay missing; other columns are not touched.
 */
import { SeededRng, VALUE_RANGES } from '@mlops/core';
import { mean, standardDeviation } from '@mlops/stats';
import { NumpyRandomState } from '@mlops/core';

export type NoiseGenerator = 'numpy' | 'core';

export interface SimulateOptions {
  seed: number;
  /** numpy: the predecessor's generator (its exact draws); core: core's SeededRng. */
  generator: NoiseGenerator;
  /** [column, fraction of its mean], in draw order. */
  shifts: ReadonlyArray<readonly [string, number]>;
  /** Standard deviation of the noise added with a shift, as a fraction of the shift. */
  shiftNoise: number;
  /** [column, noise standard deviation as a fraction of the column's std], in draw order. */
  noise: ReadonlyArray<readonly [string, number]>;
  /** Valid ranges to clip to (default: the dataset schema's); a column without one is not clipped. */
  ranges?: Readonly<Record<string, readonly [number, number]>>;
}

export interface SimulatedColumn {
  column: string;
  transformation: 'shift' | 'noise';
  /** The configured fraction (of the mean for a shift, of the std for noise). */
  fraction: number;
  /** The added constant (shift) or 0. */
  shift: number;
  /** Standard deviation of the added noise. */
  noiseSd: number;
  clippedTo: readonly [number, number] | null;
  meanBefore: number;
  meanAfter: number;
  /** (after − before) / before × 100, or 0 when the mean before is 0. */
  meanChangePct: number;
}

export interface SimulateResult {
  columns: Map<string, Float64Array>;
  summary: SimulatedColumn[];
}

/** The columns simulate reads, in draw order (a column may be both shifted and noisy). */
export function simulatedColumns(options: SimulateOptions): string[] {
  return [...new Set([...options.shifts.map(([c]) => c), ...options.noise.map(([c]) => c)])];
}

/** Apply the scenario to copies of `input`'s columns (pure: `input` is not changed). */
export function simulateDrift(
  input: ReadonlyMap<string, Float64Array>,
  options: SimulateOptions,
): SimulateResult {
  const ranges = options.ranges ?? VALUE_RANGES;
  const rng =
    options.generator === 'numpy' ? new NumpyRandomState(options.seed) : new SeededRng(options.seed);
  const columns = new Map<string, Float64Array>();
  const summary: SimulatedColumn[] = [];
  const steps: Array<readonly [string, number, 'shift' | 'noise']> = [
    ...options.shifts.map(([c, f]) => [c, f, 'shift'] as const),
    ...options.noise.map(([c, f]) => [c, f, 'noise'] as const),
  ];
  for (const [column, fraction, transformation] of steps) {
    const source = columns.get(column) ?? input.get(column);
    if (!source) throw new RangeError(`simulateDrift: no column "${column}"`);
    const values = Float64Array.from(source);
    const before = mean(values);
    let shift = 0;
    let noiseSd: number;
    if (transformation === 'shift') {
      shift = fraction * before;
      noiseSd = Math.abs(options.shiftNoise * shift);
    } else {
      const sd = standardDeviation(values);
      noiseSd = fraction * (Number.isNaN(sd) ? 0 : sd);
    }
    const range = ranges[column] ?? null;
    for (let i = 0; i < values.length; i++) {
      const draw = rng.normal(0, noiseSd);
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      let x = v + shift + draw;
      if (range) x = Math.min(range[1], Math.max(range[0], x));
      values[i] = x;
    }
    columns.set(column, values);
    const after = mean(values);
    summary.push({
      column,
      transformation,
      fraction,
      shift,
      noiseSd,
      clippedTo: range,
      meanBefore: before,
      meanAfter: after,
      meanChangePct: before === 0 || Number.isNaN(before) ? 0 : ((after - before) / before) * 100,
    });
  }
  return { columns, summary };
}
