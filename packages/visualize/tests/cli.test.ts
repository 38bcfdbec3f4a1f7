// The built CLI (node packages/visualize/dist/main.js) on small files and, when present, the real data.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pngDpi, pngSize } from '@mlops/charts';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasRealData, metricsFixture, realClean, repoRoot, skipRealData } from './helpers.js';

const main = join(repoRoot, 'packages/visualize/dist/main.js');
const params = join(repoRoot, 'config/params.yaml');

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [main, '--params', params, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
let small: string;
beforeAll(() => {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npx nx run visualize:build first`);
  dir = mkdtempSync(join(tmpdir(), 'mlops-visualize-'));
  small = join(dir, 'small.csv');
  const rows = Array.from(
    { length: 60 },
    (_, i) =>
      `${i % 2 ? 'Male' : 'Female'},${18 + (i % 40)},${(1.5 + (i % 9) * 0.05).toFixed(2)},${50 + ((i * 7) % 60)},${['normal_weight', 'obesity_type_i', 'overweight_level_i'][i % 3]}`,
  );
  writeFileSync(small, `Gender,Age,Height,Weight,NObeyesdad\n${rows.join('\n')}\n`);
});

describe('mlops-visualize CLI', () => {
  it('--help prints the usage and exits 0', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Usage: mlops-visualize --input CLEAN\.csv --metrics METRICS_DIR --output-dir FIGURES_DIR/,
    );
  });

  it('without metrics: figures 01-06, 07-09 skipped with a warning line each, the report says so', () => {
    const out = join(dir, 'no-metrics');
    const report = join(out, 'index.html');
    const r = run([
      '--input',
      small,
      '--metrics',
      join(dir, 'absent'),
      '--output-dir',
      out,
      '--report',
      report,
      '--format',
      'svg',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /WARNING - figure 07_metrics_comparison skipped: .*absent\/evaluation_metrics\.json and .*model_comparison\.json not found/,
    );
    expect(r.stderr).toMatch(/figure 09_overfitting_analysis skipped/);
    expect(readdirSync(out).filter((f) => f.endsWith('.svg'))).toHaveLength(6);
    expect(readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/No CV table: .*cv_results\.json not found/);
    expect(html).toMatch(/No drift report: reports\/drift\/drift_report\.json not found/);
  });

  it('with metrics and --format both: nine figures, spec + SVG + PNG at the dpi asked', () => {
    const out = join(dir, 'metrics');
    const r = run([
      '--input',
      small,
      '--metrics',
      metricsFixture,
      '--output-dir',
      out,
      '--report',
      join(out, 'r.html'),
      '--format',
      'both',
      '--dpi',
      '144',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const names = readdirSync(out);
    for (const n of ['07_metrics_comparison', '08_confusion_matrices', '09_overfitting_analysis'])
      for (const ext of ['.vl.json', '.svg', '.png']) expect(names).toContain(n + ext);
    expect(names.filter((f) => f.endsWith('.png'))).toHaveLength(9);
    const png = readFileSync(join(out, '06_correlation_matrix.png'));
    const svg = readFileSync(join(out, '06_correlation_matrix.svg'), 'utf8');
    expect(pngDpi(png)).toBeCloseTo(144, 0);
    expect(pngSize(png).width).toBe(Math.round(Number(/width="(\d+)"/.exec(svg)![1]) * 1.5));
    const spec = JSON.parse(readFileSync(join(out, '08_confusion_matrices.vl.json'), 'utf8'));
    expect(spec.data.values).toHaveLength(49);
  });

  it('bad input: exit 2 with one line naming the file, nothing written', () => {
    const out = join(dir, 'bad');
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, 'a,b\n1,2\n3\n');
    let r = run(['--input', ragged, '--output-dir', out, '--report', join(out, 'r.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^mlops-visualize: error: .*ragged\.csv: ragged row at line 3/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    r = run(['--input', join(dir, 'missing.csv'), '--output-dir', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\.csv: file not found/);
    r = run(['--input', small, '--format', 'jpg']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format: "jpg" is not one of png, svg, both/);
    r = run(['--input', small, '--dpi', '0']);
    expect(r.code).toBe(2);
    r = run(['--input', small, '--report', small]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is the input file/);
    // an input named like a figure, in the output folder: never overwritten
    const figureNamed = join(dir, 'clash', '01_dataset_overview.svg');
    spawnSync('mkdir', ['-p', join(dir, 'clash')]);
    writeFileSync(figureNamed, readFileSync(small));
    r = run([
      '--input',
      figureNamed,
      '--output-dir',
      join(dir, 'clash'),
      '--format',
      'svg',
      '--report',
      join(dir, 'clash', 'r.html'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/01_dataset_overview\.svg: is an input of this run/);
    expect(readFileSync(figureNamed, 'utf8')).toBe(readFileSync(small, 'utf8'));
    // a metrics file that is not JSON is bad input too
    const badMetrics = join(dir, 'bad-metrics');
    spawnSync('mkdir', ['-p', badMetrics]);
    writeFileSync(join(badMetrics, 'evaluation_metrics.json'), '{"model_name": ');
    r = run([
      '--input',
      small,
      '--metrics',
      badMetrics,
      '--output-dir',
      out,
      '--report',
      join(out, 'r.html'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-metrics\/evaluation_metrics\.json: not valid JSON/);
    expect(existsSync(out)).toBe(false);
  });

  it('a missing chart font fails (exit 1) with what to install', () => {
    const r = run(['--input', small, '--output-dir', join(dir, 'nofont')], {
      MLOPS_CHART_FONT: '/nonexistent/font.ttf',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/chart font \/nonexistent\/font\.ttf not found/);
  });

  it.skipIf(!hasRealData)('the real clean data: every figure and the report', () => {
    const out = join(dir, 'real');
    const r = run([
      '--input',
      realClean,
      '--metrics',
      metricsFixture,
      '--output-dir',
      out,
      '--report',
      join(out, 'index.html'),
      '--dpi',
      '96',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(9);
    const boxes = JSON.parse(readFileSync(join(out, '03_numeric_boxplots.vl.json'), 'utf8'));
    const subtitles = boxes.concat.map((p: { title: { subtitle: string[] } }) => p.title.subtitle[0]);
    expect(subtitles).toContain('Outliers: 167 (7.8%)');
    expect(subtitles).toContain('Outliers: 590 (27.4%)');
  });
  it.skipIf(hasRealData)(skipRealData, () => undefined);
});
