/**
 * mlops-dvc and the real DVC 3.55.2 on the same repositories: each adds, pushes and pulls, and the other must see
 * the same thing (files, folders with non-ASCII names and CRLF files, exec bits, status and status -c text and
 * --json, dvc.lock written by `dvc repro` vs `mlops-dvc commit`, params/metrics). Skipped when ../shared/tools/dvc
 * is absent.
 */
import { chmod, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeFiles } from './helpers.js';
import { copyInto, dvc, HAVE_DVC, NO_DVC_MESSAGE, sh, snapshot } from './real-dvc.js';

const mlops = (args: string[], cwd: string) => runCli(args, { cwd });

const DATA = {
  'data/a.csv': 'x,y\n1,2\n',
  'data/run.sh': '#!/bin/sh\necho hi\n',
  'data/tree/ñandú.txt': 'pájaro\n',
  'data/tree/crlf.txt': 'one\r\ntwo\r\n',
  'data/tree/sub/日本.bin': Buffer.from([0, 1, 2, 255, 13, 10]),
  'ours/b.txt': 'b\n',
  'ours/dir/élan.txt': 'élan\r\n',
  'ours/dir/x/y.txt': 'y\n',
};

/**
 * Status must read the same from both tools (text, and --json when asked); returns the text. Cloud status lists
 * objects in the order of a Python set (it varies between runs), so its lines are compared sorted.
 */
async function sameStatus(dir: string, args: string[] = [], json = false): Promise<string> {
  const cloud = args.includes('-c');
  const lines = (t: string) => (cloud ? t.split('\n').sort().join('\n') : t);
  const a = await mlops(['status', ...args], dir);
  const b = await dvc(['status', ...args], dir);
  expect(a.code, a.stderr).toBe(0);
  expect(lines(a.stdout)).toBe(lines(b.stdout));
  if (json) {
    const aj = await mlops(['status', '--json', ...args], dir);
    const bj = await dvc(['status', '--json', ...args], dir);
    if (cloud) expect(JSON.parse(aj.stdout)).toEqual(JSON.parse(bj.stdout));
    else expect(aj.stdout.trim()).toBe(bj.stdout.trim());
  }
  return a.stdout;
}

