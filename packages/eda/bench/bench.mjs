#!/usr/bin/env node
// eda benchmark: wall time of the CLI on the real file (median of several runs, whole process and in-process
// phases), warm in-process cleaning time, and the CLI on 1M generated dirty rows (peak RSS, throughput).
// Figures go to benchmarks/eda.json at the workspace root. Run: npx nx run eda:bench
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/eda/dist/main.js');
const PARAMS = join(ROOT, 'config/params.yaml');
const GENERATOR = join(ROOT, 'tools/demo-data/dist/main.js');
const REAL = fileURLToPath(
  new URL('../../../../shared/data/obesity/obesity_estimation_modified.csv', import.meta.url),
);
const RUNS = Number(process.env.EDA_BENCH_RUNS ?? 15);
const BIG_ROWS = Number(process.env.EDA_BENCH_ROWS ?? 1_000_000);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** The environment as it is, and the same without NODE_EXTRA_CA_CERTS (which makes every node start load a CA file). */
const ENV_AS_IS = { ...process.env, LOG_LEVEL: 'warning' };
const ENV_NO_EXTRA_CA = Object.fromEntries(
  Object.entries(ENV_AS_IS).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'),
);

function nodeStartMs(env) {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0'], { env });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function runCli(dir, input, tag, env = ENV_AS_IS, mlflow = false) {
  const stats = join(dir, `stats-${tag}.json`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [
      MAIN,
      '--params',
      PARAMS,
      '--input',
      input,
      '--output',
      join(dir, `clean-${tag}.csv`),
      '--profile',
      join(dir, `profile-${tag}`),
      ...(mlflow ? [] : ['--no-mlflow']),
      '--stats-json',
      stats,
    ],
    { encoding: 'utf8', env: mlflow ? { ...env, MLFLOW_TRACKING_URI: `file:${join(dir, 'mlruns')}` } : env },
  );
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`eda failed (${r.status}): ${r.stderr}`);
  return { wallMs, stats: stats };
}

async function inProcess(file, runs) {
  const { openCsvBatches } = await import(join(ROOT, 'packages/core/dist/index.js'));
  const { RawAccumulator, cleanTable, outputCsvChunks } = await import(
    join(ROOT, 'packages/eda/dist/index.js')
  );
  const times = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    const { header, batches } = await openCsvBatches(file);
    const acc = new RawAccumulator(header, file);
    for await (const batch of batches) for (const r of batch) acc.push(r.fields);
    const table = cleanTable(acc.finish());
    for (const chunk of outputCsvChunks(table)) void chunk;
    times.push(performance.now() - t0);
  }
  return times;
}

function generate(dir, rows) {
  if (existsSync(GENERATOR)) {
    const r = spawnSync(
      process.execPath,
      [GENERATOR, '--rows', String(rows), '--seed', '1', '--out-dir', dir],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`demo-data failed: ${r.stderr}`);
    return { file: join(dir, 'obesity_estimation_modified.csv'), generator: 'tools/demo-data --seed 1' };
  }
  throw new Error(`${GENERATOR} is absent: run npx nx run demo-data:build`);
}

