import { compileChart, renderSvg, themed } from '@mlops/charts';
import { describe, expect, it } from 'vitest';
import {
  classBalance,
  confusionMatrixSpec,
  countLabel,
  FIGURE_NAMES,
  fitStatus,
  genericJsonHtml,
  modelScores,
  parseEvaluation,
  parseModelComparison,
  planFigures,
  readForeignFigures,
  summariseTable,
  type Table,
} from '../src/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricsFixture } from './helpers.js';

function table(): Table {
  const n = 200;
  const num = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  const counts = (values: string[]) => {
    const m = new Map<string, number>();
    for (let i = 0; i < n; i++)
      m.set(values[i % values.length]!, (m.get(values[i % values.length]!) ?? 0) + 1);
    return m;
  };
  return {
    path: 'mem.csv',
    rowCount: n,
    columns: [
      {
        kind: 'numeric',
        name: 'Age',
        dtype: 'float64',
        values: num((i) => 18 + (i % 30) + (i === 7 ? 60 : 0)),
        missing: 0,
      },
      {
        kind: 'numeric',
        name: 'Height',
        dtype: 'float64',
        values: num((i) => 1.5 + (i % 10) / 20),
        missing: 0,
      },
      { kind: 'numeric', name: 'Const', dtype: 'int64', values: num(() => 3), missing: 0 },
      { kind: 'text', name: 'Colour', dtype: 'object', counts: counts('abcdefghij'.split('')), missing: 0 },
      { kind: 'text', name: 'NObeyesdad', dtype: 'object', counts: counts(['x', 'y', 'y']), missing: 0 },
    ],
  };
}

const load = (name: string) => JSON.parse(readFileSync(join(metricsFixture, name), 'utf8')) as unknown;

describe('figure specs', () => {
  const evaluation = parseEvaluation(load('evaluation_metrics.json'), 'e').value!;
  const comparison = parseModelComparison(load('model_comparison.json'), 'c').value!;
  const { figures, skipped } = planFigures(summariseTable(table()), 'mem.csv', { evaluation, comparison });

  it('plans all nine figures, in order, with their file names', () => {
    expect(skipped).toEqual([]);
    expect(figures.map((f) => f.name)).toEqual(Object.values(FIGURE_NAMES));
  });

  it('every spec compiles with no Vega-Lite warning and renders to SVG with no Vega warning', async () => {
    for (const f of figures) {
      expect(compileChart(f.spec).warnings, f.name).toEqual([]);
      const { svg, warnings } = await renderSvg(themed(f.spec, 'DejaVu Sans'));
      expect(warnings, f.name).toEqual([]);
      expect(svg, f.name).toContain('role-mark');
    }
  });

  it('every spec carries its data inline (no URL) and is plain JSON', () => {
    for (const f of figures) {
      const text = JSON.stringify(f.spec);
      expect(text, f.name).not.toMatch(/"url"\s*:/);
      expect(JSON.parse(text), f.name).toStrictEqual(f.spec);
    }
  });

  it('titles and labels say what the predecessor showed, in English', () => {
    const text = (name: string) => JSON.stringify(figures.find((f) => f.name === name)!.spec);
    expect(text(FIGURE_NAMES.overview)).toContain('No missing values');
    expect(text(FIGURE_NAMES.distributions)).toMatch(/Mean: \d+\.\d\d/);
    expect(text(FIGURE_NAMES.distributions)).toMatch(/Median: \d+\.\d\d/);
    expect(text(FIGURE_NAMES.boxplots)).toContain('Outliers: 1 (0.5%)');
    expect(text(FIGURE_NAMES.categorical)).toContain('top 8 of 10 categories');
    expect(text(FIGURE_NAMES.target)).toContain('balance ratio (max/min) 1.99; majority y, minority x');
    expect(text(FIGURE_NAMES.confusion)).toContain('Confusion matrix - XGBoost_SMOTE');
    expect(text(FIGURE_NAMES.confusion)).toContain('431 test rows, 13 misclassified');
  });

  it('a constant column gets one bin and no KDE; a missing target column skips figure 05', () => {
    const summary = summariseTable(table());
    const c = summary.numeric.find((s) => s.name === 'Const')!;
    expect(c.bins).toEqual([{ start: 2.5, end: 3.5, count: 200 }]);
    expect(c.kde).toEqual([]);
    const plan = planFigures(summary, 'mem.csv', {}, 'Target');
    expect(plan.skipped.map((s) => s.name)).toEqual([
      FIGURE_NAMES.target,
      FIGURE_NAMES.metrics,
      FIGURE_NAMES.confusion,
      FIGURE_NAMES.overfitting,
    ]);
    expect(plan.skipped[0]!.reason).toBe('the input has no text column "Target"');
  });

  it('a numeric column with no value is named, not drawn; one row still draws', async () => {
    const t = table();
    t.columns.push({
      kind: 'numeric',
      name: 'Empty',
      dtype: 'float64',
      values: new Float64Array(200).fill(NaN),
      missing: 200,
    });
    const plan = planFigures(summariseTable(t), 'mem.csv', {});
    const dist = plan.figures.find((f) => f.name === FIGURE_NAMES.distributions)!;
    expect(JSON.stringify(dist.spec)).toContain('no value at all (not drawn): Empty');
    expect((dist.spec['concat'] as unknown[]).length).toBe(3);
    const one: Table = {
      path: 'one.csv',
      rowCount: 1,
      columns: [{ kind: 'numeric', name: 'x', dtype: 'int64', values: Float64Array.of(4), missing: 0 }],
    };
    const onePlan = planFigures(summariseTable(one), 'one.csv', {});
    expect(onePlan.figures.map((f) => f.name)).toEqual([
      FIGURE_NAMES.overview,
      FIGURE_NAMES.distributions,
      FIGURE_NAMES.boxplots,
    ]);
    for (const f of [...plan.figures, ...onePlan.figures])
      expect((await renderSvg(themed(f.spec, 'DejaVu Sans'))).warnings, f.name).toEqual([]);
  });

  it('one confusion-matrix panel per model that has one, each in its own colour scheme', async () => {
    const cm = [
      [5, 1],
      [0, 4],
    ];
    const spec = confusionMatrixSpec(
      [
        { model: 'a', accuracy: 0.9, confusion_matrix: cm },
        { model: 'b', accuracy: 0.8 },
        { model: 'c', accuracy: 0.7, confusion_matrix: cm },
      ],
      undefined,
    )!;
    const panels = spec['vconcat'] as {
      title: { text: string };
      layer: { encoding?: { color?: { scale?: { scheme: string } } } }[];
    }[];
    expect(panels.map((p) => p.title.text)).toEqual(['Confusion matrix - a', 'Confusion matrix - c']);
    expect(panels.map((p) => p.layer[0]!.encoding!.color!.scale!.scheme)).toEqual(['blues', 'greens']);
    expect((await renderSvg(themed(spec, 'DejaVu Sans'))).warnings).toEqual([]);
  });

  it('helpers: labels, balance, fit status, model rows', () => {
    expect(countLabel(375, 2153)).toBe('375 (17.4%)');
    expect(
      classBalance({
        name: 't',
        counts: [
          { value: 'a', count: 10 },
          { value: 'b', count: 4 },
        ],
        total: 14,
        missing: 0,
      }),
    ).toEqual({
      majority: 'a',
      minority: 'b',
      ratio: 2.5,
    });
    expect([fitStatus(0.11), fitStatus(-0.06), fitStatus(0.1), fitStatus(-0.05)]).toEqual([
      'Overfitting',
      'Underfitting',
      'Good fit',
      'Good fit',
    ]);
    expect(modelScores(undefined, evaluation)).toHaveLength(1);
    expect(modelScores(comparison, evaluation).map((m) => m.model)).toEqual([
      'random_forest',
      'xgboost',
      'knn',
      'svm',
    ]);
    expect(confusionMatrixSpec([], undefined)).toBeUndefined();
  });
});

