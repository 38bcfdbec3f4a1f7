import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA, makeRepo, runCli, tempDir, writeFiles } from './helpers.js';

const md5 = (b: string | Uint8Array) => createHash('md5').update(b).digest('hex');
const PRED_MD5 = 'b371b6c2f50af512a1d71333499e3212';
const predFile = join(SHARED_DATA, 'obesity_estimation_modified.csv');
const hasShared = existsSync(predFile);
if (!hasShared) console.warn(`SKIPPED predecessor pointer test: ${predFile} is absent`);

const localConfig = (url: string, name = 'store') =>
  `[core]\n    remote = ${name}\n['remote "${name}"']\n    url = ${url}\n`;

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

describe.skipIf(!hasShared)('the predecessor pointer', () => {
  it('pulls obesity_estimation_modified.csv byte-identical from files/md5/b3/71b6…', async () => {
    const repo = await makeRepo(localConfig('../remote'));
    const remote = join(repo, 'remote');
    await mkdir(join(remote, 'files/md5/b3'), { recursive: true });
    await cp(predFile, join(remote, 'files/md5/b3/71b6c2f50af512a1d71333499e3212'));
    // The predecessor's exact .dvc file (shared/data/README.md).
    await writeFiles(repo, {
      'data/raw/obesity_estimation_modified.csv.dvc':
        'outs:\n- md5: b371b6c2f50af512a1d71333499e3212\n  size: 292930\n  hash: md5\n  path: obesity_estimation_modified.csv\n  isexec: true\n',
    });
    const res = await runCli(['pull'], { cwd: join(repo, 'data') });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('A       data/raw/obesity_estimation_modified.csv');
    const pulled = await readFile(join(repo, 'data/raw/obesity_estimation_modified.csv'));
    expect(pulled.equals(await readFile(predFile))).toBe(true);
    expect(md5(pulled)).toBe(PRED_MD5);
    expect((await stat(join(repo, 'data/raw/obesity_estimation_modified.csv'))).mode & 0o111).not.toBe(0); // isexec
    const cached = await stat(join(repo, '.dvc/cache/files/md5/b3/71b6c2f50af512a1d71333499e3212'));
    expect(cached.mode & 0o777).toBe(0o444);
    // A second pull changes nothing.
    const again = await runCli(['pull'], { cwd: repo });
    expect(again.stdout.trim()).toBe('Everything is up to date.');
  });
});

