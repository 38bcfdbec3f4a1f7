/**
 * Rendering, the swappable step after the specs: Vega-Lite → Vega (vega-lite's compiler) → SVG (vega's headless
 * View, no canvas package) → PNG (resvg, with the chart font loaded from its file). Nothing here reads the network:
 * the specs carry their data inline and the loader refuses any URL or file.
 */
import { renderAsync } from '@resvg/resvg-js';
import { View, loader as vegaLoader, parse, Warn, type Loader } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartFont } from './font.js';
import { collectGarbage } from './gc.js';
import { encodeRgbaPng } from './png.js';
import { resvgOptions } from './raster.js';
import type { VegaLiteSpec } from './spec.js';

/**
 * Before and after each in-process PNG, when the process holds more than this much memory, a full collection
 * (~40 ms on the main thread) returns the images drawn so far (a figure at 300 dpi: peak RSS 353 -> 301 MB).
 */
export const COLLECT_ABOVE_RSS_BYTES = 200 * 1024 * 1024;

function collectIfLarge(): void {
  if (process.memoryUsage.rss() > COLLECT_ABOVE_RSS_BYTES) collectGarbage();
}

export class ChartError extends Error {}

/** Collects Vega-Lite's and Vega's warnings instead of printing them (the caller decides where they go). */
function collectingLogger(warnings: string[]) {
  let level = Warn;
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: unknown[]) {
      warnings.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args: unknown[]) {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/** A loader that loads nothing: every chart's data is inline, so a URL in a spec is an error, never a request. */
function offlineLoader(): Loader {
  const base = vegaLoader();
  const refuse = (uri: string) =>
    Promise.reject(new ChartError(`charts load no data from outside the spec (${uri})`));
  return Object.assign(base, {
    load: refuse,
    sanitize: refuse,
  }) as Loader;
}

export interface CompiledChart {
  /** The Vega spec. */
  vega: object;
  /** Vega-Lite compiler warnings (a well-made spec has none). */
  warnings: string[];
}

/** Compile a Vega-Lite spec to Vega. An invalid spec is a ChartError with the compiler's message. */
export function compileChart(spec: VegaLiteSpec): CompiledChart {
  const warnings: string[] = [];
  try {
    // a copy: Vega marks the data objects it ingests (a symbol id on each), the caller's spec stays as it was
    const out = compile(structuredClone(spec) as unknown as TopLevelSpec, {
      logger: collectingLogger(warnings) as never,
    });
    return { vega: out.spec, warnings };
  } catch (error) {
    throw new ChartError(`invalid Vega-Lite spec: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Render a Vega-Lite spec to an SVG document (text in the spec's font family). */
export async function renderSvg(spec: VegaLiteSpec): Promise<{ svg: string; warnings: string[] }> {
  const { vega, warnings } = compileChart(spec);
  const view = new View(parse(vega as never), {
    renderer: 'none',
    loader: offlineLoader(),
    logger: collectingLogger(warnings) as never,
  });
  try {
    const svg = await view.toSVG();
    return { svg, warnings };
  } finally {
    view.finalize();
  }
}

/**
 * Rasterise an SVG to PNG at `dpi` (scale dpi / 96) on a white background with the chart font; runs on libuv's thread
 * pool (and so does the PNG compression), so several charts rasterise in parallel with the main thread's work.
 */
export async function svgToPng(svg: string, options: { dpi: number; font: ChartFont }): Promise<Uint8Array> {
  collectIfLarge(); // the garbage of the charts drawn so far goes before a large image comes in
  const { pixels, width, height } = await rasterise(svg, options);
  collectIfLarge(); // the native image is unreachable now: free it before compressing
  return encodeRgbaPng(pixels, width, height, options.dpi);
}

async function rasterise(svg: string, options: { dpi: number; font: ChartFont }) {
  const image = await renderAsync(svg, resvgOptions(options.dpi, options.font));
  return { pixels: image.pixels, width: image.width, height: image.height };
}
