// Bench (`npx nx run dvc-pull:bench`): pull one directory output of 1,000 files × 64 KB from a local-folder remote
// into an empty cache and workspace, with mlops-dvc and with the real DVC 3.55.2 (../shared/tools/dvc), side by
// side in one run, alternating tools, 3 rounds each: wall time, CPU time (user + sys) and peak RSS of the whole
// command (GNU time's %e, %U + %S, %M). Each tool's medians and the ratios go to benchmarks/dvc-pull.json under
// "local_vs_dvc" (the S3 figures of bench/pull-bench.mjs stay). On a shared machine wall time follows the load; CPU
// time and peak RSS barely do.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'packages/dvc-pull/dist/main.js');
const DVC = join(ROOT, '..', 'shared', 'tools', 'dvc', 'dvc');
const FILES = Number(process.env.BENCH_FILES ?? 1000);
const SIZE = 64 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const OUT = join(ROOT, 'benchmarks', 'dvc-pull.json');

/** Run under GNU time: wall and CPU seconds and peak RSS in MiB of the command (and its exec'd process). */
function timed(argv, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '@@%e %U %S %M', ...argv], {
      cwd,
      env: { ...process.env, LOG_LEVEL: 'error', DVC_NO_ANALYTICS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /@@([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(err);
      if (code !== 0 || !m) reject(new Error(`${argv.join(' ')} exited ${code}: ${err.slice(-500)}`));
      else
        resolve({
          seconds: Number(m[1]),
          cpu_seconds: +(Number(m[2]) + Number(m[3])).toFixed(2),
          rss_mib: +(Number(m[4]) / 1024).toFixed(1),
        });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!existsSync(CLI)) throw new Error(`${CLI} is not built: run npx nx run dvc-pull:build`);
const haveDvc = existsSync(DVC);
if (!haveDvc) console.warn(`real DVC not found at ${DVC}: only mlops-dvc is measured`);
const work = await mkdtemp(join(tmpdir(), 'dvc-bench-local-'));
try {
  const src = join(work, 'src');
  const store = join(work, 'store');
  await mkdir(join(src, '.dvc'), { recursive: true });
  await writeFile(
    join(src, '.dvc/config'),
    `[core]\n    remote = disk\n    no_scm = True\n['remote "disk"']\n    url = ${store}\n`,
  );
  await mkdir(join(src, 'data/shards'), { recursive: true });
  for (let i = 0; i < FILES; i++)
    await writeFile(join(src, 'data/shards', `shard-${String(i).padStart(4, '0')}.bin`), randomBytes(SIZE));
  await timed([process.execPath, CLI, 'add', 'data/shards'], src);
  await timed([process.execPath, CLI, 'push'], src);
  if (haveDvc) await timed([DVC, 'version'], src); // unpack/warm the real DVC once, outside the measurements

  const tools = {
    'mlops-dvc': () => [process.execPath, CLI, 'pull'],
    ...(haveDvc ? { dvc: () => [DVC, 'pull'] } : {}),
  };
  const runs = Object.fromEntries(Object.keys(tools).map((t) => [t, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [tool, argv] of Object.entries(tools)) {
      const clone = join(work, `clone-${tool}-${r}`);
      await mkdir(join(clone, '.dvc'), { recursive: true });
      await mkdir(join(clone, 'data'), { recursive: true });
      // DVC wants a git repository or core.no_scm; both tools read the same config.
      await writeFile(
        join(clone, '.dvc/config'),
        `[core]\n    remote = disk\n    no_scm = True\n['remote "disk"']\n    url = ${store}\n`,
      );
      await cp(join(src, 'data/shards.dvc'), join(clone, 'data/shards.dvc'));
      const m = await timed(argv(clone), clone);
      runs[tool].push(m);
      console.log(
        `${tool} pull (round ${r + 1}): ${m.seconds.toFixed(2)} s wall, ${m.cpu_seconds.toFixed(2)} s CPU, peak RSS ${m.rss_mib} MiB`,
      );
      await rm(clone, { recursive: true, force: true });
    }
  }
  const summary = Object.fromEntries(
    Object.entries(runs).map(([tool, ms]) => [
      tool,
      {
        median_seconds: median(ms.map((m) => m.seconds)),
        median_cpu_seconds: median(ms.map((m) => m.cpu_seconds)),
        median_peak_rss_mib: median(ms.map((m) => m.rss_mib)),
        runs: ms,
      },
    ]),
  );
  const ours = summary['mlops-dvc'];
  const theirs = summary.dvc;
  const local = {
    bench:
      'pull one directory output (1,000 files x 64 KB) from a local-folder remote into an empty cache and workspace; ' +
      'mlops-dvc and the real DVC 3.55.2 alternating, whole command under GNU time',
    measured_at: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    dataset: { files: FILES, bytes_per_file: SIZE, total_mb: +((FILES * SIZE) / 1e6).toFixed(1) },
    rounds: ROUNDS,
    tools: summary,
    ...(theirs
      ? {
          speedup_vs_dvc: +(theirs.median_seconds / ours.median_seconds).toFixed(2),
          cpu_speedup_vs_dvc: +(theirs.median_cpu_seconds / ours.median_cpu_seconds).toFixed(2),
          rss_ratio_vs_dvc: +(ours.median_peak_rss_mib / theirs.median_peak_rss_mib).toFixed(2),
        }
      : {}),
  };
  if (theirs)
    console.log(
      `median: mlops-dvc ${ours.median_seconds} s (${ours.median_cpu_seconds} s CPU) / ${ours.median_peak_rss_mib} MiB, ` +
        `dvc ${theirs.median_seconds} s (${theirs.median_cpu_seconds} s CPU) / ${theirs.median_peak_rss_mib} MiB: ` +
        `${local.speedup_vs_dvc}x faster (CPU ${local.cpu_speedup_vs_dvc}x), RSS ratio ${local.rss_ratio_vs_dvc}`,
    );
  let figures = {};
  try {
    figures = JSON.parse(await readFile(OUT, 'utf8'));
  } catch {
    // first run
  }
  figures.local_vs_dvc = local;
  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(OUT, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`figures written to ${OUT}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
