#!/usr/bin/env node
/**
 * `npm run bench:scale` → benchmarks/scale.json and the README's scale table: the whole pipeline on 100k and 1M demo
 * rows.
 *
 * For each size, in a throwaway workspace (config/params.yaml and the demo data only): the demo-data CLI writes the
 * raw and reference files at the catalog's paths, then every stage of the manifests runs in pipeline order through
 * its own CLI with exactly its dvc.yaml command (dvc-pull, which restores the committed 2,153-row default, is not
 * part of it). Each stage runs under GNU time: wall time, CPU time (user + sys, which load on a shared machine
 * distorts far less than wall time) and peak RSS, with the 1-minute load average when it started. A stage that
 * fails or runs past the timeout (its whole process group is killed) is recorded with its reason and the bench goes
 * on; stages after it may then fail for want of its outputs, and are recorded too.
 * The goals, per stage at the largest size: peak RSS ≤ 1 GB, and CPU time growing no worse than linearly with the
 * rows (CPU ratio ≤ rows ratio; the wall ratio is recorded beside it). Exit 1 when a stage failed or missed a goal.
 * Options: --rows 100000,1000000 (sizes), --timeout 2400 (seconds a stage may take: training on 1M rows refits its
 * chosen model on 800k rows in one thread, several minutes), --stages eda,compare (only
 * these projects), --no-readme (leave README.md alone).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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
    timeout: { type: 'string', default: '2400' },
    stages: { type: 'string' },
    'no-readme': { type: 'boolean', default: false },
  },
});
const sizes = values.rows.split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
  console.error(`bench:scale: --rows must be positive integers, got ${values.rows}`);
  process.exit(2);
}
const timeoutS = Number(values.timeout);
if (!(timeoutS > 0)) {
  console.error(`bench:scale: --timeout must be a number of seconds > 0, got ${values.timeout}`);
  process.exit(2);
}
const GOAL_RSS_MIB = 1024;
const round = (x, d = 2) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);
const load1 = () => round(loadavg()[0]);
const env = { ...process.env, LOG_LEVEL: 'WARNING', MLFLOW_TRACKING_URI: 'file:./mlruns' };

if (!existsSync('/usr/bin/time')) {
  console.error('bench:scale: needs GNU time (/usr/bin/time; Debian package "time") to measure peak RSS');
  process.exit(2);
}

const { paramAt } = await paramsModule(root);
const all = loadStages(root, await loadWorkspaceParams(root), paramAt);
const generator = all.find((s) => s.project === 'demo-data');
const only = values.stages ? new Set(values.stages.split(',')) : undefined;
const stages = all.filter(
  (s) => s.feeds && !s.continuous && s.project !== 'dvc-pull' && (!only || only.has(s.project)),
);
if (only)
  for (const p of only)
    if (!stages.some((s) => s.project === p)) {
      console.error(`bench:scale: --stages: no pipeline stage in project "${p}"`);
      process.exit(2);
    }
for (const s of [generator, ...stages])
  if (!existsSync(join(root, s.bin))) {
    console.error(`bench:scale: ${s.bin} is not built (npx nx run-many -t build)`);
    process.exit(2);
  }

/**
 * Run a stage's argv in `cwd` under GNU time (its report to a file, so the stage's own stderr cannot garble it),
 * its CLI taken from this workspace's build. On timeout the whole process group is killed: GNU time does not pass
 * signals on, so killing it alone would leave the stage running.
 */