describe('local remote round trip', () => {
  it('add → push → fresh clone → pull, files and folders, then status wording', async () => {
    const repo = await makeRepo(localConfig('../store'));
    await writeFiles(repo, {
      'data/a.csv': 'x,y\r\n1,2\r\n',
      'data/dir/foo': 'foo',
      'data/dir/bar': 'bar',
      'data/dir/sub/é.txt': 'unicode',
      'data/dir/skip.tmp': 'ignored',
      '.dvcignore': '*.tmp\n',
    });
    await mkdir(join(repo, '.git'));
    expect((await runCli(['add', 'data/a.csv', 'data/dir'], { cwd: repo })).code).toBe(0);
    expect(await readFile(join(repo, 'data/a.csv.dvc'), 'utf8')).toBe(
      `outs:\n- md5: ${md5('x,y\r\n1,2\r\n')}\n  size: 10\n  hash: md5\n  path: a.csv\n`,
    );
    const dirDvc = await readFile(join(repo, 'data/dir.dvc'), 'utf8');
    expect(dirDvc).toMatch(
      /^outs:\n- md5: [0-9a-f]{32}\.dir\n {2}size: 13\n {2}nfiles: 3\n {2}hash: md5\n {2}path: dir\n$/,
    );
    expect((await readFile(join(repo, 'data/.gitignore'), 'utf8')).split('\n')).toEqual([
      '/a.csv',
      '/dir',
      '',
    ]);

    const st = await runCli(['status', '-c'], { cwd: repo });
    expect(st.stdout).toContain('\tnew:');
    expect(st.stdout).toContain('data/dir/sub/é.txt');

    const push = await runCli(['push', '-j', '2'], { cwd: repo });
    expect(push.code).toBe(0);
    expect(push.stdout).toContain('5 files pushed'); // a.csv, 3 dir files, the .dir object
    const stored = await listFiles(join(repo, 'store'));
    expect(stored).toHaveLength(5);
    expect(stored.every((p) => p.startsWith('files/md5/'))).toBe(true);
    expect((await runCli(['status', '--cloud'], { cwd: repo })).stdout.trim()).toBe(
      "Cache and remote 'store' are in sync.",
    );
    expect((await runCli(['push'], { cwd: repo })).stdout.trim()).toBe('Everything is up to date.');

    // Fresh clone: only the pointers and config, remote shared.
    const clone = await tempDir('dvc-clone-');
    await mkdir(join(clone, '.dvc'));
    await writeFile(join(clone, '.dvc/config'), localConfig(join(repo, 'store')));
    await cp(join(repo, 'data/a.csv.dvc'), join(clone, 'data/a.csv.dvc'), { recursive: true });
    await cp(join(repo, 'data/dir.dvc'), join(clone, 'data/dir.dvc'));
    const before = await runCli(['status'], { cwd: clone });
    // DVC's word when the cache lacks the objects too (a fresh clone): not in cache.
    expect(before.stdout).toContain('not in cache:       data/dir');
    const pull = await runCli(['pull', '-j', '3'], { cwd: clone });
    expect(pull.stderr).toBe('');
    expect(pull.code).toBe(0);
    expect(await readFile(join(clone, 'data/a.csv'), 'utf8')).toBe('x,y\r\n1,2\r\n');
    expect(await listFiles(join(clone, 'data/dir'))).toEqual(['bar', 'foo', 'sub/é.txt']);
    expect((await runCli(['status'], { cwd: clone })).stdout.trim()).toBe(
      'Data and pipelines are up to date.',
    );

    // A local edit is kept without --force, discarded with it.
    await writeFile(join(clone, 'data/dir/foo'), 'changed');
    await writeFile(join(clone, 'data/dir/extra'), 'new');
    const stMod = await runCli(['status'], { cwd: clone });
    expect(stMod.stdout).toBe('data/dir.dvc:\n\tchanged outs:\n\t\tmodified:           data/dir\n');
    const refused = await runCli(['checkout'], { cwd: clone });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("'data/dir/foo' is modified");
    expect(refused.stderr).toContain('--force');
    expect(await readFile(join(clone, 'data/dir/foo'), 'utf8')).toBe('changed');
    expect((await runCli(['checkout', '--force'], { cwd: clone })).code).toBe(0);
    expect(await readFile(join(clone, 'data/dir/foo'), 'utf8')).toBe('foo');
    expect(existsSync(join(clone, 'data/dir/extra'))).toBe(false);

    // Targets: a data path, a .dvc file; an unknown one is bad input.
    await rm(join(clone, 'data/a.csv'));
    expect((await runCli(['checkout', 'data/a.csv'], { cwd: clone })).stdout).toContain('A       data/a.csv');
    expect((await runCli(['pull', 'nope.csv'], { cwd: clone })).code).toBe(2);
  });

  it('a corrupt object on the remote fails pull with its name and leaves no file behind', async () => {
    const repo = await makeRepo(localConfig('../store'));
    await writeFiles(repo, { 'd/one': 'one', 'd/two': 'two', 'f.txt': 'file' });
    await runCli(['add', 'd', 'f.txt'], { cwd: repo });
    expect((await runCli(['push'], { cwd: repo })).code).toBe(0);
    const victim = join(repo, 'store/files/md5', md5('two').slice(0, 2), md5('two').slice(2));
    await chmod(victim, 0o644);
    await writeFile(victim, 'tw'); // truncated
    const fVictim = join(repo, 'store/files/md5', md5('file').slice(0, 2), md5('file').slice(2));
    await chmod(fVictim, 0o644);
    await writeFile(fVictim, 'fil3');
    await rm(join(repo, '.dvc/cache'), { recursive: true });
    await rm(join(repo, 'd'), { recursive: true });
    await rm(join(repo, 'f.txt'));
    const res = await runCli(['pull'], { cwd: repo });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`files/md5/${md5('two').slice(0, 2)}/${md5('two').slice(2)}`);
    expect(res.stderr).toContain('corrupt or truncated');
    expect(res.stderr).toContain("'d/two'");
    expect(res.stderr).toContain("'f.txt'");
    expect(existsSync(join(repo, 'd'))).toBe(false);
    expect(existsSync(join(repo, 'f.txt'))).toBe(false);
    // Nothing corrupt reached the cache either, and no temp files remain.
    const cached = await listFiles(join(repo, '.dvc/cache'));
    expect(cached.some((p) => p.endsWith(md5('two').slice(2)))).toBe(false);
    expect(cached.some((p) => p.endsWith('.tmp'))).toBe(false);
  });

  it('a corrupt cache object is never checked out; pull replaces it from the remote', async () => {
    const repo = await makeRepo(localConfig('../store'));
    await writeFiles(repo, { 'c.txt': 'cached content\n' });
    await runCli(['add', 'c.txt'], { cwd: repo });
    await runCli(['push'], { cwd: repo });
    const oid = md5('cached content\n');
    const cached = join(repo, '.dvc/cache/files/md5', oid.slice(0, 2), oid.slice(2));
    await chmod(cached, 0o644);
    await writeFile(cached, 'tampered\n');
    await rm(join(repo, 'c.txt'));
    const co = await runCli(['checkout'], { cwd: repo });
    expect(co.code).toBe(1);
    expect(co.stderr).toContain(`cache object ${cached}`);
    expect(co.stderr).toContain('corrupt or truncated');
    expect(existsSync(join(repo, 'c.txt'))).toBe(false);
    expect((await readdir(repo)).some((f) => f.endsWith('.tmp'))).toBe(false);
    const pull = await runCli(['pull'], { cwd: repo, env: { LOG_LEVEL: 'warning' } });
    expect(pull.code).toBe(0);
    expect(pull.stderr).toContain('was corrupt; fetching it again');
    expect(await readFile(join(repo, 'c.txt'), 'utf8')).toBe('cached content\n');
    expect(md5(await readFile(cached))).toBe(oid);
  });

  it('rejects a .dir manifest whose entries escape the output folder', async () => {
    const repo = await makeRepo(localConfig('../store'));
    const manifest = Buffer.from(`[{"md5": "${md5('pwn')}", "relpath": "../../escaped.txt"}]`);
    const oid = md5(manifest);
    await writeFiles(repo, {
      [`store/files/md5/${oid.slice(0, 2)}/${oid.slice(2)}.dir`]: manifest,
      [`store/files/md5/${md5('pwn').slice(0, 2)}/${md5('pwn').slice(2)}`]: 'pwn',
      'data.dvc': `outs:\n- md5: ${oid}.dir\n  size: 3\n  nfiles: 1\n  hash: md5\n  path: data\n`,
    });
    const res = await runCli(['pull'], { cwd: repo });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("'..' component escapes the output folder");
    expect(existsSync(join(repo, '..', 'escaped.txt'))).toBe(false);
    expect(existsSync(join(repo, 'data'))).toBe(false);
  });

  it('reads legacy 2.x outputs (no hash:, md5-dos2unix, legacy layout)', async () => {
    const text = 'a,b\r\n1,2\r\n';
    const legacyMd5 = md5('a,b\n1,2\n');
    const repo = await makeRepo(localConfig('../store'));
    await writeFiles(repo, {
      [`store/${legacyMd5.slice(0, 2)}/${legacyMd5.slice(2)}`]: text,
      'old.csv.dvc': `outs:\n- md5: ${legacyMd5}\n  size: 10\n  path: old.csv\n`,
    });
    const res = await runCli(['pull'], { cwd: repo });
    expect(res.stderr).toBe('');
    expect(await readFile(join(repo, 'old.csv'), 'utf8')).toBe(text);
    expect(existsSync(join(repo, `.dvc/cache/${legacyMd5.slice(0, 2)}/${legacyMd5.slice(2)}`))).toBe(true);
    expect((await runCli(['status'], { cwd: repo })).stdout.trim()).toBe(
      'Data and pipelines are up to date.',
    );
  });

  it('takes DVC_REMOTE_NAME + DVC_REMOTE_URL from the environment, --persist writes config.local only', async () => {
    const src = await makeRepo(localConfig('../store'));
    await writeFiles(src, { 'x.txt': 'hello' });
    await runCli(['add', 'x.txt'], { cwd: src });
    await runCli(['push'], { cwd: src });
    const repo = await makeRepo('');
    await cp(join(src, 'x.txt.dvc'), join(repo, 'x.txt.dvc'));
    const noRemote = await runCli(['pull'], { cwd: repo });
    expect(noRemote.code).toBe(2);
    expect(noRemote.stderr).toContain('no remote provided');
    const half = await runCli(['pull'], { cwd: repo, env: { DVC_REMOTE_NAME: 'team' } });
    expect(half.code).toBe(2);
    const env = { DVC_REMOTE_NAME: 'team', DVC_REMOTE_URL: join(src, 'store'), LOG_LEVEL: 'info' };
    const res = await runCli(['pull', '--persist'], { cwd: repo, env });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(`DVC remote configured: team -> ${join(src, 'store')}`);
    expect(await readFile(join(repo, 'x.txt'), 'utf8')).toBe('hello');
    expect(await readFile(join(repo, '.dvc/config'), 'utf8')).toBe('');
    expect(await readFile(join(repo, '.dvc/config.local'), 'utf8')).toContain('remote = team');
    expect(await readFile(join(repo, '.dvc/.gitignore'), 'utf8')).toContain('/config.local');
  });

  it('exit codes: 2 for a broken config or .dvc file or no repository, 1 for a missing object', async () => {
    const bad = await makeRepo('[core\n');
    await writeFiles(bad, { 'a.dvc': 'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  path: a\n' });
    const r1 = await runCli(['pull'], { cwd: bad });
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('config:1: malformed section header');
    const repo = await makeRepo(localConfig('../store'));
    await mkdir(join(repo, 'store'));
    await writeFiles(repo, {
      'a.dvc': 'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  path: a\n  hash: md5\n',
    });
    const r2 = await runCli(['pull'], { cwd: repo });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain("missing on remote 'store'");
    expect(r2.stderr).toContain('files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8');
    await writeFile(join(repo, 'a.dvc'), 'outs:\n- md5: nothex\n  path: a\n');
    expect((await runCli(['pull'], { cwd: repo })).code).toBe(2);
    const notRepo = await tempDir();
    const r3 = await runCli(['status'], { cwd: notRepo });
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('not a DVC repository');
    expect((await runCli(['frobnicate'], { cwd: repo })).code).toBe(2);
    // -C runs as if started there; the repository root is found by walking up from it.
    await writeFile(
      join(repo, 'a.dvc'),
      'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  path: a\n  hash: md5\n',
    );
    const viaC = await runCli(['-C', join(repo, 'store'), 'status', '--json'], { cwd: notRepo });
    expect(viaC.code).toBe(0);
    // Paths relative to the current folder, as DVC prints them; no cache object: not in cache.
    expect(JSON.parse(viaC.stdout)).toEqual({ '../a.dvc': [{ 'changed outs': { '../a': 'not in cache' } }] });
    const help = await runCli(['pull', '--help'], { cwd: notRepo });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: mlops-dvc pull');
    expect((await runCli(['--help'], { cwd: notRepo })).stdout).toContain('Commands:');
  });
});

