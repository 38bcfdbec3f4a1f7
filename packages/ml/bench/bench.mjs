#!/usr/bin/env node
/**
 * ml bench: writes benchmarks/ml.json.
 * - train + evaluate on the real clean data (../shared/data/obesity/dataset_limpio.csv; skipped when absent), as
 *   whole CLI processes: wall time, peak RSS (the process's, worker threads included), per-model fit time and CV
 *   score;
 * - train and evaluate wall time, CPU time and peak RSS on generated data (tools/demo-data, cleaned by eda) at 100k
 *   and 1M rows with the default params, and their growth ratio (BENCH_SKIP_1M=1 skips 1M; BENCH_SKIP_SCALE=1 keeps
 *   the previous run's generated-data figures, labelled from_previous_run);
 * - warm predict latency of the trained bundle: one row (predictOne and the allocation-free predictOneInto), 100
 *   rows (predict), and the model alone on one preprocessed row, so the serving overhead shows.
 * The real-data run trains params' default list (where this build has their learners)
 * (BENCH_ALGORITHMS=a,b overrides); the generated-data runs use the default params unchanged.
 * Run from the workspace root after a build: node packages/ml/bench/bench.mjs
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
const ML = join(ROOT, 'packages/ml/dist/main.js');
const EDA = join(ROOT, 'packages/eda/dist/main.js');
const DEMO = join(ROOT, 'tools/demo-data/dist/main.js');
const REAL = resolve(ROOT, '../shared/data/obesity/dataset_limpio.csv');
const OUT = join(ROOT, 'benchmarks/ml.json');

const { candidatesFor, availableLearners } = await import(join(ROOT, 'packages/ml/dist/index.js'));
const { defaultParams } = await import(join(ROOT, 'packages/core/dist/index.js'));
const { loadBundle, encodeRows } = await import(join(ROOT, 'packages/model/dist/index.js'));

const dir = mkdtempSync(join(tmpdir(), 'ml-bench-'));
const log = (m) => process.stderr.write(`[ml bench] ${m}\n`);

function algorithms() {
  if (process.env.BENCH_ALGORITHMS) return process.env.BENCH_ALGORITHMS.split(',');
  const have = new Set(availableLearners());
  const p = defaultParams();
  // the default pipeline's models (what a user's train runs), less any this build lacks
  return p.models.algorithms.filter((a) => {
    const q = defaultParams();
    q.models.algorithms = [a];
    return candidatesFor(q).every((c) => have.has(c.key));
  });
}

function paramsFile(name, extra = '') {
  const path = join(dir, name);
  writeFileSync(path, `models:\n  algorithms: [${algorithms().join(', ')}]\n${extra}`);
  return path;
}

function runNode(args, label) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: dir, maxBuffer: 1 << 26 });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return wall;
}

function mlRun(verb, args, params, label) {
  const stats = join(dir, `${label}.stats.json`);
  const wall = runNode([ML, verb, ...args, '--params', params, '--stats-json', stats, '--no-mlflow'], label);
  return { process_wall_seconds: wall, ...JSON.parse(readFileSync(stats, 'utf8')) };
}

function generated(rows) {
  const raw = join(dir, `raw-${rows}`);
  runNode([DEMO, '--rows', String(rows), '--seed', '42', '--out-dir', raw], `demo-data ${rows}`);
  const clean = join(dir, `clean-${rows}.csv`);
  runNode(
    [
      EDA,
      '--input',
      join(raw, 'obesity_estimation_modified.csv'),
      '--output',
      clean,
      '--profile',
      join(dir, `profile-${rows}`),
      '--no-mlflow',
      '--params',
      join(ROOT, 'config/params.yaml'),
    ],
    `eda ${rows}`,
  );
  rmSync(raw, { recursive: true, force: true });
  return clean;
}

function time(fn, iterations) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / iterations;
}

/** Median of 7 timings of `iterations` calls, in nanoseconds per call. */
function latency(fn, iterations) {
  for (let i = 0; i < 3; i++) time(fn, iterations); // warm up (JIT)
  const runs = Array.from({ length: 7 }, () => time(fn, iterations)).sort((a, b) => a - b);
  return runs[3];
}

function predictLatency(modelDir, csv) {
  const model = loadBundle(modelDir);
  const text = readFileSync(csv, 'utf8').trim().split('\n');
  const header = text[0].split(',');
  const rows = text.slice(1, 1001).map((line) => {
    const cells = line.split(',');
    const row = {};
    header.forEach((h, i) => {
      if (h !== 'NObeyesdad') row[h] = /^[\d.-]+$/.test(cells[i]) ? Number(cells[i]) : cells[i];
    });
    return row;
  });
  const proba = new Float64Array(model.labels.length);
  const { batch } = encodeRows(model.encoder, rows.slice(0, 1));
  const x = model.preprocessor.transform(batch);
  const rows100 = rows.slice(0, 100);
  return {
    model: model.bundle.model_name,
    kind: model.bundle.model.kind,
    single_row_predictOne_us: latency((i) => model.predictOne(rows[i % rows.length]), 20000) / 1000,
    single_row_predictOneInto_us:
      latency((i) => model.predictOneInto(rows[i % rows.length], proba), 20000) / 1000,
    single_row_model_only_us: latency(() => model.predictor.predictProba(x, proba), 20000) / 1000,
    rows_100_predict_us: latency(() => model.predict(rows100), 200) / 1000,
  };
}

const result = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  algorithms: algorithms(),
  note: 'train wall includes process start, data reading, CV of every model and search draw, refits, importances and writing',
};

