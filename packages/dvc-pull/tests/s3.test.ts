import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, S3Client, ListObjectsV2Command } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, tempDir, writeFiles } from './helpers.js';

const md5 = (b: string | Uint8Array) => createHash('md5').update(b).digest('hex');
const CREDS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

describe('s3:// remote against s3rver on 127.0.0.1', () => {
  let server: S3rver;
  let endpoint = '';
  let client: S3Client;
  beforeAll(async () => {
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
    const dir = await tempDir('s3rver-');
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: 'bucket' }],
    });
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
    client = new S3Client({
      endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });

  const config = (prefix: string) =>
    `[core]\n    remote = s3\n['remote "s3"']\n    url = s3://bucket/${prefix}\n    endpointurl = ${endpoint}\n`;

  it('add → push → fresh clone → pull; a corrupt object fails pull and leaves nothing partial', async () => {
    const repo = await makeRepo(config('team/dvc'));
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++)
      files[`data/set/part-${String(i).padStart(2, '0')}.csv`] = `id,v\n${i},${i * i}\n`.repeat(50 + i);
    await writeFiles(repo, { ...files, 'data/model.bin': Buffer.from([0, 1, 2, 3, 255]) });
    expect((await runCli(['add', 'data/set', 'data/model.bin'], { cwd: repo })).code).toBe(0);
    const push = await runCli(['push', '-j', '4'], { cwd: repo, env: CREDS });
    expect(push.stderr).toBe('');
    expect(push.stdout).toContain('14 files pushed');
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: 'team/dvc/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys).toHaveLength(14);
    expect(keys.every((k) => /^team\/dvc\/files\/md5\/[0-9a-f]{2}\/[0-9a-f]{30}(\.dir)?$/.test(k))).toBe(
      true,
    );
    expect((await runCli(['status', '-c'], { cwd: repo, env: CREDS })).stdout.trim()).toBe(
      "Cache and remote 's3' are in sync.",
    );

    const clone = await makeRepo(config('team/dvc'));
    await mkdir(join(clone, 'data'));
    await cp(join(repo, 'data/set.dvc'), join(clone, 'data/set.dvc'));
    await cp(join(repo, 'data/model.bin.dvc'), join(clone, 'data/model.bin.dvc'));
    // Compose passes unset variables as empty strings: they must mean "unset".
    const composeEnv = {
      ...CREDS,
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
      DVC_REMOTE_NAME: '',
      DVC_REMOTE_URL: '',
    };
    const pull = await runCli(['pull', '-j', '8'], { cwd: clone, env: composeEnv });
    expect(pull.stderr).toBe('');
    expect(pull.code).toBe(0);
    for (const [rel, body] of Object.entries(files))
      expect(await readFile(join(clone, rel), 'utf8')).toBe(body);
    expect([...(await readFile(join(clone, 'data/model.bin')))]).toEqual([0, 1, 2, 3, 255]);

    // Corrupt one stored object (same key, other bytes), then pull into a clean clone.
    const victim = files['data/set/part-07.csv']!;
    const key = `team/dvc/files/md5/${md5(victim).slice(0, 2)}/${md5(victim).slice(2)}`;
    await client.send(new PutObjectCommand({ Bucket: 'bucket', Key: key, Body: victim.slice(0, 20) }));
    const clean = await makeRepo(config('team/dvc'));
    await mkdir(join(clean, 'data'));
    await cp(join(repo, 'data/set.dvc'), join(clean, 'data/set.dvc'));
    const bad = await runCli(['pull'], { cwd: clean, env: CREDS });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`object files/md5/${md5(victim).slice(0, 2)}/${md5(victim).slice(2)}`);
    expect(bad.stderr).toContain("'data/set/part-07.csv'");
    expect(bad.stderr).toContain('corrupt or truncated');
    expect(bad.stderr).toContain('s3://bucket/team/dvc');
    expect(existsSync(join(clean, 'data/set'))).toBe(false);
    const leftovers = await readdir(join(clean, '.dvc/cache/files/md5'), { recursive: true });
    expect(leftovers.some((p) => String(p).endsWith('.tmp'))).toBe(false);
  });

  it('credentials from config.local; a refused key is reported without the secret', async () => {
    const repo = await makeRepo(config('creds'));
    await writeFiles(repo, { 'a.txt': 'abc' });
    await runCli(['add', 'a.txt'], { cwd: repo });
    const secret = 'Sup3rS3cretValueNeverPrinted';
    await writeFile(
      join(repo, '.dvc/config.local'),
      `['remote "s3"']\n    access_key_id = NOTANACCOUNT\n    secret_access_key = ${secret}\n    session_token = ${secret}Tok\n`,
    );
    const res = await runCli(['push', '-v'], {
      cwd: repo,
      env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('s3://bucket/creds');
    expect(res.stderr).toMatch(/access denied|Access Key Id.*does not exist|InvalidAccessKeyId/i);
    expect(res.stderr).toContain('HTTP 403');
    expect(res.stderr + res.stdout).not.toContain(secret);
    await writeFile(
      join(repo, '.dvc/config.local'),
      `['remote "s3"']\n    access_key_id = S3RVER\n    secret_access_key = S3RVER\n`,
    );
    const ok = await runCli(['push'], {
      cwd: repo,
      env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
    });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('1 file pushed');
  });

  it('an unreachable endpoint is retried, then reported with the remote URL', async () => {
    const repo = await makeRepo(
      `[core]\n    remote = s3\n['remote "s3"']\n    url = s3://bucket/x\n    endpointurl = http://127.0.0.1:1\n`,
    );
    await writeFiles(repo, { 'a.dvc': `outs:\n- md5: ${md5('a')}\n  size: 1\n  hash: md5\n  path: a\n` });
    const res = await runCli(['pull'], { cwd: repo, env: { ...CREDS, LOG_LEVEL: 'info' } });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('retrying files/md5/');
    expect(res.stderr).toContain("from remote 's3' (s3://bucket/x)");
    await rm(repo, { recursive: true, force: true });
  }, 60_000);
});
