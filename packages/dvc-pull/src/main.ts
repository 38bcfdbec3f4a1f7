#!/usr/bin/env node
/**
 * mlops-dvc: DVC 3-compatible data commands without Python.
 *   pull [targets] [-r REMOTE] [-j N] [--force] [--persist]   fetch + checkout
 *   fetch [targets] [-r REMOTE] [-j N]                        remote → cache
 *   checkout [targets] [--force]                              cache → workspace
 *   push [targets] [-r REMOTE] [-j N]                         cache → remote
 *   add PATH…                                                 workspace → cache + PATH.dvc
 *   commit [stages…]                                          pipeline stages → dvc.lock + cache
 *   status [targets] [-c] [-r REMOTE] [--json]
 *   remote add|list|default|modify|remove [--local] …
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { HelpRequested, InputError, createLogger, parseCli, runCli, type Logger } from '@mlops/core';
import { openRepo, resolveUrl, selectRemotes, warnTrackedSecrets } from './lib/repo.js';
import {
  defaultJobs,
  runAdd,
  runCheckout,
  runCommit,
  runFetch,
  runPull,
  runPush,
  runStatus,
  type OpContext,
} from './lib/ops.js';
import {
  persistEnvRemote,
  remoteAdd,
  remoteDefault,
  remoteList,
  remoteModify,
  remoteRemove,
} from './lib/remotecmd.js';
import { collectOuts, collectStages } from './lib/workspace.js';
import { runMetricsDiff, runMetricsShow, runParamsDiff } from './lib/ops/compare.js';
import { leanRuntime } from './lib/runtime.js';

const GLOBAL = `Global options (before or after the command):
  -C, --cwd DIR   run as if started in DIR (the repository is found by walking up to the folder holding .dvc/)
  -q, --quiet     only errors on stderr
  -v, --verbose   debug logging
  -h, --help      this help`;

const USAGE = `usage: mlops-dvc <command> [options]

DVC 3-compatible data versioning (same .dvc files, .dvc/config, cache and remote layout) without Python.

Commands:
  pull [targets…]      fetch missing objects from the remote, then check them out
  fetch [targets…]     download objects into the cache only
  checkout [targets…]  write tracked files from the cache into the workspace
  push [targets…]      upload cached objects to the remote
  add PATH…            track a file or folder: cache it and write PATH.dvc
  status [targets…]    workspace vs cache; with -c, cache vs remote
  commit [stages…]     record pipeline stages in dvc.lock and cache their outputs
  params diff          params the stages declare: git HEAD vs workspace
  metrics show|diff    metrics files dvc.yaml declares: workspace, or HEAD vs workspace
  remote …             add | list | default | modify | remove remotes

Remotes: local paths and file://, s3://, azure://, gs://, http(s):// (read-only).
Environment: DVC_REMOTE_NAME + DVC_REMOTE_URL select (and define) the default remote for the run.
Exit codes: 0 ok, 1 failure, 2 bad input or configuration.

${GLOBAL}

Run 'mlops-dvc <command> --help' for a command's options.`;

const TRANSFER_OPTS = {
  remote: { type: 'string', short: 'r' },
  jobs: { type: 'string', short: 'j' },
} as const;
const GLOBAL_OPTS = {
  cwd: { type: 'string', short: 'C' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

const HELP: Record<string, string> = {
  pull: `usage: mlops-dvc pull [targets…] [-r REMOTE] [-j N] [--force] [--persist]

Fetch every object the targets need (all .dvc files of the repository when none are given) from the remote
into .dvc/cache, verifying each object's md5, then check the outputs out into the workspace.
  targets          .dvc files, tracked paths (PATH for PATH.dvc) or folders holding .dvc files
  -r, --remote     remote name (default: core.remote, or DVC_REMOTE_NAME)
  -j, --jobs N     parallel transfers (default 4 × cores = ${defaultJobs()})
  -f, --force      overwrite local modifications of tracked files
  --persist        write the DVC_REMOTE_NAME/DVC_REMOTE_URL remote to .dvc/config.local as the default

${GLOBAL}`,
  fetch: `usage: mlops-dvc fetch [targets…] [-r REMOTE] [-j N]

Download missing objects into .dvc/cache (verified); the workspace is not touched.

${GLOBAL}`,
  checkout: `usage: mlops-dvc checkout [targets…] [-f] [-j N]

Write the tracked files from the cache into the workspace (atomically, each object verified).
  -f, --force      overwrite local modifications (and remove untracked files inside tracked folders)

${GLOBAL}`,
  push: `usage: mlops-dvc push [targets…] [-r REMOTE] [-j N]

Upload the cached objects of the targets that the remote lacks (files first, a folder's .dir object last).

${GLOBAL}`,
  add: `usage: mlops-dvc add PATH…

Hash PATH (a file or a folder, honouring .dvcignore), copy it into .dvc/cache and write PATH.dvc
(DVC 3 format, hash: md5); in a git repository '/NAME' is added to the .gitignore beside it.

${GLOBAL}`,
  commit: `usage: mlops-dvc commit [stages…]

Record dvc.yaml stages in dvc.lock as \`dvc commit\` does (cmd; deps and outs with md5, size, nfiles, isexec;
the values of the params keys each stage reads) and store their cached outputs in .dvc/cache. Stages are names
(\`eda\`, \`sub/dvc.yaml:eda\`), dvc.yaml files or output paths; none: every stage. Unchanged files are not read
again (inode, mtime and size are remembered in .dvc/tmp, as DVC's state does); dvc.lock is rewritten only when it
changes.

${GLOBAL}`,
  params: `usage: mlops-dvc params diff [--all] [--json] [--md]

The values of the params keys the dvc.yaml stages declare, at git HEAD and in the workspace, as \`dvc params diff\`
prints them (changed keys only unless --all).

${GLOBAL}`,
  metrics: `usage: mlops-dvc metrics show|diff [--all] [--json] [--md] [--precision N]

show: the metrics files dvc.yaml declares (a stage's \`metrics:\` or the top-level list), one row per file;
diff: HEAD vs workspace with the change, as \`dvc metrics show/diff\` print them (floats rounded to 5 digits).

${GLOBAL}`,
  status: `usage: mlops-dvc status [targets…] [-c] [-r REMOTE] [--json]

Without -c: compare the workspace with the .dvc files and the cache (deleted, modified, not in cache).
With -c/--cloud (or -r): compare the cache with the remote (new: only in cache, deleted: only on the remote,
missing: in neither).

${GLOBAL}`,
  remote: `usage: mlops-dvc remote <add|list|default|modify|remove> [--local] …

  remote add [-d] [-f] NAME URL        add a remote (-d: make it the default, -f: replace)
  remote list                          NAME<TAB>URL for every remote
  remote default [NAME] [--unset]      show or set the default remote
  remote modify NAME OPTION VALUE      set an option (region, endpointurl, profile, …); --unset removes it
  remote remove NAME
  --local   edit .dvc/config.local (git-ignored) instead of .dvc/config

Credentials (access_key_id, secret_access_key, session_token, account_key, connection_string, sas_token,
password, …) are always written to .dvc/config.local: given without --local they go there with a warning.

${GLOBAL}`,
};

function parseJobs(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new InputError(`--jobs must be an integer from 1 to 1024, got '${value}'`);
  return n;
}

function makeLogger(base: Logger, quiet: boolean | undefined, verbose: boolean | undefined): Logger {
  if (!quiet && !verbose) return base;
  return createLogger({
    name: base.name,
    level: quiet ? 'error' : 'debug',
    json: base.json,
    sink: base.sink,
  });
}

export async function main(argv: string[], baseLogger: Logger): Promise<number | void> {
  // A global -C/--cwd may come before the command; its value is not the command.
  let command: string | undefined;
  let idx = -1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-C' || a === '--cwd') {
      i++;
      continue;
    }
    if (!a.startsWith('-')) {
      command = a;
      idx = i;
      break;
    }
  }
  if (!command) {
    if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) throw new HelpRequested(USAGE);
    throw new InputError(`no command given\n\n${USAGE}`);
  }
  const rest = [...argv.slice(0, idx), ...argv.slice(idx + 1)];
  const print = (line: string) => {
    if (line !== '') process.stdout.write(`${line}\n`);
  };

  if (command === 'remote') return remoteCommand(rest, baseLogger, print);
  if (!(command in HELP)) throw new InputError(`unknown command '${command}'\n\n${USAGE}`);

  const { values, positionals } = parseCli(
    rest,
    {
      ...GLOBAL_OPTS,
      ...TRANSFER_OPTS,
      force: { type: 'boolean', short: 'f' },
      persist: { type: 'boolean' },
      cloud: { type: 'boolean', short: 'c' },
      json: { type: 'boolean' },
      md: { type: 'boolean' },
      all: { type: 'boolean', short: 'a' },
      precision: { type: 'string' },
    },
    HELP[command]!,
  );
  const allowed: Record<string, string[]> = {
    pull: ['remote', 'jobs', 'force', 'persist'],
    fetch: ['remote', 'jobs'],
    checkout: ['force', 'jobs'],
    push: ['remote', 'jobs'],
    add: ['jobs'],
    commit: ['jobs'],
    params: ['json', 'md', 'all'],
    metrics: ['json', 'md', 'all', 'precision'],
    status: ['remote', 'jobs', 'cloud', 'json'],
  };
  for (const k of Object.keys(values))
    if (!(k in GLOBAL_OPTS) && !allowed[command]!.includes(k))
      throw new InputError(`option --${k} does not apply to '${command}'`);

  const logger = makeLogger(baseLogger, values.quiet, values.verbose);
  // Transfers are system calls and md5: V8 set for memory, not JavaScript speed, until a cloud remote opens.
  if (['pull', 'fetch', 'checkout', 'push'].includes(command)) leanRuntime();
  const cwd = resolve(values.cwd ?? process.cwd());
  const jobs = parseJobs(values.jobs, defaultJobs());
  // File I/O runs on libuv's pool (4 threads by default); let -j transfers really run in parallel. It takes effect
  // because no asynchronous file operation has run yet in this process (libuv reads it at first use).
  process.env['UV_THREADPOOL_SIZE'] ??= String(Math.min(64, Math.max(4, jobs)));
  const repo = await openRepo(cwd);
  warnTrackedSecrets(repo, logger);
  const ctx: OpContext = {
    repo,
    cwd,
    env: process.env,
    logger,
    print,
    jobs,
  };
  if (values.remote) ctx.remoteName = values.remote;
  // Validate the env contract early (exit 2 on half-set variables), and log the selected remote once.
  if (!['add', 'checkout', 'commit', 'params', 'metrics'].includes(command))
    selectRemotes(repo, process.env, cwd, logger);

  switch (command) {
    case 'pull': {
      if (values.persist) {
        const name = process.env['DVC_REMOTE_NAME'];
        const url = process.env['DVC_REMOTE_URL'];
        if (!name || !url) throw new InputError('--persist needs DVC_REMOTE_NAME and DVC_REMOTE_URL');
        const resolved = resolveUrl(url, cwd);
        const stored =
          isAbsolute(resolved) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)
            ? relative(repo.dvcDir, resolved)
            : url;
        await persistEnvRemote(repo, name, stored);
        logger.info(`remote '${name}' written to .dvc/config.local as the default`);
      }
      return runPull(ctx, await collectOuts(repo.root, cwd, positionals), Boolean(values.force));
    }
    case 'fetch':
      return runFetch(ctx, await collectOuts(repo.root, cwd, positionals));
    case 'checkout':
      return runCheckout(ctx, await collectOuts(repo.root, cwd, positionals), Boolean(values.force));
    case 'push':
      return runPush(ctx, await collectOuts(repo.root, cwd, positionals));
    case 'add':
      if (positionals.length === 0) throw new InputError(`add needs a PATH\n\n${HELP['add']}`);
      for (const p of positionals) await runAdd(ctx, p);
      return;
    case 'params':
    case 'metrics': {
      const sub = positionals[0];
      const subs = command === 'params' ? ['diff'] : ['show', 'diff'];
      if (!sub || !subs.includes(sub) || positionals.length > 1)
        throw new InputError(`${command} takes one of: ${subs.join(', ')} (no targets)\n\n${HELP[command]}`);
      let precision: number | undefined;
      if (values.precision !== undefined) {
        precision = Number(values.precision);
        if (!Number.isInteger(precision) || precision < 0 || precision > 20)
          throw new InputError(`--precision must be an integer from 0 to 20, got '${values.precision}'`);
      }
      const opts = {
        json: Boolean(values.json),
        markdown: Boolean(values.md),
        all: Boolean(values.all),
        ...(precision !== undefined ? { precision } : {}),
      };
      if (command === 'params') return runParamsDiff(ctx, opts);
      return sub === 'show' ? runMetricsShow(ctx, opts) : runMetricsDiff(ctx, opts);
    }
    case 'commit':
      return runCommit(ctx, await collectStages(repo.root, cwd, positionals), positionals.length > 0);
    case 'status':
      return runStatus(ctx, await collectStages(repo.root, cwd, positionals), {
        cloud: Boolean(values.cloud || values.remote),
        json: Boolean(values.json),
      });
  }
}

async function remoteCommand(argv: string[], baseLogger: Logger, print: (l: string) => void): Promise<void> {
  const { values, positionals } = parseCli(
    argv,
    {
      ...GLOBAL_OPTS,
      local: { type: 'boolean' },
      default: { type: 'boolean', short: 'd' },
      force: { type: 'boolean', short: 'f' },
      unset: { type: 'boolean', short: 'u' },
    },
    HELP['remote']!,
  );
  const [sub, ...args] = positionals;
  const logger = makeLogger(baseLogger, values.quiet, values.verbose);
  const repo = await openRepo(resolve(values.cwd ?? process.cwd()));
  const ctx = { repo, logger, print };
  const local = Boolean(values.local);
  const expect = (n: number, max = n) => {
    if (args.length < n || args.length > max)
      throw new InputError(`remote ${sub}: wrong number of arguments\n\n${HELP['remote']}`);
  };
  switch (sub) {
    case 'add':
      expect(2);
      return remoteAdd(ctx, {
        name: args[0],
        url: args[1],
        local,
        makeDefault: Boolean(values.default),
        force: Boolean(values.force),
      });
    case 'list':
      expect(0);
      return remoteList(ctx, { local, all: false });
    case 'default':
      expect(0, 1);
      return remoteDefault(ctx, { name: args[0], local, unset: Boolean(values.unset) });
    case 'modify':
      expect(values.unset ? 2 : 3);
      return remoteModify(ctx, {
        name: args[0],
        option: args[1],
        value: args[2],
        local,
        unset: Boolean(values.unset),
      });
    case 'remove':
      expect(1);
      return remoteRemove(ctx, { name: args[0], local });
    default:
      throw new InputError(`unknown remote subcommand '${sub ?? ''}'\n\n${HELP['remote']}`);
  }
}

void runCli('mlops-dvc', main);
