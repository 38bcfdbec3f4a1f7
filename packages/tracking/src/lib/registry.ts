/**
 * MLflow's model registry, on both backends:
 * - the file store's layout (mlflow/store/model_registry/file_store.py), so real MLflow reads what we write:
 *   `<root>/models/<name>/meta.yaml`, `…/tags/<key>`, `…/aliases/<alias>` (a file holding the version number, the
 *   only place aliases live), `…/version-<n>/meta.yaml` and `…/version-<n>/tags/<key>`;
 * - the REST API 2.0 (`registered-models/*`, `model-versions/*`, `registered-models/alias`).
 * Plus the policy the pipeline uses: register each trained bundle as a new version and move the champion alias
 * to it only when it beats the current champion on the chosen metric (never a silent downgrade).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FailureError, InputError } from '@mlops/core';
import {
  copyTree,
  fileUriToPath,
  listDirs,
  listFilesRecursive,
  readText,
  replaceFile,
} from './file-store.js';
import { dumpPyYaml } from './filestore-format.js';
import { parse } from 'yaml';
import { RestStore, TrackingError } from './rest-store.js';

export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string | null;
  tags: Record<string, string>;
  /** alias → version */
  aliases: Record<string, string>;
}

export interface ModelVersion {
  name: string;
  version: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string | null;
  source: string;
  runId: string | null;
  status: string;
  tags: Record<string, string>;
  aliases: string[];
}

export interface CreateVersionInput {
  name: string;
  source: string;
  runId?: string;
  tags?: Record<string, string>;
  description?: string;
}

export interface ModelRegistry {
  readonly location: string;
  getRegisteredModel(name: string): Promise<RegisteredModel | undefined>;
  /** The registered model, created (with `description`) when absent. */
  ensureRegisteredModel(name: string, description?: string): Promise<RegisteredModel>;
  listRegisteredModels(): Promise<RegisteredModel[]>;
  createModelVersion(input: CreateVersionInput): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion | undefined>;
  listModelVersions(name: string): Promise<ModelVersion[]>;
  setAlias(name: string, alias: string, version: string): Promise<void>;
  getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined>;
  /** Download a version's artifacts (its `source`) into a local folder; returns the relative files written. */
  downloadArtifacts(source: string, destDir: string): Promise<string[]>;
}

// Names as MLflow validates them (_validate_model_name / alias name): no path tricks in a file-store path.
const MODEL_NAME = /^[^/\\:]+$/;
const ALIAS_NAME = /^[\w-]{1,255}$/;

function checkName(name: string): void {
  if (
    typeof name !== 'string' ||
    name.trim() === '' ||
    !MODEL_NAME.test(name) ||
    name === '.' ||
    name === '..'
  )
    throw new InputError(`invalid registered model name '${name}'`);
}
function checkAlias(alias: string): void {
  // MLflow reserves "latest" and version-like aliases ("v1") for its URIs.
  if (!ALIAS_NAME.test(alias) || alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias))
    throw new InputError(
      `invalid model alias '${alias}' (letters, digits, _ and -; not "latest" or "v<number>")`,
    );
}
function checkVersion(version: string): void {
  if (!/^[1-9]\d*$/.test(version)) throw new InputError(`invalid model version '${version}'`);
}

/** The registry of an MLflow file store (the folder of a `file:` tracking URI). */
export class FileRegistry implements ModelRegistry {
  readonly location: string;
  private readonly models: string;

  constructor(
    readonly root: string,
    private readonly now: () => number = Date.now,
  ) {
    this.location = root;
    this.models = join(root, 'models');
  }

  private modelDir(name: string): string {
    checkName(name);
    return join(this.models, name);
  }

  private async readTags(dir: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    for (const key of await listFilesRecursive(join(dir, 'tags')))
      tags[key] = (await readText(join(dir, 'tags', key))) ?? '';
    return tags;
  }

