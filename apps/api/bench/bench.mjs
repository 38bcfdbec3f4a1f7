#!/usr/bin/env node
/**
 * Bench of the api: the built server (apps/api/dist/main.js) serving a bundle trained in a temporary folder from
 * the demo data (tools/demo-data, then `mlops-ml train` with the default learners: forest, boosted trees and their
 * soft-voting ensemble, the model the pipeline serves; the served model is recorded), loaded with autocannon over
 * loopback, 8 connections for 10 s per endpoint: POST /predict (one row), POST /invocations (dataframe_split,
 * one row) and POST /predict/batch (100 rows). Records requests/s, latency p50/p99, the server's peak RSS (VmHWM)
 * and the load average (the machine is shared). Writes benchmarks/api.json. Run from the workspace root:
 *   node apps/api/bench/bench.mjs [--duration S] [--connections N]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const ROOT = process.cwd();
const { values } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '8' } },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);

function run(cmd, args, cwd) {
  const r = spawnSync(process.execPath, [cmd, ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) the process has used, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

const dir = mkdtempSync(join(tmpdir(), 'api-bench-'));
try {
  // A real bundle: demo rows → clean CSV (target in lower snake case, as eda writes it) → mlops-ml train.
  run(join(ROOT, 'tools/demo-data/dist/main.js'), ['--rows', '1000', '--seed', '7', '--out-dir', 'raw'], dir);
  const [header, ...lines] = readFileSync(join(dir, 'raw/obesity_clean_reference.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  const rows = lines.map(
    (l) => l.slice(0, l.lastIndexOf(',') + 1) + l.slice(l.lastIndexOf(',') + 1).toLowerCase(),
  );
  writeFileSync(join(dir, 'clean.csv'), `${[header, ...rows].join('\n')}\n`);
  writeFileSync(
    join(dir, 'params.yaml'),
    'models:\n  algorithms: [random_forest, xgboost, soft_voting]\n' +
      'training:\n  cv_folds: 3\n  random_search_iterations: 2\n  importance_repeats: 1\n',
  );
  run(
    join(ROOT, 'packages/ml/dist/main.js'),
    [
      'train',
      '--input',
      'clean.csv',
      '--output',
      'models',
      '--metrics',
      'metrics',
      '--no-mlflow',
      '--params',
      'params.yaml',
    ],
    dir,
  );

  // Request bodies from the demo rows (valid rows of the schema).
  const columns = header.split(',').slice(0, -1);
  const numeric = new Set(['Age', 'Height', 'Weight', 'FCVC', 'NCP', 'CH2O', 'FAF', 'TUE']);
  const record = (line) => {
    const cells = line.split(',');
    return Object.fromEntries(columns.map((c, i) => [c, numeric.has(c) ? Number(cells[i]) : cells[i]]));
  };
  const one = record(rows[0]);
  const hundred = rows.slice(0, 100).map(record);
  const bodies = {
    // The framework's floor on this machine now: a route that does nothing (same hooks, logs and metrics).
    'GET /v2/health/live (floor)': { path: '/v2/health/live', method: 'GET' },
    'POST /predict': { path: '/predict', body: JSON.stringify(one) },
    'POST /invocations': {
      path: '/invocations',
      body: JSON.stringify({ dataframe_split: { columns, data: [columns.map((c) => one[c])] } }),
    },
    'POST /predict/batch (100 rows)': { path: '/predict/batch', body: JSON.stringify({ samples: hundred }) },
  };

  const port = await freePort();
  const server = spawn(process.execPath, [join(ROOT, 'apps/api/dist/main.js')], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      MODEL_DIR: join(dir, 'models'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${base}/v2/health/ready`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (i > 100) throw new Error('the server did not become ready in 10 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const rssIdle = peakRss(server.pid);

  const results = {};
  const loadBefore = loadavg();
  for (const [name, { path, body, method = 'POST' }] of Object.entries(bodies)) {
    // A short warm-up so the JIT has compiled the path before the measured run.
    const request =
      method === 'GET' ? { method } : { method, headers: { 'content-type': 'application/json' }, body };
    await autocannon({ url: base + path, ...request, connections: CONNECTIONS, duration: 2 });
    const load = loadavg()[0];
    // autocannon's own percentiles are whole milliseconds; each response's time is known to the microsecond.
    const times = [];
    const cpu0 = cpuSeconds(server.pid);
    const r = await autocannon({
      url: base + path,
      ...request,
      connections: CONNECTIONS,
      duration: DURATION,
      setupClient: (client) => client.on('response', (_status, _bytes, ms) => times.push(ms)),
    });
    const cpu = cpuSeconds(server.pid) - cpu0;
    times.sort((a, b) => a - b);
    const pct = (p) =>
      Math.round(times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] * 1000) / 1000;
    const bad = r.non2xx + r.errors + r.timeouts;
    results[name] = {
      requests_per_second: Math.round(r.requests.average),
      latency_ms: {
        p50: pct(50),
        p90: pct(90),
        p99: pct(99),
        max: pct(100),
        mean: Math.round((times.reduce((a, b) => a + b, 0) / times.length) * 1000) / 1000,
      },
      requests: r.requests.total,
      // CPU time the server spent per request: less sensitive than requests/s to other load on the machine.
      server_cpu_us_per_request: Math.round((cpu / r.requests.total) * 1e6 * 10) / 10,
      failed_requests: bad,
      load_average_1m_at_start: Math.round(load * 100) / 100,
    };
    console.log(
      `${name}: ${Math.round(r.requests.average)} req/s, p50 ${pct(50)} ms, p99 ${pct(99)} ms, ${bad} failed, server CPU ${Math.round((cpu / r.requests.total) * 1e6)} µs/request (load ${load.toFixed(2)})`,
    );
  }
  const rssPeak = peakRss(server.pid);
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));

  const out = {
    what: `apps/api under autocannon: ${CONNECTIONS} connections, ${DURATION} s per endpoint, loopback, LOG_LEVEL=info (JSON request logs to /dev/null); bundle trained on 1,000 demo rows with the default learners (forest, boosted trees, soft-voting ensemble)`,
    served_model: JSON.parse(readFileSync(join(dir, 'models/model_bundle.json'), 'utf8')).content.model_name,
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    load_average_before: loadBefore.map((x) => Math.round(x * 100) / 100),
    load_average_after: loadavg().map((x) => Math.round(x * 100) / 100),
    server_rss_mb: { idle: rssIdle, peak: rssPeak },
    endpoints: results,
    goals: { predict_requests_per_second: 10000, predict_p99_ms: 5, peak_rss_mb: 150 },
    predecessor: { predict_requests_per_second: '44-91', predict_p50_ms: '74-127' },
    measured_at: new Date().toISOString(),
  };
  mkdirSync(join(ROOT, 'benchmarks'), { recursive: true });
  writeFileSync(join(ROOT, 'benchmarks/api.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`peak RSS ${rssPeak} MB; wrote benchmarks/api.json`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