describe.skipIf(!HAVE_DVC)('interop with the real DVC', () => {
  if (!HAVE_DVC) console.warn(NO_DVC_MESSAGE);
  let repo: string;
  let remote: string;
  beforeAll(async () => {
    repo = await tempDir('dvc-interop-');
    remote = await tempDir('dvc-interop-remote-');
    await sh('git init -q', repo);
    expect((await dvc(['init', '-q'], repo)).code).toBe(0);
    await writeFiles(repo, DATA);
    await chmod(join(repo, 'data/run.sh'), 0o755);
    // DVC adds some, we add the others, into the same repository.
    const theirs = await dvc(['add', 'data/a.csv', 'data/run.sh', 'data/tree'], repo);
    expect(theirs.code, theirs.stderr).toBe(0);
    for (const p of ['ours/b.txt', 'ours/dir']) expect((await mlops(['add', p], repo)).code).toBe(0);
    expect((await mlops(['remote', 'add', '-d', 'store', remote], repo)).code).toBe(0);
  }, 120_000);

  it("each tool sees the other one's adds as up to date, with identical status", async () => {
    expect(await sameStatus(repo)).toBe('Data and pipelines are up to date.\n');
    // DVC would write the same .dvc file for our folder: re-adding it with dvc changes nothing.
    const before = await readFile(join(repo, 'ours/dir.dvc'), 'utf8');
    expect((await dvc(['add', 'ours/dir'], repo)).code).toBe(0);
    expect(await readFile(join(repo, 'ours/dir.dvc'), 'utf8')).toBe(before);
  }, 60_000);

  it('status -c before and after a push by either tool', async () => {
    const text = await sameStatus(repo, ['-c'], true);
    expect(text).toContain('\tnew:                ');
    expect((await dvc(['push', 'data/tree'], repo)).code).toBe(0);
    expect((await mlops(['push', 'ours/dir'], repo)).code).toBe(0);
    await sameStatus(repo, ['-c']);
    expect((await mlops(['push'], repo)).code).toBe(0);
    expect(await sameStatus(repo, ['-c'])).toBe(`Cache and remote 'store' are in sync.\n`);
  }, 120_000);

  it('pull by each tool into fresh clones gives the same files and modes (isexec → 0744)', async () => {
    const files = [
      '.dvc/config',
      'data/a.csv.dvc',
      'data/run.sh.dvc',
      'data/tree.dvc',
      'ours/b.txt.dvc',
      'ours/dir.dvc',
    ];
    const ours = await tempDir('dvc-interop-ours-');
    const theirs = await tempDir('dvc-interop-theirs-');
    for (const d of [ours, theirs]) {
      await sh('git init -q', d);
      await copyInto(repo, d, files);
    }
    const a = await mlops(['pull'], ours);
    expect(a.code, a.stderr).toBe(0);
    const b = await dvc(['pull'], theirs);
    expect(b.code, b.stderr).toBe(0);
    for (const dir of ['data', 'ours']) {
      const x = await snapshot(join(ours, dir));
      const y = await snapshot(join(theirs, dir));
      const strip = (m: Map<string, { bytes: Buffer; mode: number }>) =>
        new Map([...m].filter(([k]) => !k.endsWith('.gitignore')));
      expect(strip(x)).toEqual(strip(y));
    }
    expect((await stat(join(ours, 'data/run.sh'))).mode & 0o777).toBe(0o744);
    expect(await readFile(join(ours, 'data/tree/crlf.txt'), 'utf8')).toBe('one\r\ntwo\r\n');
  }, 120_000);

  it('status when data and cache objects are missing or modified: not in cache, deleted, modified, in index order', async () => {
    const dir = await tempDir('dvc-interop-status-');
    await sh(`cp -a ${JSON.stringify(repo)}/. ${JSON.stringify(dir)}/`, dir);
    await rm(join(dir, 'data/a.csv'));
    await writeFile(join(dir, 'ours/dir/x/y.txt'), 'changed\n');
    await rm(join(dir, 'data/run.sh'));
    const cache = join(dir, '.dvc/cache/files/md5');
    // Remove the cache object of ours/b.txt too: DVC reports "not in cache" rather than "deleted".
    const md5 = /md5: ([0-9a-f]{32})/.exec(await readFile(join(dir, 'ours/b.txt.dvc'), 'utf8'))![1]!;
    await rm(join(cache, md5.slice(0, 2), md5.slice(2)), { force: true });
    await rm(join(dir, 'ours/b.txt'));
    const text = await sameStatus(dir, [], true);
    expect(text).toContain('not in cache:       ours/b.txt');
    expect(text).toContain('deleted:            data/a.csv');
    expect(text).toContain('modified:           ours/dir');
  }, 120_000);

  it('a pipeline: dvc repro and mlops-dvc commit write the same dvc.lock; status, params and metrics agree', async () => {
    const dir = await tempDir('dvc-interop-pipe-');
    await sh('git init -q', dir);
    expect((await dvc(['init', '-q'], dir)).code).toBe(0);
    await writeFiles(dir, {
      'in/raw.csv': 'a,b\n1,2\n',
      'in/tree/ü.txt': 'u\r\n',
      'mk.sh':
        'mkdir -p out rep && cp in/raw.csv out/clean.csv && rm -rf out/d && cp -r in/tree out/d && ' +
        'echo \'{"acc": 0.912345678, "n": 3, "nested": {"loss": 0.25}}\' > rep/metrics.json\n',
      'cfg/params.yaml':
        "train:\n  lr: 1.0e-6\n  epochs: 3\n  flags: [a, 1, 2.5]\n  none:\n  name: 'yes'\n" +
        "  fmt: '%(asctime)s - %(name)s - %(levelname)s - %(message)s'\nother:\n  x: 1\n",
      'dvc.yaml':
        'stages:\n  prep:\n    cmd: sh mk.sh --a-long-option-to-fold-the-command-line-past-eighty-columns --and another one\n' +
        '    deps:\n      - mk.sh\n      - in/raw.csv\n      - in/tree\n    params:\n      - cfg/params.yaml:\n          - train\n' +
        '          - other.x\n    outs:\n      - out/clean.csv\n      - out/d\n    metrics:\n      - rep/metrics.json:\n          cache: false\n',
    });
    const repro = await dvc(['repro'], dir);
    expect(repro.code, repro.stderr).toBe(0);
    const theirs = await readFile(join(dir, 'dvc.lock'), 'utf8');
    await rm(join(dir, 'dvc.lock'));
    const c = await mlops(['commit'], dir);
    expect(c.code, c.stderr).toBe(0);
    expect(await readFile(join(dir, 'dvc.lock'), 'utf8')).toBe(theirs);
    expect(await sameStatus(dir)).toBe('Data and pipelines are up to date.\n');
    await sh('git add -A && git -c user.name=t -c user.email=t@t commit -qm base', dir);
    // Edit a param, a dep and the metrics: status, params diff and metrics diff read the same.
    const params = await readFile(join(dir, 'cfg/params.yaml'), 'utf8');
    await writeFile(
      join(dir, 'cfg/params.yaml'),
      params.replace('epochs: 3', 'epochs: 4').replace('x: 1', 'x: 2'),
    );
    await writeFile(join(dir, 'in/raw.csv'), 'a,b\n3,4\n');
    await writeFile(join(dir, 'rep/metrics.json'), '{"acc": 0.95, "n": 4, "nested": {"loss": 0.125}}\n');
    await sameStatus(dir, [], true);
    for (const args of [
      ['params', 'diff'],
      ['metrics', 'show'],
      ['metrics', 'diff'],
      ['metrics', 'diff', '--md'],
    ]) {
      const a = await mlops(args, dir);
      const b = await dvc(args, dir);
      expect(a.stdout, args.join(' ')).toBe(b.stdout);
      const aj = await mlops([...args.filter((x) => x !== '--md'), '--json'], dir);
      const bj = await dvc([...args.filter((x) => x !== '--md'), '--json'], dir);
      expect(JSON.parse(aj.stdout), args.join(' ')).toEqual(JSON.parse(bj.stdout));
    }
    // Targets by stage name and by output path.
    for (const t of [['prep'], ['out/d'], ['dvc.yaml:prep']]) await sameStatus(dir, t);
  }, 180_000);
});