  private async readAliases(modelDir: string): Promise<Record<string, string>> {
    const aliases: Record<string, string> = {};
    for (const alias of await listFilesRecursive(join(modelDir, 'aliases')))
      aliases[alias] = ((await readText(join(modelDir, 'aliases', alias))) ?? '').trim();
    return aliases;
  }

  private async readMeta(path: string): Promise<Record<string, unknown> | undefined> {
    const text = await readText(path);
    if (text === undefined) return undefined;
    let meta: unknown;
    try {
      meta = parse(text);
    } catch (error) {
      throw new FailureError(`${path}: unreadable meta.yaml (${(error as Error).message})`);
    }
    if (!meta || typeof meta !== 'object')
      throw new FailureError(`${path}: unreadable meta.yaml (not a mapping)`);
    return meta as Record<string, unknown>;
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    const dir = this.modelDir(name);
    const meta = await this.readMeta(join(dir, 'meta.yaml'));
    if (!meta) return undefined;
    return {
      name: String(meta['name'] ?? name),
      creationTimestamp: Number(meta['creation_timestamp'] ?? 0),
      lastUpdatedTimestamp: Number(meta['last_updated_timestamp'] ?? 0),
      description: (meta['description'] as string | null | undefined) ?? null,
      tags: await this.readTags(dir),
      aliases: await this.readAliases(dir),
    };
  }

  /** meta.yaml of a registered model as MLflow writes it: dict(RegisteredModel) minus tags and latest_versions. */
  private async writeModelMeta(model: RegisteredModel): Promise<void> {
    const dir = this.modelDir(model.name);
    await replaceFile(
      join(dir, 'meta.yaml'),
      dumpPyYaml({
        aliases: model.aliases,
        creation_timestamp: model.creationTimestamp,
        description: model.description,
        last_updated_timestamp: model.lastUpdatedTimestamp,
        name: model.name,
      }),
      dir,
    );
  }

  async ensureRegisteredModel(name: string, description?: string): Promise<RegisteredModel> {
    const found = await this.getRegisteredModel(name);
    if (found) return found;
    const t = this.now();
    const model: RegisteredModel = {
      name,
      creationTimestamp: t,
      lastUpdatedTimestamp: t,
      description: description ?? null,
      tags: {},
      aliases: {},
    };
    await this.writeModelMeta(model);
    return model;
  }

  async listRegisteredModels(): Promise<RegisteredModel[]> {
    const out: RegisteredModel[] = [];
    for (const name of (await listDirs(this.models)).sort()) {
      const m = await this.getRegisteredModel(name);
      if (m) out.push(m);
    }
    return out;
  }

  private async readVersion(name: string, versionDir: string): Promise<ModelVersion | undefined> {
    const dir = join(this.modelDir(name), versionDir);
    const meta = await this.readMeta(join(dir, 'meta.yaml'));
    if (!meta) return undefined;
    const version = String(meta['version']);
    const aliases = Object.entries(await this.readAliases(this.modelDir(name)))
      .filter(([, v]) => v === version)
      .map(([a]) => a);
    return {
      name: String(meta['name'] ?? name),
      version,
      creationTimestamp: Number(meta['creation_timestamp'] ?? 0),
      lastUpdatedTimestamp: Number(meta['last_updated_timestamp'] ?? 0),
      description: (meta['description'] as string | null | undefined) ?? null,
      source: String(meta['source'] ?? ''),
      runId: (meta['run_id'] as string | null | undefined) ?? null,
      status: String(meta['status'] ?? 'READY'),
      tags: await this.readTags(dir),
      aliases,
    };
  }