const dir = await mkdtemp(join(tmpdir(), 'eda-bench-'));
const result = {
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    node: process.version,
    loadavg_at_start: (await import('node:os')).loadavg().map((x) => round(x, 2)),
  },
  measured_at: new Date().toISOString(),
};
try {
  if (existsSync(REAL)) {
    const walls = [];
    const totals = [];
    const startups = [];
    const cpu = [];
    const phases = { read: [], clean: [], write: [] };
    const wallsNoCa = [];
    const wallsMlflow = [];
    const nodeStart = [];
    const nodeStartNoCa = [];
    // One warm-up run (file cache), then each kind of run in turn, so load changes hit every kind alike.
    runCli(dir, REAL, 'real');
    for (let k = 0; k < RUNS; k++) {
      const { wallMs, stats } = runCli(dir, REAL, 'real');
      const s = JSON.parse(await readFile(stats, 'utf8'));
      phases.read.push(s.read_ms);
      phases.clean.push(s.clean_ms);
      phases.write.push(s.write_ms);
      walls.push(wallMs);
      totals.push(s.total_ms);
      startups.push(s.startup_ms);
      cpu.push(s.cpu_ms);
      wallsNoCa.push(runCli(dir, REAL, 'real-noca', ENV_NO_EXTRA_CA).wallMs);
      wallsMlflow.push(runCli(dir, REAL, 'real-mlflow', ENV_AS_IS, true).wallMs);
      nodeStart.push(nodeStartMs(ENV_AS_IS));
      nodeStartNoCa.push(nodeStartMs(ENV_NO_EXTRA_CA));
    }
    const warm = await inProcess(REAL, RUNS);
    result.real_file = {
      file: 'obesity_estimation_modified.csv (2153 rows × 18 columns)',
      runs: RUNS,
      cli_wall_ms_median: round(median(walls)),
      cli_wall_ms_min: round(Math.min(...walls)),
      cli_module_load_ms_median: round(median(startups)),
      cli_work_ms_median: round(median(totals)),
      phases_ms_median: Object.fromEntries(Object.entries(phases).map(([k, xs]) => [k, round(median(xs))])),
      cli_cpu_ms_median: round(median(cpu)),
      node_e0_ms_median: round(median(nodeStart)),
      node_extra_ca_certs_set: Boolean(process.env.NODE_EXTRA_CA_CERTS),
      // The default run also logs to MLflow (here a file store in a temp folder); the figures above use --no-mlflow.
      with_mlflow_file_store: {
        cli_wall_ms_median: round(median(wallsMlflow)),
        cli_wall_ms_min: round(Math.min(...wallsMlflow)),
      },
      without_node_extra_ca_certs: {
        cli_wall_ms_median: round(median(wallsNoCa)),
        cli_wall_ms_min: round(Math.min(...wallsNoCa)),
        node_e0_ms_median: round(median(nodeStartNoCa)),
      },
      in_process_clean_ms_first: round(warm[0]),
      in_process_clean_ms_warm_median: round(median(warm.slice(1))),
      goal_wall_ms: 500,
    };
    console.log('real file:', result.real_file);
  } else {
    console.warn(`SKIPPED real-file timing: ${REAL} is absent`);
    result.real_file = { skipped: `${REAL} is absent` };
  }

  const gen0 = performance.now();
  const big = generate(dir, BIG_ROWS);
  const genMs = performance.now() - gen0;
  const bytes = (await stat(big.file)).size;
  const { wallMs, stats } = runCli(dir, big.file, 'big');
  const s = JSON.parse(await readFile(stats, 'utf8'));
  result.generated = {
    rows: BIG_ROWS,
    generator: big.generator,
    input_mb: round(bytes / 2 ** 20),
    generate_ms: round(genMs, 0),
    cli_wall_ms: round(wallMs, 0),
    read_ms: round(s.read_ms, 0),
    clean_ms: round(s.clean_ms, 0),
    write_ms: round(s.write_ms, 0),
    rows_per_s: Math.round(BIG_ROWS / (wallMs / 1000)),
    peak_rss_mb: round(s.max_rss_mb),
    cpu_ms: round(s.cpu_ms, 0),
    memory_by_phase: Object.fromEntries(
      Object.entries(s.memory).map(([k, v]) => [
        k,
        { rss_mb: round(v.rss_mb), heap_used_mb: round(v.heap_used_mb) },
      ]),
    ),
    goal_peak_rss_mb: 300,
  };
  console.log('generated:', result.generated);
} finally {
  await rm(dir, { recursive: true, force: true });
}
await mkdir(join(ROOT, 'benchmarks'), { recursive: true });
await writeFile(join(ROOT, 'benchmarks/eda.json'), JSON.stringify(result, null, 2) + '\n');
console.log('wrote benchmarks/eda.json');
