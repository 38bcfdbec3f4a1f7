/**
 * A figure on disk: `<name>.vl.json` (the themed Vega-Lite spec with its data, kept so a user can restyle and
 * re-render it), plus `<name>.svg` and/or `<name>.png`. Each file is written atomically (temp file + rename).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '@mlops/core';
import type { ChartFont } from './font.js';
import { renderSvg, svgToPng } from './render.js';
import { themed, type VegaLiteSpec } from './spec.js';

export type ImageFormat = 'png' | 'svg';

/** The formats of a `reports.format`-style setting: png, svg or both. */
export function imageFormats(format: 'png' | 'svg' | 'both'): ImageFormat[] {
  return format === 'both' ? ['png', 'svg'] : [format];
}

export interface FigureOptions {
  formats: readonly ImageFormat[];
  dpi: number;
  font: ChartFont;
}

export interface WrittenFigure {
  name: string;
  /** The themed spec that was rendered and written. */
  spec: VegaLiteSpec;
  files: string[];
  warnings: string[];
}

export const SPEC_SUFFIX = '.vl.json';

/** Render one spec and write its files into `dir` (which must exist). */
export async function writeFigure(
  dir: string,
  name: string,
  spec: VegaLiteSpec,
  options: FigureOptions,
): Promise<WrittenFigure> {
  const full = themed(spec, options.font.family);
  const { svg, warnings } = await renderSvg(full);
  const files: string[] = [];
  const specFile = join(dir, `${name}${SPEC_SUFFIX}`);
  await writeFileAtomic(specFile, `${JSON.stringify(full, null, 1)}\n`);
  files.push(specFile);
  if (options.formats.includes('svg')) {
    const file = join(dir, `${name}.svg`);
    await writeFileAtomic(file, svg);
    files.push(file);
  }
  if (options.formats.includes('png')) {
    const file = join(dir, `${name}.png`);
    await writeFileAtomic(file, await svgToPng(svg, { dpi: options.dpi, font: options.font }));
    files.push(file);
  }
  return { name, spec: full, files, warnings };
}