  async listModelVersions(name: string): Promise<ModelVersion[]> {
    const out: ModelVersion[] = [];
    for (const d of await listDirs(this.modelDir(name))) {
      if (!/^version-\d+$/.test(d)) continue;
      const v = await this.readVersion(name, d);
      if (v) out.push(v);
    }
    return out.sort((a, b) => Number(a.version) - Number(b.version));
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion | undefined> {
    checkVersion(version);
    return this.readVersion(name, `version-${version}`);
  }

  async createModelVersion(input: CreateVersionInput): Promise<ModelVersion> {
    const model = await this.ensureRegisteredModel(input.name);
    const dir = this.modelDir(input.name);
    // The next number; the version folder is created with mkdir (exclusive), so two racing writers never share one.
    const { mkdir } = await import('node:fs/promises');
    for (let attempt = 0; attempt < 100; attempt++) {
      const versions = (await listDirs(dir))
        .filter((d) => /^version-\d+$/.test(d))
        .map((d) => Number(d.slice(8)));
      const version = String((versions.length ? Math.max(...versions) : 0) + 1);
      const vdir = join(dir, `version-${version}`);
      try {
        await mkdir(vdir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      const t = this.now();
      await replaceFile(
        join(vdir, 'meta.yaml'),
        dumpPyYaml({
          aliases: [],
          creation_timestamp: t,
          current_stage: 'None',
          description: input.description ?? null,
          last_updated_timestamp: t,
          name: input.name,
          run_id: input.runId ?? null,
          run_link: null,
          source: input.source,
          status: 'READY',
          status_message: null,
          storage_location: input.source,
          user_id: null,
          version: Number(version),
        }),
        vdir,
      );
      for (const [key, value] of Object.entries(input.tags ?? {}))
        await replaceFile(join(vdir, 'tags', key), value, vdir);
      await this.writeModelMeta({ ...model, lastUpdatedTimestamp: t, aliases: await this.readAliases(dir) });
      return (await this.readVersion(input.name, `version-${version}`))!;
    }
    throw new FailureError(`could not allocate a version number for model ${input.name} in ${this.models}`);
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    checkAlias(alias);
    if (!(await this.getModelVersion(name, version)))
      throw new InputError(`model ${name} has no version ${version} (in ${this.models})`);
    const dir = this.modelDir(name);
    await replaceFile(join(dir, 'aliases', alias), version, dir);
    const model = (await this.getRegisteredModel(name))!;
    await this.writeModelMeta({ ...model, lastUpdatedTimestamp: this.now() });
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    checkAlias(alias);
    const version = (await readText(join(this.modelDir(name), 'aliases', alias)))?.trim();
    return version ? this.getModelVersion(name, version) : undefined;
  }

  async downloadArtifacts(source: string, destDir: string): Promise<string[]> {
    if (!source.startsWith('file:'))
      throw new FailureError(`model source ${source} is not a local folder (file: URI) of this file store`);
    return copyTree(fileUriToPath(source), destDir);
  }
}

interface RestRegisteredModel {
  name: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  description?: string;
  tags?: Array<{ key: string; value: string }>;
  aliases?: Array<{ alias: string; version: string }>;
}
interface RestModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  tags?: Array<{ key: string; value: string }>;
  aliases?: string[];
}

const tagMap = (tags?: Array<{ key: string; value: string }>) =>
  Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));

function toModel(m: RestRegisteredModel): RegisteredModel {
  return {
    name: m.name,
    creationTimestamp: Number(m.creation_timestamp ?? 0),
    lastUpdatedTimestamp: Number(m.last_updated_timestamp ?? 0),
    description: m.description ?? null,
    tags: tagMap(m.tags),
    aliases: Object.fromEntries((m.aliases ?? []).map((a) => [a.alias, String(a.version)])),
  };
}
function toVersion(v: RestModelVersion): ModelVersion {
  return {
    name: v.name,
    version: String(v.version),
    creationTimestamp: Number(v.creation_timestamp ?? 0),
    lastUpdatedTimestamp: Number(v.last_updated_timestamp ?? 0),
    description: v.description ?? null,
    source: v.source ?? '',
    runId: v.run_id ?? null,
    status: v.status ?? 'READY',
    tags: tagMap(v.tags),
    aliases: v.aliases ?? [],
  };
}
const notFound = (error: unknown) =>
  error instanceof TrackingError && error.errorCode === 'RESOURCE_DOES_NOT_EXIST';

