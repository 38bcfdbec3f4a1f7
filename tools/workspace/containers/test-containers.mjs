#!/usr/bin/env node
/**
 * `nx run workspace:test:containers` (run by .ci/run): the product's images and compose file, for real.
 *
 * 1. podman, runc, podman-compose and debootstrap (installed with apt-get when missing; SKIP with the reason when
 *    that is impossible), with a containers.conf that selects runc and lowers the ulimits (written to a temporary
 *    file and passed as CONTAINERS_CONF: the machine's configuration is left alone).
 * 2. The base image the Dockerfile starts FROM (base-image.sh: a local stand-in for node:20-slim, test
 *    infrastructure only) and the runtime image of every compose service built from docker/Dockerfile, one
 *    `podman build --target` each (podman-compose 1.0.3's `build` reports success on failure); the shared deps and
 *    build stages are built once and reused from podman's layer cache. HTTPS from the build goes through this
 *    machine's TLS interception: its CA bundle is mounted read-only for the build only, and so is nothing else but
 *    the host's npm cache (filled by the `npm ci` CI has just run), so the image's `npm ci` downloads nothing
 *    twice. Neither reaches a layer.
 * 3. In a throwaway copy of the workspace (git's files, owned by uid 1000 as a user's checkout would be), every
 *    stage service of docker/compose.yaml in the generated (pipeline) order, one by one with
 *    `podman-compose run --no-deps` (1.0.3 ignores profiles, only orders depends_on and returns 0 on failure), each
 *    container's exit status read with `podman inspect`. New stages are covered as soon as their manifest exists.
 *    dvc-pull restores the embedded default data through DVC_REMOTE_NAME/DVC_REMOTE_URL (the entrypoint's contract).
 * 4. Checks on the host: every container exited 0 and ran as a non-root user (its configured user, and the owner
 *    of every file it wrote); every path each stage declares as written exists and is not empty, and the products
 *    by name (clean data, model bundle, metrics, PNG figures, drift report, HTML report); file outputs are
 *    byte-identical to the same stage CLIs run on the host; .dvc/config is unchanged; the entrypoint refuses half a
 *    remote (exit 2). A server service (the api) is started and must pass its image's HEALTHCHECK, serve as
 *    non-root and answer GET /health and POST /predict.
 * Every container and the compose network are removed at the end, whatever happened; images stay (the layer cache
 * of the next run; a rebuilt tag's previous image is removed). The wall time of each phase and each image's size
 * are printed and written to tools/workspace/.test-results/containers.json.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadStages } from '../stages/manifest.mjs';
import { loadWorkspaceParams, paramsModule } from '../stages/params.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const COMPOSE = 'docker/compose.yaml';
const NODE_UID = 1000;
const started = Date.now();
const seconds = (t) => Math.round((Date.now() - t) / 100) / 10;
const log = (msg) => console.log(`[containers ${seconds(started)}s] ${msg}`);
const failures = [];
const check = (ok, what) => {
  if (ok) console.log(`  ok   ${what}`);
  else {
    console.log(`  FAIL ${what}`);
    failures.push(what);
  }
};

function run(cmd, args, { env, input, timeout = 15 * 60_000, quiet = false, cwd = root } = {}) {
  const res = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    input,
    encoding: 'utf8',
    timeout,
    maxBuffer: 256 * 1024 * 1024,
  });
  const out = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  if (!quiet && res.status !== 0) process.stdout.write(out.split('\n').slice(-40).join('\n') + '\n');
  return { status: res.error ? -1 : res.status, out, error: res.error };
}

const has = (cmd) => run('sh', ['-c', `command -v ${cmd}`], { quiet: true }).status === 0;
const TOOLS = {
  podman: 'podman',
  runc: 'runc',
  'podman-compose': 'podman-compose',
  debootstrap: 'debootstrap',
};

function skip(reason) {
  console.log(`SKIP test:containers: ${reason}`);
  process.exit(0);
}

/** podman & co. present, or installed from Debian; otherwise skip with the reason. */
function ensureTools() {
  const missing = Object.keys(TOOLS).filter((t) => !has(t));
  if (missing.length === 0) return;
  if (!has('apt-get')) skip(`${missing.join(', ')} missing and no apt-get to install them`);
  if (process.getuid?.() !== 0) skip(`${missing.join(', ')} missing and installing needs root`);
  log(`installing ${missing.join(' ')} (apt-get)`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const upd = run('apt-get', ['update', '-qq'], { env, quiet: true });
  const inst = run(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((t) => TOOLS[t])],
    { env, quiet: true },
  );
  if (upd.status !== 0 || inst.status !== 0)
    skip(`podman is not installable here (apt-get: ${inst.out.trim().split('\n').pop() || upd.out.trim()})`);
}

