import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FailureError } from '@mlops/core';
import { describe, expect, it } from 'vitest';
import {
  buildReportHtml,
  compileChart,
  createRasterPool,
  crc32,
  DEFAULT_FONT_FILE,
  escapeHtml,
  htmlTable,
  imageFormats,
  pngDpi,
  pngScale,
  pngSize,
  renderSvg,
  resolveChartFont,
  setPngDpi,
  svgToPng,
  themed,
  writeFigure,
  type VegaLiteSpec,
} from '../src/index.js';

const hasFont = existsSync(DEFAULT_FONT_FILE);

const bars: VegaLiteSpec = {
  title: 'Three bars',
  width: 200,
  height: 100,
  data: {
    values: [
      { k: 'a', v: 1 },
      { k: 'b', v: 3 },
      { k: 'c', v: 2 },
    ],
  },
  mark: 'bar',
  encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } },
};

describe('font', () => {
  it('fails with a message that says what to install when the font file is missing', () => {
    expect(() => resolveChartFont({ file: '/nonexistent/font.ttf', family: 'X' })).toThrow(FailureError);
    expect(() => resolveChartFont({ file: '/nonexistent/font.ttf', family: 'X' })).toThrow(
      /chart font \/nonexistent\/font\.ttf not found/,
    );
    expect(() => resolveChartFont({ env: { MLOPS_CHART_FONT: '/nope.ttf' } })).toThrow(/MLOPS_CHART_FONT/);
  });

  it.skipIf(!hasFont)('resolves DejaVu Sans by default', () => {
    const font = resolveChartFont({ env: {} });
    expect(font.family).toBe('DejaVu Sans');
    expect(font.files[0]).toBe(DEFAULT_FONT_FILE);
  });
});

describe('png metadata', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('rejects bytes that are not a PNG', () => {
    expect(() => setPngDpi(new Uint8Array(40), 300)).toThrow(/not a PNG/);
  });
});

describe('rendering', () => {
  it('compiles a spec without warnings and reports an invalid one', () => {
    expect(compileChart(bars).warnings).toEqual([]);
    expect(() => compileChart({ mark: 'nonsense' } as VegaLiteSpec)).toThrow(/invalid Vega-Lite spec/);
  });

  it('renders SVG with the marks and the text of the spec', async () => {
    const { svg, warnings } = await renderSvg(themed(bars, 'DejaVu Sans'));
    expect(warnings).toEqual([]);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('Three bars');
    expect(svg).toContain('font-family="DejaVu Sans');
    expect(svg.match(/role-mark/g)?.length).toBeGreaterThan(0);
  });

  it('never loads data from a URL', async () => {
    const spec: VegaLiteSpec = { ...bars, data: { url: 'http://127.0.0.1:9/data.json' } };
    const { warnings } = await renderSvg(spec);
    expect(warnings.join('\n')).toMatch(/charts load no data from outside the spec/);
  });

  it.skipIf(!hasFont)(
    'rasterises at dpi/96 and declares the dpi; text is drawn (the font is loaded)',
    async () => {
      const font = resolveChartFont({ env: {} });
      const { svg } = await renderSvg(themed(bars, font.family));
      const width = Number(/width="(\d+)"/.exec(svg)![1]);
      const png = await svgToPng(svg, { dpi: 192, font });
      expect(pngScale(192)).toBe(2);
      expect(pngSize(png).width).toBe(width * 2);
      expect(pngDpi(png)).toBeCloseTo(192, 0);
      // the same chart without its title text must give different pixels: the text is really drawn
      const { svg: untitled } = await renderSvg(themed({ ...bars, title: '' }, font.family));
      const png2 = await svgToPng(untitled, { dpi: 192, font });
      expect(Buffer.from(png).equals(Buffer.from(png2))).toBe(false);
    },
  );

  it.skipIf(!hasFont)('writes the spec beside the images, in the formats asked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'charts-'));
    const font = resolveChartFont({ env: {} });
    const written = await writeFigure(dir, 'fig', bars, { formats: imageFormats('both'), dpi: 72, font });
    expect(written.files.map((f) => f.slice(dir.length + 1)).sort()).toEqual([
      'fig.png',
      'fig.svg',
      'fig.vl.json',
    ]);
    const spec = JSON.parse(await readFile(join(dir, 'fig.vl.json'), 'utf8'));
    expect(spec.$schema).toMatch(/vega-lite\/v6/);
    expect(spec.config.font).toBe('DejaVu Sans');
    expect(spec.data.values).toHaveLength(3);
    expect(imageFormats('svg')).toEqual(['svg']);
  });
});