try {
  if (existsSync(REAL)) {
    log(`real data: ${REAL}`);
    const params = paramsFile('params-real.yaml');
    const train = mlRun(
      'train',
      ['--input', REAL, '--output', join(dir, 'model-real'), '--metrics', join(dir, 'metrics-real')],
      params,
      'train-real',
    );
    const evaluate = mlRun(
      'evaluate',
      ['--input', REAL, '--model', join(dir, 'model-real'), '--output', join(dir, 'metrics-real')],
      params,
      'evaluate-real',
    );
    const evaluation = JSON.parse(readFileSync(join(dir, 'metrics-real/evaluation_metrics.json'), 'utf8'));
    result.real = {
      file: 'dataset_limpio.csv',
      train_plus_evaluate_wall_seconds: train.process_wall_seconds + evaluate.process_wall_seconds,
      train_plus_evaluate_cpu_seconds: train.cpu_seconds + evaluate.cpu_seconds,
      load_average_1m_after: loadavg()[0],
      peak_rss_mb: Math.max(train.max_rss_mb, evaluate.max_rss_mb),
      train,
      evaluate: {
        process_wall_seconds: evaluate.process_wall_seconds,
        cpu_seconds: evaluate.cpu_seconds,
        max_rss_mb: evaluate.max_rss_mb,
      },
      winner: evaluation.model_name,
      // the soft-voting ensemble names its members here
      winner_hyper_parameters: loadBundle(join(dir, 'model-real')).bundle.params.hyper_parameters,
      test_accuracy: evaluation.test_accuracy,
      best_cv_mean: evaluation.cv.mean,
      goals: { wall_seconds: 20, peak_rss_mb: 300 },
    };
    result.predict_latency = predictLatency(join(dir, 'model-real'), REAL);
  } else {
    result.real = { skipped: `no real data at ${REAL}` };
    log(result.real.skipped);
  }
  if (process.env.BENCH_SKIP_SCALE && existsSync(OUT)) {
    // keep the generated-data figures of the previous run (labelled so), for a quick re-run of the rest
    const previous = JSON.parse(readFileSync(OUT, 'utf8')).scale;
    if (previous) result.scale = { ...previous, from_previous_run: true };
  } else {
    result.scale = scale();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Train (then evaluate) on 100k and 1M generated rows with the default params (every default algorithm, the full
 * 20-draw search, 5 folds, importances): wall and CPU time (every thread of the process) and peak RSS per run, the
 * sampling the run reported (training.search_max_rows and the other caps), and the growth from 100k to 1M rows
 * (the goal: at most linear, i.e. a ratio <= 10, and peak RSS <= 1 GB at 1M). BENCH_SKIP_1M=1 runs 100k only.
 */
function scale() {
  // an empty params file: every key takes its default
  const params = join(dir, 'params-default.yaml');
  writeFileSync(params, '# the defaults of every key\n');
  const out = {
    params: 'defaults',
    goals: { peak_rss_mb_at_1m: 1024, growth_ratio_max: 'the rows ratio (10 from 100k to 1M)' },
    runs: [],
  };
  // BENCH_SCALE_ROWS=a,b overrides the row counts (a quick check of this script, not a figure to quote)
  const sizes = process.env.BENCH_SCALE_ROWS
    ? process.env.BENCH_SCALE_ROWS.split(',').map(Number)
    : process.env.BENCH_SKIP_1M
      ? [100_000]
      : [100_000, 1_000_000];
  out.rows = sizes;
  for (const rows of sizes) {
    log(`generated: ${rows} rows (default params)`);
    const clean = generated(rows);
    const model = join(dir, `model-${rows}`);
    const metrics = join(dir, `metrics-${rows}`);
    const train = mlRun(
      'train',
      ['--input', clean, '--output', model, '--metrics', metrics],
      params,
      `train-${rows}`,
    );
    const evaluate = mlRun(
      'evaluate',
      ['--input', clean, '--model', model, '--output', metrics],
      params,
      `evaluate-${rows}`,
    );
    out.runs.push({
      rows,
      train_wall_seconds: train.process_wall_seconds,
      train_cpu_seconds: train.cpu_seconds,
      train_peak_rss_mb: train.max_rss_mb,
      evaluate_wall_seconds: evaluate.process_wall_seconds,
      evaluate_cpu_seconds: evaluate.cpu_seconds,
      evaluate_peak_rss_mb: evaluate.max_rss_mb,
      load_average_1m_after: loadavg()[0],
      winner: train.winner,
      sampling: train.sampling,
      models: train.models,
    });
    log(
      `${rows} rows: train ${train.process_wall_seconds.toFixed(1)} s wall, ${train.cpu_seconds.toFixed(1)} s CPU, ${train.max_rss_mb.toFixed(0)} MB peak RSS`,
    );
    if (!result.predict_latency) result.predict_latency = predictLatency(model, clean);
    rmSync(clean, { force: true });
    rmSync(model, { recursive: true, force: true });
  }
  const [small, large] = out.runs;
  if (small && large) {
    const ratio = (key) => large[key] / small[key];
    out.growth = {
      from_rows: small.rows,
      to_rows: large.rows,
      rows_ratio: large.rows / small.rows,
      train_wall_ratio: ratio('train_wall_seconds'),
      train_cpu_ratio: ratio('train_cpu_seconds'),
      train_peak_rss_ratio: ratio('train_peak_rss_mb'),
      evaluate_cpu_ratio: ratio('evaluate_cpu_seconds'),
    };
    out.goals_met = {
      peak_rss_within_1gb: Math.max(large.train_peak_rss_mb, large.evaluate_peak_rss_mb) <= 1024,
      at_most_linear: out.growth.train_cpu_ratio <= out.growth.rows_ratio,
    };
  }
  return out;
}

mkdirSync(join(ROOT, 'benchmarks'), { recursive: true });
writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
log(`wrote ${OUT}`);
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
