/**
 * Remotes that fail as a hostile corpus makes them fail: a refused http remote names host and cause after one
 * quick retry; user info in a remote URL is basic auth and is printed nowhere; a scheme DVC does not know is refused
 * at `remote add`/`modify`; an S3 remote without any credential is bad input (exit 2).
 */
import { createHash } from 'node:crypto';
import { existsSync, symlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, makeRepo, runCli, writeFiles } from './helpers.js';

const md5 = (b: string | Uint8Array) => createHash('md5').update(b).digest('hex');
const SECRET = 'Pw55-hunter2';
const data = Buffer.from('served over http\n');
const oid = md5(data);
const dvcFile = `outs:\n- md5: ${oid}\n  size: ${data.length}\n  hash: md5\n  path: h.txt\n`;

let server: Server;
let base: string;
let status = 200;
const authSeen: (string | undefined)[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    authSeen.push(req.headers.authorization);
    if (req.headers.authorization !== `Basic ${Buffer.from(`bob:${SECRET}`).toString('base64')}`) {
      res.writeHead(401).end();
      return;
    }
    if (status !== 200 || req.url !== `/dvc/files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`) {
      res.writeHead(status === 200 ? 404 : status).end();
      return;
    }
    res.writeHead(200).end(data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  base = `127.0.0.1:${addr.port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('http remotes', () => {
  it('user info in the URL is sent as basic auth and never printed, also when the server fails', async () => {
    const repo = await makeRepo();
    await writeFiles(repo, { 'h.txt.dvc': dvcFile });
    const env = { DVC_REMOTE_NAME: 'web', DVC_REMOTE_URL: `http://bob:${SECRET}@${base}/dvc` };
    const ok = await runCli(['pull'], { cwd: repo, env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(await readFile(join(repo, 'h.txt'))).toEqual(data);
    status = 500;
    const other = await makeRepo();
    await writeFiles(other, { 'h.txt.dvc': dvcFile });
    const bad = await runCli(['pull'], { cwd: other, env: { ...env, LOG_LEVEL: 'info' } });
    status = 200;
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('HTTP 500');
    expect(bad.stderr).toContain(`http://${base}/dvc`);
    for (const r of [ok, bad]) expect(r.stdout + r.stderr).not.toContain(SECRET);
  }, 60_000);

  it('a refused connection fails fast, after one quick retry, naming the host and the cause', async () => {
    const port = await freePort();
    const repo = await makeRepo();
    await writeFiles(repo, { 'h.txt.dvc': dvcFile });
    const started = Date.now();
    const res = await runCli(['pull'], {
      cwd: repo,
      env: {
        DVC_REMOTE_NAME: 'web',
        DVC_REMOTE_URL: `http://bob:${SECRET}@127.0.0.1:${port}/dvc`,
        LOG_LEVEL: 'info',
      },
    });
    expect(Date.now() - started).toBeLessThan(8000);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `connection refused (nothing listens on that port) at 127.0.0.1:${port} (ECONNREFUSED)`,
    );
    expect(res.stderr).not.toContain('fetch failed');
    expect(res.stderr.match(/retrying files\/md5\//g)).toHaveLength(1);
    expect(res.stdout + res.stderr).not.toContain(SECRET);
  }, 60_000);
});

describe('remote URL schemes', () => {
  it('a scheme DVC does not know is refused at add and modify (exit 2); a DVC one this client lacks warns', async () => {
    const repo = await makeRepo('');
    const add = await runCli(['remote', 'add', 'f', 'ftp://host/path'], { cwd: repo });
    expect(add.code).toBe(2);
    expect(add.stderr).toContain('Unsupported URL type ftp://');
    expect(await readFile(join(repo, '.dvc/config'), 'utf8')).toBe('');
    expect((await runCli(['remote', 'add', 'ok', 's3://bucket/x'], { cwd: repo })).code).toBe(0);
    const modify = await runCli(['remote', 'modify', 'ok', 'url', 'gopher://h/x'], { cwd: repo });
    expect(modify.code).toBe(2);
    expect(modify.stderr).toContain('Unsupported URL type gopher://');
    const ssh = await runCli(['remote', 'add', 's', 'ssh://host/path'], {
      cwd: repo,
      env: { LOG_LEVEL: 'info' },
    });
    expect(ssh.code).toBe(0);
    expect(ssh.stderr).toContain('mlops-dvc cannot transfer with them');
  }, 60_000);
});

describe.skipIf(!existsSync('/dev/zero'))('a .dvc file or a config that is a device', () => {
  it('is bad input naming it, never read into memory', async () => {
    const repo = await makeRepo('');
    symlinkSync('/dev/zero', join(repo, 'z.txt.dvc'));
    const r = await runCli(['pull', 'z.txt.dvc'], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("target 'z.txt.dvc'");
    const other = await makeRepo();
    symlinkSync('/dev/zero', join(other, '.dvc', 'config'));
    const c = await runCli(['remote', 'list'], { cwd: other });
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('config: is not a regular file');
  }, 60_000);
});

describe('an S3 remote without any credential', () => {
  it('is bad input (exit 2) naming the remote, as the README says', async () => {
    const port = await freePort();
    const repo = await makeRepo(
      `[core]\n    remote = s3\n['remote "s3"']\n    url = s3://bucket/prefix\n    endpointurl = http://127.0.0.1:${port}\n`,
    );
    await writeFiles(repo, { 'h.txt.dvc': dvcFile });
    const res = await runCli(['pull'], {
      cwd: repo,
      env: {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(repo, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(repo, 'no-aws-credentials'),
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      },
    });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain(`remote 's3' (s3://bucket/prefix): no credentials found`);
  }, 60_000);
});
