/**
 * Stage manifests: one declaration per stage package drives its Nx targets, its dvc.yaml stage and its compose
 * service, so the three can never disagree. A manifest is `<project>/stage.json`:
 *
 *   {
 *     "targets": {
 *       "run": {                                   the Nx target name
 *         "description": "…",
 *         "dvc": "eda",                            the dvc.yaml stage (absent: no DVC stage, e.g. dvc-pull, api)
 *         "service": "eda",                        the compose service (absent: none)
 *         "command": ["node", "{bin}", "--params", "{params}", "--input", "{data.raw_path}"],
 *         "reads":  ["data.raw_path"],             catalog paths read (Nx inputs, DVC deps, read-only mounts)
 *         "writes": ["data.interim_path", "data.profile_dir"],   catalog paths written (Nx outputs, DVC outs, mounts)
 *         "uncached": ["data.profile_dir"],        writes DVC does not cache (small reports kept in git)
 *         "metrics": ["reports.metrics_dir/evaluation_metrics.json"],   DVC metrics files (written, not cached)
 *         "plots": ["reports.figures_dir"],        DVC plots (written, not cached)
 *         "params": ["cleaning"],                  params keys the stage reads (its cache key, DVC `params:`)
 *         "env": ["MLFLOW_TRACKING_URI"],          environment variables that change what it does (Nx inputs, compose)
 *         "passEnv": ["AWS_ACCESS_KEY_ID"],        environment passed to its container only (credentials)
 *         "files": [".dvc/config"],                workspace files read that are not datasets (Nx inputs)
 *         "folders": [".dvc"],                     workspace folders written that are not datasets (mounts)
 *         "pointers": true,                        its writes are DVC-tracked files: `<path>.dvc` are inputs
 *         "feeds": false,                          its writes do not make readers depend on it (generators)
 *         "continuous": true,                      a server: never cached, no outputs
 *         "resources": { "memory": "256Mi", "cpu": "500m" }   optional cluster requests (Argo); absent: the
 *                                                  peak RSS measured by `npm run bench:scale`, else a default
 *       }
 *     },
 *     "image": {                                   optional: what the package's container image needs besides
 *       "files": ["node_modules/x/dist/x.wasm"],   its bundle (workspace paths, copied from the build stage; a
 *                                                  `*` glob is allowed in the last part)
 *       "apt": ["fonts-dejavu-core"],              Debian packages installed in its runtime image
 *       "port": 8000,                              a server's port (EXPOSE)
 *       "health": "/health"                        a server's health path (the image's HEALTHCHECK)
 *     }
 *   }
 *
 * A path reference is a catalog key (`data.interim_path`), optionally followed by `/name` for a file inside a
 * folder key (`reports.metrics_dir/evaluation_metrics.json`). Keys ending in `_dir` name folders. In `command`,
 * `{ref}` is replaced by the path, `{bin}` by the package's CLI file and `{params}` by the params file.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { PARAMS_FILE } from './params.mjs';

export const MANIFEST = 'stage.json';
const PROJECT_FOLDERS = ['packages', 'apps', 'tools'];

const KNOWN_FIELDS = new Set([
  'description',
  'dvc',
  'service',
  'command',
  'reads',
  'writes',
  'uncached',
  'metrics',
  'plots',
  'params',
  'env',
  'passEnv',
  'files',
  'folders',
  'pointers',
  'feeds',
  'continuous',
  'resources',
]);

const IMAGE_FIELDS = new Set(['files', 'apt', 'port', 'health']);

/** The optional `image` block of a manifest (see the header), with defaults. */
function parseImage(file, image) {
  if (image === undefined) return { files: [], apt: [], port: undefined, health: undefined };
  if (!image || typeof image !== 'object' || Array.isArray(image)) fail(file, 'image must be an object');
  for (const field of Object.keys(image))
    if (!IMAGE_FIELDS.has(field)) fail(file, `image.${field}: unknown field`);
  const files = stringList(file, 'image.files', image.files);
  for (const f of files)
    if (f.startsWith('/') || f.split('/').includes('..') || f.slice(0, f.lastIndexOf('/')).includes('*'))
      fail(file, `image.files: ${f} must be a workspace path (a * glob only in its last part)`);
  const apt = stringList(file, 'image.apt', image.apt);
  for (const p of apt)
    if (!/^[a-z0-9][a-z0-9+.-]+$/.test(p)) fail(file, `image.apt: ${p} is not a Debian package name`);
  if (image.port !== undefined && !(Number.isInteger(image.port) && image.port > 0 && image.port < 65536))
    fail(file, 'image.port must be a port number');
  if (image.health !== undefined && !(typeof image.health === 'string' && /^\/[\w./-]*$/.test(image.health)))
    fail(file, 'image.health must be an HTTP path such as /health');
  if (image.health !== undefined && image.port === undefined) fail(file, 'image.health needs image.port');
  return { files, apt, port: image.port, health: image.health };
}

