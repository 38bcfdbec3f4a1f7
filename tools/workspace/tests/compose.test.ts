import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const composeFile = join(root, 'docker/compose.yaml');
const hasCompose = ['/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].some((p) => existsSync(p));
if (!hasCompose)
  console.warn(
    'SKIPPED compose validation: docker-compose is not installed (apt-get install docker-compose)',
  );

interface Service {
  command?: string[];
  user?: string;
  profiles?: string[];
  environment?: Record<string, string>;
}

async function resolvedConfig(): Promise<{ services: Record<string, Service> }> {
  const { stdout } = await run(
    'docker-compose',
    ['-f', composeFile, '--profile', 'stages', '--profile', 'test', '--profile', 'shell', 'config'],
    { cwd: join(root, 'docker'), env: { PATH: process.env['PATH'] ?? '' } },
  );
  return parse(stdout);
}

describe('docker/compose.yaml', () => {
  it.skipIf(!hasCompose)(
    'is a valid compose file with one service per dvc.yaml stage, running the same CLI',
    async () => {
      const config = await resolvedConfig();
      const dvc = parse(await readFile(join(root, 'dvc.yaml'), 'utf8')) as {
        stages: Record<string, { cmd: string }>;
      };
      for (const [stage, { cmd }] of Object.entries(dvc.stages)) {
        const service = config.services[stage.replaceAll('_', '-')];
        expect(service, `service for stage ${stage}`).toBeDefined();
        const script = /^node (\S+)/.exec(cmd)![1];
        expect(service!.command?.slice(0, 2)).toEqual(['node', script]);
        expect(service!.profiles, `${stage} only starts when asked`).toContain('stages');
      }
      // the raw data only: the pipeline's own outputs are made by its stages
      expect(config.services['dvc-pull']!.command).toEqual([
        'node',
        'packages/dvc-pull/dist/main.js',
        'pull',
        'data/raw/obesity_estimation_modified.csv',
        'data/raw/obesity_clean_reference.csv',
      ]);
    },
  );

  it('keeps secrets out of the image and runs as a non-root user', async () => {
    const dockerfile = await readFile(join(root, 'docker/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).not.toMatch(/--reload/);
    const ignore = (await readFile(join(root, '.dockerignore'), 'utf8')).split('\n');
    for (const entry of ['.env', '.git', '.dvc/config.local', 'mlruns', 'node_modules'])
      expect(ignore).toContain(entry);
  });
});