// The worker runs compiled JavaScript: the built module, when this package has been built (nx builds it first).
const builtWorker = fileURLToPath(new URL('../dist/lib/raster-worker.js', import.meta.url));
const hasWorker = existsSync(builtWorker);

describe('raster pool', () => {
  it.skipIf(!hasFont || !hasWorker)(
    'worker threads make the same PNG bytes as the in-process path, in order, and report a bad SVG',
    async () => {
      const font = resolveChartFont({ env: {} });
      const pool = createRasterPool(font, { workerFile: builtWorker, threads: 2 });
      try {
        expect(pool.threads).toBe(2);
        const svgs = [
          (await renderSvg(themed(bars, font.family))).svg,
          (await renderSvg(themed({ ...bars, title: 'Other' }, font.family))).svg,
        ];
        const [a, b, again] = await Promise.all([
          pool.png(svgs[0]!, 150),
          pool.png(svgs[1]!, 150),
          pool.png(svgs[0]!, 150),
        ]);
        const inProcess = await svgToPng(svgs[0]!, { dpi: 150, font });
        expect(Buffer.from(a!).equals(Buffer.from(inProcess))).toBe(true);
        expect(Buffer.from(again!).equals(Buffer.from(a!))).toBe(true);
        expect(Buffer.from(b!).equals(Buffer.from(a!))).toBe(false);
        expect(pngDpi(a!)).toBeCloseTo(150, 0);
        await expect(pool.png('<svg', 150)).rejects.toThrow(/rasterising a chart failed/);
        // the pool still works after a failed image
        expect(pngSize(await pool.png(svgs[0]!, 96))).toEqual(
          pngSize(await svgToPng(svgs[0]!, { dpi: 96, font })),
        );
      } finally {
        await pool.close();
      }
      await expect(pool.png('<svg/>', 96)).rejects.toThrow(/closed/);
    },
  );

  it.skipIf(!hasFont)('without the worker module: the fallback, one image at a time', async () => {
    const font = resolveChartFont({ env: {} });
    let running = 0;
    let most = 0;
    const pool = createRasterPool(font, {
      workerFile: '/nonexistent/raster-worker.js',
      fallback: async (svg, dpi) => {
        most = Math.max(most, ++running);
        const png = await svgToPng(svg, { dpi, font });
        running--;
        return png;
      },
    });
    expect(pool.threads).toBe(0);
    const { svg } = await renderSvg(themed(bars, font.family));
    const pngs = await Promise.all([pool.png(svg, 72), pool.png(svg, 72), pool.png(svg, 72)]);
    expect(most).toBe(1);
    expect(pngs.every((p) => pngDpi(p)! > 71)).toBe(true);
    expect(() => createRasterPool(font, { workerFile: '/nonexistent/raster-worker.js' })).toThrow(
      /raster worker .* not found/,
    );
  });
});

describe('html', () => {
  it('escapes text and builds tables', () => {
    expect(escapeHtml('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
    const t = htmlTable(
      ['name', 'value'],
      [
        ['<b>', 0.123456789],
        ['n', null],
      ],
    );
    expect(t).toContain('<td>&lt;b&gt;</td><td class="num">0.1235</td>');
    expect(t).toContain('<td>—</td>');
  });

  it('builds one page with the libraries inline, no external URL loaded, specs safely embedded', () => {
    const html = buildReportHtml({
      title: 'Report <1>',
      sections: [
        {
          id: 'a',
          title: 'A',
          body: '<p>x</p>',
          charts: [{ id: 'chart-a', spec: { ...bars, title: '</script>' } }],
        },
      ],
    });
    expect(html).toContain('<title>Report &lt;1&gt;</title>');
    expect(html).toContain('vegaEmbed(');
    // no <script src=…> and no stylesheet link: nothing is fetched
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<link[^>]*stylesheet/i);
    // the spec's "</script>" cannot end the element early
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html).toContain('\\u003c/script\\u003e');
    expect(html.length).toBeGreaterThan(500_000); // vega + vega-lite + vega-embed
  });

  it('rejects duplicate and unsafe ids', () => {
    const chart = { id: 'c', spec: bars };
    expect(() =>
      buildReportHtml({ title: 't', sections: [{ id: 's', title: 's', charts: [chart, chart] }] }),
    ).toThrow(/used twice/);
    expect(() => buildReportHtml({ title: 't', sections: [{ id: 'x" onload="y', title: 's' }] })).toThrow(
      /must match/,
    );
  });
});
