#!/usr/bin/env node
// visualize benchmark: the built CLI on the real clean data (every figure at the params' 300 dpi and the HTML
// report, with a metrics folder so figures 07-09 are drawn too), several runs: wall time (median, min, max), peak RSS
// (max) and CPU time; then once on 1M generated rows. Figures go to benchmarks/visualize.json at the workspace root,
// with the machine's load average, since these 2-core machines are shared and wall times move with it.
// Run: node packages/visualize/bench/bench.mjs (after npx nx run visualize:build).
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/visualize/dist/main.js');
const PARAMS = join(ROOT, 'config/params.yaml');
const PRELOAD = pathToFileURL(fileURLToPath(new URL('./peak-rss.mjs', import.meta.url))).href;
const METRICS = fileURLToPath(new URL('../tests/fixtures/metrics', import.meta.url));
const REAL = fileURLToPath(new URL('../../../../shared/data/obesity/dataset_limpio.csv', import.meta.url));
const RUNS = Number(process.env.VISUALIZE_BENCH_RUNS ?? 7);
const BIG_ROWS = Number(process.env.VISUALIZE_BENCH_ROWS ?? 1_000_000);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function run(dir, input, tag) {
  const stats = join(dir, `stats-${tag}.json`);
  const out = join(dir, `out-${tag}`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      PRELOAD,
      MAIN,
      '--params',
      PARAMS,
      '--input',
      input,
      '--metrics',
      METRICS,
      '--output-dir',
      out,
      '--report',
      join(out, 'index.html'),
    ],
    { encoding: 'utf8', env: { ...process.env, MLOPS_BENCH_STATS: stats }, cwd: dir },
  );
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`mlops-visualize exited ${r.status}: ${r.stderr}`);
  return { wallMs, ...JSON.parse(readFileSync(stats, 'utf8')) };
}

/** 1M rows: the real rows repeated with a seeded jitter on Age and Weight (so values are not all repeats). */
async function bigFile(dir) {
  const lines = readFileSync(REAL, 'utf8').trim().split('\n');
  const header = lines.shift();
  const file = join(dir, 'big.csv');
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  let seed = 1;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  let batch = [];
  for (let i = 0; i < BIG_ROWS; i++) {
    const f = lines[i % lines.length].split(',');
    f[1] = (Number(f[1]) + rnd()).toFixed(4);
    f[3] = (Number(f[3]) + rnd()).toFixed(3);
    batch.push(f.join(','));
    if (batch.length === 10_000) {
      if (!out.write(`${batch.join('\n')}\n`)) await new Promise((r) => out.once('drain', r));
      batch = [];
    }
  }
  if (batch.length) out.write(`${batch.join('\n')}\n`);
  await new Promise((resolve) => out.end(resolve));
  return file;
}

async function main() {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npx nx run visualize:build first`);
  if (!existsSync(REAL)) {
    console.log(`real data absent (${REAL}): benchmark skipped`);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'visualize-bench-'));
  try {
    const loadBefore = loadavg()[0];
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(run(dir, REAL, `real-${i}`));
    const loadAfter = loadavg()[0];
    const walls = runs.map((r) => r.wallMs);
    const big = run(dir, await bigFile(dir), 'big');
    const result = {
      what: 'mlops-visualize CLI, whole process (all threads): 9 figures (spec + PNG at 300 dpi, rasterised on a worker thread beside vega) and the HTML report',
      measured_at: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      load_average_1min: { before: round(loadBefore, 2), after: round(loadAfter, 2) },
      real_data: {
        input: 'dataset_limpio.csv (2153 rows)',
        runs: RUNS,
        wall_ms: {
          median: round(median(walls)),
          min: round(Math.min(...walls)),
          max: round(Math.max(...walls)),
        },
        cpu_ms_median: round(median(runs.map((r) => r.userMs + r.systemMs))),
        cpu_ms_min: round(Math.min(...runs.map((r) => r.userMs + r.systemMs))),
        cpu_ms_max: round(Math.max(...runs.map((r) => r.userMs + r.systemMs))),
        // the main thread's part (vega, the data, the report): the wall time on an idle 2-core machine is at least this
        main_thread_cpu_ms_median:
          runs[0].mainThreadMs === null ? null : round(median(runs.map((r) => r.mainThreadMs))),
        peak_rss_mb: {
          median: round(median(runs.map((r) => r.maxRssKiB / 1024))),
          max: round(Math.max(...runs.map((r) => r.maxRssKiB / 1024))),
        },
      },
      one_million_rows: {
        rows: BIG_ROWS,
        wall_ms: round(big.wallMs),
        cpu_ms: round(big.userMs + big.systemMs),
        main_thread_cpu_ms: big.mainThreadMs === null ? null : round(big.mainThreadMs),
        peak_rss_mb: round(big.maxRssKiB / 1024),
      },
      predecessor: { wall_s: '15.6-17.6', peak_rss_mb: '~900' },
      goal: { wall_s: 3, peak_rss_mb: 300 },
    };
    await mkdir(join(ROOT, 'benchmarks'), { recursive: true });
    await writeFile(join(ROOT, 'benchmarks/visualize.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
