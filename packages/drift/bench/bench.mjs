#!/usr/bin/env node
// drift benchmark: whole-process wall time and peak RSS of `mlops-drift detect` (with a model and without),
// `simulate` and `visualize` on the real data (median of several runs), and of simulate, detect and visualize on
// 1M generated rows (tools/demo-data), with simulate and detect at a quarter of that too so the growth with the rows
// is measured. Figures go to benchmarks/drift.json at the workspace root. Run: npx nx run drift:bench
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { benchBundle } from './bundle.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/drift/dist/main.js');
const PROBE = new URL('./rss-probe.mjs', import.meta.url).href;
const PARAMS = join(ROOT, 'config/params.yaml');
const GENERATOR = join(ROOT, 'tools/demo-data/dist/main.js');
const REAL = join(ROOT, '../shared/data/obesity/dataset_limpio.csv');
const RUNS = Number(process.env.DRIFT_BENCH_RUNS ?? 7);
const BIG_ROWS = Number(process.env.DRIFT_BENCH_ROWS ?? 1_000_000);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** One CLI run: wall ms, peak RSS MB and exit code. */
async function run(dir, args, okCodes = [0]) {
  const rssFile = join(dir, 'rss.txt');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', PROBE, MAIN, ...args, '--params', PARAMS], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warning', DRIFT_BENCH_RSS: rssFile },
    maxBuffer: 1 << 26,
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!okCodes.includes(r.status))
    throw new Error(`mlops-drift ${args[0]} failed (${r.status}): ${r.stderr}`);
  const { rssMb, cpuMs } = JSON.parse(await readFile(rssFile, 'utf8'));
  return { wallMs, rssMb, cpuMs, code: r.status };
}

async function repeat(dir, args, runs, okCodes) {
  await run(dir, args, okCodes); // warm-up (file cache)
  const results = [];
  for (let k = 0; k < runs; k++) results.push(await run(dir, args, okCodes));
  return {
    runs,
    wall_ms_median: round(median(results.map((r) => r.wallMs))),
    wall_ms_min: round(Math.min(...results.map((r) => r.wallMs))),
    cpu_ms_median: round(median(results.map((r) => r.cpuMs))),
    peak_rss_mb_max: round(Math.max(...results.map((r) => r.rssMb))),
    exit_code: results[0].code,
  };
}

/** The generator's clean reference with the target in the pipeline's lower-snake spelling. */
async function lowerTarget(input, output) {
  const out = createWriteStream(output);
  let header = true;
  for await (const line of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    if (!line) continue;
    if (header) {
      out.write(`${line}\n`);
      header = false;
      continue;
    }
    const cut = line.lastIndexOf(',');
    if (!out.write(`${line.slice(0, cut + 1)}${line.slice(cut + 1).toLowerCase()}\n`))
      await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve) => out.end(resolve));
}

async function head(input, output, rows) {
  const lines = [];
  for await (const line of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    lines.push(line);
    if (lines.length > rows) break;
  }
  await writeFile(output, `${lines.join('\n')}\n`);
}

const dir = await mkdtemp(join(tmpdir(), 'drift-bench-'));

const figures = (r) => ({ wall_ms: round(r.wallMs), cpu_ms: round(r.cpuMs), peak_rss_mb: round(r.rssMb) });

/**
 * Generated rows (tools/demo-data): simulate and detect (with a model trained on its first 20,000 rows), and
 * optionally visualize (figures at the params' format and dpi); each a whole CLI process, once.
 */