function timed(stage, cwd, extra = [], limitS = timeoutS) {
  const argv = stage.argv.map((a) => (a === stage.bin ? join(root, stage.bin) : a));
  const report = join(cwd, '.time');
  rmSync(report, { force: true });
  const load = load1();
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-o', report, '-f', '%e %U %S %M', ...argv, ...extra], {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-16384);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, limitS * 1000);
    const finish = (status, spawnError) => {
      clearTimeout(timer);
      const ownWall = Number(process.hrtime.bigint() - started) / 1e9;
      const line = existsSync(report) ? readFileSync(report, 'utf8').trim().split('\n').at(-1) : '';
      const m = /^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/.exec(line ?? '');
      const ok = status === 0 && !timedOut && !spawnError && !!m;
      const error = ok
        ? undefined
        : spawnError
          ? `could not start: ${spawnError.message}`
          : timedOut
            ? `timed out after ${limitS} s (killed)`
            : stderr
                .trim()
                .split('\n')
                .filter((l) => l.trim() && !/^Command (exited|terminated)/.test(l))
                .at(-1)
                ?.slice(0, 300) || `exit ${status}`;
      resolve({
        ok,
        exit: timedOut ? null : status,
        timed_out: timedOut,
        wall_s: round(m ? Number(m[1]) : ownWall),
        cpu_s: m ? round(Number(m[2]) + Number(m[3])) : null,
        user_s: m ? round(Number(m[2])) : null,
        sys_s: m ? round(Number(m[3])) : null,
        peak_rss_mib: m ? round(Number(m[4]) / 1024, 1) : null,
        load_average_at_start: load,
        ...(error ? { error } : {}),
      });
    };
    child.on('error', (e) => finish(null, e));
    child.on('close', (code) => finish(code));
  });
}

const measuredAt = new Date().toISOString();
const loadAtStart = load1();
const runs = [];
for (const rows of sizes) {
  const ws = mkdtempSync(join(tmpdir(), `scale-${rows}-`));
  try {
    mkdirSync(join(ws, dirname(PARAMS_FILE)), { recursive: true });
    cpSync(join(root, PARAMS_FILE), join(ws, PARAMS_FILE));
    // Generating the data is set-up, not a measured stage: it gets at least 10 minutes.
    const gen = await timed(generator, ws, ['--rows', String(rows)], Math.max(timeoutS, 600));
    const input = generator.writes.find((w) => w.key === 'data.raw_path');
    if (!gen.ok || !existsSync(join(ws, input.path))) {
      console.error(`${rows} rows: demo-data failed (${gen.error}); size skipped`);
      runs.push({ rows, generate: gen, stages: [] });
      continue;
    }
    const inputMb = round(statSync(join(ws, input.path)).size / 1e6, 1);
    console.log(`${rows} rows: ${input.path} ${inputMb} MB (generated in ${gen.wall_s} s)`);
    const results = [];
    for (const s of stages) {
      const res = await timed(s, ws);
      results.push({ stage: s.dvc ?? s.service ?? s.target, target: `${s.project}:${s.target}`, ...res });
      console.log(
        `  ${s.project}:${s.target}: ${res.ok ? `${res.wall_s} s wall, ${res.cpu_s} s CPU, ${res.peak_rss_mib} MiB` : `FAILED (${res.error})`} [load ${res.load_average_at_start}]`,
      );
    }
    runs.push({ rows, input_mb: inputMb, generate_s: gen.wall_s, stages: results });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

// Growth from the smallest to the largest size, per stage: CPU time judges linearity (wall time follows the load).
const measured = runs.filter((r) => r.stages.length > 0);
const [small, large] = [measured[0], measured.at(-1)];
const growth = stages.map((s) => {
  const target = `${s.project}:${s.target}`;
  const a = small?.stages.find((x) => x.target === target);
  const b = large?.stages.find((x) => x.target === target);
  const both = !!(a?.ok && b?.ok) && small !== large;
  const rowsRatio = both ? large.rows / small.rows : null;
  const cpuRatio = both ? b.cpu_s / Math.max(a.cpu_s, 0.01) : null;
  return {
    target,
    rows: [small?.rows ?? null, large?.rows ?? null],
    rows_ratio: rowsRatio,
    cpu_ratio: round(cpuRatio),
    wall_ratio: both ? round(b.wall_s / Math.max(a.wall_s, 0.01)) : null,
    rss_ratio: both ? round(b.peak_rss_mib / a.peak_rss_mib) : null,
    meets_rss_goal: b?.ok ? b.peak_rss_mib <= GOAL_RSS_MIB : false,
    // one size only: nothing to grow from (null, not a miss)
    meets_linear_time: both ? cpuRatio <= rowsRatio : small === large && a?.ok ? null : false,
  };
});

const figures = {
  measured_at: measuredAt,
  node: process.version,
  cpus: cpus().length,
  load_average_at_start: loadAtStart,
  load_average_at_end: load1(),
  timeout_s: timeoutS,
  goals: {
    peak_rss_mib_at_largest: GOAL_RSS_MIB,
    time_growth: 'CPU time (user + sys) no worse than linear in rows',
  },
  runs,
  growth,
};
mkdirSync(join(root, 'benchmarks'), { recursive: true });
writeFileSync(join(root, 'benchmarks/scale.json'), `${JSON.stringify(figures, null, 2)}\n`);

/** The README table: per stage, each size's wall / CPU / peak RSS, then the ratios and the goals. */
function table() {
  if (measured.length === 0)
    return 'No size could be generated (see the errors above); nothing was measured.';
  const fmt = (x, d = 1) =>
    x === null || x === undefined ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: d });
  const cellOf = (s) =>
    !s
      ? 'not run'
      : s.ok
        ? `${fmt(s.wall_s)} s, ${fmt(s.cpu_s)} s CPU, ${fmt(s.peak_rss_mib, 0)} MiB`
        : s.timed_out
          ? `**timed out** (${timeoutS} s)`
          : '**failed**';
  const head = measured.map(
    (r) => `${r.rows.toLocaleString('en-US')} rows (${r.input_mb} MB): wall, CPU, peak RSS`,
  );
  const lines = [
    `| stage | ${head.join(' | ')} | CPU ratio (wall) | RSS ratio | ≤ 1 GB | CPU ≤ linear |`,
    `| --- | ${measured.map(() => '---').join(' | ')} | --- | --- | --- | --- |`,
  ];
  for (const g of growth) {
    const cells = measured.map((r) => cellOf(r.stages.find((x) => x.target === g.target)));
    const ratio = g.cpu_ratio === null ? '–' : `${g.cpu_ratio} (${g.wall_ratio})`;
    lines.push(
      `| ${g.target} | ${cells.join(' | ')} | ${ratio} | ${g.rss_ratio ?? '–'} | ${g.meets_rss_goal ? 'yes' : '**no**'} | ${g.meets_linear_time === null ? '–' : g.meets_linear_time ? 'yes' : '**no**'} |`,
    );
  }
  const failures = measured.flatMap((r) =>
    r.stages
      .filter((s) => !s.ok)
      .map((s) => `- ${s.target} at ${r.rows.toLocaleString('en-US')} rows: ${s.error}`),
  );
  return [
    `Measured ${measuredAt.slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${cpus().length} cores, load` +
      ` average ${loadAtStart} at the start and ${figures.load_average_at_end} at the end (wall times follow the` +
      ' load; CPU time and peak RSS much less):',
    '',
    ...lines,
    ...(failures.length ? ['', ...failures.map((f) => f.replaceAll('|', '\\|'))] : []),
  ].join('\n');
}

