#!/usr/bin/env node
/**
 * The whole pipeline, as users wait for it: `npx nx run workspace:bench` writes benchmarks/pipeline.json.
 *   cold: every stage CLI of the manifests, in pipeline order, run directly (what a first `npm run pipeline` or
 *         `dvc repro` runs after the build): wall time and peak RSS per stage (GNU time), and their sum;
 *   warm: `npm run pipeline` with nothing changed (every task an Nx cache hit), median of 7 runs after one.
 * Run it on a quiet machine; the load average at the start is recorded with the figures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const { paramsModule, loadWorkspaceParams } = await import(
  pathToFileURL(join(root, 'tools/workspace/stages/params.mjs')).href
);
const { loadStages } = await import(pathToFileURL(join(root, 'tools/workspace/stages/manifest.mjs')).href);
const env = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_TUI: 'false',
  NX_ISOLATE_PLUGINS: 'false',
  LOG_LEVEL: 'WARNING',
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const round = (x, d = 3) => Number(x.toFixed(d));

const load = loadavg()[0];
const { paramAt } = await paramsModule(root);
const stages = loadStages(root, await loadWorkspaceParams(root), paramAt).filter(
  (s) => s.feeds && !s.continuous,
);

// The CLIs and the raw data first (not timed): `npm run pipeline` builds and pulls once.
const first = spawnSync('npm', ['run', 'pipeline'], { cwd: root, env, encoding: 'utf8' });
if (first.status !== 0) throw new Error(`npm run pipeline failed:\n${first.stdout}${first.stderr}`);

const hasGnuTime = existsSync('/usr/bin/time');
const cold = [];
for (const s of stages) {
  const [cmd, ...args] = hasGnuTime ? ['/usr/bin/time', '-f', '%e %M', ...s.argv] : s.argv;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${s.project}:${s.target} failed (exit ${r.status}):\n${r.stderr}`);
  const timeLine = hasGnuTime ? r.stderr.trim().split('\n').at(-1) : '';
  const rssKb = hasGnuTime ? Number(timeLine.split(' ')[1]) : NaN;
  cold.push({ stage: `${s.project}:${s.target}`, wall_s: round(wall), peak_rss_mb: round(rssKb / 1024, 1) });
  console.log(`cold ${s.project}:${s.target}: ${wall.toFixed(2)} s, ${(rssKb / 1024).toFixed(0)} MB`);
}

// Restore Nx's view (the stages just rewrote their outputs with the same bytes), then time the warm runs.
spawnSync('npm', ['run', 'pipeline'], { cwd: root, env });
const warm = [];
for (let i = 0; i < 7; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('npm', ['run', 'pipeline'], { cwd: root, env, encoding: 'utf8' });
  warm.push(Number(process.hrtime.bigint() - t0) / 1e9);
  const ran = [...r.stdout.matchAll(/^> nx run (\S+)(.*)$/gm)].filter((m) => !/cache/.test(m[2]));
  if (ran.length) console.warn(`warning: a warm run ran ${ran.map((m) => m[1]).join(', ')}`);
}
console.log(`warm npm run pipeline: median ${median(warm).toFixed(2)} s`);

const figures = {
  measured_at: new Date().toISOString(),
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  load_average_at_start: round(load, 2),
  cold_stages: cold,
  cold_total_s: round(cold.reduce((a, c) => a + c.wall_s, 0)),
  cold_peak_rss_mb: Math.max(...cold.map((c) => c.peak_rss_mb)),
  warm_npm_run_pipeline_s: { median: round(median(warm)), min: round(Math.min(...warm)), runs: warm.length },
  goals: { cold_total_s: 30, warm_s: 2, peak_rss_mb: 300 },
};
mkdirSync(join(root, 'benchmarks'), { recursive: true });
writeFileSync(join(root, 'benchmarks/pipeline.json'), `${JSON.stringify(figures, null, 2)}\n`);
console.log(readFileSync(join(root, 'benchmarks/pipeline.json'), 'utf8'));