/** The registry of an MLflow tracking server (REST API 2.0). */
export class RestRegistry implements ModelRegistry {
  readonly location: string;
  constructor(private readonly store: RestStore) {
    this.location = store.location;
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    checkName(name);
    try {
      const r = await this.store.call<{ registered_model: RestRegisteredModel }>(
        'GET',
        'registered-models/get',
        { name },
      );
      return toModel(r.registered_model);
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  async ensureRegisteredModel(name: string, description?: string): Promise<RegisteredModel> {
    const found = await this.getRegisteredModel(name);
    if (found) return found;
    try {
      const r = await this.store.call<{ registered_model: RestRegisteredModel }>(
        'POST',
        'registered-models/create',
        {
          name,
          ...(description ? { description } : {}),
        },
      );
      return toModel(r.registered_model);
    } catch (error) {
      // Another writer created it in between.
      if (error instanceof TrackingError && error.errorCode === 'RESOURCE_ALREADY_EXISTS')
        return (await this.getRegisteredModel(name))!;
      throw error;
    }
  }

  async listRegisteredModels(): Promise<RegisteredModel[]> {
    const out: RegisteredModel[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.store.call<{
        registered_models?: RestRegisteredModel[];
        next_page_token?: string;
      }>('GET', 'registered-models/search', { max_results: 1000, page_token: pageToken });
      out.push(...(r.registered_models ?? []).map(toModel));
      pageToken = r.next_page_token || undefined;
    } while (pageToken);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async createModelVersion(input: CreateVersionInput): Promise<ModelVersion> {
    await this.ensureRegisteredModel(input.name);
    const r = await this.store.call<{ model_version: RestModelVersion }>('POST', 'model-versions/create', {
      name: input.name,
      source: input.source,
      ...(input.runId ? { run_id: input.runId } : {}),
      ...(input.description ? { description: input.description } : {}),
      tags: Object.entries(input.tags ?? {}).map(([key, value]) => ({ key, value })),
    });
    return toVersion(r.model_version);
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion | undefined> {
    checkName(name);
    checkVersion(version);
    try {
      const r = await this.store.call<{ model_version: RestModelVersion }>('GET', 'model-versions/get', {
        name,
        version,
      });
      return toVersion(r.model_version);
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  async listModelVersions(name: string): Promise<ModelVersion[]> {
    checkName(name);
    const out: ModelVersion[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.store.call<{ model_versions?: RestModelVersion[]; next_page_token?: string }>(
        'GET',
        'model-versions/search',
        { filter: `name='${name.replaceAll("'", "\\'")}'`, max_results: 1000, page_token: pageToken },
      );
      out.push(...(r.model_versions ?? []).map(toVersion));
      pageToken = r.next_page_token || undefined;
    } while (pageToken);
    return out.sort((a, b) => Number(a.version) - Number(b.version));
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    checkName(name);
    checkAlias(alias);
    checkVersion(version);
    await this.store.call('POST', 'registered-models/alias', { name, alias, version });
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    checkName(name);
    checkAlias(alias);
    try {
      const r = await this.store.call<{ model_version: RestModelVersion }>('GET', 'registered-models/alias', {
        name,
        alias,
      });
      return toVersion(r.model_version);
    } catch (error) {
      if (
        notFound(error) ||
        (error instanceof TrackingError && error.errorCode === 'INVALID_PARAMETER_VALUE')
      )
        return undefined;
      throw error;
    }
  }

  async downloadArtifacts(source: string, destDir: string): Promise<string[]> {
    return this.store.downloadArtifacts(source, destDir);
  }
}

/** A `models:/` URI: `models:/NAME/VERSION`, `models:/NAME@ALIAS` (MLflow's forms; `latest` is not supported). */
export interface ModelUri {
  name: string;
  version?: string;
  alias?: string;
}

export function parseModelUri(uri: string): ModelUri {
  const m = /^models:\/([^/@]+)(?:\/([^/]+)|@([^/]+))\/?$/.exec(uri);
  if (!m) throw new InputError(`MODEL_URI '${uri}': expected models:/NAME/VERSION or models:/NAME@ALIAS`);
  const name = decodeURIComponent(m[1]!);
  checkName(name);
  if (m[2] !== undefined) {
    checkVersion(m[2]);
    return { name, version: m[2] };
  }
  checkAlias(m[3]!);
  return { name, alias: m[3]! };
}

/** The model version a `models:/` URI names, or an InputError naming what is missing. */
export async function resolveModelUri(registry: ModelRegistry, uri: string): Promise<ModelVersion> {
  const parsed = parseModelUri(uri);
  const model = await registry.getRegisteredModel(parsed.name);
  if (!model)
    throw new InputError(`MODEL_URI ${uri}: no registered model '${parsed.name}' in ${registry.location}`);
  const version = parsed.version
    ? await registry.getModelVersion(parsed.name, parsed.version)
    : await registry.getVersionByAlias(parsed.name, parsed.alias!);
  if (!version)
    throw new InputError(
      `MODEL_URI ${uri}: model '${parsed.name}' has no ${parsed.version ? `version ${parsed.version}` : `alias '${parsed.alias}'`}`,
    );
  return version;
}

export interface PromotionInput {
  name: string;
  source: string;
  runId?: string;
  tags?: Record<string, string>;
  alias: string;
  /** The version tag holding the comparison metric (e.g. `mlops.cv_score`), higher is better. */
  metricTag: string;
  metricValue: number;
  description?: string;
}

export interface PromotionResult {
  version: ModelVersion;
  promoted: boolean;
  previous?: { version: string; metric: number | undefined };
  reason: string;
}

/**
 * Register a new version and move `alias` to it when it beats the version holding the alias on `metricTag` (or
 * when no version holds it, or the holder has no such tag). A tie or a worse score keeps the champion.
 */
export async function registerAndPromote(
  registry: ModelRegistry,
  input: PromotionInput,
): Promise<PromotionResult> {
  if (!Number.isFinite(input.metricValue))
    throw new InputError(
      `${input.metricTag}: the score to promote on must be a finite number, got ${input.metricValue}`,
    );
  const version = await registry.createModelVersion({
    name: input.name,
    source: input.source,
    runId: input.runId,
    description: input.description,
    tags: { ...input.tags, [input.metricTag]: String(input.metricValue) },
  });
  const current = await registry.getVersionByAlias(input.name, input.alias);
  const currentScore = current ? Number(current.tags[input.metricTag]) : undefined;
  const previous = current
    ? { version: current.version, metric: Number.isFinite(currentScore) ? currentScore : undefined }
    : undefined;
  if (current && previous?.metric !== undefined && !(input.metricValue > previous.metric)) {
    return {
      version,
      promoted: false,
      previous,
      reason: `kept ${input.alias} on version ${current.version} (${input.metricTag} ${previous.metric} ≥ ${input.metricValue})`,
    };
  }
  await registry.setAlias(input.name, input.alias, version.version);
  return {
    version: { ...version, aliases: [...version.aliases, input.alias] },
    promoted: true,
    previous,
    reason: current
      ? `moved ${input.alias} from version ${current.version} (${input.metricTag} ${previous?.metric ?? 'unknown'}) to ${version.version} (${input.metricValue})`
      : `${input.alias} set to version ${version.version} (${input.metricTag} ${input.metricValue})`,
  };
}

/** The registry of a tracking store. */
export function registryOf(store: { kind: 'file' | 'rest' } & object): ModelRegistry {
  if (store instanceof RestStore) return new RestRegistry(store);
  const root = (store as { root?: string }).root;
  if (!root) throw new FailureError('this tracking store has no model registry');
  return new FileRegistry(root);
}

/** A file: URI of a local folder (sources of versions registered in a file store). */
export function folderUri(path: string): string {
  return pathToFileURL(path).href;
}
