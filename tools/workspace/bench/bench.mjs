#!/usr/bin/env node
/**
 * The whole pipeline, as users wait for it: `npx nx run workspace:bench` writes benchmarks/pipeline.json.
 *   cold: every stage CLI of the manifests, in pipeline order, run directly (what a first `npm run pipeline` or
 *         `dvc repro` runs after the build): wall time and peak RSS per stage (GNU time), and their sum;
 *   warm: `npm run pipeline` with nothing changed (every task an Nx cache hit), median of 7 runs after one.
 *   real: when ../shared/data/obesity is present, the same stage CLIs cold on the real data (the predecessor's raw
 *         file and its clean reference at the catalog's paths, in a throwaway copy of config/): the figure the
 *         "whole pipeline, cold, real data" goal is about;
 *   dvc repro: when ../shared/tools/dvc is present, real `dvc repro` with nothing changed (after our pipeline wrote
 *         dvc.lock), median of 3, beside the warm `npm run pipeline`.
 * Run it on a quiet machine; the load average at the start is recorded with the figures.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const { paramsModule, loadWorkspaceParams, PARAMS_FILE } = await import(
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
/** Runs every stage CLI in pipeline order in `cwd` (the CLIs of this workspace's build): wall and peak RSS each. */
function runCold(label, cwd, list) {
  const out = [];
  for (const s of list) {
    const argv = s.argv.map((a) => (a === s.bin ? join(root, s.bin) : a));
    const [cmd, ...args] = hasGnuTime ? ['/usr/bin/time', '-f', '%e %M', ...argv] : argv;
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    // drift detect exits 3 when its release verdict fires (as on the real data's drifted copy): a result, not a failure
    if (r.status !== 0 && r.status !== 3)
      throw new Error(`${label} ${s.project}:${s.target} failed (exit ${r.status}):\n${r.stderr}`);
    const timeLine = hasGnuTime ? r.stderr.trim().split('\n').at(-1) : '';
    const rssKb = hasGnuTime ? Number(timeLine.split(' ')[1]) : NaN;
    out.push({ stage: `${s.project}:${s.target}`, wall_s: round(wall), peak_rss_mb: round(rssKb / 1024, 1) });
    console.log(`${label} ${s.project}:${s.target}: ${wall.toFixed(2)} s, ${(rssKb / 1024).toFixed(0)} MB`);
  }
  return out;
}
const cold = runCold('cold', root, stages);

// The real data, cold: the predecessor's raw file and clean reference at the catalog's paths in a throwaway workspace.
const realDir = join(root, '..', 'shared', 'data', 'obesity');
let real = { skipped: `${realDir} is absent` };
if (existsSync(join(realDir, 'obesity_estimation_modified.csv'))) {
  const ws = mkdtempSync(join(tmpdir(), 'bench-real-'));
  try {
    mkdirSync(join(ws, dirname(PARAMS_FILE)), { recursive: true });
    cpSync(join(root, PARAMS_FILE), join(ws, PARAMS_FILE));
    const { paramAt: at } = await paramsModule(root);
    const params = await loadWorkspaceParams(root);
    for (const [key, file] of [
      ['data.raw_path', 'obesity_estimation_modified.csv'],
      ['data.reference_path', 'dataset_limpio.csv'],
    ]) {
      const target = join(ws, at(params, key));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(realDir, file), target);
    }
    const realStages = runCold(
      'real',
      ws,
      stages.filter((s) => s.project !== 'dvc-pull'),
    );
    real = {
      input: "obesity_estimation_modified.csv (the predecessor's raw file)",
      stages: realStages,
      total_s: round(realStages.reduce((a, c) => a + c.wall_s, 0)),
      peak_rss_mb: Math.max(...realStages.map((c) => c.peak_rss_mb)),
    };
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
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

// Real DVC on the same workspace with nothing changed (our pipeline wrote dvc.lock as dvc commit would).
const dvc = join(root, '..', 'shared', 'tools', 'dvc', 'dvc');
let dvcRepro = { skipped: `${dvc} is absent` };
if (existsSync(dvc)) {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(dvc, ['repro'], { cwd: root, env, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    if (r.status !== 0) {
      dvcRepro = {
        error: `dvc repro exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').at(-1)}`,
      };
      break;
    }
    if (!/up to date|didn't change/i.test(r.stdout))
      console.warn(`warning: dvc repro ran stages:\n${r.stdout}`);
  }
  if (!dvcRepro.error)
    dvcRepro = { median: round(median(times)), min: round(Math.min(...times)), runs: times.length };
  console.log(`dvc repro, nothing changed: ${JSON.stringify(dvcRepro)}`);
}

const figures = {
  measured_at: new Date().toISOString(),
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  load_average_at_start: round(load, 2),
  cold_stages: cold,
  cold_total_s: round(cold.reduce((a, c) => a + c.wall_s, 0)),
  cold_peak_rss_mb: Math.max(...cold.map((c) => c.peak_rss_mb)),
  warm_npm_run_pipeline_s: { median: round(median(warm)), min: round(Math.min(...warm)), runs: warm.length },
  dvc_repro_nothing_changed_s: dvcRepro,
  real_data_cold: real,
  load_average_at_end: round(loadavg()[0], 2),
  goals: { real_data_cold_total_s: 30, warm_s: 2, warm_no_slower_than_dvc_repro: true, peak_rss_mb: 300 },
};
mkdirSync(join(root, 'benchmarks'), { recursive: true });
writeFileSync(join(root, 'benchmarks/pipeline.json'), `${JSON.stringify(figures, null, 2)}\n`);
console.log(readFileSync(join(root, 'benchmarks/pipeline.json'), 'utf8'));
