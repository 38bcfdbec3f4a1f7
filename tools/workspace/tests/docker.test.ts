import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const lib = (name: string) => import(pathToFileURL(join(root, `tools/workspace/stages/${name}.mjs`)).href);

/** A stage as manifest.mjs resolves it, with what the Dockerfile generator reads. */
const stage = (project: string, extra: Record<string, unknown> = {}) => ({
  project,
  projectRoot: `packages/${project}`,
  target: 'run',
  service: project,
  bin: `packages/${project}/dist/main.js`,
  argv: ['node', `packages/${project}/dist/main.js`],
  continuous: false,
  image: { files: [], apt: [], port: undefined, health: undefined },
  ...extra,
});

/** The instructions of one build target of a Dockerfile. */
function targetOf(dockerfile: string, name: string): string[] {
  const lines = dockerfile.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^FROM \\S+ AS ${name}$`).test(l));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('FROM '));
  return lines.slice(start, end < 0 ? undefined : end).filter((l) => l && !l.startsWith('#'));
}

describe('docker/Dockerfile (generated)', () => {
  it('has one runtime target per compose stage service, holding only its bundle, as the non-root user', async () => {
    const dockerfile = await readFile(join(root, 'docker/Dockerfile'), 'utf8');
    const compose = parse(await readFile(join(root, 'docker/compose.yaml'), 'utf8'));
    const stageServices = Object.entries(compose.services as Record<string, Record<string, never>>).filter(
      ([, s]) => (s['profiles'] as string[] | undefined)?.includes('stages'),
    );
    expect(stageServices.length).toBeGreaterThan(0);
    const { loadStages } = await lib('manifest');
    const { imagePackages } = await lib('docker');
    const { loadWorkspaceParams, paramsModule } = await lib('params');
    const { paramAt } = await paramsModule(root);
    const packages = imagePackages(loadStages(root, await loadWorkspaceParams(root), paramAt));
    const images = new Set<string>();
    for (const [name, s] of stageServices) {
      const build = s['build'] as { target: string };
      const image = s['image'] as string;
      expect(image, name).toBe(`mlops-obesity/${build.target}:latest`);
      images.add(image);
      const body = targetOf(dockerfile, build.target);
      expect(body[0], `${name}: target ${build.target}`).toBe(`FROM runtime AS ${build.target}`);
      const copies = body.filter((l) => l.startsWith('COPY'));
      // Only what runtime-files.mjs gathered for its package and the files its manifest's image block names.
      const pkg = packages.find((p: { project: string }) => p.project === build.target);
      expect(pkg, name).toBeDefined();
      expect(copies, name).toEqual([
        `COPY --from=files /files/${build.target}/ /app/`,
        ...pkg.image.files.map(
          (f: string) => `COPY --from=build /app/${f} /app/${f.slice(0, f.lastIndexOf('/'))}/`,
        ),
      ]);
      expect(dockerfile, name).toContain(` ${build.target}=${pkg.projectRoot}`);
      expect(body.at(-2) === 'USER node' || body.includes('USER node'), name).toBe(true);
      expect(
        body.findLastIndex((l) => l.startsWith('USER ')),
        name,
      ).toBe(body.indexOf('USER node'));
      expect(s['user'], name).toBe('${MLOPS_UID:-1000}:${MLOPS_GID:-1000}');
    }
    expect(images.size).toBe(
      new Set(stageServices.map(([, s]) => (s['build'] as { target: string }).target)).size,
    );
    // The shared stages: dependencies installed from the lockfile, everything built; the runtime has the entrypoint.
    expect(dockerfile).toMatch(/^FROM node:20-slim AS deps$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --no-audit --no-fund$/m);
    expect(dockerfile).toMatch(/^FROM deps AS build$/m);
    // Built once for every image: the packages that have one (with what they depend on).
    expect(dockerfile).toContain(
      `RUN npx nx run-many -t build -p ${packages.map((p: { project: string }) => p.project).join(' ')} --outputStyle=static`,
    );
    expect(dockerfile).toMatch(/^FROM build AS files$/m);
    expect(targetOf(dockerfile, 'runtime').join('\n')).toMatch(
      /ENTRYPOINT \["\/bin\/sh", "\/usr\/local\/bin\/mlops-entrypoint.sh"\]/,
    );
  });

  it("adds what a manifest's image block asks for: files, Debian packages, a server's port and HEALTHCHECK", async () => {
    const { dockerfile } = await lib('docker');
    const text: string = dockerfile([
      stage('visualize', {
        bundleAssets: ['tfjs-backend-wasm.wasm'],
        image: {
          files: ['node_modules/x/dist/*.wasm'],
          apt: ['fonts-dejavu-core'],
          port: undefined,
          health: undefined,
        },
      }),
      stage('api', {
        projectRoot: 'apps/api',
        target: 'serve',
        service: 'api',
        bin: 'apps/api/dist/main.js',
        argv: ['node', 'apps/api/dist/main.js'],
        continuous: true,
        image: { files: [], apt: [], port: 8000, health: '/health' },
      }),
    ]);
    const viz = targetOf(text, 'visualize');
    expect(viz).toContain('COPY --from=build /app/node_modules/x/dist/*.wasm /app/node_modules/x/dist/');
    expect(viz).toContain('COPY --from=files /files/visualize/ /app/');
    expect(text).toContain(
      'RUN node tools/workspace/containers/runtime-files.mjs /files visualize=packages/visualize api=apps/api',
    );
    // Debian packages first (images asking for the same ones share the layer), as root, before USER node.
    expect(viz[1]).toBe('RUN apt-get update \\');
    expect(viz.join('\n')).toMatch(/apt-get install -y --no-install-recommends fonts-dejavu-core/);
    expect(viz.findIndex((l) => l.startsWith('USER'))).toBe(viz.indexOf('USER node'));
    const api = targetOf(text, 'api');
    expect(api).toContain('EXPOSE 8000');
    expect(api.find((l) => l.startsWith('HEALTHCHECK'))).toMatch(
      /CMD \["node", "\/usr\/local\/lib\/mlops-healthcheck.mjs", "\/health"\]$/,
    );
    expect(api).toContain('COPY docker/healthcheck.mjs /usr/local/lib/mlops-healthcheck.mjs');
    expect(api.at(-1)).toBe('CMD ["node", "apps/api/dist/main.js"]');
    expect(api).toContain('USER node');
  });

  it('rejects a bad image block with the manifest and field named', async () => {
    const { loadStages } = await lib('manifest');
    const { loadWorkspaceParams, paramsModule } = await lib('params');
    const { paramAt } = await paramsModule(root);
    const params = await loadWorkspaceParams(root);
    const dir = mkdtempSync(join(tmpdir(), 'image-block-'));
    try {
      mkdirSync(join(dir, 'packages/eda'), { recursive: true });
      cpSync(join(root, 'packages/eda/package.json'), join(dir, 'packages/eda/package.json'));
      const manifest = JSON.parse(readFileSync(join(root, 'packages/eda/stage.json'), 'utf8'));
      const attempt = (image: unknown, resources?: unknown) => {
        const m = structuredClone(manifest);
        m.image = image;
        if (resources) m.targets.run.resources = resources;
        writeFileSync(join(dir, 'packages/eda/stage.json'), JSON.stringify(m));
        return () => loadStages(dir, params, paramAt);
      };
      expect(attempt({ files: ['../secret'] })).toThrow(
        /packages\/eda\/stage\.json: image\.files: \.\.\/secret/,
      );
      expect(attempt({ fonts: [] })).toThrow(/image\.fonts: unknown field/);
      expect(attempt({ health: '/health' })).toThrow(/image\.health needs image\.port/);
      expect(attempt({ apt: ['fonts dejavu'] })).toThrow(/image\.apt: fonts dejavu/);
      expect(attempt(undefined, { memory: '1GB' })).toThrow(/targets\.run\.resources\.memory: "1GB"/);
      const ok = attempt(
        { files: ['node_modules/x/a.wasm'], port: 8000, health: '/health' },
        { memory: '1Gi' },
      )();
      expect(ok[0]).toMatchObject({ resources: { memory: '1Gi' }, image: { port: 8000, health: '/health' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('docker/entrypoint.sh', () => {
  const sh = (env: Record<string, string>, ...argv: string[]) =>
    promisify(execFile)('sh', [join(root, 'docker/entrypoint.sh'), ...argv], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });

  it('runs the command with the DVC remote of the environment, credentials hidden', async () => {
    const { stdout, stderr } = await sh(
      { DVC_REMOTE_NAME: 'store', DVC_REMOTE_URL: 'https://user:s3cret@example.com/dvc' },
      'sh',
      '-c',
      'echo "$DVC_REMOTE_NAME $DVC_REMOTE_URL"',
    );
    expect(stdout).toBe('store https://user:s3cret@example.com/dvc\n');
    expect(stderr).toMatch(/DVC remote for this run: store -> https:\/\/\*\*\*@example.com\/dvc/);
    expect(stderr).not.toMatch(/s3cret/);
  });

  it('treats empty variables (compose ${VAR:-}) as unset and refuses half a remote with exit 2', async () => {
    const { stdout } = await sh(
      { DVC_REMOTE_NAME: '', DVC_REMOTE_URL: '' },
      'sh',
      '-c',
      'echo "${DVC_REMOTE_NAME-unset}"',
    );
    expect(stdout).toBe('unset\n');
    await expect(sh({ DVC_REMOTE_NAME: 'store' }, 'true')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/DVC_REMOTE_NAME and DVC_REMOTE_URL must be set together/),
    });
  });
});
