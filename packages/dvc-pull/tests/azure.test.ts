import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, makeRepo, runCli, tempDir, writeFiles } from './helpers.js';

const md5 = (b: string | Uint8Array) => createHash('md5').update(b).digest('hex');
const AZURITE = fileURLToPath(new URL('../../../node_modules/.bin/azurite-blob', import.meta.url));
// Azurite's published development account (not a secret).
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

describe('azure:// remote against Azurite on 127.0.0.1', () => {
  let child: ChildProcess | undefined;
  let connection = '';
  let service: BlobServiceClient;
  beforeAll(async () => {
    const port = await freePort();
    const location = await tempDir('azurite-');
    child = spawn(
      AZURITE,
      [
        '--blobHost',
        '127.0.0.1',
        '--blobPort',
        String(port),
        '--location',
        location,
        '--disableTelemetry',
        '--skipApiVersionCheck',
        '--loose',
        '--silent',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`azurite did not start: ${out}`)), 60_000);
      child!.stdout!.on('data', (d) => {
        out += d;
        if (/successfully listen/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child!.stderr!.on('data', (d) => (out += d));
      child!.on('exit', (code) => reject(new Error(`azurite exited ${code}: ${out}`)));
    });
    connection = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`;
    service = BlobServiceClient.fromConnectionString(connection);
    await service.getContainerClient('dvc').create();
  }, 90_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  const config = `[core]\n    remote = az\n['remote "az"']\n    url = azure://dvc/store\n`;

  it('add → push → fresh clone → pull; a corrupt blob fails pull and leaves nothing partial', async () => {
    const repo = await makeRepo(config);
    const files: Record<string, string> = {};
    for (let i = 0; i < 6; i++) files[`data/imgs/${i}.txt`] = `image ${i}\n`.repeat(100);
    await writeFiles(repo, { ...files, 'data/table.csv': 'a,b\r\n1,2\r\n' });
    expect((await runCli(['add', 'data/imgs', 'data/table.csv'], { cwd: repo })).code).toBe(0);
    const env = { AZURE_STORAGE_CONNECTION_STRING: connection };
    const push = await runCli(['push'], { cwd: repo, env });
    expect(push.stderr).toBe('');
    expect(push.stdout).toContain('8 files pushed');
    const names: string[] = [];
    for await (const b of service.getContainerClient('dvc').listBlobsFlat({ prefix: 'store/' }))
      names.push(b.name);
    expect(names).toHaveLength(8);
    expect(names.every((n) => n.startsWith('store/files/md5/'))).toBe(true);

    // Clone: credentials through config.local this time.
    const clone = await makeRepo(config);
    await mkdir(join(clone, 'data'));
    await cp(join(repo, 'data/imgs.dvc'), join(clone, 'data/imgs.dvc'));
    await cp(join(repo, 'data/table.csv.dvc'), join(clone, 'data/table.csv.dvc'));
    expect(
      (await runCli(['remote', 'modify', 'az', 'connection_string', connection], { cwd: clone })).code,
    ).toBe(0);
    expect(await readFile(join(clone, '.dvc/config'), 'utf8')).not.toContain(KEY);
    const pull = await runCli(['pull'], { cwd: clone });
    expect(pull.stderr).toBe('');
    for (const [rel, body] of Object.entries(files))
      expect(await readFile(join(clone, rel), 'utf8')).toBe(body);
    expect(await readFile(join(clone, 'data/table.csv'), 'utf8')).toBe('a,b\r\n1,2\r\n');

    const victim = files['data/imgs/3.txt']!;
    const blob = `store/files/md5/${md5(victim).slice(0, 2)}/${md5(victim).slice(2)}`;
    await service.getContainerClient('dvc').getBlockBlobClient(blob).upload('garbage', 7);
    const clean = await makeRepo(config);
    await mkdir(join(clean, 'data'));
    await cp(join(repo, 'data/imgs.dvc'), join(clean, 'data/imgs.dvc'));
    const bad = await runCli(['pull'], { cwd: clean, env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(blob.replace('store/', ''));
    expect(bad.stderr).toContain('corrupt or truncated');
    expect(bad.stderr).toContain('azure://dvc/store');
    expect(bad.stderr).not.toContain(KEY);
    expect(existsSync(join(clean, 'data/imgs'))).toBe(false);
  });

  it('no credentials is a configuration error (exit 2)', async () => {
    const repo = await makeRepo(config);
    await writeFiles(repo, { 'a.dvc': `outs:\n- md5: ${md5('a')}\n  size: 1\n  hash: md5\n  path: a\n` });
    const res = await runCli(['pull'], {
      cwd: repo,
      env: { AZURE_STORAGE_CONNECTION_STRING: undefined, AZURE_STORAGE_ACCOUNT: undefined },
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('no credentials');
  });
});
