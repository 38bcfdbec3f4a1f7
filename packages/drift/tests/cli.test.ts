// The built CLI (node packages/drift/dist/main.js) on synthetic obesity-like files, with a model bundle trained
// by the test helper: exit codes 0 / 2 / 3, the files it writes, and its one-line errors.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obesityCsv, trainBundle } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(root, 'packages/drift/dist/main.js');
const params = join(root, 'config/params.yaml');

function drift(args: string[], paramsFile = params) {
  const r = spawnSync(process.execPath, [main, ...args, '--params', paramsFile], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
let clean: string;
let drifted: string;
let model: string;
beforeAll(async () => {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npx nx run drift:build first`);
  dir = mkdtempSync(join(tmpdir(), 'mlops-drift-cli-'));
  clean = join(dir, 'clean.csv');
  drifted = join(dir, 'drifted.csv');
  model = join(dir, 'models');
  writeFileSync(clean, obesityCsv(800, 3));
  await trainBundle(clean, model, 42, 150);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mlops-drift simulate', () => {
  it('writes the drifted copy: same rows and columns, shifted Age/Weight/Height, categories untouched', () => {
    const r = drift(['simulate', '--input', clean, '--output', drifted]);
    expect(r.code, r.stderr).toBe(0);
    const a = readFileSync(clean, 'utf8').trim().split('\n');
    const b = readFileSync(drifted, 'utf8').trim().split('\n');
    expect(b.length).toBe(a.length);
    expect(b[0]).toBe(a[0]);
    const col = (lines: string[], j: number) => lines.slice(1).map((l) => l.split(',')[j]!);
    expect(col(b, 0)).toEqual(col(a, 0)); // Gender
    expect(col(b, 16)).toEqual(col(a, 16)); // target
    const mean = (xs: string[]) => xs.reduce((s, x) => s + Number(x), 0) / xs.length;
    expect(mean(col(b, 3)) / mean(col(a, 3))).toBeGreaterThan(1.14); // Weight +15%
    expect(r.stderr).toMatch(/Weight: shift \+/);
  });
  it('refuses to overwrite its input', () => {
    const r = drift(['simulate', '--input', clean, '--output', clean]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/clean\.csv: the output would overwrite an input/);
  });
  it('names a missing input file', () => {
    const r = drift(['simulate', '--input', join(dir, 'nope.csv'), '--output', join(dir, 'x.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.csv: file not found/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});

describe('mlops-drift detect', () => {
  it('exits 3 with --fail-on-drift when the release verdict fires, 0 without, and writes the three reports', () => {
    const out = join(dir, 'out');
    const r = drift([
      'detect',
      '--reference',
      clean,
      '--current',
      drifted,
      '--model',
      model,
      '--output',
      out,
      '--fail-on-drift',
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/mlops-drift: release verdict fired: /);
    expect(readdirSync(out).sort()).toEqual(['drift_alerts.txt', 'drift_report.json', 'drift_report.md']);
    const report = JSON.parse(readFileSync(join(out, 'drift_report.json'), 'utf8'));
    expect(report.verdict.release.fires).toBe(true);
    expect(report.performance.computed, JSON.stringify(report.performance)).toBe(true);
    expect(report.model_name).toBe('LogisticRegression');
    expect(typeof report.feature_drift.Age.has_drift).toBe('boolean');
    expect(report.feature_drift.Age.has_drift).toBe(true);
    expect(readFileSync(join(out, 'drift_alerts.txt'), 'utf8')).toMatch(
      /^={70}\nDATA DRIFT ALERTS\n={70}\n\n\[(CRITICAL|WARNING)\] feature_drift/,
    );
    const again = drift([
      'detect',
      '--reference',
      clean,
      '--current',
      drifted,
      '--model',
      model,
      '--output',
      out,
    ]);
    expect(again.code, again.stderr).toBe(0);
  });
  it("uses the bundle's stored test-split scores as the baseline when the reference is not the training file", () => {
    const out = join(dir, 'out-other-ref');
    const r = drift([
      'detect',
      '--reference',
      drifted,
      '--current',
      clean,
      '--model',
      model,
      '--output',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'drift_report.json'), 'utf8'));
    expect(report.performance.baseline_note).toMatch(
      /the reference is not the model's training file \(clean\.csv\)/,
    );
    const bundle = JSON.parse(readFileSync(join(model, 'model_bundle.json'), 'utf8'));
    expect(report.baseline_metrics).toEqual(bundle.content.metrics.test);
  });
  it('exits 0 with --fail-on-drift for the data against itself', () => {
    const out = join(dir, 'out-same');
    const r = drift([
      'detect',
      '--reference',
      clean,
      '--current',
      clean,
      '--model',
      model,
      '--output',
      out,
      '--fail-on-drift',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'drift_report.json'), 'utf8'));
    expect(report.verdict).toMatchObject({ dataset_drift: false, release: { fires: false, reasons: [] } });
    expect(report.alerts).toEqual([]);
  });
  it('fails on drift from params (drift.fail_on_drift) too', () => {
    const p = join(dir, 'params.yaml');
    writeFileSync(
      p,
      `${readFileSync(params, 'utf8').replace('fail_on_drift: false', 'fail_on_drift: true')}`,
    );
    const r = drift(
      ['detect', '--reference', clean, '--current', drifted, '--model', model, '--output', join(dir, 'o2')],
      p,
    );
    expect(r.code, r.stderr).toBe(3);
  });
  it('runs without a model when asked, and refuses a missing model folder', () => {
    const out = join(dir, 'out-nomodel');
    const ok = drift(['detect', '--reference', clean, '--current', drifted, '--no-model', '--output', out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'drift_report.json'), 'utf8')).performance).toEqual({
      computed: false,
      reason: 'no model (--no-model)',
    });
    const missing = drift([
      'detect',
      '--reference',
      clean,
      '--current',
      drifted,
      '--model',
      join(dir, 'none'),
      '--output',
      out,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /none: model folder not found \(train one with mlops-ml train, or run detect with --no-model\)/,
    );
  });
  it('refuses an empty current file, a header-only one and different columns, with exit 2 and one line', () => {
    const empty = join(dir, 'empty.csv');
    const headerOnly = join(dir, 'header.csv');
    const other = join(dir, 'other.csv');
    writeFileSync(empty, '');
    writeFileSync(headerOnly, readFileSync(clean, 'utf8').split('\n')[0] + '\n');
    writeFileSync(other, 'a,b\n1,2\n');
    for (const [file, message] of [
      [empty, /empty\.csv: empty file \(no header row\)/],
      [headerOnly, /header\.csv: header only, no data rows/],
      [other, /other\.csv: its columns differ from the reference .*clean\.csv: missing "Gender"/],
    ] as const) {
      const r = drift([
        'detect',
        '--reference',
        clean,
        '--current',
        file,
        '--no-model',
        '--output',
        join(dir, 'o3'),
      ]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
  it('scores a one-row current file as "not enough data" instead of failing', () => {
    const one = join(dir, 'one.csv');
    const lines = readFileSync(clean, 'utf8').split('\n');
    writeFileSync(one, `${lines[0]}\n${lines[1]}\n`);
    const out = join(dir, 'out-one');
    const r = drift([
      'detect',
      '--reference',
      clean,
      '--current',
      one,
      '--model',
      model,
      '--output',
      out,
      '--fail-on-drift',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'drift_report.json'), 'utf8'));
    expect(report.evidently.columns_not_tested).toHaveLength(17);
    expect(report.performance.computed).toBe(false);
    expect(report.performance.reason).toMatch(/not enough current rows/);
  });
});

describe('mlops-drift visualize', () => {
  it('writes figures 10-12 and one overlay per drifted column as Vega-Lite specs', () => {
    const out = join(dir, 'out-viz');
    drift(['detect', '--reference', clean, '--current', drifted, '--model', model, '--output', out]);
    const figs = join(dir, 'figures');
    const r = drift([
      'visualize',
      '--reference',
      clean,
      '--current',
      drifted,
      '--report',
      join(out, 'drift_report.json'),
      '--output-dir',
      figs,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'drift_report.json'), 'utf8'));
    const drifted_ = report.evidently.columns.filter((c: { drift_detected: boolean }) => c.drift_detected);
    const files = readdirSync(figs).sort();
    expect(files).toEqual(
      [
        '10_drift_distributions.vl.json',
        '11_drift_performance_comparison.vl.json',
        '12_drift_psi_heatmap.vl.json',
        ...drifted_.map((c: { column: string }) => `drift_overlay_${c.column}.vl.json`),
      ].sort(),
    );
    const spec = JSON.parse(readFileSync(join(figs, '10_drift_distributions.vl.json'), 'utf8'));
    expect(spec.$schema).toMatch(/vega-lite/);
    expect(spec.concat).toHaveLength(6);
  });
  it('draws the distributions only, with a warning, when there is no report', () => {
    const figs = join(dir, 'figures-noreport');
    const r = drift([
      'visualize',
      '--reference',
      clean,
      '--current',
      drifted,
      '--report',
      join(dir, 'missing.json'),
      '--output-dir',
      figs,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/missing\.json: no drift report; drawing the distributions only/);
    expect(readdirSync(figs)).toEqual(['10_drift_distributions.vl.json']);
  });
});

describe('mlops-drift arguments', () => {
  it('prints help (exit 0) and rejects unknown commands and misplaced options (exit 2)', () => {
    const help = drift(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: mlops-drift <command>/);
    expect(drift([]).code).toBe(2);
    const unknown = drift(['explode']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "explode"/);
    const misplaced = drift(['simulate', '--model', 'x']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/--model is not an option of simulate/);
  });
});