async function generated(rows, { visualize }) {
  const sub = join(dir, `gen-${rows}`);
  const t0 = Date.now();
  const g = spawnSync(
    process.execPath,
    [GENERATOR, '--rows', String(rows), '--seed', '1', '--out-dir', sub],
    {
      encoding: 'utf8',
    },
  );
  if (g.status !== 0) throw new Error(`demo-data failed: ${g.stderr}`);
  const generateMs = Date.now() - t0;
  const reference = join(sub, 'big-reference.csv');
  await lowerTarget(join(sub, 'obesity_clean_reference.csv'), reference);
  await rm(join(sub, 'obesity_estimation_modified.csv'), { force: true });
  await rm(join(sub, 'obesity_clean_reference.csv'), { force: true });
  const current = join(sub, 'big-current.csv');
  const bigModel = join(sub, 'big-models');
  await head(reference, join(sub, 'big-train.csv'), 20000);
  await benchBundle(ROOT, join(sub, 'big-train.csv'), bigModel);
  const simulate = await run(dir, ['simulate', '--input', reference, '--output', current]);
  const detect = await run(
    dir,
    [
      'detect',
      '--reference',
      reference,
      '--current',
      current,
      '--model',
      bigModel,
      '--output',
      join(sub, 'report'),
    ],
    [0, 3],
  );
  const report = JSON.parse(await readFile(join(sub, 'report/drift_report.json'), 'utf8'));
  const out = {
    rows,
    generator: 'tools/demo-data --seed 1 (obesity_clean_reference.csv, target lower-cased)',
    generate_ms: generateMs,
    simulate: figures(simulate),
    detect_with_model: figures(detect),
    detect_checks: {
      ks_method: report.feature_drift.Age?.ks_method,
      evidently_tests: [...new Set(report.evidently.columns.map((c) => c.stattest))],
      performance_computed: report.performance.computed,
      current_rows_scored: report.performance.current_rows ?? null,
    },
  };
  if (visualize) {
    const v = await run(dir, [
      'visualize',
      '--reference',
      reference,
      '--current',
      current,
      '--report',
      join(sub, 'report/drift_report.json'),
      '--output-dir',
      join(sub, 'figures'),
    ]);
    out.visualize = figures(v);
  }
  out.goal_scale_peak_rss_mb = 1024;
  await rm(sub, { recursive: true, force: true });
  return out;
}

const result = {
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    node: process.version,
    loadavg_at_start: loadavg().map((x) => round(x, 2)),
  },
  measured_at: new Date().toISOString(),
  how: 'whole CLI process (node dist/main.js), wall time median of runs after one warm-up; CPU (user + system) and peak RSS from process.resourceUsage() at exit',
  predecessor: { detect_drift_s: '2.3-3.7', visualize_drift_s: '5.3-6.1' },
  goal: { wall_ms: 3000, peak_rss_mb: 300 },
};
try {
  if (existsSync(REAL)) {
    const drifted = join(dir, 'drifted.csv');
    const model = join(dir, 'models');
    await benchBundle(ROOT, REAL, model);
    const simulate = await repeat(dir, ['simulate', '--input', REAL, '--output', drifted], RUNS);
    const detectArgs = ['detect', '--reference', REAL, '--current', drifted, '--output', join(dir, 'report')];
    const detect = await repeat(dir, [...detectArgs, '--model', model], RUNS);
    const detectNoModel = await repeat(dir, [...detectArgs, '--no-model'], RUNS);
    const visualize = await repeat(
      dir,
      [
        'visualize',
        '--reference',
        REAL,
        '--current',
        drifted,
        '--report',
        join(dir, 'report/drift_report.json'),
        '--output-dir',
        join(dir, 'figures'),
      ],
      RUNS,
    );
    result.real_data = {
      file: 'dataset_limpio.csv (2153 rows x 17 columns) against its drifted copy',
      simulate,
      detect_with_model: detect,
      detect_without_model: detectNoModel,
      visualize_figures: visualize,
    };
  } else {
    result.real_data = { skipped: `${REAL} is absent` };
  }
  if (!existsSync(GENERATOR)) throw new Error(`${GENERATOR} is absent: run npx nx run demo-data:build`);
  // two sizes a quarter apart: the ratio of their figures shows how cost grows with the rows (4.0 is linear)
  const small = await generated(Math.round(BIG_ROWS / 4), { visualize: false });
  const big = await generated(BIG_ROWS, { visualize: true });
  result.generated = big;
  result.growth_x4_rows = {
    rows: [small.rows, big.rows],
    note: 'figure at the larger size / figure at the smaller size; 4.0 = linear in the rows',
    detect_cpu: round(big.detect_with_model.cpu_ms / small.detect_with_model.cpu_ms, 2),
    detect_rss: round(big.detect_with_model.peak_rss_mb / small.detect_with_model.peak_rss_mb, 2),
    simulate_cpu: round(big.simulate.cpu_ms / small.simulate.cpu_ms, 2),
    simulate_rss: round(big.simulate.peak_rss_mb / small.simulate.peak_rss_mb, 2),
    smaller: { simulate: small.simulate, detect_with_model: small.detect_with_model },
  };
} finally {
  await rm(dir, { recursive: true, force: true });
}
const out = join(ROOT, 'benchmarks/drift.json');
await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
console.log(`wrote ${out}`);
