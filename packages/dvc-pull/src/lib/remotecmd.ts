/**
 * `remote add|list|default|modify|remove [--local]`: edits `.dvc/config` (tracked) or `.dvc/config.local`
 * (git-ignored). Credentials never go to the tracked file: `modify` of a secret key without --local writes it to
 * config.local instead and says so.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, urlHasCredentials, writeFileAtomic, type Logger } from '@mlops/core';
import { IniDocument, remoteNameOf, remoteSection } from './config.js';
import { redactUrl } from './redact.js';
import { SECRET_KEYS, type Repo } from './repo.js';

export const REMOTE_OPTIONS = new Set([
  'url',
  // s3
  'region',
  'profile',
  'credentialpath',
  'configpath',
  'endpointurl',
  'access_key_id',
  'secret_access_key',
  'session_token',
  'use_ssl',
  'allow_anonymous_login',
  'ssl_verify',
  'sse',
  'sse_kms_key_id',
  'acl',
  'read_timeout',
  'connect_timeout',
  'version_aware',
  'worktree',
  'jobs',
  'verify',
  // gs
  'projectname',
  // azure
  'connection_string',
  'sas_token',
  'account_name',
  'account_key',
  'tenant_id',
  'client_id',
  'client_secret',
  // http
  'auth',
  'custom_auth_header',
  'user',
  'password',
  'ask_password',
  'method',
]);

/**
 * The URL schemes DVC accepts for a remote (its config schema's remote types; a plain path is a local remote).
 * Anything else is refused when the remote is added or its url modified, as DVC does, not first at pull.
 */
export const DVC_REMOTE_SCHEMES = new Set([
  's3',
  'gs',
  'azure',
  'ssh',
  'hdfs',
  'webhdfs',
  'oss',
  'gdrive',
  'http',
  'https',
  'webdav',
  'webdavs',
  'file',
]);
/** The schemes this client can transfer with; the other DVC schemes are accepted with a warning. */
export const SUPPORTED_REMOTE_SCHEMES = new Set(['s3', 'gs', 'azure', 'http', 'https', 'file']);

/** Refuse a URL whose scheme DVC does not know (exit 2); warn for one DVC knows and this client cannot use. */
export function checkRemoteUrl(url: string, logger: Logger): void {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return; // a local path
  if (!DVC_REMOTE_SCHEMES.has(scheme))
    throw new InputError(
      `Unsupported URL type ${scheme}:// (DVC remotes are a path or one of ${[...DVC_REMOTE_SCHEMES].map((x) => `${x}://`).join(', ')})`,
    );
  if (!SUPPORTED_REMOTE_SCHEMES.has(scheme))
    logger.warn(
      `${scheme}:// remotes are valid for DVC but mlops-dvc cannot transfer with them (it supports a path, ${[...SUPPORTED_REMOTE_SCHEMES].map((x) => `${x}://`).join(', ')})`,
    );
}

export interface RemoteCmdContext {
  repo: Repo;
  logger: Logger;
  print: (line: string) => void;
}

async function save(repo: Repo, local: boolean, doc: IniDocument): Promise<void> {
  await writeFileAtomic(join(repo.dvcDir, local ? 'config.local' : 'config'), doc.toString());
  if (local) await ensureLocalIgnored(repo);
}

