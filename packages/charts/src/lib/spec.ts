/**
 * Vega-Lite specs as plain JSON data. Charts are data first: a stage builds a spec (data inline) with pure functions,
 * and rendering it (SVG, PNG, an interactive page) is a separate step.
 */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };

/** A Vega-Lite top-level spec (checked by Vega-Lite's compiler when rendered, not by the type system). */
export type VegaLiteSpec = { [key: string]: Json | undefined };

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The look every chart shares: white background, readable sizes; the font family is filled in by `themed`. */
export function chartConfig(fontFamily: string): VegaLiteSpec {
  return {
    font: fontFamily,
    background: 'white',
    padding: 8,
    title: { fontSize: 15, subtitleFontSize: 12, anchor: 'start', offset: 10 },
    axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220 },
    legend: { labelFontSize: 11, titleFontSize: 12 },
    header: { labelFontSize: 12, titleFontSize: 12 },
    view: { stroke: '#dddddd' },
    concat: { spacing: 28 },
  };
}

/**
 * The spec with the shared look (its own `config` keys win) and the schema URL: what is rendered and what is kept
 * beside the image, so a user who restyles the JSON restyles exactly what they see.
 */
export function themed(spec: VegaLiteSpec, fontFamily: string): VegaLiteSpec {
  const own = (spec['config'] ?? {}) as { [key: string]: Json | undefined };
  return { $schema: VEGA_LITE_SCHEMA, ...spec, config: { ...chartConfig(fontFamily), ...own } };
}
