/**
 * The model registry on both backends, held against the real MLflow 2.17: what we write into a file store real
 * MLflow reads, what real MLflow writes we read, and the REST registry of a real server (versions, aliases,
 * artifacts downloaded byte for byte). The promotion policy never moves the champion to a worse model.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, disableCliAutoRun, executeCli, type CliMain, type Logger } from '@mlops/core';
import {
  createTracker,
  FileRegistry,
  folderUri,
  parseModelUri,
  registerAndPromote,
  resolveModelUri,
} from '../src/index.js';
import { hasMlflow, mlflowPython, skipReason, startMlflowServer, type MlflowServer } from './real-mlflow.js';

if (!hasMlflow) console.warn(skipReason);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'registry-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const quiet: Logger = createLogger({ name: 't', level: 'silent' });

describe('models:/ URIs', () => {
  it('parses MLflow forms and names what is wrong', () => {
    expect(parseModelUri('models:/obesity-classifier@champion')).toEqual({
      name: 'obesity-classifier',
      alias: 'champion',
    });
    expect(parseModelUri('models:/obesity-classifier/3')).toEqual({
      name: 'obesity-classifier',
      version: '3',
    });
    for (const bad of [
      'models:/x',
      'models:/x/0',
      'models:/x/latest',
      'runs:/abc/model',
      'models:/x@v2',
      'models:/../x/1',
    ])
      expect(() => parseModelUri(bad), bad).toThrow(/MODEL_URI|invalid/);
  });
});

describe('the file-store registry', () => {
  it('registers versions and moves the champion only to a better model', async () => {
    const registry = new FileRegistry(join(dir, 'promote/mlruns'));
    const first = await registerAndPromote(registry, {
      name: 'm',
      source: 'file:///x/1',
      alias: 'champion',
      metricTag: 'mlops.cv_score',
      metricValue: 0.9,
    });
    expect([first.promoted, first.version.version]).toEqual([true, '1']);
    const worse = await registerAndPromote(registry, {
      name: 'm',
      source: 'file:///x/2',
      alias: 'champion',
      metricTag: 'mlops.cv_score',
      metricValue: 0.85,
    });
    expect([worse.promoted, worse.version.version]).toEqual([false, '2']);
    expect(worse.reason).toMatch(/kept champion on version 1/);
    const tie = await registerAndPromote(registry, {
      name: 'm',
      source: 'file:///x/3',
      alias: 'champion',
      metricTag: 'mlops.cv_score',
      metricValue: 0.9,
    });
    expect(tie.promoted).toBe(false);
    const better = await registerAndPromote(registry, {
      name: 'm',
      source: 'file:///x/4',
      alias: 'champion',
      metricTag: 'mlops.cv_score',
      metricValue: 0.95,
    });
    expect([better.promoted, better.version.version]).toEqual([true, '4']);
    expect((await registry.getVersionByAlias('m', 'champion'))?.source).toBe('file:///x/4');
    expect((await resolveModelUri(registry, 'models:/m/2')).source).toBe('file:///x/2');
    await expect(resolveModelUri(registry, 'models:/m@staging')).rejects.toThrow(/has no alias 'staging'/);
    await expect(resolveModelUri(registry, 'models:/nope@champion')).rejects.toThrow(
      /no registered model 'nope'/,
    );
  });

  it('mlops-runs models list / show / promote', async () => {
    const uri = `file:${join(dir, 'promote/mlruns')}`;
    disableCliAutoRun();
    const { main } = (await import('../src/cli.js')) as { main: CliMain };
    const run = async (...argv: string[]) => {
      let stdout = '';
      let stderr = '';
      // the CLI prints its results on process.stdout; errors come through executeCli's streams
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((s: string) => ((stdout += s), true)) as typeof process.stdout.write;
      try {
        const code = await executeCli('mlops-runs', main, [...argv, '--tracking-uri', uri], quiet, {
          stdout: { write: (s: string) => (stdout += s) },
          stderr: { write: (s: string) => (stderr += s) },
        });
        return { code, stdout, stderr };
      } finally {
        process.stdout.write = write;
      }
    };
    let r = await run('models', 'list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^m\s+4\s+champion→v4/m);
    r = await run('models', 'promote', 'm', '2', '--alias', 'champion');
    expect([r.code, r.stdout]).toEqual([0, 'm@champion → version 2 (was 4)\n']);
    r = await run('models', 'show', 'm', '--json');
    const shown = JSON.parse(r.stdout);
    expect(shown.registered_model.aliases).toEqual({ champion: '2' });
    expect(shown.versions.map((v: { version: string }) => v.version)).toEqual(['1', '2', '3', '4']);
    r = await run('models', 'promote', 'm', '9', '--alias', 'champion');
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/has no version 9/)]);
    r = await run('models', 'show', 'nope');
    expect(r.code).toBe(2);
  });
});

describe.skipIf(!hasMlflow)('against the real MLflow 2.17', () => {
  it('real MlflowClient reads the registry we write into a file store', async () => {
    const root = join(dir, 'ours/mlruns');
    const registry = new FileRegistry(root);
    const source = folderUri(join(dir, 'ours/model'));
    await registerAndPromote(registry, {
      name: 'obesity-classifier',
      source,
      runId: 'r1',
      alias: 'champion',
      metricTag: 'mlops.cv_score',
      metricValue: 0.97,
      tags: { 'mlops.data_md5': 'abc' },
    });
    const out = mlflowPython(`
from mlflow.tracking import MlflowClient
import json
c = MlflowClient(tracking_uri="file:${root}", registry_uri="file:${root}")
m = c.get_registered_model("obesity-classifier")
v = c.get_model_version_by_alias("obesity-classifier", "champion")
vs = c.search_model_versions("name='obesity-classifier'")
print(json.dumps({"name": m.name, "aliases": m.aliases, "version": str(v.version), "source": v.source, "run_id": v.run_id,
                  "tags": v.tags, "status": v.status, "n": len(vs)}))
`);
    expect(JSON.parse(out)).toEqual({
      name: 'obesity-classifier',
      aliases: { champion: '1' },
      version: '1',
      source,
      run_id: 'r1',
      tags: { 'mlops.data_md5': 'abc', 'mlops.cv_score': '0.97' },
      status: 'READY',
      n: 1,
    });
  }, 300_000);

  it('we read the registry real MLflow writes into a file store', async () => {
    const root = join(dir, 'theirs/mlruns');
    mlflowPython(`
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri="file:${root}", registry_uri="file:${root}")
c.create_registered_model("m2", description="by mlflow")
c.create_model_version("m2", "file:///a", run_id="x1", tags={"k": "v"})
c.create_model_version("m2", "file:///b", run_id="x2")
c.set_registered_model_alias("m2", "champion", "2")
`);
    const registry = new FileRegistry(root);
    const model = await registry.getRegisteredModel('m2');
    expect(model?.description).toBe('by mlflow');
    expect(model?.aliases).toEqual({ champion: '2' });
    const versions = await registry.listModelVersions('m2');
    expect(versions.map((v) => [v.version, v.source, v.runId, v.tags, v.aliases])).toEqual([
      ['1', 'file:///a', 'x1', { k: 'v' }, []],
      ['2', 'file:///b', 'x2', {}, ['champion']],
    ]);
    // and a version we add after MLflow's is numbered after them, and MLflow still reads the whole model
    const v3 = await registry.createModelVersion({ name: 'm2', source: 'file:///c' });
    expect(v3.version).toBe('3');
    const n = mlflowPython(`
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri="file:${root}", registry_uri="file:${root}")
print(len(c.search_model_versions("name='m2'")), c.get_registered_model("m2").aliases["champion"])
`);
    expect(n.trim()).toBe('3 2');
  }, 300_000);

  describe('a real tracking server', () => {
    let server: MlflowServer;
    beforeAll(async () => {
      server = await startMlflowServer(join(dir, 'server'));
    }, 180_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('registers a run artifact as a version, moves the alias, and downloads it byte for byte', async () => {
      const tracker = await createTracker({
        trackingUri: server.url,
        experimentName: 'registry-test',
        env: {},
        logger: quiet,
      });
      const modelDir = join(dir, 'bundle');
      await mkdir(modelDir, { recursive: true });
      const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
      await writeFile(join(modelDir, 'model_bundle.json'), '{"schema":1}\n');
      await writeFile(join(modelDir, 'weights.bin'), bytes);
      let artifactUri = '';
      let runId = '';
      await tracker.withRun({ runName: 'train' }, async (run) => {
        await run.logArtifact(join(modelDir, 'model_bundle.json'), 'model');
        await run.logArtifact(join(modelDir, 'weights.bin'), 'model');
        runId = run.runId;
        artifactUri = (await tracker.getRun(run.runId))!.info.artifactUri;
      });
      const registry = tracker.registry();
      const result = await registerAndPromote(registry, {
        name: 'obesity-classifier',
        source: `${artifactUri}/model`,
        runId,
        alias: 'champion',
        metricTag: 'mlops.cv_score',
        metricValue: 0.96,
      });
      expect(result.promoted).toBe(true);
      const resolved = await resolveModelUri(registry, 'models:/obesity-classifier@champion');
      expect(resolved.runId).toBe(runId);
      const dest = join(dir, 'downloaded');
      expect(await registry.downloadArtifacts(resolved.source, dest)).toEqual([
        'model_bundle.json',
        'weights.bin',
      ]);
      expect((await readFile(join(dest, 'weights.bin'))).equals(bytes)).toBe(true);
      // real MLflow sees the same
      const seen = mlflowPython(
        `
from mlflow.tracking import MlflowClient
c = MlflowClient()
v = c.get_model_version_by_alias("obesity-classifier", "champion")
print(v.version, v.run_id, v.tags["mlops.cv_score"])
`,
        { MLFLOW_TRACKING_URI: server.url },
      );
      expect(seen.trim()).toBe(`1 ${runId} 0.96`);
      // a worse model is registered but does not take the alias
      const worse = await registerAndPromote(registry, {
        name: 'obesity-classifier',
        source: `${artifactUri}/model`,
        runId,
        alias: 'champion',
        metricTag: 'mlops.cv_score',
        metricValue: 0.5,
      });
      expect([worse.promoted, worse.version.version]).toEqual([false, '2']);
      expect((await registry.getVersionByAlias('obesity-classifier', 'champion'))?.version).toBe('1');
    }, 300_000);
  });
});
