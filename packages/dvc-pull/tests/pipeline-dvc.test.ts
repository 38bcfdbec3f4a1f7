/**
 * The pipeline against the real DVC 3.55.2, in copies of this workspace (its dvc.yaml, committed dvc.lock, params,
 * .dvc files, in-repo demo remote and the stage CLI bundles). Nothing here knows today's stages: they come from
 * dvc.yaml. Skipped with a message when ../shared/tools/dvc or a stage bundle is missing.
 */
import { existsSync } from 'node:fs';
import { readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  findStageFiles,
  hashPath,
  HashState,
  parseLock,
  parsePipeline,
  type PipelineFile,
} from '../src/index.js';
import { runCli, tempDir, WORKSPACE_ROOT } from './helpers.js';
import { copyInto, dvc, HAVE_DVC, NO_DVC_MESSAGE, sh, snapshot } from './real-dvc.js';

const ROOT = WORKSPACE_ROOT.replace(/\/$/, '');
const pipelineText = existsSync(join(ROOT, 'dvc.yaml')) ? await readFile(join(ROOT, 'dvc.yaml'), 'utf8') : '';
const pipeline: PipelineFile | undefined = pipelineText
  ? parsePipeline(pipelineText, join(ROOT, 'dvc.yaml'), 'dvc.yaml')
  : undefined;
const produced = new Set(pipeline?.stages.flatMap((s) => s.outs.map((o) => o.path)) ?? []);
// Code the stages run (their CLI bundles): built files, not in git; copied into each clone.
const codeDeps = [
  ...new Set(pipeline?.stages.flatMap((s) => s.deps.filter((d) => d.startsWith('packages/'))) ?? []),
];
const missing = codeDeps.filter((d) => !existsSync(join(ROOT, d)));
const skipWhy = !HAVE_DVC
  ? NO_DVC_MESSAGE
  : !pipeline
    ? 'no dvc.yaml in the workspace'
    : missing.length
      ? `stage CLIs not built (${missing.join(', ')}): run \`npx nx run-many -t build\` first; pipeline suite skipped`
      : undefined;
if (skipWhy) console.warn(skipWhy);

/** Stages in an order where every stage runs after the stages whose outputs it reads. */
function pipelineOrder(p: PipelineFile) {
  const done = new Set<string>();
  const order: PipelineFile['stages'] = [];
  const pending = [...p.stages];
  while (pending.length) {
    const i = pending.findIndex((s) =>
      s.deps.every(
        (d) => !produced.has(d) || p.stages.some((o) => done.has(o.name) && o.outs.some((x) => x.path === d)),
      ),
    );
    if (i < 0) throw new Error('dvc.yaml has a cycle');
    const [s] = pending.splice(i, 1);
    done.add(s!.name);
    order.push(s!);
  }
  return order;
}

/** A fresh clone: git-tracked pipeline files, the .dvc files, the demo remote, and the built stage CLIs. */
async function clone(lockFrom = ROOT): Promise<string> {
  const dir = await tempDir('dvc-pipeline-');
  const stageFiles = (await findStageFiles(ROOT))
    .map((f) => relative(ROOT, f))
    .filter((f) => f !== 'dvc.yaml');
  await copyInto(ROOT, dir, [
    '.dvc/config',
    '.dvcignore',
    '.gitignore',
    'dvc.yaml',
    'config',
    'data/demo-remote',
    ...stageFiles,
    ...codeDeps,
  ]);
  await copyInto(lockFrom, dir, ['dvc.lock']);
  // the npm packages some stages load at run time beside their bundle (native add-ons: resvg)
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  await sh('git init -q', dir);
  return dir;
}

const mlops = (args: string[], cwd: string) => runCli(args, { cwd });

/** The lock entries of a stage's cached outputs (dvc.yaml's `cache: false` ones left out). */
function cachedOuts<T extends { path: string }>(stage: string, outs: readonly T[]): T[] {
  const cached = new Set(
    pipeline!.stages
      .find((s) => s.name === stage)
      ?.outs.filter((o) => o.cache)
      .map((o) => o.path) ?? [],
  );
  return outs.filter((o) => cached.has(o.path));
}