describe('remote commands', () => {
  it('add, list, default, modify (secrets to config.local), remove', async () => {
    const repo = await makeRepo('# team config\n[core]\n    autostage = true\n');
    const run = (...args: string[]) => runCli(['remote', ...args], { cwd: repo });
    expect((await run('add', '-d', 'origin', 's3://bucket/dvc')).code).toBe(0);
    expect((await run('add', 'origin', 's3://other')).code).toBe(2);
    expect((await run('add', 'backup', '/mnt/backup')).code).toBe(0);
    expect((await run('modify', 'origin', 'region', 'us-east-2')).code).toBe(0);
    const secret = await run('modify', 'origin', 'secret_access_key', 'wJalrXUtnFEMIK7MDENG');
    expect(secret.code).toBe(0);
    expect(secret.stderr).toContain('config.local');
    expect(secret.stderr).not.toContain('wJalrXUtnFEMIK7MDENG');
    const tracked = await readFile(join(repo, '.dvc/config'), 'utf8');
    expect(tracked).toBe(
      '# team config\n[core]\n    autostage = true\n    remote = origin\n[\'remote "origin"\']\n    url = s3://bucket/dvc\n    region = us-east-2\n[\'remote "backup"\']\n    url = /mnt/backup\n',
    );
    expect(await readFile(join(repo, '.dvc/config.local'), 'utf8')).toBe(
      '[\'remote "origin"\']\n    secret_access_key = wJalrXUtnFEMIK7MDENG\n',
    );
    expect((await run('list')).stdout).toBe('origin\ts3://bucket/dvc\nbackup\t/mnt/backup\n');
    expect((await run('default')).stdout).toBe('origin\n');
    expect((await run('default', '--local', 'backup')).code).toBe(0);
    expect((await run('default')).stdout).toBe('backup\n');
    expect((await run('modify', 'origin', 'bogus', '1')).code).toBe(2);
    expect((await run('remove', 'backup')).code).toBe(0);
    expect((await run('list')).stdout).toBe('origin\ts3://bucket/dvc\n');
    expect((await run('add', 'x', 'https://u:pw@host/x')).code).toBe(2);
  });
});

