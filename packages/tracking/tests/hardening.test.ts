/**
 * Bad tracking inputs: an experiment deleted in MLflow (in .trash) is refused as MLflow refuses it, unreadable
 * meta.yaml files are reported (never silently dropped or shown as RUNNING), a store path that is a file is bad
 * input before any work, and an absent server fails fast, as a warning unless tracking is required.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  disableCliAutoRun,
  executeCli,
  FailureError,
  InputError,
  type CliMain,
} from '@mlops/core';
import { createTracker, FileStore, openStageTracking } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trk-hard-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function memoryLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ name: 't', sink: { write: (l: string) => lines.push(l) } }) };
}

async function metaFilesNamed(root: string, name: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (
        e.name === 'meta.yaml' &&
        (await readFile(join(d, e.name), 'utf8')).includes(`name: ${name}\n`)
      )
        out.push(join(d, e.name));
    }
  };
  await walk(root);
  return out;
}

/** Delete an experiment the way MLflow's FileStore does: lifecycle_stage deleted, folder moved into .trash. */
async function deleteLikeMlflow(root: string, id: string): Promise<void> {
  const meta = join(root, id, 'meta.yaml');
  await writeFile(
    meta,
    (await readFile(meta, 'utf8')).replace('lifecycle_stage: active', 'lifecycle_stage: deleted'),
  );
  await rename(join(root, id), join(root, '.trash', id));
}

describe('an experiment deleted in MLflow', () => {
  it('is not re-created: the tracker refuses with MLflow message (exit 2), one meta.yaml of that name remains', async () => {
    const root = join(dir, 'mlruns');
    const store = new FileStore(root);
    const exp = await store.getOrCreateExperiment('gone');
    await deleteLikeMlflow(root, exp.experimentId);
    const tracker = await createTracker({ trackingUri: `file:${root}`, experimentName: 'gone', env: {} });
    const err = await tracker.startRun({ runName: 'r' }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^Cannot set a deleted experiment 'gone' as the active experiment\. You can restore the experiment, or permanently delete the experiment to create a new one\./,
    );
    expect((err as InputError).exitCode).toBe(2);
    expect(await metaFilesNamed(root, 'gone')).toHaveLength(1);
    // a stage preparing its tracking fails before it writes, whatever --require-tracking says
    const { logger } = memoryLogger();
    for (const required of [false, true]) {
      const tracking = await openStageTracking({
        trackingUri: `file:${root}`,
        experimentName: 'gone',
        env: {},
        logger,
        required,
      });
      await expect(tracking.prepare()).rejects.toThrow("Cannot set a deleted experiment 'gone'");
    }
  });
});

const MLFLOW = resolve(__dirname, '../../../../shared/tools/mlflow/mlflow');
describe.skipIf(!existsSync(MLFLOW))('with the real MLflow', () => {
  beforeAll(() => {
    if (!existsSync(MLFLOW)) console.log(`SKIPPED real MLflow checks: ${MLFLOW} is absent`);
  });
  it('an experiment MlflowClient deleted is refused, not created a second time', async () => {
    const root = join(dir, 'mlruns');
    const py = spawnSync(
      MLFLOW,
      [
        'python',
        '-c',
        `from mlflow.tracking import MlflowClient\nc = MlflowClient("file:${root}")\nc.delete_experiment(c.create_experiment("gone"))`,
      ],
      { encoding: 'utf8', timeout: 180_000 },
    );
    expect(py.status, py.stderr).toBe(0);
    const tracker = await createTracker({ trackingUri: `file:${root}`, experimentName: 'gone', env: {} });
    await expect(tracker.startRun({ runName: 'r' })).rejects.toThrow(
      "Cannot set a deleted experiment 'gone' as the active experiment",
    );
    expect(await metaFilesNamed(root, 'gone')).toHaveLength(1);
  }, 200_000);
});