/** The compose stage services in file (= pipeline) order. */
function composeServices() {
  const compose = parse(readFileSync(join(root, COMPOSE), 'utf8'));
  return Object.entries(compose.services)
    .filter(([, s]) => (s.profiles ?? []).includes('stages'))
    .map(([name, s]) => ({ name, ...s }));
}

/** The compose services that are servers built from the Dockerfile (the api: the "serve" profile). */
function composeServers() {
  const compose = parse(readFileSync(join(root, COMPOSE), 'utf8'));
  return Object.entries(compose.services)
    .filter(([, s]) => (s.profiles ?? []).includes('serve') && s.build?.target)
    .map(([name, s]) => ({ name, ...s }));
}

/** Every file under a path (or the path itself). */
function filesUnder(path) {
  const st = lstatSync(path);
  if (!st.isDirectory()) return [path];
  return readdirSync(path).flatMap((n) => filesUnder(join(path, n)));
}

/** node -e: request argv[1] with method argv[2] (body from stdin), print the body, exit 0 on a 2xx. */
const HTTP_PROBE = `
let body = '';
process.stdin.on('data', (c) => (body += c)).on('end', async () => {
  const [url, method] = process.argv.slice(1);
  try {
    const r = await fetch(url, method === 'POST' ? { method, body, headers: { 'content-type': 'application/json' } } : {});
    console.log(r.status, await r.text());
    process.exit(r.ok ? 0 : 1);
  } catch (e) { console.log(String(e)); process.exit(1); }
});`;

const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Wall time of each phase, printed at the end and kept in the figures. */
const phases = [];
function phase(name, fn) {
  const t = Date.now();
  log(`phase: ${name}`);
  try {
    return fn();
  } finally {
    phases.push({ phase: name, wall_s: seconds(t) });
    log(`phase: ${name} done in ${seconds(t)} s`);
  }
}