/** A lock's entries with the hashes of uncached outputs (and of deps that are such outputs) left out. */
function stableEntries<T extends { path: string }>(entries: readonly T[]): Array<T | { path: string }> {
  const volatile = new Set(
    pipeline!.stages.flatMap((s) => s.outs.filter((o) => !o.cache).map((o) => o.path)),
  );
  return entries.map((e) => (volatile.has(e.path) ? { path: e.path } : e));
}

async function runStages(dir: string): Promise<void> {
  for (const s of pipelineOrder(pipeline!)) {
    const cmd = Array.isArray(s.cmd) ? s.cmd.join(' && ') : s.cmd;
    const r = await sh(cmd, dir);
    expect(r.code, `stage ${s.name}: ${r.stderr}`).toBe(0);
  }
}

/** Every cached output of the lock's stages: path → bytes of each file. */
async function cachedOutputs(dir: string) {
  const out = new Map<string, Map<string, { bytes: Buffer; mode: number }>>();
  for (const s of pipeline!.stages)
    for (const o of s.outs)
      if (o.cache) {
        const p = join(dir, o.path);
        const st = await stat(p).catch(() => undefined);
        out.set(
          o.path,
          st?.isFile()
            ? new Map([['', { bytes: await readFile(p), mode: st.mode & 0o777 }]])
            : await snapshot(p),
        );
      }
  return out;
}