/** The optional `resources` of a target: Kubernetes quantities. */
function parseResources(file, where, resources) {
  if (resources === undefined) return {};
  if (!resources || typeof resources !== 'object' || Array.isArray(resources))
    fail(file, `${where}.resources must be an object`);
  const out = {};
  for (const [name, value] of Object.entries(resources)) {
    if (name !== 'memory' && name !== 'cpu')
      fail(file, `${where}.resources.${name}: unknown field (memory, cpu)`);
    const ok =
      name === 'memory'
        ? /^[1-9]\d*(Ki|Mi|Gi)$/.test(String(value))
        : /^([1-9]\d*m|\d+(\.\d+)?)$/.test(String(value));
    if (typeof value !== 'string' || !ok)
      fail(file, `${where}.resources.${name}: ${JSON.stringify(value)} is not a quantity (e.g. 256Mi, 500m)`);
    out[name] = value;
  }
  return out;
}

/** The manifest files of the workspace, relative to the root, sorted. */
export function manifestFiles(root) {
  const files = [];
  for (const folder of PROJECT_FOLDERS) {
    const dir = join(root, folder);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (existsSync(join(dir, name, MANIFEST))) files.push(`${folder}/${name}/${MANIFEST}`);
    }
  }
  return files;
}

function fail(file, message) {
  throw new Error(`${file}: ${message}`);
}

function stringList(file, where, value) {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === ''))
    fail(file, `${where} must be a list of non-empty strings`);
  return value;
}

/** Split a path reference into its catalog key and the optional file name inside it. */
export function splitRef(ref) {
  const slash = ref.indexOf('/');
  return slash < 0 ? { key: ref, rest: '' } : { key: ref.slice(0, slash), rest: ref.slice(slash + 1) };
}

/**
 * Read and resolve every manifest against the params (defaults applied): each target gets its project, its
 * resolved paths and command. `paramAt` is core's key lookup (throws on an unknown key).
 */
