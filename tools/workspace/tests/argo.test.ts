import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const schemaPath = join(root, '../shared/schemas/argo-workflows-v4.1.2.schema.json');
const hasSchema = existsSync(schemaPath);
if (!hasSchema) console.warn(`SKIPPED Argo schema validation: ${schemaPath} is absent`);

const lib = (name: string) => import(pathToFileURL(join(root, `tools/workspace/stages/${name}.mjs`)).href);

interface Container {
  image: string;
  args: string[];
  resources: { requests: { memory: string; cpu: string } };
  volumeMounts: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}
interface Template {
  name: string;
  container?: Container;
  dag?: { tasks: { name: string; template: string; dependencies?: string[] }[] };
}
interface Workflow {
  kind: string;
  spec: { templates: Template[]; volumes: unknown[]; securityContext: Record<string, unknown> };
}

const loadArgo = async (): Promise<Workflow> =>
  parse(await readFile(join(root, 'deploy/argo/pipeline.yaml'), 'utf8'));
const loadDvc = async (): Promise<{ stages: Record<string, { cmd: string }> }> =>
  parse(await readFile(join(root, 'dvc.yaml'), 'utf8'));

describe('deploy/argo/pipeline.yaml', () => {
  it.skipIf(!hasSchema)("validates against Argo Workflows' published JSON schema (v4.1.2)", async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(JSON.parse(await readFile(schemaPath, 'utf8')));
    const doc = await loadArgo();
    validate(doc);
    // The schema is a oneOf of every Argo kind: check against the WorkflowTemplate branch for readable errors.
    const template = ajv.getSchema(
      'https://raw.githubusercontent.com/argoproj/argo-workflows/HEAD/api/jsonschema/schema.json#/definitions/io.argoproj.workflow.v1alpha1.WorkflowTemplate',
    )!;
    expect(template(doc), JSON.stringify(template.errors?.slice(0, 5))).toBe(true);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    // And the check can fail: a command given as one string, or a DAG task without its template's name, is refused.
    const broken = structuredClone(doc);
    broken.spec.templates[1]!.container!.args = 'node main.js' as unknown as string[];
    expect(template(broken)).toBe(false);
    const noName = structuredClone(doc);
    delete (noName.spec.templates[0]!.dag!.tasks[0] as { name?: string }).name;
    expect(template(noName)).toBe(false);
  });

  it('has one task per dvc.yaml stage, running exactly its command', async () => {
    const [argo, dvc, { shellWord }] = await Promise.all([loadArgo(), loadDvc(), lib('generate')]);
    const byName = new Map(argo.spec.templates.map((t) => [t.name, t]));
    const dag = argo.spec.templates.find((t) => t.dag)!.dag!;
    const tasks = new Map(dag.tasks.map((t) => [t.name, byName.get(t.template)!]));
    for (const [stage, { cmd }] of Object.entries(dvc.stages)) {
      const task = tasks.get(stage.replaceAll('_', '-'));
      expect(task, `task for dvc.yaml stage ${stage}`).toBeDefined();
      expect(task!.container!.args.map(shellWord).join(' '), stage).toBe(cmd);
    }
    // Besides the DVC stages, only dvc-pull (DVC's own pull, which restores the raw data onto the volume).
    const extra = [...tasks.keys()].filter(
      (t) => !Object.keys(dvc.stages).some((s) => s.replaceAll('_', '-') === t),
    );
    expect(extra).toEqual(['dvc-pull']);
  });

  it('orders tasks by the stage graph and gives each its image, the shared claim and the params ConfigMap', async () => {
    const argo = await loadArgo();
    const { loadStages, upstreamOf } = await lib('manifest');
    const { loadWorkspaceParams, paramsModule } = await lib('params');
    const { paramAt } = await paramsModule(root);
    const stages = loadStages(root, await loadWorkspaceParams(root), paramAt);
    const dag = argo.spec.templates.find((t) => t.dag)!.dag!;
    const byName = new Map(argo.spec.templates.map((t) => [t.name, t]));
    for (const task of dag.tasks) {
      const stage = stages.find(
        (s: { dvc?: string; service?: string }) => (s.dvc ?? s.service)?.replaceAll('_', '-') === task.name,
      );
      expect(stage, task.name).toBeDefined();
      const ups = upstreamOf(stages, stage)
        .filter((u: { service?: string }) => u.service)
        .map((u: { dvc?: string; service: string }) => (u.dvc ?? u.service).replaceAll('_', '-'));
      expect(task.dependencies ?? [], task.name).toEqual(ups);
      const c = byName.get(task.template)!.container!;
      expect(c.image).toBe(
        `{{workflow.parameters.image-prefix}}/${stage.project}:{{workflow.parameters.image-tag}}`,
      );
      expect(c.volumeMounts.find((m) => m.mountPath === '/app/config')).toMatchObject({
        name: 'params',
        readOnly: true,
      });
      for (const m of c.volumeMounts.filter((v) => v.name === 'workspace'))
        expect(m.mountPath).toBe(`/app/${m.subPath}`);
      expect(c.resources.requests.memory).toMatch(/^\d+Mi$/);
    }
    expect(argo.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
  });

  it('sizes memory requests from the manifest, else the measured peak, else a default', async () => {
    const { requests, measuredPeaks } = await lib('argo');
    const dir = mkdtempSync(join(tmpdir(), 'argo-peaks-'));
    try {
      mkdirSync(join(dir, 'benchmarks'));
      writeFileSync(
        join(dir, 'benchmarks/scale.json'),
        JSON.stringify({
          runs: [
            { rows: 1, stages: [{ target: 'eda:run', ok: true, peak_rss_mib: 100 }] },
            { rows: 2, stages: [{ target: 'eda:run', ok: true, peak_rss_mib: 300 }] },
            { rows: 3, stages: [{ target: 'compare:run', ok: false, peak_rss_mib: 900 }] },
          ],
        }),
      );
      const peaks = measuredPeaks(dir);
      const eda = { project: 'eda', target: 'run', resources: {} };
      // 300 MiB × 1.25 = 375 → 384 (a multiple of 64).
      expect(requests(eda, peaks)).toEqual({ memory: '384Mi', cpu: '500m' });
      expect(requests({ ...eda, resources: { memory: '2Gi', cpu: '2' } }, peaks)).toEqual({
        memory: '2Gi',
        cpu: '2',
      });
      // A failed measurement is no measurement.
      expect(requests({ project: 'compare', target: 'run', resources: {} }, peaks).memory).toBe('256Mi');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