describe.skipIf(Boolean(skipWhy))('pipeline vs real DVC', () => {
  let ran: string;
  beforeAll(async () => {
    // One clone runs the pipeline as `npm run pipeline` does: every stage command, then `mlops-dvc commit`.
    ran = await clone();
    expect((await mlops(['pull'], ran)).code).toBe(0);
    await runStages(ran);
    const c = await mlops(['commit'], ran);
    expect(c.code, c.stderr).toBe(0);
    // Every stage of the pipeline, training included: minutes on a 2-core machine shared with other work.
  }, 600_000);

  it('a fresh clone: mlops-dvc status says what dvc status says (not in cache), and real dvc pull exits 0', async () => {
    const dir = await clone();
    const ours = await mlops(['status'], dir);
    const theirs = await dvc(['status'], dir);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toContain('not in cache:');
    const oursJson = await mlops(['status', '--json'], dir);
    const theirsJson = await dvc(['status', '--json'], dir);
    expect(oursJson.stdout.trim()).toBe(theirsJson.stdout.trim());
    const pull = await dvc(['pull'], dir);
    expect(pull.code, pull.stderr).toBe(0);
    // Every cached output of the committed lock arrived with its recorded hash.
    const lock = parseLock(await readFile(join(ROOT, 'dvc.lock'), 'utf8'), 'dvc.lock');
    const state = await HashState.open(join(dir, '.dvc'));
    for (const s of pipeline!.stages) {
      expect(
        lock.has(s.name),
        `dvc.lock has no entry for stage ${s.name}: run the pipeline and commit dvc.lock`,
      ).toBe(true);
      for (const o of s.outs.filter((x) => x.cache)) {
        const h = await hashPath(dir, join(dir, o.path), state, 4);
        expect(h?.md5, o.path).toBe(lock.get(s.name)!.outs.find((e) => e.path === o.path)?.md5);
      }
    }
  }, 120_000);

  it('after the pipeline and mlops-dvc commit, real dvc status is clean and the committed dvc.lock is in sync', async () => {
    const st = await dvc(['status'], ran);
    expect(st.stdout.trim()).toBe('Data and pipelines are up to date.');
    expect((await mlops(['status'], ran)).stdout.trim()).toBe('Data and pipelines are up to date.');
    // The committed lock records the demo data's outputs: the pipeline reproduces them exactly.
    const ours = parseLock(await readFile(join(ran, 'dvc.lock'), 'utf8'), 'dvc.lock');
    const committed = parseLock(await readFile(join(ROOT, 'dvc.lock'), 'utf8'), 'dvc.lock');
    // Cached outputs only: those are what the demo remote holds; uncached reports (CV tables with fit times) differ
    // from run to run and are not pulled.
    for (const [name, s] of ours)
      expect(
        cachedOuts(name, committed.get(name)?.outs ?? []),
        `dvc.lock is stale for stage ${name}: run \`npm run pipeline && node packages/dvc-pull/dist/main.js push\`, then commit dvc.lock and data/demo-remote`,
      ).toEqual(cachedOuts(name, s.outs));
  }, 120_000);

  it('dvc push to a fresh remote, then mlops-dvc pull in a fresh clone restores every output byte for byte', async () => {
    const remote = await tempDir('dvc-remote-');
    expect((await mlops(['remote', 'add', 'fresh', remote], ran)).code).toBe(0);
    const push = await dvc(['push', '-r', 'fresh'], ran);
    expect(push.code, push.stderr).toBe(0);
    const dir = await clone(ran);
    await copyInto(ran, dir, ['.dvc/config']);
    const pull = await mlops(['pull', '-r', 'fresh'], dir);
    expect(pull.code, pull.stderr).toBe(0);
    expect(await cachedOutputs(dir)).toEqual(await cachedOutputs(ran));
  }, 120_000);

  it('the reverse: dvc repro writes the same dvc.lock as mlops-dvc commit; dvc push, then mlops-dvc pull', async () => {
    const dir = await clone();
    expect((await mlops(['pull'], dir)).code).toBe(0);
    const repro = await dvc(['repro', '-f'], dir);
    expect(repro.code, repro.stderr).toBe(0);
    // the same lock, but for the hashes of uncached reports (fit times differ from run to run)
    const theirsLock = parseLock(await readFile(join(dir, 'dvc.lock'), 'utf8'), 'dvc.lock');
    const oursLock = parseLock(await readFile(join(ran, 'dvc.lock'), 'utf8'), 'dvc.lock');
    expect([...theirsLock.keys()]).toEqual([...oursLock.keys()]);
    for (const [name, t] of theirsLock) {
      const o = oursLock.get(name)!;
      expect({ ...t, deps: stableEntries(t.deps), outs: stableEntries(t.outs) }, name).toEqual({
        ...o,
        deps: stableEntries(o.deps),
        outs: stableEntries(o.outs),
      });
    }
    const remote = await tempDir('dvc-remote-');
    expect((await dvc(['remote', 'add', 'back', remote], dir)).code).toBe(0);
    const push = await dvc(['push', '-r', 'back'], dir);
    expect(push.code, push.stderr).toBe(0);
    const fresh = await clone(dir);
    await copyInto(dir, fresh, ['.dvc/config']);
    const pull = await mlops(['pull', '-r', 'back'], fresh);
    expect(pull.code, pull.stderr).toBe(0);
    expect(await cachedOutputs(fresh)).toEqual(await cachedOutputs(dir));
    // `dvc repro -f` runs every stage again, training included (see beforeAll).
  }, 600_000);

  it('dvc params diff after a param edit names exactly the declared keys that changed, as mlops-dvc params diff', async () => {
    const dir = await clone(ran);
    await sh('git add -A && git -c user.name=t -c user.email=t@t commit -qm base', dir);
    const paramsFile = pipeline!.stages.flatMap((s) => s.params)[0]?.file;
    if (!paramsFile) return;
    const declared = new Set(pipeline!.stages.flatMap((s) => s.params.flatMap((p) => p.keys ?? [])));
    // Change every scalar in the params file: only the keys the stages declare (or that sit below one) are named.
    const text = await readFile(join(dir, paramsFile), 'utf8');
    const edited = text.replace(
      /^(\s+[A-Za-z_]+: )(true|false|\d+(?:\.\d+)?)(\s*(?:#.*)?)$/gm,
      (_m, a: string, v: string, c: string) =>
        `${a}${v === 'true' ? 'false' : v === 'false' ? 'true' : String(Number(v) + 1)}${c}`,
    );
    await writeFile(join(dir, paramsFile), edited);
    const theirs = await dvc(['params', 'diff', '--json'], dir);
    expect(theirs.code, theirs.stderr).toBe(0);
    const diff = JSON.parse(theirs.stdout) as Record<string, Record<string, unknown>>;
    const named = Object.keys(diff[paramsFile] ?? {});
    expect(named.length).toBeGreaterThan(0);
    for (const k of named)
      expect(
        [...declared].some((d) => k === d || k.startsWith(`${d}.`)),
        k,
      ).toBe(true);
    const ours = await mlops(['params', 'diff', '--json'], dir);
    expect(ours.code, ours.stderr).toBe(0);
    expect(JSON.parse(ours.stdout)).toEqual(diff);
    const oursText = await mlops(['params', 'diff'], dir);
    expect(oursText.stdout).toBe((await dvc(['params', 'diff'], dir)).stdout);
  }, 120_000);
});