describe('generic JSON sections of the report', () => {
  it('shows verdict booleans as badges, scalars, per-feature maps and lists as tables, escaped', () => {
    const html = genericJsonHtml({
      dataset_drift: false,
      release_blocked: true,
      note: '<b>x</b>',
      per_feature: { Age: { psi: 0.5, drifted: true }, Height: { psi: 1, drifted: true } },
      columns: [{ column: 'A', p: 0.01 }],
      differences: ['one', 'two'],
    });
    expect(html).toContain('<span class="badge ok">dataset_drift: false</span>');
    expect(html).toContain('<span class="badge bad">release_blocked: true</span>');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).toMatch(/<th>name<\/th><th>psi<\/th><th>drifted<\/th>/);
    expect(html).toContain('<td>Height</td><td class="num">1</td><td>true</td>');
    expect(html).toContain('<li>two</li>');
  });
});

describe("other stages' figure specs", () => {
  it('reads NAME.vl.json from the folders, once each, not ours, and skips a broken one with a warning', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const a = mkdtempSync(join(tmpdir(), 'viz-foreign-'));
    const b = mkdtempSync(join(tmpdir(), 'viz-foreign-'));
    writeFileSync(join(a, '11_drift_perf.vl.json'), '{"mark": "bar"}');
    writeFileSync(join(b, '11_drift_perf.vl.json'), '{"mark": "point"}');
    writeFileSync(join(b, '10_drift_distributions.vl.json'), '{"mark": "bar"}');
    writeFileSync(join(b, '01_dataset_overview.vl.json'), '{"mark": "bar"}');
    writeFileSync(join(b, 'broken.vl.json'), '[1');
    writeFileSync(join(b, 'notes.json'), '{}');
    writeFileSync(join(b, 'remote.vl.json'), '{"data": {"url": "https://example.org/x.csv"}, "mark": "bar"}');
    const warnings: string[] = [];
    const found = await readForeignFigures(
      [a, b, join(a, 'absent')],
      new Set(Object.values(FIGURE_NAMES)),
      warnings,
    );
    expect(found.map((f) => [f.name, f.spec['mark']])).toEqual([
      ['10_drift_distributions', 'bar'],
      ['11_drift_perf', 'bar'],
    ]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/broken\.vl\.json: skipped/);
    expect(warnings[1]).toMatch(/remote\.vl\.json: skipped \(it loads data from a URL/);
  });
});