describe('unreadable entries of a file store', () => {
  it('are reported one warning per entry; a bad status is never shown as RUNNING; show fails', async () => {
    const root = join(dir, 'mlruns');
    const store = new FileStore(root);
    const good = await store.getOrCreateExperiment('good');
    const run = await store.createRun({
      experimentId: good.experimentId,
      runName: 'r',
      userId: 'u',
      startTime: 1,
      tags: [],
    });
    const bad = await store.getOrCreateExperiment('bad');
    await writeFile(join(root, bad.experimentId, 'meta.yaml'), ''); // empty
    const other = await store.getOrCreateExperiment('corrupt');
    await writeFile(join(root, other.experimentId, 'meta.yaml'), 'name: [unclosed\n');
    const runMeta = join(root, good.experimentId, run.runId, 'meta.yaml');
    await writeFile(runMeta, (await readFile(runMeta, 'utf8')).replace(/status: \d+/, 'status: banana'));

    const warnings: string[] = [];
    const reader = new FileStore(root, { onWarning: (m) => warnings.push(m) });
    const names = (await reader.listExperiments()).map((e) => e.name);
    expect(names).toContain('good');
    expect(names).not.toContain('bad');
    expect(await reader.searchRuns(good.experimentId)).toEqual([]);
    expect(warnings).toHaveLength(3);
    expect(warnings.join('\n')).toContain(join(root, bad.experimentId, 'meta.yaml'));
    expect(warnings.join('\n')).toContain(join(root, other.experimentId, 'meta.yaml'));
    expect(warnings.join('\n')).toContain(
      `${runMeta}: unreadable run meta.yaml (unknown run status "banana"`,
    );
    const err = await reader.getRun(run.runId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailureError);
    expect((err as Error).message).toContain(runMeta);

    // through mlops-runs, in-process
    disableCliAutoRun();
    const { main } = (await import('../src/cli.js')) as { main: CliMain };
    const { lines, logger } = memoryLogger();
    const out: string[] = [];
    const streams = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => lines.push(s) },
    };
    const list = await executeCli(
      'mlops-runs',
      main,
      ['list', '--tracking-uri', `file:${root}`, '--params', join(dir, 'none.yaml')],
      logger,
      streams,
    ).catch(() => -1);
    expect(list).toBe(2); // --params names a missing file: bad input
    const listed = await executeCli(
      'mlops-runs',
      main,
      ['list', '--tracking-uri', `file:${root}`],
      logger,
      streams,
    );
    expect(listed).toBe(0);
    expect(lines.filter((l) => l.includes('WARNING') && l.includes('unreadable'))).toHaveLength(3);
    const shown = await executeCli(
      'mlops-runs',
      main,
      ['show', run.runId, '--tracking-uri', `file:${root}`],
      logger,
      streams,
    );
    expect(shown).toBe(1);
    expect(lines.at(-1)).toContain('unreadable run meta.yaml');
  });
});

describe('a corrupt metric file', () => {
  it('skips its run with a warning in a listing; show fails naming the file', async () => {
    const root = join(dir, 'mlruns');
    const store = new FileStore(root);
    const exp = await store.getOrCreateExperiment('m');
    const run = await store.createRun({
      experimentId: exp.experimentId,
      runName: 'r',
      userId: 'u',
      startTime: 1,
      tags: [],
    });
    const metric = join(root, exp.experimentId, run.runId, 'metrics', 'acc');
    await writeFile(metric, 'not a metric line\n');
    const warnings: string[] = [];
    const reader = new FileStore(root, { onWarning: (m) => warnings.push(m) });
    expect(await reader.searchRuns(exp.experimentId)).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining(`${metric}: unreadable metric file`)]);
    await expect(reader.getRun(run.runId)).rejects.toThrow(`${metric}: unreadable metric file`);
  });
});

describe('MLflow client settings from the environment', () => {
  it('MLFLOW_HTTP_REQUEST_TIMEOUT that is not a number is bad input naming it', async () => {
    await expect(
      createTracker({
        trackingUri: 'http://127.0.0.1:5000',
        experimentName: 'x',
        env: { MLFLOW_HTTP_REQUEST_TIMEOUT: 'soon' },
      }),
    ).rejects.toThrow('MLFLOW_HTTP_REQUEST_TIMEOUT: "soon" is not a number');
  });
});

describe('the tracking store path', () => {
  it('being a file is bad input naming it, when the tracker is created (before a stage works)', async () => {
    const file = join(dir, 'mlruns');
    await writeFile(file, 'not a folder');
    const err = await createTracker({ trackingUri: `file:${file}`, experimentName: 'x', env: {} }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(
      `${file}: the MLflow tracking store is a file, not a folder (set MLFLOW_TRACKING_URI to a folder)`,
    );
    await expect(
      createTracker({ trackingUri: `file:${join(file, 'deeper')}`, experimentName: 'x', env: {} }),
    ).rejects.toThrow(`${join(file, 'deeper')}: the MLflow tracking store is under a file`);
  });

  it.skipIf(!existsSync('/proc/self'))(
    'that cannot be created (/proc) is bad input for a stage, at once',
    async () => {
      const { logger } = memoryLogger();
      const err = await openStageTracking({
        trackingUri: 'file:/proc/mlruns',
        experimentName: 'x',
        env: {},
        logger,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toContain('MLflow tracking store /proc/mlruns: cannot write');
    },
  );
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('an MLflow server that is not there', () => {
  it('is one warning naming host and cause, the stage goes on; with required it fails fast (exit 1)', async () => {
    const port = await closedPort();
    const uri = `http://alice:Pw55secret@127.0.0.1:${port}`;
    const { lines, logger } = memoryLogger();
    const started = Date.now();
    const tracking = await openStageTracking({ trackingUri: uri, experimentName: 'x', env: {}, logger });
    expect(await tracking.logRun({ runName: 'r' }, async () => undefined)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2500);
    const text = lines.join('');
    expect(text).toContain(`127.0.0.1:${port}`);
    expect(text).toContain('connection refused');
    expect(text).toContain('--require-tracking');
    expect(text).not.toContain('Pw55secret');

    const strict = await openStageTracking({
      trackingUri: uri,
      experimentName: 'x',
      env: {},
      logger,
      required: true,
    });
    const err = await strict.prepare().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailureError);
    expect((err as Error).message).toContain('connection refused');
    expect((err as Error).message).not.toContain('Pw55secret');
  });
});
