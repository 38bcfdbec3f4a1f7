/**
 * The repository: its root (the folder holding `.dvc/`, found by walking up like DVC), its merged config
 * (`.dvc/config`, then `.dvc/config.local` on top), the cache folder and the remotes.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, isErrnoException, readTextFileBounded, type Logger } from '@mlops/core';
import { IniDocument, remoteNameOf, remoteSection } from './config.js';
import { redactUrl } from './redact.js';
import { HttpRemote } from './remotes/http.js';
import { LocalRemote } from './remotes/local.js';
import { rebrand, type RemoteBackend } from './remotes/types.js';
import { fullRuntime } from './runtime.js';

/** Keys whose values are credentials: never written to the tracked `.dvc/config`, never printed. */
export const SECRET_KEYS = new Set([
  'access_key_id',
  'secret_access_key',
  'session_token',
  'account_key',
  'connection_string',
  'sas_token',
  'client_secret',
  'password',
  'token',
]);

export interface Repo {
  root: string;
  dvcDir: string;
  cacheDir: string;
  config: IniDocument;
  configLocal: IniDocument;
}

export function findRepoRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, '.dvc');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new InputError(`not a DVC repository: no .dvc/ folder in ${resolve(start)} or any parent`);
    dir = parent;
  }
}

async function readIni(path: string): Promise<IniDocument> {
  try {
    // A DVC config is a few lines: a device or a huge file in its place is bad input, not read into memory.
    return IniDocument.parse(await readTextFileBounded(path, 16 * 1024 * 1024, 'a DVC config file'), path);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return IniDocument.empty();
    throw error;
  }
}

export async function openRepo(cwd: string): Promise<Repo> {
  const root = findRepoRoot(cwd);
  const dvcDir = join(root, '.dvc');
  const config = await readIni(join(dvcDir, 'config'));
  const configLocal = await readIni(join(dvcDir, 'config.local'));
  const cacheDirRaw = configLocal.get('cache', 'dir') ?? config.get('cache', 'dir');
  const cacheDir = cacheDirRaw ? resolve(dvcDir, cacheDirRaw) : join(dvcDir, 'cache');
  return { root, dvcDir, cacheDir, config, configLocal };
}

export interface RemoteConfig {
  name: string;
  /** Resolved: local paths are absolute. */
  url: string;
  options: Record<string, string>;
  /** Where the url came from, for messages. */
  source: 'config' | 'config.local' | 'env';
}

/** Every remote of the merged config (config.local keys override config keys). */
export function listRemotes(repo: Repo): Map<string, RemoteConfig> {
  const out = new Map<string, RemoteConfig>();
  const layers: [IniDocument, 'config' | 'config.local'][] = [
    [repo.config, 'config'],
    [repo.configLocal, 'config.local'],
  ];
  for (const [doc, source] of layers) {
    for (const [section, values] of doc.sections()) {
      const name = remoteNameOf(section);
      if (!name) continue;
      const prev = out.get(name) ?? { name, url: '', options: {}, source };
      for (const [k, v] of values) {
        if (k === 'url') {
          prev.url = resolveUrl(v, repo.dvcDir);
          prev.source = source;
        } else prev.options[k] = v;
      }
      out.set(name, prev);
    }
  }
  return out;
}

