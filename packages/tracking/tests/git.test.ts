import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitHeadCommit } from '../src/lib/git.js';

const root = mkdtempSync(join(tmpdir(), 'git-head-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.org',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.org',
    },
  }).trim();

function repo(name: string, commits = 2): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'sub/deeper'), { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  for (let k = 0; k < commits; k++) {
    writeFileSync(join(dir, 'f.txt'), String(k));
    git(dir, 'add', 'f.txt');
    git(dir, 'commit', '-q', '-m', `c${k}`);
  }
  return dir;
}

describe('gitHeadCommit (read from the repository files, as `git rev-parse HEAD` gives it)', () => {
  it('a branch with a loose ref, from the top and from a sub-folder', () => {
    const dir = repo('loose');
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(gitHeadCommit(dir)).toBe(head);
    expect(gitHeadCommit(join(dir, 'sub/deeper'))).toBe(head);
  });

  it('packed refs, a detached HEAD, a worktree on another branch', () => {
    const dir = repo('packed');
    git(dir, 'pack-refs', '--all');
    expect(gitHeadCommit(dir)).toBe(git(dir, 'rev-parse', 'HEAD'));
    const first = git(dir, 'rev-parse', 'HEAD~1');
    git(dir, 'branch', 'other', first);
    git(dir, 'worktree', 'add', '-q', join(root, 'wt'), 'other');
    expect(gitHeadCommit(join(root, 'wt'))).toBe(first);
    git(dir, 'checkout', '-q', '--detach', first);
    expect(gitHeadCommit(dir)).toBe(first);
  });

  it('nothing outside a repository or before the first commit', () => {
    const plain = join(root, 'plain');
    mkdirSync(plain);
    // tmpdir() may itself sit inside a repository on a developer machine: compare with git's own answer.
    let expected: string | undefined;
    try {
      expected = git(plain, 'rev-parse', 'HEAD');
    } catch {
      expected = undefined;
    }
    expect(gitHeadCommit(plain)).toBe(expected);
    const fresh = repo('fresh', 0);
    expect(gitHeadCommit(fresh)).toBeUndefined();
  });
});
