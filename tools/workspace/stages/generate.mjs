/**
 * What the stage manifests become: Nx targets (inferred by the plugin), dvc.yaml and the compose stage services
 * (written by the sync generator). Pure functions of the resolved stages (manifest.mjs) and the params.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { HEALTHCHECK_SCRIPT, imageName } from './docker.mjs';
import { producerOf, upstreamOf } from './manifest.mjs';
import { PARAMS_FILE } from './params.mjs';

/** JSON with sorted object keys, so equal values always give equal text. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * A digest of the values of exactly the params keys a stage reads. It goes into the Nx target's options (which Nx
 * hashes), so the stage's cache key changes when one of its keys changes, and only then: a comment, a reordering
 * or another stage's key leaves it alone. This is what DVC's per-key `params:` does, at no cost per task.
 */
export function paramsDigest(stage, params, paramAt) {
  const values = Object.fromEntries(stage.params.map((key) => [key, paramAt(params, key)]));
  return createHash('sha256').update(canonical(values)).digest('hex').slice(0, 16);
}

/** A shell word: left bare when it holds nothing a POSIX shell would interpret. */
export function shellWord(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function commandLine(stage) {
  return stage.argv.map(shellWord).join(' ');
}

/** The code a stage runs, its code dependency for DVC: the CLI's loader and bundle, or its package's `stageCode`. */
export function codeDeps(stage) {
  return stage.code;
}

/** The Nx target inferred for a stage. */
export function nxTarget(stage, stages, params, paramAt) {
  const ws = (p) => `{workspaceRoot}/${p}`;
  const upstream = upstreamOf(stages, stage);
  const inputs = [
    'production',
    '^production',
    ...stage.files.map(ws),
    // A path another stage writes is hashed after that stage ran (Nx hashes plain file inputs before any task
    // runs, which would serve this stage stale from cache when its upstream output changed).
    ...stage.reads.map((r) =>
      producerOf(stages, r.path)
        ? { dependentTasksOutputFiles: r.folder ? `${r.path}/**/*` : r.path, transitive: true }
        : ws(r.path),
    ),
    ...(stage.pointers ? stage.writes.map((w) => ws(`${w.path}.dvc`)) : []),
    ...stage.env.map((env) => ({ env })),
  ];
  const target = {
    executor: 'nx:run-commands',
    options: {
      command: commandLine(stage),
      cwd: '{workspaceRoot}',
      env: { MLOPS_PARAMS_DIGEST: paramsDigest(stage, params, paramAt) },
    },
    dependsOn: ['build', ...upstream.map((u) => ({ projects: [u.project], target: u.target }))],
    metadata: {
      description: stage.description,
      technologies: ['mlops-stage'],
      ...(stage.dvc ? { dvcStage: stage.dvc } : {}),
      ...(stage.service ? { composeService: stage.service } : {}),
    },
  };
  if (stage.continuous) {
    target.continuous = true;
    target.cache = false;
  } else {
    target.inputs = inputs;
    target.outputs = [...stage.writes, ...stage.metrics, ...stage.plots].map((w) => ws(w.path));
    target.cache = true;
  }
  return target;
}

/** The dvc.yaml document (as data) for every stage that declares a DVC stage. */
export function dvcDocument(stages) {
  const out = {};
  for (const s of stages) {
    if (!s.dvc) continue;
    const stage = { cmd: commandLine(s) };
    const deps = [...codeDeps(s), ...s.files, ...s.reads.map((r) => r.path)];
    if (deps.length) stage.deps = [...new Set(deps)];
    if (s.params.length) stage.params = [{ [PARAMS_FILE]: s.params }];
    const outs = s.writes.map((w) => (s.uncached.has(w.ref) ? { [w.path]: { cache: false } } : w.path));
    if (outs.length) stage.outs = outs;
    if (s.metrics.length) stage.metrics = s.metrics.map((m) => ({ [m.path]: { cache: false } }));
    if (s.plots.length) stage.plots = s.plots.map((p) => ({ [p.path]: { cache: false } }));
    out[s.dvc] = stage;
  }
  return { stages: out };
}

/**
 * Bind mounts of a stage's container, from its catalog paths: what it reads is mounted read-only, what it writes
 * read-write. A file is reached through its folder (a file mount whose file does not exist yet would be created as a
 * folder); a folder output is mounted itself. A mount inside another one of the same or a stronger mode is dropped.
 */
export function mounts(stage, trackingDir) {
  const want = new Map(); // container path -> 'ro' | 'rw'
  const add = (dir, mode) => {
    if (!dir || dir === '.') return;
    if (want.get(dir) !== 'rw') want.set(dir, mode);
  };
  add(posix.dirname(PARAMS_FILE), 'ro');
  for (const r of stage.reads) add(r.folder ? r.path : posix.dirname(r.path), 'ro');
  for (const w of [...stage.writes, ...stage.metrics, ...stage.plots])
    add(w.folder ? w.path : posix.dirname(w.path), 'rw');
  for (const f of stage.folders) add(f, 'rw');
  // A stage that logs to MLflow's file store writes into it.
  if (trackingDir && stage.env.includes('MLFLOW_TRACKING_URI')) add(trackingDir, 'rw');
  const dirs = [...want.keys()].sort();
  const kept = dirs.filter(
    (d) =>
      !dirs.some((o) => o !== d && d.startsWith(`${o}/`) && (want.get(o) === 'rw' || want.get(d) === 'ro')),
  );
  return kept.map((d) => `../${d}:/app/${d}${want.get(d) === 'ro' ? ':ro' : ''}`);
}

/**
 * The compose services of the stages (a map service name -> service), in pipeline order. `trackingDir` is the
 * folder of a file-store tracking URI (mounted into the stages that log runs), or undefined.
 */
export function composeServices(stages, trackingDir) {
  const services = {};
  for (const s of stages) {
    if (!s.service) continue;
    const environment = { LOG_LEVEL: '${LOG_LEVEL:-INFO}', LOG_FORMAT: '${LOG_FORMAT:-text}' };
    // No value: the host's value when it is set, else unset in the container (`\${X:-}` would set it empty, and
    // podman-compose 1.0.3 passes that text literally).
    for (const name of [...s.env, ...s.passEnv]) if (!(name in environment)) environment[name] = null;
    if (s.env.includes('MLFLOW_TRACKING_URI'))
      environment.MLFLOW_TRACKING_URI = '${MLFLOW_TRACKING_URI:-file:./mlruns}';
    // Each package has its own image (docker/Dockerfile target = its Nx project), holding only its bundle; it runs as
    // the image's non-root user unless MLOPS_UID/MLOPS_GID name the host user that owns the mounted folders.
    const service = {
      build: { context: '..', dockerfile: 'docker/Dockerfile', target: s.project },
      image: imageName(s.project),
      user: '${MLOPS_UID:-1000}:${MLOPS_GID:-1000}',
      working_dir: '/app',
      profiles: ['stages'],
      command: s.argv,
      environment,
      volumes: mounts(s, trackingDir),
    };
    if (s.continuous) {
      // A server: started on demand (`--profile serve up api`), published, health-checked; it starts without a
      // model (degraded) and loads one when it appears, so it waits for no stage.
      service.profiles = ['serve'];
      service.ports = ['${PORT:-8000}:8000'];
      service.environment.PORT = '8000';
      service.environment.HOST = '0.0.0.0';
      // The image's probe script (docker/healthcheck.mjs) on the manifest's health path.
      service.healthcheck = {
        test: ['CMD', 'node', HEALTHCHECK_SCRIPT, s.image.health ?? '/health'],
        interval: '10s',
        timeout: '5s',
        retries: 5,
        start_period: '10s',
      };
      service.stop_signal = 'SIGTERM';
      services[s.service] = service;
      continue;
    }
    const ups = upstreamOf(stages, s).filter((u) => u.service);
    if (ups.length)
      service.depends_on = Object.fromEntries(
        ups.map((u) => [u.service, { condition: 'service_completed_successfully' }]),
      );
    services[s.service] = service;
  }
  return services;
}