/** config.local must stay out of git, as `dvc init` arranges in .dvc/.gitignore. */
async function ensureLocalIgnored(repo: Repo): Promise<void> {
  const file = join(repo.dvcDir, '.gitignore');
  const text = await readFile(file, 'utf8').catch(() => '');
  if (text.split(/\r?\n/).includes('/config.local')) return;
  await writeFileAtomic(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}/config.local\n`);
}

const docOf = (repo: Repo, local: boolean) => (local ? repo.configLocal : repo.config);

function checkName(name: string | undefined): string {
  if (!name || !/^[A-Za-z0-9_.-]+$/.test(name))
    throw new InputError(`invalid remote name ${JSON.stringify(name ?? '')} (letters, digits, _ . -)`);
  return name;
}

function remoteExists(repo: Repo, name: string): boolean {
  return repo.config.hasSection(remoteSection(name)) || repo.configLocal.hasSection(remoteSection(name));
}

export async function remoteAdd(
  ctx: RemoteCmdContext,
  args: { name?: string; url?: string; local: boolean; makeDefault: boolean; force: boolean },
): Promise<void> {
  const name = checkName(args.name);
  if (!args.url) throw new InputError('remote add needs NAME and URL');
  checkRemoteUrl(args.url, ctx.logger);
  if (urlHasCredentials(args.url) && !args.local)
    throw new InputError(
      'the URL holds a credential (a password or a signed query string); keep credentials out of .dvc/config (use --local, or `remote modify --local NAME password …`)',
    );
  const doc = docOf(ctx.repo, args.local);
  const section = remoteSection(name);
  if (doc.hasSection(section) && !args.force)
    throw new InputError(`remote '${name}' already exists; use --force to replace it`);
  doc.removeSection(section);
  doc.set(section, 'url', args.url);
  if (args.makeDefault) doc.set('core', 'remote', name);
  await save(ctx.repo, args.local, doc);
  ctx.print(`Remote '${name}' -> ${redactUrl(args.url)}${args.makeDefault ? ' (default)' : ''}`);
}

export function remoteList(ctx: RemoteCmdContext, args: { local: boolean; all: boolean }): void {
  const docs = args.local
    ? [ctx.repo.configLocal]
    : args.all
      ? [ctx.repo.config, ctx.repo.configLocal]
      : [ctx.repo.config, ctx.repo.configLocal];
  const urls = new Map<string, string>();
  for (const d of docs)
    for (const [section, values] of d.sections()) {
      const name = remoteNameOf(section);
      if (name && values.has('url')) urls.set(name, values.get('url')!);
    }
  for (const [name, url] of urls) ctx.print(`${name}\t${redactUrl(url)}`);
}

export async function remoteDefault(
  ctx: RemoteCmdContext,
  args: { name?: string; local: boolean; unset: boolean },
): Promise<void> {
  const doc = docOf(ctx.repo, args.local);
  if (args.unset) {
    doc.unset('core', 'remote');
    await save(ctx.repo, args.local, doc);
    return;
  }
  if (!args.name) {
    const current = ctx.repo.configLocal.get('core', 'remote') ?? ctx.repo.config.get('core', 'remote');
    if (!current) throw new InputError('no default remote set');
    ctx.print(current);
    return;
  }
  const name = checkName(args.name);
  if (!remoteExists(ctx.repo, name)) throw new InputError(`remote '${name}' does not exist`);
  doc.set('core', 'remote', name);
  await save(ctx.repo, args.local, doc);
}

export async function remoteModify(
  ctx: RemoteCmdContext,
  args: { name?: string; option?: string; value?: string; local: boolean; unset: boolean },
): Promise<void> {
  const name = checkName(args.name);
  const option = args.option;
  if (!option) throw new InputError('remote modify needs NAME OPTION [VALUE]');
  if (!REMOTE_OPTIONS.has(option)) throw new InputError(`unknown remote option '${option}'`);
  if (!remoteExists(ctx.repo, name)) throw new InputError(`remote '${name}' does not exist`);
  const section = remoteSection(name);
  let local = args.local;
  if (args.unset) {
    const doc = docOf(ctx.repo, local);
    if (!doc.unset(section, option))
      throw new InputError(
        `option '${option}' is not set for remote '${name}'${local ? ' in config.local' : ''}`,
      );
    await save(ctx.repo, local, doc);
    return;
  }
  if (args.value === undefined) throw new InputError('remote modify needs a VALUE (or --unset)');
  if (option === 'url') {
    checkRemoteUrl(args.value, ctx.logger);
    if (urlHasCredentials(args.value) && !local)
      throw new InputError(
        'the URL holds a credential (a password or a signed query string); keep credentials out of .dvc/config (use --local)',
      );
  }
  if (SECRET_KEYS.has(option) && !local) {
    ctx.logger.warn(
      `'${option}' is a credential: writing it to .dvc/config.local (git-ignored), not .dvc/config`,
    );
    local = true;
    if (ctx.repo.config.unset(section, option)) await save(ctx.repo, false, ctx.repo.config);
  }
  const doc = docOf(ctx.repo, local);
  doc.set(section, option, args.value);
  await save(ctx.repo, local, doc);
}

export async function remoteRemove(
  ctx: RemoteCmdContext,
  args: { name?: string; local: boolean },
): Promise<void> {
  const name = checkName(args.name);
  const doc = docOf(ctx.repo, args.local);
  if (!doc.hasSection(remoteSection(name)))
    throw new InputError(`remote '${name}' does not exist${args.local ? ' in config.local' : ''}`);
  doc.removeSection(remoteSection(name));
  if (doc.get('core', 'remote') === name) doc.unset('core', 'remote');
  await save(ctx.repo, args.local, doc);
}

/** `--persist`: the env-selected remote goes to config.local only. */
export async function persistEnvRemote(repo: Repo, name: string, url: string): Promise<void> {
  const doc = repo.configLocal;
  doc.set(remoteSection(name), 'url', url);
  doc.set('core', 'remote', name);
  await save(repo, true, doc);
}