async function main() {
  if (process.platform !== 'linux') skip('podman runs on Linux only');
  phase('podman, runc, podman-compose, debootstrap', ensureTools);
  const work = mkdtempSync(join(tmpdir(), 'mlops-containers-'));
  const figures = { images: {}, stages: {}, started: new Date(started).toISOString() };
  const project = `mlops-test-${process.pid}`;
  let env = {};
  try {
    // runc and lowered ulimits: podman's default crun/limits fail on this machine kind (setrlimit).
    const conf = join(work, 'containers.conf');
    writeFileSync(
      conf,
      '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\n',
    );
    env = { CONTAINERS_CONF: conf };
    const podman = (args, opts = {}) => run('podman', args, { env, ...opts });

    phase('base image (node:20-slim stand-in)', () => {
      const base = run('bash', [join(here, 'base-image.sh')], { env });
      if (base.status !== 0) throw new Error('the base image could not be made (see above)');
      process.stdout.write(base.out);
    });
    const sizeOf = (image) => Number(podman(['image', 'inspect', '--format', '{{.Size}}', image]).out.trim());
    const imageId = (image) =>
      podman(['image', 'inspect', '--format', '{{.Id}}', image], { quiet: true }).out.trim();
    const baseSize = sizeOf('docker.io/library/node:20-slim');
    figures.base_image_mb = Math.round(baseSize / 1e5) / 10;

    // A user's checkout: git's files (tracked and new), owned by the user the containers run as. The images are
    // built from it too, so they hold exactly what the pipeline runs, whatever is edited meanwhile.
    const ws = join(work, 'ws');
    phase('workspace copy', () => {
      const list = run('git', ['ls-files', '-co', '--exclude-standard', '-z'], { quiet: true });
      for (const file of list.out.split('\0').filter(Boolean)) {
        if (!existsSync(join(root, file))) continue;
        mkdirSync(dirname(join(ws, file)), { recursive: true });
        cpSync(join(root, file), join(ws, file));
      }
      // The folders each service mounts exist beforehand (else the engine creates them owned by root).
      for (const s of [...composeServices(), ...composeServers()])
        for (const v of s.volumes ?? [])
          mkdirSync(resolve(ws, 'docker', v.split(':')[0]), { recursive: true });
      run('chown', ['-R', `${NODE_UID}:${NODE_UID}`, ws]);
    });
    // Images: one per build target, in compose order (the first builds the shared deps and build stages).
    const services = composeServices();
    // The CA bundle npm trusts inside the build (the stand-in base points npm_config_cafile at it): the one
    // NODE_EXTRA_CA_CERTS names on a machine whose TLS is intercepted, else the system bundle (public roots).
    const ca = [process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt'].find(
      (f) => f && existsSync(f),
    );
    const mounts = ca ? ['--volume', `${ca}:/run/mlops-test-ca/ca.crt:ro`] : [];
    // The host's npm cache (filled by the `npm ci` that ran before this test): the image's `npm ci` reads the same
    // tarballs instead of downloading them again. Mounted for the build's RUN steps only, never in a layer.
    const npmCache = run('npm', ['config', 'get', 'cache'], { quiet: true }).out.trim();
    if (npmCache && existsSync(join(npmCache, '_cacache'))) mounts.push('--volume', `${npmCache}:/root/.npm`);
    const targets = [
      ...new Map(
        [...services, ...composeServers()].filter((s) => s.build?.target).map((s) => [s.image, s]),
      ).values(),
    ];
    phase('images (podman build)', () => {
      for (const s of services)
        check(Boolean(s.build?.target && s.image), `${s.name}: compose names its own build target and image`);
      for (const s of targets) {
        const t = Date.now();
        const before = imageId(s.image);
        log(`podman build --target ${s.build.target} -t ${s.image}`);
        const b = podman(
          // docker format: the OCI format drops HEALTHCHECK.
          [
            'build',
            '--layers',
            '--format',
            'docker',
            '-f',
            s.build.dockerfile,
            '--target',
            s.build.target,
          ].concat(['-t', s.image, ...mounts, '.']),
          { timeout: 20 * 60_000, cwd: ws },
        );
        // How much came from the layer cache (the shared stages are built by the first target only).
        const steps = (b.out.match(/STEP \d+\/\d+/g) ?? []).length;
        const cached = (b.out.match(/--> Using cache/g) ?? []).length;
        check(
          b.status === 0,
          `${s.name}: image ${s.image} builds (${seconds(t)} s, ${cached} of ${steps} steps from the cache)`,
        );
        if (b.status !== 0) throw new Error(`podman build of ${s.build.target} failed`);
        // The shared stages' output (what each image holds) is worth seeing once.
        const gathered = b.out.split('\n').filter((l) => /^[\w.-]+: [\d.]+ MB, \d+ dependencies/.test(l));
        gathered.forEach((l) => console.log(`    | ${l}`));
        const after = imageId(s.image);
        if (before && before !== after) podman(['rmi', before], { quiet: true }); // not the cache's layers
        const size = sizeOf(s.image);
        const user = podman(['image', 'inspect', '--format', '{{.Config.User}}', s.image]).out.trim();
        // What the image adds to node:20-slim (its files, entrypoint, Debian packages): the base is a stand-in here.
        figures.images[s.image] = {
          build_s: seconds(t),
          size_mb: Math.round(size / 1e5) / 10,
          added_to_base_mb: Math.round((size - baseSize) / 1e4) / 100,
          user,
        };
        check(user !== '' && user !== 'root' && !user.startsWith('0'), `${s.image}: image user is ${user}`);
      }
    });

    const dvcConfig = sha(join(ws, '.dvc/config'));

    const { paramAt } = await paramsModule(root);
    const params = await loadWorkspaceParams(ws);
    const stages = loadStages(ws, params, paramAt);
    const stageOf = new Map(stages.filter((st) => st.service).map((st) => [st.service, st]));

    // The embedded default data lives in the in-repo remote data/demo-remote, which the dvc-pull service does not
    // mount (a real remote is a URL): this test's override mounts it read-only, and DVC_REMOTE_NAME/URL point at it.
    // (podman-compose 1.0.3 ignores `run -v`.)
    const override = join(ws, 'docker/compose.test-remote.yaml');
    writeFileSync(
      override,
      'services:\n  dvc-pull:\n    volumes:\n      - ../data/demo-remote:/mnt/demo-remote:ro\n',
    );
    const compose = (args, opts) =>
      run('podman-compose', ['-f', join(ws, COMPOSE), '-f', override, '-p', project, ...args], {
        env,
        ...opts,
      });
    const inspect = (name, fmt) => podman(['inspect', '--format', fmt, name], { quiet: true }).out.trim();

    // A failed stage fails the test; the stages downstream of it are not run (reported), the others still are.
    const notRun = new Set();
    phase('pipeline (podman-compose run, stage by stage)', () => {
      // The entrypoint refuses half a DVC remote: exit 2, before the CLI runs.
      const half = `${project}-half-remote`;
      compose(['run', '--no-deps', '-T', '--name', half, '-e', 'DVC_REMOTE_NAME=embedded', 'dvc-pull'], {
        quiet: true,
      });
      check(
        inspect(half, '{{.State.ExitCode}}') === '2',
        'entrypoint: DVC_REMOTE_NAME without DVC_REMOTE_URL exits 2',
      );
      podman(['rm', '-f', half], { quiet: true });

      for (const s of services) {
        const blocked = Object.keys(s.depends_on ?? {}).filter((d) => notRun.has(d));
        if (blocked.length) {
          notRun.add(s.name);
          check(false, `${s.name}: not run, upstream ${blocked.join(', ')} did not complete`);
          continue;
        }
        const name = `${project}-${s.name}`;
        const extra = [];
        if (s.name === 'dvc-pull')
          extra.push('-e', 'DVC_REMOTE_NAME=embedded', '-e', 'DVC_REMOTE_URL=/mnt/demo-remote');
        const t = Date.now();
        log(`podman-compose run --no-deps ${s.name}`);
        const r = compose(['run', '--no-deps', '-T', '--name', name, ...extra, s.name], { quiet: true });
        const code = inspect(name, '{{.State.ExitCode}}');
        const user = inspect(name, '{{.Config.User}}');
        figures.stages[s.name] = { run_s: seconds(t), exit: code, user };
        if (code !== '0') process.stdout.write(r.out.split('\n').slice(-30).join('\n') + '\n');
        check(code === '0', `${s.name}: container exited ${code || '(no container)'} (${seconds(t)} s)`);
        check(
          /^[1-9]\d*(:[1-9]\d*)?$/.test(user) || user === 'node',
          `${s.name}: ran as non-root user ${user}`,
        );
        if (s.name === 'dvc-pull')
          check(
            /DVC remote for this run: embedded -> \/mnt\/demo-remote/.test(r.out),
            'dvc-pull: entrypoint applied the env remote',
          );
        podman(['rm', '-f', name], { quiet: true });
        if (code !== '0') notRun.add(s.name);
      }
    });

    phase('outputs on the host', () => {
      // Every declared output: present, not empty, written by the non-root user.
      for (const st of stages) {
        if (!st.service || st.continuous || notRun.has(st.service)) continue;
        for (const w of [...st.writes, ...st.metrics, ...st.plots]) {
          const p = join(ws, w.path);
          const present = existsSync(p) && (w.folder ? filesUnder(p).length > 0 : statSync(p).size > 0);
          check(present, `${st.service}: wrote ${w.path}`);
          if (!present) continue;
          const owners = new Set(filesUnder(p).map((f) => lstatSync(f).uid));
          check(!owners.has(0), `${st.service}: ${w.path} owned by uid ${[...owners].join(',')} (not root)`);
        }
      }
      // The products by name, from the catalog.
      const at = (key) => join(ws, paramAt(params, key));
      const nonEmpty = (file) => existsSync(file) && statSync(file).size > 0;
      const clean = at('data.interim_path');
      check(
        nonEmpty(clean) && readFileSync(clean, 'utf8').trim().split('\n').length > 100,
        `clean data: ${paramAt(params, 'data.interim_path')} has rows`,
      );
      const models = at('models.output_dir');
      check(
        existsSync(models) && filesUnder(models).some((f) => f.endsWith('.json') && statSync(f).size > 1000),
        `model bundle in ${paramAt(params, 'models.output_dir')}`,
      );
      const metrics = at('reports.metrics_dir');
      check(
        existsSync(metrics) && filesUnder(metrics).some((f) => f.endsWith('.json')),
        `metrics in ${paramAt(params, 'reports.metrics_dir')}`,
      );
      const pngs = (dir) =>
        existsSync(dir) ? filesUnder(dir).filter((f) => f.endsWith('.png') && statSync(f).size > 2000) : [];
      check(
        pngs(at('reports.figures_dir')).length > 0,
        `PNG figures: ${pngs(at('reports.figures_dir')).length}`,
      );
      const drift = join(at('drift.output_dir'), 'drift_report.json');
      check(nonEmpty(drift), 'drift report (drift_report.json)');
      check(
        pngs(at('data.drift_figures_dir')).length > 0,
        `drift PNG figures: ${pngs(at('data.drift_figures_dir')).length}`,
      );
      const html = at('reports.report_path');
      check(nonEmpty(html) && /<html/i.test(readFileSync(html, 'utf8')), 'HTML report');
      check(sha(join(ws, '.dvc/config')) === dvcConfig, '.dvc/config unchanged by the containers');
    });

    // The same stages on the host (the CLIs built by `nx run-many -t build`), file outputs compared byte for byte.
    phase('same stages on the host, outputs compared', () => {
      const host = join(work, 'host');
      cpSync(ws, host, { recursive: true });
      for (const st of stages) {
        if (!st.service || st.continuous || st.project === 'dvc-pull' || notRun.has(st.service)) continue;
        // Compared: the files DVC caches (a stage's deterministic outputs; the uncached reports hold fit times and
        // dates). Only stages with such a file are run again: train's would cost minutes for nothing compared.
        const compared = st.writes.filter((w) => !w.folder && !st.uncached.has(w.ref));
        if (compared.length === 0) continue;
        if (!existsSync(join(root, st.bin))) {
          console.log(`  skip host comparison of ${st.service}: ${st.bin} is not built`);
          continue;
        }
        const argv = st.argv.map((a) => (a === st.bin ? join(root, st.bin) : a));
        // The host run must write its own files: the container's copies are removed first.
        for (const w of compared) rmSync(join(host, w.path), { force: true });
        const hr = spawnSync(argv[0], argv.slice(1), { cwd: host, encoding: 'utf8' });
        check(hr.status === 0, `${st.service}: runs on the host too`);
        for (const w of compared)
          if (existsSync(join(host, w.path)) && existsSync(join(ws, w.path)))
            check(
              sha(join(host, w.path)) === sha(join(ws, w.path)),
              `${st.service}: ${w.path} equals the host run's`,
            );
      }
    });

    // Servers (the api): healthy by the image's HEALTHCHECK, serving as non-root, answering GET /health (and the
    // manifest's health path) and POST /predict with the first clean row (the model comes from the train stage run
    // above). Probed from inside the container: no port is published.
    phase('servers (api)', () => {
      const interim = paramAt(params, 'data.interim_path');
      for (const s of composeServers()) {
        const stage = stageOf.get(s.name);
        const { port, health } = stage.image;
        check(
          port !== undefined && health !== undefined,
          `${s.name}: its manifest names image.port and image.health`,
        );
        if (port === undefined || health === undefined) continue;
        const name = `${project}-${s.name}`;
        const t = Date.now();
        compose(['run', '-d', '--no-deps', '-T', '--name', name, s.name], { quiet: true });
        let healthy = false;
        for (let i = 0; i < 60 && !healthy; i++) {
          healthy = podman(['healthcheck', 'run', name], { quiet: true }).status === 0;
          if (!healthy) spawnSync('sleep', ['1']);
        }
        check(healthy, `${s.name}: HEALTHCHECK passes (${seconds(t)} s)`);
        const user = podman(['exec', name, 'id', '-u'], { quiet: true }).out.trim();
        check(/^[1-9]\d*$/.test(user), `${s.name}: serves as uid ${user || '(none)'}`);
        figures.stages[s.name] = { healthy_s: seconds(t), user };
        const http = (path, body) =>
          podman(
            ['exec', '-i', name, 'node', '-e', HTTP_PROBE, `http://127.0.0.1:${port}${path}`].concat(
              body ? 'POST' : 'GET',
            ),
            { quiet: true, input: body ? JSON.stringify(body) : '' },
          );
        for (const path of new Set(['/health', health])) {
          const h = http(path);
          check(h.status === 0, `${s.name}: GET ${path} answers 200 (${h.out.trim().slice(0, 120)})`);
        }
        const cleanPath = join(ws, interim);
        if (existsSync(cleanPath)) {
          const [header, first] = readFileSync(cleanPath, 'utf8').split(/\r?\n/);
          const cells = first.split(',');
          const row = Object.fromEntries(
            header
              .split(',')
              .map((col, i) => [
                col,
                cells[i] !== '' && Number.isFinite(Number(cells[i])) ? Number(cells[i]) : cells[i],
              ])
              .filter(([col]) => col !== 'NObeyesdad'),
          );
          const p = http('/predict', row);
          check(
            p.status === 0 && /"prediction"/.test(p.out),
            `${s.name}: POST /predict answers a prediction (${p.out.trim().slice(0, 160)})`,
          );
        } else check(false, `${s.name}: no clean data to post to /predict`);
        podman(['logs', name], { quiet: true })
          .out.split('\n')
          .slice(-5)
          .forEach((l) => l && console.log(`    | ${l}`));
        podman(['rm', '-f', '-t', '2', name], { quiet: true });
      }
    });
  } finally {
    phase('cleanup', () => {
      // Every container of this run (a failure may leave one, e.g. the api), then the network podman-compose
      // leaves behind; the throwaway workspace (its files belong to uid 1000) last.
      const names = run('podman', ['ps', '-a', '--filter', `name=^${project}`, '--format', '{{.Names}}'], {
        env,
        quiet: true,
      })
        .out.split('\n')
        .filter(Boolean);
      for (const n of names) run('podman', ['rm', '-f', '-t', '2', n], { env, quiet: true });
      run('podman', ['network', 'rm', '-f', `${project}_default`], { env, quiet: true });
      rmSync(work, { recursive: true, force: true });
    });
  }
  figures.phases = phases;
  figures.total_s = seconds(started);
  const out = join(root, 'tools/workspace/.test-results/containers.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ ...figures, failures }, null, 2) + '\n');
  console.log('\nwall time by phase:');
  for (const p of phases) console.log(`  ${String(p.wall_s).padStart(7)} s  ${p.phase}`);
  console.log(`  ${String(figures.total_s).padStart(7)} s  total`);
  console.log(`image sizes (base node:20-slim stand-in ${figures.base_image_mb} MB):`);
  for (const [image, f] of Object.entries(figures.images))
    console.log(`  ${String(f.size_mb).padStart(7)} MB  ${image} (+${f.added_to_base_mb} MB on the base)`);
  log(`${failures.length ? `${failures.length} check(s) FAILED` : 'all checks passed'} (figures: ${out})`);
  process.exit(failures.length ? 1 : 0);
}

main().catch((error) => {
  console.error(`test:containers: ${error.message}`);
  console.log('\nwall time by phase:');
  for (const p of phases) console.log(`  ${String(p.wall_s).padStart(7)} s  ${p.phase}`);
  process.exit(1);
});
