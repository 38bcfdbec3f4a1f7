/**
 * The built CLIs the CLI tests run, and demo data for them: the demo-data generator's clean rows with the target in
 * the pipeline's lower snake case, as eda writes it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const ML_DIST = join(ROOT, 'packages/ml/dist');
const DEMO = join(ROOT, 'tools/demo-data/dist/main.js');

/** Writes `rows` demo rows (seeded) as dir/clean.csv; returns its header and data lines. */
export function demoCleanCsv(
  dir: string,
  rows: number,
  seed: number,
): { file: string; header: string; lines: string[] } {
  const r = spawnSync(
    process.execPath,
    [DEMO, '--rows', String(rows), '--seed', String(seed), '--out-dir', join(dir, 'raw')],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`demo-data failed: ${r.stderr}`);
  const text = readFileSync(join(dir, 'raw/obesity_clean_reference.csv'), 'utf8').trimEnd().split('\n');
  const header = text[0]!;
  const lines = text.slice(1).map((l) => {
    const cut = l.lastIndexOf(',');
    return l.slice(0, cut + 1) + l.slice(cut + 1).toLowerCase();
  });
  const file = join(dir, 'clean.csv');
  writeFileSync(file, [header, ...lines].join('\n') + '\n');
  return { file, header, lines };
}