export function loadStages(root, params, paramAt) {
  const stages = [];
  for (const file of manifestFiles(root)) {
    const projectRoot = posix.dirname(file);
    const pkg = JSON.parse(readFileSync(join(root, projectRoot, 'package.json'), 'utf8'));
    const projectJson = join(root, projectRoot, 'project.json');
    const project = existsSync(projectJson)
      ? JSON.parse(readFileSync(projectJson, 'utf8')).name
      : pkg.name.replace(/^@[^/]+\//, '');
    const bin = pkg.bin ? posix.join(projectRoot, Object.values(pkg.bin)[0].replace(/^\.\//, '')) : undefined;
    // Files bundle-cli.mjs copies beside the bundle (package.json "bundleAssets"): part of what the CLI runs.
    const bundleAssets = stringList(`${projectRoot}/package.json`, 'bundleAssets', pkg.bundleAssets).map(
      (a) => posix.basename(a),
    );
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(root, file), 'utf8'));
    } catch (error) {
      fail(file, `not valid JSON: ${error.message}`);
    }
    if (!manifest || typeof manifest.targets !== 'object') fail(file, 'needs a "targets" object');
    const image = parseImage(file, manifest.image);
    for (const [target, decl] of Object.entries(manifest.targets)) {
      const where = `targets.${target}`;
      for (const field of Object.keys(decl))
        if (!KNOWN_FIELDS.has(field)) fail(file, `${where}.${field}: unknown field`);
      const resolvePath = (ref, field) => {
        const { key, rest } = splitRef(ref);
        let value;
        try {
          value = paramAt(params, key);
        } catch {
          fail(file, `${where}.${field}: ${key} is not a key of ${PARAMS_FILE}`);
        }
        if (typeof value !== 'string')
          fail(file, `${where}.${field}: ${key} is not a path in ${PARAMS_FILE}`);
        const path = posix.normalize(rest ? `${value}/${rest}` : value).replace(/\/$/, '');
        if (path.startsWith('..') || posix.isAbsolute(path))
          fail(file, `${where}.${field}: ${key} = ${value} must stay inside the workspace`);
        return path;
      };
      const refs = (field) =>
        stringList(file, `${where}.${field}`, decl[field]).map((ref) => ({
          ref,
          key: splitRef(ref).key,
          path: resolvePath(ref, field),
          folder: !splitRef(ref).rest && splitRef(ref).key.endsWith('_dir'),
        }));
      const reads = refs('reads');
      const writes = refs('writes');
      const metrics = refs('metrics');
      const plots = refs('plots');
      const uncached = new Set(stringList(file, `${where}.uncached`, decl.uncached));
      for (const ref of uncached)
        if (!writes.some((w) => w.ref === ref))
          fail(file, `${where}.uncached: ${ref} is not among its writes`);
      const paramKeys = stringList(file, `${where}.params`, decl.params);
      for (const key of paramKeys) {
        try {
          paramAt(params, key);
        } catch {
          fail(file, `${where}.params: ${key} is not a key of ${PARAMS_FILE}`);
        }
      }
      const command = stringList(file, `${where}.command`, decl.command);
      if (command.length === 0) fail(file, `${where}.command is required`);
      const argv = command.map((arg) =>
        arg.replace(/\{([^}]+)\}/g, (_, ref) => {
          if (ref === 'bin') {
            if (!bin) fail(file, `${where}.command: {bin} but package.json has no "bin"`);
            return bin;
          }
          if (ref === 'params') return PARAMS_FILE;
          // a declared path, or the folder of declared files (`--output {drift.output_dir}` writing files in it)
          const path = resolvePath(ref, 'command');
          if (
            ![...reads, ...writes, ...metrics, ...plots].some(
              (r) => r.ref === ref || r.path.startsWith(`${path}/`),
            )
          )
            fail(file, `${where}.command: {${ref}} is not among its reads, writes, metrics or plots`);
          return path;
        }),
      );
      stages.push({
        manifest: file,
        project,
        projectRoot,
        target,
        bin,
        // What the stage's command runs: its CLI bundle, or, when the bundle loads more at run time (package.json
        // "stageCode": paths from the package folder), those paths.
        code: pkg.stageCode
          ? pkg.stageCode.map((p) => posix.normalize(posix.join(projectRoot, p)))
          : bin
            ? [bin, bin.replace(/\.js$/, '.cjs')]
            : [],
        description: decl.description ?? '',
        dvc: decl.dvc,
        service: decl.service,
        argv,
        reads,
        writes,
        uncached,
        metrics,
        plots,
        // Catalog keys of its paths are params too: DVC reruns a stage whose path keys change, and so does Nx.
        params: [
          ...new Set([...paramKeys, ...[...reads, ...writes, ...metrics, ...plots].map((r) => r.key)]),
        ],
        env: stringList(file, `${where}.env`, decl.env),
        passEnv: stringList(file, `${where}.passEnv`, decl.passEnv),
        files: stringList(file, `${where}.files`, decl.files),
        folders: stringList(file, `${where}.folders`, decl.folders),
        pointers: decl.pointers === true,
        feeds: decl.feeds !== false,
        continuous: decl.continuous === true,
        resources: parseResources(file, where, decl.resources),
        image,
        bundleAssets,
      });
    }
  }
  checkWriters(stages);
  return orderStages(stages);
}

/** Every path has at most one producer that feeds readers; two feeding writers of one path would be ambiguous. */
function checkWriters(stages) {
  const writer = new Map();
  for (const s of stages) {
    if (!s.feeds) continue;
    for (const w of [...s.writes, ...s.metrics, ...s.plots]) {
      const other = writer.get(w.path);
      if (other)
        throw new Error(
          `${s.manifest}: ${s.project}:${s.target} writes ${w.path}, which ${other.project}:${other.target} writes too`,
        );
      writer.set(w.path, s);
    }
  }
}

/** The feeding target that writes a path (or the folder holding it), if any. */
export function producerOf(stages, path) {
  for (const s of stages) {
    if (!s.feeds) continue;
    for (const w of [...s.writes, ...s.metrics, ...s.plots]) {
      if (w.path === path || path.startsWith(`${w.path}/`)) return s;
    }
  }
  return undefined;
}

/** The targets a stage depends on: the producers of what it reads. */
export function upstreamOf(stages, stage) {
  const ups = [];
  for (const r of stage.reads) {
    const p = producerOf(stages, r.path);
    if (p && p !== stage && !ups.includes(p)) ups.push(p);
  }
  return ups;
}

/** Topological order (producers first); ties keep manifest order, so the output is stable. */
function orderStages(stages) {
  const done = new Set();
  const out = [];
  const visiting = new Set();
  const visit = (s) => {
    if (done.has(s)) return;
    if (visiting.has(s))
      throw new Error(`${s.manifest}: ${s.project}:${s.target} is part of a dependency cycle`);
    visiting.add(s);
    for (const up of upstreamOf(stages, s)) visit(up);
    visiting.delete(s);
    done.add(s);
    out.push(s);
  };
  for (const s of stages) visit(s);
  return out;
}