const BEGIN = '<!-- scale:begin (written by npm run bench:scale) -->';
const END = '<!-- scale:end -->';
if (!values['no-readme']) {
  const readmePath = join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const at = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  if (at < 0 || to < at)
    console.error(`bench:scale: README.md has no ${BEGIN} … ${END} block; table not written`);
  else {
    const next = `${readme.slice(0, at + BEGIN.length)}\n\n${table()}\n\n${readme.slice(to)}`;
    writeFileSync(readmePath, next);
  }
}
// Written plainly; prettier aligns the table and wraps the JSON as `npm run format:check` expects.
const formatted = [
  join(root, 'benchmarks/scale.json'),
  ...(values['no-readme'] ? [] : [join(root, 'README.md')]),
];
const p = spawnSync(
  process.execPath,
  [join(root, 'node_modules/prettier/bin/prettier.cjs'), '--write', ...formatted],
  { cwd: root, encoding: 'utf8' },
);
if (p.status !== 0) console.error(`bench:scale: prettier failed: ${p.stderr.trim()}`);

console.log(`\n${table()}`);
console.log(
  '\nbenchmarks/scale.json written; run `npx nx sync` (Argo memory requests follow the measured peaks).',
);
const failed = measured.flatMap((r) => r.stages.filter((s) => !s.ok).map((s) => `${s.target} @ ${r.rows}`));
const missed = growth.filter((g) => !g.meets_rss_goal || g.meets_linear_time === false).map((g) => g.target);
if (failed.length || missed.length || measured.length < runs.length) {
  if (failed.length) console.error(`bench:scale: failed: ${failed.join(', ')}`);
  if (missed.length) console.error(`bench:scale: goals missed: ${missed.join(', ')}`);
  process.exit(1);
}
