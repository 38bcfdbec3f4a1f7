import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { defaultParams, paramAt } from '@mlops/core';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const schemaPath = join(root, '../shared/schemas/dvc-yaml.schema.json');
const hasSchema = existsSync(schemaPath);
if (!hasSchema) console.warn(`SKIPPED dvc.yaml schema validation: ${schemaPath} is absent`);

interface Stage {
  cmd: string;
  deps?: string[];
  params?: (string | Record<string, string[]>)[];
  outs?: (string | Record<string, unknown>)[];
}

async function loadDvcYaml(): Promise<{ stages: Record<string, Stage> }> {
  return parse(await readFile(join(root, 'dvc.yaml'), 'utf8'));
}

describe('dvc.yaml', () => {
  it.skipIf(!hasSchema)("validates against DVC's published JSON schema", async () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(await readFile(schemaPath, 'utf8')));
    const ok = validate(await loadDvcYaml());
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('lists only real params keys, of config/params.yaml', async () => {
    const dvc = await loadDvcYaml();
    for (const [name, stage] of Object.entries(dvc.stages)) {
      for (const entry of stage.params ?? []) {
        expect(typeof entry === 'object' && Object.keys(entry), name).toEqual(['config/params.yaml']);
        for (const key of Object.values(entry).flat())
          expect(() => paramAt(defaultParams(), key), `${name}: ${key}`).not.toThrow();
      }
    }
  });

  it('runs each stage through a CLI that a workspace project builds', async () => {
    const dvc = await loadDvcYaml();
    for (const [name, stage] of Object.entries(dvc.stages)) {
      const script = /^node (\S+)/.exec(stage.cmd)?.[1];
      expect(script, `${name} runs a node CLI`).toBeDefined();
      const pkgDir = script!.split('/dist/')[0]!;
      const pkg = JSON.parse(await readFile(join(root, pkgDir, 'package.json'), 'utf8'));
      expect(Object.values(pkg.bin ?? {}).map((b) => join(pkgDir, String(b)))).toContain(script);
      expect(existsSync(join(root, pkgDir, 'src/main.ts')), `${pkgDir}/src/main.ts`).toBe(true);
      // Its code dependency is exactly what runs: the loader and the bundle (deterministic), or, for a stage whose
      // bundle loads more at run time, what its package.json declares as `stageCode` (and nothing else).
      const deps = (stage.deps ?? [])
        .map(String)
        .filter((d) => d.startsWith('packages/') || d.startsWith('apps/'));
      const declared: string[] = pkg.stageCode
        ? pkg.stageCode.map((p: string) => posix.normalize(posix.join(pkgDir, p)))
        : [script!, script!.replace(/\.js$/, '.cjs')];
      expect(deps, name).toEqual(declared);
    }
  });
});
