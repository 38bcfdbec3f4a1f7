#!/usr/bin/env node
/**
 * What each runtime image of docker/Dockerfile holds, gathered in the image's build stage (where every package is
 * built and `node_modules` installed) into one folder per image, which its runtime target copies to /app:
 *
 *   - the package's package.json (its loader dist/main.js is an ES module) and its code: the CLI bundle
 *     (dist/main.js + dist/main.cjs), the files bundle-cli.mjs writes beside it (package.json "bundleAssets", and the
 *     bundles of its "bundleWorkers": own workers as dist/<name>.mjs, a dependency's as dist/<name>.js), plus the
 *     package.json "stageCode" paths inside the package (a CLI that loads more of its build at run time);
 *   - when the CLI loads modules from node_modules at run time (package.json "bundleExternal", or "stageCode": its
 *     tsc output importing its dependencies), the package's production dependencies and theirs (dependencies,
 *     plus the optional and peer dependencies that are installed: a native add-on's platform package), at the paths
 *     they have in the build, workspace packages as their package.json and published "files" (default dist) with
 *     the node_modules link to them. A fully bundled CLI gets no node_modules at all.
 * Type declarations and source maps are left out. Everything else is decided by the package.json files, so a new
 * stage package needs no change here or in the Dockerfile generator.
 *
 * Usage (from the workspace root): runtime-files.mjs OUT_DIR NAME=PROJECT_ROOT…  → OUT_DIR/NAME/<workspace paths>
 */
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Files no runtime needs: type declarations, source maps, TypeScript build info. */
const SKIP = /\.(d\.[cm]?ts|map|tsbuildinfo)$/;

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** `name` as Node resolves it from a module in `dir` (workspace-relative): the nearest node_modules/name upwards. */
function resolvePackage(root, dir, name) {
  for (let d = dir; ; d = posix.dirname(d)) {
    const candidate = posix.join(d === '.' ? '' : d, 'node_modules', name);
    if (existsSync(join(root, candidate, 'package.json'))) return candidate;
    if (d === '.' || d === '' || d === '/') return undefined;
  }
}

/** The files of the package in `projectRoot` that its CLI runs (workspace-relative paths). */
function codeOf(projectRoot, pkg) {
  const bin = Object.values(pkg.bin ?? {})[0];
  if (!bin) throw new Error(`${projectRoot}/package.json: a package with an image needs a "bin"`);
  const main = posix.normalize(bin);
  const dist = posix.dirname(main);
  const code = [main, main.replace(/\.js$/, '.cjs')];
  for (const asset of pkg.bundleAssets ?? []) code.push(posix.join(dist, posix.basename(asset)));
  for (const worker of pkg.bundleWorkers ?? [])
    code.push(
      posix.join(
        dist,
        worker.startsWith('dist/') ? posix.basename(worker).replace(/\.js$/, '.mjs') : posix.basename(worker),
      ),
    );
  for (const p of pkg.stageCode ?? []) {
    const inside = posix.normalize(p);
    if (!inside.startsWith('..')) code.push(inside); // outside the package: reached through node_modules below
  }
  return [...new Set(code)].map((p) => posix.join(projectRoot, p));
}

/**
 * What the image of the package in `projectRoot` holds: `paths` to copy (files or folders, workspace-relative) and
 * node_modules `links` (workspace packages) as [path, link target].
 */
export function runtimeFiles(root, projectRoot) {
  const pkg = readJson(join(root, projectRoot, 'package.json'));
  const paths = [posix.join(projectRoot, 'package.json'), ...codeOf(projectRoot, pkg)];
  const links = [];
  const packages = [];
  if (pkg.bundleExternal?.length || pkg.stageCode?.length) {
    const seen = new Set([projectRoot]);
    const queue = [{ dir: projectRoot, pkg }];
    while (queue.length) {
      const { dir, pkg: from } = queue.shift();
      const optional = new Set([
        ...Object.keys(from.optionalDependencies ?? {}),
        ...Object.keys(from.peerDependencies ?? {}),
      ]);
      const names = new Set([
        ...Object.keys(from.dependencies ?? {}),
        ...Object.keys(from.optionalDependencies ?? {}),
        ...Object.keys(from.peerDependencies ?? {}),
      ]);
      for (const name of names) {
        const at = resolvePackage(root, dir, name);
        if (!at) {
          // Optional (another platform's add-on) and peer dependencies that are not installed are not needed.
          if (optional.has(name)) continue;
          throw new Error(`${dir}: dependency ${name} is not installed (run npm ci)`);
        }
        let real = at;
        if (lstatSync(join(root, at)).isSymbolicLink()) {
          real = relative(root, realpathSync(join(root, at)))
            .split('\\')
            .join('/');
          if (!links.some(([p]) => p === at)) links.push([at, readlinkSync(join(root, at))]);
        }
        if (seen.has(real)) continue;
        seen.add(real);
        const depPkg = readJson(join(root, real, 'package.json'));
        packages.push(real);
        if (real.split('/').includes('node_modules')) paths.push(real);
        else {
          // A workspace package: what it publishes.
          paths.push(posix.join(real, 'package.json'));
          for (const f of depPkg.files ?? ['dist']) paths.push(posix.join(real, posix.normalize(f)));
        }
        queue.push({ dir: real, pkg: depPkg });
      }
    }
  }
  return { paths, links, packages };
}

/** Copy `paths` under `out`, without nested node_modules (each dependency is a path of its own), types or maps. */
function copyInto(root, out, { paths, links }) {
  for (const p of paths) {
    const from = join(root, p);
    if (!existsSync(from)) throw new Error(`${p}: not found (is the package built?)`);
    mkdirSync(dirname(join(out, p)), { recursive: true });
    cpSync(from, join(out, p), {
      recursive: true,
      filter: (src) => {
        const rel = relative(from, src);
        return !SKIP.test(src) && !rel.split(/[\\/]/).includes('node_modules');
      },
    });
  }
  for (const [p, target] of links) {
    mkdirSync(dirname(join(out, p)), { recursive: true });
    symlinkSync(target, join(out, p));
  }
}

/** Total bytes under a path. */
function sizeOf(path) {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, n) => sum + sizeOf(join(path, n)), 0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [outDir, ...images] = process.argv.slice(2);
  if (!outDir || images.length === 0 || images.some((i) => !/^[\w.-]+=[\w./-]+$/.test(i))) {
    console.error('usage: runtime-files.mjs OUT_DIR NAME=PROJECT_ROOT…');
    process.exit(2);
  }
  const root = process.cwd();
  try {
    for (const image of images) {
      const [name, projectRoot] = image.split('=');
      const out = resolve(outDir, name);
      rmSync(out, { recursive: true, force: true });
      const files = runtimeFiles(root, projectRoot);
      copyInto(root, out, files);
      console.log(
        `${basename(out)}: ${(sizeOf(out) / 1e6).toFixed(2)} MB, ${files.packages.length} dependencies` +
          (files.packages.length
            ? ` (${files.packages.slice(0, 8).join(', ')}${files.packages.length > 8 ? ', …' : ''})`
            : ''),
      );
    }
  } catch (error) {
    console.error(`runtime-files: ${error.message}`);
    process.exit(1);
  }
}
