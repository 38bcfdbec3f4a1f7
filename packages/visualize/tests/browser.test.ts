// The HTML report in headless Chromium (Debian's chromium, driven by playwright-core): no console error, no failed
// request, no request but the page itself, every chart rendered an SVG with marks, tooltips work. A screenshot of
// the whole page is kept in .test-results/report.png.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { themed } from '@mlops/charts';
import { createLogger } from '@mlops/core';
import { visualize } from '../src/index.js';
import { hasRealData, metricsFixture, realClean } from './helpers.js';

const CHROMIUM =
  process.env['CHROMIUM_PATH'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
const artifacts = fileURLToPath(new URL('../.test-results/', import.meta.url));
const quiet = createLogger({ name: 'test', level: 'silent' });

let dir: string;
let report: string;
beforeAll(async () => {
  if (!CHROMIUM) return;
  dir = mkdtempSync(join(tmpdir(), 'mlops-visualize-browser-'));
  let input = realClean;
  if (!hasRealData) {
    input = join(dir, 'small.csv');
    const rows = Array.from(
      { length: 50 },
      (_, i) => `${i % 2 ? 'Male' : 'Female'},${18 + i},${1.5 + i / 100},obesity_type_i`,
    );
    writeFileSync(input, `Gender,Age,Height,NObeyesdad\n${rows.join('\n')}\n`);
  }
  // a drift report of the drift stage's kind, to show that section filled
  const drift = join(dir, 'drift');
  mkdirSync(drift);
  writeFileSync(
    join(drift, 'drift_report.json'),
    JSON.stringify({
      dataset_drift: false,
      release_blocked: true,
      drift_share: 0.18,
      features: [
        { feature: 'Age', psi: 0.577, drift_detected: true },
        { feature: 'Height', psi: 1.029, drift_detected: true },
      ],
    }),
  );
  // a figure spec of the drift stage's, as @mlops/charts writes it beside its images
  writeFileSync(
    join(drift, '12_drift_psi.vl.json'),
    JSON.stringify(
      themed(
        {
          title: 'PSI by feature',
          data: {
            values: [
              { feature: 'Age', psi: 0.577 },
              { feature: 'Height', psi: 1.029 },
            ],
          },
          mark: { type: 'bar', tooltip: true },
          encoding: { y: { field: 'feature', type: 'nominal' }, x: { field: 'psi', type: 'quantitative' } },
        },
        'DejaVu Sans',
      ),
    ),
  );
  report = join(dir, 'report', 'index.html');
  await visualize(
    {
      input,
      metricsDir: metricsFixture,
      outputDir: join(dir, 'figures'),
      reportPath: report,
      format: 'svg',
      dpi: 96,
      profileDir: join(dir, 'absent-eda'),
      compareDir: join(dir, 'absent-compare'),
      driftDir: drift,
    },
    quiet,
  );
});

describe('the HTML report in a browser', () => {
  it.skipIf(!CHROMIUM)(
    'renders every chart from disk with no error and no request, tooltips on hover',
    async () => {
      const browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const errors: string[] = [];
        const failed: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('requestfailed', (r) => failed.push(r.url()));
        page.on('request', (r) => requests.push(r.url()));
        const url = pathToFileURL(report).href;
        await page.goto(url);
        await page.waitForFunction(
          "[...document.querySelectorAll('.vega-chart')].every((e) => e.getAttribute('data-rendered'))",
          null,
          { timeout: 60_000 },
        );
        const charts = await page.$$eval('.vega-chart', (els) =>
          els.map((e) => ({
            id: e.id,
            state: e.getAttribute('data-rendered'),
            svg: e.querySelector('svg') !== null,
            marks: e.querySelectorAll(
              'svg g.mark-rect path, svg g.mark-symbol path, svg g.mark-line path, svg g.mark-arc path, svg g.mark-rule line',
            ).length,
          })),
        );
        expect(charts.map((c) => c.id)).toEqual([
          'fig-01_dataset_overview',
          'fig-02_numeric_distributions',
          'fig-03_numeric_boxplots',
          'fig-04_categorical_distributions',
          'fig-05_target_distribution',
          'fig-06_correlation_matrix',
          'fig-07_metrics_comparison',
          'fig-08_confusion_matrices',
          'fig-09_overfitting_analysis',
          'other-12_drift_psi',
        ]);
        for (const c of charts) {
          expect(c.state, c.id).toBe('true');
          expect(c.svg, c.id).toBe(true);
          expect(c.marks, c.id).toBeGreaterThan(0);
        }
        expect(errors).toEqual([]);
        expect(failed).toEqual([]);
        expect(requests).toEqual([url]);
        // the sections whose inputs are absent say so; the drift verdicts and per-feature table are shown
        const text = await page.innerText('body');
        expect(text).toMatch(/No EDA profile: .*absent-eda\/eda_profile\.json not found/);
        expect(text).toMatch(/No comparison report: .*comparison\.json not found/);
        expect(await page.innerText('#drift')).toMatch(/release_blocked: true[\s\S]*Height\s+1\.029/);
        // a tooltip on hover (vega-embed's tooltip handler)
        await page.hover('#fig-05_target_distribution svg g.mark-rect path');
        const tooltip = await page.waitForSelector('#vg-tooltip-element.visible', { timeout: 5000 });
        expect(await tooltip.innerText()).toMatch(/count \(share\)/);
        mkdirSync(artifacts, { recursive: true });
        await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });
      } finally {
        await browser.close();
      }
    },
  );
  it.skipIf(Boolean(CHROMIUM))(
    'chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH): skipped',
    () => undefined,
  );
});

afterAll(() => undefined);
