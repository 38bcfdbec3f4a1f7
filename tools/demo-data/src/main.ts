#!/usr/bin/env node
import { InputError, parseCli, runCli } from '@mlops/core';
import { DEFAULT_ROWS, DEFAULT_SEED } from './lib/generate.js';
import { defaultPaths, writeDemoData } from './lib/write.js';

const USAGE = `Usage: mlops-demo-data [--rows N] [--seed S] [--out-dir DIR | --dirty FILE --clean FILE]

Writes an obesity-like demo dataset with the real file's schema and dirt:
  DIR/obesity_estimation_modified.csv   the dirty input (CRLF, 18 columns)
  DIR/obesity_clean_reference.csv       the clean rows it was made from (LF, 17 columns)

Options:
  --rows N       dirty rows to write (default ${DEFAULT_ROWS}; ~2% of them repeat earlier rows)
  --seed S       integer seed (default ${DEFAULT_SEED}); the same seed gives the same bytes
  --out-dir DIR  output folder (default data/raw)
  --dirty FILE   path of the dirty file (overrides --out-dir for it)
  --clean FILE   path of the clean reference (overrides --out-dir for it)`;

function integerOption(value: string | undefined, flag: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new InputError(`--${flag} must be an integer >= ${min}, got "${value}"`);
  return n;
}

void runCli('mlops-demo-data', async (argv, logger) => {
  const { values } = parseCli(
    argv,
    {
      rows: { type: 'string' },
      seed: { type: 'string' },
      'out-dir': { type: 'string' },
      dirty: { type: 'string' },
      clean: { type: 'string' },
    },
    USAGE,
  );
  const rows = integerOption(values.rows, 'rows', DEFAULT_ROWS, 1);
  const seed = integerOption(values.seed, 'seed', DEFAULT_SEED, 0);
  const paths = defaultPaths(values['out-dir'] ?? 'data/raw');
  const dirtyPath = values.dirty ?? paths.dirtyPath;
  const cleanPath = values.clean ?? paths.cleanPath;
  const started = Date.now();
  const counts = await writeDemoData({ rows, seed, dirtyPath, cleanPath, logger });
  logger.info(
    `Wrote ${counts.dirtyRows} dirty rows to ${dirtyPath} and ${counts.cleanRows} clean rows to ${cleanPath} ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed})`,
  );
});
