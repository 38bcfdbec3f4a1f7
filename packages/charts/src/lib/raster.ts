/**
 * SVG → PNG with resvg, the chart font loaded from its file. Kept apart from render.ts (which loads vega) so the
 * raster worker threads load resvg only.
 */
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import type { ChartFont } from './font.js';
import { encodeRgbaPng } from './png.js';

/**
 * SVG user units are CSS pixels, 96 to the inch: a PNG at `dpi` is the SVG scaled by dpi / 96, so a 600 px wide
 * chart printed at its nominal size (6.25 in) has `dpi` pixels per inch. The PNG also declares that dpi (pHYs).
 */
export const CSS_PIXELS_PER_INCH = 96;

export function pngScale(dpi: number): number {
  return dpi / CSS_PIXELS_PER_INCH;
}

export function resvgOptions(dpi: number, font: ChartFont): ResvgRenderOptions {
  return {
    fitTo: { mode: 'zoom', value: pngScale(dpi) },
    background: 'white',
    font: {
      loadSystemFonts: false,
      fontFiles: font.files,
      defaultFontFamily: font.family,
      sansSerifFamily: font.family,
    },
    logLevel: 'off',
  };
}

/**
 * Rasterise synchronously on the calling thread (resvg), then encode the pixels (encodeRgbaPng: zlib level 3 on
 * libuv's thread pool, 140-250 ms CPU for the visualize stage's nine 300-dpi figures where resvg's own encoder
 * took 650 ms). For worker threads, where blocking is what they are for. The native tree and pixmap are freed when
 * their JavaScript handles are collected: a raster worker collects after each image (its heap is small, so that
 * costs about a millisecond).
 */
export async function svgToPngInThread(
  svg: string,
  dpi: number,
  font: ChartFont,
  collect: () => void = () => undefined,
): Promise<Uint8Array> {
  const { pixels, width, height } = rasteriseSync(svg, dpi, font);
  // resvg's tree and pixmap are unreachable now: collected before the encoding, only the copy is left
  collect();
  await new Promise((resolve) => setImmediate(resolve));
  return encodeRgbaPng(pixels, width, height, dpi);
}

function rasteriseSync(svg: string, dpi: number, font: ChartFont) {
  const image = new Resvg(svg, resvgOptions(dpi, font)).render();
  return { pixels: image.pixels, width: image.width, height: image.height };
}