/** A local path relative to the config file's folder (DVC resolves it so); URLs are left alone. */
export function resolveUrl(url: string, base: string): string {
  if (/^file:\/\//i.test(url)) return fileURLToPath(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  return isAbsolute(url) ? url : resolve(base, url);
}

export interface RemoteSelection {
  remotes: Map<string, RemoteConfig>;
  defaultName: string | undefined;
}

/**
 * Apply the predecessor's entrypoint contract: DVC_REMOTE_NAME + DVC_REMOTE_URL select, and define if new, the
 * default remote for this run (a relative URL is taken relative to the current folder).
 */
export function selectRemotes(
  repo: Repo,
  env: NodeJS.ProcessEnv,
  cwd: string,
  logger?: Logger,
): RemoteSelection {
  const remotes = listRemotes(repo);
  let defaultName = repo.configLocal.get('core', 'remote') ?? repo.config.get('core', 'remote');
  const name = env['DVC_REMOTE_NAME']?.trim();
  const url = env['DVC_REMOTE_URL']?.trim();
  if (name && url) {
    const resolved = resolveUrl(url, cwd);
    const prev = remotes.get(name);
    if (prev && prev.url !== resolved)
      logger?.info(`DVC_REMOTE_URL overrides the url of remote '${name}' for this run`, {
        url: redactUrl(url),
      });
    remotes.set(name, { name, url: resolved, options: prev?.options ?? {}, source: 'env' });
    defaultName = name;
    logger?.info(`DVC remote configured: ${name} -> ${redactUrl(url)}`);
  } else if (name || url) {
    throw new InputError('DVC_REMOTE_NAME and DVC_REMOTE_URL must be set together (or neither)');
  }
  return { remotes, defaultName };
}

export function pickRemote(selection: RemoteSelection, requested: string | undefined): RemoteConfig {
  const name = requested ?? selection.defaultName;
  if (!name)
    throw new InputError(
      'no remote provided and no default remote set; use -r NAME, or `mlops-dvc remote add -d NAME URL`, ' +
        'or set DVC_REMOTE_NAME and DVC_REMOTE_URL',
    );
  const remote = selection.remotes.get(name);
  if (!remote)
    throw new InputError(
      `remote '${name}' does not exist (known: ${[...selection.remotes.keys()].join(', ') || 'none'})`,
    );
  if (!remote.url) throw new InputError(`remote '${name}' has no url`);
  return remote;
}

/** Credentials may also come from the config; list them so messages can be scrubbed. */
export function secretValues(remote: RemoteConfig): string[] {
  return Object.entries(remote.options)
    .filter(([k]) => SECRET_KEYS.has(k))
    .map(([, v]) => v);
}

/**
 * A cloud remote's module, loaded only when that remote is used. Its specifier is computed so that the CLI bundle
 * (dist/main.cjs) leaves the cloud SDKs out: parsing them cost ~20 MB of memory and start-up time in every run,
 * local pulls included. From the bundle it loads the remote's own bundle beside it (dist/NAME.mjs: the module with
 * its SDK, package.json "bundleWorkers", in the Docker image too, which has no node_modules); from tsc's output or
 * the sources, the module next to this one.
 */
async function remoteModule<T>(name: string): Promise<T> {
  const here = import.meta.url;
  const rel = here.endsWith('.cjs')
    ? `./${name}.mjs`
    : `./remotes/${name}${here.endsWith('.ts') ? '.ts' : '.js'}`;
  return (await import(new URL(rel, here).href)) as T;
}

function adopt<T extends object>(make: () => T): T {
  let target: T;
  try {
    target = make();
  } catch (error) {
    throw rebrand(error);
  }
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v = Reflect.get(t, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        try {
          const r = (v as (...a: unknown[]) => unknown).apply(t, args);
          return r instanceof Promise ? r.catch((error: unknown) => Promise.reject(rebrand(error))) : r;
        } catch (error) {
          throw rebrand(error);
        }
      };
    },
  });
}

/** Cloud SDKs load only when their remote is used (they cost seconds of start-up). */
export async function openBackend(remote: RemoteConfig, jobs: number): Promise<RemoteBackend> {
  const display = redactUrl(remote.url);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(remote.url)?.[1]?.toLowerCase();
  if (!scheme) return new LocalRemote(remote.url, display);
  // A cloud SDK's JavaScript (signing, HTTP, XML) is hot from here on: Turbofan and V8's young-generation growth.
  fullRuntime();
  const url = new URL(remote.url);
  const o = remote.options;
  switch (scheme) {
    case 's3': {
      const { S3Remote } = await remoteModule<typeof import('./remotes/s3.js')>('s3');
      return adopt(() => new S3Remote(display, url, o, Math.max(jobs, 1)));
    }
    case 'azure': {
      const { AzureRemote } = await remoteModule<typeof import('./remotes/azure.js')>('azure');
      return adopt(() => new AzureRemote(display, url, o));
    }
    case 'gs': {
      const { GcsRemote } = await remoteModule<typeof import('./remotes/gcs.js')>('gcs');
      return adopt(() => new GcsRemote(display, url, o));
    }
    case 'http':
    case 'https':
      // No SDK behind it: imported statically. A dynamic import() of a bundled module makes esbuild wrap it and
      // every module it reaches (@mlops/core's index, zod) in lazy initialisers, which defeats tree shaking: the
      // bundle grew by 7 KB of zod and every run's peak RSS by ~0.5 MB.
      return new HttpRemote(display, remote.url, o);
    default:
      throw new InputError(
        `remote '${remote.name}': unsupported URL scheme '${scheme}' (local path, file, s3, azure, gs, http, https)`,
      );
  }
}

/** Warn when credentials sit in the tracked config (the predecessor's setup script put them there). */
export function warnTrackedSecrets(repo: Repo, logger: Logger): void {
  for (const [section, values] of repo.config.sections()) {
    for (const k of values.keys())
      if (SECRET_KEYS.has(k))
        logger.warn(
          `.dvc/config [${section}] holds '${k}', a credential in a git-tracked file; move it with \`mlops-dvc remote modify --local\``,
        );
  }
}

export { remoteSection };
