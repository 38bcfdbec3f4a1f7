#!/usr/bin/env node
/**
 * `npm run bench:scale` → benchmarks/scale.json: the whole pipeline on 100k and 1M demo rows.
 *
 * For each size, in a throwaway workspace (config/params.yaml and the demo data only): the demo-data CLI writes the
 * raw and reference files at the catalog's paths, then every stage of the manifests runs in pipeline order through
 * its own CLI with exactly its dvc.yaml command (so ml, visualize and drift are measured as soon as their
 * manifests exist; dvc-pull, which restores the committed 2,153-row default, is not part of it). Each stage runs
 * under GNU time: wall time and peak RSS. The growth ratio 100k → 1M of each is recorded; the goals are a peak RSS
 * ≤ 1 GB per stage at 1M rows and a time that grows no worse than linearly (ratio ≤ 10).
 * Options: --rows 100000,1000000 (sizes), --timeout 900 (seconds a stage may take).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadStages } from '../stages/manifest.mjs';
import { loadWorkspaceParams, paramsModule, PARAMS_FILE } from '../stages/params.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000,1000000' },
    timeout: { type: 'string', default: '900' },
  },
});
const sizes = values.rows.split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
  console.error(`bench:scale: --rows must be positive integers, got ${values.rows}`);
  process.exit(2);
}
const timeoutMs = Number(values.timeout) * 1000;
const GOAL_RSS_MIB = 1024;
const round = (x, d = 2) => Number(x.toFixed(d));
const env = { ...process.env, LOG_LEVEL: 'WARNING', MLFLOW_TRACKING_URI: 'file:./mlruns' };

if (!existsSync('/usr/bin/time')) {
  console.error('bench:scale: needs GNU time (/usr/bin/time; Debian package "time") to measure peak RSS');
  process.exit(2);
}

const { paramAt } = await paramsModule(root);
const all = loadStages(root, await loadWorkspaceParams(root), paramAt);
const generator = all.find((s) => s.project === 'demo-data');
const stages = all.filter((s) => s.feeds && !s.continuous && s.project !== 'dvc-pull');
for (const s of [generator, ...stages])
  if (!existsSync(join(root, s.bin))) {
    console.error(`bench:scale: ${s.bin} is not built (npx nx run-many -t build)`);
    process.exit(2);
  }

/** Run a stage's argv in `cwd` under GNU time, its CLI taken from this workspace's build. */
function timed(stage, cwd, extra = []) {
  const argv = stage.argv.map((a) => (a === stage.bin ? join(root, stage.bin) : a));
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...argv, ...extra], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = (r.stderr ?? '').trim().split('\n');
  const [wall, rssKb] = (lines.at(-1) ?? '').split(' ').map(Number);
  const ok = r.status === 0;
  const error = ok
    ? undefined
    : r.error
      ? `${r.error.code ?? r.error.message} after ${values.timeout} s`
      : lines.filter((l) => !/^Command exited|^\d/.test(l)).at(-1) || `exit ${r.status}`;
  return { ok, exit: r.status, wall_s: round(wall), peak_rss_mib: round(rssKb / 1024, 1), error };
}

const runs = [];
for (const rows of sizes) {
  const ws = mkdtempSync(join(tmpdir(), `scale-${rows}-`));
  try {
    mkdirSync(join(ws, dirname(PARAMS_FILE)), { recursive: true });
    cpSync(join(root, PARAMS_FILE), join(ws, PARAMS_FILE));
    const gen = timed(generator, ws, ['--rows', String(rows)]);
    if (!gen.ok) throw new Error(`demo-data --rows ${rows} failed: ${gen.error}`);
    const input = generator.writes.find((w) => w.key === 'data.raw_path');
    const inputMb = round(statSync(join(ws, input.path)).size / 1e6, 1);
    console.log(`${rows} rows: ${input.path} ${inputMb} MB (generated in ${gen.wall_s} s)`);
    const results = [];
    for (const s of stages) {
      const res = timed(s, ws);
      results.push({ stage: s.dvc ?? s.service ?? s.target, target: `${s.project}:${s.target}`, ...res });
      console.log(
        `  ${s.project}:${s.target}: ${res.ok ? `${res.wall_s} s, ${res.peak_rss_mib} MiB` : `FAILED (${res.error})`}`,
      );
    }
    runs.push({ rows, input_mb: inputMb, generate_s: gen.wall_s, stages: results });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

// Growth from the smallest to the largest size, per stage.
const [small, large] = [runs[0], runs.at(-1)];
const growth = stages.map((s) => {
  const target = `${s.project}:${s.target}`;
  const a = small.stages.find((x) => x.target === target);
  const b = large.stages.find((x) => x.target === target);
  const both = a?.ok && b?.ok;
  const rowsRatio = large.rows / small.rows;
  return {
    target,
    rows: [small.rows, large.rows],
    time_ratio: both ? round(b.wall_s / Math.max(a.wall_s, 0.01)) : null,
    rss_ratio: both ? round(b.peak_rss_mib / a.peak_rss_mib) : null,
    rows_ratio: rowsRatio,
    meets_rss_goal: b?.ok ? b.peak_rss_mib <= GOAL_RSS_MIB : false,
    meets_linear_time: both ? b.wall_s / Math.max(a.wall_s, 0.01) <= rowsRatio : false,
  };
});

const figures = {
  measured_at: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  load_average_at_start: round(loadavg()[0]),
  goals: { peak_rss_mib_at_largest: GOAL_RSS_MIB, time_growth: 'no worse than linear in rows' },
  runs,
  growth,
};
mkdirSync(join(root, 'benchmarks'), { recursive: true });
writeFileSync(join(root, 'benchmarks/scale.json'), `${JSON.stringify(figures, null, 2)}\n`);

console.log('\n| stage | rows | wall s | peak RSS MiB |\n| --- | --- | --- | --- |');
for (const run of runs)
  for (const s of run.stages)
    console.log(
      `| ${s.target} | ${run.rows} | ${s.ok ? s.wall_s : 'failed'} | ${s.ok ? s.peak_rss_mib : '–'} |`,
    );
console.log('\n| stage | time ratio | RSS ratio | ≤ 1 GB | ≤ linear |\n| --- | --- | --- | --- | --- |');
for (const g of growth)
  console.log(
    `| ${g.target} | ${g.time_ratio} | ${g.rss_ratio} | ${g.meets_rss_goal} | ${g.meets_linear_time} |`,
  );
console.log(
  '\nbenchmarks/scale.json written; run `npx nx sync` (Argo memory requests follow the measured peaks).',
);
const failed = runs.flatMap((r) => r.stages.filter((s) => !s.ok).map((s) => `${s.target} @ ${r.rows}`));
if (failed.length) {
  console.error(`bench:scale: failed: ${failed.join(', ')}`);
  process.exit(1);
}
