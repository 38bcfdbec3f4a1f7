/**
 * The commit checked out in the git working tree around a folder, for MLflow's `mlflow.source.git.commit` tag.
 * Read from the repository's files (HEAD, loose refs, packed-refs, worktree `.git` files), which is what MLflow's
 * GitPython does too, instead of starting a `git` process on every run (~15 ms of CPU and more of waiting). Ref
 * storage this does not know (the reftable format) falls back to `git rev-parse HEAD`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The git folder for the working tree containing `start` (following a worktree's or submodule's `.git` file). */
function findGitDir(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    try {
      const s = statSync(dotGit);
      if (s.isDirectory()) return dotGit;
      if (s.isFile()) {
        const m = /^gitdir: (.+)$/m.exec(readText(dotGit) ?? '');
        if (!m) return undefined;
        const target = m[1]!.trim();
        return isAbsolute(target) ? target : resolve(dir, target);
      }
    } catch {
      // no .git here: look further up
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** A ref's object id from a git folder: loose file first, then packed-refs. */
function resolveRef(gitDir: string, commonDir: string, ref: string): string | undefined {
  for (const base of gitDir === commonDir ? [gitDir] : [gitDir, commonDir]) {
    const loose = readText(join(base, ref))?.trim();
    if (loose && OBJECT_ID.test(loose)) return loose;
  }
  const packed = readText(join(commonDir, 'packed-refs'));
  if (packed) {
    for (const line of packed.split('\n')) {
      const [id, name] = line.trim().split(' ');
      if (name === ref && id && OBJECT_ID.test(id)) return id;
    }
  }
  return undefined;
}

function fromFiles(start: string): string | undefined | null {
  const gitDir = findGitDir(start);
  if (!gitDir) return undefined;
  const common = readText(join(gitDir, 'commondir'))?.trim();
  const commonDir = common ? resolve(gitDir, common) : gitDir;
  const head = readText(join(gitDir, 'HEAD'))?.trim();
  if (!head) return null;
  if (OBJECT_ID.test(head)) return head; // detached HEAD
  const m = /^ref: (refs\/\S+)$/.exec(head);
  if (!m) return null;
  // null: a repository this reader cannot resolve (e.g. reftable, or an unborn branch): ask git
  return resolveRef(gitDir, commonDir, m[1]!) ?? null;
}

function fromGitCommand(cwd: string): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    })
      .toString()
      .trim();
    return OBJECT_ID.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

/** The commit id HEAD points to in the working tree around `start`, or undefined outside a repository. */
export function gitHeadCommit(start: string): string | undefined {
  const found = fromFiles(start);
  return found === null ? fromGitCommand(start) : found;
}
