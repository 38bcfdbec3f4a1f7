/**
 * Several processes writing one file store at the same instant: creating the same experiment (and the Default
 * one) in a store that does not exist yet, opening runs, and appending metric points to one shared run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore, parseMetricFile, parseRunMeta } from '../src/index.js';

const writer = fileURLToPath(new URL('./concurrent-writer.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trk-conc-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runChild(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [writer, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

async function allFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

describe.skipIf(!existsSync(built))('concurrent writers (child processes)', () => {
  it.each([2, 4])('%i processes: one experiment, every run whole, every metric line intact', async (n) => {
    const root = join(dir, 'mlruns');
    // The shared run must exist before the children append to it; its experiment is created by the parent.
    const parentStore = new FileStore(root);
    const sharedExp = await parentStore.getOrCreateExperiment('shared-exp');
    const shared = await parentStore.createRun({
      experimentId: sharedExp.experimentId,
      runName: 'shared',
      userId: 'test',
      startTime: Date.now(),
      tags: [],
    });
    const runsEach = 8;
    const startAt = String(Date.now() + 800);
    const results = await Promise.all(
      Array.from({ length: n }, (_, w) =>
        runChild([root, 'race-exp', String(w), String(runsEach), shared.runId, startAt]),
      ),
    );
    for (const r of results) expect(r, r.err).toMatchObject({ code: 0, out: 'done\n' });

    const store = new FileStore(root);
    const exps = await store.listExperiments();
    expect(exps.filter((e) => e.name === 'race-exp')).toHaveLength(1);
    expect(exps.filter((e) => e.name === 'Default')).toHaveLength(1);
    const exp = exps.find((e) => e.name === 'race-exp')!;
    const runs = await store.searchRuns(exp.experimentId);
    expect(runs).toHaveLength(n * runsEach);
    for (const run of runs) {
      expect(run.info.status).toBe('FINISHED');
      expect(Object.keys(run.params).sort()).toEqual(['index', 'model.depth', 'worker']);
      const loss = await store.getMetricHistory(run.info.runId, 'loss');
      expect(loss.map((m) => m.step)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    }
    // The shared run: every appended line is whole and none is lost.
    const sharedDir = join(root, sharedExp.experimentId, shared.runId);
    const lines = parseMetricFile(
      'shared/points',
      await readFile(join(sharedDir, 'metrics', 'shared', 'points'), 'utf8'),
    );
    expect(lines).toHaveLength(n * 1000);
    const values = new Set(lines.map((l) => l.value));
    for (let w = 0; w < n; w++)
      for (let k = 0; k < 1000; k++) expect(values.has(w * 1e6 + k + 0.5)).toBe(true);
    const sharedTags = (await store.getRun(shared.runId))!.tags;
    for (let w = 0; w < n; w++) expect(sharedTags[`worker_${w}`]).toMatch(/^\d+$/);
    expect(parseRunMeta(await readFile(join(sharedDir, 'meta.yaml'), 'utf8')).runId).toBe(shared.runId);
    // No temp file left behind.
    expect((await allFiles(root)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