describe('http remote (read-only) on a loopback server', () => {
  let server: Server;
  let base = '';
  const objects = new Map<string, Buffer>();
  let flaky = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (flaky > 0) {
        flaky--;
        res.writeHead(503).end('busy');
        return;
      }
      const body = objects.get(path);
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/dvc`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('pulls through transient 503s, and refuses to push', async () => {
    const data = Buffer.from('served over http\n');
    const oid = md5(data);
    objects.set(`/dvc/files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`, data);
    const repo = await makeRepo(localConfig(base, 'web'));
    await writeFiles(repo, {
      'h.txt.dvc': `outs:\n- md5: ${oid}\n  size: ${data.length}\n  hash: md5\n  path: h.txt\n`,
    });
    flaky = 2;
    const res = await runCli(['pull'], { cwd: repo });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('retrying files/md5/');
    expect(await readFile(join(repo, 'h.txt'))).toEqual(data);
    const push = await runCli(['push'], { cwd: repo });
    expect(push.code).toBe(2);
    expect(push.stderr).toContain('read-only');
    // Errors name the remote URL.
    flaky = 100;
    await rm(join(repo, 'h.txt'));
    await rm(join(repo, '.dvc/cache'), { recursive: true });
    const down = await runCli(['pull'], { cwd: repo });
    flaky = 0;
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`from remote 'web' (${base})`);
    expect(down.stderr).toContain('503');
  }, 60_000);
});
