import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const env = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_ISOLATE_PLUGINS: 'false',
};
const nx = (...args: string[]) =>
  run(join(root, 'node_modules/.bin/nx'), args, { cwd: root, env, maxBuffer: 1 << 26 });

interface Graph {
  graph: {
    nodes: Record<string, { type: string; data: { root: string; tags?: string[] } }>;
    dependencies: Record<string, { source: string; target: string }[]>;
  };
}

const tagOf = (g: Graph, name: string) => g.graph.nodes[name]!.data.tags?.find((t) => t.startsWith('type:'));

describe('the Nx workspace', () => {
  it('lists its projects', async () => {
    const { stdout } = await nx('show', 'projects', '--json');
    const projects: string[] = JSON.parse(stdout);
    for (const p of ['core', 'stats', 'tracking', 'demo-data', 'workspace', 'eda', 'compare', 'dvc-pull']) {
      expect(projects).toContain(p);
    }
  });

  it('writes its project graph offline, and no stage depends on another stage', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'graph-'));
    const file = join(dir, 'graph.json');
    await nx('graph', `--file=${file}`);
    const g: Graph = JSON.parse(await readFile(file, 'utf8'));
    const names = Object.keys(g.graph.nodes);
    for (const name of names)
      expect(tagOf(g, name), `${name} has a type: tag`).toMatch(/^type:(lib|stage|app|tool)$/);
    const edges = Object.values(g.graph.dependencies)
      .flat()
      .filter((e) => names.includes(e.target));
    expect(edges.some((e) => e.source === 'eda' && e.target === 'core')).toBe(true);
    for (const e of edges) {
      if (tagOf(g, e.source) !== 'type:lib')
        expect(tagOf(g, e.target), `${e.source} → ${e.target}`).toBe('type:lib');
      if (tagOf(g, e.source) === 'type:lib')
        expect(tagOf(g, e.target), `${e.source} → ${e.target}`).toBe('type:lib');
    }
  });

  it('lints a stage importing another stage as an error, and a stage importing a library as fine', async () => {
    const eslint = new ESLint({ cwd: root });
    const lint = async (code: string) => {
      const [result] = await eslint.lintText(code, {
        filePath: join(root, 'packages/eda/src/boundary-probe.ts'),
      });
      return result!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
    };
    const bad = await lint("import { main } from '@mlops/compare';\nexport const x = main;\n");
    expect(bad).toHaveLength(1);
    expect(bad[0]!.severity).toBe(2);
    expect(bad[0]!.message).toMatch(/Imports of apps are forbidden|type:stage/);
    expect(
      await lint("import { SeededRng } from '@mlops/core';\nexport const x = SeededRng;\n"),
    ).toHaveLength(0);
  });
});
