// Bench: pull a directory output of 1,000 files × 64 KB from a loopback S3 server (s3rver) with -j 1, 8, 32.
// Each pull starts from an empty cache and workspace, so every object is downloaded, verified and checked out.
// Figures (files/s, MB/s, wall seconds of the whole CLI run) go to benchmarks/dvc-pull.json.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import S3rver from 's3rver';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'packages/dvc-pull/dist/main.js');
const FILES = Number(process.env.BENCH_FILES ?? 1000);
const SIZE = 64 * 1024;
const JOBS = [1, 8, 32];
const ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  LOG_LEVEL: 'error',
};

function run(args, cwd) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) reject(new Error(`mlops-dvc ${args.join(' ')} exited ${code}: ${err}`));
      else resolve(seconds);
    });
  });
}

const work = await mkdtemp(join(tmpdir(), 'dvc-bench-'));
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: join(work, 's3'),
  configureBuckets: [{ name: 'bench' }],
});
const { port } = await server.run();
const config = `[core]\n    remote = s3\n['remote "s3"']\n    url = s3://bench/dvc\n    endpointurl = http://127.0.0.1:${port}\n`;
try {
  const src = join(work, 'src');
  await mkdir(join(src, '.dvc'), { recursive: true });
  await writeFile(join(src, '.dvc/config'), config);
  await mkdir(join(src, 'data/shards'), { recursive: true });
  for (let i = 0; i < FILES; i++)
    await writeFile(join(src, 'data/shards', `shard-${String(i).padStart(4, '0')}.bin`), randomBytes(SIZE));
  await run(['add', 'data/shards'], src);
  const pushSeconds = await run(['push', '-j', '32'], src);
  const runs = [];
  for (const jobs of JOBS) {
    const clone = join(work, `clone-${jobs}`);
    await mkdir(join(clone, '.dvc'), { recursive: true });
    await mkdir(join(clone, 'data'), { recursive: true });
    await writeFile(join(clone, '.dvc/config'), config);
    await cp(join(src, 'data/shards.dvc'), join(clone, 'data/shards.dvc'));
    const seconds = await run(['pull', '-j', String(jobs)], clone);
    const mb = (FILES * SIZE) / 1e6;
    runs.push({
      jobs,
      seconds: +seconds.toFixed(2),
      files_per_s: +(FILES / seconds).toFixed(1),
      mb_per_s: +(mb / seconds).toFixed(2),
    });
    console.log(
      `pull -j ${jobs}: ${seconds.toFixed(2)} s, ${(FILES / seconds).toFixed(1)} files/s, ${(mb / seconds).toFixed(2)} MB/s`,
    );
    await rm(clone, { recursive: true, force: true });
  }
  // The same pulls from a local-folder remote: no server in the way, so this is the CLI's own ceiling here.
  const localRuns = [];
  const localStore = join(work, 'local-store');
  await run(['remote', 'add', 'disk', localStore], src);
  await run(['push', '-r', 'disk', '-j', '32'], src);
  for (const jobs of [1, 8]) {
    const clone = join(work, `local-${jobs}`);
    await mkdir(join(clone, '.dvc'), { recursive: true });
    await mkdir(join(clone, 'data'), { recursive: true });
    await writeFile(
      join(clone, '.dvc/config'),
      `[core]\n    remote = disk\n['remote "disk"']\n    url = ${localStore}\n`,
    );
    await cp(join(src, 'data/shards.dvc'), join(clone, 'data/shards.dvc'));
    const seconds = await run(['pull', '-j', String(jobs)], clone);
    localRuns.push({
      jobs,
      seconds: +seconds.toFixed(2),
      files_per_s: +(FILES / seconds).toFixed(1),
      mb_per_s: +((FILES * SIZE) / 1e6 / seconds).toFixed(2),
    });
    console.log(`local remote pull -j ${jobs}: ${seconds.toFixed(2)} s`);
    await rm(clone, { recursive: true, force: true });
  }
  // Reference: Debian/PyPI awscli syncing the same objects (async: s3rver lives in this process).
  let awsReference;
  const aws = (args) =>
    new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const child = spawn('aws', args, {
        env: { ...ENV, AWS_DEFAULT_REGION: 'us-east-1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d) => (err = (err + d).slice(-400)));
      const timer = setTimeout(() => child.kill(), 300_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(Number(process.hrtime.bigint() - t0) / 1e9);
        else reject(new Error(`aws exited ${code}: ${err.trim().split('\n').pop()}`));
      });
    });
  try {
    await aws(['--version']);
    const seconds = await aws([
      's3',
      'sync',
      '--endpoint-url',
      `http://127.0.0.1:${port}`,
      '--only-show-errors',
      's3://bench/dvc',
      join(work, 'aws-sync'),
    ]);
    awsReference = {
      tool: 'aws s3 sync (awscli, default 10 concurrent requests), downloads only, no md5 check, no checkout',
      seconds: +seconds.toFixed(2),
      files_per_s: +((FILES + 1) / seconds).toFixed(1),
      mb_per_s: +((FILES * SIZE) / 1e6 / seconds).toFixed(2),
    };
    console.log(`aws s3 sync: ${seconds.toFixed(2)} s`);
  } catch (error) {
    awsReference = `not measured: ${error.message}`;
  }
  const figures = {
    bench:
      'dvc-pull: pull a directory output from a loopback S3 server (s3rver) into an empty cache and workspace',
    measured_at: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    dataset: { files: FILES, bytes_per_file: SIZE, total_mb: +((FILES * SIZE) / 1e6).toFixed(1) },
    default_jobs: 4 * cpus().length,
    push_seconds_j32: +pushSeconds.toFixed(2),
    pulls: runs,
    speedup_j8_vs_j1: +(runs[0].seconds / runs[1].seconds).toFixed(2),
    speedup_j32_vs_j1: +(runs[0].seconds / runs[2].seconds).toFixed(2),
    local_remote_pulls: localRuns,
    aws_cli_reference: awsReference,
    note: 'Wall time of the whole CLI process (start-up, S3 GETs, md5 verification, cache write, checkout). s3rver is a single Node process sharing the same cores, so it bounds the figures.',
  };
  await mkdir(join(ROOT, 'benchmarks'), { recursive: true });
  // bench/bench.mjs's "local_vs_dvc" (mlops-dvc vs the real DVC) lives in the same file: keep it.
  const out = join(ROOT, 'benchmarks/dvc-pull.json');
  try {
    const previous = JSON.parse(await readFile(out, 'utf8'));
    if (previous.local_vs_dvc) figures.local_vs_dvc = previous.local_vs_dvc;
  } catch {
    // first run
  }
  await writeFile(out, JSON.stringify(figures, null, 2) + '\n');
  console.log(`wrote benchmarks/dvc-pull.json`);
} finally {
  await server.close();
  await rm(work, { recursive: true, force: true });
}
