/**
 * A figure on disk: `<name>.vl.json` (the themed Vega-Lite spec with its data, kept so a user can restyle and
 * re-render it), plus `<name>.svg` and/or `<name>.png`. Each file is written atomically (temp file + rename).
 *
 * Two steps, so a stage can pipeline many figures: `renderFigure` (Vega, on the main thread) and
 * `writeRenderedFigure` (the files; the PNG is made by `rasteriser`, a pool of worker threads, or else in process
 * on libuv's thread pool, at most `limit` at once since each holds its full image in memory). `writeFigure` does
 * both.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '@mlops/core';
import type { ChartFont } from './font.js';
import type { Rasteriser } from './raster-pool.js';
import { renderSvg, svgToPng } from './render.js';
import { themed, type VegaLiteSpec } from './spec.js';

export type ImageFormat = 'png' | 'svg';

/** The formats of a `reports.format`-style setting: png, svg or both. */
export function imageFormats(format: 'png' | 'svg' | 'both'): ImageFormat[] {
  return format === 'both' ? ['png', 'svg'] : [format];
}

/** Runs async tasks with at most `n` in flight, the others queued in call order. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(n: number): Limiter {
  let active = 0;
  const queue: (() => void)[] = [];
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const run = () => {
        active++;
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            queue.shift()?.();
          });
      };
      if (active < Math.max(1, n)) run();
      else queue.push(run);
    });
}

export interface FigureOptions {
  formats: readonly ImageFormat[];
  dpi: number;
  font: ChartFont;
  /** Bounds the PNGs rasterised at once in process (default: one at a time). */
  limit?: Limiter;
  /** Makes the PNGs (createRasterPool: on worker threads); default in process on libuv's thread pool. */
  rasteriser?: Rasteriser;
}

export interface RenderedFigure {
  /** The themed spec that was rendered. */
  spec: VegaLiteSpec;
  svg: string;
  warnings: string[];
}

export interface WrittenFigure {
  name: string;
  /** The themed spec that was rendered and written. */
  spec: VegaLiteSpec;
  files: string[];
  warnings: string[];
}

export const SPEC_SUFFIX = '.vl.json';

/** Theme and render a spec to SVG. */
export async function renderFigure(spec: VegaLiteSpec, font: ChartFont): Promise<RenderedFigure> {
  const full = themed(spec, font.family);
  const { svg, warnings } = await renderSvg(full);
  return { spec: full, svg, warnings };
}

const oneAtATime = createLimiter(1);

/** Write a rendered figure's files into `dir` (which must exist). */
export async function writeRenderedFigure(
  dir: string,
  name: string,
  figure: RenderedFigure,
  options: FigureOptions,
): Promise<WrittenFigure> {
  const files: string[] = [];
  const specFile = join(dir, `${name}${SPEC_SUFFIX}`);
  await writeFileAtomic(specFile, `${JSON.stringify(figure.spec, null, 1)}\n`);
  files.push(specFile);
  if (options.formats.includes('svg')) {
    const file = join(dir, `${name}.svg`);
    await writeFileAtomic(file, figure.svg);
    files.push(file);
  }
  if (options.formats.includes('png')) {
    const file = join(dir, `${name}.png`);
    const { rasteriser } = options;
    if (rasteriser) await writeFileAtomic(file, await rasteriser.png(figure.svg, options.dpi));
    else {
      const limit = options.limit ?? oneAtATime;
      await limit(async () =>
        writeFileAtomic(file, await svgToPng(figure.svg, { dpi: options.dpi, font: options.font })),
      );
    }
    files.push(file);
  }
  return { name, spec: figure.spec, files, warnings: figure.warnings };
}

/** Render one spec and write its files into `dir` (which must exist). */
export async function writeFigure(
  dir: string,
  name: string,
  spec: VegaLiteSpec,
  options: FigureOptions,
): Promise<WrittenFigure> {
  return writeRenderedFigure(dir, name, await renderFigure(spec, options.font), options);
}
